"""The customer's costs (成本): the amortised monthly breakdown (月度成本) and the cost query by dimension and
day or month — `GET /v2/costs/cost-analysed-bills/monthly-breakdown` and `POST /v4/costs/cost-analysed-bills/query`.

**The amortisation rule** (摊销), ours, stated once:

- A fee record paid for a time window — charging mode yearly/monthly (1) with an expire time after its
  effective time (a purchase, renewal, change or auto-renewal; a refund of one, negative) — is spread over the
  Asia/Shanghai days of that window: the days from its effective date up to, not including, its expire date
  (at least one day), each day carrying an equal share.
- Every other fee record (pay-per-use usage, a one-off, an adjustment) is a cost of its own month (its
  `bill_cycle`) and, by day, of the day it was consumed (customer_selectors.CONSUMED_AT).
- Shares are cut to the fen cumulatively: what the days up to day k carry is round_half_up(amount × k / days),
  so the months (or days) of a record add up exactly to the record. Each payment part is cut alike — cash,
  cash coupons, flexi-purchase coupons, and arrears (unpaid and paid later, reported as `credit`) — and the
  month's amortised amount is the sum of its parts; `past_months_amortized_amount` is what the days before the
  month carry, `future_months_amortized_amount` what the days after it carry.

The cost query's ORIGINAL_COST puts a record where it was billed (its bill cycle, or its consumption day);
AMORTIZED_COST spreads it by the rule above. PAYMENT_AMOUNT (应付) is the amount due; NET_AMOUNT (实付) is what
was not paid by coupons (cash and arrears).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import DecimalField, F, Q, Sum
from django.db.models.functions import TruncDate

from catalog.choices import ChargeMode

from .models import MONEY
from .periods import SHANGHAI, cycle_bounds, next_cycle

__all__ = ["SPREAD", "NOT_SPREAD", "spread_of", "cut", "month_breakdown", "breakdown_records", "DIMENSIONS",
           "CONSTANT_DIMENSIONS", "FILTER_KEYS", "cost_groups", "DAY", "MONTH"]

FEN = Decimal("0.01")
ZERO = Decimal("0.00")
DAY, MONTH = 1, 2

SPREAD = Q(charging_mode=ChargeMode.PERIOD, expire_time__isnull=False, expire_time__gt=F("effective_time"))
NOT_SPREAD = ~Q(charging_mode=ChargeMode.PERIOD) | Q(expire_time__isnull=True) | Q(expire_time__lte=F("effective_time"))
# The payment parts of a fee record (their sum is its consume_amount), as the breakdown names them.
PARTS = {"cash": ("cash_amount",), "coupon": ("coupon_amount",), "flexipurchase_coupon": ("flexipurchase_coupon_amount",),
         "credit": ("debt_amount", "writeoff_amount")}


def _local_date(moment: datetime) -> date:
    return moment.astimezone(SHANGHAI).date()


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=SHANGHAI)


@dataclass(frozen=True)
class Spread:
    first: date
    days: int

    def before(self, day: date) -> int:
        """How many of the window's days come before `day`."""
        return min(max((day - self.first).days, 0), self.days)


def spread_of(record) -> Spread | None:
    """The days a record is spread over, or None when it is its own month's cost."""
    if (record.charging_mode != ChargeMode.PERIOD or record.expire_time is None
            or record.expire_time <= record.effective_time):
        return None
    first = _local_date(record.effective_time)
    return Spread(first, max(1, (_local_date(record.expire_time) - first).days))


def cut(amount: Decimal, days_so_far: int, days: int) -> Decimal:
    """What the first `days_so_far` of `days` carry of `amount`, to the fen (half up)."""
    if days_so_far >= days:
        return amount
    return (amount * days_so_far / days).quantize(FEN, rounding=ROUND_HALF_UP) if days_so_far else ZERO


def _part(record, names) -> Decimal:
    return sum((getattr(record, name) for name in names), ZERO)


