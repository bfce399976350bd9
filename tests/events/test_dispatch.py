"""Draining the outbox (events.dispatch): run twice, or by two workers at once, each event is fanned out
once and each member told once (delivery is at least once; notifications are deduplicated by event id)."""

import threading

import pytest
from django.db import connection, connections, transaction

from events import dispatch, notifications
from events.dispatch import dispatch_all, dispatch_batch
from events.models import Event, Notification, NotificationPreference

from .test_notifications import CHANGE, NEWS, TEST_TYPES, World, registered


@pytest.fixture
def event_types():
    with registered(*TEST_TYPES) as registered_types:
        yield registered_types

MEMBERS = {"w.admin", "w.lead", "w.am", "w.am2", "w.clerk"}  # every active member of World's partner


def _once_each(events, users):
    """Every event told to exactly `users`, once each."""
    rows = list(Notification.objects.filter(event__in=events).values_list("event_id", "user__username"))
    assert len(rows) == len(set(rows)), "someone was told twice"
    for event in events:
        assert {user for event_id, user in rows if event_id == event.pk} == users


@pytest.mark.django_db
def test_dispatching_twice_tells_each_member_once(event_types):
    world = World()
    events = [world.record(NEWS, data={"title": str(i)}) for i in range(3)]
    assert dispatch_all() == 3
    assert dispatch_all() == 0
    _once_each(events, MEMBERS)


@pytest.mark.django_db
def test_an_event_dispatched_again_after_a_lost_commit_tells_nobody_twice(event_types):
    """At least once: a worker that died after fanning out but before its event was marked would leave
    the event to be fanned out again; the unique (user, event) absorbs the repeat."""
    world = World()
    events = [world.record(NEWS, data={"title": "x"}), world.record(CHANGE, customer=world.referral)]
    NotificationPreference.objects.create(user=world.admin.user, type=NEWS.code, email=True)
    dispatch_all()
    Event.objects.update(dispatched_at=None)
    assert dispatch_all() == 2
    _once_each(events[:1], MEMBERS)
    _once_each(events[1:], {"w.admin", "w.lead", "w.am", "w.owner", "w.colleague"})
    from django.core import mail
    assert len(mail.outbox) == 1  # the e-mail too


@pytest.mark.django_db
def test_dispatch_works_in_batches(event_types, monkeypatch):
    world = World()
    events = [world.record(NEWS, data={"title": str(i)}) for i in range(7)]
    monkeypatch.setattr(dispatch, "BATCH", 3)
    assert dispatch_batch(3) == 3
    assert Event.objects.filter(dispatched_at__isnull=True).count() == 4
    assert dispatch_all() == 4
    _once_each(events, MEMBERS)


# -------------------------------------------------------------------------------------------------
# Two workers at once (PostgreSQL: SELECT … FOR UPDATE SKIP LOCKED)
# -------------------------------------------------------------------------------------------------

needs_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL")


class Worker(threading.Thread):
    """Runs `job` on its own database connection and keeps what it returned or raised."""

    def __init__(self, job):
        super().__init__()
        self.job, self.outcome = job, None

    def run(self):
        try:
            self.outcome = self.job()
        except Exception as exc:  # noqa: BLE001 — reported by the test
            self.outcome = exc
        finally:
            connections.close_all()

    def result(self):
        self.join(60)
        assert not self.is_alive()
        if isinstance(self.outcome, Exception):
            raise self.outcome
        return self.outcome


def _record_many(world, n):
    with transaction.atomic():
        return [world.record(NEWS, data={"title": str(i)}) for i in range(n)]


@needs_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_second_worker_skips_the_events_the_first_is_dispatching(monkeypatch):
    """Deterministic: worker A is held inside its transaction (its events locked) while worker B runs a
    whole dispatch; B takes none of A's events, and after A commits nothing is left to take."""
    with registered(NEWS):
        world = World()
        monkeypatch.setattr("events.tasks.dispatch_soon", lambda: None)  # the test runs the workers itself
        events = _record_many(world, 6)
        inside, release = threading.Event(), threading.Event()
        real_fan_out = notifications.fan_out

        def held_fan_out(batch, *, now):
            if threading.current_thread().name == "worker-a":
                inside.set()
                assert release.wait(30)
            return real_fan_out(batch, now=now)

        monkeypatch.setattr(notifications, "fan_out", held_fan_out)
        a = Worker(lambda: dispatch_batch(4))
        a.name = "worker-a"
        a.start()
        assert inside.wait(30)
        b = Worker(lambda: dispatch_all(send=False))  # takes the two events A did not lock, not A's four
        b.start()
        assert b.result() == 2
        release.set()
        assert a.result() == 4
        assert dispatch_all(send=False) == 0
        _once_each(events, MEMBERS)


@needs_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_draining_at_once_fan_each_event_out_once(monkeypatch):
    """Free-running: two workers start together on many small batches; whatever the interleaving, the
    events they took add up to the events recorded, and everyone is told once about each."""
    with registered(NEWS):
        world = World()
        monkeypatch.setattr("events.tasks.dispatch_soon", lambda: None)
        monkeypatch.setattr(dispatch, "BATCH", 5)
        NotificationPreference.objects.create(user=world.admin.user, type=NEWS.code, email=True)
        events = _record_many(world, 60)
        start = threading.Barrier(2)

        def drain():
            start.wait(30)
            return dispatch_all()

        workers = [Worker(drain) for _ in range(2)]
        for worker in workers:
            worker.start()
        assert sum(worker.result() for worker in workers) == 60
        _once_each(events, MEMBERS)
        from django.core import mail
        assert len(mail.outbox) == 60  # the administrator's e-mails: one per event, whoever sent them
