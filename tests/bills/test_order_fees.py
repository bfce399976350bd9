"""Paid orders and refunds as fee records: one per order line (bill types 1, 2, 8) with the order's coupons and
cash split over the lines to the fen, one per refunded line (4, 24, negative), idempotent; paid package orders
as resource packages."""

from decimal import Decimal

import pytest
from django.utils import timezone

from bills import order_fees
from bills.choices import BillType, PackageStatus
from bills.models import FeeRecord, ResourcePackage
from bills.periods import cycle_of
from catalog.choices import Measure, PackageReset
from partnercenter.actors import Actor
from partnercenter.choices import ActorKind
from subscriptions import unsubscribing
from subscriptions.models import RefundItem, RefundPayout
from trade import services as trade

from ..trade.payment_helpers import period_item
from .rating_helpers import D, World, check_books

pytestmark = pytest.mark.django_db

SERVER = ("hws.resource.type.vm", "s6.small.1.linux")  # 73.70 a month
DISK = ("hws.resource.type.volume", "SSD")              # 1.00 per GB a month


def parts(fee):
    return fee.coupon_amount, fee.flexipurchase_coupon_amount, fee.cash_amount


def buy_server_and_disk(world):
    """Server 73.70 + 40 GB disk 40.00 = 113.70, paid with a 代金券 of 10.00, a 现金券 of 5.00 and 98.70 cash."""
    world.allocate("500.00")
    coupons = [world.issue("10.00"), world.issue("5.00", quota_type=1)]
    order = trade.place_order(world.resale_user, customer_id=world.resale.domain_id,
                              items=[period_item(*SERVER, item_id="vm"), period_item(*DISK, size=40, item_id="disk")])
    return trade.pay_order(world.resale_user, order_id=order.order_id, coupon_ids=coupons)


def test_each_line_is_a_fee_record_with_the_payment_split_to_the_fen():
    """10.00 over (73.70, 40.00): 6.4819… / 3.5180… → 6.48 / 3.51, the fen left to the larger remainder → 3.52;
    5.00: 3.2409… / 1.7590… → 3.24 / 1.76; cash the rest: 63.98 / 34.72 (98.70)."""
    world = World()
    order = buy_server_and_disk(world)

    counts = order_fees.record_missing()

    assert counts["order_fees"] == 2
    server, disk = FeeRecord.objects.filter(trade_id=order.order_id).order_by("source_ref")
    assert parts(server) == (D("6.48"), D("3.24"), D("63.98"))
    assert parts(disk) == (D("3.52"), D("1.76"), D("34.72"))
    assert (server.official_amount, server.consume_amount, disk.consume_amount) == (
        D("73.70"), D("73.70"), D("40.00"))
    assert server.bill_type == BillType.NEW and server.charging_mode == 1 and server.erase_amount == 0
    assert server.trans_id == order.order_id and server.trade_time == order.payment_time
    assert server.partner == world.partner and server.bill_cycle == cycle_of(order.payment_time)
    assert server.period_type == 2 and server.period_num == 1 and server.resource_id
    assert server.expire_time is not None and server.effective_time is not None
    check_books()


def test_recording_twice_records_once():
    world = World()
    buy_server_and_disk(world)
    first = order_fees.record_missing()
    second = order_fees.record_missing()
    assert (first["order_fees"], second["order_fees"], second["orders"]) == (2, 0, 0)
    assert FeeRecord.objects.count() == 2


def test_orders_paid_after_up_to_wait_and_on_demand_orders_are_not_recorded():
    world = World()
    world.allocate("100.00")
    from ..trade.payment_helpers import on_demand_item

    trade.place_order(world.resale_user, customer_id=world.resale.domain_id, items=[on_demand_item()])
    order = trade.place_order(world.resale_user, customer_id=world.resale.domain_id, items=[period_item()])
    trade.pay_order(world.resale_user, order_id=order.order_id)
    assert order_fees.record_missing(up_to=timezone.now() - timezone.timedelta(days=1))["order_fees"] == 0
    assert order_fees.record_missing()["order_fees"] == 1


