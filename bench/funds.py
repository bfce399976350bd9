#!/usr/bin/env python
"""Benchmark of the money domain (not a test: pytest never collects it — testpaths = tests).

Run from the project root against a PostgreSQL database of its own (its name must contain "bench"):

    psql -h 127.0.0.1 -U postgres -c 'create database partnercenter_bench'
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/partnercenter_bench .venv/bin/python bench/funds.py

Each run migrates that database, TRUNCATEs the tables it fills and rebuilds its data:

1. one solution provider (administrator member, access key), 10,000 resale customers with active
   associations (bulk_create in chunks), funded by a confirmed recharge (services.complete_recharge);
2. (a) 10 × services.batch_allocate of 100 rows (the service's BATCH_LIMIT) vs 1,000
   services.allocate_to_customer calls;
   (b) GET /v3/accounts/partner-accounts/adjust-records, signed with the SDK signer (tests.signed.call),
   with 10,000 and then 1,000,000 adjustment rows (INSERT … SELECT … generate_series, VACUUM ANALYZE):
   first page, a deep offset, a trans_id filter and two customer_id filters; median of several runs,
   ratio 1M/10k per query kind, EXPLAIN ANALYZE of the endpoint's own SQL for any kind that is not flat;
3. a summary table.
"""

import hashlib
import os
import statistics
import sys
import time
import warnings
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# --- environment, before Django reads its settings ---------------------------------------------
os.environ["DJANGO_SETTINGS_MODULE"] = "partnercenter.settings"
os.environ["DEBUG"] = "0"
os.environ["SECURE_SSL_REDIRECT"] = "0"
_hosts = [h for h in os.environ.get("ALLOWED_HOSTS", "localhost,127.0.0.1").split(",") if h]
os.environ["ALLOWED_HOSTS"] = ",".join(dict.fromkeys(_hosts + ["testserver"]))
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")
os.environ.setdefault("LOG_LEVEL", "WARNING")
warnings.filterwarnings("ignore", message="No directory at")  # whitenoise: no collectstatic here

_url = os.environ.get("DATABASE_URL", "")
if not _url.startswith(("postgres://", "postgresql://", "pgsql://")):
    sys.exit(
        "bench/funds.py measures PostgreSQL only and refuses to run on SQLite (or without DATABASE_URL).\n"
        "Create a database of its own and point DATABASE_URL at it:\n"
        "  psql -h 127.0.0.1 -U postgres -c 'create database partnercenter_bench'\n"
        "  DATABASE_URL=postgres://postgres@127.0.0.1:5432/partnercenter_bench .venv/bin/python bench/funds.py"
    )

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Q  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from billing import selectors, services  # noqa: E402
from billing.choices import OperationType, RechargeMethod  # noqa: E402
from billing.models import (  # noqa: E402
    Adjustment, CustomerAccount, IdempotencyKey, LedgerEntry, PartnerAccount, Recharge,
)
from customers.choices import AssociationType  # noqa: E402
from customers.models import Association, Customer  # noqa: E402
from partnercenter import secretbox  # noqa: E402
from partnercenter.api.pagination import page  # noqa: E402
from partnercenter.actors import SCHEDULER, actor_for_user  # noqa: E402
from partnercenter.models import AccessKey, Member, OperationLog, Partner, Role, User  # noqa: E402
from tests.signed import call  # noqa: E402

# --- sizes ----------------------------------------------------------------------------------------
CUSTOMERS = 10_000
CHUNK = 1_000
ALLOCATIONS = 1_000            # rows over all batches, and single calls
BATCH = services.BATCH_LIMIT   # rows per batch_allocate call (the service refuses more)
SMALL, LARGE = 10_000, 1_000_000
DEEP_OFFSET = 9_000            # same offset at both sizes (must stay below SMALL)
WARMUP, REPEAT = 2, 7          # untimed + timed requests per query kind; the median is reported
FLAT_RATIO = 2.0               # 1M/10k above this is "not flat"
ENDPOINT = "/v3/accounts/partner-accounts/adjust-records"
AK, SK = "BENCHAK0000000000001", "BenchSecretKey".ljust(40, "S")


def say(*args):
    print(*args, flush=True)


def check_database():
    if connection.vendor != "postgresql":
        sys.exit(f"bench/funds.py needs PostgreSQL, not {connection.vendor}.")
    name = connection.settings_dict["NAME"]
    if "bench" not in name:
        sys.exit(f"Refusing to truncate tables in database {name!r}: its name must contain 'bench'.")
    with connection.cursor() as cursor:
        cursor.execute("select version()")
        version = cursor.fetchone()[0].split(" on ")[0]
    return name, version


