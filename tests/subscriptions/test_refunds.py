"""Refund arithmetic against hand-computed cases (subscriptions/refunds.py states the rule): mid-period, renewals
only, paid partly by coupons, partner-paid, after the association ended — each through the real services
(orders placed and paid through trade, at moments fixed with time-machine), the ledger verified after each.

Every expected amount below is worked out by hand in the comments, not by the code's formula."""

from decimal import Decimal

import pytest

from customers import services as customers
from customers.models import Association
from events.models import Event
from partnercenter.models import OperationLog
from subscriptions import refunds, unsubscribing
from subscriptions.errors import SubscriptionCodes
from subscriptions.models import RefundItem, RefundPayout, Unsubscription
from tests.trade.payment_helpers import EC2, World, balance, coupon, ledger_of, partner_cash, period_item, verify_ledger
from trade.models import Order

from .refund_helpers import DISK, SERVER, at, buy, moment, renew, resource_of, set_fee, snapshot

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def world():
    with at("2025-12-31 00:00"):
        return World()


def items_of(order):
    return [(i.resource_id, i.paid, i.used, i.fee, i.refund) for i in RefundItem.objects.filter(order=order)]


def payouts_of(order):
    return [(p.destination, p.amount, p.coupon.coupon_id if p.coupon else None, p.partner_id)
            for p in RefundPayout.objects.filter(order=order)]


def test_the_worked_example_mid_period_part_coupon_with_a_handling_fee(world):
    """The module docstring's example: 73.70 paid 20.00 by a 代金券 + 53.70 from the balance on 2026-01-01,
    10% fee, unsubscribed 2026-01-11 12:00 (10.5 of 31 days)."""
    set_fee(EC2, "0.10")
    with at("2026-01-01 00:00"):
        world.allocate("200.00")
        cash_coupon = world.issue("20.00")
    bought = buy(world.resale_user, world.resale, when="2026-01-01 00:00", coupons=[cash_coupon])
    vm = resource_of(bought)
    assert balance(world.resale) == D("146.30")  # 200.00 − 53.70

    with at("2026-01-11 12:00"):
        outcome = unsubscribing.unsubscribe(world.resale_user, resource_ids=[vm.resource_id], unsubscribe_type=1,
                                            reason_type=5, reason="不再需要")

    assert outcome.failures == []
    [order] = outcome.orders
    # used = 73.70 × 10.5/31 = 24.9629… → 24.96; fee = (73.70 − 24.96) × 10% = 4.874 → 4.87;
    # refund = 73.70 − 24.96 − 4.87 = 43.87
    assert items_of(order) == [(vm.resource_id, D("73.70"), D("24.96"), D("4.87"), D("43.87"))]
    # coupon: floor(43.87 × 20.00 / 73.70) = floor(11.905…) = 11.90; balance: 43.87 − 11.90 = 31.97
    assert payouts_of(order) == [("coupon", D("11.90"), cash_coupon, None),
                                 ("customer_balance", D("31.97"), None, None)]
    order.refresh_from_db()
    assert (order.order_type, order.status, order.source_type, order.payer) == (4, 5, 1, "")
    assert (order.official_amount, order.amount_after_discount, order.coupon_amount,
            order.flexipurchase_coupon_amount, order.cash_amount) == (D("43.87"), D("43.87"), D("11.90"), D("0"),
                                                                     D("31.97"))
    assert order.base_order_id == bought.pk and order.partner_id == world.partner.pk
    assert order.service_type.code == EC2
    assert balance(world.resale) == D("178.27")  # 146.30 + 31.97
    assert (coupon(cash_coupon).balance, coupon(cash_coupon).status) == (D("11.90"), 2)  # effective again
    assert ledger_of(world.resale)[-1] == ("REFUND", D("31.97"), D("178.27"))
    vm.refresh_from_db()
    assert vm.status == 3
    row = Unsubscription.objects.get(order=order)
    assert (row.resource_id, row.unsubscribe_type, row.reason_type, row.reason) == (vm.resource_id, 1, 5, "不再需要")
    event = Event.objects.get(type="subscription.unsubscribed")
    assert event.data["amount"] == "43.87" and event.data["order_id"] == order.order_id
    assert OperationLog.objects.filter(action="subscription.unsubscribe", result="success").count() == 1
    assert "Ledger verified" in verify_ledger()


