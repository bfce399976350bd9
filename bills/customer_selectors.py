"""The customer's own consumption — 费用中心 ▸ 账单, 资源包, the balance, and the customer CBC bill endpoints.

Every read takes the actor and answers for the actor's own customer only: a customer user or a customer's
access key. Any other actor (a partner, a platform key, the scheduler) gets no rows at all.

**Monthly sums** (汇总账单). A closed month (BillingPeriod CLOSED) is read from its `CustomerMonthlySum` rows,
summed over the partners (associations) the customer consumed under; an open month from the running sums
PostgreSQL keeps (bills.models.RunningSum; on SQLite its fee records are summed on the fly), grouped the same
way (service type, resource type, charging mode, kind) — so a month reads the same before and after it is
closed. The kind (`bill_type` of a sum) of a fee record is the month close's (bills.closing): 3 for the
adjustment bill types (9, 16) and for every record marked `is_adjustment` (a late record that landed in this
month), else 2 for refunds (4, 24), else 1 (`SUM_KIND`).

**Spendable** (可用额度). What the customer can spend now: its cash balance plus the balances of its coupons
(代金券 and 现金券) that are effective and valid now — the coupons pay consumption before cash does (bills'
deduction order). Huawei's balance API (`GET /v2/accounts/customer-accounts/balances`) reports the cash
account only, so customers who read it as "what I can spend" get it wrong; the fee center shows both.
Arrears (欠费) are shown beside it, not subtracted: money that arrives pays them first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Case, Count, DecimalField, F, Max, Min, PositiveSmallIntegerField, Q, Sum, Value, When
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from billing.selectors import customer_account_of
from catalog.choices import ChargeMode, PackageReset
from vouchers.choices import CouponType
from vouchers.spending import candidates_for

from .choices import BillSumType, BillType, PackageStatus, PeriodStatus
from . import running_sums
from .models import (MONEY, REFUND_TYPES, BillingPeriod, CustomerMonthlySum, FeeRecord, PackageUse, ResourcePackage,
                     RunningSum, UsageRecord)
from .periods import SHANGHAI, current_cycle, previous_cycle

__all__ = [
    "AMOUNTS", "ZERO", "SUM_KIND", "CONSUMED_AT", "customer_of", "fee_records_for", "fee_record_for",
    "packages_for", "package_for", "package_uses_for", "usage_records_for", "is_closed", "monthly_sums",
    "MonthlySums", "resource_records", "BY_CYCLE", "BY_DAY", "DETAIL", "monthly_trend", "Spendable",
    "spendable_of", "current_window", "current_remaining", "last_cycles", "package_use_counts",
]

ZERO = Decimal("0.00")
AMOUNTS = ("official_amount", "discount_amount", "erase_amount", "consume_amount", "coupon_amount",
           "flexipurchase_coupon_amount", "cash_amount", "debt_amount", "writeoff_amount")
ADJUSTMENT_TYPES = (BillType.COMPENSATION, BillType.ADJUST_DEDUCT)
BY_CYCLE, BY_DAY, DETAIL = 1, 2, 3

SUM_KIND = Case(When(Q(is_adjustment=True) | Q(bill_type__in=ADJUSTMENT_TYPES), then=Value(BillSumType.ADJUSTMENT)),
                When(bill_type__in=REFUND_TYPES, then=Value(BillSumType.REFUND)),
                default=Value(BillSumType.CONSUMPTION), output_field=PositiveSmallIntegerField())
# When a fee record was consumed: the start of the usage window for pay-per-use, the payment otherwise.
CONSUMED_AT = Case(When(charging_mode=ChargeMode.ON_DEMAND, then=F("effective_time")), default=F("trade_time"))


def _sums(names=AMOUNTS) -> dict:
    return {name: Coalesce(Sum(name), Value(ZERO), output_field=DecimalField(**MONEY)) for name in names}


def customer_of(actor):
    """The customer the actor reads as, or None (not a customer)."""
    return actor.customer if actor is not None and actor.is_customer else None


# ---------------------------------------------------------------------------------------------
# The customer's rows
# ---------------------------------------------------------------------------------------------

def fee_records_for(actor):
    """The customer's fee records (消费记录), newest first, with what the lists show, and `consumed_at`."""
    customer = customer_of(actor)
    if customer is None:
        return FeeRecord.objects.none()
    return (FeeRecord.objects.filter(customer=customer).annotate(consumed_at=CONSUMED_AT)
            .select_related("service_type", "resource_type", "region", "product", "usage_type")
            .order_by("-trade_time", "-id"))


