"""A partner's standing, what it signed and the benefits of its path.

Rules the tables keep:
- A partner is in a programme at most once at a time (one APPLYING or JOINED membership), and on a
  development path once, at one stage; a stage belongs to its path.
- An agreement is signed once per partner; the signature keeps who, when and from where, and
  `applied_at` marks that its contracting entity (签约主体) was written to the partner — the switch
  happens once, at the later of the effective time and the signature.
- A registration link (注册新账号) is stored as a hash, valid 24 hours, used once.
- A member is a project specialist of a path at most once at a time (APPLYING or APPROVED); a
  cancelled or rejected one may apply again.
- The bank account of 商业信息认证 is stored encrypted (partnercenter.secretbox), shown by its last 4.
- Uploaded materials are stored in private storage (programs/storage.py), never under static.
"""

import hashlib
import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from customers.models import Customer
from partnercenter.models import Member, Partner
from vouchers.choices import QuotaType
from vouchers.models import CouponQuota

from .choices import (
    ApplicationStatus, CertificationStatus, ExamLevel, ExamStatus, MembershipStatus, Metric, ProgramKind,
    RequirementKind, ResellerRequestStatus, ReviewStatus, SpecialistStatus,
)
from .storage import private_storage

MONEY = {"max_digits": 18, "decimal_places": 2}
OPEN_MEMBERSHIP = Q(status__in=[MembershipStatus.APPLYING, MembershipStatus.JOINED])


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# ---------------------------------------------------------------------------------------------
# Programmes, levels, paths, stages, requirements — defined by operators
# ---------------------------------------------------------------------------------------------

