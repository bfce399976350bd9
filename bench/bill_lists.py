#!/usr/bin/env python
"""The bill lists of issue 14 at 10k vs 10M fee records (PostgreSQL; ratios in one run).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pc_bench .venv/bin/python -m bench.bill_lists

It builds two data sets next to the named database — `<name>_bill_lists` with 10,000,000 fee records and
`<name>_bill_lists_small` with 10,000 — each on bench.dataset's small book (10,000 customers of the partner
`bench-sp`, its administrator and access key) plus the demo catalogue. The fee records (pay-per-use, paid in
cash, of the customer's association) are spread evenly over the last twelve months, the current one included,
and over the same 40 customers at both sizes (about 21 records a customer and month at 10k, 20,833 at 10M): every
list shows full pages and as many customers at both sizes, only the table grows. They are inserted with one INSERT … SELECT … generate_series, the table's non-unique indexes and foreign keys
built after the rows (bench/bulkload.py). The previous month is then closed (bills.closing.close_month), so
its lists read the monthly sums, and the current month's read the fee records.

Then, in-process (Django's WSGI handler, as the servers run it; the API requests signed by the official SDK,
the pages as the signed-in bench.admin), each list of the partner's is timed on one data set, then the other,
alternating for ROUNDS rounds (one process per data set and round: Django binds to one database), median ms:
- CBC `GET /v2/bills/subcustomer-bills/res-fee-records` (one customer's fee records of a month, limit 10),
  the current and the closed month;
- CBC `POST /v2/bills/subcustomer-bills/res-fee-records/sub-customers/query` (the customers that consumed in
  a month, limit 10) and `GET /v2/bills/partner-bills/subcustomer-bills/monthly-sum` (the month's sums, limit
  10, pay-per-use), the current and the closed month;
- the pages 客户消费 (/bills/consumption/?cycle=…) of both months and one customer's records
  (/bills/consumption/<account>/?cycle=…) of the current month.
Targets: each list's ratio 10M ÷ 10k ≤ 1.3, and the statements each sends equal at 10M and 10k and at limit
10 vs 100 (pages: page 1 vs 2). `--skip-build` reuses data sets an earlier run built. Exit status 1 when a
target fails.
"""

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import time

from . import env
from .report import TARGETS, say, target

FEES = {"large": 10_000_000, "small": 10_000}
SUFFIX = {"large": "_bill_lists", "small": "_bill_lists_small"}
MONTHS, ACTIVE = 12, 40
ROUNDS, REQUESTS = 4, 5


def url_of(base, scale):
    return env.with_database(base, env.database_name(base) + SUFFIX[scale])


def cycles(now):
    """The last MONTHS cycles, oldest first (the current one last)."""
    from bills import periods

    found = [periods.cycle_of(now)]
    while len(found) < MONTHS:
        found.insert(0, periods.previous_cycle(found[0]))
    return found


# --- the data sets ------------------------------------------------------------------------------------

def fees_sql():
    """Fee record i: month i % MONTHS (of %(starts)s), customer (i / MONTHS) % ACTIVE + 1 (its own association,
    id = customer id in bench.dataset's book), the k = i / (MONTHS × ACTIVE)-th of that customer-month, k seconds
    into the month (at most 11 hours: the current month may have just begun); 1.00–100.99 paid in cash."""
    from bills.models import FeeRecord

    return f"""
        INSERT INTO {FeeRecord._meta.db_table} (record_id, bill_cycle, is_adjustment, customer_id, association_id,
            partner_id, bill_type, charging_mode, status, usage_record_id, source_ref, trade_id, trade_time,
            effective_time, expire_time, service_type_id, resource_type_id, region_id, product_id, resource_id,
            resource_name, product_spec_desc, period_type, period_num, usage_type_id, usage_amount, usage_measure_id,
            free_resource_usage, official_amount, discount_amount, erase_amount, consume_amount, coupon_amount,
            flexipurchase_coupon_amount, cash_amount, debt_amount, writeoff_amount, partner_paid, trans_id, created_at)
        SELECT lpad(to_hex(r.i), 32, '0'), (%(cycles)s::text[])[r.m + 1], false, r.c, r.c, %(partner)s, 5, 3, 1, NULL,
            '', 'bench-usage-' || r.i, r.at, r.at, r.at + interval '1 hour', %(service_type)s, %(resource_type)s,
            %(region)s, %(product)s, 'bench-vm-' || r.c, 'bench-vm-' || r.c, %(spec)s, NULL, NULL, %(usage_type)s, 1,
            %(measure)s, 0, r.o / 100.0, 0, 0, r.o / 100.0, 0, 0, r.o / 100.0, 0, 0, false, '', r.at
        FROM (SELECT i, i %% {MONTHS} AS m, (i / {MONTHS}) %% {ACTIVE} + 1 AS c,
                     (%(starts)s::timestamptz[])[i %% {MONTHS} + 1]
                     + least(i / ({MONTHS} * {ACTIVE}), 40000) * interval '1 second' AS at,
                     100 + (i::bigint * 7919) %% 10000 AS o
              FROM generate_series(0, %(n)s - 1) AS i) AS r"""


