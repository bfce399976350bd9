"""Placing orders: a customer for itself, its partner on its behalf (代客下单) only under a valid 代客运维
grant; amounts priced by trade.pricing and quantized once; 账户余额小于等于0时不允许客户购买; pay-per-use
resources opened at once; cancelling; 云商店交易调价."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from catalog.models import ServiceType
from customers import services as customers
from customers.choices import ChargingMode, OnDemandStatus
from customers.models import OpsAuthorization, Resource
from events.models import Event
from partnercenter.errors import Codes, DomainError
from partnercenter.models import OperationLog, Partner
from trade import services
from trade.errors import TradeCodes
from trade.models import Order, OrderDiscount, OrderLine, PartnerDiscount, PriceAdjustment

from .payment_helpers import EC2, World, balance, on_demand_item, period_item, verify_ledger

pytestmark = pytest.mark.django_db

SERVER = ("hws.resource.type.vm", "s6.small.1.linux")    # 73.70 a month
DISK = ("hws.resource.type.volume", "SSD")               # 1.00 per GB a month
ERP = ("hws.resource.type.marketplace.saas", "saas.erp.standard")  # marketplace, 299.00 a month


@pytest.fixture
def world():
    return World()


def test_a_customer_orders_for_itself_priced_with_its_partner_discount(world, settings):
    settings.TRADE_PAYMENT_WINDOW = timedelta(hours=2)
    world.allocate("10.00")
    PartnerDiscount.objects.create(partner=world.partner, customer=world.resale, rate=Decimal("0.9000"),
                                   service_type=ServiceType.objects.get(code=EC2))

    order = services.place_order(world.resale_user, customer_id=world.resale.domain_id, items=[
        period_item(*SERVER, months=2, quantity=2, item_id="vm"), period_item(*DISK, size=40, item_id="disk")])

    # Server: 73.70 × 2 months × 2 = 294.80, 10% off (607) = 29.48; disk: 1.00 × 40 GB = 40.00, no discount.
    assert (order.official_amount, order.discount_amount, order.amount_after_discount) == (
        Decimal("334.80"), Decimal("29.48"), Decimal("305.32"))
    assert (order.status, order.order_type, order.source_type, order.partner, order.service_type.code) == (
        6, 1, 1, world.partner, EC2)
    assert order.pending_payment_end_time == order.create_time + timedelta(hours=2)
    vm, disk = OrderLine.objects.filter(order=order).order_by("id")
    assert (vm.official_amount, vm.discount_amount, vm.amount_after_discount, vm.subscription_num, vm.period_num) == (
        Decimal("294.80"), Decimal("29.48"), Decimal("265.32"), 2, 2)
    assert (disk.amount_after_discount, disk.resource_size, disk.parent_line_id) == (Decimal("40.00"), 40, vm.pk)
    [row] = OrderDiscount.objects.filter(order=order)
    assert (row.line_id, row.discount_type, row.amount) == (vm.pk, 607, Decimal("29.48"))
    assert Event.objects.get(type="order.created").data["order_id"] == order.order_id
    assert OperationLog.objects.get(action="order.place").result == "success"
    assert not Resource.objects.filter(order_id=order.order_id).exists()  # nothing until it is paid


def test_a_customer_whose_balance_is_zero_or_less_cannot_buy(world):
    with pytest.raises(DomainError) as refused:
        services.place_order(world.resale_user, customer_id=world.resale.domain_id, items=[period_item(*SERVER)])
    assert refused.value.code == TradeCodes.BALANCE_NOT_POSITIVE
    with pytest.raises(DomainError) as on_demand:
        services.place_order(world.resale_user, customer_id=world.resale.domain_id, items=[on_demand_item(*SERVER)])
    assert on_demand.value.code == TradeCodes.BALANCE_NOT_POSITIVE
    assert not Order.objects.exists()
    assert list(OperationLog.objects.filter(action="order.place").values_list("result", "error_code")) == [
        ("failure", TradeCodes.BALANCE_NOT_POSITIVE)] * 2


def test_a_referral_customer_orders_without_a_balance_to_ask_its_partner_to_pay(world):
    order = services.place_order(world.referral_user, customer_id=world.referral.domain_id,
                                 items=[period_item(*SERVER)])
    assert order.status == 6 and order.amount_after_discount == Decimal("73.70")


def test_a_customer_orders_only_for_itself(world):
    world.allocate("10.00")
    with pytest.raises(DomainError) as refused:
        services.place_order(world.resale_user, customer_id=world.referral.domain_id, items=[period_item(*SERVER)])
    assert refused.value.code == Codes.NOT_FOUND


def test_ordering_on_behalf_needs_a_granted_unexpired_authorization(world):
    place = lambda: services.place_order(world.admin, customer_id=world.resale.domain_id,  # noqa: E731
                                         items=[period_item(*SERVER)])
    with pytest.raises(DomainError) as never_asked:
        place()
    assert never_asked.value.code == TradeCodes.NOT_AUTHORIZED_TO_ORDER
    asked = customers.request_ops_authorization(world.admin, customer_id=world.resale.domain_id, reason="r")
    with pytest.raises(DomainError) as pending:
        place()
    assert pending.value.code == TradeCodes.NOT_AUTHORIZED_TO_ORDER
    customers.decide_ops_authorization(world.resale_user, authorization_id=asked.pk, agree=True)

    order = place()  # granted: the partner orders; the customer's zero balance does not stop it

    assert (order.source_type, order.status, order.partner) == (2, 6, world.partner)
    assert balance(world.resale) == 0
    OpsAuthorization.objects.filter(pk=asked.pk).update(valid_until=timezone.now() - timedelta(seconds=1))
    with pytest.raises(DomainError) as expired:
        place()
    assert expired.value.code == TradeCodes.NOT_AUTHORIZED_TO_ORDER
    assert Order.objects.count() == 1


def test_ordering_on_behalf_ends_with_the_association_and_needs_the_right(world):
    world.grant_ops()
    no_right = world.member_with("customers.view_all", "orders.view")
    with pytest.raises(DomainError) as forbidden:
        services.place_order(no_right, customer_id=world.resale.domain_id, items=[period_item(*SERVER)])
    assert forbidden.value.code == Codes.FORBIDDEN
    with pytest.raises(DomainError) as referral:  # referral customers buy for themselves
        services.place_order(world.admin, customer_id=world.referral.domain_id, items=[period_item(*SERVER)])
    assert referral.value.code == TradeCodes.NOT_AUTHORIZED_TO_ORDER
    event = customers.request_disassociation(world.admin, customer_id=world.resale.domain_id, reason="r")
    customers.decide_event(world.resale_user, event_id=event.pk, approve=True)
    with pytest.raises(DomainError) as gone:
        services.place_order(world.admin, customer_id=world.resale.domain_id, items=[period_item(*SERVER)])
    assert gone.value.code == Codes.NOT_FOUND  # no longer the partner's customer
    assert not Order.objects.exists()


def test_pay_per_use_resources_open_at_once_without_payment(world):
    world.allocate("10.00")
    order = services.place_order(world.resale_user, customer_id=world.resale.domain_id,
                                 items=[on_demand_item(*SERVER, quantity=2)])

    assert (order.status, order.amount_after_discount, order.payer, order.pending_payment_end_time) == (
        5, Decimal("0.00"), "customer", None)
    resources = list(Resource.objects.filter(order_id=order.order_id))
    assert len(resources) == 2
    for resource in resources:
        assert (resource.charging_mode, resource.status, resource.expire_time, resource.is_main_resource) == (
            ChargingMode.ON_DEMAND, OnDemandStatus.NORMAL, None, True)
    assert balance(world.resale) == Decimal("10.00")
    with pytest.raises(DomainError) as mixed:
        services.place_order(world.resale_user, customer_id=world.resale.domain_id,
                             items=[on_demand_item(*SERVER), period_item(*SERVER, item_id="2")])
    assert mixed.value.code == Codes.PARAMETER


def test_a_renewal_names_main_resources_of_the_customer(world):
    world.allocate("500.00")
    first = services.place_order(world.resale_user, customer_id=world.resale.domain_id, items=[
        period_item(*SERVER, item_id="vm"), period_item(*DISK, size=40, item_id="disk")])
    services.pay_order(world.resale_user, order_id=first.order_id)
    vm, disk = Resource.objects.filter(order_id=first.order_id).order_by("id")
    renew = lambda ids, items: services.place_order(  # noqa: E731
        world.resale_user, customer_id=world.resale.domain_id, order_type=2, resource_ids=ids, items=items)
    with pytest.raises(DomainError) as subordinate:
        renew([disk.resource_id], [period_item(*DISK, size=40)])
    assert subordinate.value.code == TradeCodes.NOT_MAIN_RESOURCE
    with pytest.raises(DomainError) as unknown:
        renew(["nope"], [period_item(*SERVER)])
    assert unknown.value.code == Codes.NOT_FOUND
    with pytest.raises(DomainError) as mismatched:
        renew([vm.resource_id], [period_item(*DISK, size=40)])
    assert mismatched.value.code == Codes.PARAMETER
    both = renew([vm.resource_id, disk.resource_id], [period_item(*SERVER, item_id="a"),
                                                      period_item(*DISK, size=40, item_id="b")])
    lines = list(OrderLine.objects.filter(order=both).order_by("id"))
    assert [line.resource_id for line in lines] == [vm.resource_id, disk.resource_id]
    assert lines[1].parent_line_id == lines[0].pk


def test_cancelling_an_order_ends_its_payment_request(world):
    world.allocate("100.00")
    order = services.place_order(world.resale_user, customer_id=world.resale.domain_id, items=[period_item(*SERVER)])
    request = services.request_partner_payment(world.resale_user, order_id=order.order_id)
    with pytest.raises(DomainError) as not_theirs:  # the partner cancels only what it placed
        services.cancel_order(world.admin, order_id=order.order_id)
    assert not_theirs.value.code == TradeCodes.ORDER_NOT_FOUND

    cancelled = services.cancel_order(world.resale_user, order_id=order.order_id)

    request.refresh_from_db()
    assert (cancelled.status, request.status) == (4, "withdrawn")
    assert cancelled.cancelled_at is not None
    with pytest.raises(DomainError) as again:
        services.cancel_order(world.resale_user, order_id=order.order_id)
    assert again.value.code == TradeCodes.ORDER_NOT_PENDING
    with pytest.raises(DomainError) as unpaid:
        services.pay_order(world.resale_user, order_id=order.order_id)
    assert unpaid.value.code == TradeCodes.ORDER_NOT_PENDING
    assert Event.objects.get(type="order.cancelled").data["cause"] == "customer"
    world.grant_ops()
    mine = services.place_order(world.admin, customer_id=world.resale.domain_id, items=[period_item(*SERVER)])
    assert services.cancel_order(world.admin, order_id=mine.order_id).status == 4


def marketplace_order(world):
    world.allocate("500.00")
    Partner.objects.filter(pk=world.partner.pk).update(marketplace_service_provider=True)
    world.partner.refresh_from_db()
    return services.place_order(world.resale_user, customer_id=world.resale.domain_id,
                                items=[period_item(*ERP)], sales_partner=world.partner)


def test_the_sales_partner_adjusts_a_marketplace_order_and_the_customer_pays_the_adjusted_price(world):
    order = marketplace_order(world)
    assert (order.is_marketplace, order.sales_partner, order.amount_after_discount) == (
        True, world.partner, Decimal("299.00"))

    adjusted = services.adjust_price(world.admin, order_id=order.order_id, amount="200.00", reason="年度框架价")

    assert (adjusted.official_amount, adjusted.discount_amount, adjusted.amount_after_discount) == (
        Decimal("299.00"), Decimal("99.00"), Decimal("200.00"))
    [row] = OrderDiscount.objects.filter(order=order)
    assert (row.discount_type, row.amount) == (609, Decimal("99.00"))
    [line] = OrderLine.objects.filter(order=order)
    assert (line.discount_amount, line.amount_after_discount) == (Decimal("99.00"), Decimal("200.00"))
    [adjustment] = PriceAdjustment.objects.all()
    assert (adjustment.amount_before, adjustment.amount_after, adjustment.reason, adjustment.partner) == (
        Decimal("299.00"), Decimal("200.00"), "年度框架价", world.partner)
    assert OperationLog.objects.get(action="order.adjust_price").result == "success"
    assert Event.objects.get(type="order.price_adjusted").data["amount"] == "200.00"
    # Lowered once more, then paid at the adjusted price.
    services.adjust_price(world.admin, order_id=order.order_id, amount="150.00", reason="再让利")
    services.pay_order(world.resale_user, order_id=order.order_id)
    assert balance(world.resale) == Decimal("350.00")
    assert sorted(OrderDiscount.objects.filter(order=order).values_list("amount", flat=True)) == [
        Decimal("50.00"), Decimal("99.00")]
    assert "Ledger verified" in verify_ledger()


@pytest.mark.parametrize("amount, code", [
    ("149.49", TradeCodes.ADJUSTMENT_OUT_OF_BOUNDS),  # below 50% of 299.00 (149.50)
    ("299.00", TradeCodes.ADJUSTMENT_OUT_OF_BOUNDS),  # not lower
    ("0", Codes.PARAMETER),
    ("150.001", Codes.PARAMETER),
])
def test_an_adjustment_out_of_bounds_is_refused(world, amount, code):
    order = marketplace_order(world)
    with pytest.raises(DomainError) as refused:
        services.adjust_price(world.admin, order_id=order.order_id, amount=amount, reason="r")
    assert refused.value.code == code
    order.refresh_from_db()
    assert order.amount_after_discount == Decimal("299.00") and not PriceAdjustment.objects.exists()
    assert services.adjust_price(world.admin, order_id=order.order_id, amount="149.50",
                                 reason="r").amount_after_discount == Decimal("149.50")


def test_only_the_selected_sales_partner_adjusts_a_pending_marketplace_order_with_a_reason(world):
    order = marketplace_order(world)
    with pytest.raises(DomainError) as reasonless:
        services.adjust_price(world.admin, order_id=order.order_id, amount="200.00", reason=" ")
    assert reasonless.value.code == Codes.PARAMETER
    plain = services.place_order(world.resale_user, customer_id=world.resale.domain_id, items=[period_item(*SERVER)])
    with pytest.raises(DomainError) as not_marketplace:
        services.adjust_price(world.admin, order_id=plain.order_id, amount="50.00", reason="r")
    assert not_marketplace.value.code == TradeCodes.ADJUSTMENT_NOT_ALLOWED
    unselected = services.place_order(world.resale_user, customer_id=world.resale.domain_id,
                                      items=[period_item(*ERP)])
    with pytest.raises(DomainError) as not_selected:
        services.adjust_price(world.admin, order_id=unselected.order_id, amount="200.00", reason="r")
    assert not_selected.value.code == TradeCodes.ADJUSTMENT_NOT_ALLOWED
    viewer = world.member_with("orders.view", "customers.view_all")
    with pytest.raises(DomainError) as forbidden:
        services.adjust_price(viewer, order_id=order.order_id, amount="200.00", reason="r")
    assert forbidden.value.code == Codes.FORBIDDEN
    Partner.objects.filter(pk=world.partner.pk).update(marketplace_service_provider=False)
    world.partner.refresh_from_db()
    with pytest.raises(DomainError) as not_in_programme:
        services.adjust_price(world.admin, order_id=order.order_id, amount="200.00", reason="r")
    assert not_in_programme.value.code == TradeCodes.ADJUSTMENT_NOT_ALLOWED
    Partner.objects.filter(pk=world.partner.pk).update(marketplace_service_provider=True)
    world.partner.refresh_from_db()
    services.pay_order(world.resale_user, order_id=order.order_id)
    with pytest.raises(DomainError) as paid:
        services.adjust_price(world.admin, order_id=order.order_id, amount="200.00", reason="r")
    assert paid.value.code == TradeCodes.ORDER_NOT_PENDING


def test_an_order_placed_on_behalf_is_told_to_the_partner_and_the_customer(world):
    world.grant_ops()
    order = services.place_order(world.admin, customer_id=world.resale.domain_id, items=[period_item(*SERVER)])
    event = Event.objects.get(type="order.created")
    assert (event.data["order_id"], event.data["source_type"], event.partner, event.customer_pk) == (
        order.order_id, 2, world.partner, world.resale.pk)
    with translation.override("en"):
        assert event.text == (f"You placed order {order.order_id} for customer {world.resale.domain_name} "
                              "(¥73.70).")
        assert event.text_for("customer") == f"Order {order.order_id} (¥73.70) was placed for your account."
