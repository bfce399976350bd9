"""Usage records (资源详单) and the rating queue: see the package docstring."""

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import MeasureUnit
from customers.models import Customer

from ..choices import UsageSource, UsageStatus
from .fields import USAGE

__all__ = ["UsageRecord", "UsageWaiting"]


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
        except ObjectDoesNotExist:
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