def build(url, scale):
    """bench.dataset's small book into `url` (fresh), the catalogue, the fee records, the previous month closed."""
    command = [sys.executable, "-m", "bench.dataset", "--scale", "small", "--fresh", "--database-url", url]
    if subprocess.call(command, cwd=env.ROOT) != 0:
        raise SystemExit(f"building the book for {scale} failed")
    env.setup_django(url)
    from django.db import connection
    from django.utils import timezone

    from bills import closing, periods
    from bills.models import FeeRecord
    from catalog.demo import seed_catalog
    from catalog.models import Product
    from partnercenter.actors import SCHEDULER
    from partnercenter.models import Partner

    from . import bulkload
    from .dataset import PARTNER

    seed_catalog()
    product = Product.objects.get(resource_spec="s6.small.1.linux", region__code="cn-north-4", charge_mode=3)
    now = timezone.now()
    months = cycles(now)
    n = FEES[scale]
    params = {"n": n, "partner": Partner.objects.get(account_name=PARTNER).pk, "cycles": months,
              "starts": [periods.cycle_bounds(c)[0] for c in months], "service_type": product.service_type_id,
              "resource_type": product.resource_type_id, "region": product.region_id, "product": product.pk,
              "spec": product.spec_name or product.resource_spec, "usage_type": product.usage_type_id,
              "measure": product.usage_measure_id}
    started = time.perf_counter()
    bulkload.load(connection.get_connection_params(), [FeeRecord._meta.db_table],
                  [[[("fee records", fees_sql(), params)]]])
    say(f"  {n:,} fee records in {time.perf_counter() - started:.1f}s")
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
    started = time.perf_counter()
    closing.close_month(SCHEDULER, bill_cycle=months[-2], now=now)
    say(f"  {months[-2]} closed in {time.perf_counter() - started:.1f}s")


# --- the lists --------------------------------------------------------------------------------------------

def api_calls(f, month, limit):
    from huaweicloudsdkbss.v2 import (
        ListConsumeSubCustomersReq, ListConsumeSubCustomersRequest, ListSubCustomerBillDetailRequest,
        ListSubcustomerMonthlyBillsRequest,
    )

    from .signed import Call

    return [
        Call(f"res-fee-records, one customer, {month['label']}", "list_sub_customer_bill_detail",
             ListSubCustomerBillDetailRequest(bill_cycle=month["cycle"], customer_id=f["customer"], limit=limit)),
        Call(f"sub-customers query, {month['label']}", "list_consume_sub_customers",
             ListConsumeSubCustomersRequest(body=ListConsumeSubCustomersReq(bill_cycle=month["cycle"], limit=limit))),
        Call(f"monthly-sum, {month['label']}", "list_subcustomer_monthly_bills",
             ListSubcustomerMonthlyBillsRequest(cycle=month["cycle"], charge_mode="3", limit=limit)),
    ]


def pages(f, months):
    current, closed = months
    return {f"page 客户消费, {current['label']}": ("/bills/consumption/", f"cycle={current['cycle']}"),
            f"page 客户消费, {closed['label']}": ("/bills/consumption/", f"cycle={closed['cycle']}"),
            f"page one customer's records, {current['label']}": (f"/bills/consumption/{f['customer']}/",
                                                                 f"cycle={current['cycle']}")}


