"""Every write of webhook management (事件推送): register, change, enable or disable, rotate the secret,
delete, redeliver, send a test event.

Each needs `org.webhooks`, looks the endpoint up among the actor's partner's own (another partner's id is
"not found") and runs inside `partnercenter.oplog.operation()`: the operation log, and the verification code
for the writes that change an endpoint when the partner has codes on. URLs pass the SSRF guard
(events/webhook_http.py) before anything is written; the guard runs again before every POST. A signing
secret is returned once, by the call that made it, and kept encrypted (partnercenter.secretbox).

Network calls (a redelivery, a test event) happen after the transaction that logged them, never inside it.
"""

import secrets
from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from partnercenter import secretbox
from partnercenter.errors import Codes, DomainError
from partnercenter.models import Partner
from partnercenter.oplog import operation

from . import types, webhook_selectors as selectors, webhooks
from .choices import Audience, DeliveryState
from .errors import WebhookCodes
from .models import Event, WebhookDelivery, WebhookEndpoint
from .webhook_http import UnsafeTarget, check_url

__all__ = [
    "MAX_ENDPOINTS", "SECRET_OVERLAP", "webhook_event_types", "create_endpoint", "update_endpoint",
    "set_endpoint_enabled", "rotate_secret", "delete_endpoint", "redeliver", "send_test",
]

MAX_ENDPOINTS = 20  # per partner
SECRET_OVERLAP = timedelta(hours=24)  # a rotated-out secret still signs this long
PING_MESSAGE = "This is a test event from Partner Center."


def webhook_event_types() -> list:
    """The event types an endpoint may subscribe to (the test event `ping` is sent on request only)."""
    return [t for t in types.all_types(webhook=True, audience=Audience.PARTNER) if t.code != types.PING.code]


def _require(actor):
    if not (actor.is_partner and actor.has_perm(selectors.PERMISSION)):
        raise DomainError(Codes.FORBIDDEN)


def _endpoint(actor, webhook_id) -> WebhookEndpoint:
    _require(actor)
    endpoint = selectors.endpoint_for(actor, webhook_id)
    if endpoint is None:
        raise DomainError(Codes.NOT_FOUND, _("The webhook endpoint does not exist."))
    return endpoint


def _checked_types(chosen) -> list[str]:
    if isinstance(chosen, str) or not isinstance(chosen, (list, tuple, set)):
        raise DomainError(WebhookCodes.UNKNOWN_EVENT_TYPE)
    allowed = {t.code for t in webhook_event_types()}
    chosen = sorted({str(code) for code in chosen})
    unknown = [code for code in chosen if code not in allowed]
    if unknown:
        raise DomainError(WebhookCodes.UNKNOWN_EVENT_TYPE,
                          _("Unknown webhook event type: %(type)s.") % {"type": unknown[0][:64]})
    if not chosen:
        raise DomainError(Codes.PARAMETER, _("Choose at least one event type."))
    return chosen


def _checked_url(url) -> str:
    url = (url or "").strip() if isinstance(url, str) else url
    try:
        check_url(url)
    except UnsafeTarget as exc:
        raise DomainError(WebhookCodes.TARGET_REFUSED, str(exc)) from None
    return url


def _new_secret() -> str:
    return "whsec_" + secrets.token_hex(24)


def create_endpoint(actor, *, url, types, description: str = "", verification_code=None):
    """Register an endpoint; returns (endpoint, signing secret). The secret is never shown again."""
    _require(actor)
    url = _checked_url(url)
    chosen = _checked_types(types)
    description = (description or "").strip()[:255]
    with operation(actor, "webhook.create", verification_code=verification_code,
                   detail={"url": url, "types": chosen}) as entry:
        Partner.objects.select_for_update().filter(pk=actor.partner.pk).first()  # two creates count in turn
        if WebhookEndpoint.objects.filter(partner=actor.partner).count() >= MAX_ENDPOINTS:
            raise DomainError(Codes.LIMIT_REACHED, _("A partner can register at most %(count)d webhook endpoints; "
                                                     "delete one first.") % {"count": MAX_ENDPOINTS})
        secret = _new_secret()
        endpoint = WebhookEndpoint.objects.create(
            partner=actor.partner, url=url, types=chosen, description=description,
            secret_encrypted=secretbox.encrypt(secret), created_by=actor.user if actor.user else None,
            created_via=actor.access_key)
        entry.target = endpoint
    return endpoint, secret


