"""销售拓展任务委托 at once, on PostgreSQL: concurrent requests of one cloud reseller leave one active
entrustment (the partial unique constraint decides; the others are told it is already entrusted), and
concurrent cancellations cancel it once. A task's row is locked through the actor's scope: a member who
may not see the task neither locks it nor waits for it."""

import threading
from contextlib import contextmanager

import pytest
from django.db import OperationalError, connection, connections, transaction

from events.models import Event
from expansion import tasks_entrustment, tasks_sales
from expansion.choices import EntrustmentStatus
from expansion.errors_tasks import TaskCodes
from expansion.models import Entrustment, SalesTask, TaskProgress
from partnercenter.errors import Codes, DomainError

from ..trade.test_concurrency_pg import at_once
from .tasks_fixtures import actor, assign, build_world

needs_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL")
pytestmark = [needs_postgres, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_entrustments_leave_one_and_concurrent_cancels_cancel_once():
    world = build_world()
    a = actor(world.reseller_admin)

    outcomes = at_once([lambda: tasks_entrustment.entrust(a, consent=True) for _ in range(4)])
    made = [o for o in outcomes if isinstance(o, Entrustment)]
    refused = [o for o in outcomes if isinstance(o, DomainError)]
    assert len(made) == 1 and len(refused) == 3, outcomes
    assert {o.code for o in refused} == {TaskCodes.ALREADY_ENTRUSTED}
    assert Entrustment.objects.filter(status=EntrustmentStatus.ACTIVE).count() == 1
    assert Event.objects.filter(type="expansion.entrustment_started").count() == 2

    outcomes = at_once([lambda: tasks_entrustment.cancel_entrustment(a) for _ in range(3)])
    assert len([o for o in outcomes if isinstance(o, Entrustment)]) == 1, outcomes
    assert {o.code for o in outcomes if isinstance(o, DomainError)} == {TaskCodes.NOT_ENTRUSTED}
    assert Event.objects.filter(type="expansion.entrustment_cancelled").count() == 2


@contextmanager
def task_locked_elsewhere(pk):
    """Another transaction holds the task's row (as a progress record or a closing does) until the block ends."""
    locked, release = threading.Event(), threading.Event()

    def hold():
        try:
            with transaction.atomic():
                SalesTask.objects.select_for_update().get(pk=pk)
                locked.set()
                release.wait(30)
        finally:
            connections.close_all()

    thread = threading.Thread(target=hold)
    thread.start()
    try:
        assert locked.wait(30)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '300ms'")
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")
        release.set()
        thread.join(30)


def test_a_task_is_locked_through_the_actors_scope():
    world = build_world()
    task = assign(world, world.sp.partner, world.theirs)   # a customer of sp assigned to nobody

    with task_locked_elsewhere(task.pk):
        # not its task (another tenant; an account manager of another's customer): not found at once, without
        # taking or waiting for the row's lock
        for member in (world.other.admin, world.dist.admin, world.am):
            for call in (lambda m=member: tasks_sales.record_progress(actor(m), task=task, note="x"),
                         lambda m=member: tasks_sales.close_task(actor(m), task=task, result="x")):
                with pytest.raises(DomainError) as caught:
                    call()
                assert caught.value.code == Codes.NOT_FOUND
        # its own partner's administrator waits for the row
        with pytest.raises(OperationalError) as waited:
            tasks_sales.record_progress(actor(world.sp.admin), task=task, note="y")
        assert "lock timeout" in str(waited.value)

    tasks_sales.record_progress(actor(world.sp.admin), task=task, note="y")   # the row is free: it goes through
    assert list(TaskProgress.objects.values_list("note", flat=True)) == ["y"]
