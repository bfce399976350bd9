"""On PostgreSQL a step of the expiry run (subscriptions.lifecycle) INSERTs its events in its UPDATE statement
through outbox.insert_from_select; on SQLite it records them with outbox.record_many. Both must write the same
events, column by column (not uid or created_at): the same step is run each way, each rolled back."""

import pytest
import time_machine
from django.db import connection, transaction

from customers.models import Association, Resource
from events.models import Event
from subscriptions import lifecycle
from subscriptions.choices import ExpirePolicy

from ..trade.payment_helpers import World
from .test_lifecycle import HOUR, buy
from .test_notices_without_partner import _without_partner

needs_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="the statement is PostgreSQL's")
pytestmark = [needs_postgres, pytest.mark.postgres, pytest.mark.django_db]

COLUMNS = ("type", "partner_id", "customer_pk", "account_manager_id", "actor", "actor_user_id", "data", "key")


class _Undo(Exception):
    pass


def _written(run):
    """The events `run` writes (oldest first), its changes rolled back afterwards."""
    written = []
    try:
        with transaction.atomic():
            before = Event.objects.order_by("-id").values_list("id", flat=True).first() or 0
            run()
            written = list(Event.objects.filter(id__gt=before).order_by("id").values_list(*COLUMNS))
            raise _Undo
    except _Undo:
        pass
    return written


def _step(name):
    return next(step for step in lifecycle.STEPS if step.name == name)


@pytest.mark.parametrize("name", ["expired", "released_at_expiry"])
def test_a_steps_events_in_its_statement_equal_record_manys_column_by_column(name):
    associated, alone = World("a"), World("b")
    mains = [buy(associated)[0], buy(associated, disk=False)[0], buy(alone)[0]]
    _without_partner(alone)
    Association.objects.filter(customer=associated.resale, ended_on__isnull=True).update(
        account_manager=associated.tenant.admin)  # the partner's events scoped to its account manager
    if name == "released_at_expiry":
        Resource.objects.filter(customer__in=[associated.resale, alone.resale]).update(
            expire_policy=ExpirePolicy.RELEASE)
    step, actor = _step(name), associated.admin  # a member: actor_user is filled
    now = max(m.expire_time for m in mains) + HOUR

    with time_machine.travel(now, tick=False):
        in_statement = _written(lambda: lifecycle._run_told_step(step, now, actor))
        through_record_many = _written(lambda: lifecycle._record(step, lifecycle._run_step(step, now), actor))

    assert len(in_statement) == len(mains)
    assert {row[COLUMNS.index("partner_id")] for row in in_statement} == {associated.partner.pk, None}
    assert {row[COLUMNS.index("account_manager_id")] for row in in_statement} == {associated.tenant.admin.pk, None}
    assert all(row[COLUMNS.index("actor_user_id")] == actor.user.pk for row in in_statement)
    assert in_statement == through_record_many
