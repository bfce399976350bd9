"""The rating's steps 0–3 in SQL (PostgreSQL), each one statement in pk order — claim a batch off the queue, lock
its customers' accounts, packages and coupons (bills/locks.py has the same steps for the per-record path) — and
`save_packages`, the package UPDATE of either path as one statement. Also what the rating statement
(bills/rating_sql.py) shares with them: the constants they name, key arrays in PostgreSQL's text form, a fetch.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from django.db import connection

from billing.models import CustomerAccount
from catalog.choices import ChargeMode
from customers.choices import AssociationType, ChargingMode
from vouchers import spending
from vouchers.choices import CouponStatus, CouponType
from vouchers.models import Coupon

from .choices import PackageStatus
from .models import ResourcePackage, UsageRecord, UsageWaiting
from .periods import SHANGHAI

__all__ = ["usable", "table", "with_constants", "id_array", "value_array", "fetch", "SPENDABLE", "Claimed", "claim",
           "lock_accounts", "lock_packages", "lock_coupons", "save_packages"]


def usable() -> bool:
    return connection.vendor == "postgresql"


def table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


# The constants every statement may name.
CONSTANTS = {
    "on_demand": ChargingMode.ON_DEMAND.value,
    "on_demand_mode": ChargeMode.ON_DEMAND.value, "resale": AssociationType.RESALE.value,
    "zone": str(SHANGHAI),
    "unsubscribed": PackageStatus.UNSUBSCRIBED.value, "effective": CouponStatus.EFFECTIVE.value,
    "used": CouponStatus.USED.value, "spendable": [t.value for t in spending.SPENDABLE_TYPES],
    "flexi": CouponType.FLEXI_COUPON.value,
}


def with_constants(**values) -> dict:
    return {**CONSTANTS, **values}


SPENDABLE = """c.status = %(effective)s AND c.coupon_type = ANY(%(spendable)s) AND c.valid_time <= %(now)s
    AND c.expire_time > %(now)s AND c.balance > 0"""


def id_array(values) -> str:
    """Keys as one array parameter in PostgreSQL's text form ('{1,2,NULL}'), which the server reads with its
    array parser: a list parameter would reach it as an ARRAY[…] expression of thousands of terms, parsed and
    planned wherever the statement names it (bills/ingest_sql.py sends its columns so for the same reason)."""
    return "{" + ",".join("NULL" if value is None else str(int(value)) for value in values) + "}"


def value_array(values) -> str:
    """Numbers and times as one array parameter in PostgreSQL's text form, as `id_array` (Decimals as they
    print, times in ISO 8601 — neither holds a blank, a comma or a brace)."""
    return "{" + ",".join("NULL" if value is None else value.isoformat() if isinstance(value, datetime)
                          else str(value) for value in values) + "}"


def fetch(sql, params) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# ---------------------------------------------------------------------------------------------
# Steps 0–3 (bills/locks.py), each in one statement
# ---------------------------------------------------------------------------------------------

class Claimed(NamedTuple):
    """A claimed batch: the records' ids in order and their customers' (`customers[i]` is `ids[i]`'s), the
    "YYYY-MM" months they were consumed in (Asia/Shanghai) and their first and last begin_time."""

    ids: list[int]
    customers: list[int]
    cycles: set[str]
    first: datetime | None
    last: datetime | None


def claim(limit: int, ids=None, after=None) -> Claimed:
    """Step 0 (locks.claim_usage): up to `limit` waiting records in (customer, record) order after `after` (a
    (customer pk, record pk) pair, exclusive; None: from the first), their queue rows locked FOR UPDATE SKIP
    LOCKED and deleted, read from the queue rows alone (which copy the record's customer and begin_time): the
    rating statement is the first to read the claimed usage rows. The answer is one row of arrays and bounds —
    5,000 rows of a key, a customer, a month and a time cost the driver and Python more than the DELETE.
    Every step reads by key (`= ANY` of an array, the queue's (customer, record) key — named `ids` through
    their customers first): no join for the planner to guess wrong; the queue rows are deleted by their row
    addresses (ctid: a TID scan, not a second walk of the queue's key — the rows are locked, nothing moves them
    before the DELETE)."""
    where = []
    if ids is not None:
        where.append(f"w.customer_id = ANY(ARRAY(SELECT customer_id FROM {table(UsageRecord)} "
                     f"WHERE id = ANY(%(ids)s::bigint[]))) AND w.usage_record_id = ANY(%(ids)s::bigint[])")
    if after is not None:
        where.append("(w.customer_id, w.usage_record_id) > (%(customer)s, %(record)s)")
    (record_ids, customers, cycles, first, last), = fetch(f"""
        WITH taken AS MATERIALIZED (
            DELETE FROM {table(UsageWaiting)} WHERE ctid = ANY(ARRAY(
                SELECT w.ctid FROM {table(UsageWaiting)} w {"WHERE " + " AND ".join(where) if where else ""}
                ORDER BY w.customer_id, w.usage_record_id LIMIT %(limit)s FOR UPDATE SKIP LOCKED))
            RETURNING usage_record_id, customer_id, begin_time)
        SELECT array_agg(usage_record_id ORDER BY usage_record_id), array_agg(customer_id ORDER BY usage_record_id),
               ARRAY(SELECT DISTINCT to_char(date_trunc('month', begin_time AT TIME ZONE %(zone)s), 'YYYY-MM')
                     FROM taken),
               min(begin_time), max(begin_time)
        FROM taken""",
        with_constants(ids=id_array(ids) if ids is not None else None, limit=limit,
                       customer=after[0] if after else None, record=after[1] if after else None))
    return Claimed(record_ids or [], customers or [], set(cycles), first, last)


def lock_accounts(customer_ids) -> None:
    """Step 1 (billing.locks.lock_customer_accounts, without building the rows): the customers' accounts in pk
    order, the missing ones created first."""
    customer_ids = sorted(set(customer_ids))
    sql = (f"SELECT customer_id FROM {table(CustomerAccount)} WHERE customer_id = ANY(%s::bigint[]) "
           f"ORDER BY id FOR NO KEY UPDATE")
    found = {row[0] for row in fetch(sql, [id_array(customer_ids)])}
    missing = [pk for pk in customer_ids if pk not in found]
    if missing:
        CustomerAccount.objects.bulk_create([CustomerAccount(customer_id=pk) for pk in missing], ignore_conflicts=True)
        fetch(sql, [id_array(missing)])


def lock_packages(customer_ids, first, last) -> dict[int, list[ResourcePackage]]:
    """Step 2: every package of the customers that may pay a record of the batch, consumed from `first` to
    `last` (a superset of what packages.load takes), locked in pk order; by customer, each list oldest expiry
    first (as packages.load gives them) — what the rating statement's package coverage reads (bills/rating.py's
    `_cover`). The Python path takes its part of them again, already held."""
    found: dict[int, list[ResourcePackage]] = {}
    for package in ResourcePackage.objects.raw(f"""
            SELECT k.* FROM {table(ResourcePackage)} k
            WHERE k.customer_id = ANY(%(customers)s::bigint[]) AND k.status <> %(unsubscribed)s
              AND k.effective_time <= %(last)s AND k.expire_time > %(first)s
            ORDER BY k.id FOR NO KEY UPDATE OF k""",
            with_constants(customers=id_array(sorted(set(customer_ids))), first=first, last=last)):
        found.setdefault(package.customer_id, []).append(package)
    for held in found.values():
        held.sort(key=lambda package: (package.expire_time, package.pk))
    return found


def lock_coupons(customer_ids, now) -> list[int]:
    """Step 3 (deduction._coupons' filter): the customers' coupons that can pay something now, locked in pk
    order. Their ids: the coupons `rate` reads (one issued meanwhile is not among them)."""
    return [row[0] for row in fetch(f"""
        SELECT c.id FROM {table(Coupon)} c WHERE c.customer_id = ANY(%(customers)s::bigint[]) AND {SPENDABLE}
        ORDER BY c.id FOR NO KEY UPDATE OF c""",
        with_constants(customers=id_array(sorted(set(customer_ids))), now=now))]


def save_packages(packages) -> None:
    """packages.save (the packages a Python batch used or reset) as one UPDATE from arrays: Django's
    bulk_update builds a CASE per row and field, which cost a Python batch more than its records."""
    packages = sorted(packages, key=lambda package: package.pk)
    if not packages:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table(ResourcePackage)} k SET remaining = v.remaining, status = v.status, "
            f"cycle_start = v.cycle_start, cycle_end = v.cycle_end "
            f"FROM unnest(%s::bigint[], %s::numeric[], %s::integer[], %s::timestamptz[], %s::timestamptz[]) "
            f"AS v(id, remaining, status, cycle_start, cycle_end) WHERE k.id = v.id",
            [[k.pk for k in packages], [k.remaining for k in packages], [k.status for k in packages],
             [k.cycle_start for k in packages], [k.cycle_end for k in packages]])
        if cursor.rowcount != len(packages):
            raise RuntimeError("rating_steps: packages changed under their lock")  # locked (step 2): a backstop
