"""Demo standing, agreements and benefits (issue 15), idempotent:

- 北京智云 (bj): in the solution-provider programme at 认证级, on 数字化转型咨询与系统集成 at 角色认证,
  business information certified, one approved and one pending project specialist, a review of 2026 in
  progress, a granted test coupon (a real quota under 券管理), exam coupons, two badges — and a new agreement
  changing its contracting entity from the 1st of next month, waiting to be signed (the banner).
- 华东云联 (hd): in the distributor programme, certification returned (not certified), one customer account
  asking to become its cloud reseller.
- 杭州云帆 (hz): a cloud reseller on 软件伙伴 at 注册.
"""

import hashlib
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.files.base import ContentFile
from django.utils import timezone

from customers.models import Customer
from partnercenter import secretbox

from .catalogue import DISTRIBUTOR, DTCSI, RESELLER, ROLE_CERTIFIED, SOFTWARE, SOLUTION_PROVIDER, \
    seed_definitions
from .choices import CertificationStatus, ExamLevel, ExamStatus, MembershipStatus, ReviewStatus, SpecialistStatus
from .models import (
    Agreement, Badge, BusinessCertification, CertifiedSolution, ExamCoupon, Material, MemberProfile, Membership,
    PathEnrolment, Program, ProjectSpecialist, ResellerRequest, Review, ReviewSubmission, Stage, TestCouponPackage,
)

__all__ = ["seed"]

