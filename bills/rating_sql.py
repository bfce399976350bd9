"""Rating in SQL (PostgreSQL): the common case of bills/rating.py priced, paid and written by the database, with
no Python per record — the same money, to the fen, as the per-record path, which keeps everything else.

**Which records.** A rating batch is claimed, its landings share-locked and its customers' accounts, packages
and coupons locked (steps 0–3 of bills/locks.py, one statement each in pk order: bills/rating_steps.py), then
rated by `rate`, which splits them by customer first. A customer's records of the batch are rated here only when
- every one of them is ratable as bills/rating.py's `product_of` reads it (a product, a usage price, the usage
  type — equal but for ASCII letters' case: anything else goes to Python —, a unit conversion, the size of a linear
  product): a record that fails is failed, with its code, by the Python path;
- every spendable coupon of the customer covers every one of them (its service-type and product limits, as
  `vouchers.spending.covers` reads them, an empty list limiting nothing).
Resource packages pay first, as bills/packages.py has them pay: what they pay of each record (`Coverage`) is worked
out in Python before the statement — only for the records a held package may pay (`coverable`: its usage type and
region, effective at begin_time), in each customer's (begin_time, id) order — and reaches it as arrays: the free
usage, which is not priced, and the package uses, written with the fee records they belong to.
Every other customer's records are left to the Python path: `rate` returns their ids, and bills/rating.py rates
them in the same transaction, after the statement (the two paths charge different customers).

**Same arithmetic** (bills/rating.py's docstring, trade/pricing.py; PostgreSQL's numeric is exact):
official O = price × (usage − what packages paid) × size (linear products) × n / d (the unit conversion), cut
at 10 decimals — `div(x × 10¹⁰, d) × 10⁻¹⁰`, an exact integer division, never a rounded quotient; A = O × the share
(`effective_rate`: min(1, max(rate, 1 − the ceiling)) of the partner discount that applies to the association
holding at begin_time); official_amount = round(O, 2); discount = official_amount − round(A, 2); consume =
trunc(A, 2); erase = round(A, 2) − consume (`round` is half away from zero: half up, every value ≥ 0).

**Same deduction** (bills/deduction.py), per customer, records in (begin_time, id) order. When every coupon
covers every record, paying the records one after another, each from the coupons in (expire_time, id)
order and then from the balance, is reading two ribbons side by side: record i owns [P(i−1), P(i)) of the
running sum P of what is due, coupon k owns [C(k−1), C(k)) of the running sum C of the coupons' balances, and
what k pays of i is the length of the overlap of the two; what the coupons left of i (R) is paid by the
balance B the same way: cash(i) = min(R(i), max(B − ΣR(before i), 0)); the rest is arrears. One trans_id
per customer and batch, as the per-record path, one UPDATE of the coupons (never below zero, USED at zero, as
`deduction._spend`) with a CouponRecord each, one UPDATE of the accounts with one DEDEUCT and one ARREARS
ledger entry per customer (`billing.consumption.charge`), `Customer.in_debt`, and the freeze at the arrears
limit (`deduction.freeze_at_limit`: the customer's own LowBalanceSetting, else its partner's default). The usage
records are not written: `claim` took them off the queue, and their fee records say they are rated.

**One statement** (`rate`) does all of it with data-modifying CTEs and checks its own counts: the fee records
(one per record, as `rating._fee` fills them), the coupons and their records, the accounts and their ledger
entries, the customers in debt and the frozen resources. A count that differs
raises, the batch rolls back and rate_pending rates its records one by one on the per-record path. New fee
record_ids and trans_ids are time-ordered (`_new_id`). The statement reads the big tables only by the batch's
keys (`= ANY` of arrays) and is planned without nested loops (and without JIT): its CTEs hide their row counts
from the planner, which would otherwise guess one row and loop — seconds per batch instead of a fraction of one.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import NamedTuple

from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from billing.choices import BalanceType, TradeType
from billing.models import CustomerAccount, LedgerEntry
from catalog.models import Conversion, Price, Product, Region, ResourceType, ServiceType, UsageType
from customers.choices import OnDemandStatus
from customers.models import Association, Customer, Resource
from trade.models import PartnerDiscount
from vouchers.choices import CouponOperation
from vouchers.models import Coupon, CouponRecord

from .choices import BillType, FeeStatus, ZeroBalancePolicy
from .models import FeeRecord, LowBalanceSetting, PackageUse, ResourcePackage, UsageRecord
from .rating_steps import SPENDABLE, fetch, id_array, table, value_array, with_constants

__all__ = ["rate", "Rated", "OPERATOR", "coverable", "Coverable"]

OPERATOR = "rating"  # deduction.OPERATOR (not imported: deduction imports nothing of this module's callers)


# A usage record read as bills/rating.py's `product_of` reads it: its pay-per-use resource (this customer's,
# by resource_id: unique per charging mode), the product of its resource type, specification (its own, else
# the resource's) and region, the product's usage price, usage type and service type, and the conversions of
# its unit into the product's either way. Every join is on a unique key: one row per record.
_RESOLVE = f"""
    LEFT JOIN (SELECT * FROM {table(Resource)} WHERE customer_id = ANY(%(customers)s::bigint[])) res
         ON res.charging_mode = %(on_demand)s AND res.resource_id = u.resource_id AND res.customer_id = u.customer_id
    LEFT JOIN {table(ResourceType)} rt ON rt.code = u.resource_type_code
    LEFT JOIN {table(Region)} rg ON rg.code = u.region_code
    LEFT JOIN {table(Product)} p ON p.charge_mode = %(on_demand_mode)s AND p.resource_type_id = rt.id
         AND p.region_id = rg.id
         AND p.resource_spec = COALESCE(NULLIF(u.resource_spec_code, ''), NULLIF(res.resource_spec_code, ''))
    LEFT JOIN {table(Price)} pr ON pr.product_id = p.id AND pr.period_type IS NULL
    LEFT JOIN {table(UsageType)} ut ON ut.id = p.usage_type_id
    LEFT JOIN {table(ServiceType)} st ON st.id = p.service_type_id
    LEFT JOIN {table(Conversion)} c1 ON c1.measure_id = u.usage_measure_id AND c1.ref_measure_id = p.usage_measure_id
    LEFT JOIN {table(Conversion)} c2 ON c2.measure_id = p.usage_measure_id AND c2.ref_measure_id = u.usage_measure_id"""

# ... and whether the Python path would rate it (else it fails it). Usage types compare as Python's lower()
# compares them only where they differ in ASCII letters' case at most: lower() under the "C" collation changes
# A–Z alone, so two codes it makes equal are equal to Python too; two it keeps apart (one with a non-ASCII
# letter in another case) send the record to Python, which decides. (An exact match is tried first.)
_RESOLVED = """(pr.id IS NOT NULL
    AND (ut.code = u.usage_type_code OR lower(ut.code COLLATE "C") = lower(u.usage_type_code COLLATE "C"))
    AND (u.usage_measure_id = p.usage_measure_id OR c1.id IS NOT NULL OR c2.id IS NOT NULL)
    AND (NOT p.is_linear OR COALESCE(u.resource_size, 0) <> 0))"""

# pricing.Conversions.factor: the same unit (1, 1); 1 record unit = ratio × product units (ratio, 1); 1
# product unit = ratio × record units (1, ratio).
_NUMERATOR = "CASE WHEN u.usage_measure_id = p.usage_measure_id THEN 1 WHEN c1.id IS NOT NULL THEN c1.ratio ELSE 1 END"
_DENOMINATOR = "CASE WHEN u.usage_measure_id = p.usage_measure_id THEN 1 WHEN c1.id IS NOT NULL THEN 1 ELSE c2.ratio END"
# (pricing._official: price × usage × size × n / d, cut — not rounded — at 10 decimals, exactly: `_RATE`'s `r`)

# A coupon's limits cover a record (vouchers.spending.covers): an empty list limits nothing; a list names the
# record's cloud service type code / catalogue product id among its strings. Any other JSON is not read here.
_COVERS = """((c.cloud_service_types = '[]'::jsonb
       OR (jsonb_typeof(c.cloud_service_types) = 'array' AND c.cloud_service_types ? r.service_code))
    AND (c.product_ids = '[]'::jsonb OR (jsonb_typeof(c.product_ids) = 'array' AND c.product_ids ? r.product_code)))"""

# ---------------------------------------------------------------------------------------------
# The statement
# ---------------------------------------------------------------------------------------------

# A new fee record_id or trans_id (as rating.new_ids): 32 hex digits — the batch's time in µs since the epoch (14),
# six random ones drawn once per batch (`rate`'s `id_prefix`), then a key of the row in 12 (the usage record's for a
# fee, the customer's for a trans_id): unique within the batch by the key and across batches by time and draw,
# ordered by time like a UUIDv7, so that a batch's rows go to the end of the unique indexes instead of a random
# page of each. (A random draw per row — md5(gen_random_uuid()) — cost 4 µs a fee record.)
def _new_id(key: str) -> str:
    return f"(%(id_prefix)s || lpad(to_hex({key}), 12, '0'))"


def _insert(model, values: dict[str, str], name: str) -> tuple[str, dict]:
    """The column list of an INSERT into `model` and its SELECT list: `values` gives SQL for some fields, every
    other field takes its (constant) default as a parameter. A field with neither is a programming error."""
    columns, select, params = [], [], {}
    known = set()
    for f in model._meta.concrete_fields:
        if f.primary_key:
            continue
        known.add(f.attname)
        columns.append(connection.ops.quote_name(f.column))
        if f.attname in values:
            select.append(values[f.attname])
            continue
        if (f.has_default() and callable(f.default)) or (f.get_default() is None and not f.null):
            raise ImproperlyConfigured(f"rating_sql: {model.__name__}.{f.attname} needs a value")
        key = f"{name}_{f.attname}"
        params[key] = f.get_db_prep_save(f.get_default(), connection)
        select.append(f"%({key})s")
    if set(values) - known:
        raise ImproperlyConfigured(f"rating_sql: {model.__name__} has no {sorted(set(values) - known)}")
    return f"INSERT INTO {table(model)} ({', '.join(columns)}) SELECT {', '.join(select)}", params


_FEE, _FEE_DEFAULTS = _insert(FeeRecord, {
    "record_id": _new_id("f.id"), "bill_cycle": "l.landing",
    "is_adjustment": "l.adjusted", "customer_id": "f.customer_id", "association_id": "l.association_id",
    "partner_id": "l.partner_id", "bill_type": "%(usage_bill)s", "charging_mode": "%(on_demand_mode)s",
    "status": "CASE WHEN p.rest - p.cash > 0 THEN %(unsettled)s ELSE %(paid)s END",
    "usage_record_id": "f.id", "trade_id": "f.record_id", "trade_time": "%(now)s",
    "effective_time": "f.begin_time", "expire_time": "f.end_time", "service_type_id": "f.service_type_id",
    "resource_type_id": "f.resource_type_id", "region_id": "f.region_id", "product_id": "f.product_id",
    "resource_id": "f.resource_id", "resource_name": "f.resource_name", "product_spec_desc": "f.spec_desc",
    "usage_type_id": "f.usage_type_id", "usage_amount": "f.usage_amount", "usage_measure_id": "f.usage_measure_id",
    "free_resource_usage": "f.free", "official_amount": "l.official_fen",
    "discount_amount": "l.official_fen - l.amount_fen", "erase_amount": "l.amount_fen - l.due",
    "consume_amount": "l.due", "coupon_amount": "p.coupon_amount",
    "flexipurchase_coupon_amount": "p.flexi_amount", "cash_amount": "p.cash", "debt_amount": "p.rest - p.cash",
    "writeoff_amount": "0", "trans_id": "CASE WHEN l.due > 0 THEN t.trans_id ELSE '' END", "created_at": "%(now)s",
}, "fee")

_LEDGER, _LEDGER_DEFAULTS = _insert(LedgerEntry, {
    "customer_id": "m.customer_id", "balance_type": "e.balance_type", "trade_type": "e.trade_type",
    "amount": "e.amount", "balance_after": "e.after", "trans_id": "t.trans_id", "counterparty": "''",
    "created_at": "%(now)s",
}, "ledger")

_COUPON_RECORD, _COUPON_RECORD_DEFAULTS = _insert(CouponRecord, {
    "partner_id": "c.partner_id", "operation_type": "%(coupon_use)s", "quota_id": "c.quota_id", "coupon_id": "c.id",
    "customer_id": "c.customer_id", "amount": "s.amount", "remark": "t.trans_id", "operator": "%(operator)s",
    "created_at": "%(now)s",
}, "coupon_record")

_PACKAGE_USE, _PACKAGE_USE_DEFAULTS = _insert(PackageUse, {
    "package_id": "v.package_id", "fee_record_id": "w.id", "resource_id": "w.resource_id",
    "available_before": "v.before", "used_amount": "v.used", "remaining_after": "v.after", "deduct_time": "%(now)s",
    "effective_time": "v.starts", "expire_time": "v.ends",
}, "package_use")

_RATE = f"""
WITH landing AS (
    SELECT * FROM unnest(%(cycles)s::text[], %(landings)s::text[], %(adjusted)s::boolean[]) AS l(cycle, landing, adjusted)
),
r AS MATERIALIZED (  -- each claimed record resolved as rating.product_of reads it, and priced where it can be
    SELECT z.*, CASE WHEN z.ratable THEN div(z.price * (z.usage_amount - z.free) * z.size * z.numerator
                                             * 10000000000, z.denominator) * 0.0000000001 END AS official
    FROM (
        SELECT u.id, u.record_id, u.customer_id, u.resource_id, u.usage_amount, u.usage_measure_id, u.begin_time,
               u.end_time, COALESCE(fr.amount, 0) AS free,
               left(COALESCE(res.resource_name, ''), 128) AS resource_name,
               left(COALESCE(NULLIF(res.product_spec_desc, ''), p.spec_name), 255) AS spec_desc,
               p.id AS product_id, p.service_type_id, p.resource_type_id, p.region_id, p.usage_type_id,
               p.product_id AS product_code, st.code AS service_code, st.allow_discount, st.max_partner_discount,
               {_RESOLVED} AS ratable, pr.amount AS price,
               CASE WHEN p.is_linear THEN u.resource_size ELSE 1 END AS size,
               {_NUMERATOR} AS numerator, {_DENOMINATOR} AS denominator
        FROM {table(UsageRecord)} u {_RESOLVE}
        LEFT JOIN unnest(%(free_ids)s::bigint[], %(free)s::numeric[]) AS fr(id, amount) ON fr.id = u.id
        WHERE u.id = ANY(%(ids)s::bigint[])) z
),
python AS MATERIALIZED (  -- the customers the per-record path rates (the module docstring says why)
    SELECT customer_id FROM r WHERE ratable IS NOT TRUE
    UNION
    SELECT r.customer_id FROM r JOIN {table(Coupon)} c ON c.customer_id = r.customer_id
    WHERE c.id = ANY(%(coupons)s::bigint[]) AND {SPENDABLE} AND {_COVERS} IS NOT TRUE
),
associated AS MATERIALIZED (  -- rating.association_at: the association holding at each record's begin_time
    SELECT DISTINCT ON (u.id) u.id AS record_id, a.id, a.partner_id, a.association_type, a.associated_on,
           a.ended_on
    FROM r u JOIN {table(Association)} a ON a.customer_id = u.customer_id AND a.associated_on <= u.begin_time
         AND (a.ended_on IS NULL OR u.begin_time < a.ended_on)
    WHERE a.customer_id = ANY(%(customers)s::bigint[])
    ORDER BY u.id, a.associated_on DESC, a.id DESC
),
line AS MATERIALIZED (  -- each other record priced (rating._fee, rating.amounts), keys and amounts alone
    SELECT y.*, round(y.official, 2) AS official_fen,  -- (`written` joins the rest of the record from `r`)
           round(y.official * y.share, 2) AS amount_fen, trunc(y.official * y.share, 2) AS due
    FROM (
        SELECT u.id, u.customer_id, u.begin_time, a.id AS association_id, a.partner_id, l.landing, l.adjusted,
               u.official,
               CASE WHEN d.id IS NULL THEN 1 ELSE LEAST(1, GREATEST(d.rate, 1 - u.max_partner_discount)) END AS share
        FROM r u
        JOIN landing l ON l.cycle = to_char(u.begin_time AT TIME ZONE %(zone)s, 'YYYY-MM')
        LEFT JOIN associated a ON a.record_id = u.id
        LEFT JOIN (SELECT * FROM {table(PartnerDiscount)} WHERE customer_id = ANY(%(customers)s::bigint[])) d
             ON a.association_type = %(resale)s AND u.allow_discount
             AND d.partner_id = a.partner_id AND d.customer_id = u.customer_id AND d.service_type_id = u.service_type_id
             AND d.updated_at >= a.associated_on AND (a.ended_on IS NULL OR d.updated_at < a.ended_on)
        WHERE u.customer_id NOT IN (SELECT customer_id FROM python)
    ) y
),
due AS MATERIALIZED (  -- [upto - due, upto): the record's stretch of what its customer owes, in order
    SELECT id, customer_id, begin_time, due,
           sum(due) OVER (PARTITION BY customer_id ORDER BY begin_time, id ROWS UNBOUNDED PRECEDING) AS upto
    FROM line
),
coupon AS MATERIALIZED (  -- [upto - balance, upto): the coupon's stretch of what its customer's coupons hold
    SELECT c.id, c.customer_id, c.partner_id, c.quota_id, c.coupon_type, c.balance,
           sum(c.balance) OVER (PARTITION BY c.customer_id ORDER BY c.expire_time, c.id
                                ROWS UNBOUNDED PRECEDING) AS upto
    FROM {table(Coupon)} c WHERE c.id = ANY(%(coupons)s::bigint[]) AND c.customer_id = ANY(%(customers)s::bigint[])
      AND {SPENDABLE}
),
part AS MATERIALIZED (  -- what coupon c pays of record r: the overlap of their stretches
    SELECT r.id AS line_id, c.id AS coupon_id, c.coupon_type,
           GREATEST(0, LEAST(r.upto, c.upto) - GREATEST(r.upto - r.due, c.upto - c.balance)) AS amount
    FROM due r JOIN coupon c ON c.customer_id = r.customer_id WHERE r.due > 0
),
rest AS (
    SELECT r.id, r.customer_id, r.begin_time, COALESCE(k.coupon_amount, 0) AS coupon_amount,
           COALESCE(k.flexi_amount, 0) AS flexi_amount,
           r.due - COALESCE(k.coupon_amount, 0) - COALESCE(k.flexi_amount, 0) AS rest
    FROM due r LEFT JOIN (
        SELECT line_id, sum(amount) FILTER (WHERE coupon_type <> %(flexi)s) AS coupon_amount,
               sum(amount) FILTER (WHERE coupon_type = %(flexi)s) AS flexi_amount
        FROM part GROUP BY line_id) k ON k.line_id = r.id
),
paid AS MATERIALIZED (  -- the balance pays what the coupons left, in order; the rest is arrears
    SELECT r.*, LEAST(r.rest, GREATEST(acc.balance - (sum(r.rest) OVER w - r.rest), 0)) AS cash
    FROM rest r
    JOIN (SELECT customer_id, balance FROM {table(CustomerAccount)}
          WHERE customer_id = ANY(%(customers)s::bigint[])) acc
         ON acc.customer_id = r.customer_id
    WINDOW w AS (PARTITION BY r.customer_id ORDER BY r.begin_time, r.id ROWS UNBOUNDED PRECEDING)
),
trans AS MATERIALIZED (  -- one trans_id per customer that owes something
    SELECT customer_id, {_new_id('customer_id')} AS trans_id FROM line WHERE due > 0
    GROUP BY customer_id
),
total AS MATERIALIZED (
    SELECT customer_id, sum(cash) AS cash, sum(rest - cash) AS debt FROM paid GROUP BY customer_id
),
spent AS MATERIALIZED (
    SELECT coupon_id, sum(amount) AS amount FROM part GROUP BY coupon_id HAVING sum(amount) > 0
),
spend AS (  -- deduction._spend
    UPDATE {table(Coupon)} c SET balance = round(c.balance - s.amount, 2), last_used_at = %(now)s,
           status = CASE WHEN c.balance = s.amount THEN %(used)s ELSE c.status END
    FROM spent s WHERE c.id = ANY(%(coupons)s::bigint[]) AND c.id = s.coupon_id AND c.status = %(effective)s
      AND c.balance >= s.amount
      AND c.valid_time <= %(now)s AND c.expire_time > %(now)s
    RETURNING c.id
),
coupon_record AS (
    {_COUPON_RECORD}
    FROM spent s JOIN coupon c ON c.id = s.coupon_id JOIN trans t ON t.customer_id = c.customer_id
    ORDER BY c.customer_id, c.upto
    RETURNING 1
),
moved AS (  -- consumption.charge
    UPDATE {table(CustomerAccount)} a
       SET balance = round(a.balance - m.cash, 2), arrears = round(a.arrears + m.debt, 2),
           updated_at = %(now)s
    FROM total m WHERE a.customer_id = ANY(%(customers)s::bigint[]) AND a.customer_id = m.customer_id
      AND (m.cash > 0 OR m.debt > 0)
    RETURNING a.customer_id, a.balance, a.arrears, m.cash, m.debt
),
ledger AS (
    {_LEDGER}
    FROM moved m JOIN trans t ON t.customer_id = m.customer_id
    CROSS JOIN LATERAL (VALUES (1, %(cash_balance)s, %(deduct)s, -m.cash, m.balance),
                               (2, %(arrears_balance)s, %(arrears_trade)s, m.debt, m.arrears))
        AS e(k, balance_type, trade_type, amount, after)
    WHERE e.amount <> 0
    ORDER BY m.customer_id, e.k
    RETURNING 1
),
debtor AS (
    UPDATE {table(Customer)} c SET in_debt = TRUE FROM moved m
    WHERE c.id = ANY(%(customers)s::bigint[]) AND c.id = m.customer_id AND m.debt > 0 AND NOT c.in_debt
    RETURNING 1
),
frozen AS (  -- deduction.freeze_at_limit
    UPDATE {table(Resource)} r SET status = %(frozen)s, updated_at = %(now)s
    FROM moved m
    JOIN (SELECT * FROM {table(Association)} WHERE customer_id = ANY(%(customers)s::bigint[]) AND ended_on IS NULL) a
         ON a.customer_id = m.customer_id AND a.association_type = %(resale)s
    LEFT JOIN (SELECT * FROM {table(LowBalanceSetting)} WHERE customer_id = ANY(%(customers)s::bigint[])) own
         ON own.partner_id = a.partner_id AND own.customer_id = m.customer_id
    LEFT JOIN (SELECT * FROM {table(LowBalanceSetting)} WHERE customer_id IS NULL) dflt
         ON dflt.partner_id = a.partner_id
    WHERE r.customer_id = ANY(%(customers)s::bigint[]) AND m.debt > 0 AND r.customer_id = m.customer_id
      AND r.charging_mode = %(on_demand)s
      AND r.status = ANY(%(freezable)s)
      AND (CASE WHEN own.id IS NOT NULL
                THEN own.zero_balance_policy = %(policy)s AND own.arrears_limit > 0 AND m.arrears >= own.arrears_limit
                ELSE dflt.zero_balance_policy = %(policy)s AND dflt.arrears_limit > 0 AND m.arrears >= dflt.arrears_limit
           END)
    RETURNING 1
),
written AS (
    {_FEE}
    FROM r f JOIN line l ON l.id = f.id JOIN paid p ON p.id = f.id
    LEFT JOIN trans t ON t.customer_id = f.customer_id
    ORDER BY f.customer_id, f.begin_time, f.id
    RETURNING id, usage_record_id, resource_id
),
package_use AS (  -- what the packages paid of the records written (rating._cover worked it out)
    {_PACKAGE_USE}
    FROM unnest(%(use_records)s::bigint[], %(use_packages)s::bigint[], %(use_before)s::numeric[],
                %(use_used)s::numeric[], %(use_after)s::numeric[], %(use_starts)s::timestamptz[],
                %(use_ends)s::timestamptz[]) AS v(usage_record_id, package_id, before, used, after, starts, ends)
    JOIN written w ON w.usage_record_id = v.usage_record_id
    ORDER BY v.usage_record_id, v.package_id
    RETURNING 1
)
SELECT (SELECT count(*) FROM written), (SELECT count(*) FROM line),
       ARRAY(SELECT id FROM r WHERE customer_id IN (SELECT customer_id FROM python) ORDER BY id),
       (SELECT count(*) FROM total WHERE cash > 0 OR debt > 0), (SELECT count(*) FROM moved),
       (SELECT count(*) FROM spent), (SELECT count(*) FROM spend), (SELECT count(*) FROM coupon_record),
       (SELECT count(*) FROM ledger), (SELECT count(*) FROM frozen),
       (SELECT COALESCE(sum(cash), 0) FROM total), (SELECT COALESCE(sum(debt), 0) FROM total),
       (SELECT count(*) FROM package_use)"""


def _hashed(sql, params) -> list[tuple]:
    """`fetch` with every join planned as a hash join: the big tables are read by their keys (`= ANY` of the
    batch's ids) and the rest are the batch's own rows, whose count a CTE hides from the planner — it would guess
    one row and loop over them in nested loops. (Disabled nested loops cost so much to the planner that it would
    compile the statement — JIT — for seconds: it is off for the statement too.)"""
    (nested_loops, jit, _off, _no_jit), = fetch(
        "SELECT current_setting('enable_nestloop'), current_setting('jit'), set_config('enable_nestloop', 'off', "
        "true), set_config('jit', 'off', true)", [])
    rows = fetch(sql, params)
    # (a statement that failed leaves them to the rollback of the batch, which undoes them)
    fetch("SELECT set_config('enable_nestloop', %s, true), set_config('jit', %s, true)", [nested_loops, jit])
    return rows


# The claimed records that a held package may pay (its usage type and region, effective at begin_time) and
# that bills/rating.py's `product_of` would rate, with what packages.cover reads of the record and its product.
# (The records are read first, alone: joined at once, the planner would read them again for each product.)
_COVERABLE = f"""
    WITH u AS MATERIALIZED (SELECT * FROM {table(UsageRecord)} WHERE id = ANY(%(ids)s::bigint[]))
    SELECT u.id, u.customer_id, u.usage_amount, u.usage_measure_id, u.resource_size, u.begin_time,
           p.usage_type_id, p.region_id, p.is_linear, p.size_measure_id
    FROM u {_RESOLVE}
    WHERE {_RESOLVED}
      AND EXISTS (SELECT FROM {table(ResourcePackage)} k
                  WHERE k.id = ANY(%(packages)s::bigint[]) AND k.customer_id = u.customer_id
                    AND k.usage_type_id = p.usage_type_id AND k.region_id = p.region_id
                    AND k.effective_time <= u.begin_time AND k.expire_time > u.begin_time)
    ORDER BY u.customer_id, u.begin_time, u.id"""


class Coverable(NamedTuple):
    """A record a package may pay, as packages.cover reads it — the record and its product in one."""

    id: int
    customer_id: int
    usage_amount: Decimal
    usage_measure_id: int
    resource_size: Decimal | None
    begin_time: datetime
    usage_type_id: int
    region_id: int
    is_linear: bool
    size_measure_id: int | None


def coverable(record_ids, customer_ids, package_ids) -> list[Coverable]:
    """Those of the claimed records (of these customers) that one of the held packages may pay, in the order
    packages.cover takes them: by customer, begin_time, id."""
    if not record_ids or not package_ids:
        return []
    return [Coverable(*row) for row in _hashed(_COVERABLE, with_constants(
        ids=id_array(sorted(record_ids)), customers=id_array(sorted(set(customer_ids))),
        packages=id_array(sorted(package_ids))))]


@dataclass
class Rated:
    """What `rate` did, and the records it left to the per-record path (`slow`)."""

    slow: list[int]
    rated: int = 0
    customers: int = 0
    coupons: int = 0
    cash: Decimal = Decimal("0.00")
    arrears: Decimal = Decimal("0.00")
    frozen: int = 0


def rate(record_ids, customer_ids, coupon_ids, landings: dict[str, tuple[str, bool]], now,
         covered: dict | None = None) -> Rated:
    """Rate and deduct the claimed records in one statement, but those of the customers the per-record path
    rates (the module docstring), whose ids it returns; the coupons are `lock_coupons`' and `landings`
    closing.lock_landing's answer for the records' cycles; `covered`, {record id: packages.Coverage}, what the
    packages paid of the records they paid (bills/rating.py's `_cover`)."""
    cycles = sorted(landings)
    covered = covered or {}
    uses = sorted((record_id, package.pk, before, used, after, start, end)
                  for record_id, coverage in covered.items()
                  for package, before, used, after, start, end in coverage.uses)
    params = with_constants(
        ids=id_array(sorted(record_ids)), customers=id_array(sorted(set(customer_ids))),
        coupons=id_array(coupon_ids), now=now, cycles=cycles,
        id_prefix=f"{int(now.timestamp() * 1_000_000):014x}{os.urandom(3).hex()}",
        landings=[landings[c][0] for c in cycles], adjusted=[bool(landings[c][1]) for c in cycles],
        usage_bill=BillType.USAGE.value, paid=FeeStatus.PAID.value, unsettled=FeeStatus.UNSETTLED.value,
        coupon_use=CouponOperation.USE.value, operator=OPERATOR, cash_balance=BalanceType.CASH.value,
        deduct=TradeType.DEDUCT.value, arrears_balance=BalanceType.ARREARS.value,
        arrears_trade=TradeType.ARREARS.value, frozen=OnDemandStatus.FROZEN.value,
        freezable=[OnDemandStatus.NORMAL.value, OnDemandStatus.GRACE.value], policy=ZeroBalancePolicy.ARREARS.value,
        free_ids=id_array(covered), free=value_array(coverage.free for coverage in covered.values()),
        **{name: value_array(use[k] for use in uses) for k, name in enumerate(
            ("use_records", "use_packages", "use_before", "use_used", "use_after", "use_starts", "use_ends"))},
        **_FEE_DEFAULTS, **_LEDGER_DEFAULTS, **_COUPON_RECORD_DEFAULTS, **_PACKAGE_USE_DEFAULTS)
    (written, lines, slow, charges, moved, spent, spend, coupon_records, _entries, frozen, cash, debt,
     used), = _hashed(_RATE, params)
    if written != lines or lines + len(slow) != len(record_ids):
        raise RuntimeError(f"rating_sql: {written} fee records of {lines} lines, {len(slow)} left, "
                           f"{len(record_ids)} records")
    if moved != charges or spend != spent or coupon_records != spent:
        raise RuntimeError("rating_sql: accounts or coupons changed under their locks")  # locked: a backstop
    left = set(slow)
    if used != sum(1 for use in uses if use[0] not in left):
        raise RuntimeError(f"rating_sql: {used} package uses written of {len(uses)}")
    return Rated(slow=slow, rated=written, customers=charges, coupons=spent, cash=cash, arrears=debt, frozen=frozen)