def test_a_server_and_its_disk_unsubscribed_mid_period_refund_both(world):
    """Server 73.70 + a 40 GB SSD 40.00 (a subordinate) from the balance on 2026-01-01; no fee; unsubscribed
    2026-01-16 00:00, 15 of 31 days in."""
    with at("2026-01-01 00:00"):
        world.allocate("200.00")
    bought = buy(world.resale_user, world.resale, when="2026-01-01 00:00",
                 items=[period_item(*SERVER, item_id="vm"), period_item(*DISK, size=40, item_id="disk")])
    vm, disk = resource_of(bought), resource_of(bought, main=False)

    with at("2026-01-16 00:00"):
        [order] = unsubscribing.unsubscribe(world.resale_user, resource_ids=[vm.resource_id],
                                            unsubscribe_type=1, reason_type=1).orders

    # server: 73.70 × 15/31 = 35.661… → 35.66 used, 38.04 back; disk: 40.00 × 15/31 = 19.354… → 19.35 used, 20.65 back
    assert sorted(items_of(order)) == sorted([(vm.resource_id, D("73.70"), D("35.66"), D("0.00"), D("38.04")),
                                              (disk.resource_id, D("40.00"), D("19.35"), D("0.00"), D("20.65"))])
    assert payouts_of(order) == [("customer_balance", D("58.69"), None, None)]  # 38.04 + 20.65
    assert balance(world.resale) == D("144.99")  # 200.00 − 113.70 + 58.69
    disk.refresh_from_db()
    assert disk.status == 3
    assert "Ledger verified" in verify_ledger()


def test_renewals_only_then_the_resource_each_line_refunded_once(world):
    """1 month bought 2026-01-01 (73.70), renewed 2026-01-10 for 2 months (147.40, from 2026-02-01 to
    2026-04-01), both from the balance; 10% fee. On 2026-01-20: type 2, then type 1."""
    set_fee(EC2, "0.10")
    with at("2026-01-01 00:00"):
        world.allocate("500.00")
    vm = resource_of(buy(world.resale_user, world.resale, when="2026-01-01 00:00"))
    renewal = renew(world.resale_user, world.resale, vm, when="2026-01-10 00:00", months=2)
    vm.refresh_from_db()
    assert vm.expire_time == moment("2026-04-01 00:00")
    assert balance(world.resale) == D("278.90")  # 500.00 − 73.70 − 147.40

    with at("2026-01-20 00:00"):
        plan = unsubscribing.preview(world.resale_user, resource_id=vm.resource_id, unsubscribe_type=2)
        assert plan.new_expire_time == moment("2026-02-01 00:00")
        [order] = unsubscribing.unsubscribe(world.resale_user, resource_ids=[vm.resource_id],
                                            unsubscribe_type=2, reason_type=2).orders

    # the renewal has not started: used 0; fee 147.40 × 10% = 14.74; refund 132.66
    assert items_of(order) == [(vm.resource_id, D("147.40"), D("0.00"), D("14.74"), D("132.66"))]
    assert RefundItem.objects.get(order=order).base_order_id == renewal.pk
    assert balance(world.resale) == D("411.56")  # 278.90 + 132.66
    vm.refresh_from_db()
    assert (vm.status, vm.expire_time) == (2, moment("2026-02-01 00:00"))  # still in use, until the bought month ends

    with at("2026-01-20 00:00"):
        before = snapshot(world.resale)
        again = unsubscribing.unsubscribe(world.resale_user, resource_ids=[vm.resource_id], unsubscribe_type=2)
        assert [(f.code) for f in again.failures] == [SubscriptionCodes.NOTHING_TO_REFUND]
        assert snapshot(world.resale) == before
        [last] = unsubscribing.unsubscribe(world.resale_user, resource_ids=[vm.resource_id],
                                           unsubscribe_type=1).orders

    # only the bought month is left: 19 of 31 days used: 73.70 × 19/31 = 45.170… → 45.17;
    # fee (73.70 − 45.17) × 10% = 2.853 → 2.85; refund 73.70 − 45.17 − 2.85 = 25.68
    assert items_of(last) == [(vm.resource_id, D("73.70"), D("45.17"), D("2.85"), D("25.68"))]
    assert balance(world.resale) == D("437.24")  # 411.56 + 25.68
    assert "Ledger verified" in verify_ledger()


