"""Consumption and bills.

**Usage records** (资源详单) come in from the cloud's metering — the ingestion endpoint, a file import, or the
demo generator — each with the source's `record_id`, which is unique: the same record sent twice is stored
once. A new record waits — it has a `UsageWaiting` row — until the rating run prices it (a fee record, one
to one) or fails it (`error_code`); its status (NEW, RATED, FAILED) is read from those, never stored, so
rating writes nothing to the usage table (see `UsageWaiting`).

**Fee records** (消费记录 / 流水账单) are what a customer was charged: one per rated usage record (bill type 5),
per paid order line (1 new, 2 renewal, 8 auto-renewal, 3 change), per refunded line (4), per adjustment. A
usage record is rated at most once: `FeeRecord.usage_record` is a OneToOneField. An order line and a refund
item likewise (`source_ref` unique per `bill_type` family). Money on a fee record is in fen:

    official_amount = discount_amount + erase_amount + consume_amount
    consume_amount  = coupon_amount + flexipurchase_coupon_amount + cash_amount + debt_amount + writeoff_amount

`erase_amount` (抹零) is what lies below a fen of the exact rated amount: consumption is charged truncated
to the fen, as Huawei's bills do. `debt_amount` is what no balance covered (欠费); when the customer pays its
arrears, the part paid moves from `debt_amount` to `writeoff_amount` (欠费核销) and the record becomes PAID.

A fee record lands in `bill_cycle`, the Asia/Shanghai month it was consumed in — unless that month is
closed already; then it lands in the first open month and is marked `is_adjustment`. `association` is the
customer's association when it consumed (`partner` repeats its partner for the indexes): the partner that
sees the record in 客户消费, even after the customer left it.

**Resource packages** (资源包) pay usage before any money: a package covers the usage of one usage type of one
resource type in one region, `original_amount` per reset cycle (monthly when resettable) or once.

**Month close** (月结) turns a month's fee records into `CustomerMonthlySum` rows (per customer, partner of
the association, service type, resource type, charging mode and kind) and one `PartnerBill` per partner; the
`BillingPeriod` row of the month goes from OPEN to CLOSED in the same transaction, so a second close does
nothing and a closed month's sums never change.
"""

import uuid

from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Round
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.choices import ChargeMode, PackageReset, PeriodType
from catalog.models import MeasureUnit, Product, Region, ResourceType, ServiceType, UsageType
from customers.models import Association, Customer
from partnercenter.models import Partner
from partnercenter.money import fen

from .choices import (BillSumType, BillType, FeeStatus, PackageStatus, PeriodStatus, UsageSource, UsageStatus,
                      ZeroBalancePolicy)

__all__ = ["new_record_id", "BillingPeriod", "UsageRecord", "UsageWaiting", "FeeRecord", "ResourcePackage", "PackageUse",
           "CustomerMonthlySum", "PartnerBill", "LowBalanceSetting", "LowBalanceState", "MONEY", "USAGE"]

MONEY = {"max_digits": 18, "decimal_places": 2}
USAGE = {"max_digits": 24, "decimal_places": 6}
CYCLE = {"max_length": 7}  # "YYYY-MM", Asia/Shanghai

REFUND_TYPES = (BillType.REFUND, BillType.TO_ON_DEMAND_REFUND)


def new_record_id() -> str:
    return uuid.uuid4().hex


class BillingPeriod(models.Model):
    """One month (账期) and whether it is closed. A month without a row is open."""

    bill_cycle = models.CharField(_("billing cycle"), unique=True, **CYCLE)
    status = models.CharField(_("status"), max_length=8, choices=PeriodStatus.choices, default=PeriodStatus.OPEN)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    fee_records = models.PositiveIntegerField(_("fee records"), default=0)
    customers = models.PositiveIntegerField(_("customers"), default=0)

    class Meta:
        verbose_name = _("billing cycle")
        verbose_name_plural = _("billing cycles")
        ordering = ["-bill_cycle"]
        constraints = [models.CheckConstraint(name="period_closed_has_time",
                                              condition=~Q(status=PeriodStatus.CLOSED) | Q(closed_at__isnull=False))]

    def __str__(self):
        return self.bill_cycle


