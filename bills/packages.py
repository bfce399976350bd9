"""Resource packages (资源包): what pays usage before any money, their reset cycles, and their life.

**What a package covers.** A package pays the usage of one usage type (of one resource type) in one region
(`usage_type`, `region`) consumed while it is effective (effective_time ≤ begin_time < expire_time) and within
its current cycle. Several packages of the customer that cover a record are used oldest expiry first (then
pk). The record's usage is counted in the package's `measure`:
- a quantity package (traffic in GB, hours …): the usage converted into the measure (catalog.Conversion,
  read through trade.pricing's conversions): 512 MB are 0.5 GB;
- a capacity package (a measure of type capacity, e.g. "GB" of storage) pays a linear product's size up to
  its own size, through its cycle: a record of `h` hours at size `s` counts s × h / H (H the hours of the
  package's cycle) and the package pays at most min(1, quota / s) of it — a 40 GB package pays exactly 40 GB
  stored through its whole cycle, and 40 of the 100 GB of a record (the other 60 are priced).
Counts are kept to 6 decimals (half up). A package pays min(remaining, what is asked); what it did not pay
goes to the next package, then to money. `free_resource_usage` of the fee record is the part of the usage
the packages paid, in the record's unit (what a partly paid package paid, converted back, rounded down to 6
decimals; all that was asked when it paid all), and only the rest is priced. Each package that paid gets a `PackageUse` row; a package left with nothing is
USED_UP.

**Cycles.** A resettable package (reset 1) starts a new cycle every month on the anniversary of its
effective time (Asia/Shanghai; the 31st falls back to the month's last day, always counted from the
effective time), with its whole quota again; the last cycle ends at its expiry. A package that does not
reset has one cycle, its whole validity. The reset happens lazily — when a record from a later cycle uses
the package, the package moves to the cycle of that record first — and in the scheduled run (`refresh`),
which also moves packages that became effective (PENDING → EFFECTIVE) and those that expired (→ EXPIRED).
A record consumed before the package's current cycle (a late record arriving after the reset) is not paid
by it: that cycle's quota is gone. Rows are locked as bills/locks.py says (step 2, after the accounts).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import ROUND_DOWN, ROUND_HALF_UP, Context, Decimal

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone

from catalog.choices import Measure, MeasureType, PackageReset
from catalog.models import MeasureUnit

from . import locks
from .choices import PackageStatus
from .models import PackageUse, ResourcePackage
from .periods import SHANGHAI

__all__ = ["cycle_at", "move_to", "load", "measure_types", "Coverage", "cover", "use_rows", "save", "refresh",
           "REFRESH_BATCH"]

_WIDE = Context(prec=60)
_USAGE = Decimal("0.000001")
_HOUR = timedelta(hours=1)
REFRESH_BATCH = 2000


def cycle_at(package, moment):
    """[start, end) of the package's cycle that contains `moment` (clamped to its validity)."""
    if package.reset != PackageReset.RESETTABLE:
        return package.effective_time, package.expire_time
    start = package.effective_time.astimezone(SHANGHAI)
    at = moment.astimezone(SHANGHAI)
    months = max(0, (at.year - start.year) * 12 + at.month - start.month)
    while months > 0 and start + relativedelta(months=months) > at:
        months -= 1
    while start + relativedelta(months=months + 1) <= at:
        months += 1
    begin = start + relativedelta(months=months)
    return max(begin, package.effective_time), min(start + relativedelta(months=months + 1), package.expire_time)


def move_to(package, moment) -> bool:
    """Lazy reset: a resettable package whose current cycle ended before `moment` (within its validity) moves
    to the cycle of `moment` with its whole quota. True when it moved (the caller saves it)."""
    if (package.reset != PackageReset.RESETTABLE or moment < package.cycle_end or moment >= package.expire_time
            or package.status == PackageStatus.UNSUBSCRIBED):
        return False
    package.cycle_start, package.cycle_end = cycle_at(package, moment)
    package.remaining = package.original_amount
    if package.status == PackageStatus.USED_UP:
        package.status = PackageStatus.EFFECTIVE
    return True


def load(customer_ids, usage_type_ids, region_ids, first, last) -> dict[int, list[ResourcePackage]]:
    """The customers' packages that may pay records of these usage types and regions consumed in [first, last],
    locked (step 2), by customer, each list oldest expiry first."""
    if not customer_ids or not usage_type_ids:
        return {}
    queryset = (ResourcePackage.objects.filter(customer_id__in=list(customer_ids), usage_type_id__in=list(usage_type_ids),
                                               region_id__in=list(region_ids), effective_time__lte=last,
                                               expire_time__gt=first)
                .exclude(status=PackageStatus.UNSUBSCRIBED))
    found: dict[int, list[ResourcePackage]] = {}
    for package in locks.lock_packages(queryset):
        found.setdefault(package.customer_id, []).append(package)
    for packages in found.values():
        packages.sort(key=lambda p: (p.expire_time, p.pk))
    return found


class Coverage:
    """What the packages paid of one record: `free` (in the record's unit) and the uses
    [(package, available before, used, remaining after, cycle start, cycle end)]."""

    __slots__ = ("free", "uses")

    def __init__(self, free=Decimal(0), uses=()):
        self.free, self.uses = free, list(uses)


