"""The events app's tile on the home page (partnercenter/dashboard.py), registered in EventsConfig.ready():
unread notifications, linking to 消息通知 filtered to the unread. Counted as the bell counts them (at most
UNREAD_CAP rows of the partial index notification_unread), so the tile costs one small statement."""

from django.utils.translation import gettext_lazy as _

from partnercenter.dashboard import TODO, list_tile, register

from . import selectors
from .filters import NotificationFilter

__all__ = ["TILES"]

TILES = (
    list_tile("notifications.unread", _("Unread notifications"), filterset=NotificationFilter,
              queryset=selectors.notifications_for, params={"state": "unread"},
              url_name="notifications:list", section=TODO, order=90, todo=True,
              counter=lambda actor: selectors.unread_count(actor.user)),
)

register(*TILES)