def update_endpoint(actor, *, webhook_id, types, description=None, verification_code=None) -> WebhookEndpoint:
    """Change the event types (and the description) of an endpoint. Its URL stays: register a new one."""
    endpoint = _endpoint(actor, webhook_id)
    chosen = _checked_types(types)
    with operation(actor, "webhook.update", target=endpoint, verification_code=verification_code,
                   detail={"types": chosen}):
        endpoint.types = chosen
        fields = ["types"]
        if description is not None:
            endpoint.description = description.strip()[:255]
            fields.append("description")
        endpoint.save(update_fields=fields)
    return endpoint


def set_endpoint_enabled(actor, *, webhook_id, enabled: bool, verification_code=None) -> WebhookEndpoint:
    """Enable or disable an endpoint. Enabling starts afresh: no failing period, and deliveries that ran out
    of their 24 hours while it was off are failed rather than sent late."""
    endpoint = _endpoint(actor, webhook_id)
    now = timezone.now()
    with operation(actor, "webhook.enable" if enabled else "webhook.disable", target=endpoint,
                   verification_code=verification_code):
        endpoint.is_enabled = enabled
        endpoint.disabled_reason = "" if enabled else webhooks.DISABLED_MANUALLY
        endpoint.failing_since = None if enabled else endpoint.failing_since
        endpoint.save(update_fields=["is_enabled", "disabled_reason", "failing_since"])
        if enabled:
            WebhookDelivery.objects.filter(endpoint=endpoint, state=DeliveryState.PENDING,
                                           created_at__lt=now - webhooks.RETRY_WINDOW).update(
                state=DeliveryState.FAILED, next_attempt_at=None)
    return endpoint


def rotate_secret(actor, *, webhook_id, verification_code=None):
    """A new signing secret; returns (endpoint, secret). For SECRET_OVERLAP the previous secret signs as
    well (a second v1), so receivers can switch without losing events. Rotating again within the window
    drops the oldest secret at once."""
    endpoint = _endpoint(actor, webhook_id)
    with operation(actor, "webhook.rotate_secret", target=endpoint, verification_code=verification_code):
        # read again under lock: two rotations at once take turns, each keeping the secret before it
        endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        secret = _new_secret()
        endpoint.previous_secret_encrypted = endpoint.secret_encrypted
        endpoint.previous_secret_until = timezone.now() + SECRET_OVERLAP
        endpoint.secret_encrypted = secretbox.encrypt(secret)
        endpoint.save(update_fields=["previous_secret_encrypted", "previous_secret_until", "secret_encrypted"])
    return endpoint, secret


def delete_endpoint(actor, *, webhook_id, verification_code=None) -> None:
    """Delete an endpoint with its delivery log; the events themselves stay."""
    endpoint = _endpoint(actor, webhook_id)
    with operation(actor, "webhook.delete", target=endpoint, verification_code=verification_code,
                   detail={"url": endpoint.url}):
        endpoint.delete()


def redeliver(actor, *, webhook_id, delivery_id):
    """Send one delivery again now (a manual attempt, whatever its state); returns the attempt."""
    endpoint = _endpoint(actor, webhook_id)
    delivery = selectors.delivery_of(endpoint, delivery_id)
    if delivery is None:
        raise DomainError(Codes.NOT_FOUND, _("The delivery does not exist."))
    with operation(actor, "webhook.redeliver", target=endpoint,
                   detail={"event_id": str(delivery.event.uid), "type": delivery.event.type}):
        pass  # logged before the POST, which happens outside the transaction
    return webhooks.redeliver_now(delivery)


def send_test(actor, *, webhook_id):
    """A `ping` event for this endpoint alone, sent at once; returns (delivery, attempt). Should no attempt
    be made here (a worker claimed it first), the delivery is retried like any other."""
    endpoint = _endpoint(actor, webhook_id)
    with operation(actor, "webhook.test", target=endpoint) as entry:
        now = timezone.now()
        event = Event.objects.create(type=types.PING.code, partner=actor.partner, actor=str(actor.label)[:255],
                                     data={"webhook_id": str(endpoint.uid), "message": PING_MESSAGE},
                                     created_at=now, dispatched_at=now)  # dispatched: it goes to this endpoint only
        delivery = WebhookDelivery.objects.create(endpoint=endpoint, event=event, next_attempt_at=now, created_at=now)
        entry.detail = {"event_id": str(event.uid)}
    delivery.endpoint, event.partner = endpoint, actor.partner
    return delivery, webhooks.deliver_now(delivery)
