"""激励对账's services (incentives.statements): the partner confirms or disputes a pending statement before its
objection deadline; operators answer objections (optionally correcting the amount) and make confirmed statements
final; finalise_due makes the due ones final. Every final statement credits the rebate account exactly once, on
the ledger, and is announced once."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from billing.choices import BalanceType, TradeType
from billing.models import LedgerEntry
from billing.rebates import rebate_balance
from events.models import Event
from incentives import statements
from incentives.choices import StatementStatus
from incentives.errors_statements import StatementCodes
from incentives.event_types_statements import STATEMENT_ANSWERED, STATEMENT_FINAL
from incentives.models import IncentiveStatement
from partnercenter.actors import SCHEDULER
from partnercenter.errors import Codes, DomainError
from partnercenter.models import OperationLog
from partnercenter.workdays import sla_deadline

from ..conftest import actor_of, build_tenant
from ..trade.payment_helpers import verify_ledger
from .statements_fixtures import make_statement, member_with, operator, s_world, shanghai_at

pytestmark = pytest.mark.django_db

D = Decimal
PENDING, CONFIRMED, DISPUTED, FINAL = (StatementStatus.PENDING, StatementStatus.CONFIRMED, StatementStatus.DISPUTED,
                                       StatementStatus.FINAL)


@pytest.fixture
def world(tenant_a):
    return s_world(tenant_a, other=build_tenant("b"))


@pytest.fixture
def ops():
    return actor_of(operator())


def rebate_entries(partner):
    return list(LedgerEntry.objects.filter(partner=partner, balance_type=BalanceType.REBATE).order_by("id"))


def status_of(statement):
    return IncentiveStatement.objects.get(pk=statement.pk).status


def refused(code, call):
    with pytest.raises(DomainError) as caught:
        call()
    assert caught.value.code == code, caught.value
    return caught.value


# ---------------------------------------------------------------------------------------------
# The objection period
# ---------------------------------------------------------------------------------------------

def test_the_objection_deadline_counts_working_days_across_a_holiday(settings):
    settings.INCENTIVE_OBJECTION_WORKING_DAYS = 10
    generated = shanghai_at(2026, 9, 28, 10, 0)  # the Monday before the National Day holiday
    deadline = statements.objection_deadline(generated)
    assert deadline == sla_deadline(generated, 10)
    # ten weekdays would end on Monday 12 October; the holiday week does not count
    assert deadline.date().isoformat() > "2026-10-12" and (deadline.hour, deadline.minute) == (10, 0)


# ---------------------------------------------------------------------------------------------
# The partner: confirm, dispute
# ---------------------------------------------------------------------------------------------

def test_the_partner_confirms_a_pending_statement_once(world):
    actor = actor_of(world.tenant.admin)
    row = statements.confirm(actor, statement=world.ref_base.pk)
    assert row.status == CONFIRMED and status_of(world.ref_base) == CONFIRMED
    saved = IncentiveStatement.objects.get(pk=world.ref_base.pk)
    assert saved.confirmed_by == world.tenant.admin.user and saved.confirmed_at is not None
    assert rebate_entries(world.partner) == []  # nothing credited before it is final
    refused(StatementCodes.NOT_PENDING, lambda: statements.confirm(actor, statement=world.ref_base.pk))
    refused(StatementCodes.NOT_PENDING, lambda: statements.dispute(actor, statement=world.ref_base.pk, reason="x"))
    logs = OperationLog.objects.filter(action="incentives.statement_confirm").order_by("id")
    assert [log.result for log in logs] == ["success", "failure"]
    assert logs[0].partner == world.partner and logs[0].detail["statement_no"] == world.ref_base.statement_no


def test_the_partner_disputes_with_a_reason(world):
    actor = actor_of(world.tenant.admin)
    refused(StatementCodes.REASON_REQUIRED, lambda: statements.dispute(actor, statement=world.resale_base, reason="  "))
    refused(Codes.PARAMETER, lambda: statements.dispute(actor, statement=world.resale_base, reason="长" * 501))
    assert status_of(world.resale_base) == PENDING
    row = statements.dispute(actor, statement=world.resale_base, reason=" EVS 的返点比例应为 10% ")
    assert row.status == DISPUTED
    saved = IncentiveStatement.objects.get(pk=world.resale_base.pk)
    assert saved.dispute_reason == "EVS 的返点比例应为 10%" and saved.disputed_by == world.tenant.admin.user
    refused(StatementCodes.NOT_PENDING, lambda: statements.confirm(actor, statement=world.resale_base))


def test_deciding_at_the_deadline_is_in_time_a_moment_later_is_not(world):
    actor = actor_of(world.tenant.admin)
    deadline = world.ref_base.dispute_deadline
    with time_machine.travel(deadline, tick=False):
        statements.confirm(actor, statement=world.ref_base.pk)
    with time_machine.travel(deadline + timedelta(microseconds=1), tick=False):
        refused(StatementCodes.DEADLINE_PASSED, lambda: statements.dispute(actor, statement=world.resale_base.pk,
                                                                           reason="too late"))
        refused(StatementCodes.DEADLINE_PASSED, lambda: statements.confirm(actor, statement=world.resale_tier.pk))
    assert status_of(world.resale_base) == PENDING and status_of(world.resale_tier) == PENDING


def test_only_members_holding_reconcile_decide_and_only_on_their_own_statements(world):
    viewer = member_with(world.tenant, ["incentives.view"], "a.viewer")
    refused(Codes.FORBIDDEN, lambda: statements.confirm(actor_of(viewer), statement=world.ref_base.pk))
    refused(Codes.FORBIDDEN, lambda: statements.dispute(actor_of(viewer), statement=world.ref_base.pk, reason="x"))
    admin_b = actor_of(world.other.admin)
    for pk in (world.ref_base.pk, "abc", 0, 2 ** 70, None):
        refused(Codes.NOT_FOUND, lambda pk=pk: statements.confirm(admin_b, statement=pk))
    refused(Codes.FORBIDDEN, lambda: statements.confirm(actor_of(operator()), statement=world.ref_base.pk))
    assert status_of(world.ref_base) == PENDING


# ---------------------------------------------------------------------------------------------
# Operators: answer an objection, make a confirmed statement final
# ---------------------------------------------------------------------------------------------

def test_an_answer_with_a_corrected_amount_makes_the_statement_final_at_that_amount(world, ops):
    statements.dispute(actor_of(world.tenant.admin), statement=world.resale_base.pk, reason="EVS 应为 10%")
    refused(StatementCodes.ANSWER_REQUIRED, lambda: statements.answer(ops, statement=world.resale_base.pk, answer=" "))
    refused(Codes.PARAMETER, lambda: statements.answer(ops, statement=world.resale_base.pk, answer="ok",
                                                       amount="1.005"))
    refused(Codes.PARAMETER, lambda: statements.answer(ops, statement=world.resale_base.pk, answer="ok", amount="-1"))
    refused(Codes.FORBIDDEN, lambda: statements.answer(actor_of(world.tenant.admin), statement=world.resale_base.pk,
                                                       answer="ok"))
    assert status_of(world.resale_base) == DISPUTED

    row = statements.answer(ops, statement=world.resale_base.pk, answer="已按 10% 更正 EVS 返点。", amount="45.00")

    saved = IncentiveStatement.objects.get(pk=world.resale_base.pk)
    assert (saved.status, saved.amount, saved.answer) == (FINAL, D("45.00"), "已按 10% 更正 EVS 返点。")
    assert saved.trans_id == row.trans_id != "" and saved.finalised_at and saved.answered_at
    [entry] = rebate_entries(world.partner)
    assert (entry.trade_type, entry.amount, entry.trans_id, entry.counterparty) == (
        TradeType.INCENTIVE, D("45.00"), saved.trans_id, saved.statement_no)
    assert rebate_balance(world.partner) == D("45.00")
    [event] = Event.objects.filter(type=STATEMENT_ANSWERED)
    assert event.partner == world.partner and event.data["amount"] == "45.00" and event.data["amount_before"] == "44.00"
    assert not Event.objects.filter(type=STATEMENT_FINAL).exists()  # announced final once, by the answer
    log = OperationLog.objects.get(action="incentives.statement_answer", result="success")
    assert log.partner == world.partner and log.detail["amount_before"] == "44.00" and log.detail["amount"] == "45.00"
    refused(StatementCodes.ALREADY_FINAL, lambda: statements.answer(ops, statement=world.resale_base.pk, answer="again"))
    assert len(rebate_entries(world.partner)) == 1
    assert "Ledger verified" in verify_ledger()


def test_an_answer_without_an_amount_keeps_it_and_a_zero_amount_credits_nothing(world, ops):
    admin = actor_of(world.tenant.admin)
    statements.dispute(admin, statement=world.ref_base.pk, reason="?")
    statements.dispute(admin, statement=world.resale_tier.pk, reason="?")
    statements.answer(ops, statement=world.ref_base.pk, answer="金额无误。", amount="")
    statements.answer(ops, statement=world.resale_tier.pk, answer="未达阶梯。", amount="0")
    ref, tier = (IncentiveStatement.objects.get(pk=s.pk) for s in (world.ref_base, world.resale_tier))
    assert (ref.status, ref.amount) == (FINAL, D("2.70"))
    assert (tier.status, tier.amount, tier.trans_id != "") == (FINAL, D("0.00"), True)
    assert [(e.amount, e.trans_id) for e in rebate_entries(world.partner)] == [(D("2.70"), ref.trans_id)]
    assert "Ledger verified" in verify_ledger()


def test_only_a_disputed_statement_is_answered(world, ops):
    refused(StatementCodes.NOT_DISPUTED, lambda: statements.answer(ops, statement=world.ref_base.pk, answer="x"))
    refused(Codes.NOT_FOUND, lambda: statements.answer(ops, statement=999_999, answer="x"))


def test_operators_make_a_confirmed_statement_final_once(world, ops):
    refused(StatementCodes.NOT_CONFIRMED, lambda: statements.finalise(ops, statement=world.ref_base.pk))
    statements.confirm(actor_of(world.tenant.admin), statement=world.ref_base.pk)
    refused(Codes.FORBIDDEN, lambda: statements.finalise(actor_of(world.tenant.admin), statement=world.ref_base.pk))
    statements.finalise(ops, statement=world.ref_base.pk)
    refused(StatementCodes.ALREADY_FINAL, lambda: statements.finalise(ops, statement=world.ref_base.pk))
    saved = IncentiveStatement.objects.get(pk=world.ref_base.pk)
    assert saved.status == FINAL
    assert [(e.amount, e.trans_id) for e in rebate_entries(world.partner)] == [(D("2.70"), saved.trans_id)]
    [event] = Event.objects.filter(type=STATEMENT_FINAL)
    assert event.key == f"{STATEMENT_FINAL}:{saved.pk}" and event.data["statement_id"] == saved.pk
    assert OperationLog.objects.get(action="incentives.statement_finalise", result="success").partner == world.partner


# ---------------------------------------------------------------------------------------------
# finalise_due
# ---------------------------------------------------------------------------------------------

def test_due_statements_become_final_and_a_second_run_changes_nothing(world, ops):
    admin = actor_of(world.tenant.admin)
    statements.confirm(admin, statement=world.ref_base.pk)        # confirmed: final when the period ends
    statements.dispute(admin, statement=world.resale_base.pk, reason="?")  # disputed: waits for the answer
    zero = make_statement(world.partner, world.ref_policy, kind="first_order", amount="0.00", performance="-5.00")
    later = make_statement(world.partner, world.resale_policy, kind="first_order", amount="3.00", performance="30.00",
                           generated_at=timezone.now() + timedelta(days=30))
    deadline = world.ref_base.dispute_deadline

    assert statements.finalise_due(now=deadline) == 0  # at the deadline the period still runs
    assert statements.finalise_due(now=deadline + timedelta(seconds=1)) == 4  # ref, B's, tier, zero

    status = dict(IncentiveStatement.objects.values_list("pk", "status"))
    assert status[world.ref_base.pk] == status[world.resale_tier.pk] == status[zero.pk] == FINAL
    assert status[world.other_statement.pk] == FINAL
    assert status[world.resale_base.pk] == DISPUTED and status[later.pk] == PENDING
    assert sorted(e.amount for e in rebate_entries(world.partner)) == [D("2.70"), D("10.50")]
    assert [e.amount for e in rebate_entries(world.other.partner)] == [D("9.00")]
    assert IncentiveStatement.objects.get(pk=zero.pk).trans_id != ""

    assert statements.finalise_due(now=deadline + timedelta(hours=1)) == 0
    assert len(rebate_entries(world.partner)) == 2
    assert Event.objects.filter(type=STATEMENT_FINAL).count() == 4
    logs = OperationLog.objects.filter(action="incentives.statements_finalise_due")
    assert sorted(log.detail["count"] for log in logs) == [1, 3]
    assert {log.partner for log in logs} == {world.partner, world.other.partner}
    assert "Ledger verified" in verify_ledger()


def test_finalise_due_works_through_more_than_a_batch(world, monkeypatch):
    monkeypatch.setattr(statements, "BATCH", 2)
    for n in range(4):
        make_statement(world.partner, world.ref_policy, cycle=f"2025-0{n + 1}", amount="1.00", performance="10.00")
    moved = statements.finalise_due(SCHEDULER, now=timezone.now() + timedelta(days=60))
    assert moved == 8
    assert not statements.due_for_finalising(timezone.now() + timedelta(days=60)).exists()
    assert rebate_balance(world.partner) == D("2.70") + D("44.00") + D("10.50") + D("4.00")


def test_the_task_runs_finalise_due(world):
    from incentives.tasks_statements import finalise_due

    with time_machine.travel(world.ref_base.dispute_deadline + timedelta(minutes=1), tick=False):
        assert finalise_due() == 4
        assert finalise_due() == 0
