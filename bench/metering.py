#!/usr/bin/env python
"""Metering of issue 14 (PostgreSQL): 1,000,000 usage records ingested (bills.ingest, batches of 1,000 as the
signed endpoint takes them) and rated (bills.rating: packages, coupons, cash, arrears, fee records, ledger),
against a bare COPY of the same rows into the usage table.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pc_bench .venv/bin/python -m bench.metering

It builds `<name>_metering` next to the named database: bench.dataset's small book (10,000 customers, 70 %
resale with allocated balances, 30 % referral, 10,000 coupons) and the demo catalogue, plus a 1 GB traffic
package for every tenth customer. The usage: RECORDS hourly records over the last days, spread over the
customers — a quarter each ECS server hours (0.22/h), EVS disk hours by size (40–200 GB at 0.0014/GB·h), OBS
outbound traffic in GB (0.50/GB) and VPC traffic in MB (0.80/GB) — so every path is taken: packages pay
traffic, coupons and balances pay what they cover, the rest becomes arrears.

Then, in one process (in-process services, as the Celery worker runs them):
1. COPY: the same rows (their table columns, as CSV) into the usage table with every index and constraint,
   timed, then removed (TRUNCATE) — the bare cost of writing the rows; three times, the median taken; then, recorded with no target, the
   same rows by plain multi-row INSERTs of 1,000, a transaction each (the shape the endpoint receives);
2. ingest: `bills.ingest.ingest(records, source=API)` for each batch of 1,000 wire records (parsing,
   lookups, the INSERT … ON CONFLICT), timed; then rate: `bills.rating.rate_pending()` until nothing waits
   (the common case in SQL, bills/rating_sql.py; packages, limited coupons and failures in Python), timed;
   then the books are checked (every record rated once, fee records' money identities, each customer's
   arrears = its fee records' debt);
3. with `--compare`: the book put back, the same records ingested again and rated with
   `rate_pending(sql=False)` — every record on the per-record path — timed and checked the same way
   (recorded, no target);
4. with `--pipelined`: the book put back, the same records ingested while a second process rates them (a
   deployment's web and worker processes at once), timed from the first batch to the last record rated and
   checked the same way (recorded, no target).
Each timed phase (COPY, the plain INSERTs, ingest and rate) starts after a CHECKPOINT, from clean buffers.
The target is COPY time ÷ (ingest + rate time) of step 2 ≥ 0.2. `--records N` for a smaller run, `--skip-build`
to reuse the book: before each round the money rating moves (balances, arrears, in-debt flags, coupons, the
ledger entries and coupon records it added) is put back as the build left it (saved in `bench_metering_saved*`
tables on the first run) and the usage, fee records and packages are made anew. Exit status 1 when the
target fails.
"""

import argparse
import io
import os
import random
import signal
import statistics
import subprocess
import sys
import time
import uuid
from datetime import timedelta

from . import env
from .report import TARGETS, say, target

RECORDS = 1_000_000
COPY_ROUNDS = 3  # the baseline moves 21–29 s between runs here: its median of three
SUFFIX = "_metering"


def setup(url):
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "0"
    os.environ["CELERY_BROKER_URL"] = "memory://"
    os.environ["CELERY_RESULT_BACKEND"] = ""
    env.setup_django(url)


def build(url):
    command = [sys.executable, "-m", "bench.dataset", "--scale", "small", "--fresh", "--database-url", url]
    if subprocess.call(command, cwd=env.ROOT) != 0:
        raise SystemExit("building the book failed")
    setup(url)
    from catalog.demo import seed_catalog

    seed_catalog()


def packages():
    """A 1 GB OBS traffic package (reset monthly) for every tenth customer."""
    from django.utils import timezone

    from bills.models import ResourcePackage
    from bills.packages import cycle_at
    from catalog.models import Product
    from customers.models import Customer

    product = Product.objects.get(resource_spec="obs.upflow.pkg.100gb", region__code="cn-north-4", charge_mode=1)
    start = timezone.now() - timedelta(days=10)
    rows = []
    for pk in Customer.objects.order_by("pk").values_list("pk", flat=True)[::10]:
        package = ResourcePackage(customer_id=pk, product=product, usage_type_id=product.usage_type_id,
                                  region_id=product.region_id, measure_id=product.usage_measure_id,
                                  original_amount=1, remaining=1, reset=1, effective_time=start,
                                  expire_time=start + timedelta(days=365), status=1)
        package.cycle_start, package.cycle_end = cycle_at(package, start)
        rows.append(package)
    ResourcePackage.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


