"""Every read of vouchers, scoped to the actor. A customer never sees the issuer's remark (the
customer-facing serializers and templates do not include it; `customer_coupons_for` defers it)."""

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from customers.selectors import customers_for
from partnercenter.api.pagination import CountedList, count, counted
from partnercenter.selectors import book_owner

from .choices import CouponStatus
from .models import Coupon, CouponQuota, CouponRecord, QuotaRecord

__all__ = [
    "COUPONS", "COUPON_RECORDS", "owner_for", "quotas_for", "coupons_for", "coupon_count_for", "coupon_records_for",
    "issued_quotas_for", "quota_records_for", "customer_coupons_for",
]


# The lists' totals, kept by triggers (migrations/0003_list_counts.py): the coupons a partner issued
# (已发放代金券) and their records (操作记录). Only for the whole book: an account manager's share follows
# the customers' associations, so it is counted (through the indexes on customer and partner).
COUPONS = CountedList("coupons", "vouchers.Coupon")
COUPON_RECORDS = CountedList("coupon_records", "vouchers.CouponRecord")


def owner_for(actor, indirect_partner_id=None):
    """The partner whose vouchers the actor reads: itself, or a distributor's named reseller (None if not its)."""
    if not (actor.has_perm("vouchers.view") or actor.has_perm("vouchers.issue")):
        return None
    return book_owner(actor, indirect_partner_id)


def quotas_for(actor, *, indirect_partner_id=None):
    owner = owner_for(actor, indirect_partner_id)
    if owner is None:
        return CouponQuota.objects.none()
    return CouponQuota.objects.filter(partner=owner).select_related("designated_customer")


def coupons_for(actor, *, indirect_partner_id=None):
    """Coupons the partner (or its named reseller) issued; without the whole customer book, only those to the
    customers the actor may see (in the reseller's book too: that takes customers.view as well)."""
    owner = owner_for(actor, indirect_partner_id)
    if owner is None:
        return Coupon.objects.none()
    queryset = Coupon.objects.filter(partner=owner).select_related("customer", "quota")
    if not actor.sees_all_customers:
        return queryset.filter(customer__in=customers_for(actor, indirect_partner_id=indirect_partner_id).values("pk"))
    return counted(queryset, COUPONS.total_for(owner))


def coupon_count_for(actor, *, indirect_partner_id=None) -> int:
    """How many coupons coupons_for lists — from the counter for the whole book, else a COUNT."""
    return count(coupons_for(actor, indirect_partner_id=indirect_partner_id))


def coupon_records_for(actor, *, indirect_partner_id=None):
    owner = owner_for(actor, indirect_partner_id)
    if owner is None:
        return CouponRecord.objects.none()
    queryset = CouponRecord.objects.filter(partner=owner).select_related("quota", "coupon", "customer")
    if not actor.sees_all_customers:
        return queryset.filter(customer__in=customers_for(actor, indirect_partner_id=indirect_partner_id).values("pk"))
    return counted(queryset, COUPON_RECORDS.total_for(owner))


def issued_quotas_for(actor):
    """Child quotas a distributor passed to its resellers."""
    if owner_for(actor) is None or not actor.partner.is_distributor:
        return CouponQuota.objects.none()
    # A child quota is a reseller's; a distributor's own earmarked quotas (a reclaimed flexi coupon's balance kept
    # for its customer) also have a parent, and are not "issued to resellers".
    return (CouponQuota.objects.filter(parent__partner=actor.partner, partner__distributor=actor.partner)
            .select_related("partner", "parent"))


def quota_records_for(actor):
    if owner_for(actor) is None or not actor.partner.is_distributor:
        return QuotaRecord.objects.none()
    return QuotaRecord.objects.filter(distributor=actor.partner).select_related("reseller", "quota", "parent_quota")


HISTORY = timedelta(days=366)


def customer_coupons_for(actor):
    """A customer's own coupons: all usable ones, and used/expired/reclaimed ones of the last 12 months."""
    if not actor.is_customer:
        return Coupon.objects.none()
    cutoff = timezone.now() - HISTORY
    return (Coupon.objects.filter(customer=actor.customer)
            .filter(Q(status__in=[CouponStatus.INACTIVE, CouponStatus.EFFECTIVE]) | Q(expire_time__gte=cutoff))
            .defer("remark").select_related("partner", "customer"))