def measure_one(url, requests):
    """In this process, on `url`: {name: [ms, …]} and {name: (statements at limit 10 / page 1, at 100 / page 2)}."""
    from . import run

    env.setup_django(url)
    from django.test import Client
    from django.utils import timezone

    from customers.models import Customer
    from partnercenter.models import User

    from .dataset import ADMIN
    from .signed import sign, to_wsgi_environ

    f = run.facts(url)
    f["customer"] = Customer.objects.get(pk=1).domain_id
    now_cycles = cycles(timezone.now())
    months = [{"cycle": now_cycles[-1], "label": "current month"}, {"cycle": now_cycles[-2], "label": "closed month"}]
    client = run.in_process_client(f)
    browser = Client()
    browser.force_login(User.objects.get(username=ADMIN), backend="django.contrib.auth.backends.ModelBackend")
    cookie = f"sessionid={browser.cookies['sessionid'].value}"

    def api(call):
        status, body = run.wsgi(to_wsgi_environ(sign(client, call)))
        if status != 200:
            raise SystemExit(f"{call.name}: {status} {body[:300]!r}")

    def page(path, query):
        status, body = run.wsgi(run.page_environ(path, query, cookie))
        if status != 200:
            raise SystemExit(f"{path}?{query}: {status} {body[:300]!r}")

    work = {call.name: (lambda call=call: api(call)) for month in months for call in api_calls(f, month, 10)}
    work.update({name: (lambda p=p: page(*p)) for name, p in pages(f, months).items()})
    timings = {name: [] for name in work}
    for fn in work.values():  # warm
        fn()
    for _ in range(requests):
        for name, fn in work.items():
            started = time.perf_counter()
            fn()
            timings[name].append((time.perf_counter() - started) * 1000)
    counts = {}
    with run.StatementCounter() as counter:
        def counted(fn):
            fn()
            counter.reset()
            counter.on = True
            fn()
            counter.on = False
            return counter.total

        for month in months:
            for ten, hundred in zip(api_calls(f, month, 10), api_calls(f, month, 100)):
                counts[ten.name] = (counted(lambda: api(ten)), counted(lambda: api(hundred)))
        for name, (path, query) in pages(f, months).items():
            counts[name] = (counted(lambda: page(path, query)), counted(lambda: page(path, query + "&page=2")))
    return {"timings": timings, "counts": counts}


def measure(large_url, small_url):
    started = time.perf_counter()
    say(f"bench.bill_lists — {env.database_name(large_url)} ({FEES['large']:,} fee records) and "
        f"{env.database_name(small_url)} ({FEES['small']:,}); {ROUNDS} rounds of {REQUESTS} requests per list, "
        f"alternating; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    samples, counts = {"large": {}, "small": {}}, {}
    for r in range(ROUNDS):
        for scale in (("large", "small") if r % 2 == 0 else ("small", "large")):
            url = large_url if scale == "large" else small_url
            out = subprocess.run([sys.executable, "-m", "bench.bill_lists", "--measure-one", "--database-url", url],
                                 cwd=env.ROOT, capture_output=True, text=True)
            if out.returncode != 0:
                raise SystemExit(f"measuring {scale} failed:\n{out.stdout[-2000:]}\n{out.stderr[-3000:]}")
            result = json.loads(out.stdout.strip().splitlines()[-1])
            for name, values in result["timings"].items():
                samples[scale].setdefault(name, []).extend(values)
            for name, pair in result["counts"].items():
                counts.setdefault(name, {})[scale] = tuple(pair)
    big, small_n = f"{FEES['large']:,}", f"{FEES['small']:,}"
    say(f"\n   {'list':<52}{'large ms':>9}{'small ms':>9}{'ratio':>7}   statements large (10 / 100), small (10 / 100)")
    for name in samples["large"]:
        large, small = statistics.median(samples["large"][name]), statistics.median(samples["small"][name])
        (l10, l100), (s10, s100) = counts[name]["large"], counts[name]["small"]
        say(f"   {name:<52}{large:>9.1f}{small:>9.1f}{large / small:>7.2f}   {l10} / {l100}, {s10} / {s100}")
        target(f"{name}: {big} vs {small_n} fee records", large / small, "<=", 1.3, large / small <= 1.3)
        target(f"{name}: statements, both sizes, 10 and 100 rows (pages: page 1 and 2)",
               f"{l10}/{l100}/{s10}/{s100}", "=", "equal", len({l10, l100, s10, s100}) == 1)
    say(f"\n(bench.bill_lists took {time.perf_counter() - started:.0f} s)")
    for line, _passed in TARGETS:
        say(line)
    return 0 if all(passed for _line, passed in TARGETS) else 1


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.bill_lists", description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--skip-build", action="store_true")
    parser.add_argument("--build-one", choices=list(FEES), help=argparse.SUPPRESS)
    parser.add_argument("--measure-one", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--large", type=int, default=FEES["large"], help="fee records of the large data set (a "
                        "smaller one for a trial run: the targets are about 10M)")
    args = parser.parse_args(argv)
    FEES["large"] = args.large
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    base = env.require_bench_url(args.database_url, "bench.bill_lists")
    if args.build_one:
        build(base, args.build_one)
        return 0
    if args.measure_one:
        print(json.dumps(measure_one(base, REQUESTS)), flush=True)
        return 0
    if not args.skip_build:
        for scale in FEES:  # one process per database (Django binds to one)
            command = [sys.executable, "-m", "bench.bill_lists", "--build-one", scale, "--large", str(args.large),
                       "--database-url", url_of(base, scale)]
            if subprocess.call(command, cwd=env.ROOT) != 0:
                raise SystemExit(f"building the {scale} bill-list data set failed")
    return measure(url_of(base, "large"), url_of(base, "small"))


if __name__ == "__main__":
    sys.exit(main())
