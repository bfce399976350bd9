"""Billing periods, fee records (消费记录), resource packages (资源包) and their use: see the package docstring."""

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

from ..choices import BillType, FeeStatus, PackageStatus, PeriodStatus
from .fields import CYCLE, MONEY, REFUND_TYPES, USAGE, new_record_id
from .usage import UsageRecord

__all__ = ["BillingPeriod", "FeeRecord", "ResourcePackage", "PackageUse"]


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
