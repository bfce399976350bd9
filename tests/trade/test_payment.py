"""The customer pays an order (支付包年/包月产品订单): chosen coupons first, in the order given, each taking
min(its balance, what is left), then its balance — every movement on the ledger or in the coupon records,
in one transaction; a payment that cannot be covered, or a coupon outside its limits, changes nothing."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from billing import services as billing
from billing.models import LedgerEntry
from customers.choices import ChargingMode, PeriodStatus
from customers.models import Resource
from events.models import Event
from partnercenter.errors import Codes, DomainError
from partnercenter.models import OperationLog
from trade import services
from trade.errors import TradeCodes
from trade.models import Order, OrderCoupon
from vouchers.models import Coupon, CouponRecord

from .payment_helpers import EC2, EVS, World, balance, coupon, ledger_of, period_item, product, verify_ledger

pytestmark = pytest.mark.django_db

SERVER = ("hws.resource.type.vm", "s6.small.1.linux")   # 73.70 a month in cn-north-4
DISK = ("hws.resource.type.volume", "SSD")              # 1.00 per GB a month


@pytest.fixture
def world():
    return World()


def server_and_disk(world, customer=None):
    """A server of 73.70 with a 40 GB SSD disk of 40.00: 113.70, placed by the customer."""
    customer = customer or world.resale
    user = world.resale_user if customer == world.resale else world.referral_user
    return services.place_order(user, customer_id=customer.domain_id, items=[
        period_item(*SERVER, item_id="vm"), period_item(*DISK, size=40, item_id="disk")])


def state(world, order):
    """Everything a refused payment must leave as it was."""
    order.refresh_from_db()
    return {
        "order": (order.status, order.coupon_amount, order.flexipurchase_coupon_amount, order.cash_amount),
        "balance": balance(world.resale),
        "coupons": sorted(Coupon.objects.filter(customer=world.resale).values_list("coupon_id", "balance", "status")),
        "records": CouponRecord.objects.count(), "ledger": LedgerEntry.objects.count(),
        "uses": OrderCoupon.objects.count(), "resources": Resource.objects.filter(customer=world.resale).count(),
    }


def test_balance_and_two_coupons_of_different_limits_pay_an_order_to_the_fen(world):
    world.allocate("200.00")
    order = server_and_disk(world)
    assert (order.official_amount, order.amount_after_discount, order.status) == (Decimal("113.70"),
                                                                                 Decimal("113.70"), 6)
    # A cash coupon limited to the order's service types, a flexi-purchase coupon limited to its products.
    cash = world.issue("50.00", service_types=[EC2, EVS])
    flexi = world.issue("30.00", quota_type=1, product_ids=[product(*SERVER).product_id, product(*DISK).product_id])
    assert {c.coupon_id for c in services.usable_coupons(order)} == {cash, flexi}

    paid = services.pay_order(world.resale_user, order_id=order.order_id, coupon_ids=[cash, flexi])

    assert (paid.status, paid.payer, paid.coupon_amount, paid.flexipurchase_coupon_amount, paid.cash_amount) == (
        5, "customer", Decimal("50.00"), Decimal("30.00"), Decimal("33.70"))
    assert paid.payment_time is not None and paid.paying_partner is None and not paid.invoiceable
    assert balance(world.resale) == Decimal("166.30")
    assert (coupon(cash).balance, coupon(cash).status, coupon(flexi).balance, coupon(flexi).status) == (
        Decimal("0.00"), 3, Decimal("0.00"), 3)
    assert coupon(cash).last_used_at is not None
    assert sorted(OrderCoupon.objects.filter(order=order).values_list("coupon__coupon_id", "amount")) == sorted(
        [(cash, Decimal("50.00")), (flexi, Decimal("30.00"))])
    uses = CouponRecord.objects.filter(operation_type="10").order_by("id")
    assert [(r.coupon.coupon_id, r.amount, r.remark, r.partner_id) for r in uses] == [
        (cash, Decimal("50.00"), order.order_id, world.partner.pk),
        (flexi, Decimal("30.00"), order.order_id, world.partner.pk)]
    assert ledger_of(world.resale) == [("BEADJUST", Decimal("200.00"), Decimal("200.00")),
                                       ("PURCHASE", Decimal("-33.70"), Decimal("166.30"))]
    assert LedgerEntry.objects.get(trade_type="PURCHASE").trans_id == order.order_id
    assert "Ledger verified" in verify_ledger()
    # The resources: the server, then its disk under it, in use for one month from now.
    vm, disk = Resource.objects.filter(order_id=order.order_id).order_by("id")
    assert (vm.resource_type_code, vm.is_main_resource, vm.parent_resource_id) == ("hws.resource.type.vm", True, "")
    assert (disk.resource_type_code, disk.is_main_resource, disk.parent_resource_id) == (
        "hws.resource.type.volume", False, vm.resource_id)
    for resource in (vm, disk):
        assert (resource.charging_mode, resource.status) == (ChargingMode.PERIOD, PeriodStatus.IN_USE)
        assert resource.expire_time.date() > (timezone.now() + timedelta(days=27)).date()
    assert vm.product_id == product(*SERVER).product_id and vm.service_type_code == EC2
    assert disk.product_spec_desc == "超高IO|40GB"
    assert Event.objects.filter(type="order.paid", data__order_id=order.order_id).count() == 1
    [log] = OperationLog.objects.filter(action="order.pay")
    assert (log.result, log.partner) == ("success", world.partner)


def test_the_first_coupon_takes_what_it_has_and_the_second_only_what_is_left(world):
    world.allocate("10.00")
    order = server_and_disk(world)
    big = world.issue("100.00")
    flexi = world.issue("30.00", quota_type=1)

    paid = services.pay_order(world.resale_user, order_id=order.order_id, coupon_ids=[big, flexi])

    assert (paid.coupon_amount, paid.flexipurchase_coupon_amount, paid.cash_amount) == (
        Decimal("100.00"), Decimal("13.70"), Decimal("0.00"))
    assert (coupon(big).balance, coupon(big).status) == (Decimal("0.00"), 3)
    assert (coupon(flexi).balance, coupon(flexi).status) == (Decimal("16.30"), 2)  # still effective
    assert balance(world.resale) == Decimal("10.00")  # nothing left for the balance to pay
    assert ledger_of(world.resale) == [("BEADJUST", Decimal("10.00"), Decimal("10.00"))]
    assert "Ledger verified" in verify_ledger()


@pytest.mark.parametrize("limits", [
    {"service_types": ["hws.service.type.rds"]},                      # another service
    {"service_types": [EC2]},                                          # covers the server, not the disk
    {"product_ids": "server only"},                                    # covers one product of two
])
def test_a_coupon_outside_its_limits_is_refused_and_nothing_changes(world, limits):
    world.allocate("500.00")
    order = server_and_disk(world)
    if limits.get("product_ids") == "server only":
        limits = {"product_ids": [product(*SERVER).product_id]}
    usable = world.issue("20.00")
    outside = world.issue("50.00", **limits)
    assert outside not in {c.coupon_id for c in services.usable_coupons(order)}
    before = state(world, order)

    with pytest.raises(DomainError) as refused:
        services.pay_order(world.resale_user, order_id=order.order_id, coupon_ids=[usable, outside])

    assert refused.value.code == TradeCodes.COUPON_NOT_USABLE
    assert state(world, order) == before


def test_when_balance_and_coupons_do_not_cover_the_order_nothing_changes(world):
    world.allocate("30.00")
    order = server_and_disk(world)
    cash = world.issue("50.00")
    before = state(world, order)

    with pytest.raises(DomainError) as refused:
        services.pay_order(world.resale_user, order_id=order.order_id, coupon_ids=[cash])

    assert refused.value.code == TradeCodes.BALANCE_NOT_ENOUGH
    assert state(world, order) == before  # the coupon's 50.00 was not taken either
    assert list(OperationLog.objects.filter(action="order.pay").values_list("result", "error_code")) == [
        ("failure", TradeCodes.BALANCE_NOT_ENOUGH)]
    assert "Ledger verified" in verify_ledger()


def test_a_customer_whose_balance_is_zero_cannot_pay_even_with_coupons_that_cover_it(world):
    world.allocate("5.00")
    order = server_and_disk(world)
    billing.reclaim_from_customer(world.admin, customer_id=world.resale.domain_id, amount="5.00")
    cash = world.issue("200.00")
    before = state(world, order)

    with pytest.raises(DomainError) as refused:
        services.pay_order(world.resale_user, order_id=order.order_id, coupon_ids=[cash])

    assert refused.value.code == TradeCodes.BALANCE_NOT_POSITIVE
    assert state(world, order) == before


def test_coupons_that_are_not_usable_now_or_not_the_customers_are_refused(world):
    world.allocate("500.00")
    order = server_and_disk(world)
    other = world.issue("10.00", customer=world.referral)
    expired = world.issue("10.00")
    Coupon.objects.filter(coupon_id=expired).update(expire_time=timezone.now() - timedelta(minutes=1))
    later = world.issue("10.00", valid_time=timezone.now() + timedelta(days=1))
    reclaimed = world.issue("10.00")
    Coupon.objects.filter(coupon_id=reclaimed).update(status=5)
    for coupon_id in (other, expired, later, reclaimed, "no-such-coupon"):
        with pytest.raises(DomainError) as refused:
            services.pay_order(world.resale_user, order_id=order.order_id, coupon_ids=[coupon_id])
        assert refused.value.code == TradeCodes.COUPON_NOT_USABLE, coupon_id
    assert services.usable_coupons(order) == []
    ids = [world.issue("1.00") for _i in range(4)]
    with pytest.raises(DomainError) as refused:
        services.pay_order(world.resale_user, order_id=order.order_id, coupon_ids=ids)
    assert refused.value.code == Codes.PARAMETER
    with pytest.raises(DomainError) as refused:
        services.pay_order(world.resale_user, order_id=order.order_id, coupon_ids=[ids[0], ids[0]])
    assert refused.value.code == Codes.PARAMETER
    order.refresh_from_db()
    assert order.status == 6 and balance(world.resale) == Decimal("500.00")


def test_an_order_is_paid_once_and_only_by_its_customer(world):
    world.allocate("500.00")
    order = server_and_disk(world)
    with pytest.raises(DomainError) as refused:
        services.pay_order(world.referral_user, order_id=order.order_id)
    assert refused.value.code == TradeCodes.ORDER_NOT_FOUND  # another customer's order is not there
    with pytest.raises(DomainError) as refused:
        services.pay_order(world.admin, order_id=order.order_id)
    assert refused.value.code == Codes.FORBIDDEN  # the partner pays with pay_for_customer

    services.pay_order(world.resale_user, order_id=order.order_id)
    with pytest.raises(DomainError) as again:
        services.pay_order(world.resale_user, order_id=order.order_id)

    assert again.value.code == TradeCodes.ORDER_NOT_PENDING
    assert balance(world.resale) == Decimal("386.30")
    assert LedgerEntry.objects.filter(trade_type="PURCHASE").count() == 1
    assert Resource.objects.filter(order_id=order.order_id).count() == 2


def test_an_order_past_its_payment_window_cannot_be_paid(world):
    world.allocate("500.00")
    order = server_and_disk(world)
    Order.objects.filter(pk=order.pk).update(pending_payment_end_time=timezone.now() - timedelta(seconds=1))
    with pytest.raises(DomainError) as refused:
        services.pay_order(world.resale_user, order_id=order.order_id)
    assert refused.value.code == TradeCodes.ORDER_NOT_PENDING
    assert balance(world.resale) == Decimal("500.00")


def test_paying_a_renewal_extends_the_resource_from_its_expiry(world):
    world.allocate("500.00")
    first = services.place_order(world.resale_user, customer_id=world.resale.domain_id,
                                 items=[period_item(*SERVER, item_id="vm")])
    services.pay_order(world.resale_user, order_id=first.order_id)
    vm = Resource.objects.get(order_id=first.order_id)
    expiry = vm.expire_time

    renewal = services.place_order(world.resale_user, customer_id=world.resale.domain_id, order_type=2,
                                   resource_ids=[vm.resource_id], items=[period_item(*SERVER, months=2)])
    services.pay_order(world.resale_user, order_id=renewal.order_id)

    vm.refresh_from_db()
    assert renewal.order_type == 2 and renewal.amount_after_discount == Decimal("147.40")
    assert vm.expire_time.date() > (expiry + timedelta(days=58)).date()
    assert vm.expire_time.date() <= (expiry + timedelta(days=62)).date()
    assert Resource.objects.filter(customer=world.resale).count() == 1  # extended, not a new one
    assert balance(world.resale) == Decimal("500.00") - Decimal("73.70") - Decimal("147.40")
    assert "Ledger verified" in verify_ledger()


def _statements_of_a_payment(world, coupons):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    order = server_and_disk(world)
    with CaptureQueriesContext(connection) as queries:
        services.pay_order(world.resale_user, order_id=order.order_id, coupon_ids=coupons)
    return len(queries)


def test_a_payment_costs_the_same_statements_however_many_orders_and_coupons_there_are(world):
    world.allocate("5000.00")
    first = _statements_of_a_payment(world, [world.issue("5.00"), world.issue("5.00", quota_type=1)])
    for _i in range(5):
        server_and_disk(world)
        world.issue("1.00")
    again = _statements_of_a_payment(world, [world.issue("5.00"), world.issue("5.00", quota_type=1)])
    assert first == again, (first, again)
    assert first <= 30, first
