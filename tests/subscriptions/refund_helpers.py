"""What the refund and unsubscription tests share: buying and renewing at a given moment (time-machine) through
trade's services, as production does, and a snapshot of everything a refused unsubscription must leave as it was."""

from datetime import datetime, timezone as dt_timezone
from decimal import Decimal

import time_machine

from billing.models import CustomerAccount, LedgerEntry, PartnerAccount
from catalog.models import ServiceType
from customers.models import Resource
from events.models import Event
from subscriptions.models import AutoRenewal, RefundItem, RefundPayout, Unsubscription
from trade import services as trade
from trade.models import Order
from vouchers.models import Coupon, CouponRecord

from ..trade.payment_helpers import period_item

__all__ = ["at", "moment", "buy", "renew", "resource_of", "set_fee", "snapshot", "SERVER", "DISK"]

SERVER = ("hws.resource.type.vm", "s6.small.1.linux")  # 73.70 a month in cn-north-4
DISK = ("hws.resource.type.volume", "SSD")             # 1.00 per GB a month


def moment(text) -> datetime:
    """'2026-01-11 12:00' → an aware UTC datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=dt_timezone.utc)


def at(text):
    """Travel to that moment (UTC), the clock standing still."""
    return time_machine.travel(moment(text), tick=False)


def buy(user, customer, *, when, items=None, coupons=(), payer=None):
    """Place a new purchase at `when` and pay it: by the customer (`coupons`, then its balance), or by the
    partner actor `payer` (余额支付). Returns the order."""
    with at(when):
        order = trade.place_order(payer or user, customer_id=customer.domain_id,
                                  items=items or [period_item(*SERVER, item_id="vm")])
        if payer is not None:
            return trade.pay_for_customer(payer, order_id=order.order_id)
        return trade.pay_order(user, order_id=order.order_id, coupon_ids=list(coupons))


def renew(user, customer, resource, *, when, months=1, coupons=(), pay=True):
    """A renewal of one server resource for `months`, placed (and paid) at `when`."""
    with at(when):
        order = trade.place_order(user, customer_id=customer.domain_id, order_type=2,
                                  resource_ids=[resource.resource_id], items=[period_item(*SERVER, months=months)])
        if pay:
            return trade.pay_order(user, order_id=order.order_id, coupon_ids=list(coupons))
        return order


def resource_of(order, main=True) -> Resource:
    return Resource.objects.get(order_id=order.order_id, is_main_resource=main)


def set_fee(code, rate) -> None:
    ServiceType.objects.filter(code=code).update(unsubscribe_fee_rate=Decimal(rate))


def snapshot(customer) -> dict:
    """Everything an unsubscription changes, to compare before and after a refusal."""
    return {
        "balances": sorted(CustomerAccount.objects.values_list("customer_id", "balance")),
        "partners": sorted(PartnerAccount.objects.values_list("partner_id", "cash_balance")),
        "coupons": sorted(Coupon.objects.values_list("coupon_id", "balance", "status")),
        "coupon_records": CouponRecord.objects.count(),
        "ledger": LedgerEntry.objects.count(),
        "resources": sorted(Resource.objects.filter(customer=customer).values_list(
            "resource_id", "status", "expire_time", "charging_mode", "product_id")),
        "orders": sorted(Order.objects.values_list("order_id", "status")),
        "refunds": (RefundItem.objects.count(), RefundPayout.objects.count(), Unsubscription.objects.count()),
        "auto_renewals": AutoRenewal.objects.count(),
        "events": Event.objects.count(),
    }