def fee_record_for(actor, record_id):
    return fee_records_for(actor).filter(record_id=str(record_id or "")[:32]).first()


def _live_status(now):
    """A package's status as of `now`, whatever the last run wrote: past its expiry it is expired, before its
    start not yet effective, a one-off quota at zero used up, a resettable one effective again in a new cycle."""
    live = (PackageStatus.PENDING, PackageStatus.EFFECTIVE, PackageStatus.USED_UP)
    return Case(
        When(status__in=live, expire_time__lte=now, then=Value(PackageStatus.EXPIRED)),
        When(status__in=live, effective_time__gt=now, then=Value(PackageStatus.PENDING)),
        When(status__in=live, reset=PackageReset.RESETTABLE, cycle_end__lte=now, then=Value(PackageStatus.EFFECTIVE)),
        When(status__in=live, remaining=0, then=Value(PackageStatus.USED_UP)),
        When(status=PackageStatus.PENDING, then=Value(PackageStatus.EFFECTIVE)),
        default=F("status"), output_field=PositiveSmallIntegerField())


def packages_for(actor, *, now=None):
    """The customer's resource packages (资源包), soonest expiry first, each with `live_status`."""
    customer = customer_of(actor)
    if customer is None:
        return ResourcePackage.objects.none()
    return (ResourcePackage.objects.filter(customer=customer).annotate(live_status=_live_status(now or timezone.now()))
            .select_related("product__service_type", "usage_type__resource_type", "region", "measure")
            .order_by("expire_time", "id"))


def package_for(actor, order_instance_id, *, now=None):
    return packages_for(actor, now=now).filter(order_instance_id=str(order_instance_id or "")[:32]).first()


def package_uses_for(actor):
    """What the customer's packages paid (资源包使用明细), newest first."""
    customer = customer_of(actor)
    if customer is None:
        return PackageUse.objects.none()
    return (PackageUse.objects.filter(package__customer=customer)
            .select_related("package__product", "package__usage_type", "fee_record__resource_type")
            .order_by("-deduct_time", "-id"))


def usage_records_for(actor):
    """The customer's metering records (资源详单), newest first, with the fee record each was rated into."""
    customer = customer_of(actor)
    if customer is None:
        return UsageRecord.objects.none()
    return (UsageRecord.objects.filter(customer=customer).select_related("usage_measure", "fee_record")
            .order_by("-begin_time", "-id"))


def _add_month(moment: datetime, months: int = 1) -> datetime:
    local = moment.astimezone(SHANGHAI)
    month = local.month - 1 + months
    year, month = local.year + month // 12, month % 12 + 1
    last_day = [31, 29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28, 31, 30, 31, 30, 31, 31, 30, 31,
                30, 31][month - 1]
    return local.replace(year=year, month=month, day=min(local.day, last_day))


def current_window(package, now=None) -> tuple[datetime, datetime]:
    """The quota cycle `now` falls in: a resettable package's month (rolled on from the stored one when the
    reset is still to be written), else its whole life."""
    now = now or timezone.now()
    if package.reset != PackageReset.RESETTABLE:
        return package.effective_time, package.expire_time
    start, end = package.cycle_start, package.cycle_end
    while end <= now and end < package.expire_time:
        start, end = end, _add_month(end)
    return start, min(end, package.expire_time)