def test_a_partner_paid_order_is_refunded_to_the_partner(world):
    """The partner places (代客下单) and pays (余额支付) a server on 2026-01-01; the customer unsubscribes on
    2026-01-11 12:00: used 24.96 as in the worked example, no fee: 73.70 − 24.96 = 48.74 to the partner."""
    with at("2026-01-01 00:00"):
        world.grant_ops()
    bought = buy(world.resale_user, world.resale, when="2026-01-01 00:00", payer=world.admin)
    vm = resource_of(bought)
    cash_before, balance_before = partner_cash(world.partner), balance(world.resale)

    with at("2026-01-11 12:00"):
        [order] = unsubscribing.unsubscribe(world.resale_user, resource_ids=[vm.resource_id],
                                            unsubscribe_type=1).orders

    assert items_of(order) == [(vm.resource_id, D("73.70"), D("24.96"), D("0.00"), D("48.74"))]
    assert payouts_of(order) == [("partner_cash", D("48.74"), None, world.partner.pk)]
    assert partner_cash(world.partner) == cash_before + D("48.74")
    assert balance(world.resale) == balance_before
    assert ledger_of(world.partner)[-1][:2] == ("REFUND", D("48.74"))
    assert "Ledger verified" in verify_ledger()


def test_after_the_association_ended_cash_goes_to_that_partner_and_its_reclaimed_coupon_is_forfeited(world):
    """Paid 2026-01-01 during the resale association: 30.00 by the partner's 代金券, 43.70 from the allocated
    balance. The association ends on 2026-01-05 (the balance left is reclaimed). Unsubscribed 2026-01-11 12:00:
    refund 48.74 (as above, no fee): coupon floor(48.74 × 30.00 / 73.70) = floor(19.839…) = 19.83 — the
    partner's coupon is not given back after its association ended, so forfeited; cash 48.74 − 19.83 = 28.91 to
    the partner of the association."""
    with at("2026-01-01 00:00"):
        world.allocate("100.00")
        partner_coupon = world.issue("30.00")
    vm = resource_of(buy(world.resale_user, world.resale, when="2026-01-01 00:00", coupons=[partner_coupon]))
    with at("2026-01-05 00:00"):
        event = customers.request_disassociation(world.admin, customer_id=world.resale.domain_id, reason="合作结束")
        customers.decide_event(world.resale_user, event_id=event.pk, approve=True)
    assert not Association.objects.filter(customer=world.resale, ended_on__isnull=True).exists()
    cash_before, balance_before = partner_cash(world.partner), balance(world.resale)
    assert balance_before == D("0.00")  # the 56.30 left was reclaimed

    with at("2026-01-11 12:00"):
        [order] = unsubscribing.unsubscribe(world.resale_user, resource_ids=[vm.resource_id],
                                            unsubscribe_type=1).orders

    assert items_of(order) == [(vm.resource_id, D("73.70"), D("24.96"), D("0.00"), D("48.74"))]
    assert payouts_of(order) == [("forfeited", D("19.83"), partner_coupon, None),
                                 ("partner_cash", D("28.91"), None, world.partner.pk)]
    order.refresh_from_db()
    # what was actually refunded: the cash only; the refund of the partner's order is the partner's (no partner
    # now): in its 订单管理, its ledger entry naming it, and it is told (unsubscribing.py "Whose refund")
    assert (order.amount_after_discount, order.coupon_amount, order.cash_amount, order.partner_id) == (
        D("28.91"), D("0.00"), D("28.91"), world.partner.pk)
    assert [(e.partner_id, e.data["amount"]) for e in Event.objects.filter(type="subscription.unsubscribed")] == [
        (world.partner.pk, "28.91")]
    assert partner_cash(world.partner) == cash_before + D("28.91")
    assert balance(world.resale) == balance_before
    # used up at checkout (so nothing to reclaim at the disassociation), and it stays so
    assert (coupon(partner_coupon).status, coupon(partner_coupon).balance) == (3, D("0.00"))
    assert "Ledger verified" in verify_ledger()


