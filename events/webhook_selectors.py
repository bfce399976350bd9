"""Reads of webhook endpoints and their delivery log, scoped to the actor: a partner's members (and keys)
holding `org.webhooks` see their own partner's endpoints; anyone else, and any other partner's id, finds
nothing."""

import uuid

from django.db.models import Prefetch

from .models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

__all__ = ["PERMISSION", "endpoints_for", "endpoint_for", "deliveries_of", "delivery_of", "parse_id"]

PERMISSION = "org.webhooks"


def parse_id(value) -> uuid.UUID | None:
    """An endpoint id as the pages and the API spell it (a UUID), or None for anything else."""
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        return None


def endpoints_for(actor):
    if not (actor.is_partner and actor.has_perm(PERMISSION)):
        return WebhookEndpoint.objects.none()
    return WebhookEndpoint.objects.filter(partner=actor.partner).order_by("-id")


def endpoint_for(actor, webhook_id) -> WebhookEndpoint | None:
    uid = parse_id(webhook_id)
    if uid is None:
        return None
    return endpoints_for(actor).filter(uid=uid).first()


def deliveries_of(endpoint):
    """An endpoint's delivery log, newest first, each with its event and its attempts (newest first): three
    statements per page whatever its size (count, rows, attempts)."""
    return (WebhookDelivery.objects.filter(endpoint=endpoint).select_related("event").order_by("-id")
            .prefetch_related(Prefetch("attempt_log", queryset=WebhookAttempt.objects.order_by("-number"))))


def delivery_of(endpoint, delivery_id) -> WebhookDelivery | None:
    """One delivery of the endpoint, ready to be sent (endpoint, event and its partner loaded)."""
    try:
        delivery_id = int(delivery_id)
    except (TypeError, ValueError):
        return None
    if not 0 < delivery_id < 2**63:
        return None
    return (WebhookDelivery.objects.filter(endpoint=endpoint, pk=delivery_id)
            .select_related("endpoint", "event", "event__partner").first())