KINDS = [  # cloud service type, resource type, spec, usage type, unit, usage, size
    ("hws.service.type.ec2", "hws.resource.type.vm", "s6.small.1.linux", "Duration", 4, "1", None),
    ("hws.service.type.evs", "hws.resource.type.volume", "SSD", "Duration", 4, "1", "size"),
    ("hws.service.type.obs", "hws.resource.type.obs", "obs.internet.upflow", "upflow", 10, "traffic", None),
    ("hws.service.type.vpc", "hws.resource.type.bandwidth", "19_bgp_traffic", "upflow", 11, "mb", None),
]


def wire_records(n, customers, now):
    """`n` wire records (as the ingestion endpoint receives them), deterministic."""
    rnd = random.Random(14)
    hour = now.replace(minute=0, second=0, microsecond=0)
    for i in range(n):
        service, resource_type, spec, usage_type, unit, usage, size = KINDS[i % 4]
        customer = customers[(i * 7919) % len(customers)]
        begin = hour - timedelta(hours=1 + (i // len(customers)) % 72)
        amount = {"1": "1", "traffic": f"{rnd.randint(1, 300) / 100:.2f}", "mb": str(rnd.randint(10, 2048))}[usage]
        yield {"record_id": uuid.UUID(int=rnd.getrandbits(128)).hex, "customer_id": customer,
               "resource_id": f"bench-{customer[:8]}-{i % 4}", "cloud_service_type": service,
               "resource_type": resource_type, "resource_spec_code": spec, "usage_type": usage_type,
               "region": "cn-north-4", "usage": amount, "usage_measure_id": unit,
               **({"resource_size": str(40 * (1 + i % 5))} if size else {}),
               "begin_time": begin.strftime("%Y-%m-%dT%H:%M:%SZ"),
               "end_time": (begin + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")}


def clear():
    from django.db import connection

    from bills.models import FeeRecord, PackageUse, UsageRecord, UsageWaiting

    with connection.cursor() as cur:
        cur.execute(f"TRUNCATE {PackageUse._meta.db_table}, {FeeRecord._meta.db_table}, "
                    f"{UsageWaiting._meta.db_table}, {UsageRecord._meta.db_table} RESTART IDENTITY CASCADE")


SAVED = "bench_metering_saved"  # the book as the build left it: what `restore` puts back before each run


def restore():
    """The money rating changes, as the build left it (saved on the first run after the build): the customers'
    balances, arrears and in-debt flags, the coupons, the ledger entries and coupon records rating added — so a
    run with --skip-build, or the second rating of --compare, starts from the same book as the first."""
    from django.db import connection

    from billing.models import CustomerAccount, LedgerEntry
    from customers.models import Customer
    from vouchers.models import Coupon, CouponRecord

    accounts, ledger, customers = (CustomerAccount._meta.db_table, LedgerEntry._meta.db_table,
                                   Customer._meta.db_table)
    coupons, coupon_records = Coupon._meta.db_table, CouponRecord._meta.db_table
    with connection.cursor() as cur:
        cur.execute("SELECT to_regclass(%s) IS NOT NULL", [SAVED])
        if not cur.fetchone()[0]:
            cur.execute(f"CREATE TABLE {SAVED} AS SELECT (SELECT max(id) FROM {ledger}) AS ledger, "
                        f"(SELECT max(id) FROM {coupon_records}) AS coupon_records")
            cur.execute(f"CREATE TABLE {SAVED}_accounts AS SELECT id, balance, arrears, updated_at FROM {accounts}")
            cur.execute(f"CREATE TABLE {SAVED}_coupons AS SELECT id, balance, status, last_used_at FROM {coupons}")
            cur.execute(f"CREATE TABLE {SAVED}_customers AS SELECT id, in_debt FROM {customers}")
            return
        cur.execute(f"DELETE FROM {ledger} WHERE id > (SELECT ledger FROM {SAVED})")
        cur.execute(f"DELETE FROM {coupon_records} WHERE id > (SELECT coupon_records FROM {SAVED})")
        cur.execute(f"UPDATE {accounts} a SET balance = s.balance, arrears = s.arrears, updated_at = s.updated_at "
                    f"FROM {SAVED}_accounts s WHERE a.id = s.id AND (a.balance, a.arrears, a.updated_at) "
                    f"IS DISTINCT FROM (s.balance, s.arrears, s.updated_at)")
        cur.execute(f"UPDATE {coupons} c SET balance = s.balance, status = s.status, last_used_at = s.last_used_at "
                    f"FROM {SAVED}_coupons s WHERE c.id = s.id AND (c.balance, c.status, c.last_used_at) "
                    f"IS DISTINCT FROM (s.balance, s.status, s.last_used_at)")
        cur.execute(f"UPDATE {customers} c SET in_debt = s.in_debt FROM {SAVED}_customers s "
                    f"WHERE c.id = s.id AND c.in_debt <> s.in_debt")
        for table in (ledger, coupon_records, accounts, coupons, customers):
            cur.execute(f"VACUUM ANALYZE {table}")


def checkpoint():
    """Every dirty page written out before a timed phase (CHECKPOINT): each phase starts from the same clean
    buffers instead of paying, at a moment that varies from run to run, for the pages the phase before left dirty
    (COPY read 24–29 s in consecutive runs without it)."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("CHECKPOINT")


def copy_rows(records, pks):
    """The COPY baseline: the records' table rows as CSV, written with COPY, timed."""
    from django.db import connection

    from bills.models import UsageRecord

    columns = ["record_id", "customer_id", "resource_id", "service_type_code", "resource_type_code",
               "resource_spec_code", "usage_type_code", "region_code", "usage_amount", "usage_measure_id",
               "resource_size", "begin_time", "end_time", "source", "error_code", "received_at"]
    now = time.strftime("%Y-%m-%d %H:%M:%S+00", time.gmtime())
    buffer = io.StringIO()
    for r in records:
        buffer.write(",".join([
            r["record_id"], str(pks[r["customer_id"]]), r["resource_id"], r["cloud_service_type"], r["resource_type"],
            r["resource_spec_code"], r["usage_type"], r["region"], r["usage"], str(r["usage_measure_id"]),
            r.get("resource_size", ""), r["begin_time"], r["end_time"], "1", '""', now]) + "\n")
    buffer.seek(0)
    table = UsageRecord._meta.db_table
    checkpoint()
    started = time.perf_counter()
    with connection.cursor() as cur:
        cur.cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv, NULL '')", buffer)
    return time.perf_counter() - started


def insert_rows(records, pks):
    """Recorded, no target: the same rows by plain multi-row INSERTs of 1,000 (psycopg2's execute_values), one
    transaction each — the shape in which the ingestion endpoint receives them — timed."""
    from django.db import connection, transaction
    from psycopg2.extras import execute_values

    from bills.models import UsageRecord

    columns = ["record_id", "customer_id", "resource_id", "service_type_code", "resource_type_code",
               "resource_spec_code", "usage_type_code", "region_code", "usage_amount", "usage_measure_id",
               "resource_size", "begin_time", "end_time", "source", "error_code", "received_at"]
    now = time.strftime("%Y-%m-%d %H:%M:%S+00", time.gmtime())
    rows = [(r["record_id"], pks[r["customer_id"]], r["resource_id"], r["cloud_service_type"], r["resource_type"],
             r["resource_spec_code"], r["usage_type"], r["region"], r["usage"], r["usage_measure_id"],
             r.get("resource_size"), r["begin_time"], r["end_time"], 1, "", now) for r in records]
    sql = f"INSERT INTO {UsageRecord._meta.db_table} ({', '.join(columns)}) VALUES %s"
    checkpoint()
    started = time.perf_counter()
    for offset in range(0, len(rows), 1000):
        with transaction.atomic(), connection.cursor() as cur:
            execute_values(cur.cursor, sql, rows[offset:offset + 1000], page_size=1000)
    return time.perf_counter() - started


def ingest_all(records):
    from bills.choices import UsageSource
    from bills.ingest import ingest

    started = time.perf_counter()
    created = 0
    for offset in range(0, len(records), 1000):
        created += ingest(records[offset:offset + 1000], source=UsageSource.API).accepted
    return time.perf_counter() - started, created


def rate_all(sql=None):
    from bills import rating

    started = time.perf_counter()
    result = rating.rate_pending(sql=sql)
    return time.perf_counter() - started, result


def check(n):
    from django.db.models import Count, F, Q, Sum

    from bills import arrears
    from bills.models import FeeRecord, UsageRecord, UsageWaiting

    statuses = {"records": UsageRecord.objects.count(), "waiting": UsageWaiting.objects.count(),
                "failed": UsageRecord.objects.exclude(error_code="").count()}
    fees = FeeRecord.objects.aggregate(n=Count("id"), consume=Sum("consume_amount"), cash=Sum("cash_amount"),
                                       coupons=Sum(F("coupon_amount") + F("flexipurchase_coupon_amount")),
                                       debt=Sum("debt_amount"), free=Count("id", filter=Q(free_resource_usage__gt=0)))
    say(f"   usage records {statuses}; fee records {fees}")
    problems = arrears.problems()
    if statuses != {"records": n, "waiting": 0, "failed": 0} or fees["n"] != n or problems:
        raise SystemExit(f"the books do not add up: {problems[:5]}")


def fresh_round(n, pks, customers, now):
    """The book as built, no usage, the packages anew; the wire records of the run."""
    from django.db import connection

    from bills.models import ResourcePackage

    restore()
    clear()
    ResourcePackage.objects.all().delete()
    made = packages()
    with connection.cursor() as cur:
        for table in ("bills_usagerecord", "bills_usagewaiting", "bills_feerecord"):
            cur.execute(f"VACUUM ANALYZE {table}")
    return made, list(wire_records(n, customers, now))


def ingest_and_rate(records, n, *, sql=None):
    from django.db import connection

    checkpoint()
    ingest_seconds, created = ingest_all(records)
    say(f"   ingest: {created:,} records in {ingest_seconds:.1f} s ({created / ingest_seconds:,.0f}/s)")
    with connection.cursor() as cur:
        cur.execute("ANALYZE bills_usagerecord")
        cur.execute("ANALYZE bills_usagewaiting")
    rate_seconds, result = rate_all(sql=sql)
    say(f"   rate: {result.rated:,} rated ({result.in_sql:,} of them in SQL), {result.failed:,} failed in "
        f"{rate_seconds:.1f} s ({result.rated / rate_seconds:,.0f}/s)")
    check(n)
    return ingest_seconds, rate_seconds


def rating_worker(done):
    """The rating worker of the pipelined round (a Celery worker's `rate_usage` runs, back to back): rate
    what waits until the ingest is done and nothing waits."""
    from bills import rating

    while True:
        finished = done.is_set()  # read first: everything ingested before it is visible to the run below
        if rating.rate_pending().claimed == 0:
            if finished:
                return
            done.wait(0.05)


def pipelined(records, n):
    """Recorded, no target: the same records ingested while a second process rates them — the shape of a
    deployment, where the endpoint's web processes and the rating's Celery worker run at once — timed from
    the first batch sent to the last record rated."""
    import multiprocessing

    from django.db import connections

    context = multiprocessing.get_context("fork")
    done = context.Event()
    checkpoint()
    connections.close_all()  # the worker opens its own connection
    worker = context.Process(target=rating_worker, args=(done,))
    started = time.perf_counter()
    worker.start()
    try:
        ingest_seconds, created = ingest_all(records)
    finally:
        done.set()
        worker.join()
    seconds = time.perf_counter() - started
    if worker.exitcode != 0:
        raise SystemExit(f"the rating worker failed (exit status {worker.exitcode})")
    say(f"   ingest: {created:,} records in {ingest_seconds:.1f} s while the worker rated; the last rated at "
        f"{seconds:.1f} s ({n / seconds:,.0f}/s)")
    check(n)
    return seconds


def measure(url, n, compare=False, pipeline=False):
    setup(url)
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from customers.models import Customer

    call_command("migrate", verbosity=0)  # a book kept by --skip-build gets the schema of the code measured
    pks = dict(Customer.objects.values_list("domain_id", "pk"))
    customers = sorted(pks)
    now = timezone.now()
    made, records = fresh_round(n, pks, customers, now)
    say(f"\n{len(customers):,} customers, {made:,} traffic packages; {n:,} wire records")

    copies = []
    for _round in range(COPY_ROUNDS):
        copies.append(copy_rows(records, pks))
        clear()
    copy_seconds = statistics.median(copies)
    say(f"\n1. COPY of {n:,} rows: {copy_seconds:.1f} s, the median of {', '.join(f'{c:.1f}' for c in copies)} s "
        f"({n / copy_seconds:,.0f} rows/s)")
    insert_seconds = insert_rows(records, pks)
    say(f"   (recorded) plain INSERTs of 1,000 rows, a transaction each: {insert_seconds:.1f} s "
        f"({n / insert_seconds:,.0f} rows/s)")
    clear()
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE bills_usagerecord")
    say("2. ingest and rate (rating in SQL where it can: bills/rating_sql.py)")
    ingest_seconds, rate_seconds = ingest_and_rate(records, n)
    ratio = copy_seconds / (ingest_seconds + rate_seconds)
    say(f"   COPY ÷ (ingest + rate) = {copy_seconds:.1f} ÷ {ingest_seconds + rate_seconds:.1f} = {ratio:.3f}")
    say(f"   (recorded) plain INSERTs ÷ (ingest + rate) = {insert_seconds:.1f} ÷ {ingest_seconds + rate_seconds:.1f} "
        f"= {insert_seconds / (ingest_seconds + rate_seconds):.3f}")
    if compare:
        fresh_round(n, pks, customers, now)
        say("3. the same again, every record on the per-record path (rate_pending(sql=False)), for comparison")
        old_ingest, old_rate = ingest_and_rate(records, n, sql=False)
        say(f"   COPY ÷ (ingest + rate) = {copy_seconds:.1f} ÷ {old_ingest + old_rate:.1f} = "
            f"{copy_seconds / (old_ingest + old_rate):.3f}; rating {old_rate / rate_seconds:.1f}× slower than in SQL")
    if pipeline:
        fresh_round(n, pks, customers, now)
        say("4. the same again, ingested while a second process rates (the web and worker processes of a "
            "deployment, at once)")
        seconds = pipelined(records, n)
        say(f"   (recorded) COPY ÷ (ingest and rate at once) = {copy_seconds:.1f} ÷ {seconds:.1f} = "
            f"{copy_seconds / seconds:.3f}")
    target(f"ingest + rate {n:,} usage records vs COPY of the same rows", ratio, ">=", 0.2, ratio >= 0.2)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.metering", description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--skip-build", action="store_true")
    parser.add_argument("--records", type=int, default=RECORDS)
    parser.add_argument("--compare", action="store_true",
                        help="then ingest and rate the same records again on the per-record path (recorded)")
    parser.add_argument("--pipelined", action="store_true",
                        help="then ingest the same records while a second process rates them (recorded)")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    base = env.require_bench_url(args.database_url, "bench.metering")
    url = env.with_database(base, env.database_name(base) + SUFFIX)
    started = time.perf_counter()
    if not args.skip_build:
        say(f"Building {env.database_name(url)} …")
        build(url)
    measure(url, args.records, compare=args.compare, pipeline=args.pipelined)
    say(f"\n(bench.metering took {time.perf_counter() - started:.0f} s)")
    for line, _passed in TARGETS:
        say(line)
    return 0 if all(passed for _line, passed in TARGETS) else 1


if __name__ == "__main__":
    sys.exit(main())
