"""Enumerations of the vouchers domain, with Huawei's wire values."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

__all__ = ["QuotaType", "QuotaStatus", "CouponType", "CouponStatus", "CouponOperation", "QuotaOperation"]


class QuotaType(models.IntegerChoices):
    CASH_COUPON = 0, _("cash coupon quota")
    FLEXI_COUPON = 1, _("flexi-purchase coupon quota")


class QuotaStatus(models.IntegerChoices):
    NORMAL = 0, pgettext_lazy("quota status", "normal")
    INVALID = 3, pgettext_lazy("quota status", "invalid")
    ADJUSTING = 4, pgettext_lazy("quota status", "adjusting")
    FROZEN = 5, pgettext_lazy("quota status", "frozen")
    RECLAIMED = 6, pgettext_lazy("quota status", "reclaimed")


class CouponType(models.IntegerChoices):
    CASH_COUPON = 1, _("cash coupon")
    FLEXI_COUPON = 4, _("flexi-purchase coupon")


class CouponStatus(models.IntegerChoices):
    INACTIVE = 1, pgettext_lazy("coupon status", "not activated")
    EFFECTIVE = 2, pgettext_lazy("coupon status", "effective")
    USED = 3, pgettext_lazy("coupon status", "used")
    EXPIRED = 4, pgettext_lazy("coupon status", "expired")
    RECLAIMED = 5, pgettext_lazy("coupon status", "reclaimed")


class CouponOperation(models.TextChoices):
    ISSUE = "1", _("issue")
    RECLAIM = "2", _("manual reclaim")
    UNBIND = "3", _("reclaim on disassociation")
    EXPIRE = "4", _("expiry")
    UNSUBSCRIBE = "5", _("reclaim on unsubscription")
    REFUND = "6", _("refund reversal")
    ASSOCIATE = "7", _("reclaim on association")
    TYPE_SWITCH = "8", _("reclaim on association type switch")
    TRANSFER = "9", _("cloud reseller transfer")
    USE = "10", _("used at checkout")


class QuotaOperation(models.TextChoices):
    ISSUE = "10", _("issue quota")
    RECLAIM = "11", _("reclaim quota")
