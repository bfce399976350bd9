"""`seed_demo` builds the whole demo (every app's `demo.seed`) and a second run adds nothing; the subscriptions
it promises are there (subscriptions/demo.py: resources in every state, auto-renewals, one switching to pay-per-use
at expiry, an unsubscription with its refund, a partner-paid resource; the key's customer able to renew, switch and
unsubscribe); the customer key it prints walks the trade flow through the official SDK: pending orders it can
afford, coupons usable on them, paying one, and the ledger still proving every balance."""

import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from huaweicloudsdkbss.v2 import (
    CouponSimpleInfoOrderPayV3, ListCustomerOrdersRequest, ListOrderCouponsByOrderIdRequest, PayCustomerOrderV3Req,
    PayOrdersRequest, ShowCustomerOrderDetailsRequest,
)

from billing.models import CustomerAccount, LedgerEntry
from catalog.choices import ChargeMode
from catalog.models import Product, ServiceType
from customers.models import Resource
from events.models import Event
from partnercenter.actors import actor_for_user
from partnercenter.models import AccessKey
from subscriptions import renewal, services as subscriptions
from subscriptions.choices import ExpirePolicy, PayoutDestination, UnsubscribeType
from subscriptions.models import AutoRenewal, RefundItem, RefundPayout, Unsubscription
from trade.models import Order
from vouchers.models import Coupon, CouponQuota

from ..signed import bss_client

pytestmark = pytest.mark.django_db(transaction=True)


def _seed() -> dict:
    out = io.StringIO()
    call_command("seed_demo", "--json", stdout=out)
    return json.loads(out.getvalue())


def test_seed_demo_runs_twice_and_its_customer_key_walks_the_trade_flow(live_server):
    first = _seed()
    counts = (Order.objects.count(), LedgerEntry.objects.count(), Resource.objects.count())
    second = _seed()
    assert (Order.objects.count(), LedgerEntry.objects.count(), Resource.objects.count()) == counts
    assert [k["kind"] for k in first["access_keys"]] == [k["kind"] for k in second["access_keys"]]
    named = {code for limits in [*CouponQuota.objects.values_list("cloud_service_types", flat=True),
                                 *Coupon.objects.values_list("cloud_service_types", flat=True)] for code in limits}
    assert named and named <= set(ServiceType.objects.values_list("code", flat=True)), named  # every limit can cover

    [key] = [k for k in second["access_keys"] if k["kind"] == "customer"]
    _subscriptions_as_promised(key)
    client = bss_client(live_server.url, ak=key["ak"], sk=key["sk"], domain_id=key["domain_id"])
    account = CustomerAccount.objects.get(customer__domain_id=key["domain_id"])
    assert Resource.objects.filter(customer=account.customer, charging_mode="on_demand",
                                   service_type_code="hws.service.type.ec2").exists()

    pending = client.list_customer_orders(ListCustomerOrdersRequest(status=6, limit=50)).order_infos
    assert len(pending) >= 2
    assert sum(Decimal(str(o.amount_after_discount)) for o in pending) <= account.balance
    with_coupons = [(o, client.list_order_coupons_by_order_id(ListOrderCouponsByOrderIdRequest(order_id=o.order_id)))
                    for o in pending]
    order, coupons = next((o, c) for o, c in with_coupons if c.count)
    coupon = coupons.user_coupons[0]

    client.pay_orders(PayOrdersRequest(body=PayCustomerOrderV3Req(
        order_id=order.order_id, use_coupon="YES", use_discount="NO",
        coupon_infos=[CouponSimpleInfoOrderPayV3(id=coupon.coupon_id, type=301 if coupon.coupon_type == 1 else 302)])))

    details = client.show_customer_order_details(ShowCustomerOrderDetailsRequest(order_id=order.order_id))
    assert details.order_info.status == 5
    amounts = details.order_info.amount_info
    paid_by_coupon = Decimal(str(amounts.coupon_amount or 0)) + Decimal(str(amounts.flexipurchase_coupon_amount or 0))
    assert paid_by_coupon == min(Decimal(str(coupon.balance)), Decimal(str(order.amount_after_discount)))
    paid = Order.objects.get(order_id=order.order_id)
    if paid.order_type == 1:  # a new purchase opens its resources, a renewal extends them
        assert Resource.objects.filter(customer=account.customer, order_id=order.order_id).exists()
    else:
        for line in paid.lines.all():
            assert Resource.objects.get(resource_id=line.resource_id).expire_time == line.expire_time
    call_command("verify_ledger", stdout=io.StringIO())  # exits non-zero on any difference