def test_a_renewal_is_bill_type_2_and_the_schedulers_auto_renewal_8():
    world = World()
    world.allocate("500.00")
    first = trade.place_order(world.resale_user, customer_id=world.resale.domain_id, items=[period_item()])
    trade.pay_order(world.resale_user, order_id=first.order_id)
    resource = world.resale.resources.get(order_id=first.order_id)
    renewal = trade.place_order(world.resale_user, customer_id=world.resale.domain_id, order_type=2,
                                resource_ids=[resource.resource_id], items=[period_item()])
    trade.pay_order(world.resale_user, order_id=renewal.order_id)
    scheduler = Actor(ActorKind.SCHEDULER, customer=world.resale)
    auto = trade.place_order(scheduler, customer_id=world.resale.domain_id, order_type=2,
                             resource_ids=[resource.resource_id], items=[period_item()])
    trade.pay_order(scheduler, order_id=auto.order_id)

    order_fees.record_missing()

    kinds = dict(FeeRecord.objects.values_list("trade_id", "bill_type"))
    assert kinds == {first.order_id: BillType.NEW, renewal.order_id: BillType.RENEW, auto.order_id: BillType.AUTO_RENEW}


def test_a_refund_is_a_negative_fee_record_split_as_it_was_paid_back():
    world = World()
    order = buy_server_and_disk(world)
    server = world.resale.resources.get(order_id=order.order_id, is_main_resource=True)
    unsubscribing.unsubscribe(world.resale_user, resource_ids=[server.resource_id], unsubscribe_type=1)

    counts = order_fees.record_missing()
    assert counts["refund_fees"] == RefundItem.objects.count() == 2
    refunds = list(FeeRecord.objects.filter(bill_type=BillType.REFUND).order_by("source_ref"))
    items = {f"refund-{item.pk}": item for item in RefundItem.objects.all()}
    for fee in refunds:
        item = items[fee.source_ref]
        assert fee.official_amount == fee.consume_amount == -item.refund
        assert fee.coupon_amount + fee.flexipurchase_coupon_amount + fee.cash_amount == -item.refund
        assert fee.debt_amount == fee.writeoff_amount == 0 and fee.resource_id == item.resource_id
    payouts = {p.destination: p.amount for p in RefundPayout.objects.filter(coupon__isnull=True)}
    assert -sum(f.cash_amount for f in refunds) == payouts["customer_balance"]
    coupon_back = sum(p.amount for p in RefundPayout.objects.filter(coupon__coupon_type=1))
    assert -sum(f.coupon_amount for f in refunds) == coupon_back
    assert order_fees.record_missing()["refund_fees"] == 0
    check_books()


def test_split_keeps_rows_and_columns_exact():
    weights = [D("0.01"), D("0.01"), D("0.01"), D("99.97")]
    shares = order_fees.split([D("0.02"), D("0.01"), D("99.97")], weights)
    assert [sum(row) for row in shares] == weights
    assert [sum(col) for col in zip(*shares)] == [D("0.02"), D("0.01"), D("99.97")]
    assert all(x >= 0 for row in shares for x in row)


def test_a_paid_package_order_creates_its_package():
    """The OBS traffic package: 100 GB a month, reset monthly; two of them on one line: 200 GB."""
    world = World()
    world.allocate("500.00")
    order = trade.place_order(world.resale_user, customer_id=world.resale.domain_id,
                              items=[period_item("hws.resource.type.obs", "obs.upflow.pkg.100gb", quantity=2)])
    trade.pay_order(world.resale_user, order_id=order.order_id)

    counts = order_fees.record_missing()

    assert counts["packages"] == 1
    package = ResourcePackage.objects.get(order_id=order.order_id)
    line = order.lines.get()
    assert (package.original_amount, package.remaining, package.reset) == (
        D("200"), D("200"), PackageReset.RESETTABLE)
    assert package.usage_type.code == "upflow" and package.measure_id == Measure.GB
    assert (package.effective_time, package.expire_time, package.status) == (
        line.effective_time, line.expire_time, PackageStatus.EFFECTIVE)
    assert package.cycle_start == line.effective_time and package.cycle_end == line.expire_time
    assert order_fees.record_missing()["packages"] == 0
    assert ResourcePackage.objects.count() == 1


def test_an_unsubscribed_package_stops_paying():
    world = World()
    world.allocate("500.00")
    order = trade.place_order(world.resale_user, customer_id=world.resale.domain_id,
                              items=[period_item("hws.resource.type.obs", "obs.upflow.pkg.100gb")])
    trade.pay_order(world.resale_user, order_id=order.order_id)
    order_fees.record_missing()
    resource = world.resale.resources.get(order_id=order.order_id)
    unsubscribing.unsubscribe(world.resale_user, resource_ids=[resource.resource_id], unsubscribe_type=1)
    assert order_fees.record_missing()["packages_ended"] == 1
    assert ResourcePackage.objects.get().status == PackageStatus.UNSUBSCRIBED
    assert Decimal(0) >= FeeRecord.objects.get(bill_type=BillType.REFUND).consume_amount
