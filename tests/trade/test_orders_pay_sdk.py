"""Paying and cancelling orders through the official SDK (huaweicloudsdkbss BssClient) on a live server:
POST /v3/orders/customer-orders/pay and PUT /v2/orders/customer-orders/cancel, customer keys only; each
documented refusal answers its CBC code and changes nothing (orders, coupons, balances, the ledger)."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from huaweicloudsdkbss.v2 import (
    CancelCustomerOrderReq, CancelCustomerOrderRequest, DiscountSimpleInfoV3, ListOrderCouponsByOrderIdRequest,
    PayCustomerOrderV3Req, PayOrdersRequest,
)

from billing import services as billing_services
from trade.choices import DiscountType, OrderStatus, SourceType
from trade.models import Order

from ..billing_helpers import fund
from ..conftest import actor_of
from .order_factories import EC2, EVS, make_order
from .order_sdk import (  # noqa: F401 — the fixtures book and funded
    book_fixture, customer_client, funded_fixture, issue_coupon, orders, partner_client, pay, refused, state, utc,
)

pytestmark = pytest.mark.django_db(transaction=True)


# -------------------------------------------------------------------------------------------------
# Pay and cancel
# -------------------------------------------------------------------------------------------------

def test_the_customer_pays_with_two_coupons_and_its_balance(live_server, funded):
    from billing.selectors import customer_account_of

    cash = issue_coupon(funded, "10.00", service_types=[EC2, EVS])
    flexi = issue_coupon(funded, "3.00", quota_type=1)
    client = customer_client(live_server, funded)

    pay(client, funded.pending.order_id, coupons=[(cash.coupon_id, 301), (flexi.coupon_id, 302)],
         discount=(f"607-{funded.resale.domain_id}", 3))

    order = Order.objects.get(pk=funded.pending.pk)
    cash.refresh_from_db()
    flexi.refresh_from_db()
    assert (order.status, order.coupon_amount, order.flexipurchase_coupon_amount, order.cash_amount) == (
        OrderStatus.COMPLETED, Decimal("10.00"), Decimal("3.00"), Decimal("55.40"))
    assert (cash.balance, cash.status, flexi.balance, flexi.status) == (Decimal("0.00"), 3, Decimal("0.00"), 3)
    assert customer_account_of(funded.resale).balance == Decimal("44.60")
    listed = orders(client, order_id=order.order_id).order_infos[0]
    assert (listed.status, listed.payment_time) == (5, utc(order.payment_time))
    assert (listed.amount_info.coupon_amount, listed.amount_info.flexipurchase_coupon_amount) == (10.0, 3.0)
    assert listed.agent_pay_info.is_agent_pay is False
    # used up: no longer offered on another order
    assert customer_client(live_server, funded).list_order_coupons_by_order_id(
        ListOrderCouponsByOrderIdRequest(order_id=funded.pending.order_id)).count == 0
    call_command("verify_ledger")
    call_command("verify_counts")


def test_an_order_the_partner_paid_shows_it_as_the_paying_agent(live_server, funded):
    from trade import services

    placed = make_order(funded.resale, partner=funded.partner, source_type=SourceType.AGENT)
    services.pay_for_customer(actor_of(funded.admin), order_id=placed.order_id)
    client = customer_client(live_server, funded)

    (listed,) = orders(client, order_id=placed.order_id).order_infos
    assert (listed.status, listed.source_type) == (5, 2)
    assert (listed.agent_pay_info.is_agent_pay, listed.agent_pay_info.paying_agent_id) == (
        True, funded.partner.domain_id)
    before = state()
    assert refused(lambda: pay(client, placed.order_id)) == (400, "CBC.99008002")
    assert state() == before


@pytest.mark.parametrize("case", [
    "coupon YES without coupons", "coupon NO with coupons", "four coupons", "a coupon twice", "unknown coupon type",
    "discount YES without one", "discount NO with one", "two discounts", "not the order's discount",
    "bad use_coupon",
])
def test_bad_payment_combinations_are_parameter_errors_and_change_nothing(live_server, funded, case):
    coupon = issue_coupon(funded, "10.00", service_types=[EC2])
    discount = (f"607-{funded.resale.domain_id}", 3)
    order_id = funded.pending.order_id
    c = (coupon.coupon_id, 301)
    body = {
        "coupon YES without coupons": dict(use_coupon="YES", coupons=[]),
        "coupon NO with coupons": dict(use_coupon="NO", coupons=[c]),
        "four coupons": dict(coupons=[c, ("B", 301), ("C", 301), ("D", 301)]),
        "a coupon twice": dict(coupons=[c, c]),
        "unknown coupon type": dict(coupons=[(coupon.coupon_id, 304)]),
        "discount YES without one": dict(use_discount="YES"),
        "discount NO with one": dict(use_discount="NO", discount=discount),
        "two discounts": None,
        "not the order's discount": dict(discount=("607-somebody-else", 3)),
        "bad use_coupon": dict(use_coupon="yes"),
    }[case]
    client = customer_client(live_server, funded)
    before = state()
    if body is None:
        request = PayOrdersRequest(body=PayCustomerOrderV3Req(
            order_id=order_id, use_coupon="NO", use_discount="YES",
            discount_infos=[DiscountSimpleInfoV3(id=discount[0], type=3), DiscountSimpleInfoV3(id="x", type=0)]))
        assert refused(lambda: client.pay_orders(request)) == (400, "CBC.0100")
    else:
        assert refused(lambda: pay(client, order_id, **body)) == (400, "CBC.0100")
    assert state() == before


def test_an_adjusted_order_must_be_paid_with_its_adjustment(live_server, funded):
    adjusted = make_order(funded.resale, partner=funded.partner, lines=(("server", "36.00", "6.00"),),
                          discount_type=DiscountType.PRICE_ADJUSTMENT, discount_id="609-1")
    client = customer_client(live_server, funded)
    before = state()

    assert refused(lambda: pay(client, adjusted.order_id)) == (400, "CBC.0100")
    assert refused(lambda: pay(client, adjusted.order_id, discount=("609-1", 3))) == (400, "CBC.0100")
    assert state() == before
    pay(client, adjusted.order_id, discount=("609-1", 609))
    assert Order.objects.get(pk=adjusted.pk).status == OrderStatus.COMPLETED


def test_payment_refusals_answer_their_codes_and_change_nothing(live_server, funded):
    cash = issue_coupon(funded, "10.00", service_types=[EC2])
    client = customer_client(live_server, funded)
    before = state()

    # a partner key may not pay through this endpoint (余额支付 is the partner's own operation)
    assert refused(lambda: pay(partner_client(live_server, funded), funded.pending.order_id)) == (403, "CBC.0151")
    # another customer's order, another partner's, a made-up one
    for order_id in (funded.partner_paid.order_id, funded.other.order_id, "CS0000000000XXXXX"):
        assert refused(lambda: pay(client, order_id)) == (404, "CBC.99008001")
    # not waiting for payment
    for order_id in (funded.completed.order_id, funded.cancelled.order_id):
        assert refused(lambda: pay(client, order_id)) == (400, "CBC.99008002")
    # a cash coupon named as a flexi-purchase one; a coupon outside the order's service types
    assert refused(lambda: pay(client, funded.pending.order_id, coupons=[(cash.coupon_id, 302)])) == (
        400, "CBC.99008005")
    obs_only = issue_coupon(funded, "5.00", service_types=["hws.service.type.obs"])
    before = state()
    assert refused(lambda: pay(client, funded.pending.order_id, coupons=[(obs_only.coupon_id, 301)])) == (
        400, "CBC.99008005")
    assert state() == before


def test_a_customer_without_balance_cannotpay(live_server, book):
    coupon = issue_coupon(book, "10.00", service_types=[EC2, EVS])
    client = customer_client(live_server, book)
    before = state()

    # 账户余额小于等于0时，不允许客户购买 — even with a coupon
    assert refused(lambda: pay(client, book.pending.order_id, coupons=[(coupon.coupon_id, 301)])) == (
        400, "CBC.99008003")
    assert state() == before


def test_a_balance_that_does_not_cover_the_order_is_refused(live_server, book):
    fund(book.partner, "500.00")
    billing_services.allocate_to_customer(actor_of(book.admin), customer_id=book.resale.domain_id, amount="50.00")
    client = customer_client(live_server, book)
    before = state()

    assert refused(lambda: pay(client, book.pending.order_id)) == (400, "CBC.99008004")
    assert state() == before


def test_the_customer_cancels_a_pending_order(live_server, book):
    client = customer_client(live_server, book)
    before = state()

    assert refused(lambda: partner_client(live_server, book).cancel_customer_order(CancelCustomerOrderRequest(
        body=CancelCustomerOrderReq(order_id=book.pending.order_id)))) == (403, "CBC.0151")
    for order_id in (book.partner_paid.order_id, book.other.order_id):
        assert refused(lambda: client.cancel_customer_order(CancelCustomerOrderRequest(
            body=CancelCustomerOrderReq(order_id=order_id)))) == (404, "CBC.99008001")
    assert refused(lambda: client.cancel_customer_order(CancelCustomerOrderRequest(
        body=CancelCustomerOrderReq(order_id=book.completed.order_id)))) == (400, "CBC.99008002")
    assert state() == before

    client.cancel_customer_order(CancelCustomerOrderRequest(body=CancelCustomerOrderReq(order_id=book.pending.order_id)))

    assert Order.objects.get(pk=book.pending.pk).status == OrderStatus.CANCELLED
    assert orders(client, order_id=book.pending.order_id).order_infos[0].status == 4
    assert refused(lambda: client.cancel_customer_order(CancelCustomerOrderRequest(
        body=CancelCustomerOrderReq(order_id=book.pending.order_id)))) == (400, "CBC.99008002")