class Program(models.Model):
    """伙伴计划: 解决方案提供商计划, 总经销商计划 (applied for offline), 云经销商 (under a distributor)."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=ProgramKind.choices)
    name = models.CharField(_("name"), max_length=64)
    description = models.TextField(_("description"), blank=True)
    apply_offline = models.BooleanField(
        _("applied for offline"), default=False,
        help_text=_("Partners contact their ecosystem or channel manager; the page says so instead of an "
                    "apply button."))
    is_active = models.BooleanField(_("open"), default=True)

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["kind", "code"]

    def __str__(self):
        return self.name


class ProgramLevel(models.Model):
    """A level of a programme (e.g. 认证级, 优选级, 领先级); a higher rank is a higher level."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="levels")
    code = models.SlugField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=64)
    rank = models.PositiveSmallIntegerField(_("rank"))
    min_stage = models.ForeignKey(
        "Stage", verbose_name=_("stage required on a path"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", help_text=_("提升等级 to this level needs this stage (or a later one) on its path."))

    class Meta:
        verbose_name = _("programme level")
        verbose_name_plural = _("programme levels")
        ordering = ["program", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["program", "rank"], name="program_level_rank_unique"),
            models.UniqueConstraint(fields=["program", "code"], name="program_level_code_unique"),
        ]

    def __str__(self):
        return f"{self.program} · {self.name}"


class Path(models.Model):
    """发展路径: e.g. 数字化转型咨询与系统集成, 软件伙伴."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=64)
    description = models.TextField(_("description"), blank=True)
    has_specialists = models.BooleanField(
        _("has project specialists"), default=True,
        help_text=_("项目专员 may be applied for on this path (not on the distribution and solution-provider "
                    "plans)."))
    rank = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("development path")
        verbose_name_plural = _("development paths")
        ordering = ["rank", "code"]

    def __str__(self):
        return self.name


class Stage(models.Model):
    """A stage of a path (注册, 角色认证, 能力差异化认证 …); a higher rank is further along."""

    path = models.ForeignKey(Path, on_delete=models.CASCADE, related_name="stages")
    code = models.SlugField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=64)
    rank = models.PositiveSmallIntegerField(_("rank"))

    class Meta:
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        ordering = ["path", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["path", "rank"], name="stage_rank_unique"),
            models.UniqueConstraint(fields=["path", "code"], name="stage_code_unique"),
        ]

    def __str__(self):
        return f"{self.path} · {self.name}"


class Requirement(models.Model):
    """One line of a stage's checklist: computed from data (`metric` ≥ `threshold`) or confirmed by an
    operator for each partner (RequirementConfirmation)."""

    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="requirements")
    label = models.CharField(_("requirement"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=RequirementKind.choices)
    metric = models.CharField(_("metric"), max_length=32, choices=Metric.choices, blank=True)
    threshold = models.PositiveIntegerField(_("at least"), default=1)
    link = models.CharField(_("where to act"), max_length=200, blank=True,
                            help_text=_("A page of the partner center that helps meet it (optional)."))
    rank = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("requirement")
        verbose_name_plural = _("requirements")
        ordering = ["stage", "rank", "id"]
        constraints = [
            models.CheckConstraint(
                name="requirement_metric_iff_computed",
                condition=(Q(kind=RequirementKind.COMPUTED) & ~Q(metric=""))
                | (Q(kind=RequirementKind.CONFIRMED) & Q(metric=""))),
        ]

    def __str__(self):
        return self.label


class RequirementConfirmation(models.Model):
    """An operator confirmed that a partner meets a CONFIRMED requirement."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    requirement = models.ForeignKey(Requirement, on_delete=models.CASCADE, related_name="confirmations")
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    confirmed_at = models.DateTimeField(_("confirmed"), default=timezone.now)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("requirement confirmation")
        verbose_name_plural = _("requirement confirmations")
        constraints = [models.UniqueConstraint(fields=["partner", "requirement"], name="confirmation_once")]


class CertifiedSolution(models.Model):
    """An application or solution of the partner that passed a cloud software certification (先进云软件认证),
    recorded by operators; counted by the CERTIFIED_SOLUTIONS metric."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="certified_solutions")
    name = models.CharField(_("name"), max_length=128)
    certification = models.CharField(_("certification"), max_length=64)
    certified_on = models.DateField(_("certified on"))

    class Meta:
        verbose_name = _("certified solution")
        verbose_name_plural = _("certified solutions")
        ordering = ["-certified_on", "id"]


# ---------------------------------------------------------------------------------------------
# Where a partner stands
# ---------------------------------------------------------------------------------------------

class Membership(models.Model):
    """A partner in a programme (已加入伙伴计划), or asking to be. An operator may end a joined one (programs/
    leaving.py): LEFT since `left_at`, which says in which months the partner still held the programme."""

    partner = models.ForeignKey(Partner, verbose_name=_("partner"), on_delete=models.CASCADE,
                                related_name="program_memberships")
    program = models.ForeignKey(Program, verbose_name=_("programme"), on_delete=models.PROTECT,
                                related_name="memberships")
    level = models.ForeignKey(ProgramLevel, verbose_name=_("level"), null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=MembershipStatus.choices)
    applied_at = models.DateTimeField(_("applied"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    left_at = models.DateTimeField(_("left"), null=True, blank=True)

    class Meta:
        verbose_name = _("programme membership")
        verbose_name_plural = _("programme memberships")
        ordering = ["-applied_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["partner", "program"], condition=OPEN_MEMBERSHIP,
                                    name="membership_open_once"),
            models.CheckConstraint(name="membership_left_has_time",
                                   condition=~Q(status=MembershipStatus.LEFT) | Q(left_at__isnull=False)),
        ]

    def __str__(self):
        return f"{self.partner} · {self.program}"


class LevelRequest(models.Model):
    """提升等级: a member asked for the next level of a joined programme; operators decide."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="level_requests")
    level = models.ForeignKey(ProgramLevel, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=ApplicationStatus.choices,
                              default=ApplicationStatus.APPLYING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("level request")
        verbose_name_plural = _("level requests")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["membership"], condition=Q(status=ApplicationStatus.APPLYING),
                                    name="level_request_open_once"),
        ]


