"""Rating (批价): waiting usage records (资源详单 on the rating queue, bills.models.UsageWaiting) become fee records (消费记录, bill type 5, charging
mode 3, one per record — `FeeRecord.usage_record` is one-to-one, so a record is never rated twice), paid by
resource packages, coupons, cash and, for the rest, arrears (bills/packages.py, bills/deduction.py).

**Product.** The on-demand product (charge mode 3) of the record's resource type, specification and region —
on sale or not: a running resource is billed after its product left the price list. The specification is
the record's, else the one of the customer's pay-per-use resource (customers.Resource) with the record's
resource_id. The product must be metered by the record's usage type, the record's unit must convert into
the product's (catalog.Conversion), and a linear product needs the record's size.

**Price** (the contract's rule, trade/pricing.py's arithmetic). Only the usage the packages did not pay is
priced: O = `pricing.rate()`'s official price of it (price × usage converted into the product's unit × size
for a linear product, exact to 10 decimals); A = O × the partner's rate (`pricing.effective_rate`, 1 without
a discount); official_amount = O half up to the fen; discount_amount = official_amount − A half up to the
fen; consume_amount = A truncated to the fen; erase_amount (抹零) = A half up − consume_amount.
E.g. 0.0835 of an hour at 0.22 × a 0.85 rate: O = 0.01837, A = 0.0156145 → official 0.02, A_r 0.02,
discount 0.00, consume 0.01, erase 0.01.

**Whose discount, whose record.** The association the customer had when it consumed (usage begin_time;
associated_on ≤ t < ended_on) is the record's `association`/`partner` (none without one). Its partner's
discount applies — only a resale (代售) association's, for a service type that allows discounts, set during
that association (updated between associated_on and ended_on) — at the rate the row holds now: discounts
keep no history. A customer that switched partners mid-month is charged each record at the terms of the
partner it consumed under, and each partner sees only its own part.

**Cycle.** `bill_cycle` = closing.lock_landing (under a share lock of the month): the month consumed in, or — once that month is closed —
the first open one, marked `is_adjustment`.

**A record that cannot be rated** (no product, no specification, another usage type, an unconvertible unit,
no size for a linear product) is marked FAILED with its code (BillCodes 99009020–025) in the same
transaction, counted in the result and logged; it is not tried again unless an operator puts it back on the
queue (`requeue`; the admin shows the code). A batch that fails as a whole (a bug, a constraint) is rolled back and its
records are then rated one by one, so one poisoned record fails alone (RATING_ERROR) and never blocks the
queue.

**Set-based.** A batch (BATCH_SIZE records) is one transaction: claim (the records' queue rows locked FOR UPDATE
SKIP LOCKED, so concurrent runs take different records, and deleted — a customer's records together, so a
batch charges a few accounts once each; see `rate_pending`), read the resources, products, prices, conversions, associations, discounts,
closed months, accounts, packages and coupons of the whole batch in a constant number of statements, compute
in memory, then one INSERT of fee records, one of package uses, one UPDATE of packages, one UPDATE of the
accounts and one INSERT of ledger entries (billing/consumption.py), and one UPDATE of the records that failed
(the rated ones are not written: their fee record says they are rated).
Locks are taken in the order of bills/locks.py.

**In SQL** (PostgreSQL, the default there; `sql=False` keeps the per-record path). The batch is claimed and
its locks taken by bills/rating_steps.py (steps 0–3, one statement each), then one statement splits it by
customer and prices, pays (coupons, cash, arrears) and writes the common case, to the same
fen (its docstring says how, tests/bills/test_rating_fast.py proves it on a batch that takes every branch).
What resource packages pay is worked out before it by bills/packages.py, for the records they may pay alone
(`_cover`), and passed in. The customers it leaves — whose coupons do not all cover all their records, or with a
record that cannot be rated — go through the per-record path above (`_rate_records`) in the same transaction.
A batch that fails in SQL is rated again record by record on the per-record path
(`rate_pending`).
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from decimal import Context, Decimal

from django.db import OperationalError, transaction
from django.db.models import Case, CharField, Exists, OuterRef, Q, Value, When
from django.utils import timezone

from catalog.choices import ChargeMode
from catalog.models import Price, Product
from customers.choices import ChargingMode
from customers.models import Association, Resource
from partnercenter.errors import DomainError
from partnercenter.transactions import retry_on_deadlock
from trade import pricing
from trade.models import PartnerDiscount

from . import closing, deduction, fee_rows, locks, packages, periods, rating_sql, rating_steps
from .choices import BillType, FeeStatus
from .errors import BillCodes
from .models import PackageUse, UsageRecord, UsageWaiting

__all__ = ["BATCH_SIZE", "BatchResult", "rate_batch", "rate_pending", "requeue", "amounts", "association_at"]

log = logging.getLogger(__name__)

BATCH_SIZE = 5000
_WIDE = Context(prec=80)
_ONE = Decimal(1)


@dataclass
class BatchResult:
    claimed: int = 0
    rated: int = 0
    failed: int = 0
    errors: Counter = field(default_factory=Counter)
    in_sql: int = 0  # of `rated`, those rated by bills/rating_sql.py
    last: tuple[int, int] | None = None  # the batch's last claimed (customer pk, record pk): where the next goes on

    def add(self, other: BatchResult) -> None:
        self.claimed += other.claimed
        self.rated += other.rated
        self.failed += other.failed
        self.errors.update(other.errors)
        self.in_sql += other.in_sql


class Unrated(Exception):
    def __init__(self, code):
        super().__init__(code)
        self.code = code


def amounts(official: Decimal, share: Decimal) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    """(official_amount, discount_amount, erase_amount, consume_amount) of an exact official price and the share
    of it the customer pays (see the module docstring)."""
    amount = official if share == _ONE else _WIDE.multiply(official, share)
    official_fen = pricing.quantize_fen(official)
    amount_fen = pricing.quantize_fen(amount)
    consume = pricing.truncate(amount, 2)
    return official_fen, official_fen - amount_fen, amount_fen - consume, consume


def association_at(associations, moment):
    """The association (of one customer, any order) holding at `moment`, or None."""
    for association in associations:
        if association.associated_on <= moment and (association.ended_on is None or moment < association.ended_on):
            return association
    return None


class _Book:
    """What a batch reads once, in a constant number of statements."""

    def __init__(self, records):
        customer_ids = {r.customer_id for r in records}
        first, last = min(r.begin_time for r in records), max(r.begin_time for r in records)
        self.resources = {
            row[0]: row for row in Resource.objects.filter(
                charging_mode=ChargingMode.ON_DEMAND, resource_id__in={r.resource_id for r in records})
            .values_list("resource_id", "customer_id", "resource_spec_code", "resource_name", "product_spec_desc")}
        specs = {r.resource_spec_code or (self.resources.get(r.resource_id) or ("", "", ""))[2] for r in records}
        self.products = {
            (p.resource_type.code, p.resource_spec, p.region.code): p for p in Product.objects.filter(
                charge_mode=ChargeMode.ON_DEMAND, resource_spec__in=specs - {""},
                region__code__in={r.region_code for r in records},
                resource_type__code__in={r.resource_type_code for r in records})
            .select_related("service_type", "resource_type", "region", "usage_type").order_by()}
        self.priced = set(Price.objects.filter(product_id__in=[p.pk for p in self.products.values()],
                                               period_type__isnull=True).values_list("product_id", flat=True))
        self.conversions = pricing._Conversions()  # trade.pricing's reading of catalog.Conversion
        self.associations: dict[int, list[Association]] = {}
        self.current: dict[int, Association] = {}
        for association in Association.objects.filter(
                Q(ended_on__isnull=True) | Q(associated_on__lte=last, ended_on__gt=first),
                customer_id__in=customer_ids).order_by("-associated_on", "-pk"):
            self.associations.setdefault(association.customer_id, []).append(association)
            if association.ended_on is None:
                self.current[association.customer_id] = association
        self.discounts = {
            (d.partner_id, d.customer_id, d.service_type_id): d for d in PartnerDiscount.objects.filter(
                customer_id__in=customer_ids, service_type__allow_discount=True).select_related("service_type")}
        self.landings: dict[str, tuple[str, bool]] = {}

    def land(self, moment) -> tuple[str, bool]:
        """(cycle, is_adjustment) of a record consumed at `moment`, its month's BillingPeriod row share-locked
        until the batch commits (closing.lock_landing): a close running now waits for this batch, or this batch
        for the close — never a record landing in a month whose sums are being written without it."""
        cycle = periods.cycle_of(moment)
        if cycle not in self.landings:
            self.landings.update(closing.lock_landing([cycle]))
        return self.landings[cycle]

    def product_of(self, record):
        resource = self.resources.get(record.resource_id)
        if resource is not None and resource[1] != record.customer_id:
            resource = None  # another customer's resource id: not this record's
        spec = record.resource_spec_code or (resource[2] if resource else "")
        if not spec:
            raise Unrated(BillCodes.RATING_NO_SPEC)
        product = self.products.get((record.resource_type_code, spec, record.region_code))
        if product is None or product.pk not in self.priced:
            raise Unrated(BillCodes.RATING_NO_PRODUCT)
        if product.usage_type is None or product.usage_type.code.lower() != record.usage_type_code.lower():
            raise Unrated(BillCodes.RATING_USAGE_TYPE)
        if self.conversions.factor(record.usage_measure_id, product.usage_measure_id) is None:
            raise Unrated(BillCodes.RATING_WRONG_UNIT)
        if product.is_linear and not record.resource_size:
            raise Unrated(BillCodes.RATING_NO_SIZE)
        return product, resource

    def share(self, association, product) -> Decimal:
        """The share of the official price the customer pays under `association` (see the module docstring)."""
        if association is None or not association.is_resale or not product.service_type.allow_discount:
            return _ONE
        setting = self.discounts.get((association.partner_id, association.customer_id, product.service_type_id))
        if setting is None or setting.updated_at < association.associated_on or (
                association.ended_on is not None and setting.updated_at >= association.ended_on):
            return _ONE
        return pricing.effective_rate(setting)


@dataclass
class _Line:
    record: UsageRecord
    product: Product
    resource: tuple | None
    coverage: packages.Coverage = None
    official: Decimal = Decimal(0)


def _official_prices(lines) -> None:
    """Each line's exact official price of what the packages left, by `pricing.rate()` (one call for the batch;
    identical items are rated once). A line the pricing refuses is left for the caller to fail."""
    items, owners = [], []
    for index, line in enumerate(lines):
        usage = line.record.usage_amount - line.coverage.free
        if usage <= 0:
            continue
        product = line.product
        items.append(pricing.Item(id=str(index), product=product, usage_value=usage,
                                  usage_measure_id=line.record.usage_measure_id,
                                  resource_size=line.record.resource_size if product.is_linear else None,
                                  size_measure_id=product.size_measure_id if product.is_linear else None))
        owners.append(line)
    if items:
        for line, rating in zip(owners, pricing.rate(items)):
            line.official = rating.official


def _fee(line, book, now, record_id) -> fee_rows.Fee:
    record, product = line.record, line.product
    association = association_at(book.associations.get(record.customer_id, ()), record.begin_time)
    official, discount, erase, consume = amounts(line.official, book.share(association, product))
    cycle, late = book.land(record.begin_time)
    resource = line.resource
    return fee_rows.Fee(
        record_id=record_id, bill_cycle=cycle, is_adjustment=late, customer_id=record.customer_id,
        association_id=association.pk if association else None,
        partner_id=association.partner_id if association else None, bill_type=BillType.USAGE,
        charging_mode=ChargeMode.ON_DEMAND, status=FeeStatus.PAID, usage_record_id=record.pk,
        trade_id=record.record_id, trade_time=now, effective_time=record.begin_time, expire_time=record.end_time,
        service_type_id=product.service_type_id, resource_type_id=product.resource_type_id,
        region_id=product.region_id, product_id=product.pk, resource_id=record.resource_id,
        resource_name=(resource[3] if resource else "")[:128],
        product_spec_desc=((resource[4] if resource else "") or product.spec_name)[:255],
        usage_type_id=product.usage_type_id, usage_amount=record.usage_amount,
        usage_measure_id=record.usage_measure_id, free_resource_usage=line.coverage.free,
        official_amount=official, discount_amount=discount, erase_amount=erase, consume_amount=consume,
        created_at=now)


def _mark_failed(failed: dict[int, str]) -> None:
    """The claimed records that cannot be rated: their error codes (they are off the queue already)."""
    if failed:
        UsageRecord.objects.filter(pk__in=list(failed)).update(
            error_code=Case(*(When(pk=pk, then=Value(code)) for pk, code in failed.items()), output_field=CharField()))


def _rate_records(records, now, *, landings=None) -> tuple[int, dict[int, str], dict]:
    """The per-record path: rate and deduct these claimed `records` in the caller's transaction (see the module
    docstring); `landings`, when given, are closing.lock_landing's answer for their cycles, taken already.
    Returns (how many were rated, {pk: code} of those failed, the deduction's summary)."""
    book = _Book(records)
    book.landings.update(landings or {})
    lines, failed = [], {}
    for record in records:
        try:
            product, resource = book.product_of(record)
        except Unrated as exc:
            failed[record.pk] = exc.code
        else:
            lines.append(_Line(record, product, resource))
    # Locks, in the order of bills/locks.py: the accounts (1), then the packages (2); coupons in deduction.
    lines.sort(key=lambda line: (line.record.customer_id, line.record.begin_time, line.record.pk))
    customer_ids = {line.record.customer_id for line in lines}
    accounts = locks.lock_customer_accounts(customer_ids) if lines else {}
    held = packages.load(customer_ids, {line.product.usage_type_id for line in lines},
                         {line.product.region_id for line in lines},
                         min((line.record.begin_time for line in lines), default=now),
                         max((line.record.begin_time for line in lines), default=now))
    moved, measures = set(), packages.measure_types() if held else {}
    for line in lines:
        line.coverage = packages.cover(line.record, line.product, held.get(line.record.customer_id, ()),
                                       book.conversions, measures, moved)
    try:
        _official_prices(lines)
    except DomainError:  # never for what product_of let through; fail the refused ones alone
        for line in list(lines):
            try:
                _official_prices([line])
            except DomainError:
                failed[line.record.pk] = BillCodes.RATING_ERROR
                lines.remove(line)
    fees = [_fee(line, book, now, record_id) for line, record_id in zip(lines, fee_rows.new_ids(len(lines), now))]
    summary = deduction.settle([(fee, line.product.service_type.code, line.product.product_id)
                                for fee, line in zip(fees, lines)],
                               accounts=accounts, current=book.current, now=now)
    fee_rows.write(fees, {line.record.pk for line in lines if line.coverage.uses})
    uses = [use for fee, line in zip(fees, lines)
            for use in packages.use_rows(fee.id, line.coverage, line.record.resource_id, now)]
    if uses:
        PackageUse.objects.bulk_create(uses)
    save = rating_steps.save_packages if rating_steps.usable() else packages.save
    save(p for customer in held.values() for p in customer if p.pk in moved)
    _mark_failed(failed)
    return len(lines), failed, summary


def _cover(record_ids, held) -> tuple[dict[int, packages.Coverage], set[int]]:
    """What the `held` packages (rating_steps.lock_packages': locked, by customer, oldest expiry first) pay of
    these claimed records, by packages.cover in each customer's (begin_time, id) order, as `_rate_records` has
    them pay: ({record id: its coverage} of the records they paid, the pks of the packages used or reset). The
    packages change in memory only; the caller saves those of the customers it rates."""
    records = rating_sql.coverable(record_ids, held, [package.pk for owned in held.values() for package in owned])
    moved, covered = set(), {}
    if records:
        conversions, measures = pricing._Conversions(), packages.measure_types()
        for record in records:  # (a Coverable is both the record and its product to packages.cover)
            coverage = packages.cover(record, record, held[record.customer_id], conversions, measures, moved)
            if coverage.uses:
                covered[record.id] = coverage
    return covered, moved


def _rate_in_sql(result: BatchResult, *, limit, ids, after, now, claimed) -> dict:
    """rate_batch on PostgreSQL: claim, lock (steps 0–3 of bills/locks.py, each in one statement), rate the
    common case in one statement (bills/rating_sql.py), then the customers it left by `_rate_records`. Fills
    `result`; returns the deduction summary."""
    batch = rating_steps.claim(limit, ids, after)
    pairs = list(zip(batch.customers, batch.ids))  # (customer pk, record pk)
    if claimed is not None:
        claimed.extend(pairs)
    if not pairs:
        return {}
    result.claimed = len(pairs)
    result.last = max(pairs)
    landings = closing.lock_landing(batch.cycles)
    customer_ids = set(batch.customers)
    record_ids = batch.ids
    rating_steps.lock_accounts(customer_ids)
    held = rating_steps.lock_packages(customer_ids, batch.first, batch.last)
    coupons = rating_steps.lock_coupons(customer_ids, now)
    covered, moved = _cover([record for customer, record in pairs if customer in held], held)
    done = rating_sql.rate(record_ids, customer_ids, coupons, landings, now, covered)
    # the packages of the customers rated in SQL as they paid; the others' are the per-record path's below
    slow = set(done.slow)
    left = {customer for customer, record in pairs if record in slow}
    rating_steps.save_packages(package for customer, owned in held.items() if customer not in left
                               for package in owned if package.pk in moved)
    result.rated += done.rated
    result.in_sql += done.rated
    summary = Counter({"customers": done.customers, "coupons": done.coupons, "cash": done.cash,
                       "arrears": done.arrears, "frozen": done.frozen})
    if done.slow:
        rated, failed, part = _rate_records(list(UsageRecord.objects.filter(pk__in=done.slow).order_by("id")), now,
                                            landings=landings)
        result.rated += rated
        result.failed += len(failed)
        result.errors.update(failed.values())
        summary.update(part)
    return dict(summary)


def rate_batch(*, limit: int = BATCH_SIZE, ids=None, after=None, now=None, claimed: list | None = None,
               sql: bool | None = None) -> BatchResult:
    """Claim up to `limit` waiting records (or those of `ids` still waiting) in (customer, record) order after
    `after` (locks.claim_usage), rate and deduct them, one transaction. `claimed`, when given, receives the
    (customer pk, record pk) pairs claimed (before anything can fail). `sql`: rate the common case in SQL
    (bills/rating_sql.py) — by default wherever it can (PostgreSQL); False keeps every record on the
    per-record path."""
    result = BatchResult()
    in_sql = rating_steps.usable() if sql is None else bool(sql) and rating_steps.usable()
    with transaction.atomic():
        now = now or timezone.now()
        if in_sql:
            summary = _rate_in_sql(result, limit=limit, ids=ids, after=after, now=now, claimed=claimed)
            if not result.claimed:
                return result
        else:
            records = locks.claim_usage(limit, ids=ids, after=after)
            if claimed is not None:
                claimed.extend((r.customer_id, r.pk) for r in records)
            if not records:
                return result
            result.last = max((r.customer_id, r.pk) for r in records)
            result.claimed = len(records)
            result.rated, failed, summary = _rate_records(records, now)
            result.failed = len(failed)
            result.errors.update(failed.values())
    if result.failed:
        log.warning("rating: %d of %d usage records not rated: %s", result.failed, result.claimed,
                    dict(result.errors))
    log.info("rating: %d records rated, %d of them in SQL (%s)", result.rated, result.in_sql, summary)
    return result


def _fail_alone(customer_id, record_id, now) -> None:
    """A record whose batch failed and that fails again alone: off the queue, FAILED (RATING_ERROR), in its own
    transaction (unless it is no longer waiting)."""
    with transaction.atomic():
        if UsageWaiting.objects.filter(customer_id=customer_id, usage_record_id=record_id).delete()[0]:
            UsageRecord.objects.filter(pk=record_id).update(error_code=BillCodes.RATING_ERROR)
    log.exception("rating: usage record %s failed alone; marked %s", record_id, BillCodes.RATING_ERROR)


def requeue(record_ids) -> int:
    """An operator's second chance: these FAILED records (not rated, an error code) back on the queue, their
    codes cleared; the next run rates them. How many were put back."""
    with transaction.atomic():
        queued = UsageWaiting.objects.filter(customer_id=OuterRef("customer_id"), usage_record_id=OuterRef("pk"))
        failed = list(UsageRecord.objects.select_for_update(of=("self",))
                      .filter(pk__in=list(record_ids), fee_record__isnull=True).exclude(error_code="")
                      .exclude(Exists(queued)).values_list("pk", "customer_id", "begin_time"))
        UsageRecord.objects.filter(pk__in=[pk for pk, _customer, _begin in failed]).update(error_code="")
        UsageWaiting.objects.bulk_create([UsageWaiting(usage_record_id=pk, customer_id=customer, begin_time=begin)
                                          for pk, customer, begin in failed])
    return len(failed)


def rate_pending(*, batch_size: int = BATCH_SIZE, deadline=None, now=None, sql: bool | None = None) -> BatchResult:
    """Batches until nothing waits (or `deadline`, a time.monotonic() value, passes), in (customer, record)
    order from the customer of the oldest waiting record, then round from the first customer: every run rates
    the oldest usage first. A batch that fails as a whole is retried record by record on the per-record path,
    so one poisoned record fails alone and a record the SQL path refused is still rated. `sql` as for
    rate_batch."""
    total = BatchResult()
    # (the queue's one read without its key: it is as long as what waits)
    oldest = UsageWaiting.objects.order_by("usage_record_id").values_list("customer_id", flat=True).first()
    if oldest is None:
        return total
    after, wrapped = (oldest, 0), False
    while deadline is None or time.monotonic() < deadline:
        claimed = []

        def attempt():
            claimed.clear()
            return rate_batch(limit=batch_size, after=after, now=now, claimed=claimed, sql=sql)

        try:
            result = retry_on_deadlock(attempt)
        except OperationalError:
            # the database, not the records (locked, a connection lost, a deadlock past its retries): nothing
            # was written, the records still wait, and the next run rates them
            log.exception("rating: the database failed a batch of %d records; they wait for the next run",
                          len(claimed))
            break
        except Exception:
            log.exception("rating: a batch of %d records failed; rating them one by one", len(claimed))
            result = BatchResult()
            for customer_id, record_id in claimed:
                try:
                    result.add(retry_on_deadlock(lambda: rate_batch(limit=1, ids=[record_id], now=now, sql=False)))
                except OperationalError:
                    log.exception("rating: the database failed record %s; it waits for the next run", record_id)
                    return total
                except Exception:
                    _fail_alone(customer_id, record_id, now)
                    result.failed += 1
                    result.errors[BillCodes.RATING_ERROR] += 1
            result.claimed = len(claimed)
            result.last = max(claimed, default=None)
        total.add(result)
        if result.claimed < batch_size:  # the end of the queue: round once more from the first customer, or done
            if wrapped:
                break
            after, wrapped = None, True
            continue
        after = result.last
    return total