def wipe():
    """TRUNCATE what this benchmark fills (CASCADE: rows pointing at them go too — this database only)."""
    models = [Adjustment, LedgerEntry, PartnerAccount, CustomerAccount, Recharge, IdempotencyKey, OperationLog,
              Association, Customer, AccessKey, Member.roles.through, Member, Role, Partner, User]
    tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in models)
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")


def seed():
    partner = Partner.objects.create(account_name="bench-sp", name="基准解决方案有限公司",
                                     partner_type="solution_provider", contracting_entity="华为云计算技术有限公司")
    role = Role.objects.create(partner=partner, name="管理员", is_administrator=True)
    user = User(username="bench.admin", email="bench.admin@example.com")
    user.set_unusable_password()
    user.save()
    member = Member.objects.create(user=user, partner=partner, display_name="bench admin")
    member.roles.add(role)
    # As tests/factories.make_access_key: the SK stored encrypted, as the service stores it.
    AccessKey.objects.create(ak=AK, sk_encrypted=secretbox.encrypt(SK), user=user, partner=partner)

    now = timezone.now()
    for start in range(0, CUSTOMERS, CHUNK):
        Customer.objects.bulk_create([
            Customer(domain_name=f"bench-{i:05d}", real_name=f"基准客户{i}", email=f"bench-{i:05d}@example.com",
                     created_at=now)
            for i in range(start, min(start + CHUNK, CUSTOMERS))
        ])
    customers = list(Customer.objects.filter(domain_name__startswith="bench-").order_by("id"))
    for start in range(0, CUSTOMERS, CHUNK):
        Association.objects.bulk_create([
            Association(partner=partner, customer=c, association_type=AssociationType.RESALE, associated_on=now)
            for c in customers[start:start + CHUNK]
        ])

    recharge = Recharge.objects.create(partner=partner, method=RechargeMethod.REMITTANCE,
                                       amount=Decimal("100000000.00"), reference="BENCH")
    services.complete_recharge(SCHEDULER, recharge_id=recharge.pk, succeeded=True)
    return partner, user, customers


# --- (a) batch vs single allocations ----------------------------------------------------------------

def bench_allocations(actor, customers):
    batch_set = customers[0:ALLOCATIONS]
    single_set = customers[ALLOCATIONS:2 * ALLOCATIONS]
    warm = customers[2 * ALLOCATIONS:2 * ALLOCATIONS + 20]
    for c in warm[:9]:  # warm connections, caches and code paths; not timed
        services.allocate_to_customer(actor, customer_id=c.domain_id, amount="1.00")
    with CaptureQueriesContext(connection) as single_queries:
        services.allocate_to_customer(actor, customer_id=warm[9].domain_id, amount="1.00")
    with CaptureQueriesContext(connection) as batch_queries:
        services.batch_allocate(actor, rows=[(c.domain_id, "1.00") for c in warm[10:]])
    queries = (len(single_queries), len(batch_queries) / len(warm[10:]))

    started = time.perf_counter()
    for c in single_set:
        services.allocate_to_customer(actor, customer_id=c.domain_id, amount="1.00")
    single = time.perf_counter() - started

    started = time.perf_counter()
    results = []
    for start in range(0, ALLOCATIONS, BATCH):
        results += services.batch_allocate(actor, rows=[(c.domain_id, "1.00") for c in batch_set[start:start + BATCH]])
    batch = time.perf_counter() - started

    failed = [r for r in results if not r["ok"]]
    assert not failed, failed[:3]
    account = PartnerAccount.objects.get(partner=actor.partner)
    assert account.allocated_amount == Decimal(2 * ALLOCATIONS + len(warm)), account.allocated_amount
    return single, batch, queries


# --- (b) the adjust-records endpoint ------------------------------------------------------------------

