"""Demo vouchers: usable quotas of both types for every demo partner, coupons in every status, and
the distributor's child quotas at its resellers. Idempotent."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from customers.models import Customer
from partnercenter.actors import actor_for_user

from . import services
from .models import Coupon, CouponQuota

__all__ = ["seed"]


def seed(ctx: dict) -> None:
    partners, members = ctx["partners"], ctx["members"]
    if CouponQuota.objects.filter(partner=partners["bj"]).exists():
        return
    now = timezone.now()
    quotas = {}
    for key in ("bj", "hd", "hz", "sz"):
        for quota_type, value in ((0, "50000.00"), (1, "20000.00")):
            quotas[(key, quota_type)] = CouponQuota.objects.create(
                partner=partners[key], quota_type=quota_type, quota_value=Decimal(value), balance=Decimal(value),
                effective_time=now - timedelta(days=30), expire_time=now + timedelta(days=335),
                cloud_service_types=["hws.service.type.ec2", "hws.service.type.evs", "hws.service.type.obs"]
                if quota_type == 0 else [],
            )
    ceo = actor_for_user(members["bj.ceo"].user)
    bj_customers = list(Customer.objects.filter(domain_name__startswith="bj-cust-").order_by("domain_name")[:6])
    ids = [c.domain_id for c in bj_customers if c.associations.filter(ended_on__isnull=True).exists()]
    infos, _ = services.issue_coupons(ceo, quota_id=quotas[("bj", 0)].quota_id, customer_ids=ids, face_value="800.00",
                                      remark="新客户首单激励")
    resale_ids = [c.domain_id for c in bj_customers
                  if c.associations.filter(ended_on__isnull=True, association_type="2").exists()]
    services.issue_coupons(ceo, quota_id=quotas[("bj", 1)].quota_id, customer_ids=resale_ids[:2], face_value="300.00",
                           remark="年度续费支持")
    # Every status: one reclaimed (5), one used (3), one expired (4), one not yet active (1).
    services.reclaim_coupons(ceo, coupon_ids=[infos[0]["coupon_id"]])
    Coupon.objects.filter(coupon_id=infos[1]["coupon_id"]).update(status=3, balance=0, last_used_at=now)
    Coupon.objects.filter(coupon_id=infos[2]["coupon_id"]).update(status=4, expire_time=now - timedelta(days=3))
    services.issue_coupons(ceo, quota_id=quotas[("bj", 0)].quota_id, customer_ids=ids[3:4], face_value="200.00",
                           valid_time=now + timedelta(days=7), expire_time=now + timedelta(days=60), remark="下月生效")
    distributor = actor_for_user(members["hd.admin"].user)
    services.issue_quota_to_resellers(distributor, quota_id=quotas[("hd", 0)].quota_id, quota_amount="10000.00",
                                      indirect_partner_ids=[partners["hz"].domain_id, partners["sz"].domain_id])
