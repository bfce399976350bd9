"""Draining the outbox.

`dispatch_batch` takes up to `size` undispatched events with `SELECT … FOR UPDATE SKIP LOCKED` (two
workers take different events; on SQLite, which has one writer, the transaction serializes them), creates
their notifications and webhook deliveries with inserts that ignore the unique (user, event) and
(endpoint, event) constraints, and marks the events dispatched — all in one transaction, so an event is
either fully fanned out or still waiting. Sending (e-mail, SMS, webhook POSTs) happens after the commit,
outside any lock, from the rows this left behind.
"""

from django.db import transaction
from django.utils import timezone

from . import notifications, webhooks
from .models import Event

__all__ = ["dispatch_batch", "dispatch_all"]

BATCH = 500


def dispatch_batch(size: int | None = None) -> int:
    size = size or BATCH  # read at the call, so BATCH stays tunable (a default argument would freeze it)
    now = timezone.now()
    with transaction.atomic():
        events = list(Event.objects.filter(dispatched_at__isnull=True).order_by("id")
                      .select_related("partner").select_for_update(skip_locked=True, of=("self",))[:size])
        if not events:
            return 0
        notifications.fan_out(events, now=now)
        webhooks.fan_out(events, now=now)
        Event.objects.filter(pk__in=[event.pk for event in events]).update(dispatched_at=now)
    return len(events)


def dispatch_all(*, send: bool = True) -> int:
    """Dispatch until the outbox is empty, then send what is due. Returns the events dispatched."""
    total = 0
    while True:
        done = dispatch_batch()
        total += done
        if done < BATCH:
            break
    if send:
        notifications.send_pending()
        webhooks.deliver_due()
    return total
