"""The FH staff incentive under real concurrency, on PostgreSQL: generation runs at once give each partner one list;
a partner's submission racing the lapse ends in exactly one of them; lapse runs at once move and announce each
list once; applications for one quarter at once give one; the lapse reads the due lists through fh_month_due."""

from datetime import date, timedelta

import pytest
import time_machine
from django.db import connection, transaction

from events.models import Event
from incentives import fh_generation, fh_months, fh_payments
from incentives.choices import FhMonthStatus
from incentives.errors_fh import FhCodes
from incentives.event_types_fh import FH_LIST_GENERATED, FH_LIST_LAPSED
from incentives.models_fh import FhLine, FhMaterial, FhMonth, FhPayment
from partnercenter.errors import DomainError

from ..conftest import actor_of, build_tenant
from ..trade.test_concurrency_pg import at_once
from .fh_fixtures import fh_partner, month_row, shanghai

needs_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL")
pytestmark = [needs_postgres, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

DEADLINE = shanghai(2026, 10, 27, 0, 0)


def test_generation_runs_at_once_give_each_partner_one_list(monkeypatch):
    monkeypatch.setattr(fh_generation, "BATCH", 2)
    for tag in "abc":
        fh_partner(build_tenant(tag))
    with time_machine.travel(shanghai(2026, 10, 1, 0, 15), tick=False):
        outcomes = at_once([fh_generation.generate_lists] * 4)
    assert all(isinstance(o, int) for o in outcomes), outcomes
    assert sum(outcomes) == 3 and FhMonth.objects.count() == 3 and FhLine.objects.count() == 6
    assert Event.objects.filter(type=FH_LIST_GENERATED).count() == 3


def _open_lists(world, count):
    rows = []
    for month in range(1, count + 1):
        row = month_row(world.partner, date(2026, month, 1), FhMonthStatus.GENERATED, deadline=DEADLINE,
                        lines=world.specialists)
        FhMaterial.objects.create(fh_month=row, file=f"fh/{world.partner.pk}/x{month}", original_name="a.pdf",
                                  content_type="application/pdf", size=1, sha256="0" * 64)
        rows.append(row)
    return rows


def test_a_submission_racing_the_lapse_ends_in_exactly_one_of_them():
    world = fh_partner(build_tenant("a"))
    rows = _open_lists(world, 8)
    actor = actor_of(world.tenant.admin)
    with time_machine.travel(DEADLINE, tick=False):         # the partner: at the deadline (in time)
        outcomes = at_once([lambda: fh_generation.lapse_overdue(now=DEADLINE + timedelta(seconds=1))]
                           + [lambda row=row: fh_months.submit(actor, fh_month=row.pk) for row in rows])
    lapsed_count, submits = outcomes[0], outcomes[1:]
    statuses = dict(FhMonth.objects.values_list("pk", "status"))
    for row, outcome in zip(rows, submits):
        if isinstance(outcome, FhMonth):
            assert statuses[row.pk] == FhMonthStatus.SUBMITTED
        else:
            assert isinstance(outcome, DomainError) and outcome.code == FhCodes.DEADLINE_PASSED, outcome
            assert statuses[row.pk] == FhMonthStatus.LAPSED
    lapsed = sorted(pk for pk, status in statuses.items() if status == FhMonthStatus.LAPSED)
    assert lapsed_count == len(lapsed)
    assert sorted(Event.objects.filter(type=FH_LIST_LAPSED).values_list("data__fh_month_id", flat=True)) == lapsed


def test_lapse_runs_at_once_move_and_announce_each_list_once(monkeypatch):
    monkeypatch.setattr(fh_generation, "BATCH", 3)
    world = fh_partner(build_tenant("a"))
    _open_lists(world, 10)
    outcomes = at_once([lambda: fh_generation.lapse_overdue(now=DEADLINE + timedelta(minutes=1))] * 3)
    reminded = at_once([lambda: fh_generation.remind_due(now=DEADLINE - timedelta(hours=1))] * 3)
    assert sum(outcomes) == 10, outcomes
    assert Event.objects.filter(type=FH_LIST_LAPSED).count() == 10
    assert set(FhMonth.objects.values_list("status", flat=True)) == {FhMonthStatus.LAPSED}
    assert reminded == [0, 0, 0]                             # lapsed lists are not reminded


def test_applications_for_one_quarter_at_once_give_one():
    world = fh_partner(build_tenant("a"))
    for month in (7, 8, 9):
        month_row(world.partner, date(2026, month, 1), FhMonthStatus.FINAL, lines=world.specialists)
    actor = actor_of(world.tenant.admin)
    with time_machine.travel(shanghai(2026, 10, 20, 10, 0), tick=False):
        outcomes = at_once([lambda: fh_payments.apply(actor, year=2026, quarter=3)] * 5)
    assert sum(isinstance(o, FhPayment) for o in outcomes) == 1, outcomes
    assert {o.code for o in outcomes if isinstance(o, DomainError)} == {FhCodes.PAYMENT_ALREADY_APPLIED}
    assert FhPayment.objects.count() == 1


def test_the_lapse_reads_the_due_lists_through_the_partial_index():
    with transaction.atomic(), connection.cursor() as cursor:
        sql, params = fh_generation.due_for_lapse(DEADLINE).order_by("deadline").select_for_update() \
            .only("pk")[:200].query.sql_with_params()
        cursor.execute("SET LOCAL enable_seqscan = off")     # an empty table: ask for the plan a large one gets
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "fh_month_due" in plan, plan
