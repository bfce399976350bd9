"""Enumerations of incentives (激励) and the FH staff incentive (专职人员激励)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

__all__ = ["PolicyCode", "IncentiveKind", "RunStatus", "StatementStatus", "WithdrawalStatus",
           "FhQualificationStatus", "FhMonthStatus", "FhPaymentStatus", "EARNING_CODES", "REBATE_CODES"]


class PolicyCode(models.IntegerChoices):
    """`incentive_policy` of GET /v2/products/incentive-discount-policies, per service type."""

    NON_SPECIFIC = 0, _("non-specific product")           # 非特定产品: the policy's general rates
    SPECIFIC = 1, _("specific product")                   # 特定产品: the rule's own rates
    NO_PERFORMANCE = 2, _("no performance, no rebate")    # 无业绩无返点
    PERFORMANCE_ONLY = 13, _("performance, no rebate")    # 有业绩无返点


EARNING_CODES = (PolicyCode.NON_SPECIFIC, PolicyCode.SPECIFIC, PolicyCode.PERFORMANCE_ONLY)  # count as 业绩
REBATE_CODES = (PolicyCode.NON_SPECIFIC, PolicyCode.SPECIFIC)                                 # earn 返点


class IncentiveKind(models.TextChoices):
    """Which incentive of a policy a statement or a detail line is (激励名称 = the policy's name + this)."""

    BASE = "base", _("base incentive")
    TIER = "tier", _("tier incentive")
    FIRST_ORDER = "first_order", _("new customer's first order incentive")


class RunStatus(models.TextChoices):
    RUNNING = "running", pgettext_lazy("incentive run", "running")
    DONE = "done", pgettext_lazy("incentive run", "done")
    STALE = "stale", pgettext_lazy("incentive run", "to be run again")   # a policy of the period was corrected


class StatementStatus(models.TextChoices):
    """激励汇总 状态: 待对账 → 已确认 or 有异议 → 已定稿."""

    PENDING = "pending", pgettext_lazy("incentive statement", "to be reconciled")   # 待对账
    CONFIRMED = "confirmed", pgettext_lazy("incentive statement", "confirmed")       # 已确认
    DISPUTED = "disputed", pgettext_lazy("incentive statement", "disputed")          # 有异议
    FINAL = "final", pgettext_lazy("incentive statement", "final")                   # 已定稿


REPLACEABLE_STATEMENTS = (StatementStatus.PENDING, StatementStatus.DISPUTED)  # a re-run may replace these


class WithdrawalStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("withdrawal", "processing")
    PAID = "paid", pgettext_lazy("withdrawal", "paid")
    REJECTED = "rejected", pgettext_lazy("withdrawal", "rejected")


class FhQualificationStatus(models.TextChoices):
    APPLYING = "applying", pgettext_lazy("FH", "applying")
    APPROVED = "approved", pgettext_lazy("FH", "qualified")
    REJECTED = "rejected", pgettext_lazy("FH", "rejected")


class FhMonthStatus(models.TextChoices):
    """A month's FH list: generated at the start of the next month, checked by the partner within 14 working
    days (else 失效), reviewed by operators, final."""

    GENERATED = "generated", pgettext_lazy("FH", "to be checked")       # 待核对
    SUBMITTED = "submitted", pgettext_lazy("FH", "under review")        # 初审中
    RETURNED = "returned", pgettext_lazy("FH", "returned")              # 退回修改 (the deadline still holds)
    FINAL = "final", pgettext_lazy("FH", "final")                       # 已定稿
    LAPSED = "lapsed", pgettext_lazy("FH", "lapsed")                    # 已失效


FH_OPEN_MONTHS = (FhMonthStatus.GENERATED, FhMonthStatus.RETURNED)      # the partner can still act on these


class FhPaymentStatus(models.TextChoices):
    APPLIED = "applied", pgettext_lazy("FH payment", "under review")             # 付款申请审核中
    APPROVED = "approved", pgettext_lazy("FH payment", "approved")               # 付款申请审核通过
    REJECTED = "rejected", pgettext_lazy("FH payment", "rejected")
    INVOICED = "invoiced", pgettext_lazy("FH payment", "invoice sent")           # 发票已寄出
    PAID = "paid", pgettext_lazy("FH payment", "paid")                           # 已付款
