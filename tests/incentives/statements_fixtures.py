"""What the 激励明细 / 业绩管理 / 激励对账 tests (area S) share: statements and detail lines written directly, as
the monthly run (incentives.run) would write them for partner A's fee records of INC_CYCLE (conftest.py):

    referral policy (5 % / 3 %, OBS 无业绩无返点):   referral customer EC2 pay-per-use: 100.00 consumed, 90.00
                                                     performance × 3 % = 2.70 (OBS earns no line)
    resale policy (4 % / 2 %, EVS 特定产品 6 % / 8 %, tier from 500.00 at 1 %):
                                                     resale customer EC2 yearly/monthly 1000.00 × 4 % = 40.00,
                                                     EVS pay-per-use 50.00 × 8 % = 4.00; the tier 1 % of 1050.00 = 10.50

`s_world(tenant)` returns them (pending, generated now) with partner B's own statement beside them.
"""

from datetime import datetime
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from django.utils import timezone

from catalog.choices import ChargeMode
from customers.models import Association
from incentives.choices import IncentiveKind, PolicyCode, StatementStatus
from incentives.models import IncentiveDetail, IncentiveStatement
from incentives.statements import objection_deadline

from ..bills.partner_helpers import EC2, EVS, OBS, catalogue
from ..factories import RoleFactory, MemberFactory, UserFactory
from .conftest import INC_CYCLE, make_policy

__all__ = ["D", "INC_CYCLE", "s_world", "make_statement", "line", "operator", "member_with", "shanghai_at"]

D = Decimal
SHANGHAI = ZoneInfo("Asia/Shanghai")


def shanghai_at(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def make_statement(partner, policy, *, cycle=INC_CYCLE, kind=IncentiveKind.BASE, amount="0.00", performance="0.00",
                   status=StatementStatus.PENDING, generated_at=None, deadline=None, lines=()) -> IncentiveStatement:
    """A statement as the run writes it; `lines` are `line(...)` dicts."""
    generated_at = generated_at or timezone.now()
    statement = IncentiveStatement.objects.create(
        partner=partner, bill_cycle=cycle, policy=policy, kind=kind,
        name=f"{policy.name} · {IncentiveKind(kind).label}", association_type=policy.association_type,
        performance=D(performance), amount=D(amount), status=status, generated_at=generated_at,
        dispute_deadline=deadline or objection_deadline(generated_at))
    services = catalogue().services
    for data in lines:
        data = dict(data)
        association = data.pop("association")
        IncentiveDetail.objects.create(
            statement=statement, bill_cycle=cycle, partner=partner, policy=policy, kind=kind, association=association,
            association_type=association.association_type, customer_id=association.customer_id,
            service_type=services[data.pop("service")], **data)
    return statement


def line(association, service, mode, code, consumption, performance, rate, rebate, records=1) -> dict:
    return {"association": association, "service": service, "charging_mode": mode, "incentive_policy": code,
            "fee_records": records, "consumption": D(consumption), "performance": D(performance), "rate": D(rate),
            "rebate": D(rebate)}


def s_world(tenant, *, cycle=INC_CYCLE, generated_at=None, other=None) -> SimpleNamespace:
    """Partner A's three statements of `cycle` (pending) and their lines; with `other` (tenant B), B's own
    statement of the same month."""
    w = SimpleNamespace(tenant=tenant, partner=tenant.partner, cycle=cycle)
    generated_at = generated_at or timezone.now()  # one moment: every statement has the same deadline
    catalogue()
    w.referral = Association.objects.get(customer=tenant.referral)
    w.resale = Association.objects.get(customer=tenant.resale)
    w.ref_policy = make_policy(f"s-ref-{tenant.partner.pk}-{cycle}", association_type="1", name="推荐激励",
                               valid_from=cycle, rules=[(OBS, PolicyCode.NO_PERFORMANCE, None, None)])
    w.resale_policy = make_policy(f"s-res-{tenant.partner.pk}-{cycle}", association_type="2", name="代售激励",
                                  valid_from=cycle, period_rate="0.0400", on_demand_rate="0.0200",
                                  rules=[(EVS, PolicyCode.SPECIFIC, "0.0600", "0.0800")], tiers=[("500.00", "0.0100")])
    w.ref_base = make_statement(w.partner, w.ref_policy, cycle=cycle, amount="2.70", performance="90.00",
                                generated_at=generated_at, lines=[
                                    line(w.referral, EC2, ChargeMode.ON_DEMAND, PolicyCode.NON_SPECIFIC, "100.00",
                                         "90.00", "0.0300", "2.70", records=1)])
    w.resale_base = make_statement(w.partner, w.resale_policy, cycle=cycle, amount="44.00", performance="1050.00",
                                   generated_at=generated_at, lines=[
                                       line(w.resale, EC2, ChargeMode.PERIOD, PolicyCode.NON_SPECIFIC, "1000.00",
                                            "1000.00", "0.0400", "40.00"),
                                       line(w.resale, EVS, ChargeMode.ON_DEMAND, PolicyCode.SPECIFIC, "50.00", "50.00",
                                            "0.0800", "4.00")])
    w.resale_tier = make_statement(w.partner, w.resale_policy, cycle=cycle, kind=IncentiveKind.TIER, amount="10.50",
                                   performance="1050.00", generated_at=generated_at)
    w.statements = [w.ref_base, w.resale_base, w.resale_tier]
    if other is not None:
        w.other = other
        w.other_statement = make_statement(other.partner, w.ref_policy, cycle=cycle, amount="9.00",
                                           performance="300.00", generated_at=generated_at, lines=[
                                               line(Association.objects.get(customer=other.referral), EC2,
                                                    ChargeMode.ON_DEMAND, PolicyCode.NON_SPECIFIC, "300.00", "300.00",
                                                    "0.0300", "9.00")])
    return w


def operator(username="incentives.ops"):
    """A platform operator (staff, superuser)."""
    return UserFactory(username=username, is_staff=True, is_superuser=True)


def member_with(tenant, permissions, username):
    """A member of `tenant` whose one role grants `permissions` (no customers.view_all unless named)."""
    role = RoleFactory(partner=tenant.partner, name=f"role-{username}", permissions=list(permissions))
    return MemberFactory(partner=tenant.partner, user__username=username, roles=[role])