def fill_adjustments(partner, total, *, probe_customer, state):
    """Bring the partner's adjustments to `total` with one INSERT … SELECT … FROM generate_series, older
    than every real row, spread over all customers but the probe; then VACUUM ANALYZE."""
    have = Adjustment.objects.filter(partner=partner).count()
    need = total - have
    if need <= 0:
        return 0.0
    first, last = state["next"], state["next"] + need - 1
    state["next"] = last + 1
    q = connection.ops.quote_name
    adj, cust = Adjustment._meta.db_table, Customer._meta.db_table
    sql = f"""
        INSERT INTO {q(adj)} (partner_id, customer_id, reseller_id, operation_type, amount, trans_id, batch_id,
                              memo, operator, created_at)
        SELECT %(partner)s, c.id, NULL,
               CASE WHEN g.i %% 10 = 0 THEN %(reclaim)s ELSE %(allocate)s END,
               1 + (g.i %% 100), md5('bench-adj-' || g.i), '', '', 'bench',
               %(base)s::timestamptz - g.i * interval '1 second'
        FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS g(i)
        JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS rn
              FROM {q(cust)} WHERE domain_name LIKE 'bench-%%' AND id <> %(probe)s) AS c
          ON c.rn = g.i %% %(ncust)s
    """
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(sql, {"partner": partner.pk, "reclaim": OperationType.RECLAIM.value,
                             "allocate": OperationType.ALLOCATE.value, "base": state["base"], "first": first,
                             "last": last, "probe": probe_customer.pk, "ncust": CUSTOMERS - 1})
        inserted = cursor.rowcount
        # VACUUM as well as ANALYZE: sets the visibility map, as autovacuum would on a settled table,
        # so the measurement does not depend on when autovacuum happens to run.
        cursor.execute(f"VACUUM ANALYZE {q(adj)}")
    assert inserted == need, (inserted, need)
    assert Adjustment.objects.filter(partner=partner).count() == total
    return time.perf_counter() - started


def bulk_trans_id(i):
    return hashlib.md5(f"bench-adj-{i}".encode()).hexdigest()


def query_kinds(probes):
    return [
        ("first page (offset 0)", [("limit", "10"), ("offset", "0")]),
        (f"deep offset {DEEP_OFFSET}", [("limit", "10"), ("offset", str(DEEP_OFFSET))]),
        ("trans_id filter", [("trans_id", probes["trans_id"]), ("limit", "10"), ("offset", "0")]),
        ("customer_id filter, 1 row", [("customer_id", probes["fixed"]), ("limit", "10"), ("offset", "0")]),
        ("customer_id filter, typical", [("customer_id", probes["typical"]), ("limit", "10"), ("offset", "0")]),
    ]


def request(client, query):
    response = call(client, "GET", ENDPOINT, ak=AK, sk=SK, query=query)
    assert response.status_code == 200, (response.status_code, response.content[:300])
    return response.json()


def measure_endpoint(client, kinds):
    """{kind: (median seconds, total_count, records on the page, [SQL on billing_adjustment])}."""
    out = {}
    for name, query in kinds:
        with CaptureQueriesContext(connection) as captured:  # one untimed run, to keep its SQL
            body = request(client, query)
        sqls = [q["sql"] for q in captured.captured_queries if Adjustment._meta.db_table in q["sql"]]
        for _ in range(WARMUP):
            request(client, query)
        times = []
        for _ in range(REPEAT):
            started = time.perf_counter()
            request(client, query)
            times.append(time.perf_counter() - started)
        out[name] = (statistics.median(times), body["total_count"], len(body["records"]), sqls)
    return out


def explain(sql, *, analyze=True):
    options = "ANALYZE, BUFFERS" if analyze else "COSTS"
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN ({options}) {sql}")
        return [row[0] for row in cursor.fetchall()]


def sql_label(sql):
    head = sql.lstrip().upper()
    return "count" if head.startswith("SELECT COUNT(") else "page"


def sql_ms(sqls):
    """{"count"|"page": median ms of 5 plain executions (after one warm-up)}; EXPLAIN ANALYZE's own
    instrumentation inflates the times, so it is used for the plans only."""
    times = {}
    with connection.cursor() as cursor:
        for sql in sqls:
            runs = []
            for attempt in range(6):
                started = time.perf_counter()
                cursor.execute(sql)
                cursor.fetchall()
                if attempt:
                    runs.append((time.perf_counter() - started) * 1000)
            times[sql_label(sql)] = statistics.median(runs)
    return times


def db_times(result):
    """{kind: {"count"|"page": ms}} for the SQL the endpoint itself ran."""
    return {name: sql_ms(sqls) for name, (_median, _count, _records, sqls) in result.items()}


# --- a candidate fix for the customer_id filter, measured on the same data (not in the code base) -------

