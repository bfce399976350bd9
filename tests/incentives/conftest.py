"""Shared fixtures of the incentives tests (issue 17). Area P wrote the first part; other areas append their own
fixtures at the end (names prefixed by their area), never change the ones above.

`inc_world`: the catalogue's three service types (EC2 — partners may set discounts —, EVS, OBS), the programme
definitions with partner A (tenant_a) JOINED to the solution-provider programme, a referral (关联类型 1) and a
resale (2) association of partner A begun before INC_CYCLE, fee records of both customers in INC_CYCLE and that
month CLOSED (bills.BillingPeriod). `make_policy()` writes a policy with rules and tiers; `inc_policies` gives
partner A a referral and a resale policy in force from INC_CYCLE.

Fee records of INC_CYCLE (performance = cash + arrears + arrears paid; coupons are no performance):
    referral customer: EC2 pay-per-use 100.00 (of which 10.00 coupon → performance 90.00), OBS pay-per-use 20.00
    resale customer:   EC2 yearly/monthly NEW 1000.00, EVS pay-per-use 50.00 (20.00 arrears: performance 50.00)
"""

from datetime import date, datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone

from bills import periods
from bills.choices import BillType, PeriodStatus
from bills.models import BillingPeriod
from catalog.choices import ChargeMode
from customers.models import Association
from incentives.choices import PolicyCode
from incentives.models import IncentivePolicy, PolicyServiceRule, PolicyTier
from programs.catalogue import SOLUTION_PROVIDER, seed_definitions
from programs.choices import MembershipStatus
from programs.models import Membership, Program

from partnercenter.actors import actor_for_user

from ..bills.partner_helpers import EC2, EVS, OBS, catalogue, day_of, fee
from ..factories import UserFactory

__all__ = ["D", "INC_CYCLE", "EC2", "EVS", "OBS", "fee", "day_of", "close_month", "month_of", "make_policy",
           "shanghai"]

D = Decimal
INC_CYCLE = "2026-03"


def shanghai(text: str) -> datetime:
    """'2026-03-15 12:00' in Asia/Shanghai, aware."""
    return datetime.fromisoformat(text).replace(tzinfo=periods.SHANGHAI)


def month_of(cycle: str) -> date:
    """'2026-03' → date(2026, 3, 1), the form of a policy's validity."""
    year, month = map(int, cycle.split("-"))
    return date(year, month, 1)


def close_month(cycle: str) -> BillingPeriod:
    """The month CLOSED (what bills' month close leaves; the incentive run reads only closed months)."""
    period, _ = BillingPeriod.objects.update_or_create(
        bill_cycle=cycle, defaults={"status": PeriodStatus.CLOSED, "closed_at": timezone.now()})
    return period


def make_policy(code: str, *, association_type: str, period_rate="0.0500", on_demand_rate="0.0300",
                first_order_rate="0", valid_from=INC_CYCLE, valid_until=None, program=None, name=None,
                rules=(), tiers=(), is_active=True) -> IncentivePolicy:
    """A policy; `rules` are (service type code, PolicyCode, period rate, on-demand rate), `tiers` are
    (min performance, extra rate); months as 'YYYY-MM'."""
    policy = IncentivePolicy.objects.create(
        code=code, name=name or f"政策 {code}", program=program, association_type=association_type,
        valid_from=month_of(valid_from), valid_until=month_of(valid_until) if valid_until else None,
        period_rate=D(period_rate), on_demand_rate=D(on_demand_rate), first_order_rate=D(first_order_rate),
        is_active=is_active)
    services = catalogue().services
    for service_code, policy_code, period, on_demand in rules:
        PolicyServiceRule.objects.create(
            policy=policy, service_type=services[service_code], incentive_policy=policy_code,
            period_rate=D(period) if period is not None else None,
            on_demand_rate=D(on_demand) if on_demand is not None else None)
    for threshold, extra in tiers:
        PolicyTier.objects.create(policy=policy, min_performance=D(threshold), extra_rate=D(extra))
    return policy


@pytest.fixture
def inc_world(tenant_a):
    w = SimpleNamespace(tenant=tenant_a, partner=tenant_a.partner, cycle=INC_CYCLE)
    w.catalogue = catalogue()
    w.services = w.catalogue.services
    w.services[EC2].allow_discount = True
    w.services[EC2].save(update_fields=["allow_discount"])
    seed_definitions()
    w.program = Program.objects.get(code=SOLUTION_PROVIDER)
    begun = shanghai("2025-12-01 09:00")
    w.membership = Membership.objects.create(partner=w.partner, program=w.program, status=MembershipStatus.JOINED,
                                             applied_at=begun, decided_at=begun)   # held in INC_CYCLE
    w.referral = Association.objects.get(customer=tenant_a.referral)
    w.resale = Association.objects.get(customer=tenant_a.resale)
    Association.objects.filter(pk__in=[w.referral.pk, w.resale.pk]).update(associated_on=begun)
    w.referral.refresh_from_db()
    w.resale.refresh_from_db()
    w.fees = [
        fee(w.referral.customer, w.referral, cycle=INC_CYCLE, amount="100.00", coupon="10.00"),
        fee(w.referral.customer, w.referral, cycle=INC_CYCLE, amount="20.00", code=OBS),
        fee(w.resale.customer, w.resale, cycle=INC_CYCLE, amount="1000.00", mode=ChargeMode.PERIOD,
            bill_type=BillType.NEW),
        fee(w.resale.customer, w.resale, cycle=INC_CYCLE, amount="50.00", code=EVS, debt="20.00"),
    ]
    w.period = close_month(INC_CYCLE)
    return w


@pytest.fixture
def operator_user(db):
    """A platform operator (Django staff, superuser): the admin's user."""
    return UserFactory(username="incentives.ops", is_staff=True, is_superuser=True)


@pytest.fixture
def operator_actor(operator_user):
    return actor_for_user(operator_user, ip="127.0.0.1")


@pytest.fixture
def inc_policies(inc_world):
    """Partner A's policies from INC_CYCLE: the general referral one (5 % / 3 %, OBS 无业绩无返点) and the
    solution-provider programme's resale one (4 % / 2 %, EVS 特定产品 at 6 % / 8 %, a tier from 500.00 at 1 %)."""
    return SimpleNamespace(
        referral=make_policy("ref-general", association_type="1", name="推荐激励",
                             rules=[(OBS, PolicyCode.NO_PERFORMANCE, None, None)]),
        resale=make_policy("resale-sp", association_type="2", name="代售激励", program=inc_world.program,
                           period_rate="0.0400", on_demand_rate="0.0200",
                           rules=[(EVS, PolicyCode.SPECIFIC, "0.0600", "0.0800")], tiers=[("500.00", "0.0100")]),
    )


# ---- fixtures appended by other areas below (prefix names with the area: s_, w_, f_) ----
