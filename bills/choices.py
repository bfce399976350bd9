"""Enumerations of consumption and bills, with Huawei's wire values where the API has them."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

__all__ = ["BillType", "BillSumType", "FeeStatus", "UsageStatus", "UsageSource", "PackageStatus", "PeriodStatus",
           "ZeroBalancePolicy", "PartnerBillLineKind"]


class BillType(models.IntegerChoices):
    """bill_type / bill_detail_type of a fee record (账单类型)."""

    NEW = 1, _("Consumption - new purchase")
    RENEW = 2, _("Consumption - renewal")
    CHANGE = 3, _("Consumption - change")
    REFUND = 4, _("Refund - unsubscription")
    USAGE = 5, _("Consumption - usage")
    AUTO_RENEW = 8, _("Consumption - auto-renewal")
    COMPENSATION = 9, _("Adjustment - compensation")
    ADJUST_DEDUCT = 16, _("Adjustment - deduction")
    TO_ON_DEMAND_REFUND = 24, _("Refund - yearly/monthly to pay-per-use")


class BillSumType(models.IntegerChoices):
    """bill_type of a monthly sum (customer monthly-sum): 1 consumption, 2 refund, 3 adjustment."""

    CONSUMPTION = 1, _("consumption")
    REFUND = 2, _("refund")
    ADJUSTMENT = 3, _("adjustment")


class FeeStatus(models.IntegerChoices):
    """status of a fee record (支付状态): 1 paid, 2 not settled (part of it is arrears)."""

    PAID = 1, pgettext_lazy("fee status", "paid")
    UNSETTLED = 2, _("not settled")


class UsageStatus(models.IntegerChoices):
    NEW = 0, _("waiting to be rated")
    RATED = 1, _("rated")
    FAILED = 2, _("not rated")


class UsageSource(models.IntegerChoices):
    API = 1, _("ingestion API")
    FILE = 2, _("file import")
    GENERATOR = 3, _("usage generator")


class PackageStatus(models.IntegerChoices):
    """status of a resource package (free-resources query): 0 not yet effective … 4 unsubscribed."""

    PENDING = 0, _("not yet effective")
    EFFECTIVE = 1, pgettext_lazy("package status", "effective")
    USED_UP = 2, _("used up")
    EXPIRED = 3, _("expired")
    UNSUBSCRIBED = 4, _("unsubscribed")


class PeriodStatus(models.TextChoices):
    OPEN = "open", _("open")
    CLOSED = "closed", _("closed")


class ZeroBalancePolicy(models.TextChoices):
    """What happens when consumption meets a customer's zero balance."""

    ARREARS = "arrears", _("keep running into arrears up to a limit")
    STOP_PURCHASES = "stop", _("stop new purchases only")


class PartnerBillLineKind(models.TextChoices):
    """The parts of a partner bill (伙伴账单)."""

    CONSUMPTION = "consumption", _("customers' consumption paid from allocations")
    PARTNER_PAID = "partner_paid", _("orders paid by the partner")
    REFUND = "refund", _("refunds")
    RECHARGE = "recharge", _("recharges")
    ALLOCATION = "allocation", _("allocations")
    RECLAIM = "reclaim", _("reclaims")