def _pay_per_use_product(resource):
    return Product.objects.filter(charge_mode=ChargeMode.ON_DEMAND, resource_type__code=resource.resource_type_code,
                                  resource_spec=resource.resource_spec_code, region__code=resource.region_code).first()


def _subscriptions_as_promised(key) -> None:
    """subscriptions/demo.py's promises (issue 13, item 7), right after seeding."""
    period = Resource.objects.filter(charging_mode="period", is_main_resource=True)
    # every state of a yearly/monthly resource: in use, grace, retention (frozen), released
    assert {2, 5, 4, 3} <= set(period.values_list("status", flat=True))
    # auto-renew: each marked resource has its setting, and the key's customer has one
    autos = AutoRenewal.objects.select_related("resource")
    assert autos.count() >= 2 and all(a.resource.expire_policy == ExpirePolicy.AUTO_RENEW for a in autos)
    assert autos.filter(customer__domain_id=key["domain_id"]).exists()
    # one in use switching to pay-per-use at expiry, soon, and a pay-per-use product to switch to
    switching = period.get(status=2, expire_policy=ExpirePolicy.TO_ON_DEMAND)
    assert _pay_per_use_product(switching) is not None
    # the unsubscribed renewal: a completed 退订 order whose refund went back to the coupon that paid it
    [unsubscribed] = Unsubscription.objects.select_related("order")
    refund = unsubscribed.order
    assert (unsubscribed.unsubscribe_type, refund.order_type, refund.status) == (UnsubscribeType.RENEWALS, 4, 5)
    items, payouts = RefundItem.objects.filter(order=refund), RefundPayout.objects.filter(order=refund)
    assert refund.amount_after_discount > 0
    assert sum(i.refund for i in items) == sum(p.amount for p in payouts) == refund.amount_after_discount
    assert {(p.destination, p.coupon_id is not None) for p in payouts} == {(PayoutDestination.COUPON, True)}
    assert all(i.base_order.order_type == 2 and i.base_order.cash_amount == 0 for i in items)  # paid by coupon
    # a yearly/monthly resource the partner paid for (余额支付)
    assert period.filter(order_id__in=Order.objects.filter(paying_partner__isnull=False, status=5)
                         .values("order_id")).exists()
    # the key's customer: at least two yearly/monthly main resources in use it can renew, switch and unsubscribe,
    # and a balance that covers a month's renewal of them all
    user = AccessKey.objects.get(ak=key["ak"]).user
    customer = CustomerAccount.objects.get(customer__domain_id=key["domain_id"]).customer
    active = list(period.filter(customer=customer, status=2))
    able = [r for r in active if _pay_per_use_product(r) is not None
            and subscriptions.preview(actor_for_user(user), resource_id=r.resource_id, unsubscribe_type=1) is not None]
    assert len(able) >= 2
    month = renewal.quote(customer, resource_ids=[r.resource_id for r in active], period_type=2, period_num=1)
    assert not month.failures and len(month.results) == len(active)
    assert sum(result.amount for result in month.results) <= CustomerAccount.objects.get(customer=customer).balance
    # the notices before expiry of what expires soon (the switching one within 7 days)
    assert Event.objects.filter(type="subscription.expiring", data__resource_id=switching.resource_id).exists()
