"""What the events app itself registers: its event type (an endpoint disabled after a day of failures) and
the operation-log labels of webhook management. Imported by EventsConfig.ready()."""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from partnercenter.oplog import register_actions

from .choices import Audience
from .types import EventType, register

__all__ = ["ENDPOINT_DISABLED"]


def _endpoint_link(event, side):
    if side != "partner" or not event.data.get("webhook_id"):
        return None
    try:
        return reverse("webhooks:detail", kwargs={"uid": event.data["webhook_id"]})
    except NoReverseMatch:
        return None


ENDPOINT_DISABLED = EventType(
    "webhook.endpoint_disabled", _("Webhook endpoint disabled"), audience=Audience.PARTNER, permission="org.webhooks",
    summary=_("Webhook endpoint %(url)s failed for 24 hours and was disabled. Fix the receiver, then enable it."),
    link=_endpoint_link, webhook=False,
)
register(ENDPOINT_DISABLED)

register_actions({
    "webhook.create": _("Create webhook endpoint"),
    "webhook.update": _("Change webhook endpoint"),
    "webhook.enable": _("Enable webhook endpoint"),
    "webhook.disable": _("Disable webhook endpoint"),
    "webhook.rotate_secret": _("Rotate webhook signing secret"),
    "webhook.delete": _("Delete webhook endpoint"),
    "webhook.redeliver": _("Redeliver webhook event"),
    "webhook.test": _("Send webhook test event"),
})