class UsageRecord(models.Model):
    """One metering record (资源详单): how much of a usage type a resource used in a window (an hour).

    Written once by bills.ingest and never changed after, but for `error_code` when the rating fails it. Its
    `status`: RATED when it has its fee record, FAILED when it has an error code, else NEW (waiting: then it has
    a UsageWaiting row). Indexes: the unique record_id (no pattern index: nothing searches it by prefix), the
    customer's records by time (which also serves the customer's foreign key). The customer and unit foreign keys
    are checked at the end of each statement (NOT DEFERRABLE, migration 0010), not at COMMIT."""

    record_id = models.CharField(_("record ID"), max_length=64)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="usage_records", db_index=False)
    resource_id = models.CharField(_("resource ID"), max_length=64)
    service_type_code = models.CharField(_("service type"), max_length=64)
    resource_type_code = models.CharField(_("resource type"), max_length=64)
    resource_spec_code = models.CharField(_("specification"), max_length=64, blank=True)
    usage_type_code = models.CharField(_("usage type"), max_length=64)
    region_code = models.CharField(_("region"), max_length=32)
    usage_amount = models.DecimalField(_("usage"), **USAGE)
    usage_measure = models.ForeignKey(MeasureUnit, verbose_name=_("usage unit"), on_delete=models.PROTECT,
                                      related_name="+", db_index=False)
    # a linear product's size (a 40 GB disk), in the product's size unit; empty for others
    resource_size = models.DecimalField(_("size"), max_digits=20, decimal_places=4, null=True, blank=True)
    begin_time = models.DateTimeField(_("from"))
    end_time = models.DateTimeField(_("to"))
    source = models.PositiveSmallIntegerField(_("source"), choices=UsageSource.choices)
    error_code = models.CharField(_("why not rated"), max_length=32, blank=True)
    received_at = models.DateTimeField(_("received"), default=timezone.now)

    class Meta:
        verbose_name = _("usage record")
        verbose_name_plural = _("usage records")
        ordering = ["-begin_time", "-id"]
        indexes = [models.Index(fields=["customer", "-begin_time"], name="usage_customer_time")]
        constraints = [
            models.UniqueConstraint(fields=["record_id"], name="usage_record_id_unique"),
            models.CheckConstraint(name="usage_amount_not_negative", condition=Q(usage_amount__gte=0)),
            models.CheckConstraint(name="usage_window", condition=Q(end_time__gt=F("begin_time"))),
        ]

    def __str__(self):
        return self.record_id

    def _fee(self):
        try:
            return self.fee_record  # select_related("fee_record") where records are listed
        except FeeRecord.DoesNotExist:
            return None

    @property
    def status(self) -> int:
        if self._fee() is not None:
            return UsageStatus.RATED
        return UsageStatus.FAILED if self.error_code else UsageStatus.NEW

    def get_status_display(self) -> str:
        return UsageStatus(self.status).label

    @property
    def rated_at(self):
        fee = self._fee()
        return fee.trade_time if fee is not None else None


class UsageWaiting(models.Model):
    """A usage record waiting to be rated: the rating queue. bills.ingest writes the row in the statement that
    stores the record; the rating transaction that rates or fails the record deletes it (its claim is that
    DELETE, with FOR UPDATE SKIP LOCKED: concurrent runs take different records, and a batch that rolls back
    puts its rows back). Rated records thus leave the usage table untouched — no row version, no index entry
    per record — and the queue stays as small as what waits.

    No foreign-key constraint (it would cost a check per stored record): the row is written with its record
    in one statement, and usage records are never deleted; a row whose record were missing would be claimed
    and dropped.

    Keyed by (customer, record) and nothing else (migration 0011): the rating claims in that order, and one
    index entry per queued record is all the ingest writes here. A record's row is found by that pair (its usage
    row names the customer); only `rate_pending`'s look for the oldest waiting record reads the whole queue.
    The customer and begin_time are the record's, copied (migration 0012)."""

    pk = models.CompositePrimaryKey("customer", "usage_record")
    # the record's customer, copied: the rating claims a customer's records together (bills/rating.py's
    # `rate_pending`), so that a batch charges few accounts, each once — one ledger entry for many records
    customer = models.ForeignKey(Customer, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+",
                                 db_index=False)
    usage_record = models.ForeignKey(UsageRecord, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False,
                                     related_name="waiting")
    # the record's begin_time, copied: what the claim needs (the months to lock, the packages' window) without
    # reading the claimed usage rows a first time before the rating statement reads them
    begin_time = models.DateTimeField()

    class Meta:
        verbose_name = _("waiting usage record")
        verbose_name_plural = _("waiting usage records")


