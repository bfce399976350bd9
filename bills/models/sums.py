"""What the month close and the running sums write (per-customer monthly sums, 伙伴账单), and the low-balance
settings and state: see the package docstring."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.choices import ChargeMode
from catalog.models import ResourceType, ServiceType
from customers.models import Association, Customer
from partnercenter.models import Partner

from ..choices import BillSumType, ZeroBalancePolicy
from .fields import CYCLE, MONEY

__all__ = ["CustomerMonthlySum", "RunningSum", "PartnerBill", "LowBalanceSetting", "LowBalanceState"]


class MonthSumFields(models.Model):
    """The columns of a month's sum of one customer's fee records under one association (or none), per
    service type, resource type, charging mode and kind: the group and what it adds up."""

    bill_cycle = models.CharField(_("billing cycle"), **CYCLE)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+")
    association = models.ForeignKey(Association, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    partner = models.ForeignKey(Partner, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    service_type = models.ForeignKey(ServiceType, on_delete=models.PROTECT, related_name="+")
    resource_type = models.ForeignKey(ResourceType, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    charging_mode = models.PositiveSmallIntegerField(_("billing mode"), choices=ChargeMode.choices)
    bill_type = models.PositiveSmallIntegerField(_("kind"), choices=BillSumType.choices)
    records = models.PositiveIntegerField(default=0)
    official_amount = models.DecimalField(**MONEY)
    discount_amount = models.DecimalField(**MONEY)
    erase_amount = models.DecimalField(**MONEY)
    consume_amount = models.DecimalField(**MONEY)
    coupon_amount = models.DecimalField(**MONEY)
    flexipurchase_coupon_amount = models.DecimalField(**MONEY)
    cash_amount = models.DecimalField(**MONEY)
    debt_amount = models.DecimalField(**MONEY)
    writeoff_amount = models.DecimalField(**MONEY)
    # the part of cash_amount the partner paid from its own account (FeeRecord.partner_paid)
    partner_cash_amount = models.DecimalField(default=0, **MONEY)

    class Meta:
        abstract = True


class CustomerMonthlySum(MonthSumFields):
    """A closed month's sum (汇总账单) of one customer's fee records under one association (or none), per
    service type, resource type, charging mode and kind. Written by the month close only."""

    class Meta:
        verbose_name = _("monthly sum")
        verbose_name_plural = _("monthly sums")
        ordering = ["-bill_cycle", "customer_id", "service_type_id"]
        indexes = [
            models.Index(fields=["customer", "bill_cycle"], name="monthly_customer_cycle"),
            models.Index(fields=["partner", "bill_cycle", "customer"], name="monthly_partner_cycle"),
        ]


class RunningSum(MonthSumFields):
    """The same sums of every month, open ones included, kept by PostgreSQL as fee records are written: the
    triggers of migration 0006 add each statement's inserted rows, subtract its deleted ones (an UPDATE does
    both), grouped, with one upsert per statement — the rating's batch statement pays one grouped upsert, not
    one per record. The open month is read from here (bills.selectors), so its lists do not grow with its fee
    records; a closed month is still read from CustomerMonthlySum, which never changes after the close (a debt
    repaid later changes the fee records, hence these sums, not the closed month's).

    A group whose records were all deleted stays with `records` = 0 and is skipped by readers. On SQLite (the
    embedded default, no transition tables) the table stays empty and readers group the fee records.
    `bills.running_sums.differences()` compares the table with the fee records.

    Its references are not constraints (the triggers would check each sum row again, and a group emptied by
    deleted fee records must not keep its customer or association from being deleted), nor indexed alone:
    readers find a customer's or a partner's month by the two indexes below, and every upsert that cannot
    update its row in place would write five more index entries."""

    customer = models.ForeignKey(Customer, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False,
                                 related_name="+")
    association = models.ForeignKey(Association, null=True, blank=True, on_delete=models.DO_NOTHING,
                                    db_constraint=False, db_index=False, related_name="+")
    partner = models.ForeignKey(Partner, null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False,
                                db_index=False, related_name="+")
    service_type = models.ForeignKey(ServiceType, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False,
                                     related_name="+")
    resource_type = models.ForeignKey(ResourceType, null=True, blank=True, on_delete=models.DO_NOTHING,
                                      db_constraint=False, db_index=False, related_name="+")
    # signed: a delete's upsert proposes a negative row before it meets the group (CHECKs see that row)
    records = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("running monthly sum")
        verbose_name_plural = _("running monthly sums")
        indexes = [
            models.Index(fields=["partner", "bill_cycle", "customer"], name="running_partner_cycle"),
            models.Index(fields=["customer", "bill_cycle"], name="running_customer_cycle"),
        ]


class PartnerBill(models.Model):
    """伙伴账单 of one partner for one closed month: what its customers consumed while associated with it
    and what moved through its own account in the month. Written by the month close only."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="bills")
    bill_cycle = models.CharField(_("billing cycle"), **CYCLE)
    customers = models.PositiveIntegerField(_("customers that consumed"), default=0)
    # its customers' fee records during their association
    consumption_amount = models.DecimalField(_("customers' consumption"), default=0, **MONEY)
    resale_cash_amount = models.DecimalField(_("paid from allocations"), default=0, **MONEY)
    coupon_amount = models.DecimalField(_("paid by coupons"), default=0, **MONEY)
    debt_amount = models.DecimalField(_("customers' arrears"), default=0, **MONEY)
    # its own account in the month (billing ledger)
    partner_paid_amount = models.DecimalField(_("orders paid by the partner"), default=0, **MONEY)
    refund_amount = models.DecimalField(_("refunds"), default=0, **MONEY)
    recharge_amount = models.DecimalField(_("recharges"), default=0, **MONEY)
    allocation_amount = models.DecimalField(_("allocations"), default=0, **MONEY)
    reclaim_amount = models.DecimalField(_("reclaims"), default=0, **MONEY)
    # at close: the credit limit, how much of it is used, and what is due to repay it
    credit_limit = models.DecimalField(_("credit limit"), default=0, **MONEY)
    credit_used = models.DecimalField(_("credit used"), default=0, **MONEY)
    amount_due = models.DecimalField(_("amount due"), default=0, **MONEY)
    closed_at = models.DateTimeField(_("closed"), default=timezone.now)

    class Meta:
        verbose_name = _("partner bill")
        verbose_name_plural = _("partner bills")
        ordering = ["-bill_cycle", "partner_id"]
        constraints = [
            models.UniqueConstraint(fields=["partner", "bill_cycle"], name="partner_bill_once"),
            models.CheckConstraint(name="partner_bill_credit", condition=Q(credit_used__gte=0, amount_due__gte=0)),
        ]

    def __str__(self):
        return f"{self.partner} {self.bill_cycle}"


class LowBalanceSetting(models.Model):
    """余额预警阈值 and the zero-balance policy a partner sets for one resale customer, or (customer empty)
    as its default for all of them."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    threshold = models.DecimalField(_("low-balance threshold"), **MONEY)
    zero_balance_policy = models.CharField(_("at zero balance"), max_length=8, choices=ZeroBalancePolicy.choices,
                                           default=ZeroBalancePolicy.ARREARS)
    arrears_limit = models.DecimalField(_("arrears limit"), default=0, **MONEY)
    updated_by = models.CharField(max_length=150, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("low-balance setting")
        verbose_name_plural = _("low-balance settings")
        constraints = [
            models.UniqueConstraint(fields=["partner", "customer"], name="low_balance_one_per_customer"),
            models.UniqueConstraint(fields=["partner"], condition=Q(customer__isnull=True),
                                    name="low_balance_one_default"),
            models.CheckConstraint(name="low_balance_amounts", condition=Q(threshold__gte=0, arrears_limit__gte=0)),
        ]


class LowBalanceState(models.Model):
    """Whether a customer's balance is below its threshold, and since when: a notice goes out once per
    crossing (the conditional UPDATE from `below=False` to True sends it)."""

    customer = models.OneToOneField(Customer, on_delete=models.CASCADE, related_name="+")
    below = models.BooleanField(default=False)
    crossed_at = models.DateTimeField(null=True, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)
