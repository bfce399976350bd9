"""The running monthly sums (bills.models.RunningSum): whether this database keeps them, and what differs
between them and the fee records they sum (a check, like `verify_ledger`; empty when they agree)."""

from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce

from .models import FeeRecord, RunningSum

__all__ = ["kept", "differences", "RecordsTotal"]

KEYS = ("bill_cycle", "customer_id", "association_id", "partner_id", "service_type_id", "resource_type_id",
        "charging_mode")


def kept() -> bool:
    """PostgreSQL keeps them (migration 0006's triggers); SQLite has no transition tables: readers group the
    fee records there."""
    return connection.vendor == "postgresql"


@dataclass(frozen=True)
class RecordsTotal:
    """The number of fee records the running sums `sums` (a RunningSum queryset) add up, read when a list is
    paged (partnercenter.api.pagination.counted: the exact total of a customer's month without reading its
    records)."""

    sums: object

    def value(self, using="default") -> int:
        return self.sums.using(using).aggregate(n=Coalesce(Sum("records"), 0))["n"]


def differences(cycle: str | None = None) -> list[tuple]:
    """(group, field, running, from the fee records) for every group whose sums differ, of `cycle` or all."""
    from .selectors import SUM_FIELDS, sum_kind  # (selectors reads `kept`)

    fees = FeeRecord.objects.order_by()
    fees = fees if cycle is None else fees.filter(bill_cycle=cycle)
    sums = RunningSum.objects.exclude(records=0)  # (a negative group is a difference too)
    sums = sums if cycle is None else sums.filter(bill_cycle=cycle)
    fields = ("records", *SUM_FIELDS, "partner_cash_amount")
    grouped = {
        tuple(row[k] for k in (*KEYS, "kind")): row
        for row in fees.annotate(kind=sum_kind()).values(*KEYS, "kind").annotate(
            n_records=Count("pk"), **{f"sum_{m}": Sum(m) for m in SUM_FIELDS},
            sum_partner_cash_amount=Sum("cash_amount", filter=Q(partner_paid=True)))
    }
    grouped = {group: {"records": row["n_records"], **{f: row[f"sum_{f}"] for f in fields[1:]}}
               for group, row in grouped.items()}
    running = {tuple(row[k] for k in (*KEYS, "bill_type")): row for row in sums.values(*KEYS, "bill_type", *fields)}
    found = []
    for group in sorted(set(grouped) | set(running), key=str):
        mine, theirs = running.get(group, {}), grouped.get(group, {})
        for field in fields:
            if (mine.get(field) or 0) != (theirs.get(field) or 0):
                found.append((group, field, mine.get(field), theirs.get(field)))
    return found
