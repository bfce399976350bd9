"""A month is paid by the programmes the partner held IN that month (policies.held_in, run_sql._policy_map), not
by its membership when the run (or a re-run) happens.

inc_world + inc_policies for March 2026, and a general resale policy resale-general 3 % / 1 % (added here).
Partner A's resale customer in March: EC2 yearly/monthly NEW 1000.00, EVS pay-per-use 50.00 (20.00 arrears).
  held the solution-provider programme in March → resale-sp (4 % / 2 %, EVS 特定产品 6 % / 8 %, tier 500 → 1 %):
      EC2 1000.00 × 4 % = 40.00, EVS 50.00 × 8 % = 4.00 → base 1050.00 / 44.00; tier 1050.00 × 1 % = 10.50
  joined after March → resale-general: EC2 1000.00 × 3 % = 30.00, EVS 50.00 × 1 % = 0.50 → base 1050.00 / 30.50
Its referral customer earns the same either way (ref-general, a general policy): EC2 pay-per-use 90.00 × 3 % = 2.70.
"""

from decimal import Decimal

import pytest

from incentives import policies, run
from incentives.choices import IncentiveKind, StatementStatus
from incentives.models import IncentiveStatement
from partnercenter.actors import SCHEDULER

from .conftest import INC_CYCLE, make_policy, month_of, shanghai

D = Decimal
MARCH, APRIL = month_of(INC_CYCLE), month_of("2026-04")
BASE, TIER = IncentiveKind.BASE, IncentiveKind.TIER
PENDING = StatementStatus.PENDING

HELD = {
    ("ref-general", BASE): (D("90.00"), D("2.70")),
    ("resale-sp", BASE): (D("1050.00"), D("44.00")),
    ("resale-sp", TIER): (D("1050.00"), D("10.50")),
}
NOT_HELD = {
    ("ref-general", BASE): (D("90.00"), D("2.70")),
    ("resale-general", BASE): (D("1050.00"), D("30.50")),
}


@pytest.fixture
def general_resale(inc_world, inc_policies):
    return make_policy("resale-general", association_type="2", name="代售通用", period_rate="0.0300",
                       on_demand_rate="0.0100")


def _joined(world, when):
    world.membership.decided_at = when
    world.membership.applied_at = when
    world.membership.save(update_fields=["decided_at", "applied_at"])


def _march():
    assert {s.status for s in IncentiveStatement.objects.filter(bill_cycle=INC_CYCLE)} == {PENDING}
    return {(s.policy.code, s.kind): (s.performance, s.amount)
            for s in IncentiveStatement.objects.filter(bill_cycle=INC_CYCLE, partner__account_name="partner-a")
            .select_related("policy")}


@pytest.mark.parametrize("joined", ["2025-12-01 09:00", "2026-03-31 23:59"])
def test_a_partner_that_held_the_programme_in_the_month_is_paid_its_policy(inc_world, general_resale, joined):
    _joined(inc_world, shanghai(joined))      # before March, or on its last evening (Asia/Shanghai)
    run.run_month(SCHEDULER, bill_cycle=INC_CYCLE)
    assert _march() == HELD
    assert policies.policy_for(inc_world.partner, MARCH, "2").code == "resale-sp"


@pytest.mark.parametrize("joined", ["2026-04-01 00:00", "2026-04-20 10:00"])
def test_a_partner_that_joined_after_the_month_is_not_paid_its_policy_for_it(inc_world, general_resale, joined):
    _joined(inc_world, shanghai(joined))      # 00:00 of 1 April in Shanghai is still 31 March in UTC
    run.run_month(SCHEDULER, bill_cycle=INC_CYCLE)
    assert _march() == NOT_HELD
    assert policies.policy_for(inc_world.partner, MARCH, "2") == general_resale
    assert policies.policy_for(inc_world.partner, APRIL, "2").code == "resale-sp"   # from April on it is


def test_a_re_run_after_joining_pays_the_month_as_it_was(inc_world, general_resale):
    """Run in April while not a member; the partner joins on 20 April; March run again (an operator's policy
    correction forces it): March is still paid by the general policy, as the partner stood in March."""
    inc_world.membership.delete()
    run.run_month(SCHEDULER, bill_cycle=INC_CYCLE)
    assert _march() == NOT_HELD
    inc_world.membership.pk = None
    inc_world.membership.save()
    _joined(inc_world, shanghai("2026-04-20 10:00"))
    run.run_month(SCHEDULER, bill_cycle=INC_CYCLE, force=True)
    assert _march() == NOT_HELD


def _left(world, when):
    from programs import leaving

    leaving.end_membership(SCHEDULER, membership_id=world.membership.pk, reason="摘牌", now=when)


@pytest.mark.parametrize("left", ["2026-03-01 00:00", "2026-03-15 10:00", "2026-04-02 10:00"])
def test_a_programme_left_during_or_after_the_month_still_pays_it(inc_world, general_resale, left):
    """programs/leaving.py: the month of the leaving and those before it were held; a re-run pays them so."""
    _joined(inc_world, shanghai("2025-12-01 09:00"))
    _left(inc_world, shanghai(left))
    run.run_month(SCHEDULER, bill_cycle=INC_CYCLE)
    assert _march() == HELD
    assert policies.policy_for(inc_world.partner, MARCH, "2").code == "resale-sp"
    assert policies.policy_for(inc_world.partner, month_of("2026-05"), "2") == general_resale


@pytest.mark.parametrize("left", ["2026-02-28 23:59", "2026-02-10 10:00"])
def test_a_programme_left_before_the_month_does_not_pay_it(inc_world, general_resale, left):
    _joined(inc_world, shanghai("2025-12-01 09:00"))
    _left(inc_world, shanghai(left))           # 23:59 of 28 February in Shanghai: before March
    run.run_month(SCHEDULER, bill_cycle=INC_CYCLE)
    assert _march() == NOT_HELD
    assert policies.policy_for(inc_world.partner, MARCH, "2") == general_resale
