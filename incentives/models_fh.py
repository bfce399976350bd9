"""专职人员激励 (FH, 售前专职人员激励) of 数字化转型咨询与系统集成 partners at 能力差异化认证.

- `FhQualification` — 资格申请: the partner signs the FH agreement; operators approve.
- `FhMonth` — at the start of each month a task lists, per qualified partner, the approved project specialists
  (programs.ProjectSpecialist on the path) of the previous month and their amounts (`FhLine`). The partner
  checks the list and submits materials (`FhMaterial`) within 14 working days of generation (`deadline`,
  partnercenter.workdays.sla_deadline); after it an idempotent task marks the month 失效. Operators review:
  final, or returned for changes (the deadline still holds).
- `FhPayment` — 季度付款申请 once every month of the quarter is final or lapsed (and at least one final), only
  after 商业信息认证; approved by operators, then the partner prints the 开票清单, enters the invoice number,
  and follows the payment.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partnercenter.models import Partner
from programs.models import ProjectSpecialist
from programs.storage import private_storage

from .choices import FH_OPEN_MONTHS, FhMonthStatus, FhPaymentStatus, FhQualificationStatus

MONEY = {"max_digits": 18, "decimal_places": 2}


def _number() -> str:
    return uuid.uuid4().hex[:20].upper()


def _material_path(instance, filename) -> str:
    return f"fh/{instance.fh_month.partner_id}/{uuid.uuid4().hex}"


class FhQualification(models.Model):
    partner = models.OneToOneField(Partner, on_delete=models.CASCADE, related_name="fh_qualification")
    status = models.CharField(_("status"), max_length=10, choices=FhQualificationStatus.choices,
                              default=FhQualificationStatus.APPLYING)
    agreement_version = models.CharField(_("FH agreement version"), max_length=32)
    signer_name = models.CharField(_("signed by"), max_length=64)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    signed_at = models.DateTimeField(_("signed"), default=timezone.now)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("FH qualification")
        verbose_name_plural = _("FH qualifications")

    def __str__(self):
        return str(self.partner)


class FhMonth(models.Model):
    partner = models.ForeignKey(Partner, verbose_name=_("partner"), on_delete=models.PROTECT, related_name="fh_months")
    month = models.DateField(_("month"))                       # the first day of the month the list covers
    status = models.CharField(_("status"), max_length=10, choices=FhMonthStatus.choices,
                              default=FhMonthStatus.GENERATED)
    generated_at = models.DateTimeField(_("generated"), default=timezone.now)
    deadline = models.DateTimeField(_("check by"))
    amount = models.DecimalField(_("amount"), default=0, **MONEY)   # the sum of the lines the partner keeps
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("submitted by"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    lapsed_at = models.DateTimeField(_("lapsed"), null=True, blank=True)

    class Meta:
        verbose_name = _("FH monthly list")
        verbose_name_plural = _("FH monthly lists")
        ordering = ["-month", "-id"]
        indexes = [models.Index(fields=["deadline"], condition=Q(status__in=FH_OPEN_MONTHS), name="fh_month_due")]
        constraints = [
            models.UniqueConstraint(fields=["partner", "month"], name="fh_month_once"),
            models.CheckConstraint(name="fh_month_amount_not_negative", condition=Q(amount__gte=0)),
        ]

    def __str__(self):
        return f"{self.partner} {self.month:%Y-%m}"


class FhLine(models.Model):
    fh_month = models.ForeignKey(FhMonth, on_delete=models.CASCADE, related_name="lines")
    specialist = models.ForeignKey(ProjectSpecialist, on_delete=models.PROTECT, related_name="+")
    member_name = models.CharField(_("specialist"), max_length=150)
    amount = models.DecimalField(_("amount"), **MONEY)
    included = models.BooleanField(_("confirmed by the partner"), default=True)

    class Meta:
        verbose_name = _("FH list line")
        verbose_name_plural = _("FH list lines")
        ordering = ["fh_month", "id"]
        constraints = [
            models.UniqueConstraint(fields=["fh_month", "specialist"], name="fh_line_once"),
            models.CheckConstraint(name="fh_line_amount_positive", condition=Q(amount__gt=0)),
        ]

    def __str__(self):
        return self.member_name


class FhMaterial(models.Model):
    fh_month = models.ForeignKey(FhMonth, on_delete=models.CASCADE, related_name="materials")
    file = models.FileField(storage=private_storage, upload_to=_material_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        verbose_name = _("FH material")
        verbose_name_plural = _("FH materials")
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.original_name


class FhPayment(models.Model):
    payment_no = models.CharField(_("application number"), max_length=20, unique=True, default=_number)
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="fh_payments")
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"))
    amount = models.DecimalField(_("amount"), **MONEY)
    status = models.CharField(_("status"), max_length=10, choices=FhPaymentStatus.choices,
                              default=FhPaymentStatus.APPLIED)
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    applied_at = models.DateTimeField(_("applied"), default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    invoice_number = models.CharField(_("invoice number"), max_length=32, blank=True)
    invoiced_at = models.DateTimeField(_("invoice entered"), null=True, blank=True)
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    payment_reference = models.CharField(_("payment reference"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("FH quarterly payment")
        verbose_name_plural = _("FH quarterly payments")
        ordering = ["-year", "-quarter", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["partner", "year", "quarter"], name="fh_payment_once",
                                    condition=~Q(status=FhPaymentStatus.REJECTED)),
            models.CheckConstraint(name="fh_payment_quarter", condition=Q(quarter__gte=1, quarter__lte=4)),
            models.CheckConstraint(name="fh_payment_amount_positive", condition=Q(amount__gt=0)),
            models.CheckConstraint(name="fh_payment_invoiced_has_number",
                                   condition=~Q(status__in=[FhPaymentStatus.INVOICED, FhPaymentStatus.PAID])
                                   | ~Q(invoice_number="")),
        ]

    def __str__(self):
        return f"{self.partner} {self.year} Q{self.quarter}"
