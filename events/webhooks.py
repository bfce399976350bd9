"""Signed webhooks: which endpoint owes which event (`fan_out`) and sending what is due (`deliver_due`).

A delivery is attempted by whoever claims it. The worker claims due deliveries ten at a time: read with
SELECT … FOR UPDATE SKIP LOCKED (another worker's claim in progress is passed over) and leased in one UPDATE
that counts the attempt and pushes `next_attempt_at` ahead by LEASE — so each attempt is sent once. A test
event or a manual redelivery claims its one delivery with a conditional UPDATE on the attempt count it
read. A batch that runs past half its lease gives back what it has not sent; an attempt that outlives its
lease anyway (a receiver dripping its answer) may be claimed and sent again, and only the attempt that
still holds the delivery marks it succeeded. The POST happens outside any transaction; its outcome is written afterwards: a 2xx
succeeds the delivery, anything else (another status, a redirect, a timeout, a refused connection, a
target the SSRF guard refuses) schedules the next attempt with exponential backoff — 1 min, 5 min, 30
min, 2 h, 5 h, then every 10 h — until 24 hours after the delivery was created; the last attempt is made
at that moment and, if it fails too, the delivery is failed. Each attempt leaves a WebhookAttempt row.

A run that finds an endpoint unreachable (no answer at all) leaves its other due deliveries for the next
run, so a dead receiver costs one timeout per run, not one per event.

An endpoint remembers since when it has been failing (the first failure after a success; a success
clears it). One that has been failing for 24 hours is disabled, and its administrators are told by a
`webhook.endpoint_disabled` event. A worker lost mid-attempt leaves the delivery leased; it is due again
when the lease runs out.
"""

import json
import time
from collections import defaultdict
from datetime import timedelta
from functools import lru_cache

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from partnercenter import secretbox
from partnercenter.api.fields import wire_time

from . import outbox
from .choices import DeliveryState
from .models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from .types import PING
from .webhook_http import Sender, signature_header

__all__ = [
    "fan_out", "deliver_due", "deliver_now", "redeliver_now", "encode", "signing_secrets", "headers_for",
    "BACKOFF", "RETRY_WINDOW", "DISABLE_AFTER", "LEASE", "DISABLED_FAILING", "DISABLED_MANUALLY",
]

BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2),
           timedelta(hours=5), timedelta(hours=10))
RETRY_WINDOW = timedelta(hours=24)
DISABLE_AFTER = timedelta(hours=24)
# Longer than a claimed batch can take (CLAIM attempts, each within the connect and read timeouts; an endpoint
# that does not answer at all is skipped after its first failure), so a lease runs out only when its worker
# is gone.
LEASE = timedelta(minutes=5)
CLAIM = 10  # deliveries claimed (and their outcomes written) together; see deliver_due
# WebhookEndpoint.disabled_reason: why an endpoint is off (the pages say it in the viewer's language).
DISABLED_FAILING = "failing"  # by the worker, after DISABLE_AFTER of failures
DISABLED_MANUALLY = "manual"  # by a member or an access key


def fan_out(events, *, now) -> int:
    """A pending delivery for every enabled endpoint of each event's partner that wants its type. Runs in
    the dispatcher's transaction; a second run for the same events inserts nothing (unique endpoint, event)."""
    events = [event for event in events if event.type != PING.code and event.partner_id is not None]
    if not events:  # (an event without a partner is the customer's only: no partner's endpoint carries it)
        return 0
    endpoints = defaultdict(list)
    for endpoint in WebhookEndpoint.objects.filter(
            partner_id__in={event.partner_id for event in events}, is_enabled=True).only("id", "partner_id", "types"):
        endpoints[endpoint.partner_id].append(endpoint)
    rows = [WebhookDelivery(endpoint_id=endpoint.pk, event_id=event.pk, next_attempt_at=now, created_at=now)
            for event in events for endpoint in endpoints[event.partner_id] if endpoint.wants(event.type)]
    WebhookDelivery.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    return len(rows)


