"""权益: 测试券 (test coupons) and HCIA/HCIP 考试券 (exam coupons).

测试券. A path offers test-coupon packages (e.g. 支持计划专用券(角色认证), 支持计划专用券(差异化)), each from a
stage on. A partner on the path applies (申请) for a package it has reached — its stage's rank on its
PathEnrolment at least the package's `min_stage` rank — for an amount up to the package's `max_amount`,
saying what for; one open application per package (the partial unique constraint `test_coupon_open_once`
is the backstop). An operator approves with an amount (at most the amount applied for, so at most the
package's maximum): in ONE transaction the application is locked and checked still open, vouchers grants
the partner a real quota (vouchers.services.grant_quota: the package's quota type and cloud service types,
effective now for the package's `valid_days`), and the application keeps the quota — which the partner
finds under 券管理 and issues coupons from with vouchers' own issue_coupons. Or the operator rejects it
with a reason. Both decisions are told to the partner (test_coupon.decided).

考试券. Any member applies for itself (level HCIA/HCIP, the certification track, the uniportal account it
uses on the talent platform — by default its profile's). An operator issues a code (stored encrypted with
partnercenter.secretbox) or rejects. The code is read back only for the member it was issued to
(`exam_code`); other members of the partner, administrators included, see that one was issued, not the
code. Usage (documented): the member logs in with that uniportal account at 华为人才在线 and finds the
coupon under 我的券包-暗码考券.
"""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from events import outbox
from partnercenter import secretbox
from partnercenter.choices import ActorKind
from partnercenter.errors import Codes, DomainError
from partnercenter.models import Member
from partnercenter.money import parse_amount
from partnercenter.oplog import operation, register_actions
from vouchers.services import grant_quota

from .choices import ApplicationStatus, ExamLevel, ExamStatus
from .errors_benefits import BenefitCodes
from .event_types_benefits import EXAM_COUPON_DECIDED, TEST_COUPON_DECIDED
from .locks import lock_enrolment, lock_partner
from .models import ExamCoupon, MemberProfile, TestCouponApplication, TestCouponPackage
from .selectors_benefits import package_for

__all__ = [
    "APPLY_PERMISSION", "apply_test_coupon", "approve_test_coupon", "reject_test_coupon", "apply_exam_coupon",
    "issue_exam_coupon", "reject_exam_coupon", "exam_code", "TALENT_PLATFORM", "EXAM_COUPON_PLACE",
]

APPLY_PERMISSION = "benefits.apply"
TALENT_PLATFORM = "华为人才在线"           # where exam coupons are used (the documented place)
EXAM_COUPON_PLACE = "我的券包-暗码考券"

register_actions({
    "programs.test_coupon_apply": gettext_lazy("Apply for test coupons"),
    "programs.test_coupon_approve": gettext_lazy("Test coupons approved by the platform"),
    "programs.test_coupon_reject": gettext_lazy("Test coupons rejected by the platform"),
    "programs.exam_coupon_apply": gettext_lazy("Apply for an exam coupon"),
    "programs.exam_coupon_issue": gettext_lazy("Exam coupon issued by the platform"),
    "programs.exam_coupon_reject": gettext_lazy("Exam coupon rejected by the platform"),
})


def _require_operator(actor):
    if actor.kind != ActorKind.OPERATOR:
        raise DomainError(Codes.FORBIDDEN)


def _reason(reason) -> str:
    reason = (reason or "").strip()[:500]
    if not reason:
        raise DomainError(BenefitCodes.REASON_REQUIRED)
    return reason


# ---------------------------------------------------------------------------------------------
# 测试券
# ---------------------------------------------------------------------------------------------

def apply_test_coupon(actor, *, package_id, amount, purpose, verification_code=None) -> TestCouponApplication:
    """申请: the partner applies for a package of its path that it has reached. Sensitive (验证码验证)."""
    if not actor.is_partner or not actor.has_perm(APPLY_PERMISSION):
        raise DomainError(Codes.FORBIDDEN)
    row = package_for(actor, package_id)
    if row is None:
        raise DomainError(Codes.NOT_FOUND)
    package = row.package
    amount = parse_amount(amount)
    purpose = (purpose or "").strip()[:500]
    detail = {"package": package.name, "path": package.path.code, "amount": str(amount)}
    with operation(actor, "programs.test_coupon_apply", target=actor.partner, verification_code=verification_code,
                   detail=detail) as entry:
        row = package_for(actor, package_id) or row  # the stage and open application as they are now
        if not row.available:
            raise DomainError(BenefitCodes.PACKAGE_NOT_AVAILABLE)
        if amount > package.max_amount:
            raise DomainError(BenefitCodes.AMOUNT_ABOVE_MAX)
        if not purpose:
            raise DomainError(BenefitCodes.PURPOSE_REQUIRED)
        if row.open_application is not None:
            raise DomainError(BenefitCodes.APPLICATION_OPEN)
        try:
            with transaction.atomic():
                application = TestCouponApplication.objects.create(
                    partner=actor.partner, package=package, amount=amount, purpose=purpose, applied_by=actor.user)
        except IntegrityError:  # a concurrent application for the same package got there first
            raise DomainError(BenefitCodes.APPLICATION_OPEN) from None
        entry.detail["application"] = application.pk
    return application


