"""Month close (月结): one billing cycle's fee records become the customers' monthly sums and the partners'
bills, and the cycle is CLOSED — in one transaction, under the cycle's BillingPeriod row lock.

    close_month(SCHEDULER, bill_cycle="2026-03")   # CloseResult(closed=True, sums=…, bills=…, …)

How it stays exact:
- The cycle's BillingPeriod row is created if missing, then locked FOR UPDATE; a CLOSED cycle is left as it
  is (`closed=False` in the result, nothing written, not even a log row), so a second or concurrent run
  changes nothing and a closed month's sums never change.
- Writers of fee records call `lock_landing(cycles)` inside their transaction: it takes the BillingPeriod
  rows of the cycles they write into FOR SHARE (creating them when missing) and says where each lands. A
  close waits for writers already in flight, and writers that come later wait for the close and then see
  the cycle CLOSED, so their records land in the next open cycle, marked `is_adjustment`. Without the lock
  a record whose landing was read just before a close commits would land in the closed cycle unsummed.
- Before the lock, paid orders and refunds not yet recorded up to the cycle's end become fee records
  (`bills.order_fees.record_missing(up_to=…)`, helper B's module; called only when that module exists —
  `importlib.util.find_spec`, so an error inside it is not mistaken for its absence).
- Set-based: ONE `INSERT … SELECT … GROUP BY` writes the sums, ONE `INSERT … SELECT` the partner bills (from
  the sums just written and the partners' ledger entries of the month), both in SQL that runs on SQLite
  and PostgreSQL (table and column names from `_meta`, money sums rounded to the fen for SQLite's floats).
  The `bill.closed` events are recorded with `outbox.record_many` in batches (one per partner bill).

What a monthly sum's kind (BillSumType) is: ADJUSTMENT for the adjustment bill types (9 compensation,
16 deduction) and for every record marked `is_adjustment` (it belongs to a month that was already closed
when it was rated: a correction landed in this one, as the issue asks); REFUND for refunds (4, 24);
CONSUMPTION for the rest (1, 2, 3, 5, 8).

A partner bill (PartnerBill) per partner with fee records of the cycle or ledger movements in the month:
- from its customers' sums (fee records attributed to it: while they were associated with it):
  `customers` (distinct), `consumption_amount` (Σ consume_amount, refunds negative), `resale_cash_amount`
  (the cash part paid by customers whose association is resale — allocated money; a referral customer's
  cash is its own; the association's type at close), `coupon_amount` (cash + flexi-purchase coupons),
  `debt_amount` (arrears still unpaid at close);
- from its own ledger (billing.LedgerEntry with `partner` = it, created in the month): `partner_paid_amount`
  (−Σ PURCHASE: orders it paid for customers), `refund_amount` (Σ REFUND back to it), `recharge_amount`
  (Σ cash-account entries RECHARGE, BEADJUST, BERETRIEVE: its recharges and, for a cloud reseller, what its
  distributor allocated to it less what it reclaimed), `allocation_amount` (Σ allocated-amount BEADJUST: to
  customers and resellers), `reclaim_amount` (−Σ allocated-amount BERETRIEVE, BEUNBIND);
- at the cycle's end, from the ledger (each balance's `balance_after` of its last entry before the end, so a
  late close reads the same figures as a punctual one): `credit_limit`; `credit_used` = max(0, allocated −
  cash) — 账户余额 = cash + credit − allocated, so what it has allocated beyond its own cash was lent by
  its credit account (a customer's consumption does not lower the partner's figures: the allocated
  money is the customer's); `amount_due` = `credit_used`, what it must repay to restore its credit.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import re
from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from billing.choices import BalanceType, TradeType
from billing.models import LedgerEntry
from customers.choices import AssociationType
from customers.models import Association
from events import outbox
from partnercenter.choices import ActorKind
from partnercenter.errors import Codes, DomainError
from partnercenter.models import Partner
from partnercenter.money import quantize
from partnercenter.oplog import operation, register_actions

from . import event_types, periods
from .choices import BillType, PeriodStatus
from .errors import BillCodes
from .models import BillingPeriod, CustomerMonthlySum, FeeRecord, PartnerBill

__all__ = ["CloseResult", "close_month", "lock_landing", "due_cycles", "order_fees_module", "EVENT_BATCH"]

logger = logging.getLogger("bills.closing")

EVENT_BATCH = 1000  # bill.closed events per record_many

register_actions({"bills.close_month": _("Close billing cycle")})

MONEY_COLUMNS = ("official_amount", "discount_amount", "erase_amount", "consume_amount", "coupon_amount",
                 "flexipurchase_coupon_amount", "cash_amount", "debt_amount", "writeoff_amount")


@dataclass(frozen=True)
class CloseResult:
    bill_cycle: str
    closed: bool            # False: it was closed already, nothing was written
    sums: int = 0           # CustomerMonthlySum rows written
    bills: int = 0          # PartnerBill rows written
    fee_records: int = 0
    customers: int = 0


def order_fees_module():
    """bills.order_fees (paid orders and refunds → fee records) when it is installed, else None."""
    if importlib.util.find_spec("bills.order_fees") is None:
        return None
    return importlib.import_module("bills.order_fees")


# ---------------------------------------------------------------------------------------------
# SQL (table and column names from _meta)
# ---------------------------------------------------------------------------------------------

def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _col(model, name, alias="") -> str:
    column = connection.ops.quote_name(model._meta.get_field(name).column)
    return f"{alias}.{column}" if alias else column


def _positional(sql: str, values: dict) -> tuple[str, list]:
    """`%(name)s` placeholders → `%s` with the values in order (both backends take `%s`)."""
    params = []

    def one(match):
        params.append(values[match.group(1)])
        return "%s"

    return re.sub(r"%\((\w+)\)s", one, sql), params


def _kind_sql(alias="f") -> str:
    adjustments = ", ".join(str(int(t)) for t in (BillType.COMPENSATION, BillType.ADJUST_DEDUCT))
    refunds = ", ".join(str(int(t)) for t in (BillType.REFUND, BillType.TO_ON_DEMAND_REFUND))
    flag = _col(FeeRecord, "is_adjustment", alias)
    bill_type = _col(FeeRecord, "bill_type", alias)
    return (f"CASE WHEN {flag} OR {bill_type} IN ({adjustments}) THEN 3 "
            f"WHEN {bill_type} IN ({refunds}) THEN 2 ELSE 1 END")


def _sums_sql() -> str:
    s, f = CustomerMonthlySum, FeeRecord
    keys = ("customer", "association", "partner", "service_type", "resource_type", "charging_mode")
    target = ", ".join(_col(s, name) for name in ("bill_cycle", *keys, "bill_type", "records", *MONEY_COLUMNS,
                                                  "partner_cash_amount"))
    grouped = ", ".join(_col(f, name, "f") for name in keys)
    money = ", ".join(f"ROUND(SUM({_col(f, name, 'f')}), 2)" for name in MONEY_COLUMNS)
    money += (f", ROUND(SUM(CASE WHEN {_col(f, 'partner_paid', 'f')} THEN {_col(f, 'cash_amount', 'f')} "
              f"ELSE 0 END), 2)")
    return (f"INSERT INTO {_table(s)} ({target}) "
            f"SELECT %(cycle)s, {grouped}, {_kind_sql()}, COUNT(*), {money} "
            f"FROM {_table(f)} f WHERE {_col(f, 'bill_cycle', 'f')} = %(cycle)s "
            f"GROUP BY {grouped}, {_kind_sql()}")


def _last_balance_sql(balance: str) -> str:
    e = LedgerEntry
    return (f"COALESCE((SELECT {_col(e, 'balance_after', 'e')} FROM {_table(e)} e "
            f"WHERE {_col(e, 'partner', 'e')} = p.partner_id AND {_col(e, 'balance_type', 'e')} = %({balance})s "
            f"AND {_col(e, 'created_at', 'e')} < %(end)s "
            f"ORDER BY {_col(e, 'created_at', 'e')} DESC, {_col(e, 'id', 'e')} DESC LIMIT 1), 0)")


def _bills_sql() -> str:
    s, e, a, b = CustomerMonthlySum, LedgerEntry, Association, PartnerBill
    m = lambda name: _col(s, name, "m")  # noqa: E731
    le = lambda name: _col(e, name, "e")  # noqa: E731
    in_month = (f"{le('partner')} IS NOT NULL AND {le('created_at')} >= %(start)s "
                f"AND {le('created_at')} < %(end)s")
    cash, allocated = f"{le('balance_type')} = %(cash)s", f"{le('balance_type')} = %(allocated)s"
    target = ", ".join(_col(b, name) for name in (
        "partner", "bill_cycle", "customers", "consumption_amount", "resale_cash_amount", "coupon_amount",
        "debt_amount", "partner_paid_amount", "refund_amount", "recharge_amount", "allocation_amount",
        "reclaim_amount", "credit_limit", "credit_used", "amount_due", "closed_at"))
    used = "CASE WHEN x.allocated > x.cash THEN x.allocated - x.cash ELSE 0 END"
    return (
        f"INSERT INTO {_table(b)} ({target}) "
        f"SELECT x.partner_id, %(cycle)s, x.customers, x.consumption, x.resale_cash, x.coupons, x.debt, x.paid, "
        f"x.refund, x.recharge, x.allocation, x.reclaim, x.credit_limit, {used}, {used}, %(now)s FROM ("
        f"SELECT p.partner_id, COALESCE(c.customers, 0) AS customers, COALESCE(c.consumption, 0) AS consumption, "
        f"COALESCE(c.resale_cash, 0) AS resale_cash, COALESCE(c.coupons, 0) AS coupons, "
        f"COALESCE(c.debt, 0) AS debt, COALESCE(l.paid, 0) AS paid, COALESCE(l.refund, 0) AS refund, "
        f"COALESCE(l.recharge, 0) AS recharge, COALESCE(l.allocation, 0) AS allocation, "
        f"COALESCE(l.reclaim, 0) AS reclaim, {_last_balance_sql('credit')} AS credit_limit, "
        f"{_last_balance_sql('cash')} AS cash, {_last_balance_sql('allocated')} AS allocated "
        # the partners: those with sums of the cycle, and those with ledger movements in the month
        f"FROM (SELECT {m('partner')} AS partner_id FROM {_table(s)} m "
        f"WHERE {m('bill_cycle')} = %(cycle)s AND {m('partner')} IS NOT NULL "
        f"UNION SELECT {le('partner')} FROM {_table(e)} e WHERE {in_month}) p "
        # their customers' consumption
        f"LEFT JOIN (SELECT {m('partner')} AS partner_id, COUNT(DISTINCT {m('customer')}) AS customers, "
        f"ROUND(SUM({m('consume_amount')}), 2) AS consumption, "
        f"ROUND(SUM(CASE WHEN {_col(a, 'association_type', 'a')} = %(resale)s "
        f"THEN {m('cash_amount')} - {m('partner_cash_amount')} ELSE 0 END), 2) AS resale_cash, "
        f"ROUND(SUM({m('coupon_amount')} + {m('flexipurchase_coupon_amount')}), 2) AS coupons, "
        f"ROUND(SUM({m('debt_amount')}), 2) AS debt "
        f"FROM {_table(s)} m LEFT JOIN {_table(a)} a ON {_col(a, 'id', 'a')} = {m('association')} "
        f"WHERE {m('bill_cycle')} = %(cycle)s AND {m('partner')} IS NOT NULL GROUP BY {m('partner')}) c "
        f"ON c.partner_id = p.partner_id "
        # its own account in the month
        f"LEFT JOIN (SELECT {le('partner')} AS partner_id, "
        f"ROUND(SUM(CASE WHEN {le('trade_type')} = %(purchase)s THEN -{le('amount')} ELSE 0 END), 2) AS paid, "
        f"ROUND(SUM(CASE WHEN {le('trade_type')} = %(refund)s THEN {le('amount')} ELSE 0 END), 2) AS refund, "
        f"ROUND(SUM(CASE WHEN {cash} AND {le('trade_type')} IN (%(recharge)s, %(beadjust)s, %(beretrieve)s) "
        f"THEN {le('amount')} ELSE 0 END), 2) AS recharge, "
        f"ROUND(SUM(CASE WHEN {allocated} AND {le('trade_type')} = %(beadjust)s THEN {le('amount')} ELSE 0 END), "
        f"2) AS allocation, "
        f"ROUND(SUM(CASE WHEN {allocated} AND {le('trade_type')} IN (%(beretrieve)s, %(beunbind)s) "
        f"THEN -{le('amount')} ELSE 0 END), 2) AS reclaim "
        f"FROM {_table(e)} e WHERE {in_month} GROUP BY {le('partner')}) l ON l.partner_id = p.partner_id"
        f") x")


def _values(cycle: str, now: datetime) -> dict:
    adapt = connection.ops.adapt_datetimefield_value
    start, end = periods.cycle_bounds(cycle)
    return {
        "cycle": cycle, "start": adapt(start), "end": adapt(end), "now": adapt(now),
        "resale": AssociationType.RESALE.value, "cash": BalanceType.CASH.value,
        "allocated": BalanceType.ALLOCATED.value, "credit": BalanceType.CREDIT.value,
        "purchase": TradeType.PURCHASE.value, "refund": TradeType.REFUND.value,
        "recharge": TradeType.RECHARGE.value, "beadjust": TradeType.BEADJUST.value,
        "beretrieve": TradeType.BERETRIEVE.value, "beunbind": TradeType.BEUNBIND.value,
    }


def _execute(sql: str, values: dict) -> int:
    query, params = _positional(sql, values)
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.rowcount


# ---------------------------------------------------------------------------------------------
# Closing
# ---------------------------------------------------------------------------------------------

def _require_platform(actor):
    if actor.kind not in (ActorKind.OPERATOR, ActorKind.SCHEDULER):
        raise DomainError(Codes.FORBIDDEN)


def _check_cycle(cycle, now) -> None:
    if not periods.is_cycle(cycle):
        raise DomainError(Codes.PARAMETER, "bill_cycle must be YYYY-MM.")
    if periods.cycle_bounds(cycle)[1] > now:
        raise DomainError(BillCodes.CYCLE_NOT_ENDED)


def _record_missing_fees(cycle) -> None:
    module = order_fees_module()
    if module is not None and hasattr(module, "record_missing"):
        module.record_missing(up_to=periods.cycle_bounds(cycle)[1])


def _bill_events(actor, cycle) -> int:
    """One bill.closed per partner bill of the cycle, in batches (keyed: a rerun records nothing twice)."""
    rows = PartnerBill.objects.filter(bill_cycle=cycle).order_by("partner_id").values_list(
        "partner_id", "customers", "consumption_amount", "amount_due")
    events = [{"type_code": event_types.BILL_CLOSED, "partner": Partner(pk=partner_id), "actor": actor,
               "key": f"bill.closed:{cycle}:{partner_id}",
               "data": {"bill_cycle": cycle, "customers": customers, "amount": str(quantize(consumption)),
                        "amount_due": str(quantize(due))}}
              for partner_id, customers, consumption, due in rows.iterator(chunk_size=EVENT_BATCH)]
    for start in range(0, len(events), EVENT_BATCH):
        outbox.record_many(events[start:start + EVENT_BATCH])
    return len(events)


def close_month(actor, *, bill_cycle: str, now: datetime | None = None) -> CloseResult:
    """Close `bill_cycle` ("YYYY-MM", a month that has ended): see the module docstring. Only the platform
    (the scheduler, an operator) closes months."""
    _require_platform(actor)
    now = now or timezone.now()
    _check_cycle(bill_cycle, now)
    if BillingPeriod.objects.filter(bill_cycle=bill_cycle, status=PeriodStatus.CLOSED).exists():
        return CloseResult(bill_cycle, closed=False)
    _record_missing_fees(bill_cycle)
    BillingPeriod.objects.get_or_create(bill_cycle=bill_cycle)
    values = _values(bill_cycle, now)
    with transaction.atomic():
        period = BillingPeriod.objects.select_for_update().get(bill_cycle=bill_cycle)
        if period.status == PeriodStatus.CLOSED:
            return CloseResult(bill_cycle, closed=False)
        with operation(actor, "bills.close_month", target=period, detail={"bill_cycle": bill_cycle}) as entry:
            # An open cycle has no sums; a cycle an operator reopened gets them anew.
            CustomerMonthlySum.objects.filter(bill_cycle=bill_cycle).delete()
            PartnerBill.objects.filter(bill_cycle=bill_cycle).delete()
            sums = _execute(_sums_sql(), values)
            bills = _execute(_bills_sql(), values)
            totals = CustomerMonthlySum.objects.filter(bill_cycle=bill_cycle).aggregate(
                records=Sum("records"), customers=Count("customer", distinct=True))
            fee_records, customers = totals["records"] or 0, totals["customers"] or 0
            BillingPeriod.objects.filter(pk=period.pk).update(
                status=PeriodStatus.CLOSED, closed_at=now, fee_records=fee_records, customers=customers)
            _bill_events(actor, bill_cycle)
            entry.detail.update(sums=sums, bills=bills, fee_records=fee_records, customers=customers)
    logger.info("bills.close_month %s: %s sums, %s partner bills, %s fee records, %s customers",
                bill_cycle, sums, bills, fee_records, customers)
    return CloseResult(bill_cycle, closed=True, sums=sums, bills=bills, fee_records=fee_records, customers=customers)


# ---------------------------------------------------------------------------------------------
# For writers of fee records, and for the task
# ---------------------------------------------------------------------------------------------

def _share_lock(cycle: str) -> str:
    """The cycle's status, its BillingPeriod row (created when missing) held FOR SHARE on PostgreSQL until
    the caller's transaction ends (SQLite has one writer at a time: a plain read)."""
    BillingPeriod.objects.get_or_create(bill_cycle=cycle)
    lock = " FOR SHARE" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {_col(BillingPeriod, 'status')} FROM {_table(BillingPeriod)} "
                       f"WHERE {_col(BillingPeriod, 'bill_cycle')} = %s{lock}", [cycle])
        return cursor.fetchone()[0]


