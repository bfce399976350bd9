#!/usr/bin/env python
"""Month close of issue 14 (PostgreSQL): `bills.closing.close_month` over 100,000 customers' fee records,
against a single `INSERT … SELECT … GROUP BY` of the same records into the monthly sums.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pc_bench .venv/bin/python -m bench.month_close [--skip-build]

It builds `<name>_close` next to the named database: bench.dataset's large book (100,000 customers of
`bench-sp`, 70 % resale, 2 % with an ended earlier association, 1,000,000 adjustments with their 2,000,000
ledger entries — the partner's side of them are its ledger movements of the month) plus FEES fee records
in one cycle, inserted with one INSERT … SELECT … generate_series (every constraint and index live, then
VACUUM ANALYZE): 10 per customer over three service types — pay-per-use usage (7 of 10), a new purchase,
a refund (negative), and a compensation or a late (is_adjustment) usage record; coupons, arrears and
rounded-off fen here and there; for the customers with an ended association, three of their records
attributed to it (another association, the same partner).

Then, in one process (as the Celery worker runs the task), ROUNDS rounds alternating which goes first:
1. the single statement: closing's own sums INSERT … SELECT … GROUP BY (the same SQL close_month runs,
   alone in its transaction);
2. `close_month(SCHEDULER, bill_cycle=…, now=…)`: the period row locked, the sums statement, the partner
   bills statement (from the sums and the partner's ledger of the month, with its balances at the end of
   the cycle), the counts, the `bill.closed` events, the operation-log row — one transaction;
each followed by a reset (the sums, bills, events and the period row removed; VACUUM ANALYZE). The target
is the ratio of the medians, single statement time ÷ close time (≥ 0.5). It prints the close's split
(sums statement, bills statement, the rest) and checks that both wrote the same sums.

`--skip-build` reuses the book an earlier run built (and its fee records, when they are there). Exit status 1 when a target fails.
"""

import argparse
import os
import signal
import statistics
import subprocess
import sys
import time
from datetime import timedelta

from . import env
from .report import TARGETS, say, target

CUSTOMERS = 100_000
PER_CUSTOMER = 10
FEES = CUSTOMERS * PER_CUSTOMER
SUFFIX = "_close"
ROUNDS = 5
SERVICES = (("hws.service.type.ec2", "hws.resource.type.vm"), ("hws.service.type.evs", "hws.resource.type.volume"),
            ("hws.service.type.vpc", "hws.resource.type.eip"))


def setup(url):
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "0"  # the events' dispatch is queued, as in production
    os.environ["CELERY_BROKER_URL"] = "memory://"
    os.environ["CELERY_RESULT_BACKEND"] = ""
    env.setup_django(url)


def the_cycle():
    """The cycle of the book's ledger movements (the adjustments end an hour before the build's time and span
    about 12 days): the month of the adjustment in the middle, read from the database."""
    from django.db import connection

    from billing.models import Adjustment
    from bills import periods

    with connection.cursor() as cur:
        cur.execute(f"SELECT created_at FROM {Adjustment._meta.db_table} ORDER BY id OFFSET %s LIMIT 1", [500_000])
        return periods.cycle_of(cur.fetchone()[0])


def service_ids():
    from catalog.models import ResourceType, ServiceType

    found = []
    for code, resource in SERVICES:
        service, _ = ServiceType.objects.get_or_create(code=code, defaults={"name": code})
        kind, _ = ResourceType.objects.get_or_create(code=resource, defaults={"name": resource, "service_type": service})
        found.append((service.pk, kind.pk))
    return found