def candidate_customer_filter(queryset, customer_id):
    """What billing.filters.AdjustmentFilter.counterparty could do instead of
    `Q(customer__domain_id=…) | Q(reseller__domain_id=…)`: resolve the counterparty's primary key first,
    so the OR is on billing_adjustment's own indexed columns, not on two LEFT JOINed tables.
    (Only the side that exists goes into the filter: `reseller_id=None` would mean IS NULL.)"""
    condition = Q(pk__in=[])
    customer_pk = Customer.objects.filter(domain_id=customer_id).values_list("pk", flat=True).first()
    reseller_pk = Partner.objects.filter(domain_id=customer_id).values_list("pk", flat=True).first()
    if customer_pk is not None:
        condition |= Q(customer_id=customer_pk)
    if reseller_pk is not None:
        condition |= Q(reseller_id=reseller_pk)
    return queryset.filter(condition)


def candidate_times(actor, probes):
    """{kind: ({"count"|"page": ms}, total)} for the candidate customer_id filter."""
    out = {}
    for kind, key in (("customer_id filter, 1 row", "fixed"), ("customer_id filter, typical", "typical")):
        queryset = candidate_customer_filter(selectors.adjustments_for(actor), probes[key])
        with CaptureQueriesContext(connection) as captured:
            total, _rows = page(queryset, {"offset": 0, "limit": 10})
        sqls = [q["sql"] for q in captured.captured_queries if Adjustment._meta.db_table in q["sql"]]
        out[kind] = (sql_ms(sqls), total, sqls)
    return out


def growth(small_ms, large_ms):
    """Does this SQL grow with the table? (ratio above FLAT_RATIO and over 1 ms at 1M rows)"""
    return large_ms > 1.0 and large_ms / max(small_ms, 0.001) > FLAT_RATIO


# --- main ---------------------------------------------------------------------------------------