def _application(application_id):
    application = TestCouponApplication.objects.select_related("partner", "package", "package__path").filter(
        pk=application_id).first()
    if application is None:
        raise DomainError(Codes.NOT_FOUND)
    return application


def _lock_open(application) -> TestCouponApplication:
    locked = TestCouponApplication.objects.select_for_update().get(pk=application.pk)
    if locked.status != ApplicationStatus.APPLYING:
        raise DomainError(BenefitCodes.NOT_PENDING)
    return locked


def approve_test_coupon(actor, *, application_id, amount) -> TestCouponApplication:
    """An operator approves with an amount (≤ the amount applied for, which is ≤ the package's maximum):
    the quota is granted and kept on the application in the same transaction."""
    _require_operator(actor)
    application = _application(application_id)
    package, partner = application.package, application.partner
    amount = parse_amount(amount)
    detail = {"application": application.pk, "package": package.name, "amount": str(amount)}
    with operation(actor, "programs.test_coupon_approve", target=partner, partner=partner, detail=detail) as entry:
        partner = lock_partner(partner.pk)  # locks.py order: the partner, then the application, then the enrolment
        locked = _lock_open(application)
        # The package, the partner's stage on its path and the partner's status, as they are now: the package may
        # have been closed, the partner moved back a stage or suspended since the application.
        package = TestCouponPackage.objects.select_related("path", "min_stage").get(pk=package.pk)
        enrolment = lock_enrolment(partner_id=partner.pk, path_id=package.path_id)
        if (not partner.is_active or not package.is_active or enrolment is None
                or enrolment.stage.rank < package.min_stage.rank):
            raise DomainError(BenefitCodes.PACKAGE_NOT_AVAILABLE)
        if amount > locked.amount:
            raise DomainError(BenefitCodes.APPROVED_ABOVE_REQUESTED)
        if amount > package.max_amount:  # the package's maximum may have been lowered since
            raise DomainError(BenefitCodes.AMOUNT_ABOVE_MAX)
        now = timezone.now()
        quota = grant_quota(actor, partner=partner, quota_type=package.quota_type, amount=amount, effective_time=now,
                            expire_time=now + timedelta(days=max(package.valid_days, 1)),
                            cloud_service_types=package.cloud_service_types,
                            remark=f"测试券 {package.name} #{application.pk}")
        locked.status, locked.approved_amount, locked.quota = ApplicationStatus.APPROVED, amount, quota
        locked.decided_at, locked.decided_by = now, actor.user
        locked.save(update_fields=["status", "approved_amount", "quota", "decided_at", "decided_by"])
        entry.detail["quota_id"] = quota.quota_id
        outbox.record(TEST_COUPON_DECIDED, partner=partner, actor=actor, data={
            "decision": "approved", "package": package.name, "path": package.path.name, "amount": str(amount),
            "quota_id": quota.quota_id, "quota_type": quota.quota_type})
    return locked


def reject_test_coupon(actor, *, application_id, reason) -> TestCouponApplication:
    _require_operator(actor)
    application = _application(application_id)
    package, partner = application.package, application.partner
    reason = _reason(reason)
    detail = {"application": application.pk, "package": package.name, "reason": reason}
    with operation(actor, "programs.test_coupon_reject", target=partner, partner=partner, detail=detail):
        locked = _lock_open(application)
        locked.status, locked.reason = ApplicationStatus.REJECTED, reason
        locked.decided_at, locked.decided_by = timezone.now(), actor.user
        locked.save(update_fields=["status", "reason", "decided_at", "decided_by"])
        outbox.record(TEST_COUPON_DECIDED, partner=partner, actor=actor, data={
            "decision": "rejected", "package": package.name, "path": package.path.name, "reason": reason})
    return locked