SHANGHAI = ZoneInfo("Asia/Shanghai")
# the smallest well-formed PDF: what an uploaded 复核材料 looks like in the demo
TINY_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj "
            b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def _first_of_next_month(now) -> datetime:
    local = now.astimezone(SHANGHAI).date()
    first = date(local.year + local.month // 12, local.month % 12 + 1, 1)
    return datetime.combine(first, time.min, tzinfo=SHANGHAI)


def _certify(partner, status, **extra):
    BusinessCertification.objects.get_or_create(partner=partner, defaults={
        "company_name": partner.name, "credit_code": "91110108MA01XXXX0B", "registered_address": "北京市海淀区中关村大街1号",
        "legal_representative": "王建国", "bank_name": "中国工商银行", "bank_branch": "北京中关村支行",
        "bank_account_holder": partner.name, "bank_account_encrypted": secretbox.encrypt("6222020200112233445"),
        "bank_account_last4": "3445", "invoice_title": partner.name, "tax_id": "91110108MA01XXXX0B",
        "invoice_address_phone": "北京市海淀区中关村大街1号 010-88886666", "status": status, **extra})


def seed(ctx: dict) -> None:
    seed_definitions()
    partners, members = ctx["partners"], ctx["members"]
    bj, hd, hz = partners["bj"], partners["hd"], partners["hz"]
    if Membership.objects.filter(partner=bj).exists():
        return
    now = timezone.now()
    programs = {p.code: p for p in Program.objects.all()}
    stage = {(s.path.code, s.code): s for s in Stage.objects.select_related("path")}
    ceo = members["bj.ceo"].user

    # where they stand
    sp = programs[SOLUTION_PROVIDER]
    Membership.objects.create(partner=bj, program=sp, level=sp.levels.order_by("rank").first(),
                              status=MembershipStatus.JOINED, applied_at=now - timedelta(days=400),
                              decided_at=now - timedelta(days=395))
    Membership.objects.create(partner=hd, program=programs[DISTRIBUTOR], status=MembershipStatus.JOINED,
                              applied_at=now - timedelta(days=500), decided_at=now - timedelta(days=480))
    Membership.objects.create(partner=hz, program=programs[RESELLER], status=MembershipStatus.JOINED,
                              applied_at=now - timedelta(days=200), decided_at=now - timedelta(days=200))
    PathEnrolment.objects.create(partner=bj, path=stage[DTCSI, ROLE_CERTIFIED].path, stage=stage[DTCSI, ROLE_CERTIFIED],
                                 enrolled_at=now - timedelta(days=390), since=now - timedelta(days=300))
    PathEnrolment.objects.create(partner=hz, path=stage[SOFTWARE, "registered"].path, stage=stage[SOFTWARE, "registered"],
                                 enrolled_at=now - timedelta(days=60), since=now - timedelta(days=60))
    CertifiedSolution.objects.create(partner=bj, name="智云工业互联网平台", certification="先进云软件认证",
                                     certified_on=(now - timedelta(days=120)).date())
    _certify(bj, CertificationStatus.VERIFIED, submitted_at=now - timedelta(days=380), decided_at=now - timedelta(days=378))
    _certify(hd, CertificationStatus.RETURNED, submitted_at=now - timedelta(days=5), decided_at=now - timedelta(days=3),
             reason="开户许可证与填写的银行账号不一致，请核对后重新提交。")

    # people
    for key, location, post in (("bj.sa", "北京", "解决方案架构师"), ("bj.lead1", "北京", "售前经理"), ("bj.am1", "", "客户经理")):
        MemberProfile.objects.get_or_create(member=members[key], defaults={
            "work_location": location, "post": post, "started_with_cloud_on": date(2023, 3, 1),
            "uniportal_account": f"{key.replace('.', '_')}@uniportal"})
    dtcsi = stage[DTCSI, ROLE_CERTIFIED].path
    ProjectSpecialist.objects.create(member=members["bj.sa"], path=dtcsi, status=SpecialistStatus.APPROVED,
                                     applied_by=ceo, applied_at=now - timedelta(days=200), decided_at=now - timedelta(days=198))
    ProjectSpecialist.objects.create(member=members["bj.lead1"], path=dtcsi, applied_by=ceo,
                                     applied_at=now - timedelta(days=2))

    # the annual review of 2026, with materials submitted
    review = Review.objects.create(path=dtcsi, year=now.astimezone(SHANGHAI).year, opens_at=now - timedelta(days=20),
                                   closes_at=now + timedelta(days=40),
                                   instructions="请上传：1. 近一年华为云项目清单；2. 项目专员在职证明；3. 客户满意度材料。")
    submission = ReviewSubmission.objects.create(review=review, partner=bj, status=ReviewStatus.SUBMITTED,
                                                 submitted_at=now - timedelta(days=1), submitted_by=ceo)
    material = Material(partner=bj, submission=submission, original_name="华为云项目清单2026.pdf",
                        content_type="application/pdf", size=len(TINY_PDF), uploaded_by=ceo,
                        sha256=hashlib.sha256(TINY_PDF).hexdigest())
    material.file.save("demo.pdf", ContentFile(TINY_PDF), save=True)

    # an agreement to sign: the contracting entity changes on the 1st of next month
    Agreement.objects.create(
        program=sp, title="华为云解决方案提供商合作协议", version="2027.1", contracting_entity="华为软件技术有限公司",
        effective_at=_first_of_next_month(now), published_at=now - timedelta(days=1),
        body="本协议由合作伙伴与华为云签署。自生效之日起，您与华为的签约主体变更为华为软件技术有限公司，"
             "充值、开票与结算均以新的签约主体为准。\n\n第一条 合作范围 ……\n第二条 双方权利义务 ……")

    # benefits: a granted test coupon (a real quota), exam coupons, badges
    package = TestCouponPackage.objects.get(path=dtcsi, min_stage=stage[DTCSI, ROLE_CERTIFIED])
    _grant_test_coupon(bj, package, ceo, now)
    ExamCoupon.objects.create(member=members["bj.sa"], level=ExamLevel.HCIP, track="HCIP-Cloud Service Solutions Architect",
                              uniportal_account="bj_sa@uniportal", status=ExamStatus.ISSUED,
                              code_encrypted=secretbox.encrypt("HCIP-7Q2M-9KXD-41TA"), issued_at=now - timedelta(days=10),
                              expires_on=(now + timedelta(days=80)).date(), applied_at=now - timedelta(days=14))
    ExamCoupon.objects.create(member=members["bj.am1"], level=ExamLevel.HCIA, track="HCIA-Cloud Computing",
                              uniportal_account="bj_am1@uniportal")
    for capability, days in (("数字化转型咨询", 300), ("云迁移服务", 90)):
        Badge.objects.create(partner=bj, path=dtcsi, capability=capability, earned_on=(now - timedelta(days=days)).date(),
                             valid_until=(now + timedelta(days=365 - days)).date())

    # a customer account asking the distributor to make it a cloud reseller
    applicant = Customer.objects.filter(domain_name="demo-reseller-applicant").first()
    if applicant is None:
        applicant = Customer.objects.create(domain_name="demo-reseller-applicant", real_name="宁波云启科技有限公司",
                                            verified_status="1", email="admin@nb-yunqi.example.com")
    ResellerRequest.objects.create(customer=applicant, distributor=hd, company_name="宁波云启科技有限公司",
                                   contact_email="admin@nb-yunqi.example.com", lapse_acknowledged=True,
                                   requested_at=now - timedelta(hours=5))


def _grant_test_coupon(partner, package, applicant, now) -> None:
    """Applied for by the administrator and approved by the operator through the services, so the quota is a
    real one under 券管理 with its operation-log rows."""
    from partnercenter.actors import actor_for_user
    from partnercenter.models import User

    from . import benefits

    application = benefits.apply_test_coupon(actor_for_user(applicant), package_id=package.pk,
                                             amount="3000.00", purpose="客户 PoC 测试环境")
    operator = actor_for_user(User.objects.get(username="operator"))
    benefits.approve_test_coupon(operator, application_id=application.pk, amount="3000.00")
