"""Incentives (激励): policies, the monthly run, 激励明细, 激励汇总 statements and rebate withdrawals.

**Policies** (激励政策) are defined by operators per programme and association type and are in force for whole
months (`valid_from` … `valid_until`, first days of months, both included). Per service type a rule says
what the service earns (`PolicyCode`: 0 非特定产品 at the policy's general rates, 1 特定产品 at the rule's
rates, 2 无业绩无返点, 13 有业绩无返点); a service type without a rule is 非特定产品. Rates are per charging
mode. Tiers add an extra rate on the partner's whole performance under the policy in the month once it
reaches `min_performance` (the highest tier reached applies). `first_order_rate` is the special incentive on
a new customer's first yearly/monthly purchase.

**The monthly run** (incentives/run.py) reads a closed month's fee records (bills.FeeRecord, `bill_cycle` —
consumption rated after a month closed lands in the next open month, so it earns in the next run) of each
partner's customers during their association and writes `IncentiveDetail` rows (per partner, association,
customer, service type, charging mode, policy and kind) and one `IncentiveStatement` per partner, policy and
kind. Performance (业绩) is what money paid — cash, arrears and arrears paid, not coupons — less refunds.

**Statements** go 待对账 → 已确认 or 有异议 → 已定稿; a final statement credits the partner's rebate account
(billing.rebates) once. **Withdrawals** (激励返点提现) take money out of it to the partner's bank.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.choices import ChargeMode
from catalog.models import ServiceType
from customers.choices import AssociationType
from customers.models import Association, Customer
from partnercenter.models import Partner
from programs.models import Program

from .choices import (IncentiveKind, PolicyCode, RunStatus, StatementStatus, WithdrawalStatus)
from .models_fh import FhLine, FhMaterial, FhMonth, FhPayment, FhQualification  # noqa: F401  (one app, two modules)

__all__ = ["IncentivePolicy", "PolicyServiceRule", "PolicyTier", "IncentiveRun", "IncentiveStatement",
           "IncentiveDetail", "RebateWithdrawal", "FhQualification", "FhMonth", "FhLine", "FhMaterial",
           "FhPayment", "MONEY", "RATE", "new_number"]

MONEY = {"max_digits": 18, "decimal_places": 2}
RATE = {"max_digits": 6, "decimal_places": 4}     # 0.0350 = 3.5 %
CYCLE = {"max_length": 7}                        # "YYYY-MM", Asia/Shanghai, as bills
RATE_RANGE = {"gte": 0, "lt": 1}


def new_number() -> str:
    return uuid.uuid4().hex[:20].upper()


def _rate_check(name, field, nullable=False):
    condition = Q(**{f"{field}__gte": 0, f"{field}__lt": 1})
    if nullable:
        condition |= Q(**{f"{field}__isnull": True})
    return models.CheckConstraint(name=name, condition=condition)


# ---------------------------------------------------------------------------------------------
# Policies (激励政策)
# ---------------------------------------------------------------------------------------------

class IncentivePolicy(models.Model):
    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=64)
    program = models.ForeignKey(
        Program, verbose_name=_("programme"), null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text=_("Empty: every partner with no policy of its own programme."))
    association_type = models.CharField(_("association type"), max_length=1, choices=AssociationType.choices)
    valid_from = models.DateField(_("in force from (month)"))
    valid_until = models.DateField(_("in force until (month, included)"), null=True, blank=True)
    period_rate = models.DecimalField(_("rebate rate, yearly/monthly"), **RATE)
    on_demand_rate = models.DecimalField(_("rebate rate, pay-per-use"), **RATE)
    first_order_rate = models.DecimalField(
        _("new customer's first order rate"), default=0, **RATE,
        help_text=_("Extra rate on a customer's first yearly/monthly purchase in the month its association "
                    "began."))
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("incentive policy")
        verbose_name_plural = _("incentive policies")
        ordering = ["-valid_from", "code"]
        constraints = [
            _rate_check("policy_period_rate", "period_rate"),
            _rate_check("policy_on_demand_rate", "on_demand_rate"),
            _rate_check("policy_first_order_rate", "first_order_rate"),
            models.CheckConstraint(name="policy_validity_order",
                                   condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from"))),
        ]

    def __str__(self):
        return self.name


class PolicyServiceRule(models.Model):
    policy = models.ForeignKey(IncentivePolicy, on_delete=models.CASCADE, related_name="rules")
    service_type = models.ForeignKey(ServiceType, verbose_name=_("service type"), on_delete=models.PROTECT,
                                     related_name="+")
    incentive_policy = models.PositiveSmallIntegerField(_("incentive policy"), choices=PolicyCode.choices)
    period_rate = models.DecimalField(_("rebate rate, yearly/monthly"), null=True, blank=True, **RATE)
    on_demand_rate = models.DecimalField(_("rebate rate, pay-per-use"), null=True, blank=True, **RATE)

    class Meta:
        verbose_name = _("service type rule")
        verbose_name_plural = _("service type rules")
        ordering = ["policy", "service_type"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "service_type"], name="policy_rule_once"),
            _rate_check("rule_period_rate", "period_rate", nullable=True),
            _rate_check("rule_on_demand_rate", "on_demand_rate", nullable=True),
            models.CheckConstraint(
                name="rule_specific_has_rates",
                condition=~Q(incentive_policy=PolicyCode.SPECIFIC)
                | Q(period_rate__isnull=False, on_demand_rate__isnull=False)),
        ]


class PolicyTier(models.Model):
    policy = models.ForeignKey(IncentivePolicy, on_delete=models.CASCADE, related_name="tiers")
    min_performance = models.DecimalField(_("monthly performance from"), **MONEY)
    extra_rate = models.DecimalField(_("extra rate"), **RATE)

    class Meta:
        verbose_name = _("tier")
        verbose_name_plural = _("tiers")
        ordering = ["policy", "min_performance"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "min_performance"], name="policy_tier_once"),
            models.CheckConstraint(name="tier_threshold_positive", condition=Q(min_performance__gt=0)),
            _rate_check("tier_extra_rate", "extra_rate"),
        ]


# ---------------------------------------------------------------------------------------------
# The monthly run, statements (激励汇总) and details (激励明细)
# ---------------------------------------------------------------------------------------------

class IncentiveRun(models.Model):
    """One row per month: the run's progress (resumable by partner id) and its outcome."""

    bill_cycle = models.CharField(_("period"), unique=True, **CYCLE)
    status = models.CharField(_("status"), max_length=8, choices=RunStatus.choices, default=RunStatus.RUNNING)
    cursor = models.BigIntegerField(default=0, help_text="partners with a pk up to this one are done")
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    partners = models.PositiveIntegerField(_("partners"), default=0)
    details = models.PositiveIntegerField(_("detail lines"), default=0)
    statements = models.PositiveIntegerField(_("statements"), default=0)

    class Meta:
        verbose_name = _("incentive run")
        verbose_name_plural = _("incentive runs")
        ordering = ["-bill_cycle"]

    def __str__(self):
        return self.bill_cycle