def test_a_flexi_coupon_part_is_restored_and_counted_as_such(world):
    """73.70 paid 50.00 by a 现金券 + 23.70 from the balance; unsubscribed 2026-01-11 12:00 (refund 48.74, no fee):
    coupon floor(48.74 × 50.00 / 73.70) = floor(33.066…) = 33.06; balance 48.74 − 33.06 = 15.68."""
    with at("2026-01-01 00:00"):
        world.allocate("100.00")
        flexi = world.issue("50.00", quota_type=1)
    vm = resource_of(buy(world.resale_user, world.resale, when="2026-01-01 00:00", coupons=[flexi]))

    with at("2026-01-11 12:00"):
        [order] = unsubscribing.unsubscribe(world.resale_user, resource_ids=[vm.resource_id],
                                            unsubscribe_type=1).orders

    assert payouts_of(order) == [("coupon", D("33.06"), flexi, None), ("customer_balance", D("15.68"), None, None)]
    order.refresh_from_db()
    assert (order.coupon_amount, order.flexipurchase_coupon_amount, order.cash_amount) == (
        D("0.00"), D("33.06"), D("15.68"))
    assert coupon(flexi).balance == D("33.06")
    assert balance(world.resale) == D("91.98")  # 100.00 − 23.70 + 15.68
    assert "Ledger verified" in verify_ledger()


def test_the_split_never_gives_a_source_more_than_it_has_left():
    """R = 10.00 of an order paid 5.00 by a coupon and 5.00 in cash, the coupon already given back 4.00 by an
    earlier refund: the coupon's proportional 5.00 is capped at its room 1.00, the excess 4.00 goes to cash (9.00
    room would be impossible in real data; here it shows the move)."""
    shares = refunds._split(D("10.00"), D("10.00"), [(7, D("5.00"), D("1.00")), (refunds.CASH, D("5.00"),
                                                                                D("9.00"))])
    assert shares == {7: D("1.00"), refunds.CASH: D("9.00")}
    # proportional, rounded down for the coupons: 2.00 × 1.00/3.00 = 0.666… → 0.66; cash the rest 1.34
    assert refunds._split(D("2.00"), D("3.00"), [(1, D("1.00"), D("1.00")), (refunds.CASH, D("2.00"), D("2.00"))]) \
        == {1: D("0.66"), refunds.CASH: D("1.34")}


def test_the_used_part_is_clamped_to_the_period():
    start, end = moment("2026-01-01 00:00"), moment("2026-02-01 00:00")
    assert refunds.used_share(D("73.70"), start, end, moment("2025-12-01 00:00")) == D("0.00")
    assert refunds.used_share(D("73.70"), start, end, moment("2026-03-01 00:00")) == D("73.70")
    # 1 second of 31 days: 73.70 / 2,678,400 = 0.0000275… → 0.00
    assert refunds.used_share(D("73.70"), start, end, moment("2026-01-01 00:00:01")) == D("0.00")


