"""Demo data of the invitations area (线下拓展): links of 北京智云 (bj) in every state — two usable ones with
customers who registered through them (referral and resale), a revoked one and an expired one — and a
usable link of the cloud reseller hz. Idempotent: nothing is added once bj has a link."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from customers.choices import AssociationType, EventInitiator, EventKind, EventStatus, VerifiedStatus
from customers.models import Association, AssociationEvent, Customer, CustomerUser
from partnercenter.models import User

from .models import InvitationLink, LinkRegistration

__all__ = ["seed"]

# (partner key, name, association type, valid for days (negative: expired), revoked days ago, registrations)
LINKS = [
    ("bj", "2026 华为云城市峰会 · 北京站", AssociationType.REFERRAL, 45, None,
     [("summit-yunfan", "北京云帆数据科技有限公司"), ("summit-haidian", "海淀创客软件工作室"),
      ("summit-jingxi", "京西智能装备有限公司")]),
    ("bj", "中关村地推传单", AssociationType.RESALE, 20, None, [("flyer-zgc", "中关村小微科技有限公司")]),
    ("bj", "渠道沙龙（已撤销）", AssociationType.REFERRAL, 60, 3, [("salon-early", "朝阳互动传媒有限公司")]),
    ("bj", "双十一活动（已过期）", AssociationType.RESALE, -10, None, []),
    ("hz", "杭州云栖开发者日", AssociationType.RESALE, 30, None, [("yunqi-dev", "西溪云开发者工作室")]),
]


def _registered(link, domain_name, real_name, when):
    customer, created = Customer.objects.get_or_create(domain_name=domain_name, defaults={
        "real_name": real_name, "verified_status": VerifiedStatus.NOT_VERIFIED, "mobile_phone": "13900000000",
        "created_by_partner": link.partner, "created_at": when})
    if not created:
        return
    user = User(username=domain_name)
    user.set_unusable_password()
    user.save()
    CustomerUser.objects.create(user=user, customer=customer, is_owner=True)
    association = Association.objects.create(partner=link.partner, customer=customer,
                                             association_type=link.association_type, associated_on=when)
    AssociationEvent.objects.create(partner=link.partner, customer=customer, association=association,
                                    kind=EventKind.ASSOCIATE, initiator=EventInitiator.CUSTOMER,
                                    status=EventStatus.COMPLETED, to_type=link.association_type,
                                    created_at=when, decided_at=when)
    LinkRegistration.objects.create(link=link, customer=customer, created_at=when)
    link.registrations += 1


def seed(ctx: dict) -> None:
    partners, members = ctx["partners"], ctx["members"]
    if InvitationLink.objects.filter(partner=partners["bj"]).exists():
        return
    now = timezone.now()
    creators = {"bj": members.get("bj.sa") or members.get("bj.ceo"), "hz": members.get("hz.admin")}
    with transaction.atomic():
        for key, name, association_type, days, revoked_days_ago, registrations in LINKS:
            created = now - timedelta(days=40)
            link = InvitationLink.objects.create(
                partner=partners[key], name=name, association_type=association_type,
                valid_until=now + timedelta(days=days), created_by=creators[key], created_at=created,
                revoked_at=now - timedelta(days=revoked_days_ago) if revoked_days_ago else None)
            for n, (domain_name, real_name) in enumerate(registrations):
                _registered(link, domain_name, real_name, created + timedelta(days=2 + 5 * n))
            link.save(update_fields=["registrations"])
