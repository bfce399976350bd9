"""Each attempt is sent once, however many workers send: two workers calling deliver_due at the same moment
(on PostgreSQL: real concurrent transactions) share the due deliveries between them, and the outbox drained
twice, or by two workers at once, delivers each event to each endpoint once per attempt."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from events import types, webhooks
from events.choices import Audience
from events.dispatch import dispatch_all
from events.models import Event, WebhookAttempt, WebhookDelivery
from events.types import EventType

from ..conftest import actor_of
from .webhook_helpers import Receiver, register

needs_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL")

THING = EventType("test.busy_thing", "Busy thing", audience=Audience.PARTNER, notify=False)
EVENTS = 40


@pytest.fixture(autouse=True)
def thing_type():
    types.register(THING)
    yield
    types._TYPES.pop(THING.code, None)


def race(workers, job):
    """Run `job()` in `workers` threads released together; their results (or the exception's repr)."""
    barrier, results, lock = threading.Barrier(workers), [], threading.Lock()

    def run():
        try:
            barrier.wait()
            outcome = job()
        except Exception as exc:  # noqa: BLE001 — shown in the assertion
            outcome = repr(exc)
        finally:
            connections.close_all()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=run) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def record_events(partner, *, dispatched):
    now = timezone.now()
    return Event.objects.bulk_create([
        Event(type=THING.code, partner=partner, data={"n": n}, dispatched_at=now if dispatched else None)
        for n in range(EVENTS)])


def ids_sent(receiver) -> list[str]:
    return sorted(headers["X-Webhook-Id"] for headers, _body in receiver.requests)


@needs_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_delivering_at_once_send_each_attempt_once(tenant_a):
    with Receiver(statuses=[500] * EVENTS + [200]) as receiver:
        register(actor_of(tenant_a.admin), receiver.url, types=[THING.code])
        record_events(tenant_a.partner, dispatched=True)
        now = timezone.now()
        webhooks.fan_out(list(Event.objects.select_related("partner")), now=now)
        uids = sorted(str(uid) for uid in Event.objects.values_list("uid", flat=True))

        first = race(2, lambda: webhooks.deliver_due(now=now))            # every first attempt fails (500)
        second = race(2, lambda: webhooks.deliver_due(now=now + timedelta(minutes=1)))  # the retries succeed

    assert sum(first) == EVENTS, first
    assert sum(second) == EVENTS, second
    assert ids_sent(receiver) == sorted(uids * 2)  # each event twice: once per attempt
    assert set(WebhookDelivery.objects.values_list("state", "attempts")) == {("succeeded", 2)}
    assert WebhookAttempt.objects.count() == 2 * EVENTS


@needs_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_outbox_drained_by_two_workers_at_once_delivers_each_event_once(tenant_a):
    with Receiver() as receiver:
        register(actor_of(tenant_a.admin), receiver.url, types=[THING.code])
        register(actor_of(tenant_a.admin), receiver.url + "?second", types=[THING.code])
        record_events(tenant_a.partner, dispatched=False)

        results = race(2, dispatch_all)

    assert sum(r for r in results if isinstance(r, int)) == EVENTS, results
    uids = sorted(str(uid) for uid in Event.objects.values_list("uid", flat=True))
    assert ids_sent(receiver) == sorted(uids * 2)  # each event once to each of the two endpoints
    assert WebhookAttempt.objects.count() == 2 * EVENTS


@pytest.mark.django_db(transaction=True)
def test_the_outbox_drained_twice_delivers_each_event_once(tenant_a):
    with Receiver() as receiver:
        register(actor_of(tenant_a.admin), receiver.url, types=[THING.code])
        record_events(tenant_a.partner, dispatched=False)

        dispatch_all()
        dispatch_all()
        webhooks.deliver_due(now=timezone.now() + timedelta(days=1))

    uids = sorted(str(uid) for uid in Event.objects.values_list("uid", flat=True))
    assert ids_sent(receiver) == uids