def month_breakdown(record, month: str) -> dict:
    """The record's amortised amounts for `month`: consume_amount, the past, current and future parts, and
    the current part per payment kind (amortized_cash_amount, …)."""
    spread = spread_of(record)
    result = {"consume_amount": record.consume_amount}
    if spread is None:
        current = {kind: _part(record, names) for kind, names in PARTS.items()}
        past = ZERO
    else:
        start, end = cycle_bounds(month)
        before, upto = spread.before(start.date()), spread.before(end.date())
        current, past = {}, ZERO
        for kind, names in PARTS.items():
            amount = _part(record, names)
            earlier = cut(amount, before, spread.days)
            current[kind] = cut(amount, upto, spread.days) - earlier
            past += earlier
    this_month = sum(current.values(), ZERO)
    result.update(past_months_amortized_amount=past, current_month_amortized_amount=this_month,
                  future_months_amortized_amount=record.consume_amount - past - this_month,
                  amortized_stored_value_card_amount=ZERO, amortized_bonus_amount=ZERO,
                  **{f"amortized_{kind}_amount": amount for kind, amount in current.items()})
    return result


def breakdown_records(queryset, month: str):
    """The records with a share in `month`: those spread over days of it, and the month's own others."""
    start, end = cycle_bounds(month)
    touches = Q(effective_time__lt=end) & (Q(expire_time__gte=start + timedelta(days=1)) | Q(effective_time__gte=start))
    return queryset.filter((SPREAD & touches) | (NOT_SPREAD & Q(bill_cycle=month)))


# ---------------------------------------------------------------------------------------------
# The cost query (v4)
# ---------------------------------------------------------------------------------------------

# groupby / filter keys of type "dimension" and the fee record's field each reads
DIMENSIONS = {"CLOUD_SERVICE_TYPE": "service_type__code", "RESOURCE_TYPE": "resource_type__code",
              "REGION_CODE": "region__code", "RES_SPEC_CODE": "product__resource_spec", "CHARGING_MODE": "charging_mode",
              "USAGE_TYPE": "usage_type__code", "BILL_TYPE": "bill_type", "RESOURCE_ID": "resource_id"}
# keys whose value is the same for every record of a customer (no enterprise projects, zones, tags here)
CONSTANT_DIMENSIONS = ("ASSOCIATED_ACCOUNT", "PAYER_ACCOUNT_ID", "AZ_CODE", "ENTERPRISE_PROJECT_ID", "BE_ID")
FILTER_KEYS = tuple(DIMENSIONS) + CONSTANT_DIMENSIONS + ("RESOURCE_TAG", "COST_UNIT")
INTEGER_KEYS = ("CHARGING_MODE", "BILL_TYPE")


def constant_value(key: str, customer) -> str:
    return {"ASSOCIATED_ACCOUNT": customer.domain_id, "PAYER_ACCOUNT_ID": customer.domain_id,
            "ENTERPRISE_PROJECT_ID": "0"}.get(key, "")


def _apply_filter(queryset, key, values, exclude, customer):
    """One FilterV2: keep (operator 0) or drop (1) the records whose `key` is one of `values`."""
    if key in DIMENSIONS:
        field = DIMENSIONS[key]
        if key in INTEGER_KEYS and any(len(str(v)) > 6 for v in values):
            raise ValueError("an integer dimension value out of range")  # the view answers CBC.0100
        wanted = [int(v) for v in values] if key in INTEGER_KEYS else list(values)
        condition = Q(**{f"{field}__in": wanted})
        if "" in values and key not in INTEGER_KEYS:
            condition |= Q(**{f"{field}__isnull": True})
    else:
        condition = Q() if constant_value(key, customer) in values else Q(pk__in=[])
    return queryset.exclude(condition) if exclude else queryset.filter(condition)


NET_PARTS = ("cash", "credit")  # 实付: what coupons did not pay


def _amount(row, net: bool) -> Decimal:
    return sum((_part_of(row, kind) for kind in (NET_PARTS if net else PARTS)), ZERO)


def _part_of(row, kind) -> Decimal:
    return sum((row[name] or ZERO for name in PARTS[kind]), ZERO)


def _buckets(measure, begin, end) -> tuple[datetime, datetime, list]:
    """The range as [start, end) moments and its buckets ("YYYY-MM-DD" days or "YYYY-MM" cycles)."""
    if measure == DAY:
        days = [begin + timedelta(days=n) for n in range((end - begin).days + 1)]
        return _midnight(begin), _midnight(end + timedelta(days=1)), days
    cycles = [begin]
    while cycles[-1] != end:
        cycles.append(next_cycle(cycles[-1]))
    return cycle_bounds(begin)[0], cycle_bounds(end)[1], cycles