class IncentiveStatement(models.Model):
    statement_no = models.CharField(_("statement number"), max_length=20, unique=True, default=new_number)
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="incentive_statements")
    bill_cycle = models.CharField(_("reconciliation period"), **CYCLE)                       # 对账期次
    policy = models.ForeignKey(IncentivePolicy, on_delete=models.PROTECT, related_name="statements")
    kind = models.CharField(_("incentive"), max_length=12, choices=IncentiveKind.choices)
    name = models.CharField(_("incentive name"), max_length=128)                           # 激励名称 (snapshot)
    association_type = models.CharField(_("association type"), max_length=1, choices=AssociationType.choices)
    performance = models.DecimalField(_("performance"), **MONEY)
    amount = models.DecimalField(_("incentive amount"), **MONEY)                            # 激励金额
    status = models.CharField(_("status"), max_length=10, choices=StatementStatus.choices,
                              default=StatementStatus.PENDING)
    generated_at = models.DateTimeField(_("generated"), default=timezone.now)
    dispute_deadline = models.DateTimeField(_("objections until"))
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    dispute_reason = models.CharField(_("objection"), max_length=500, blank=True)
    disputed_at = models.DateTimeField(_("disputed"), null=True, blank=True)
    disputed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    answer = models.CharField(_("operator's answer"), max_length=500, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    finalised_at = models.DateTimeField(_("final since"), null=True, blank=True)
    trans_id = models.CharField(_("rebate transaction"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("incentive statement")
        verbose_name_plural = _("incentive statements")
        ordering = ["-bill_cycle", "-id"]
        indexes = [models.Index(fields=["partner", "-bill_cycle", "-id"], name="statement_partner_cycle"),
                   models.Index(fields=["status", "dispute_deadline"], name="statement_status_due")]
        constraints = [
            models.UniqueConstraint(fields=["partner", "bill_cycle", "policy", "kind"], name="statement_once"),
            models.CheckConstraint(name="statement_amount_not_negative", condition=Q(amount__gte=0)),
            models.CheckConstraint(name="statement_final_credited",
                                   condition=~Q(status=StatementStatus.FINAL) | ~Q(trans_id="")),
        ]

    def __str__(self):
        return f"{self.bill_cycle} {self.name}"


class IncentiveDetail(models.Model):
    """激励明细: one line per partner, association, customer, service type, charging mode, policy and kind."""

    statement = models.ForeignKey(IncentiveStatement, on_delete=models.CASCADE, related_name="details")
    bill_cycle = models.CharField(_("period"), **CYCLE)
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="+")
    policy = models.ForeignKey(IncentivePolicy, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("incentive"), max_length=12, choices=IncentiveKind.choices)
    association = models.ForeignKey(Association, on_delete=models.PROTECT, related_name="+")
    association_type = models.CharField(_("association type"), max_length=1, choices=AssociationType.choices)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+")
    service_type = models.ForeignKey(ServiceType, verbose_name=_("service type"), on_delete=models.PROTECT,
                                     related_name="+")
    charging_mode = models.PositiveSmallIntegerField(_("billing mode"), choices=ChargeMode.choices)
    incentive_policy = models.PositiveSmallIntegerField(_("incentive policy"), choices=PolicyCode.choices)
    fee_records = models.PositiveIntegerField(_("fee records"), default=0)
    consumption = models.DecimalField(_("consumption"), **MONEY)
    performance = models.DecimalField(_("performance"), **MONEY)
    rate = models.DecimalField(_("rate"), **RATE)
    rebate = models.DecimalField(_("rebate"), **MONEY)

    class Meta:
        verbose_name = _("incentive detail")
        verbose_name_plural = _("incentive details")
        ordering = ["-bill_cycle", "-id"]
        indexes = [models.Index(fields=["partner", "bill_cycle", "id"], name="detail_partner_cycle")]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "bill_cycle", "policy", "kind", "association", "service_type", "charging_mode"],
                name="detail_once"),
        ]