class FeeRecord(models.Model):
    """One charge of a customer (消费记录): see the module docstring for how its amounts add up.

    Only customer and (association, partner) — whose money it is — are foreign keys, checked at the end of each
    statement (NOT DEFERRABLE, migrations 0005, 0009; a migration altering one re-creates it DEFERRABLE: undo
    that, tests/bills/test_rating_pg.py checks); the pair is one composite key to the association's (id,
    partner): one check says both exist and belong together. The usage record and catalogue rows are unconstrained
    references (migration 0008): the rating statement takes them from the rows it joins, those tables are
    never deleted from (PROTECT; products leave the shelf, not the table), and their seven checks per fee
    record were half that statement's time (bench/README.md). The usage record stays unique."""

    record_id = models.CharField(_("record ID"), max_length=32, default=new_record_id)
    bill_cycle = models.CharField(_("billing cycle"), **CYCLE)
    is_adjustment = models.BooleanField(_("late (landed in a later cycle)"), default=False)
    # (the foreign keys' own indexes are left out: customer and partner lead the composite indexes below;
    # nothing reads fee records by association or by a catalogue row — those are joined from the fee record)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="fee_records", db_index=False)
    association = models.ForeignKey(Association, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                    db_index=False, db_constraint=False)
    partner = models.ForeignKey(Partner, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                db_index=False, db_constraint=False)
    bill_type = models.PositiveSmallIntegerField(_("bill type"), choices=BillType.choices)
    charging_mode = models.PositiveSmallIntegerField(_("billing mode"), choices=ChargeMode.choices)
    status = models.PositiveSmallIntegerField(_("payment status"), choices=FeeStatus.choices, default=FeeStatus.PAID)
    # what caused it: the usage record, or an order line / refund item / adjustment named by `source_ref`
    usage_record = models.OneToOneField(UsageRecord, null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="fee_record", db_constraint=False)
    source_ref = models.CharField(max_length=64, blank=True)
    trade_id = models.CharField(_("order or transaction ID"), max_length=64)
    trade_time = models.DateTimeField(_("deducted"))
    effective_time = models.DateTimeField(_("from"))
    expire_time = models.DateTimeField(_("to"), null=True, blank=True)
    # what was consumed
    service_type = models.ForeignKey(ServiceType, on_delete=models.PROTECT, related_name="+", db_index=False,
                                     db_constraint=False)
    resource_type = models.ForeignKey(ResourceType, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                      db_index=False, db_constraint=False)
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               db_index=False, db_constraint=False)
    product = models.ForeignKey(Product, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                db_index=False, db_constraint=False)
    resource_id = models.CharField(_("resource ID"), max_length=64, blank=True)
    resource_name = models.CharField(_("resource name"), max_length=128, blank=True)
    product_spec_desc = models.CharField(_("specification"), max_length=255, blank=True)
    period_type = models.PositiveSmallIntegerField(_("period type"), choices=PeriodType.choices, null=True, blank=True)
    period_num = models.PositiveIntegerField(_("periods"), null=True, blank=True)
    usage_type = models.ForeignKey(UsageType, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                   db_index=False, db_constraint=False)
    usage_amount = models.DecimalField(_("usage"), null=True, blank=True, **USAGE)
    usage_measure = models.ForeignKey(MeasureUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                      db_index=False, db_constraint=False)
    free_resource_usage = models.DecimalField(_("usage paid by packages"), default=0, **USAGE)
    # money, in fen (see the module docstring)
    official_amount = models.DecimalField(_("official price"), **MONEY)
    discount_amount = models.DecimalField(_("discount"), default=0, **MONEY)
    erase_amount = models.DecimalField(_("rounded off"), default=0, **MONEY)
    consume_amount = models.DecimalField(_("amount due"), **MONEY)
    coupon_amount = models.DecimalField(_("cash coupons"), default=0, **MONEY)
    flexipurchase_coupon_amount = models.DecimalField(_("flexi-purchase coupons"), default=0, **MONEY)
    cash_amount = models.DecimalField(_("cash"), default=0, **MONEY)
    debt_amount = models.DecimalField(_("arrears"), default=0, **MONEY)
    writeoff_amount = models.DecimalField(_("arrears paid"), default=0, **MONEY)
    # the cash part came from (or went back to) the partner's own account: an order it paid (余额支付) and its
    # refund — not the customer's allocated balance, so not 伙伴账单's "paid from allocations"
    partner_paid = models.BooleanField(_("paid by the partner"), default=False)
    # the ledger entry of the cash part (billing.LedgerEntry.trans_id)
    trans_id = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("fee record")
        verbose_name_plural = _("fee records")
        ordering = ["-trade_time", "-id"]
        indexes = [
            models.Index(fields=["customer", "bill_cycle", "-trade_time", "-id"], name="fee_customer_cycle"),
            models.Index(fields=["partner", "bill_cycle", "-trade_time", "-id"], name="fee_partner_cycle"),
            models.Index(fields=["bill_cycle", "customer"], name="fee_cycle_customer"),
            models.Index(fields=["customer", "id"], condition=Q(status=FeeStatus.UNSETTLED), name="fee_unsettled"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["record_id"], name="fee_record_id_unique"),
            models.UniqueConstraint(fields=["bill_type", "source_ref"], condition=~Q(source_ref=""),
                                    name="fee_one_per_source"),
            models.CheckConstraint(name="fee_partner_of_association",
                                   condition=Q(association__isnull=True, partner__isnull=True)
                                   | Q(association__isnull=False, partner__isnull=False)),
            models.CheckConstraint(name="fee_official_adds_up", condition=Q(
                official_amount=fen(F("discount_amount") + F("erase_amount") + F("consume_amount")))),
            models.CheckConstraint(name="fee_payment_adds_up", condition=Q(consume_amount=fen(
                F("coupon_amount") + F("flexipurchase_coupon_amount") + F("cash_amount") + F("debt_amount")
                + F("writeoff_amount")))),
            # a charge is not negative in any part; a refund (bill type 4, 24) is not positive in any part
            models.CheckConstraint(name="fee_signs", condition=(
                Q(bill_type__in=REFUND_TYPES, official_amount__lte=0, discount_amount__lte=0, erase_amount__lte=0,
                  consume_amount__lte=0, coupon_amount__lte=0, flexipurchase_coupon_amount__lte=0,
                  cash_amount__lte=0, debt_amount=0, writeoff_amount=0)
                | (~Q(bill_type__in=REFUND_TYPES) & Q(
                    official_amount__gte=0, discount_amount__gte=0, erase_amount__gte=0, consume_amount__gte=0,
                    coupon_amount__gte=0, flexipurchase_coupon_amount__gte=0, cash_amount__gte=0,
                    debt_amount__gte=0, writeoff_amount__gte=0)))),
            models.CheckConstraint(name="fee_unsettled_has_debt",
                                   condition=Q(status=FeeStatus.PAID, debt_amount=0)
                                   | Q(status=FeeStatus.UNSETTLED, debt_amount__gt=0)),
            models.CheckConstraint(name="fee_usage_not_negative",
                                   condition=Q(free_resource_usage__gte=0)
                                   & (Q(usage_amount__isnull=True) | Q(usage_amount__gte=F("free_resource_usage")))),
        ]

    def __str__(self):
        return f"{self.bill_cycle} {self.trade_id} {self.consume_amount}"


