"""Final exactly once, under real concurrency on PostgreSQL (row locks): two finalise_due runs at once, operators
finalising the same confirmed statement while the task runs, two answers to one objection, and the partner's
decision racing the task at the deadline — every statement is credited once, the rebate balance is the sum of
its entries (verify_ledger), and each final statement is announced once."""

from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection, transaction

from billing.choices import BalanceType
from billing.models import LedgerEntry
from billing.rebates import rebate_balance
from billing.services import partner_account
from events.models import Event
from incentives import statements
from incentives.choices import StatementStatus
from incentives.errors_statements import StatementCodes
from incentives.event_types_statements import STATEMENT_FINAL
from incentives.models import IncentiveStatement
from partnercenter.errors import DomainError

from ..conftest import actor_of, build_tenant
from ..trade.payment_helpers import verify_ledger
from ..trade.test_concurrency_pg import at_once
from .statements_fixtures import make_statement, operator, s_world

needs_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL")
pytestmark = [needs_postgres, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

D = Decimal


def credits():
    """{statement number: how many INCENTIVE credits name it}."""
    return Counter(LedgerEntry.objects.filter(balance_type=BalanceType.REBATE).values_list("counterparty", flat=True))


def world_with_many(n=30):
    tenant = build_tenant("a")
    w = s_world(tenant)
    partner_account(w.partner)
    w.extra = [make_statement(w.partner, w.ref_policy, cycle=f"{2020 + i // 12}-{i % 12 + 1:02d}", amount="1.25",
                              performance="10.00", generated_at=w.ref_base.generated_at) for i in range(n)]
    return w


def test_two_finalise_due_runs_at_once_credit_each_statement_once(monkeypatch):
    monkeypatch.setattr(statements, "BATCH", 7)
    w = world_with_many()
    later = w.ref_base.dispute_deadline + timedelta(minutes=1)

    moved = at_once([lambda: statements.finalise_due(now=later)] * 3)

    assert all(isinstance(m, int) for m in moved), moved
    total = 3 + len(w.extra)
    assert sum(moved) == total
    assert set(IncentiveStatement.objects.values_list("status", flat=True)) == {StatementStatus.FINAL}
    assert set(credits().values()) == {1} and len(credits()) == total
    assert rebate_balance(w.partner) == D("2.70") + D("44.00") + D("10.50") + D("1.25") * len(w.extra)
    assert Event.objects.filter(type=STATEMENT_FINAL).count() == total
    assert "Ledger verified" in verify_ledger()


def test_operators_finalising_while_the_task_runs_credit_once():
    w = world_with_many(12)
    admin = actor_of(w.tenant.admin)
    confirmed = [w.ref_base, w.resale_base, *w.extra]
    for statement in confirmed:
        statements.confirm(admin, statement=statement.pk)
    ops = actor_of(operator())
    later = w.ref_base.dispute_deadline + timedelta(minutes=1)

    with time_machine.travel(later, tick=False):
        outcomes = at_once([lambda: statements.finalise_due(now=later)] * 2
                           + [lambda s=s: statements.finalise(ops, statement=s.pk) for s in confirmed for _ in (1, 2)])

    finals = [o for o in outcomes[2:] if isinstance(o, IncentiveStatement)]
    refusals = [o for o in outcomes[2:] if isinstance(o, DomainError)]
    assert len(finals) + len(refusals) == 2 * len(confirmed), outcomes
    assert {r.code for r in refusals} <= {StatementCodes.ALREADY_FINAL}
    assert sum(outcomes[:2]) + len(finals) == len(confirmed) + 1  # + the pending tier, due as well
    assert set(credits().values()) == {1} and len(credits()) == len(confirmed) + 1
    assert set(IncentiveStatement.objects.values_list("status", flat=True)) == {StatementStatus.FINAL}
    assert "Ledger verified" in verify_ledger()


def test_two_answers_to_one_objection_credit_once():
    w = world_with_many(0)
    statements.dispute(actor_of(w.tenant.admin), statement=w.resale_base.pk, reason="EVS 比例不对")
    ops = actor_of(operator())

    outcomes = at_once([lambda amount=amount: statements.answer(ops, statement=w.resale_base.pk, answer="已更正",
                                                                amount=amount)
                        for amount in ("45.00", "46.00", "47.00", "")])

    answered = [o for o in outcomes if isinstance(o, IncentiveStatement)]
    assert len(answered) == 1, outcomes
    assert {o.code for o in outcomes if isinstance(o, DomainError)} == {StatementCodes.ALREADY_FINAL}
    saved = IncentiveStatement.objects.get(pk=w.resale_base.pk)
    assert saved.amount == answered[0].amount and rebate_balance(w.partner) == saved.amount
    assert credits() == Counter({saved.statement_no: 1})


def test_the_partners_decision_racing_the_task_ends_in_exactly_one_of_them():
    w = world_with_many(20)
    admin = actor_of(w.tenant.admin)
    deadline = w.ref_base.dispute_deadline
    rows = [w.ref_base, w.resale_base, w.resale_tier, *w.extra]

    # the partner's clock says "at the deadline" (in time); the task's run says one second later (due)
    with time_machine.travel(deadline, tick=False):
        outcomes = at_once([lambda: statements.finalise_due(now=deadline + timedelta(seconds=1))]
                           + [lambda s=s: statements.dispute(admin, statement=s.pk, reason="?") for s in rows])

    statuses = dict(IncentiveStatement.objects.values_list("pk", "status"))
    for row, outcome in zip(rows, outcomes[1:]):
        if isinstance(outcome, IncentiveStatement):
            assert statuses[row.pk] == StatementStatus.DISPUTED
        else:
            assert isinstance(outcome, DomainError) and outcome.code in (
                StatementCodes.DEADLINE_PASSED, StatementCodes.ALREADY_FINAL), outcome
            assert statuses[row.pk] == StatementStatus.FINAL
    finals = [pk for pk, status in statuses.items() if status == StatementStatus.FINAL]
    assert outcomes[0] == len(finals) and len(credits()) == len(finals)
    assert "Ledger verified" in verify_ledger()


def test_finalise_due_reads_the_due_rows_through_the_status_index():
    with transaction.atomic(), connection.cursor() as cursor:
        from django.utils import timezone

        sql, params = statements.due_for_finalising(timezone.now()).order_by("dispute_deadline", "pk") \
            .select_for_update(of=("self",)).only("pk")[:500].query.sql_with_params()
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "statement_status_due" in plan, plan
