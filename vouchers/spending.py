"""Coupons spent at checkout (trade pays orders with them): which coupons an order may use, and the one
primitive that takes value from a coupon.

A coupon (代金券, type 1, or 现金券, type 4) is usable on an order when it belongs to the order's customer,
is effective (status 2), is valid now (valid_time ≤ now < expire_time), still has a balance, and its
limits cover the order: every cloud service type of the order among its `cloud_service_types` and every
product of the order among its `product_ids` (an empty limit does not limit). At most
MAX_COUPONS_PER_PAYMENT coupons pay one order (Huawei's limit on the pay endpoint).

`restore` gives value back to a coupon an unsubscribed order was paid with (subscriptions.refunds): only
to a coupon still the customer's and still valid (not expired, not reclaimed), never above its face value;
status back to effective if it had been used up; a CouponRecord of operation 6 (refund reversal).

`spend` runs inside the paying transaction, after the caller locked the coupons in pk order
(vouchers/locks.py, trade/locks.py): one conditional UPDATE (never below zero, only while effective and
valid), status 3 (used) when it reaches zero, `last_used_at`, and a CouponRecord of operation 10
(used at checkout) naming the order.
"""

from django.db.models import Case, F, Value, When
from django.utils import timezone

from partnercenter.money import fen

from .choices import CouponOperation, CouponStatus, CouponType
from .models import Coupon, CouponRecord

__all__ = ["MAX_COUPONS_PER_PAYMENT", "SPENDABLE_TYPES", "candidates_for", "covers", "usable_on", "spend", "restore"]

MAX_COUPONS_PER_PAYMENT = 3
SPENDABLE_TYPES = (CouponType.CASH_COUPON, CouponType.FLEXI_COUPON)


def candidates_for(customer, *, now=None):
    """The customer's coupons that can pay something now, before their limits are looked at (oldest
    expiry first: the ones to spend before they are lost)."""
    now = now or timezone.now()
    return (Coupon.objects.filter(customer=customer, status=CouponStatus.EFFECTIVE, coupon_type__in=SPENDABLE_TYPES,
                                  valid_time__lte=now, expire_time__gt=now, balance__gt=0)
            .order_by("expire_time", "pk"))


def covers(coupon, *, service_type_codes, product_ids) -> bool:
    """Do the coupon's limits (empty: none) cover every service type and product of the order?"""
    if coupon.cloud_service_types and not set(service_type_codes) <= set(coupon.cloud_service_types):
        return False
    return not coupon.product_ids or set(product_ids) <= set(coupon.product_ids)


def usable_on(coupon, *, customer_id, service_type_codes, product_ids, now=None) -> bool:
    """May `coupon` (as read now, under its lock when it is about to be spent) pay this order?"""
    now = now or timezone.now()
    return (coupon.customer_id == customer_id and coupon.status == CouponStatus.EFFECTIVE
            and coupon.coupon_type in SPENDABLE_TYPES and coupon.valid_time <= now < coupon.expire_time
            and coupon.balance > 0 and covers(coupon, service_type_codes=service_type_codes, product_ids=product_ids))


def spend(coupon, amount, *, order_id: str, operator: str = "", now=None) -> bool:
    """Take `amount` from `coupon` for order `order_id`. False, with nothing changed, when the coupon no
    longer has it (or stopped being effective or valid); the caller refuses the payment then."""
    now = now or timezone.now()
    moved = Coupon.objects.filter(
        pk=coupon.pk, status=CouponStatus.EFFECTIVE, balance__gte=amount, valid_time__lte=now, expire_time__gt=now,
    ).update(
        # Both read the balance before this UPDATE: equal to the amount means it is used up.
        status=Case(When(balance=amount, then=Value(CouponStatus.USED)), default=F("status"),
                    output_field=Coupon._meta.get_field("status")),
        balance=fen(F("balance") - amount), last_used_at=now,
    )
    if not moved:
        return False
    CouponRecord.objects.create(partner_id=coupon.partner_id, operation_type=CouponOperation.USE,
                                quota_id=coupon.quota_id, coupon=coupon, customer_id=coupon.customer_id, amount=amount,
                                remark=order_id, operator=operator[:150], created_at=now)
    return True


def restore(coupon, amount, *, order_id: str, operator: str = "", now=None) -> bool:
    """Give `amount` back to `coupon` for the unsubscription order `order_id`. False, with nothing changed,
    when the coupon can no longer take it (expired, reclaimed, or it would exceed the face value): the
    caller records that part as not refunded. Runs after the caller locked the coupon (vouchers/locks.py)."""
    now = now or timezone.now()
    moved = Coupon.objects.filter(
        pk=coupon.pk, status__in=(CouponStatus.EFFECTIVE, CouponStatus.USED), expire_time__gt=now,
        balance__lte=fen(F("face_value") - amount),
    ).update(status=CouponStatus.EFFECTIVE, balance=fen(F("balance") + amount))
    if not moved:
        return False
    CouponRecord.objects.create(partner_id=coupon.partner_id, operation_type=CouponOperation.REFUND,
                                quota_id=coupon.quota_id, coupon=coupon, customer_id=coupon.customer_id, amount=amount,
                                remark=order_id, operator=operator[:150], created_at=now)
    return True