# ---------------------------------------------------------------------------------------------
# 考试券
# ---------------------------------------------------------------------------------------------

def apply_exam_coupon(actor, *, level, track, uniportal_account="", verification_code=None) -> ExamCoupon:
    """A member applies for its own HCIA/HCIP exam coupon; the uniportal account defaults to its profile's.
    One open application per member, level and track. Sensitive like every application (验证码验证)."""
    if not actor.is_partner or actor.member is None:
        raise DomainError(Codes.FORBIDDEN)
    if level not in ExamLevel.values:
        raise DomainError(Codes.PARAMETER)
    track = (track or "").strip()
    if not track or len(track) > 64:
        raise DomainError(BenefitCodes.TRACK_REQUIRED)
    account = (uniportal_account or "").strip()
    if not account:
        profile = MemberProfile.objects.filter(member=actor.member).first()
        account = profile.uniportal_account if profile else ""
    if not account or len(account) > 64:
        raise DomainError(BenefitCodes.UNIPORTAL_REQUIRED)
    detail = {"level": level, "track": track}
    with operation(actor, "programs.exam_coupon_apply", target=actor.member, verification_code=verification_code,
                   detail=detail) as entry:
        Member.objects.select_for_update().get(pk=actor.member.pk)  # one application at a time per member
        if ExamCoupon.objects.filter(member=actor.member, level=level, track=track,
                                     status=ExamStatus.APPLYING).exists():
            raise DomainError(BenefitCodes.EXAM_OPEN)
        coupon = ExamCoupon.objects.create(member=actor.member, level=level, track=track, uniportal_account=account)
        entry.detail["exam_coupon"] = coupon.pk
    return coupon


def _exam_coupon(coupon_id):
    coupon = ExamCoupon.objects.select_related("member", "member__partner").filter(pk=coupon_id).first()
    if coupon is None:
        raise DomainError(Codes.NOT_FOUND)
    return coupon


def _decide_exam(actor, coupon, action, detail, changes, decision, reason=""):
    partner = coupon.member.partner
    with operation(actor, action, target=coupon.member, partner=partner, detail=detail):
        locked = ExamCoupon.objects.select_for_update().get(pk=coupon.pk)
        if locked.status != ExamStatus.APPLYING:
            raise DomainError(BenefitCodes.NOT_PENDING)
        for field, value in changes.items():
            setattr(locked, field, value)
        locked.decided_by = actor.user
        locked.save(update_fields=[*changes, "decided_by"])
        outbox.record(EXAM_COUPON_DECIDED, partner=partner, actor=actor, data={
            "decision": decision, "member": coupon.member.display_name, "level": coupon.level, "track": coupon.track,
            "reason": reason})
    return locked


def issue_exam_coupon(actor, *, coupon_id, code, expires_on=None) -> ExamCoupon:
    """An operator issues the code (encrypted at rest; never in the log or the event)."""
    _require_operator(actor)
    coupon = _exam_coupon(coupon_id)
    code = (code or "").strip()
    if not code or len(code) > 128:
        raise DomainError(BenefitCodes.EXAM_CODE_REQUIRED)
    detail = {"exam_coupon": coupon.pk, "level": coupon.level, "track": coupon.track}
    if expires_on:
        detail["expires_on"] = expires_on.isoformat()
    return _decide_exam(actor, coupon, "programs.exam_coupon_issue", detail, {
        "status": ExamStatus.ISSUED, "code_encrypted": secretbox.encrypt(code), "issued_at": timezone.now(),
        "expires_on": expires_on}, "issued")


def reject_exam_coupon(actor, *, coupon_id, reason) -> ExamCoupon:
    _require_operator(actor)
    coupon = _exam_coupon(coupon_id)
    reason = _reason(reason)
    detail = {"exam_coupon": coupon.pk, "level": coupon.level, "track": coupon.track, "reason": reason}
    return _decide_exam(actor, coupon, "programs.exam_coupon_reject", detail,
                        {"status": ExamStatus.REJECTED, "reason": reason}, "rejected", reason)


def exam_code(actor, coupon) -> str | None:
    """The code of an issued exam coupon, for the member it was issued to only (None for anyone else)."""
    if (not actor.is_partner or actor.member is None or coupon.member_id != actor.member.pk
            or coupon.status != ExamStatus.ISSUED or not coupon.code_encrypted):
        return None
    return secretbox.decrypt(coupon.code_encrypted)
