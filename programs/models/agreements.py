"""Agreements (签署协议) and business information certification (商业信息认证)."""


from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partnercenter.models import Partner

from ..choices import CertificationStatus
from .definitions import Program


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