def current_remaining(package, now=None) -> Decimal:
    """What is left of the current cycle: the whole quota when a new cycle began since the last deduction."""
    now = now or timezone.now()
    if package.reset == PackageReset.RESETTABLE and package.cycle_end <= now < package.expire_time:
        return package.original_amount
    return package.remaining


# ---------------------------------------------------------------------------------------------
# Monthly sums (汇总账单) and the trend
# ---------------------------------------------------------------------------------------------

def is_closed(cycle: str) -> bool:
    return BillingPeriod.objects.filter(bill_cycle=cycle, status=PeriodStatus.CLOSED).exists()


GROUP = ("service_type__code", "resource_type__code", "charging_mode", "kind")


@dataclass
class MonthlySums:
    cycle: str
    closed: bool
    rows: object      # a values() queryset: one dict per group (GROUP keys, the AMOUNTS and `records`)
    totals: dict      # the AMOUNTS over every group


def monthly_sums(actor, cycle: str, *, service_type_code=None) -> MonthlySums:
    """The month's sums per service type, resource type, charging mode and kind, and their totals."""
    customer = customer_of(actor)
    closed = customer is not None and is_closed(cycle)
    if customer is None:
        base = FeeRecord.objects.none().annotate(kind=SUM_KIND)
    elif closed:
        base = CustomerMonthlySum.objects.filter(customer=customer, bill_cycle=cycle).annotate(kind=F("bill_type"))
    elif running_sums.kept():
        base = (RunningSum.objects.filter(customer=customer, bill_cycle=cycle, records__gt=0)
                .annotate(kind=F("bill_type")))
    else:
        base = FeeRecord.objects.filter(customer=customer, bill_cycle=cycle).annotate(kind=SUM_KIND)
    if service_type_code:
        base = base.filter(service_type__code=service_type_code)
    records = Count("pk") if base.model is FeeRecord else Sum("records")
    rows = base.order_by().values(*GROUP).annotate(records=records, **_sums()).order_by(*GROUP)
    return MonthlySums(cycle=cycle, closed=closed, rows=rows, totals=base.order_by().aggregate(**_sums()))


def last_cycles(months: int = 12, now=None) -> list[str]:
    """The last `months` billing cycles, oldest first, ending with the current one."""
    cycles = [current_cycle(now)]
    while len(cycles) < months:
        cycles.append(previous_cycle(cycles[-1]))
    return cycles[::-1]


TREND_PARTS = ("consume_amount", "cash_amount", "writeoff_amount", "coupon_amount", "flexipurchase_coupon_amount",
               "debt_amount")


def monthly_trend(actor, *, months: int = 12, now=None) -> list[tuple[str, dict]]:
    """(cycle, sums) for the last `months` cycles, oldest first: closed ones from the monthly sums, open ones
    from the running sums (the fee records on SQLite; three statements)."""
    customer = customer_of(actor)
    cycles = last_cycles(months, now)
    found = {}
    if customer is not None:
        closed = set(BillingPeriod.objects.filter(bill_cycle__in=cycles, status=PeriodStatus.CLOSED)
                     .values_list("bill_cycle", flat=True))
        running = RunningSum.objects.filter(records__gt=0) if running_sums.kept() else FeeRecord.objects
        sources = ((CustomerMonthlySum.objects, sorted(closed)), (running, sorted(set(cycles) - closed)))
        for manager, wanted in sources:
            if wanted:
                for row in (manager.filter(customer=customer, bill_cycle__in=wanted).order_by().values("bill_cycle")
                            .annotate(**_sums(TREND_PARTS))):
                    found[row.pop("bill_cycle")] = row
    empty = dict.fromkeys(TREND_PARTS, ZERO)
    return [(cycle, found.get(cycle, empty)) for cycle in cycles]


