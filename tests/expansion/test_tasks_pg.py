"""销售拓展任务委托 at once, on PostgreSQL: concurrent requests of one cloud reseller leave one active
entrustment (the partial unique constraint decides; the others are told it is already entrusted), and
concurrent cancellations cancel it once."""

import pytest
from django.db import connection

from events.models import Event
from expansion import tasks_entrustment
from expansion.choices import EntrustmentStatus
from expansion.errors_tasks import TaskCodes
from expansion.models import Entrustment
from partnercenter.errors import DomainError

from ..trade.test_concurrency_pg import at_once
from .tasks_fixtures import actor, build_world

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
