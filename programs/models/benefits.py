"""Benefits (权益): test coupons, exam coupons, badges."""


from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partnercenter.models import Member, Partner
from vouchers.choices import QuotaType
from vouchers.models import CouponQuota

from ..choices import ApplicationStatus, ExamLevel, ExamStatus
from .definitions import Path, Stage
from .fields import MONEY


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
