"""Enumerations of the money domain, with Huawei's wire values."""

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["OperationType", "TradeType", "BalanceType", "RechargeMethod", "RechargeStatus"]


class OperationType(models.TextChoices):
    """调账类型 of an adjustment record."""

    ALLOCATE = "SOURCE_OPERATION_BEADJUST", _("allocation")
    RECLAIM = "SOURCE_OPERATION_BERETRIEVE", _("reclaim")
    UNBIND = "SOURCE_OPERATION_BEUNBIND", _("reclaim on disassociation")


class TradeType(models.TextChoices):
    """交易类型 of a ledger entry (收支明细)."""

    RECHARGE = "RECHARGE", _("recharge")
    ADJUST = "ADJUST", _("credit limit adjustment")
    BEADJUST = "BEADJUST", _("allocation")
    BERETRIEVE = "BERETRIEVE", _("reclaim")
    BEUNBIND = "BEUNBIND", _("reclaim on disassociation")
    DEDUCT = "DEDEUCT", _("consumption")
    PURCHASE = "PURCHASE", _("order payment")
    REFUND = "REFUND", _("unsubscription refund")
    ARREARS = "ARREARS", _("consumption in arrears")
    WRITEOFF = "WRITEOFF", _("arrears paid")
    INCENTIVE = "INCENTIVE", _("incentive credited")
    WITHDRAW = "WITHDRAW", _("rebate withdrawal")
    WITHDRAW_RETURN = "WITHDRAW_RETURN", _("rebate withdrawal returned")


class BalanceType(models.TextChoices):
    """Which balance of an owner an entry moves."""

    CASH = "cash", _("cash account")
    CREDIT = "credit", _("credit account")
    ALLOCATED = "allocated", _("allocated amount")
    ARREARS = "arrears", _("arrears")
    REBATE = "rebate", _("rebate account")


class RechargeMethod(models.TextChoices):
    ONLINE = "online", _("online payment")
    REMITTANCE = "remittance", _("offline remittance")


class RechargeStatus(models.TextChoices):
    PENDING = "pending", _("waiting")
    SUCCEEDED = "succeeded", _("credited")
    FAILED = "failed", _("failed")
    REJECTED = "rejected", _("rejected")