def fees_sql(services):
    """FEES fee records of cycle %(cycle)s: record i of customer c = i % CUSTOMERS + 1, its k = i / CUSTOMERS-th.
    Amounts in fen: official o = 100 + (i·7919) mod 10000, discount o/10, 1 fen rounded off every third record,
    a quarter paid by coupons when k = 0, half in arrears for every 50th customer when k = 1; k = 7 a new
    purchase, k = 8 its refund (every part negative), k = 9 a compensation (c % 10 = 0), a late usage record
    (c % 10 = 1) or usage."""
    from bills.models import FeeRecord
    from customers.models import Association

    table, assoc = FeeRecord._meta.db_table, Association._meta.db_table
    service_case = " ".join(f"WHEN {n} THEN {s}" for n, (s, _r) in enumerate(services))
    resource_case = " ".join(f"WHEN {n} THEN {r}" for n, (_s, r) in enumerate(services))
    return f"""
        INSERT INTO {table} (record_id, bill_cycle, is_adjustment, customer_id, association_id, partner_id, bill_type,
            charging_mode, status, usage_record_id, source_ref, trade_id, trade_time, effective_time, expire_time,
            service_type_id, resource_type_id, region_id, product_id, resource_id, resource_name, product_spec_desc,
            period_type, period_num, usage_type_id, usage_amount, usage_measure_id, free_resource_usage,
            official_amount, discount_amount, erase_amount, consume_amount, coupon_amount,
            flexipurchase_coupon_amount, cash_amount, debt_amount, writeoff_amount, trans_id, created_at)
        SELECT 'bench-fee-' || r.i, %(cycle)s, r.k = 9 AND r.c %% 10 = 1, r.c,
            CASE WHEN r.k < 3 AND (r.c - 1) %% 50 = 1 THEN (SELECT a.id FROM {assoc} a
                 WHERE a.customer_id = r.c AND a.ended_on IS NOT NULL ORDER BY a.id LIMIT 1) ELSE r.c END,
            %(partner)s, r.bill_type, CASE WHEN r.bill_type IN (1, 4) THEN 1 ELSE 3 END,
            CASE WHEN r.debt > 0 THEN 2 ELSE 1 END, NULL, '', 'bench-t-' || r.i, r.at, r.at, NULL,
            CASE r.i %% 3 {service_case} END, CASE r.i %% 3 {resource_case} END, NULL, NULL,
            'bench-r-' || r.c, '', '', NULL, NULL, NULL, NULL, NULL, 0,
            r.sign * r.o / 100.0, r.sign * r.d / 100.0, r.sign * r.e / 100.0, r.sign * (r.o - r.d - r.e) / 100.0,
            r.sign * r.coupon / 100.0, 0, r.sign * (r.o - r.d - r.e - r.coupon - r.debt) / 100.0, r.debt / 100.0, 0,
            '', r.at
        FROM (SELECT i, c, k, o, o / 10 AS d, CASE WHEN i %% 3 = 0 THEN 1 ELSE 0 END AS e,
                     CASE WHEN k = 0 THEN (o - o / 10) / 4 ELSE 0 END AS coupon,
                     CASE WHEN k = 1 AND c %% 50 = 0 THEN (o - o / 10 - 1) / 2 ELSE 0 END AS debt,
                     CASE WHEN k = 7 THEN 1 WHEN k = 8 THEN 4 WHEN k = 9 AND c %% 10 = 0 THEN 9 ELSE 5 END AS bill_type,
                     CASE WHEN k = 8 THEN -1 ELSE 1 END AS sign,
                     %(start)s + (i %% 2000000) * interval '1 second' AS at
              FROM (SELECT i, i %% {CUSTOMERS} + 1 AS c, i / {CUSTOMERS} AS k, 100 + (i::bigint * 7919) %% 10000 AS o
                    FROM generate_series(0, {FEES} - 1) AS i) AS base) AS r
        ORDER BY r.i"""


def build(url):
    command = [sys.executable, "-m", "bench.dataset", "--scale", "large", "--fresh", "--database-url", url]
    if subprocess.call(command, cwd=env.ROOT) != 0:
        raise SystemExit("building the book failed")


def build_fees(url):
    """The fee records, unless an earlier run inserted them."""
    setup(url)
    from django.db import connection

    from bills import periods
    from bills.models import FeeRecord
    from partnercenter.models import Partner

    if FeeRecord.objects.exists():
        return
    cycle = the_cycle()
    partner = Partner.objects.get(account_name="bench-sp")
    started = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("SET work_mem = '256MB'; SET synchronous_commit = off")
        cur.execute(fees_sql(service_ids()), {"cycle": cycle, "partner": partner.pk,
                                              "start": periods.cycle_bounds(cycle)[0]})
    with connection.cursor() as cur:
        cur.execute(f"VACUUM ANALYZE {FeeRecord._meta.db_table}")
    say(f"  {FEES:,} fee records of {cycle} in {time.perf_counter() - started:.1f}s")


# --- the measurements -------------------------------------------------------------------------------------