# ---------------------------------------------------------------------------------------------
# 激励返点提现
# ---------------------------------------------------------------------------------------------

class RebateWithdrawal(models.Model):
    withdrawal_no = models.CharField(_("withdrawal number"), max_length=20, unique=True, default=new_number)
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="rebate_withdrawals")
    amount = models.DecimalField(_("amount"), **MONEY)
    bank_name = models.CharField(_("bank"), max_length=128)
    bank_branch = models.CharField(_("branch"), max_length=128, blank=True)
    account_holder = models.CharField(_("account holder"), max_length=128)
    bank_account_encrypted = models.TextField()
    bank_account_last4 = models.CharField(max_length=4)
    status = models.CharField(_("status"), max_length=10, choices=WithdrawalStatus.choices,
                              default=WithdrawalStatus.PENDING)
    trans_id = models.CharField(max_length=32, unique=True)
    return_trans_id = models.CharField(max_length=32, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    payment_reference = models.CharField(_("payment reference"), max_length=64, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("rebate withdrawal")
        verbose_name_plural = _("rebate withdrawals")
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["partner", "-requested_at", "-id"], name="withdrawal_partner")]
        constraints = [
            models.CheckConstraint(name="withdrawal_amount_positive", condition=Q(amount__gt=0)),
            models.CheckConstraint(name="withdrawal_rejected_returned",
                                   condition=~Q(status=WithdrawalStatus.REJECTED) | ~Q(return_trans_id="")),
        ]

    def __str__(self):
        return self.withdrawal_no

    @property
    def masked_bank_account(self) -> str:
        return f"**** **** **** {self.bank_account_last4}"
