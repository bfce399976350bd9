"""Money: partner and customer accounts, adjustments (调账), recharges and the ledger (收支明细).

Every balance lives in one row with a CheckConstraint as the backstop; every change of a balance
writes one LedgerEntry per side in the same transaction, with the balance after it. `manage.py
verify_ledger` recomputes every balance from its entries.
"""

import uuid

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from customers.models import Customer
from partnercenter.models import AccessKey, Partner

from .choices import BalanceType, OperationType, RechargeMethod, RechargeStatus, TradeType

__all__ = ["new_trans_id", "PartnerAccount", "CustomerAccount", "Adjustment", "LedgerEntry", "Recharge",
           "IdempotencyKey"]

MONEY = {"max_digits": 18, "decimal_places": 2}


def new_trans_id() -> str:
    return uuid.uuid4().hex


class PartnerAccount(models.Model):
    """A partner's money. 账户余额 (available, what can be allocated) = cash + credit limit − allocated."""

    partner = models.OneToOneField(Partner, on_delete=models.PROTECT, related_name="account")
    account_id = models.CharField(max_length=32, unique=True, default=new_trans_id)
    cash_balance = models.DecimalField(_("cash account"), default=0, **MONEY)
    credit_limit = models.DecimalField(_("credit limit"), default=0, **MONEY)
    allocated_amount = models.DecimalField(_("allocated amount"), default=0, **MONEY)
    # 返点账户: incentives credited by final statements, withdrawn to the partner's bank (billing/rebates.py).
    # Apart from the 账户余额: it cannot be allocated or spent.
    rebate_balance = models.DecimalField(_("rebate account"), default=0, **MONEY)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("partner account")
        verbose_name_plural = _("partner accounts")
        constraints = [
            # Backstops: services update with conditional UPDATEs; the database refuses the impossible.
            models.CheckConstraint(name="partner_cash_not_negative", condition=Q(cash_balance__gte=0)),
            models.CheckConstraint(name="partner_credit_not_negative", condition=Q(credit_limit__gte=0)),
            models.CheckConstraint(name="partner_allocated_not_negative", condition=Q(allocated_amount__gte=0)),
            models.CheckConstraint(name="partner_rebate_not_negative", condition=Q(rebate_balance__gte=0)),
            models.CheckConstraint(
                name="partner_allocated_within_funds",
                condition=Q(allocated_amount__lte=F("cash_balance") + F("credit_limit")),
            ),
        ]

    def __str__(self):
        return f"{self.partner} account"

    @property
    def available(self):
        return self.cash_balance + self.credit_limit - self.allocated_amount


class CustomerAccount(models.Model):
    """A customer's cash balance (what its partner allocated, less what it consumed or was reclaimed) and
    its arrears (欠费): consumption no balance covered (bills' deduction). A customer with arrears has a zero
    balance: money that arrives pays the arrears first (ledger balance type ARREARS)."""

    customer = models.OneToOneField(Customer, on_delete=models.PROTECT, related_name="account")
    account_id = models.CharField(max_length=32, unique=True, default=new_trans_id)
    balance = models.DecimalField(_("balance"), default=0, **MONEY)
    arrears = models.DecimalField(_("arrears"), default=0, **MONEY)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("customer account")
        verbose_name_plural = _("customer accounts")
        constraints = [
            models.CheckConstraint(name="customer_balance_not_negative", condition=Q(balance__gte=0)),
            models.CheckConstraint(name="customer_arrears_not_negative", condition=Q(arrears__gte=0)),
        ]

    def __str__(self):
        return f"{self.customer} account"


class Adjustment(models.Model):
    """One allocation or reclaim (调账记录) between a partner and a customer, or between a distributor
    and its cloud reseller (`reseller` set, `customer` empty). Never edited."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="adjustments")
    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.PROTECT, related_name="adjustments")
    reseller = models.ForeignKey(Partner, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    operation_type = models.CharField(_("type"), max_length=32, choices=OperationType.choices)
    amount = models.DecimalField(_("amount"), **MONEY)
    trans_id = models.CharField(_("transaction ID"), max_length=32, unique=True, default=new_trans_id)
    batch_id = models.CharField(max_length=32, blank=True, db_index=True)
    memo = models.CharField(_("remark"), max_length=255, blank=True)
    operator = models.CharField(_("operator"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("adjustment")
        verbose_name_plural = _("adjustments")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["partner", "-created_at"])]
        constraints = [
            models.CheckConstraint(name="adjustment_amount_positive", condition=Q(amount__gt=0)),
            models.CheckConstraint(name="adjustment_has_one_counterparty",
                                   condition=Q(customer__isnull=True) ^ Q(reseller__isnull=True)),
        ]

    def __str__(self):
        return self.trans_id


class LedgerEntry(models.Model):
    """One change of one balance (收支明细). `amount` is signed; `balance_after` is that balance after
    the change; for partners `available_after` is the 账户余额 after it."""

    partner = models.ForeignKey(Partner, null=True, blank=True, on_delete=models.PROTECT, related_name="ledger")
    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.PROTECT, related_name="ledger")
    balance_type = models.CharField(max_length=10, choices=BalanceType.choices)
    trade_type = models.CharField(_("trade type"), max_length=16, choices=TradeType.choices)
    amount = models.DecimalField(_("change"), **MONEY)
    balance_after = models.DecimalField(_("balance after"), **MONEY)
    available_after = models.DecimalField(null=True, blank=True, **MONEY)
    trans_id = models.CharField(_("transaction ID"), max_length=32, db_index=True)
    adjustment = models.ForeignKey(Adjustment, null=True, blank=True, on_delete=models.PROTECT, related_name="entries")
    counterparty = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["partner", "-created_at"]), models.Index(fields=["customer", "-created_at"])]
        constraints = [
            models.CheckConstraint(name="ledger_one_owner", condition=Q(partner__isnull=True) ^ Q(customer__isnull=True)),
            models.CheckConstraint(name="ledger_amount_not_zero", condition=~Q(amount=0)),
        ]

    def __str__(self):
        return f"{self.trade_type} {self.amount}"


class Recharge(models.Model):
    """A recharge (充值): an online payment through the payment provider, or an offline remittance the
    partner records and an operator confirms. Only a succeeded one credits the cash account."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="recharges")
    method = models.CharField(_("method"), max_length=12, choices=RechargeMethod.choices)
    amount = models.DecimalField(_("amount"), **MONEY)
    status = models.CharField(_("status"), max_length=12, choices=RechargeStatus.choices, default=RechargeStatus.PENDING)
    reference = models.CharField(_("payment or remittance reference"), max_length=64, blank=True)
    remitter = models.CharField(_("remitting account"), max_length=128, blank=True)
    provider = models.CharField(max_length=32, blank=True)
    trans_id = models.CharField(max_length=32, unique=True, default=new_trans_id)
    requested_by = models.CharField(_("requested by"), max_length=150, blank=True)
    decided_by = models.CharField(_("decided by"), max_length=150, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        verbose_name = _("recharge")
        verbose_name_plural = _("recharges")
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(name="recharge_amount_positive", condition=Q(amount__gt=0))]

    def __str__(self):
        return f"{self.partner} {self.amount} {self.status}"


class IdempotencyKey(models.Model):
    """The first result of a money-moving API call sent with X-Idempotency-Key, replayed for 24 hours —
    only to the access key that made it (another key of the same partner has its own keys)."""

    access_key = models.ForeignKey(AccessKey, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=128)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    response = models.JSONField(null=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["access_key", "key"], name="idempotency_key_unique_per_access_key")]
