"""The usage generator: plausible hourly usage of the pay-per-use resources (customers.Resource, charging mode
on_demand), for demos and tests. `manage.py generate_usage` and the beat task `bills.tasks_usage.generate_usage`
call it; the records go through bills.ingest like any others (source GENERATOR).

Each resource is metered by its catalogue product (the resource's `product_id`, else its resource type, spec and
region under pay-per-use):

- a duration product (servers, elastic IPs; 使用量类型 Duration) uses the whole hour, in the product's unit;
- a traffic product (upflow, GB) follows the day in China — little at night, most in the working day — around
  a peak of its own, with a little noise;
- a linear product (a disk, object storage) is metered with its size: a disk's from its spec description
  ("高IO|100GB"), object storage's growing a little every day from a size of its own. An object-storage
  bucket also sends its internet outbound traffic (the region's obs.internet.upflow product), as a second
  record of the hour.

Everything is derived from the resource and the hour (a hash stands in for chance), and every record has a
record_id made of them (`gen-<resource_id>-<YYYYMMDDHH>` UTC, `…-up` for the traffic of a bucket): generating
the same hours again creates nothing new. A resource generates from the hour it became effective; frozen or
closed ones do not.
"""

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone as dt_timezone
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from catalog.choices import ChargeMode, Measure, MeasureType
from catalog.models import Product
from customers.choices import ChargingMode, OnDemandStatus
from customers.models import Resource

from . import ingest
from .choices import UsageSource
from .models import UsageRecord
from .periods import SHANGHAI

__all__ = ["HOUR", "CATCH_UP_HOURS", "MAX_HOURS", "Summary", "generate", "generate_days", "catch_up", "hour_floor",
           "record_id"]

HOUR = timedelta(hours=1)
CATCH_UP_HOURS = 24   # the beat task fills at most this many missed hours
MAX_HOURS = 24 * 400  # one run of the command
RUNNING = (OnDemandStatus.NORMAL, OnDemandStatus.GRACE, OnDemandStatus.CHANGING)
# share of a resource's peak traffic in each hour of the day in China
DAY_SHAPE = (0.15, 0.10, 0.08, 0.08, 0.10, 0.15, 0.25, 0.45, 0.70, 0.90, 1.00, 1.00,
             0.95, 0.95, 1.00, 1.00, 0.95, 0.90, 0.90, 0.95, 1.00, 0.90, 0.60, 0.30)
_IN_HOURS = {Measure.HOUR: 1, Measure.MINUTE: 60, Measure.SECOND: 3600}
_SIZE_IN_SPEC = re.compile(r"(\d+(?:\.\d+)?)\s*G", re.IGNORECASE)
_OBS_UPFLOW = "obs.internet.upflow"


@dataclass
class Summary:
    hours: int = 0
    resources: int = 0
    created: int = 0
    duplicates: int = 0
    failed: int = 0
    first_errors: list = field(default_factory=list)
    first_hour: datetime | None = None
    last_hour: datetime | None = None

    def as_dict(self) -> dict:
        return {"hours": self.hours, "resources": self.resources, "created": self.created,
                "duplicates": self.duplicates, "failed": self.failed, "errors": self.first_errors,
                "from": self.first_hour.isoformat() if self.first_hour else None,
                "to": (self.last_hour + HOUR).isoformat() if self.last_hour else None}


def hour_floor(moment: datetime) -> datetime:
    return moment.astimezone(dt_timezone.utc).replace(minute=0, second=0, microsecond=0)


def record_id(resource_id: str, begin: datetime, kind: str = "") -> str:
    key = begin.astimezone(dt_timezone.utc).strftime("%Y%m%d%H")
    suffix = f"-{kind}" if kind else ""
    name = f"gen-{resource_id}-{key}{suffix}"
    if len(name) > 64:  # a long resource id: its digest instead
        name = f"gen-{hashlib.sha1(resource_id.encode()).hexdigest()[:24]}-{key}{suffix}"
    return name