# ---------------------------------------------------------------------------------------------
# Resource records (资源消费记录 / 资源详单) by cycle, by day, in detail
# ---------------------------------------------------------------------------------------------

RESOURCE_GROUP = ("bill_cycle", "service_type__code", "resource_type__code", "region__code", "product__product_id",
                  "product__spec_name", "product__spec_name_en", "resource_id", "charging_mode", "bill_type",
                  "usage_type__code", "usage_measure_id", "period_type")


def resource_records(queryset, statistic_type: int):
    """`queryset` (fee_records_for, filtered) in detail, or summed per resource (and what it was billed for)
    over the cycle or per Asia/Shanghai day: dicts with the RESOURCE_GROUP keys, `bill_date` (by day), the
    AMOUNTS, `usage`, `free_usage`, `records` and the window and names of the group's records."""
    if statistic_type == DETAIL:
        return queryset
    keys = list(RESOURCE_GROUP)
    if statistic_type == BY_DAY:
        queryset = queryset.annotate(bill_date=TruncDate("consumed_at", tzinfo=SHANGHAI))
        keys.append("bill_date")
    usage = DecimalField(max_digits=24, decimal_places=6)
    return (queryset.order_by().values(*keys).annotate(
        records=Count("pk"), usage=Sum("usage_amount", output_field=usage),
        free_usage=Sum("free_resource_usage", output_field=usage), period_num=Sum("period_num"),
        resource_name=Max("resource_name"), product_spec_desc=Max("product_spec_desc"),
        effective_from=Min("effective_time"), expire_to=Max("expire_time"), last_trade=Max("trade_time"),
        last_consumed=Max("consumed_at"), trade_id=Max("trade_id"), **_sums())
        .order_by(*(["-bill_date"] if statistic_type == BY_DAY else []), "service_type__code", "resource_id",
                  "resource_type__code", "region__code", "product__product_id", "charging_mode", "bill_type",
                  "usage_type__code", "usage_measure_id", "period_type"))


# ---------------------------------------------------------------------------------------------
# Spendable (可用额度)
# ---------------------------------------------------------------------------------------------

@dataclass
class Spendable:
    """cash + what the effective coupons can still pay; arrears beside it (see the module docstring)."""

    cash: Decimal
    cash_coupons: Decimal
    cash_coupon_count: int
    flexi_coupons: Decimal
    flexi_coupon_count: int
    arrears: Decimal

    @property
    def coupons(self) -> Decimal:
        return self.cash_coupons + self.flexi_coupons

    @property
    def total(self) -> Decimal:
        return self.cash + self.coupons


def spendable_of(actor, *, now=None) -> Spendable | None:
    """The customer's spendable figure and its parts (two statements), or None for anyone else."""
    customer = customer_of(actor)
    if customer is None:
        return None
    account = customer_account_of(customer)
    coupons = {row["coupon_type"]: row for row in candidates_for(customer, now=now).order_by().values("coupon_type")
               .annotate(total=Sum("balance"), n=Count("pk"))}
    cash_coupons, flexi = coupons.get(CouponType.CASH_COUPON, {}), coupons.get(CouponType.FLEXI_COUPON, {})
    return Spendable(cash=account.balance, cash_coupons=cash_coupons.get("total") or ZERO,
                     cash_coupon_count=cash_coupons.get("n", 0), flexi_coupons=flexi.get("total") or ZERO,
                     flexi_coupon_count=flexi.get("n", 0), arrears=account.arrears)


def package_use_counts(packages) -> dict[int, dict]:
    """{package pk: {"uses": n, "used": total}} of a page of packages (one statement)."""
    ids = [package.pk for package in packages]
    if not ids:
        return {}
    rows = (PackageUse.objects.filter(package_id__in=ids).order_by().values("package_id")
            .annotate(uses=Count("pk"), used=Sum("used_amount")))
    return {row.pop("package_id"): row for row in rows}

