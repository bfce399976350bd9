"""The HO SLA under real concurrency, on PostgreSQL (row locks): a partner's accept racing the recall task ends
in exactly one of them for every opportunity; two recall or reminder runs at once move and announce each
row once; two accepts of one HO succeed once; the recall reads only the due rows through the partial index."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection, transaction

from events.models import Event
from expansion import opportunities, opportunities_sla
from expansion.choices import OpportunityStatus
from expansion.errors_opportunities import OpportunityCodes
from expansion.event_types_opportunities import OPPORTUNITY_DUE_SOON, OPPORTUNITY_RECALLED
from expansion.models import Opportunity
from partnercenter.errors import DomainError

from ..conftest import actor_of, build_tenant
from ..trade.test_concurrency_pg import at_once
from .opportunities_fixtures import make_operator, shanghai, share

needs_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL")
pytestmark = [needs_postgres, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

MONDAY = shanghai(2026, 3, 9, 10, 0)


def test_accept_racing_the_recall_ends_in_exactly_one_of_them():
    tenant, operator = build_tenant("a"), make_operator()
    rows = [share(operator, tenant.partner, at=MONDAY) for _ in range(12)]
    deadline = rows[0].deadline
    actor = actor_of(tenant.admin)

    # the partner's clock says "at the deadline" (in time); the task's run says one second later (overdue)
    with time_machine.travel(deadline, tick=False):
        outcomes = at_once([lambda: opportunities_sla.recall_overdue(now=deadline + timedelta(seconds=1))]
                           + [lambda row=row: opportunities.accept(actor, opportunity=row.pk) for row in rows])

    recalled_count, accepts = outcomes[0], outcomes[1:]
    statuses = dict(Opportunity.objects.values_list("pk", "status"))
    for row, outcome in zip(rows, accepts):
        if isinstance(outcome, Opportunity):
            assert statuses[row.pk] == OpportunityStatus.ACCEPTED
        else:
            assert isinstance(outcome, DomainError) and outcome.code == OpportunityCodes.DEADLINE_PASSED, outcome
            assert statuses[row.pk] == OpportunityStatus.RECALLED
    recalled = [pk for pk, status in statuses.items() if status == OpportunityStatus.RECALLED]
    assert recalled_count == len(recalled)
    assert sorted(Event.objects.filter(type=OPPORTUNITY_RECALLED).values_list("data__opportunity_id", flat=True)) \
        == sorted(recalled)


def test_two_runs_at_once_move_and_announce_each_row_once(monkeypatch):
    monkeypatch.setattr(opportunities_sla, "BATCH", 3)
    tenant, operator = build_tenant("a"), make_operator()
    rows = [share(operator, tenant.partner, at=MONDAY) for _ in range(10)]
    deadline = rows[0].deadline

    reminded = at_once([lambda: opportunities_sla.remind_due(now=deadline - timedelta(hours=20))] * 3)
    recalled = at_once([lambda: opportunities_sla.recall_overdue(now=deadline + timedelta(minutes=1))] * 3)

    assert sum(reminded) == 10 and sum(recalled) == 10, (reminded, recalled)
    assert Event.objects.filter(type=OPPORTUNITY_DUE_SOON).count() == 10
    assert Event.objects.filter(type=OPPORTUNITY_RECALLED).count() == 10
    assert set(Opportunity.objects.values_list("status", flat=True)) == {OpportunityStatus.RECALLED}


def test_two_accepts_of_one_ho_succeed_once():
    tenant, operator = build_tenant("a"), make_operator()
    ho = share(operator, tenant.partner)
    outcomes = at_once([lambda: opportunities.accept(actor_of(tenant.admin), opportunity=ho.pk)] * 4)
    assert sum(isinstance(o, Opportunity) for o in outcomes) == 1, outcomes
    assert {o.code for o in outcomes if isinstance(o, DomainError)} == {OpportunityCodes.NOT_PENDING}


def test_the_recall_reads_the_due_rows_through_the_partial_index():
    now = shanghai(2026, 3, 12, 10, 1)
    with transaction.atomic(), connection.cursor() as cursor:
        sql, params = opportunities_sla.due_for_recall(now).order_by("deadline").select_for_update() \
            .only("pk")[:500].query.sql_with_params()
        cursor.execute("SET LOCAL enable_seqscan = off")  # an empty table: ask for the plan a large one gets
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "opportunity_ho_due" in plan, plan