def _chance(*parts) -> float:
    """A number in [0, 1) fixed by `parts`."""
    digest = hashlib.sha256("|".join(str(p) for p in parts).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def _wire(moment: datetime) -> str:
    return moment.astimezone(dt_timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _decimal(value: float, places: int) -> str:
    return format(Decimal(repr(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP), "f")


# -------------------------------------------------------------------------------------------------
# What one resource used in one hour
# -------------------------------------------------------------------------------------------------

def _traffic(resource, begin, measure_id) -> str:
    peak = 0.2 + 1.8 * _chance(resource.resource_id, "peak")           # GB in its busiest hour
    local_hour = begin.astimezone(SHANGHAI).hour
    gigabytes = peak * DAY_SHAPE[local_hour] * (0.85 + 0.3 * _chance(resource.resource_id, begin.isoformat()))
    return _decimal(gigabytes * (1024 if measure_id == Measure.MB else 1), 6)


def _size(resource, product, begin) -> str | None:
    if not product.is_linear:
        return None
    found = _SIZE_IN_SPEC.search(resource.product_spec_desc or "")
    if found:
        size = float(found.group(1))
    elif product.resource_type.code.endswith(".obs"):  # object storage grows a little every day
        days = max(0.0, (begin - resource.effective_time).total_seconds() / 86400)
        size = 20 + 180 * _chance(resource.resource_id, "size") + (0.5 + 1.5 * _chance(resource.resource_id, "growth")) * days
    else:
        size = float(product.min_size or 1)
    if product.min_size:
        size = max(size, float(product.min_size))
    if product.max_size:
        size = min(size, float(product.max_size))
    return _decimal(size, 4)


def _usage(resource, product, begin) -> str:
    if product.usage_measure.measure_type == MeasureType.DURATION and product.usage_measure_id in _IN_HOURS:
        return str(_IN_HOURS[product.usage_measure_id])
    return _traffic(resource, begin, product.usage_measure_id)


def _record(resource, product, begin, kind="") -> dict:
    return {
        "record_id": record_id(resource.resource_id, begin, kind), "customer_id": resource.customer.domain_id,
        "resource_id": resource.resource_id, "cloud_service_type": product.service_type.code,
        "resource_type": product.resource_type.code, "resource_spec_code": product.resource_spec,
        "usage_type": product.usage_type.code, "region": product.region.code,
        "usage": _usage(resource, product, begin), "usage_measure_id": product.usage_measure_id,
        "resource_size": None if kind else _size(resource, product, begin),
        "begin_time": _wire(begin), "end_time": _wire(begin + HOUR),
    }


# -------------------------------------------------------------------------------------------------
# Many resources, many hours
# -------------------------------------------------------------------------------------------------

def _metered(customer_id=None):
    """[(resource, product, extra products)] of the running pay-per-use resources, read in three statements."""
    resources = Resource.objects.filter(charging_mode=ChargingMode.ON_DEMAND, status__in=RUNNING).select_related(
        "customer").order_by("pk")
    if customer_id:
        resources = resources.filter(customer__domain_id=customer_id)
    resources = list(resources)
    if not resources:
        return []
    products = list(Product.objects.filter(
        charge_mode=ChargeMode.ON_DEMAND, usage_type__isnull=False,
        resource_type__code__in={r.resource_type_code for r in resources}, region__code__in={r.region_code for r in resources},
    ).select_related("service_type", "resource_type", "region", "usage_type", "usage_measure"))
    by_id = {p.product_id: p for p in products}
    by_spec = {(p.resource_type.code, p.resource_spec, p.region.code): p for p in products}
    metered = []
    for resource in resources:
        product = by_id.get(resource.product_id) or by_spec.get(
            (resource.resource_type_code, resource.resource_spec_code, resource.region_code))
        if product is None or product.charge_mode != ChargeMode.ON_DEMAND:
            continue
        extras = []
        if product.resource_type.code.endswith(".obs") and product.resource_spec != _OBS_UPFLOW:
            upflow = by_spec.get((product.resource_type.code, _OBS_UPFLOW, product.region.code))
            extras = [upflow] if upflow is not None else []
        metered.append((resource, product, extras))
    return metered


def _records(metered, hours):
    for begin in hours:
        for resource, product, extras in metered:
            if begin < hour_floor(resource.effective_time):
                continue
            yield _record(resource, product, begin)
            for extra in extras:
                yield _record(resource, extra, begin, kind="up")


def generate(*, hours: int = 1, until: datetime | None = None, customer_id: str | None = None,
             now: datetime | None = None) -> Summary:
    """Usage of the `hours` whole hours ending at `until` (default: the last completed hour), for every running
    pay-per-use resource (or `customer_id`'s). Idempotent: hours generated before come back as duplicates."""
    now = now or timezone.now()
    until = hour_floor(until or now)
    if until > hour_floor(now):
        raise ValueError("the hours to generate must have ended")
    hours = max(1, min(int(hours), MAX_HOURS))
    starts = [until - HOUR * n for n in range(hours, 0, -1)]
    metered = _metered(customer_id)
    summary = Summary(hours=len(starts), resources=len(metered), first_hour=starts[0], last_hour=starts[-1])
    batch = []
    for row in _records(metered, starts):
        batch.append(row)
        if len(batch) == ingest.MAX_RECORDS:
            _ingest(batch, summary, now)
            batch = []
    if batch:
        _ingest(batch, summary, now)
    return summary


def _day_record(resource, product, day_start, kind="") -> dict:
    """One record for a whole day (24 hours from `day_start`): the sum of the day's hourly usage, so a day costs
    what its 24 hourly records would (the size is the day's first hour's)."""
    row = _record(resource, product, day_start, kind)
    if product.usage_measure.measure_type == MeasureType.DURATION and product.usage_measure_id in _IN_HOURS:
        total = Decimal(row["usage"]) * 24
    else:
        total = sum((Decimal(_usage(resource, product, day_start + HOUR * n)) for n in range(24)), Decimal(0))
    row.update(record_id=record_id(resource.resource_id, day_start, f"{kind}-d" if kind else "d"),
               usage=format(total, "f"), end_time=_wire(day_start + HOUR * 24))
    return row


def generate_days(*, since: datetime, until: datetime, customer_id: str | None = None,
                  now: datetime | None = None) -> Summary:
    """Daily records (a 24-hour window each) from `since` to `until`, both Asia/Shanghai midnights: the demo's
    past months in a thirtieth of the rows hourly records would take. Idempotent like `generate`."""
    now = now or timezone.now()
    if until > now:
        raise ValueError("the days to generate must have ended")
    days = []
    day = since
    while day < until:
        days.append(day)
        day = (day + HOUR * 24).astimezone(SHANGHAI)
    metered = _metered(customer_id)
    summary = Summary(hours=24 * len(days), resources=len(metered), first_hour=days[0] if days else None,
                      last_hour=days[-1] + HOUR * 23 if days else None)
    batch = []
    for begin in days:
        for resource, product, extras in metered:
            if begin < resource.effective_time:
                continue
            batch.append(_day_record(resource, product, begin))
            batch.extend(_day_record(resource, extra, begin, kind="up") for extra in extras)
            if len(batch) >= ingest.MAX_RECORDS - 2:
                _ingest(batch, summary, now)
                batch = []
    if batch:
        _ingest(batch, summary, now)
    return summary


def _ingest(batch, summary, now):
    with transaction.atomic():
        outcome = ingest.ingest(batch, source=UsageSource.GENERATOR, now=now)
    summary.created += outcome.accepted
    summary.duplicates += outcome.duplicates
    summary.failed += outcome.failed
    for result in outcome.results:
        if result.status == ingest.FAILED and len(summary.first_errors) < 10:
            summary.first_errors.append(f"{result.record_id}: {result.error_code} {result.error_msg}")


def catch_up(*, now: datetime | None = None) -> Summary:
    """The beat task's run: every completed hour since the last generated one (at most CATCH_UP_HOURS; just the
    last completed hour when none was generated in that time). A second run finds nothing new."""
    now = now or timezone.now()
    until = hour_floor(now)
    since = until - HOUR * CATCH_UP_HOURS
    last = (UsageRecord.objects.filter(source=UsageSource.GENERATOR, begin_time__gte=since, begin_time__lt=until)
            .aggregate(last=Max("begin_time"))["last"])
    # the hours after the last generated one; when that was the last completed hour, it again (all duplicates)
    hours = 1 if last is None else max(1, int((until - hour_floor(last)) / HOUR) - 1)
    return generate(hours=hours, until=until, now=now)
