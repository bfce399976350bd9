"""Error codes of the events app (webhooks). Huawei publishes none for these; ours are in the CBC.99011xxx
range, listed here for clients and tests."""

from django.utils.translation import gettext_lazy as _

from partnercenter.errors import register

__all__ = ["WebhookCodes"]


class WebhookCodes:
    TARGET_REFUSED = "CBC.99011001"  # not https, or a loopback, private, link-local … address (the SSRF guard)
    UNKNOWN_EVENT_TYPE = "CBC.99011002"


register({
    WebhookCodes.TARGET_REFUSED: (400, _("Webhooks can only be sent to a public HTTPS address.")),
    WebhookCodes.UNKNOWN_EVENT_TYPE: (400, _("Choose event types from the list of webhook event types.")),
})