def encode(event) -> bytes:
    """The exact bytes POSTed (and signed): the event's wire form as compact UTF-8 JSON."""
    return json.dumps(event.wire(), ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


@lru_cache(maxsize=256)
def _decrypt(token: str) -> str:
    """A stored secret in clear, once per process and secret rather than once per delivery."""
    return secretbox.decrypt(token)


def signing_secrets(endpoint, now) -> list[str]:
    """The current secret and, during a rotation's overlap window, the previous one."""
    secrets = [_decrypt(endpoint.secret_encrypted)]
    if endpoint.previous_secret_encrypted and endpoint.previous_secret_until and now < endpoint.previous_secret_until:
        secrets.append(_decrypt(endpoint.previous_secret_encrypted))
    return secrets


def headers_for(delivery, body: bytes, *, now, timestamp: int | None = None) -> dict:
    timestamp = int(time.time()) if timestamp is None else timestamp
    return {
        "Content-Type": "application/json",
        "X-Webhook-Id": str(delivery.event.uid),
        "X-Webhook-Signature": signature_header(signing_secrets(delivery.endpoint, now), body, timestamp),
    }


def _due(now, skip=()):
    return (WebhookDelivery.objects
            .filter(state=DeliveryState.PENDING, next_attempt_at__lte=now, endpoint__is_enabled=True)
            .exclude(endpoint_id__in=skip)
            .select_related("endpoint", "event", "event__partner")
            .order_by("next_attempt_at", "id"))


def _claim(delivery, now) -> int | None:
    """The number of the attempt this worker now owns, or None when another claimed it first."""
    claimed = WebhookDelivery.objects.filter(
        pk=delivery.pk, state=DeliveryState.PENDING, attempts=delivery.attempts, next_attempt_at__lte=now,
    ).update(attempts=F("attempts") + 1, next_attempt_at=now + LEASE)
    return delivery.attempts + 1 if claimed else None


def _claim_batch(now, skip) -> list[tuple[WebhookDelivery, int]]:
    """Up to CLAIM due deliveries this worker now owns, with their attempt numbers: read with FOR UPDATE
    SKIP LOCKED (another worker's claim in progress is passed over, not waited for) and leased in one
    UPDATE, one commit for the lot. (SQLite has one writer: its transactions take turns.)"""
    with transaction.atomic():
        batch = list(_due(now, skip).select_for_update(skip_locked=True, of=("self",))[:CLAIM])
        if batch:
            WebhookDelivery.objects.filter(pk__in=[d.pk for d in batch]).update(
                attempts=F("attempts") + 1, next_attempt_at=now + LEASE)
    return [(delivery, delivery.attempts + 1) for delivery in batch]


def _release(claimed, now) -> None:
    """Give back claimed deliveries this run will not attempt (their endpoint stopped answering)."""
    for delivery, number in claimed:
        WebhookDelivery.objects.filter(pk=delivery.pk, state=DeliveryState.PENDING, attempts=number).update(
            attempts=F("attempts") - 1, next_attempt_at=now)


def deliver_due(*, now=None, limit: int = 5000) -> int:
    """Send every delivery that is due (first attempts and retries); returns how many attempts this call
    made. Safe to run in several workers at once. `now` fixes the clock (tests).

    Deliveries are claimed CLAIM at a time and their outcomes written together, so a steady stream costs
    two commits per CLAIM deliveries rather than two per delivery (a commit waits for the disk). The lease
    covers the slowest batch: CLAIM × (connect + read timeout) is under LEASE.

    An endpoint that did not answer at all (a timeout, a refused connection) is left alone for the rest of
    the run: its other due deliveries wait for the next run rather than hold up every other partner's."""
    clock = (lambda: now) if now is not None else timezone.now
    made, unreachable = 0, set()
    with Sender() as sender:
        while made < limit:
            claimed_at = clock()
            claimed = _claim_batch(claimed_at, unreachable)
            if not claimed:
                break
            outcomes, skipped = [], []
            for delivery, number in claimed:
                if delivery.endpoint_id in unreachable or clock() - claimed_at > LEASE / 2:
                    skipped.append((delivery, number))  # given back rather than sent late in the lease
                    continue
                started = clock()
                outcomes.append((delivery, number, started, _post(sender, delivery, started), clock()))
                if outcomes[-1][3].status_code is None:
                    unreachable.add(delivery.endpoint_id)
            with transaction.atomic():
                _record(outcomes, manual=False)
                _release(skipped, clock())
            made += len(outcomes)
    return made


def deliver_now(delivery) -> WebhookAttempt | None:
    """The first attempt of a delivery made just now (a test event), if no worker claimed it already."""
    now = timezone.now()
    number = _claim(delivery, now)
    if number is None:
        return None
    with Sender() as sender:
        return _attempt(sender, delivery, number, clock=timezone.now, manual=False)


def redeliver_now(delivery) -> WebhookAttempt | None:
    """A manual attempt, whatever the delivery's state and schedule: counted like any other (the next
    number), marked manual, and leaving the schedule alone unless it succeeds."""
    for _try in range(20):  # another attempt of the same delivery may be counted in between: read again
        seen = WebhookDelivery.objects.filter(pk=delivery.pk).values_list("attempts", flat=True).first()
        if seen is None:
            raise WebhookDelivery.DoesNotExist
        if WebhookDelivery.objects.filter(pk=delivery.pk, attempts=seen).update(attempts=F("attempts") + 1):
            break
    else:
        raise RuntimeError("could not count a manual attempt")
    with Sender() as sender:
        return _attempt(sender, delivery, seen + 1, clock=timezone.now, manual=True)


def _post(sender, delivery, started):
    body = encode(delivery.event)
    return sender.post(delivery.endpoint.url, body, headers_for(delivery, body, now=started))


def _attempt(sender, delivery, number, *, clock, manual) -> WebhookAttempt | None:
    """One attempt made and written at once (a test event, a manual redelivery); None when the delivery
    was deleted meanwhile (its endpoint was)."""
    started = clock()
    result = _post(sender, delivery, started)
    with transaction.atomic():
        recorded = _record([(delivery, number, started, result, clock())], manual=manual)
    return recorded[0] if recorded else None


def _record(outcomes, *, manual) -> list[WebhookAttempt]:
    """Write what attempts did, inside the caller's transaction: the attempt rows in one INSERT, the
    succeeded deliveries in one UPDATE, a retry scheduled for each failed one, and each endpoint's failing
    period started or cleared by its last outcome."""
    # A delivery deleted meanwhile (its endpoint was) has nothing left to record; the others still do.
    alive = set(WebhookDelivery.objects.select_for_update().filter(
        pk__in=[delivery.pk for delivery, *_rest in outcomes]).values_list("pk", flat=True))
    outcomes = [outcome for outcome in outcomes if outcome[0].pk in alive]
    attempts = WebhookAttempt.objects.bulk_create([
        WebhookAttempt(delivery=delivery, number=number, started_at=started, status_code=result.status_code,
                       latency_ms=result.latency_ms, response_excerpt=result.excerpt, error=result.error[:500],
                       succeeded=result.succeeded, manual=manual)
        for delivery, number, started, result, _done in outcomes])
    # Succeeded, only while the attempt is still this one's (a lease run out may have been claimed again):
    # one UPDATE per attempt number (in a batch, nearly always one number).
    by_number = defaultdict(list)
    for delivery, number, _started, result, done in outcomes:
        if result.succeeded:
            by_number[number].append((delivery.pk, done))
    for number, rows in by_number.items():
        WebhookDelivery.objects.filter(pk__in=[pk for pk, _done in rows], attempts__lte=number).exclude(
            state=DeliveryState.SUCCEEDED).update(state=DeliveryState.SUCCEEDED,
                                                  delivered_at=max(done for _pk, done in rows), next_attempt_at=None)
    last = {}
    for delivery, number, _started, result, done in outcomes:
        if not result.succeeded and not manual:
            _schedule_retry(delivery, number, done)
        last[delivery.endpoint_id] = (delivery.endpoint, result.succeeded, done)
    answered = [pk for pk, (_endpoint, ok, _done) in last.items() if ok]
    if answered:
        WebhookEndpoint.objects.filter(pk__in=answered, failing_since__isnull=False).update(failing_since=None)
    for endpoint, ok, done in last.values():
        if not ok:
            _endpoint_failed(endpoint, done)
    return attempts


def _schedule_retry(delivery, number, now) -> None:
    mine = WebhookDelivery.objects.filter(pk=delivery.pk, state=DeliveryState.PENDING, attempts=number)
    deadline = delivery.created_at + RETRY_WINDOW
    if now >= deadline:
        mine.update(state=DeliveryState.FAILED, next_attempt_at=None)
    else:
        mine.update(next_attempt_at=min(now + BACKOFF[min(number, len(BACKOFF)) - 1], deadline))


def _endpoint_failed(endpoint, now) -> None:
    """Start the endpoint's failing period, or disable it when the period has lasted DISABLE_AFTER."""
    if WebhookEndpoint.objects.filter(pk=endpoint.pk, failing_since__isnull=True).update(failing_since=now):
        return
    if WebhookEndpoint.objects.filter(pk=endpoint.pk, is_enabled=True, failing_since__lte=now - DISABLE_AFTER) \
            .update(is_enabled=False, disabled_reason=DISABLED_FAILING):
        endpoint = WebhookEndpoint.objects.select_related("partner").get(pk=endpoint.pk)
        outbox.record("webhook.endpoint_disabled", partner=endpoint.partner, data={
            "webhook_id": str(endpoint.uid), "url": endpoint.url,
            "failing_since": wire_time(endpoint.failing_since),
        })