def main():
    total_started = time.perf_counter()
    name, version = check_database()
    say(f"bench/funds.py on database {name!r} — {version}, {os.cpu_count()} CPU(s)")
    call_command("migrate", interactive=False, verbosity=0)
    wipe()

    started = time.perf_counter()
    partner, user, customers = seed()
    say(f"seeded 1 partner, {len(customers):,} resale customers, funded: {time.perf_counter() - started:.1f}s")

    actor = actor_for_user(user, ip="127.0.0.1")
    assert actor.has_perm("funds.allocate")

    say(f"\n(a) {ALLOCATIONS:,} allocations of 1.00: single calls vs {ALLOCATIONS // BATCH} batch_allocate calls of "
        f"{BATCH} …")
    single, batch, (single_q, batch_q) = bench_allocations(actor, customers)
    say(f"    SQL statements per row: single call {single_q}, batch {batch_q:.1f}")
    say(f"    {ALLOCATIONS:,} × allocate_to_customer: {single:8.2f}s  ({single / ALLOCATIONS * 1000:.2f} ms/row)")
    say(f"    {ALLOCATIONS // BATCH} × batch_allocate of {BATCH} rows: {batch:8.2f}s  "
        f"({batch / ALLOCATIONS * 1000:.2f} ms/row)")
    say(f"    ratio batch/single = {batch / single:.2f}")

    # Probes that mean the same thing at both sizes.
    fixed = customers[ALLOCATIONS]        # first single-call customer: exactly 1 row at both sizes
    typical = customers[5_000]            # no service row; bulk rows: 1 at 10k, ~100 at 1M
    oldest = Adjustment.objects.filter(partner=partner).order_by("created_at").first().created_at
    state = {"next": 1, "base": oldest - timedelta(seconds=1)}
    probes = {"trans_id": bulk_trans_id(4_000), "fixed": fixed.domain_id, "typical": typical.domain_id}
    kinds = query_kinds(probes)
    client = Client()

    say(f"\n(b) GET {ENDPOINT}, median of {REPEAT} after {WARMUP} warm-up requests;")
    say("    SQL = median time of the endpoint's own count and page queries, run alone (psycopg2 cursor)")
    results, dbt, candidate = {}, {}, {}
    for size in (SMALL, LARGE):
        fill = fill_adjustments(partner, size, probe_customer=fixed, state=state)
        say(f"    {size:>9,} adjustment rows (bulk insert + VACUUM ANALYZE {fill:.1f}s)")
        results[size] = measure_endpoint(client, kinds)
        dbt[size] = db_times(results[size])
        candidate[size] = candidate_times(actor, probes)
        for kind, (median, count, records, _sqls) in results[size].items():
            sql = "  ".join(f"{k} {v:7.2f} ms" for k, v in dbt[size][kind].items())
            say(f"      {kind:<30} {median * 1000:8.2f} ms  total_count={count:<9,} records={records:<3} SQL: {sql}")
        for kind, (times, total, _sqls) in candidate[size].items():
            sql = "  ".join(f"{k} {v:7.2f} ms" for k, v in times.items())
            say(f"      {kind + ' [candidate fix]':<47} total_count={total:<9,}             SQL: {sql}")

    say("\nEXPLAIN ANALYZE at 1,000,000 rows of each query kind that is not flat:")
    verdicts = {}
    for kind, _query in kinds:
        ratio = results[LARGE][kind][0] / results[SMALL][kind][0]
        growing = [label for label in ("count", "page")
                   if label in dbt[LARGE][kind] and growth(dbt[SMALL][kind][label], dbt[LARGE][kind][label])]
        if ratio <= FLAT_RATIO and not growing:
            verdicts[kind] = "flat"
            continue
        verdicts[kind] = "NOT FLAT: " + (" + ".join(f"{label} query" for label in growing) or "request")
        say(f"\n  -- {kind}: request ratio 1M/10k = {ratio:.1f}; grows with the table: {', '.join(growing) or '-'}")
        for sql in results[LARGE][kind][3]:
            label = sql_label(sql)
            if growing and label not in growing:
                continue
            say(f"  [{label} query] {sql}")
            for line in explain(sql):
                say(f"    {line}")
    if all(v == "flat" for v in verdicts.values()):
        say("  (none: every query kind is flat)")

    say("\nThe candidate customer_id filter (pk resolved first), EXPLAIN ANALYZE at 1,000,000 rows:")
    for kind, (_times, _total, sqls) in candidate[LARGE].items():
        for sql in sqls:
            say(f"\n  -- {kind} [{sql_label(sql)} query] …WHERE {sql.split(' WHERE ', 1)[1]}")
            for line in explain(sql):
                say(f"    {line}")

    # --- summary ---------------------------------------------------------------------------------
    width = 124
    say("\n" + "=" * width)
    say(f"SUMMARY  ({version}, {os.cpu_count()} CPU(s); request medians of {REPEAT}; SQL ms = the queries alone)")
    say("=" * width)
    say(f"{'measurement':<44}{'10k | single':>13}{'1M | batch':>12}{'ratio':>8}  {'SQL count 10k→1M':>18}  "
        f"{'SQL page 10k→1M':>18}  verdict")
    say("-" * width)
    say(f"{'allocate 1,000 × 1.00 (s)':<44}{single:>13.2f}{batch:>12.2f}{batch / single:>8.2f}  {'':>18}  "
        f"{'':>18}  batch/single")

    def pair(times_small, times_large, label):
        a, b = times_small.get(label), times_large.get(label)
        return f"{a:.2f}→{b:.2f}" if a is not None and b is not None else "-"

    for kind, _query in kinds:
        small, large = results[SMALL][kind][0], results[LARGE][kind][0]
        say(f"{'GET ' + kind + ' (ms)':<44}{small * 1000:>13.2f}{large * 1000:>12.2f}{large / small:>8.2f}  "
            f"{pair(dbt[SMALL][kind], dbt[LARGE][kind], 'count'):>18}  "
            f"{pair(dbt[SMALL][kind], dbt[LARGE][kind], 'page'):>18}  {verdicts[kind]}")
    for kind, (times, _total, _sqls) in candidate[LARGE].items():
        small_times = candidate[SMALL][kind][0]
        growing = [label for label in times if growth(small_times[label], times[label])]
        verdict = "flat" if not growing else "NOT FLAT: " + " + ".join(growing)
        say(f"{'  ' + kind + ' [candidate fix]':<44}{'':>13}{'':>12}{'':>8}  "
            f"{pair(small_times, times, 'count'):>18}  {pair(small_times, times, 'page'):>18}  {verdict}")
    say("-" * width)
    say(f"ratio = 1M/10k for the endpoint, batch/single for the allocations; flat: request ratio ≤ {FLAT_RATIO} and no "
        f"SQL growing more than {FLAT_RATIO}× (ignoring SQL under 1 ms)")
    say(f"total run time {time.perf_counter() - total_started:.0f}s")


if __name__ == "__main__":
    main()
