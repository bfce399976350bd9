"""The bell in the header of every partner and fee-center page: the viewer's unread notifications.

The count is lazy (a page that never shows the header runs no query) and capped (one COUNT over at most
UNREAD_CAP rows of the partial index `notification_unread`), so it costs one cheap statement per page.
"""

from django.urls import reverse
from django.utils.functional import cached_property

from . import selectors

__all__ = ["bell", "Bell"]


class Bell:
    def __init__(self, actor):
        self.actor = actor

    @cached_property
    def count(self) -> int:
        return selectors.unread_count(self.actor.user)

    @property
    def label(self) -> str:
        """"99+" beyond what the bell counts."""
        return f"{selectors.UNREAD_CAP - 1}+" if self.count >= selectors.UNREAD_CAP else str(self.count)

    @cached_property
    def url(self) -> str:
        return reverse("notifications:list") if self.actor.is_partner else reverse("fee_center_notifications")


def bell(request):
    actor = getattr(request, "actor", None)
    if actor is None or not (actor.is_partner or actor.is_customer) or actor.access_key is not None:
        return {}
    return {"bell": Bell(actor)}
