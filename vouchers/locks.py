"""Where rows of vouchers are locked, in one order (cf. Saleor's lock_objects.py).

1. the customer's association (customers/locks.py), when a coupon is issued — or reclaimed because
   the association ended, under the disassociation's lock;
2. coupons, in pk order;
3. quotas, a child quota before its parent: a coupon's value returns to the quota it came from, and
   climbs to the parent only once the child is seen reclaimed under its lock; the distributor's
   reclaim takes the child, then the parent. Several quotas at once go in descending pk order, which
   puts every child (always created after its parent) before its parent.

A coupon is locked before its quota because every path that touches both starts from the coupon
(reclaim, expiry); issuing inserts the coupon after taking the quota, and an insert waits for nobody.

A batch takes each step's locks at once, in one statement: its customers' associations (pk order),
its coupons (pk order), then every quota it may touch (descending pk).
"""

from .models import Coupon, CouponQuota

__all__ = ["lock_quota", "lock_quotas", "lock_quota_rows", "lock_coupon", "lock_coupons"]


def lock_quota(quota_id) -> CouponQuota:
    """One quota, as it is now (its status re-read after any wait)."""
    return CouponQuota.objects.select_for_update(no_key=True).get(pk=quota_id)


def lock_quotas(queryset) -> list[int]:
    """The pks of the quotas in `queryset` still matching it once locked, children first."""
    return list(queryset.select_for_update(no_key=True, of=("self",)).order_by("-pk").values_list("pk", flat=True))


def lock_quota_rows(queryset) -> dict[int, CouponQuota]:
    """The quotas in `queryset`, locked children first (descending pk), by pk."""
    return {quota.pk: quota for quota in queryset.select_for_update(no_key=True).order_by("-pk")}


def lock_coupon(coupon_id) -> Coupon:
    return Coupon.objects.select_for_update(no_key=True).get(pk=coupon_id)


def lock_coupons(queryset) -> list[Coupon]:
    """The coupons in `queryset` still matching it once locked, in pk order."""
    return list(queryset.select_for_update(no_key=True, of=("self",)).order_by("pk"))
