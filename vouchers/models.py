"""Vouchers: coupon quotas granted to partners, coupons issued from them to customers, and the records.

A quota's balance only moves by conditional UPDATEs, never below zero (CheckConstraint as the
backstop); every issue, reclaim and expiry writes a CouponRecord. The issuer's remark on a coupon is
never shown to the customer.
"""

import uuid

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from customers.models import Customer
from partnercenter.models import Partner

from .choices import CouponOperation, CouponStatus, CouponType, QuotaOperation, QuotaStatus, QuotaType

__all__ = ["new_id", "CouponQuota", "Coupon", "CouponRecord", "QuotaRecord"]

MONEY = {"max_digits": 18, "decimal_places": 2}


def new_id() -> str:
    return uuid.uuid4().hex


class CouponQuota(models.Model):
    """A quota (代金券额度 / 现金券额度) the platform grants a partner, or a distributor passes to a cloud
    reseller (a child quota with `parent`). Limits narrow what coupons issued from it may be used on."""

    quota_id = models.CharField(_("quota ID"), max_length=32, unique=True, default=new_id)
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="coupon_quotas")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    designated_customer = models.ForeignKey(
        Customer, verbose_name=_("designated customer"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", help_text=_("Set on the quota holding a reclaimed flexi-purchase coupon: it can be issued "
                                      "again only to this customer."),
    )
    quota_type = models.PositiveSmallIntegerField(_("quota type"), choices=QuotaType.choices)
    quota_value = models.DecimalField(_("quota value"), **MONEY)
    balance = models.DecimalField(_("balance"), **MONEY)
    status = models.PositiveSmallIntegerField(_("status"), choices=QuotaStatus.choices, default=QuotaStatus.NORMAL)
    effective_time = models.DateTimeField(_("effective"))
    expire_time = models.DateTimeField(_("expires"))
    cloud_service_types = models.JSONField(_("cloud service types"), default=list, blank=True)
    product_ids = models.JSONField(_("products"), default=list, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("coupon quota")
        verbose_name_plural = _("coupon quotas")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(name="quota_balance_not_negative", condition=Q(balance__gte=0)),
            models.CheckConstraint(name="quota_balance_within_value", condition=Q(balance__lte=F("quota_value"))),
            models.CheckConstraint(name="quota_value_positive", condition=Q(quota_value__gt=0)),
            models.CheckConstraint(name="quota_window", condition=Q(expire_time__gt=F("effective_time"))),
        ]

    def __str__(self):
        return f"{self.get_quota_type_display()} {self.quota_id[:8]}"

    @property
    def coupon_type(self) -> int:
        return CouponType.FLEXI_COUPON if self.quota_type == QuotaType.FLEXI_COUPON else CouponType.CASH_COUPON

    @property
    def is_reclaimed(self) -> bool:
        return self.status == QuotaStatus.RECLAIMED

    def usable_at(self, when) -> bool:
        return self.status == QuotaStatus.NORMAL and self.effective_time <= when < self.expire_time


class Coupon(models.Model):
    """A coupon issued to a customer from a quota. Only an effective one (status 2) can be reclaimed,
    and always its whole balance, which returns to its quota."""

    coupon_id = models.CharField(_("coupon ID"), max_length=32, unique=True, default=new_id)
    quota = models.ForeignKey(CouponQuota, on_delete=models.PROTECT, related_name="coupons")
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="issued_coupons")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="coupons")
    coupon_type = models.PositiveSmallIntegerField(_("coupon type"), choices=CouponType.choices)
    face_value = models.DecimalField(_("face value"), **MONEY)
    balance = models.DecimalField(_("balance"), **MONEY)
    status = models.PositiveSmallIntegerField(_("status"), choices=CouponStatus.choices, default=CouponStatus.EFFECTIVE)
    valid_time = models.DateTimeField(_("valid from"))
    expire_time = models.DateTimeField(_("expires"))
    cloud_service_types = models.JSONField(_("cloud service types"), default=list, blank=True)
    product_ids = models.JSONField(_("products"), default=list, blank=True)
    remark = models.CharField(_("remark (issuer only)"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("issued"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("coupon")
        verbose_name_plural = _("coupons")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["partner", "-created_at"]),
            models.Index(fields=["status", "expire_time"]),
            # the home page's "expiring within 7 days": one partner's window, not every partner's
            models.Index(fields=["partner", "status", "expire_time"], name="coupon_partner_expiring"),
        ]
        constraints = [
            models.CheckConstraint(name="coupon_balance_not_negative", condition=Q(balance__gte=0)),
            models.CheckConstraint(name="coupon_balance_within_face", condition=Q(balance__lte=F("face_value"))),
            models.CheckConstraint(name="coupon_face_positive", condition=Q(face_value__gt=0)),
        ]

    def __str__(self):
        return self.coupon_id

    @property
    def is_effective(self) -> bool:
        """Usable now; only an effective coupon can be reclaimed."""
        return self.status == CouponStatus.EFFECTIVE


class CouponRecord(models.Model):
    """操作记录 of coupons: issue, reclaim (manual, on disassociation, on switch), expiry … Never edited."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="coupon_records")
    operation_type = models.CharField(_("operation"), max_length=2, choices=CouponOperation.choices)
    quota = models.ForeignKey(CouponQuota, null=True, on_delete=models.PROTECT, related_name="records")
    coupon = models.ForeignKey(Coupon, null=True, on_delete=models.PROTECT, related_name="records")
    customer = models.ForeignKey(Customer, null=True, on_delete=models.PROTECT, related_name="coupon_records")
    amount = models.DecimalField(_("amount"), **MONEY)
    result = models.CharField(_("result"), max_length=2, default="0")  # 0 success, -1 failure
    remark = models.CharField(_("remark"), max_length=255, blank=True)
    operator = models.CharField(_("operator"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("coupon record")
        verbose_name_plural = _("coupon records")
        ordering = ["-created_at", "-id"]

    @property
    def succeeded(self) -> bool:
        return self.result == "0"

    @property
    def operator_display(self) -> str:
        """Who did it: a person's label as stored, or the name of the system process that did (the rating's coupon
        use stores bills.deduction.OPERATOR)."""
        return str(SYSTEM_OPERATORS.get(self.operator, self.operator))


# The operators that are processes, not people, by the text their records store.
SYSTEM_OPERATORS = {"rating": _("System (usage billing)")}


class QuotaRecord(models.Model):
    """A distributor issuing (10) or reclaiming (11) quota to or from a cloud reseller."""

    distributor = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="quota_records")
    reseller = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="+")
    operation_type = models.CharField(_("operation"), max_length=2, choices=QuotaOperation.choices)
    quota = models.ForeignKey(CouponQuota, on_delete=models.PROTECT, related_name="+")
    parent_quota = models.ForeignKey(CouponQuota, on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(_("amount"), **MONEY)
    result = models.CharField(_("result"), max_length=2, default="0")
    remark = models.CharField(_("remark"), max_length=255, blank=True)
    operator = models.CharField(_("operator"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("quota record")
        verbose_name_plural = _("quota records")
        ordering = ["-created_at", "-id"]