def test_two_servers_on_one_line_each_refund_their_share(world):
    """One line buys 3 servers for 221.10 (73.70 each); unsubscribing one at 2026-01-11 12:00 refunds its
    third only: 48.74, the other two stay in use."""
    with at("2026-01-01 00:00"):
        world.allocate("300.00")
    bought = buy(world.resale_user, world.resale, when="2026-01-01 00:00",
                 items=[period_item(*SERVER, quantity=3, item_id="vm")])
    first, *others = list(Order.objects.get(pk=bought.pk).customer.resources.order_by("pk"))

    with at("2026-01-11 12:00"):
        [order] = unsubscribing.unsubscribe(world.resale_user, resource_ids=[first.resource_id],
                                            unsubscribe_type=1).orders

    assert items_of(order) == [(first.resource_id, D("73.70"), D("24.96"), D("0.00"), D("48.74"))]
    assert balance(world.resale) == D("127.64")  # 300.00 − 221.10 + 48.74
    assert [r.status for r in others] == [2, 2]
    assert "Ledger verified" in verify_ledger()


def test_type_2_leaves_a_renewal_already_running(world):
    """Bought 2026-01-01 for a month, renewed twice by a month (2026-02-01…03-01 and 03-01…04-01), 73.70 each, no
    fee. On 2026-02-10 the first renewal runs: type 2 refunds only the second, whole — 73.70 — and the expiry
    moves back to 2026-03-01."""
    with at("2026-01-01 00:00"):
        world.allocate("300.00")
    vm = resource_of(buy(world.resale_user, world.resale, when="2026-01-01 00:00"))
    renew(world.resale_user, world.resale, vm, when="2026-01-10 00:00")
    later = renew(world.resale_user, world.resale, vm, when="2026-01-11 00:00")

    with at("2026-02-10 00:00"):
        [order] = unsubscribing.unsubscribe(world.resale_user, resource_ids=[vm.resource_id],
                                            unsubscribe_type=2).orders

    assert items_of(order) == [(vm.resource_id, D("73.70"), D("0.00"), D("0.00"), D("73.70"))]
    assert RefundItem.objects.get(order=order).base_order_id == later.pk
    vm.refresh_from_db()
    assert (vm.status, vm.expire_time) == (2, moment("2026-03-01 00:00"))
    assert balance(world.resale) == D("152.60")  # 300.00 − 3 × 73.70 + 73.70
    assert "Ledger verified" in verify_ledger()


def test_the_units_of_a_purchase_line_share_its_amount_to_the_fen():
    """3 servers at 73.70 with a 15% partner discount: the line is 187.935 → 187.94; the units' shares are
    62.65, 62.65 and 62.64 (the two fen left over to the first units), and unsubscribing all three at once
    refunds the whole 187.94."""
    import time_machine
    from decimal import Decimal

    from catalog.models import ServiceType
    from customers.models import Resource
    from subscriptions import unsubscribing
    from trade import services as trade

    from ..trade.payment_helpers import World, period_item, verify_ledger
    from ..trade.pricing_helpers import set_discount_row

    world = World()
    world.allocate("1000.00")
    set_discount_row(world.partner, world.resale, ServiceType.objects.get(code="hws.service.type.ec2"), "0.85")
    with time_machine.travel("2026-03-01T00:00:00Z", tick=False):
        order = trade.place_order(world.resale_user, customer_id=world.resale.domain_id,
                                  items=[period_item(quantity=3)])
        assert order.amount_after_discount == Decimal("187.94")
        trade.pay_order(world.resale_user, order_id=order.order_id)
        servers = list(Resource.objects.filter(order_id=order.order_id).order_by("pk"))
        outcome = unsubscribing.unsubscribe(world.resale_user, resource_ids=[r.resource_id for r in servers],
                                            unsubscribe_type=1)
    assert [o.amount_after_discount for o in outcome.orders] == [Decimal("62.65"), Decimal("62.65"), Decimal("62.64")]
    assert "Ledger verified" in verify_ledger()