def measure_types() -> dict[int, int]:
    return dict(MeasureUnit.objects.values_list("measure_id", "measure_type"))


def _asked(record, product, package, conversions, measure_types):
    """How the package counts the record: (mul, div, cap) — x units of the record's usage are x × mul / div in
    the package's measure, and the package pays at most `cap` of them (None: all). None when it cannot count it."""
    if measure_types.get(package.measure_id) == MeasureType.CAPACITY:
        size = record.resource_size
        if not product.is_linear or not size or size <= 0 or product.size_measure_id != package.measure_id:
            return None
        factor = conversions.factor(record.usage_measure_id, Measure.HOUR)
        cycle_hours = Decimal((package.cycle_end - package.cycle_start) / _HOUR)
        if factor is None or cycle_hours <= 0:
            return None
        cap = None  # never more than its own size at a time: of a larger size, its share of the record
        if package.original_amount < size:
            cap = _WIDE.divide(_WIDE.multiply(record.usage_amount, package.original_amount), size).quantize(
                _USAGE, rounding=ROUND_DOWN)
        return _WIDE.multiply(size, factor[0]), _WIDE.multiply(cycle_hours, factor[1]), cap
    factor = conversions.factor(record.usage_measure_id, package.measure_id)
    if factor is None:
        return None
    return Decimal(factor[0]), Decimal(factor[1]), None


def cover(record, product, packages, conversions, measure_types, moved: set) -> Coverage:
    """Pay what the customer's `packages` (locked, oldest expiry first) can of `record` (see the module
    docstring); changes the packages in memory (the caller saves them) and adds the changed ones to `moved`."""
    usage = record.usage_amount
    if usage <= 0 or not packages:
        return Coverage()
    moment = record.begin_time
    left = usage  # what is not paid yet, in the record's unit
    uses = []
    for package in packages:
        if (package.usage_type_id != product.usage_type_id or package.region_id != product.region_id
                or not package.effective_time <= moment < package.expire_time):
            continue
        if move_to(package, moment):
            moved.add(package.pk)
        if not package.cycle_start <= moment < package.cycle_end or package.remaining <= 0:
            continue
        asked = _asked(record, product, package, conversions, measure_types)
        if asked is None:
            continue
        mul, div, cap = asked
        can = left if cap is None else min(left, cap)
        wanted = _WIDE.divide(_WIDE.multiply(can, mul), div).quantize(_USAGE, rounding=ROUND_HALF_UP)
        if wanted <= 0:
            continue
        used = min(package.remaining, wanted)
        paid = can if used == wanted else min(can, _WIDE.divide(_WIDE.multiply(used, div), mul).quantize(
            _USAGE, rounding=ROUND_DOWN))
        uses.append((package, package.remaining, used, package.remaining - used, package.cycle_start,
                     package.cycle_end))
        package.remaining -= used
        if package.remaining == 0 and package.status == PackageStatus.EFFECTIVE:
            package.status = PackageStatus.USED_UP
        moved.add(package.pk)
        left -= paid
        if left <= 0:
            break
    return Coverage(usage - left, uses) if uses else Coverage()


def use_rows(fee_id, coverage: Coverage, resource_id: str, now) -> list[PackageUse]:
    return [PackageUse(package=package, fee_record_id=fee_id, resource_id=resource_id, available_before=before,
                       used_amount=used, remaining_after=after, deduct_time=now, effective_time=start,
                       expire_time=end)
            for package, before, used, after, start, end in coverage.uses]


def save(packages) -> None:
    """Write back the packages used or reset (one UPDATE)."""
    packages = list(packages)
    if packages:
        ResourcePackage.objects.bulk_update(packages, ["remaining", "status", "cycle_start", "cycle_end"])


def refresh(*, now=None) -> dict:
    """The scheduled part of the packages' life: those that became effective, those whose cycle ended (reset
    to the cycle of now) and those that expired. Conditional UPDATEs and locked batches: a second run, or one
    overlapping a rating run, changes nothing more."""
    now = now or timezone.now()
    started = ResourcePackage.objects.filter(status=PackageStatus.PENDING, effective_time__lte=now,
                                             expire_time__gt=now).update(status=PackageStatus.EFFECTIVE)
    expired = ResourcePackage.objects.filter(
        status__in=(PackageStatus.PENDING, PackageStatus.EFFECTIVE, PackageStatus.USED_UP),
        expire_time__lte=now).update(status=PackageStatus.EXPIRED)
    reset = 0
    due = ResourcePackage.objects.filter(reset=PackageReset.RESETTABLE, cycle_end__lte=now, expire_time__gt=now,
                                         status__in=(PackageStatus.EFFECTIVE, PackageStatus.USED_UP))
    while True:
        with transaction.atomic():
            batch = locks.lock_packages(due.filter(pk__in=list(due.order_by("pk").values_list("pk", flat=True)
                                                               [:REFRESH_BATCH])))
            moved = [package for package in batch if move_to(package, now)]
            save(moved)
            reset += len(moved)
        if len(batch) < REFRESH_BATCH or not moved:
            break
    return {"started": started, "reset": reset, "expired": expired}
