"""What the order SDK tests share: partner A's orders (`book`, and `funded` with a customer balance), SDK
clients of its administrator and its resale customer, coupons, and a snapshot of everything a refused call
must leave as it was."""

from datetime import timedelta
from datetime import timezone as dt_timezone

import pytest
from django.utils import timezone
from huaweicloudsdkbss.v2 import (
    CouponSimpleInfoOrderPayV3, DiscountSimpleInfoV3, ListCustomerOrdersRequest, PayCustomerOrderV3Req,
    PayOrdersRequest,
)
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException

from billing import services as billing_services
from trade.choices import OrderStatus, OrderType, SourceType
from trade.models import Order
from vouchers import services as voucher_services
from vouchers.models import Coupon, CouponQuota

from ..billing_helpers import fund, snapshot
from ..conftest import actor_of
from ..factories import CustomerUserFactory, make_access_key
from ..signed import bss_client
from .order_factories import make_order

__all__ = ["WIRE", "utc", "book_fixture", "funded_fixture", "partner_client", "customer_client", "orders", "ids",
           "refused", "state", "new_quota", "issue_coupon", "pay"]

WIRE = "%Y-%m-%dT%H:%M:%SZ"


def utc(moment) -> str:
    return moment.astimezone(dt_timezone.utc).strftime(WIRE)


@pytest.fixture(name="book")
def book_fixture(tenant_a, tenant_b):
    """Partner A's orders: two of its resale customer (one pending with a partner discount on two lines,
    one completed, paid partly by coupons), one of its referral customer paid by A (余额支付), an old
    cancelled renewal; and one order of partner B's customer."""
    t = tenant_a
    now = timezone.now().replace(microsecond=0)
    t.now = now
    t.customer_user = CustomerUserFactory(customer=t.resale, user__username="a.customer")
    t.customer_key, t.customer_secret = make_access_key(t.customer_user.user)
    t.pending = make_order(t.resale, partner=t.partner, created=now - timedelta(hours=1),
                           lines=(("server", "36.00", "3.60"), ("disk", "40.00", "4.00")),
                           discount_id=f"607-{t.resale.domain_id}")
    t.completed = make_order(t.resale, partner=t.partner, status=OrderStatus.COMPLETED,
                             created=now - timedelta(days=2), coupon="5.00", flexi="1.00")
    t.partner_paid = make_order(t.referral, partner=t.partner, status=OrderStatus.COMPLETED,
                                created=now - timedelta(days=3), paid_by=t.partner, source_type=SourceType.AGENT)
    t.cancelled = make_order(t.resale, partner=t.partner, status=OrderStatus.CANCELLED, order_type=OrderType.RENEW,
                             created=now - timedelta(days=400))
    t.other = make_order(tenant_b.resale, partner=tenant_b.partner)
    t.b = tenant_b
    return t


def partner_client(live_server, t, key=None, secret=None):
    return bss_client(live_server.url, ak=(key or t.key).ak, sk=secret or t.secret, domain_id=t.partner.domain_id)


def customer_client(live_server, t):
    return bss_client(live_server.url, ak=t.customer_key.ak, sk=t.customer_secret, domain_id=t.resale.domain_id)


def orders(client, **params):
    return client.list_customer_orders(ListCustomerOrdersRequest(**params))


def ids(response):
    return [o.order_id for o in response.order_infos]


def refused(call_sdk) -> tuple[int, str]:
    with pytest.raises(ClientRequestException) as error:
        call_sdk()
    return error.value.status_code, error.value.error_code


def state():
    """Every order's status and payment, every coupon's balance, every balance and the ledger."""
    return {
        "orders": sorted(Order.objects.values_list("order_id", "status", "coupon_amount", "flexipurchase_coupon_amount",
                                                   "cash_amount", "payer", "payment_time", "cancelled_at")),
        "coupons": sorted(Coupon.objects.values_list("coupon_id", "status", "balance")),
        **snapshot(),
    }




def new_quota(partner, quota_type=0):
    now = timezone.now()
    return CouponQuota.objects.create(partner=partner, quota_type=quota_type, quota_value=1000, balance=1000,
                                      effective_time=now - timedelta(days=1), expire_time=now + timedelta(days=90))


def issue_coupon(t, face_value, *, quota_type=0, service_types=None, product_ids=None):
    quota = new_quota(t.partner, quota_type)
    infos, errors = voucher_services.issue_coupons(
        actor_of(t.admin), quota_id=quota.quota_id, face_value=face_value, customer_ids=[t.resale.domain_id],
        cloud_service_types=service_types, product_ids=product_ids, remark="test")
    assert not errors
    return Coupon.objects.get(coupon_id=infos[0]["coupon_id"])



def pay(client, order_id, *, coupons=None, discount=None, use_coupon=None, use_discount=None):
    body = PayCustomerOrderV3Req(
        order_id=order_id, use_coupon=use_coupon or ("YES" if coupons else "NO"),
        use_discount=use_discount or ("YES" if discount else "NO"),
        coupon_infos=[CouponSimpleInfoOrderPayV3(id=c, type=t) for c, t in coupons] if coupons is not None else None,
        discount_infos=[DiscountSimpleInfoV3(id=d, type=t) for d, t in [discount]] if discount else None)
    return client.pay_orders(PayOrdersRequest(body=body))


@pytest.fixture(name="funded")
def funded_fixture(book):
    fund(book.partner, "500.00")
    billing_services.allocate_to_customer(actor_of(book.admin), customer_id=book.resale.domain_id, amount="100.00")
    return book