class ResourcePackage(models.Model):
    """A resource package (资源包) a customer bought: `original_amount` of one usage type per reset cycle
    (a month, when resettable) or once; `remaining` is what is left of the current cycle."""

    order_instance_id = models.CharField(_("package ID"), max_length=32, unique=True, default=new_record_id)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="resource_packages")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    order_id = models.CharField(_("order"), max_length=64, blank=True)
    # the order line that bought it: one package per line (trade.OrderLine.line_id)
    order_line_id = models.CharField(max_length=40, blank=True)
    # what it pays for: the usage of `usage_type` (of its resource type) in `region`, counted in `measure`
    usage_type = models.ForeignKey(UsageType, verbose_name=_("usage type"), on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    measure = models.ForeignKey(MeasureUnit, on_delete=models.PROTECT, related_name="+")
    original_amount = models.DecimalField(_("quota per cycle"), **USAGE)
    remaining = models.DecimalField(_("remaining"), **USAGE)
    reset = models.PositiveSmallIntegerField(_("quota reset"), choices=PackageReset.choices)
    cycle_start = models.DateTimeField(_("current cycle from"))
    cycle_end = models.DateTimeField(_("current cycle to"))
    effective_time = models.DateTimeField(_("effective"))
    expire_time = models.DateTimeField(_("expires"))
    status = models.PositiveSmallIntegerField(_("status"), choices=PackageStatus.choices,
                                              default=PackageStatus.EFFECTIVE)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("resource package")
        verbose_name_plural = _("resource packages")
        ordering = ["expire_time", "id"]
        indexes = [models.Index(fields=["customer", "status", "expire_time"], name="package_customer_usable")]
        constraints = [
            models.CheckConstraint(name="package_remaining_range",
                                   condition=Q(remaining__gte=0, remaining__lte=F("original_amount"))),
            models.CheckConstraint(name="package_quota_positive", condition=Q(original_amount__gt=0)),
            models.CheckConstraint(name="package_window", condition=Q(expire_time__gt=F("effective_time"))),
            models.UniqueConstraint(fields=["order_line_id"], condition=~Q(order_line_id=""),
                                    name="package_one_per_order_line"),
        ]

    def __str__(self):
        return self.order_instance_id


class PackageUse(models.Model):
    """资源包使用明细: what one package paid of one usage record."""

    package = models.ForeignKey(ResourcePackage, on_delete=models.PROTECT, related_name="uses",
                                db_index=False)  # package_use_once and package_use_time lead with it
    fee_record = models.ForeignKey(FeeRecord, on_delete=models.PROTECT, related_name="package_uses")
    resource_id = models.CharField(max_length=64, blank=True)
    available_before = models.DecimalField(**USAGE)
    used_amount = models.DecimalField(**USAGE)
    remaining_after = models.DecimalField(**USAGE)
    deduct_time = models.DateTimeField(default=timezone.now)
    effective_time = models.DateTimeField()
    expire_time = models.DateTimeField()

    class Meta:
        ordering = ["-deduct_time", "-id"]
        indexes = [models.Index(fields=["package", "-deduct_time"], name="package_use_time")]
        constraints = [
            models.UniqueConstraint(fields=["package", "fee_record"], name="package_use_once"),
            # rounded to the 6 decimals of the columns: SQLite keeps them as binary floating point, where
            # 0.1 + 0.2 is not 0.3 (partnercenter.money.fen); on PostgreSQL's exact numeric it changes nothing
            models.CheckConstraint(name="package_use_adds_up",
                                   condition=Q(used_amount__gt=0, remaining_after__gte=0,
                                               available_before=Round(F("used_amount") + F("remaining_after"), 6))),
        ]


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
    deleted fee records must not keep its customer or association from being deleted)."""

    customer = models.ForeignKey(Customer, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    association = models.ForeignKey(Association, null=True, blank=True, on_delete=models.DO_NOTHING,
                                    db_constraint=False, related_name="+")
    partner = models.ForeignKey(Partner, null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False,
                                related_name="+")
    service_type = models.ForeignKey(ServiceType, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    resource_type = models.ForeignKey(ResourceType, null=True, blank=True, on_delete=models.DO_NOTHING,
                                      db_constraint=False, related_name="+")
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