def lock_landing(cycles) -> dict[str, tuple[str, bool]]:
    """{consumption cycle: (cycle it lands in, is_adjustment)} for the cycles a writer is about to write fee
    records into, read under a share lock of each cycle's BillingPeriod row (see the module docstring). Call
    it inside the writer's transaction, before its INSERT; the locks hold until it commits."""
    if not connection.in_atomic_block:
        raise RuntimeError("lock_landing() runs inside the transaction that writes the fee records")
    found = {}
    for cycle in sorted(set(cycles)):
        landing, adjusted = cycle, False
        while _share_lock(landing) == PeriodStatus.CLOSED:
            landing, adjusted = periods.next_cycle(landing), True
        found[cycle] = (landing, adjusted)
    return found


def _first_cycle() -> str | None:
    """The earliest cycle with fee records or partner ledger movements (index look-ups, no scan)."""
    cycles = []
    first_fee = FeeRecord.objects.order_by("bill_cycle").values_list("bill_cycle", flat=True).first()
    if first_fee:
        cycles.append(first_fee)
    first_move = LedgerEntry.objects.filter(partner__isnull=False).order_by("id").values_list(
        "created_at", flat=True).first()
    if first_move:
        cycles.append(periods.cycle_of(first_move))
    return min(cycles) if cycles else None


def _has_activity(cycle: str) -> bool:
    start, end = periods.cycle_bounds(cycle)
    # the rebate account (incentives credited, withdrawn) is in no partner bill: it does not make a month active
    return (FeeRecord.objects.filter(bill_cycle=cycle).exists()
            or LedgerEntry.objects.filter(partner__isnull=False, created_at__gte=start, created_at__lt=end)
            .exclude(balance_type=BalanceType.REBATE).exists())


def due_cycles(now: datetime | None = None) -> list[str]:
    """The cycles the daily run closes, oldest first: every month before the current one (Asia/Shanghai)
    that is not closed and has fee records or partner ledger movements, and the previous month even if
    it is empty."""
    current = periods.current_cycle(now)
    previous = periods.previous_cycle(current)
    closed = periods.closed_cycles()
    first = min(filter(None, [_first_cycle(), previous]))
    due, cycle = [], first
    while cycle <= previous:
        if cycle not in closed and (cycle == previous or _has_activity(cycle)):
            due.append(cycle)
        cycle = periods.next_cycle(cycle)
    return due
