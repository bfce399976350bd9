"""Deduction order against hand-computed cases: resource package → coupons → cash → arrears, with exact
balances, one ledger movement per customer per batch, and verify_ledger clean."""


import pytest

from billing.models import LedgerEntry
from bills.choices import FeeStatus, PackageStatus, UsageStatus
from bills.models import LowBalanceSetting, PackageUse
from customers.models import Customer, Resource
from vouchers.models import Coupon, CouponRecord

from .rating_helpers import (
    ECS, OBS_UPFLOW, D, World, account, check_books, fee_of, ledger, on_demand_resource, package, rate, usage,
)

pytestmark = pytest.mark.django_db

OBS = "hws.service.type.obs"


def test_package_then_coupon_then_cash_then_arrears():
    """3 GB of OBS traffic at 0.50/GB; a 1 GB package pays 1 GB, the other 2 GB cost 1.00: a 代金券 of 0.30
    (limited to OBS) pays 0.30, the balance of 0.50 pays 0.50, 0.20 is arrears. A coupon limited to ECS pays
    nothing of it."""
    world = World()
    world.allocate("0.50")
    pkg = package(world.resale, quota="1")
    obs_coupon = world.issue("0.30", service_types=[OBS])
    ecs_coupon = world.issue("5.00", service_types=["hws.service.type.ec2"])
    record = usage(world.resale, OBS_UPFLOW, amount="3")

    result = rate()

    assert (result.rated, result.failed) == (1, 0)
    fee = fee_of(record)
    assert fee.free_resource_usage == D("1")
    assert (fee.official_amount, fee.discount_amount, fee.erase_amount, fee.consume_amount) == (
        D("1.00"), D("0.00"), D("0.00"), D("1.00"))
    assert (fee.coupon_amount, fee.flexipurchase_coupon_amount, fee.cash_amount, fee.debt_amount) == (
        D("0.30"), D("0.00"), D("0.50"), D("0.20"))
    assert fee.status == FeeStatus.UNSETTLED and fee.bill_type == 5 and fee.charging_mode == 3
    assert fee.partner == world.partner and fee.association.customer == world.resale
    pkg.refresh_from_db()
    assert pkg.remaining == 0 and pkg.status == PackageStatus.USED_UP
    use = PackageUse.objects.get(package=pkg)
    assert (use.available_before, use.used_amount, use.remaining_after, use.fee_record) == (D("1"), D("1"), D("0"), fee)
    assert Coupon.objects.get(coupon_id=obs_coupon).balance == 0
    assert Coupon.objects.get(coupon_id=ecs_coupon).balance == D("5.00")
    used = CouponRecord.objects.get(operation_type="10", customer=world.resale)
    assert used.amount == D("0.30") and used.remark == fee.trans_id
    acct = account(world.resale)
    assert (acct.balance, acct.arrears) == (D("0.00"), D("0.20"))
    assert ledger(world.resale)[-2:] == [("cash", "DEDEUCT", D("-0.50"), D("0.00")),
                                         ("arrears", "ARREARS", D("0.20"), D("0.20"))]
    assert set(LedgerEntry.objects.filter(customer=world.resale, trade_type__in=["DEDEUCT", "ARREARS"])
               .values_list("trans_id", flat=True)) == {fee.trans_id}
    assert Customer.objects.get(pk=world.resale.pk).in_debt
    record.refresh_from_db()
    assert record.status == UsageStatus.RATED and record.rated_at is not None
    check_books()


def test_a_batch_moves_money_once_per_customer():
    """Ten hours of ECS (0.22 each) against a balance of 1.00 and a 现金券 of 0.50: the coupon pays the first
    0.22 + 0.22 + 0.06, the balance the next 0.16 + 0.22 × 3 + 0.18, arrears the rest 0.04 + 0.22 × 3 = 0.70 —
    one CouponRecord of 0.50, one DEDEUCT of −1.00 and one ARREARS of +0.70."""
    world = World()
    world.allocate("1.00")
    flexi = world.issue("0.50", quota_type=1)
    records = [usage(world.resale, ECS, begin=None) for _i in range(10)]

    rate()

    fees = sorted((fee_of(r) for r in records), key=lambda f: (f.effective_time, f.usage_record_id))
    assert sum(f.flexipurchase_coupon_amount for f in fees) == D("0.50")
    assert sum(f.cash_amount for f in fees) == D("1.00")
    assert sum(f.debt_amount for f in fees) == D("0.70")
    assert [f.flexipurchase_coupon_amount for f in fees[:3]] == [D("0.22"), D("0.22"), D("0.06")]
    assert fees[2].cash_amount == D("0.16") and fees[6].cash_amount == D("0.18") and fees[6].debt_amount == D("0.04")
    assert all(f.status == FeeStatus.UNSETTLED for f in fees[6:]) and all(f.status == FeeStatus.PAID for f in fees[:6])
    assert Coupon.objects.get(coupon_id=flexi).status == 3  # used up
    assert CouponRecord.objects.filter(operation_type="10").count() == 1
    assert [e[:3] for e in ledger(world.resale)[-2:]] == [("cash", "DEDEUCT", D("-1.00")),
                                                          ("arrears", "ARREARS", D("0.70"))]
    assert len({f.trans_id for f in fees}) == 1
    check_books()


def test_enough_balance_leaves_no_arrears_and_the_next_batch_continues():
    world = World()
    world.allocate("1.00")
    usage(world.resale, ECS)
    rate()
    usage(world.resale, ECS)
    rate()
    acct = account(world.resale)
    assert (acct.balance, acct.arrears) == (D("0.56"), D("0.00"))
    assert [e[2:] for e in ledger(world.resale)[-2:]] == [(D("-0.22"), D("0.78")), (D("-0.22"), D("0.56"))]
    assert not Customer.objects.get(pk=world.resale.pk).in_debt
    check_books()


def _policy(world, policy, limit):
    LowBalanceSetting.objects.create(partner=world.partner, customer=world.resale, threshold=D("0"),
                                     zero_balance_policy=policy, arrears_limit=D(limit))


def test_arrears_reaching_the_limit_freeze_the_on_demand_resources():
    """ARREARS up to 0.40: a first batch leaves 0.22 of arrears (nothing frozen), the second 0.44 ≥ 0.40."""
    world = World()
    _policy(world, "arrears", "0.40")
    server = on_demand_resource(world.resale)
    usage(world.resale, ECS, resource_id=server.resource_id)
    rate()
    assert Resource.objects.get(pk=server.pk).status == 1
    usage(world.resale, ECS, resource_id=server.resource_id)
    rate()
    assert account(world.resale).arrears == D("0.44")
    assert Resource.objects.get(pk=server.pk).status == 3  # frozen
    check_books()


@pytest.mark.parametrize("policy,limit", [("stop", "0.10"), ("arrears", "0")])
def test_other_policies_only_accrue_arrears(policy, limit):
    world = World()
    _policy(world, policy, limit)
    server = on_demand_resource(world.resale)
    for _i in range(3):
        usage(world.resale, ECS, resource_id=server.resource_id)
    rate()
    assert account(world.resale).arrears == D("0.66")
    assert Resource.objects.get(pk=server.pk).status == 1
    check_books()


def test_the_partners_default_setting_applies_without_the_customers_own():
    world = World()
    LowBalanceSetting.objects.create(partner=world.partner, customer=None, threshold=D("0"),
                                     zero_balance_policy="arrears", arrears_limit=D("0.10"))
    server = on_demand_resource(world.resale)
    usage(world.resale, ECS, resource_id=server.resource_id)
    rate()
    assert Resource.objects.get(pk=server.pk).status == 3
    check_books()
