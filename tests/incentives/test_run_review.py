"""Regression tests from the review of the money side: a STALE month's drafts are not made final by silence, a type switch is not a new customer, a month the beat missed is still run."""
from datetime import timedelta
from decimal import Decimal

from bills.choices import BillType
from catalog.choices import ChargeMode
from customers.models import Association
from incentives import policies, run, statements
from incentives.choices import IncentiveKind, RunStatus
from incentives.models import IncentiveRun, IncentiveStatement
from partnercenter.actors import SCHEDULER

from tests.incentives.conftest import INC_CYCLE, fee, shanghai

D = Decimal


def test_finalise_due_does_not_make_a_stale_months_drafts_final(inc_world, inc_policies, operator_actor):
    """An operator corrected the resale policy (the month is STALE: its drafts are to be replaced). Until the
    re-run (every 3 h) the hourly finalise_due must not make those drafts FINAL at the wrong amount — a FINAL
    statement is never replaced, so the wrong amount would be credited for good."""
    run.run_month(SCHEDULER, bill_cycle=INC_CYCLE)
    draft = IncentiveStatement.objects.get(association_type="2", kind=IncentiveKind.BASE)
    wrong = draft.amount
    inc_policies.resale.period_rate = D("0.1000")
    inc_policies.resale.save()
    policies.policy_changed(operator_actor, inc_policies.resale)
    assert IncentiveRun.objects.get(bill_cycle=INC_CYCLE).status == RunStatus.STALE

    statements.finalise_due(now=draft.dispute_deadline + timedelta(minutes=1))
    run.run_month(SCHEDULER, bill_cycle=INC_CYCLE)

    fixed = IncentiveStatement.objects.get(association_type="2", kind=IncentiveKind.BASE)
    # 1000 yearly × 10 % + EVS 50 × 8 % = 104.00; the draft said 40.00 + 4.00
    assert fixed.amount == D("104.00"), f"credited {fixed.amount} (the stale draft's {wrong}), status {fixed.status}"


def test_a_type_switch_is_not_a_new_customers_first_order(inc_world, inc_policies):
    """A customer of partner A since 2025 (referral) switches to resale on 10 March (customers.associations
    makes a NEW Association row, associated_on = the switch). Its NEW yearly purchase after the switch is not a
    new customer's first order."""
    inc_policies.resale.first_order_rate = D("0.0200")
    inc_policies.resale.save()
    old = inc_world.referral
    Association.objects.filter(pk=old.pk).update(ended_on=shanghai("2026-03-10 09:00"))
    switched = Association.objects.create(partner=inc_world.partner, customer=old.customer, association_type="2",
                                          associated_on=shanghai("2026-03-10 09:00"))
    fee(old.customer, switched, cycle=INC_CYCLE, amount="1000.00", mode=ChargeMode.PERIOD, bill_type=BillType.NEW)
    run.run_month(SCHEDULER, bill_cycle=INC_CYCLE)
    first = IncentiveStatement.objects.filter(kind=IncentiveKind.FIRST_ORDER)
    # the resale customer of the fixture began in 2025: the only NEW record of a month-new association is the
    # switched customer's
    assert not first.exists(), list(first.values_list("performance", "amount"))


def test_a_closed_month_the_beat_missed_is_still_run(inc_world, inc_policies, settings):
    """March closed, but its run never happened in April (worker down, or bills closed March late); in May the
    beat only ever looks at April: March's incentives are never computed."""
    from tests.incentives.conftest import close_month

    close_month("2026-04")
    now = shanghai("2026-05-05 10:00")
    assert INC_CYCLE in run.due_cycles(now), run.due_cycles(now)


def test_a_policy_edit_marks_a_closed_month_never_run_stale(inc_world, inc_policies, operator_actor):
    """A correction to a policy of a closed month that was never run creates the month's run row STALE, so a
    first run going on meanwhile starts over instead of ending DONE on the old policy."""
    assert not IncentiveRun.objects.filter(bill_cycle=INC_CYCLE).exists()
    policies.policy_changed(operator_actor, inc_policies.resale)
    assert IncentiveRun.objects.get(bill_cycle=INC_CYCLE).status == RunStatus.STALE
    assert INC_CYCLE in run.due_cycles(shanghai("2026-04-05 10:00"))