def reset(cycle):
    from django.db import connection

    from bills.models import BillingPeriod, CustomerMonthlySum, PartnerBill
    from events.models import Event

    CustomerMonthlySum.objects.filter(bill_cycle=cycle).delete()
    PartnerBill.objects.filter(bill_cycle=cycle).delete()
    Event.objects.filter(type="bill.closed").delete()
    BillingPeriod.objects.filter(bill_cycle=cycle).delete()
    with connection.cursor() as cur:
        for model in (CustomerMonthlySum, PartnerBill, BillingPeriod, Event):
            cur.execute(f"VACUUM ANALYZE {model._meta.db_table}")


def sums_now(cycle):
    from bills.models import CustomerMonthlySum

    return sorted(CustomerMonthlySum.objects.filter(bill_cycle=cycle).values_list(
        "customer_id", "association_id", "service_type_id", "charging_mode", "bill_type", "records", "consume_amount",
        "cash_amount", "debt_amount"))


def single_statement(cycle, now):
    from django.db import transaction

    from bills import closing

    started = time.perf_counter()
    with transaction.atomic():
        rows = closing._execute(closing._sums_sql(), closing._values(cycle, now))
    return time.perf_counter() - started, rows


def run_close(cycle, now, split):
    from bills import closing
    from partnercenter.actors import SCHEDULER

    execute = closing._execute

    def timed(sql, values):  # the close's own statements, timed where it runs them
        began = time.perf_counter()
        try:
            return execute(sql, values)
        finally:
            split.append(time.perf_counter() - began)

    closing._execute = timed
    try:
        started = time.perf_counter()
        result = closing.close_month(SCHEDULER, bill_cycle=cycle, now=now)
        return time.perf_counter() - started, result
    finally:
        closing._execute = execute


def measure(url):
    setup(url)
    from django.db import connection

    from bills import periods
    from bills.models import FeeRecord, PartnerBill

    cycle = FeeRecord.objects.values_list("bill_cycle", flat=True).first()
    now = periods.cycle_bounds(cycle)[1] + timedelta(hours=1)  # the close runs after the cycle ended
    reset(cycle)
    say(f"\n{FeeRecord.objects.filter(bill_cycle=cycle).count():,} fee records of {cycle}, "
        f"{FeeRecord.objects.filter(bill_cycle=cycle).values('customer').distinct().count():,} customers")
    singles, closes, splits, expected = [], [], [], None
    say(f"\n{ROUNDS} rounds (s)      single INSERT…SELECT      close_month   (sums stmt, bills stmt, rest)   sums")
    for round_no in range(ROUNDS):
        order = ("single", "close") if round_no % 2 == 0 else ("close", "single")
        shown = {}
        for which in order:
            reset(cycle)
            if which == "single":
                seconds, rows = single_statement(cycle, now)
                singles.append(seconds)
                written = sums_now(cycle)
            else:
                split = []
                seconds, result = run_close(cycle, now, split)
                if not result.closed:
                    raise SystemExit("the close did not close the cycle")
                closes.append(seconds)
                splits.append(split)
                rows = result.sums
                written = sums_now(cycle)
                bills = PartnerBill.objects.filter(bill_cycle=cycle).count()
            expected = expected or written
            if written != expected:
                raise SystemExit("the single statement and the close wrote different sums")
            shown[which] = (seconds, rows)
        split = splits[-1]
        say(f"   round {round_no + 1}               {shown['single'][0]:8.3f}          {shown['close'][0]:8.3f}"
            f"   ({split[0]:.3f}, {split[1]:.3f}, {shown['close'][0] - sum(split):.3f})"
            f"        {shown['close'][1]:,}")
    reset(cycle)
    connection.close()
    single, close = statistics.median(singles), statistics.median(closes)
    say(f"\n   median: single statement {single * 1000:.1f} ms, close_month {close * 1000:.1f} ms "
        f"({len(expected):,} monthly sums, {bills} partner bill(s))")
    target(f"month close vs single INSERT … SELECT … GROUP BY ({FEES:,} fee records, {CUSTOMERS:,} customers)",
           single / close, ">=", 0.5, single / close >= 0.5)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.month_close", description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--skip-build", action="store_true")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    base = env.require_bench_url(args.database_url, "bench.month_close")
    url = env.with_database(base, env.database_name(base) + SUFFIX)
    started = time.perf_counter()
    if not args.skip_build:
        say(f"Building {env.database_name(url)} …")
        build(url)
    build_fees(url)
    measure(url)
    say(f"\n(bench.month_close took {time.perf_counter() - started:.0f} s)")
    for line, _passed in TARGETS:
        say(line)
    return 0 if all(passed for _line, passed in TARGETS) else 1


if __name__ == "__main__":
    sys.exit(main())
