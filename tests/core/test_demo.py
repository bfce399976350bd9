"""`seed_demo` builds the whole demo (every app's `demo.seed`) and a second run adds nothing; the customer key
it prints walks the trade flow through the official SDK: pending orders it can afford, coupons usable on
them, paying one, and the ledger still proving every balance."""

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
from customers.models import Resource
from trade.models import Order

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

    [key] = [k for k in second["access_keys"] if k["kind"] == "customer"]
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