def _spread_rows(rows, measure, buckets, fields, net):
    """Each spread record's shares per bucket of the range: yields (dimension values, bucket, amount, official)."""
    for row in rows:
        first = _local_date(row["effective_time"])
        spread = Spread(first, max(1, (_local_date(row["expire_time"]) - first).days))
        parts = [_part_of(row, kind) for kind in (NET_PARTS if net else PARTS)]
        for bucket in buckets:
            if measure == DAY:
                start, stop = bucket, bucket + timedelta(days=1)
            else:
                start, stop = (moment.date() for moment in cycle_bounds(bucket))
            before, upto = spread.before(start), spread.before(stop)
            if upto > before:  # each part cut alone, as the monthly breakdown does
                amount = sum((cut(part, upto, spread.days) - cut(part, before, spread.days) for part in parts), ZERO)
                official = row["official_amount"]
                yield (tuple(row[f] for f in fields), bucket, amount,
                       cut(official, upto, spread.days) - cut(official, before, spread.days))


def cost_groups(queryset, customer, *, measure, begin, end, groupby, amortized, net, filters) -> list[dict]:
    """The cost data of `queryset` (the customer's fee records, with `consumed_at`) in [begin, end] (dates for
    DAY, "YYYY-MM" for MONTH), one dict per combination of the `groupby` (type, key) values, largest first:
    {"dimensions": [(key, value)], "costs": [(bucket, amount, official)], "amount", "official"}."""
    for key, values, exclude in filters:
        queryset = _apply_filter(queryset, key, values, exclude, customer)
    fields = [DIMENSIONS[key] for kind, key in groupby if kind == "dimension" and key in DIMENSIONS]
    start, stop, buckets = _buckets(measure, begin, end)
    money = DecimalField(**MONEY)
    sums = {name: Sum(name, output_field=money) for name in ("official_amount", *(n for names in PARTS.values()
                                                                                 for n in names))}
    in_place = queryset.filter(NOT_SPREAD) if amortized else queryset
    if measure == DAY:
        in_place = in_place.filter(consumed_at__gte=start, consumed_at__lt=stop).annotate(
            bucket=TruncDate("consumed_at", tzinfo=SHANGHAI))
    else:
        in_place = in_place.filter(bill_cycle__gte=begin, bill_cycle__lte=end).annotate(bucket=F("bill_cycle"))
    cells = defaultdict(lambda: [ZERO, ZERO])
    for row in in_place.order_by().values(*fields, "bucket").annotate(**sums):
        cell = cells[(tuple(row[f] for f in fields), row["bucket"])]
        cell[0] += _amount(row, net)
        cell[1] += row["official_amount"]
    if amortized:
        spread_rows = (queryset.filter(SPREAD, effective_time__lt=stop, expire_time__gt=start).order_by()
                       .values(*fields, "effective_time", "expire_time", *sums))
        for values, bucket, amount, official in _spread_rows(spread_rows, measure, buckets, fields, net):
            cell = cells[(values, bucket)]
            cell[0] += amount
            cell[1] += official
    groups = defaultdict(dict)
    for (values, bucket), (amount, official) in cells.items():
        groups[values][bucket] = (amount, official)
    result = []
    for values, costs in groups.items():
        named = dict(zip(fields, values))
        dimensions = []
        for kind, key in groupby:
            if kind != "dimension":
                dimensions.append(("RESOURCE_TAG" if kind == "tag" else "COST_UNIT", ""))
            elif key in DIMENSIONS:
                value = named[DIMENSIONS[key]]
                dimensions.append((key, "" if value is None else str(value)))
            else:
                dimensions.append((key, constant_value(key, customer)))
        ordered = sorted(costs.items(), key=lambda item: str(item[0]))
        result.append({
            "dimensions": dimensions,
            "costs": [(bucket if isinstance(bucket, str) else bucket.isoformat(), amount, official)
                      for bucket, (amount, official) in ordered],
            "amount": sum((amount for amount, _ in costs.values()), ZERO),
            "official": sum((official for _, official in costs.values()), ZERO),
        })
    result.sort(key=lambda group: (-group["amount"], [value for _key, value in group["dimensions"]]))
    return result