class PathEnrolment(models.Model):
    """A partner on a development path, at one stage."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="path_enrolments")
    path = models.ForeignKey(Path, on_delete=models.PROTECT, related_name="enrolments")
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="+")
    since = models.DateTimeField(_("at this stage since"), default=timezone.now)
    enrolled_at = models.DateTimeField(_("joined the path"), default=timezone.now)

    class Meta:
        verbose_name = _("path enrolment")
        verbose_name_plural = _("path enrolments")
        ordering = ["path__rank", "id"]
        constraints = [models.UniqueConstraint(fields=["partner", "path"], name="enrolment_once_per_path")]

    def __str__(self):
        return f"{self.partner} · {self.stage}"


class RegistrationLink(models.Model):
    """注册新账号: after a verification code to the main account's e-mail or mobile, a link to register a
    new partner account on a path; valid 24 hours, used once. Only the hash of its token is stored."""

    VALID_FOR_HOURS = 24

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    path = models.ForeignKey(Path, on_delete=models.PROTECT, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    sent_to = models.CharField(_("sent to"), max_length=256)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    used_at = models.DateTimeField(_("used"), null=True, blank=True)
    new_partner = models.ForeignKey(Partner, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("registration link")
        verbose_name_plural = _("registration links")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(name="registration_link_window", condition=Q(expires_at__gt=F("created_at"))),
        ]

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(32)

    @staticmethod
    def hash(token: str) -> str:
        return _hash(token)


# ---------------------------------------------------------------------------------------------
# Annual review (年度复核)
# ---------------------------------------------------------------------------------------------

class Review(models.Model):
    """An annual review of a path that operators opened for a year."""

    path = models.ForeignKey(Path, on_delete=models.PROTECT, related_name="reviews")
    year = models.PositiveSmallIntegerField(_("year"))
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"))
    instructions = models.TextField(_("materials to upload"), blank=True)

    class Meta:
        verbose_name = _("annual review")
        verbose_name_plural = _("annual reviews")
        ordering = ["-year", "path"]
        constraints = [
            models.UniqueConstraint(fields=["path", "year"], name="review_once_per_path_year"),
            models.CheckConstraint(name="review_window", condition=Q(closes_at__gt=F("opens_at"))),
        ]

    def __str__(self):
        return f"{self.path} {self.year}"


class ReviewSubmission(models.Model):
    """One partner's answer to an annual review: materials, then an operator's decision."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="submissions")
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="review_submissions")
    status = models.CharField(_("status"), max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    result_stage = models.ForeignKey(Stage, verbose_name=_("stage after the review"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("review submission")
        verbose_name_plural = _("review submissions")
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["review", "partner"], name="submission_once_per_review")]

    def __str__(self):
        return f"{self.review} · {self.partner}"


def _material_path(instance, filename):
    # the stored name says nothing about the partner or the file: a random id under the year
    return f"programs/{timezone.now():%Y}/{uuid.uuid4().hex}"


class Material(models.Model):
    """An uploaded file: review materials (submission) or certification documents (certification)."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="program_materials")
    submission = models.ForeignKey(ReviewSubmission, null=True, blank=True, on_delete=models.CASCADE,
                                   related_name="materials")
    certification = models.ForeignKey("BusinessCertification", null=True, blank=True, on_delete=models.CASCADE,
                                      related_name="materials")
    file = models.FileField(storage=private_storage, upload_to=_material_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        ordering = ["uploaded_at", "id"]
        constraints = [
            models.CheckConstraint(
                name="material_belongs_to_one",
                condition=(Q(submission__isnull=False) & Q(certification__isnull=True))
                | (Q(submission__isnull=True) & Q(certification__isnull=False))),
        ]

    def __str__(self):
        return self.original_name


# ---------------------------------------------------------------------------------------------
# Agreements (签署协议) and business information certification (商业信息认证)
# ---------------------------------------------------------------------------------------------

class Agreement(models.Model):
    """A published agreement version of a programme. With `contracting_entity` set it changes the
    partner's 签约主体 from `effective_at` (00:00:00 Asia/Shanghai of the day operators choose)."""

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="agreements")
    title = models.CharField(_("title"), max_length=128)
    version = models.CharField(_("version"), max_length=32)
    body = models.TextField(_("text"))
    contracting_entity = models.CharField(_("new contracting entity"), max_length=128, blank=True)
    effective_at = models.DateTimeField(_("effective"))
    published_at = models.DateTimeField(_("published"), null=True, blank=True,
                                        help_text=_("Partners see and sign it only once published."))

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["-effective_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["program", "version"], name="agreement_version_unique")]

    def __str__(self):
        return f"{self.title} {self.version}"


class AgreementSignature(models.Model):
    """我已阅读并同意本协议: who signed, when and from where; `applied_at` once the contracting entity was
    written to the partner."""

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="signatures")
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="agreement_signatures")
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    signer_name = models.CharField(_("signed by"), max_length=64)
    signed_at = models.DateTimeField(_("signed"), default=timezone.now)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=255, blank=True)
    applied_at = models.DateTimeField(_("contracting entity applied"), null=True, blank=True)

    class Meta:
        verbose_name = _("agreement signature")
        verbose_name_plural = _("agreement signatures")
        ordering = ["-signed_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["agreement", "partner"], name="agreement_signed_once")]


class BusinessCertification(models.Model):
    """商业信息认证: company registration, bank account and invoicing details, verified by operators.
    Incentive payments and withdrawals require VERIFIED."""

    partner = models.OneToOneField(Partner, on_delete=models.CASCADE, related_name="business_certification")
    company_name = models.CharField(_("registered company name"), max_length=128)
    credit_code = models.CharField(_("unified social credit code"), max_length=18)
    registered_address = models.CharField(_("registered address"), max_length=255)
    legal_representative = models.CharField(_("legal representative"), max_length=64)
    bank_name = models.CharField(_("bank"), max_length=128)
    bank_branch = models.CharField(_("branch"), max_length=128, blank=True)
    bank_account_holder = models.CharField(_("account holder"), max_length=128)
    bank_account_encrypted = models.TextField()
    bank_account_last4 = models.CharField(max_length=4)
    invoice_title = models.CharField(_("invoice title"), max_length=128)
    tax_id = models.CharField(_("taxpayer ID"), max_length=20)
    invoice_address_phone = models.CharField(_("invoice address and phone"), max_length=255, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=CertificationStatus.choices,
                              default=CertificationStatus.DRAFT)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("business information certification")
        verbose_name_plural = _("business information certifications")

    @property
    def masked_bank_account(self) -> str:
        return f"**** **** **** {self.bank_account_last4}"

    @property
    def is_verified(self) -> bool:
        return self.status == CertificationStatus.VERIFIED


# ---------------------------------------------------------------------------------------------
# People: member profiles and project specialists (项目专员)
# ---------------------------------------------------------------------------------------------

class MemberProfile(models.Model):
    """个人资料 and employment details a member maintains (工作常驻地 is required to become a specialist)."""

    member = models.OneToOneField(Member, on_delete=models.CASCADE, related_name="program_profile")
    work_location = models.CharField(_("work location"), max_length=64, blank=True)
    post = models.CharField(_("post"), max_length=64, blank=True)
    started_with_cloud_on = models.DateField(_("working with the cloud since"), null=True, blank=True)
    uniportal_account = models.CharField(_("uniportal account"), max_length=64, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("member profile")
        verbose_name_plural = _("member profiles")


class ProjectSpecialist(models.Model):
    """项目专员: an administrator applied for a member on a path; operators approve."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="specialist_roles")
    path = models.ForeignKey(Path, on_delete=models.PROTECT, related_name="specialists")
    status = models.CharField(_("status"), max_length=10, choices=SpecialistStatus.choices,
                              default=SpecialistStatus.APPLYING)
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    applied_at = models.DateTimeField(_("applied"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    reason = models.CharField(_("reason"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("project specialist")
        verbose_name_plural = _("project specialists")
        ordering = ["-applied_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "path"], name="specialist_open_once",
                condition=Q(status__in=[SpecialistStatus.APPLYING, SpecialistStatus.APPROVED])),
        ]


# ---------------------------------------------------------------------------------------------
# Benefits (权益): test coupons, exam coupons, badges
# ---------------------------------------------------------------------------------------------

class TestCouponPackage(models.Model):
    """测试券 a path offers from a stage on, e.g. 支持计划专用券(差异化) / (角色认证)."""

    __test__ = False   # not a pytest class, whatever its name

    path = models.ForeignKey(Path, verbose_name=_("development path"), on_delete=models.PROTECT,
                             related_name="test_coupon_packages")
    min_stage = models.ForeignKey(Stage, verbose_name=_("from stage"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=64)
    quota_type = models.PositiveSmallIntegerField(_("quota type"), choices=QuotaType.choices,
                                                  default=QuotaType.CASH_COUPON)
    max_amount = models.DecimalField(_("at most"), **MONEY)
    valid_days = models.PositiveSmallIntegerField(_("quota valid for (days)"), default=90)
    cloud_service_types = models.JSONField(_("cloud service types"), default=list, blank=True)
    is_active = models.BooleanField(_("open"), default=True)

    class Meta:
        verbose_name = _("test-coupon package")
        verbose_name_plural = _("test-coupon packages")
        ordering = ["path", "min_stage__rank", "id"]
        constraints = [models.CheckConstraint(name="package_max_positive", condition=Q(max_amount__gt=0))]

    def __str__(self):
        return f"{self.path} > {self.name}"


class TestCouponApplication(models.Model):
    """A partner's application for a test-coupon package; approval grants a real quota in vouchers."""

    __test__ = False

    partner = models.ForeignKey(Partner, verbose_name=_("partner"), on_delete=models.CASCADE,
                                related_name="test_coupon_applications")
    package = models.ForeignKey(TestCouponPackage, verbose_name=_("test-coupon package"), on_delete=models.PROTECT,
                                related_name="applications")
    amount = models.DecimalField(_("amount applied for"), **MONEY)
    purpose = models.CharField(_("purpose"), max_length=500)
    status = models.CharField(_("status"), max_length=10, choices=ApplicationStatus.choices,
                              default=ApplicationStatus.APPLYING)
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    applied_at = models.DateTimeField(_("applied"), default=timezone.now)
    approved_amount = models.DecimalField(_("amount approved"), null=True, blank=True, **MONEY)
    quota = models.OneToOneField(CouponQuota, verbose_name=_("coupon quota"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    reason = models.CharField(_("reason"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("test-coupon application")
        verbose_name_plural = _("test-coupon applications")
        ordering = ["-applied_at", "-id"]
        constraints = [
            models.CheckConstraint(name="test_coupon_amount_positive", condition=Q(amount__gt=0)),
            models.CheckConstraint(
                name="test_coupon_approved_has_quota",
                condition=~Q(status=ApplicationStatus.APPROVED)
                | (Q(quota__isnull=False) & Q(approved_amount__gt=0))),
            models.UniqueConstraint(fields=["partner", "package"], condition=Q(status=ApplicationStatus.APPLYING),
                                    name="test_coupon_open_once"),
        ]


class ExamCoupon(models.Model):
    """HCIA/HCIP 考试券 a member applied for; operators issue a code that only that member sees, to use on
    the talent platform with the uniportal account it gave."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="exam_coupons")
    level = models.CharField(_("level"), max_length=4, choices=ExamLevel.choices)
    track = models.CharField(_("certification"), max_length=64)
    uniportal_account = models.CharField(_("uniportal account"), max_length=64)
    status = models.CharField(_("status"), max_length=10, choices=ExamStatus.choices, default=ExamStatus.APPLYING)
    applied_at = models.DateTimeField(_("applied"), default=timezone.now)
    code_encrypted = models.TextField(blank=True)
    issued_at = models.DateTimeField(_("issued"), null=True, blank=True)
    expires_on = models.DateField(_("use before"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    reason = models.CharField(_("reason"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("exam coupon")
        verbose_name_plural = _("exam coupons")
        ordering = ["-applied_at", "-id"]
        constraints = [
            models.CheckConstraint(name="exam_coupon_issued_has_code",
                                   condition=~Q(status=ExamStatus.ISSUED) | ~Q(code_encrypted="")),
        ]


class Badge(models.Model):
    """能力认证徽章: earned per capability label (能力标签); downloadable, with its usage rules."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="badges")
    path = models.ForeignKey(Path, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    capability = models.CharField(_("capability label"), max_length=64)
    earned_on = models.DateField(_("earned on"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)

    class Meta:
        verbose_name = _("capability badge")
        verbose_name_plural = _("capability badges")
        ordering = ["-earned_on", "id"]
        constraints = [models.UniqueConstraint(fields=["partner", "capability"], name="badge_once_per_capability")]

    def __str__(self):
        return self.capability


# ---------------------------------------------------------------------------------------------
# Becoming a cloud reseller (成为云经销商)
# ---------------------------------------------------------------------------------------------

class ResellerRequest(models.Model):
    """A customer account asks to become a cloud reseller under a distributor; the distributor accepts,
    and the reseller partner is created (its administrator joins through a member invitation)."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="reseller_requests")
    distributor = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="reseller_requests")
    company_name = models.CharField(_("company name"), max_length=128)
    contact_email = models.EmailField(_("administrator e-mail"))
    lapse_acknowledged = models.BooleanField(_("coupons, discounts and stored-value cards lapse"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=ResellerRequestStatus.choices,
                              default=ResellerRequestStatus.APPLYING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    reseller = models.OneToOneField(Partner, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("cloud reseller request")
        verbose_name_plural = _("cloud reseller requests")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["customer"], condition=Q(status=ResellerRequestStatus.APPLYING),
                                    name="reseller_request_open_once"),
            models.CheckConstraint(name="reseller_request_acknowledged", condition=Q(lapse_acknowledged=True)),
        ]
