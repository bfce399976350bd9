#!/usr/bin/env python
"""The trade benchmarks of issue 12 (PostgreSQL; ratios in one run).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pc_bench .venv/bin/python -m bench.trade

It builds two data sets next to the named database — `<name>_trade` with 1,000,000 orders and
`<name>_trade_small` with 10,000 — each on bench.dataset's small book (10,000 customers, the partner
`bench-sp`, its administrator's access key) plus the demo catalogue, the orders inserted with one
INSERT … SELECT … generate_series per table (every constraint live; 70 % completed, 20 % cancelled,
10 % waiting for payment, one line each). Then, with one gunicorn server per data set (as bench.run
starts them) and every request signed by the official SDK:

1. rating: POST /v2/bills/ratings/period-resources/subscribe-rate with 100 items, throughput as a
   ratio to the balances query (GET /v2/accounts/partner-accounts/balances, the trivial endpoint the
   issue names) in the same interleaved rounds (target ≥ 0.5); its ratio to GET /v1/whoami, the
   cheapest signed request, is printed too;
2. the order list (GET /v2/orders/customer-orders, limit 10): latency at 1M vs 10k orders, ratio of
   medians (target ≤ 1.3), and its throughput ratio to the trivial endpoint (recorded);
3. statements per order-list request at limit 10 vs 100 and at 1M vs 10k (target: equal);
4. 1,000 payments in sequence (in-process services on the large data set): one customer with a balance
   and 100 coupons pays 1,000 orders placed for it, each with one coupon and its balance; statements per
   payment printed for the first and the last 100 (target: equal — nothing grows with the number of
   orders or coupons), and the ledger and coupon balances checked afterwards.

`--skip-build` reuses data sets an earlier run built. Exit status 1 when any target fails.
"""

import argparse
import os
import signal
import statistics
import subprocess
import sys
import time

from . import env
from .report import TARGETS, say, target

ORDERS = {"large": 1_000_000, "small": 10_000}
SUFFIX = {"large": "_trade", "small": "_trade_small"}
RATING_ITEMS = 100
PAYMENTS, PAYMENT_COUPONS = 1_000, 100
ROUNDS, ROUND_SECONDS, CONCURRENCY = 9, 1.0, 2
LATENCY_ROUNDS, LATENCY_REQUESTS = 6, 5


def url_of(base, scale):
    return env.with_database(base, env.database_name(base) + SUFFIX[scale])


# --- the data sets ------------------------------------------------------------------------------------

def orders_sql():
    """(INSERT orders, INSERT lines) for %(n)s orders of the first 10,000 customers, paid by the customer."""
    from trade.models import Order, OrderLine

    order, line = Order._meta.db_table, OrderLine._meta.db_table
    # i % 10: 0..6 completed (5), 7..8 cancelled (4), 9 waiting for payment (6). One order a minute,
    # ending now, so time order is id order.
    orders = f"""
        INSERT INTO {order} (id, order_id, customer_id, partner_id, order_type, status, source_type, service_type_id,
            official_amount, discount_amount, amount_after_discount, payer, paying_partner_id, coupon_amount,
            flexipurchase_coupon_amount, cash_amount, is_marketplace, sales_partner_id, is_stored_card, invoiceable,
            vat_invoice_issued_at, base_order_id, user_name, create_time, pending_payment_end_time, payment_time,
            cancelled_at)
        SELECT i + 1, 'CS' || lpad(i::text, 15, '0'), (i::bigint * 7919) %% %(customers)s + 1, %(partner)s,
            CASE WHEN i %% 13 = 0 THEN 2 ELSE 1 END,
            CASE WHEN i %% 10 < 7 THEN 5 WHEN i %% 10 < 9 THEN 4 ELSE 6 END,
            CASE WHEN i %% 4 = 0 THEN 2 ELSE 1 END, %(service_type)s,
            %(price)s::numeric, 0, %(price)s::numeric,
            CASE WHEN i %% 10 < 7 THEN 'customer' ELSE '' END, NULL::bigint,
            0, 0, CASE WHEN i %% 10 < 7 THEN %(price)s::numeric ELSE 0 END,
            false, NULL::bigint, false, false, NULL::timestamptz, NULL::bigint, 'bench',
            %(base)s - (%(n)s - i) * interval '1 minute',
            %(base)s - (%(n)s - i) * interval '1 minute' + interval '7 days',
            CASE WHEN i %% 10 < 7 THEN %(base)s - (%(n)s - i) * interval '1 minute' + interval '10 seconds' END,
            CASE WHEN i %% 10 IN (7, 8) THEN %(base)s - (%(n)s - i) * interval '1 minute' + interval '1 hour' END
        FROM generate_series(0, %(n)s - 1) AS i"""
    lines = f"""
        INSERT INTO {line} (id, order_id, line_id, product_id, service_type_id, charge_mode, period_type, period_num,
            subscription_num, resource_size, size_measure_id, resource_id, parent_line_id, official_amount,
            discount_amount, amount_after_discount, effective_time, expire_time)
        SELECT i + 1, i + 1, 'CS' || lpad(i::text, 15, '0') || '-1', %(product)s, %(service_type)s, 1, 2, 1, 1,
            NULL::integer, NULL::integer, '', NULL::bigint, %(price)s::numeric, 0, %(price)s::numeric, NULL, NULL
        FROM generate_series(0, %(n)s - 1) AS i"""
    sequences = "; ".join(f"SELECT setval(pg_get_serial_sequence('{t}', 'id'), (SELECT max(id) FROM {t}))"
                          for t in (order, line))
    return orders, lines, sequences


def build(url, scale):
    """bench.dataset's small book into `url` (fresh), then the catalogue and the orders (in this process)."""
    command = [sys.executable, "-m", "bench.dataset", "--scale", "small", "--fresh", "--database-url", url]
    if subprocess.call(command, cwd=env.ROOT) != 0:
        raise SystemExit(f"building the book for {scale} failed")
    env.setup_django(url)
    from django.db import connection

    from catalog.demo import seed_catalog
    from catalog.models import Price
    from partnercenter.models import Partner
    from partnercenter.money import quantize

    from .dataset import PARTNER

    seed_catalog()
    price = Price.objects.filter(product__charge_mode=1, period_type=2, product__is_linear=False,
                                 product__is_stored_card=False, product__is_marketplace=False).select_related(
        "product").order_by("product__product_id").first()
    partner = Partner.objects.get(account_name=PARTNER)
    orders, lines, sequences = orders_sql()
    params = {"n": ORDERS[scale], "customers": 10_000, "partner": partner.pk, "product": price.product.pk,
              "service_type": price.product.service_type_id, "price": str(quantize(price.amount))}
    started = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("SELECT date_trunc('second', now())")
        params["base"] = cur.fetchone()[0]
        cur.execute("SET work_mem = '256MB'; SET synchronous_commit = off")
        cur.execute(orders, params)
        cur.execute(lines, params)
        cur.execute(sequences)
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
    say(f"  {ORDERS[scale]:,} orders and lines in {time.perf_counter() - started:.1f}s")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.trade", description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--skip-build", action="store_true")
    parser.add_argument("--build-one", choices=list(ORDERS), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    base = env.require_bench_url(args.database_url, "bench.trade")
    if args.build_one:
        build(base, args.build_one)
        return 0
    if not args.skip_build:
        for scale in ORDERS:  # one process per database (Django binds to one)
            command = [sys.executable, "-m", "bench.trade", "--build-one", scale, "--database-url", url_of(base, scale)]
            if subprocess.call(command, cwd=env.ROOT) != 0:
                raise SystemExit(f"building the {scale} trade data set failed")
    return measure(url_of(base, "large"), url_of(base, "small"))


# --- the calls ------------------------------------------------------------------------------------------

def rating_call(products):
    """subscribe-rate for RATING_ITEMS items over the catalogue's monthly products (a partner key: official prices)."""
    from huaweicloudsdkbss.v2 import (
        ListRateOnPeriodDetailRequest,
        PeriodProductInfo,
        RateOnPeriodReq,
    )

    from .signed import Call

    infos = []
    for i in range(RATING_ITEMS):
        p = products[i % len(products)]
        infos.append(PeriodProductInfo(
            id=str(i + 1), cloud_service_type=p["service_type"], resource_type=p["resource_type"],
            resource_spec=p["spec"], region=p["region"], period_type=2, period_num=1 + i % 11,
            subscription_num=1 + i % 3, resource_size=p["size"], size_measure_id=p["size_measure"]))
    return Call(f"subscribe-rate {RATING_ITEMS} items", "list_rate_on_period_detail",
                ListRateOnPeriodDetailRequest(body=RateOnPeriodReq(project_id="bench", product_infos=infos)))


def order_list_call(limit=10):
    from huaweicloudsdkbss.v2 import ListCustomerOrdersRequest

    from .signed import Call

    return Call(f"customer-orders limit {limit}", "list_customer_orders", ListCustomerOrdersRequest(limit=limit))


def monthly_products():
    """The catalogue's monthly-priced products, with a size for the linear ones."""
    from catalog.models import Price

    rows = []
    for price in Price.objects.filter(period_type=2, product__charge_mode=1, product__is_active=True,
                                      product__is_stored_card=False).select_related(
            "product__service_type", "product__resource_type", "product__region").order_by("product__product_id"):
        p = price.product
        rows.append({"service_type": p.service_type.code, "resource_type": p.resource_type.code,
                     "spec": p.resource_spec, "region": p.region.code,
                     "size": (p.min_size or 40) if p.is_linear else None,
                     "size_measure": p.size_measure_id if p.is_linear else None})
    return rows


# --- measurements ---------------------------------------------------------------------------------------

def over_http(large_url, small_url, f_large, f_small, products):
    from partnercenter import secretbox

    from . import run
    from .signed import bss_client, send

    cache = run.redis_url()
    extra = {"REDIS_URL": cache} if cache else {}
    facts_by = {"large": f_large, "small": f_small}
    servers = [run.Server("large", large_url, extra), run.Server("small", small_url, extra)]
    try:
        for server in servers:
            server.wait()
        clients = {s.label: bss_client(s.base, facts_by[s.label]["ak"], secretbox.decrypt(facts_by[s.label]["sk_encrypted"]),
                                       facts_by[s.label]["domain_id"]) for s in servers}
        say("\n1. SDK check:")
        for server in servers:
            client = clients[server.label]
            orders = client.list_customer_orders(order_list_call().request)
            rated = client.list_rate_on_period_detail(rating_call(products).request)
            say(f"   {server.label}: customer-orders total_count={orders.total_count:,}, subscribe-rate "
                f"{len(rated.official_website_rating_result.product_rating_results)} results, official "
                f"{rated.official_website_rating_result.official_website_amount}")
        whoami = run.trivial_call(run.pick_trivial(clients["large"]))
        balances = run.trivial_call(run.BALANCES)
        balances.name = "GET /v2/accounts/partner-accounts/balances"
        rating, orders = rating_call(products), order_list_call()
        pairs = [(whoami, rating), (balances, rating), (whoami, orders)]
        say(f"\n2. Throughput: {ROUNDS} rounds, {CONCURRENCY} clients, {ROUND_SECONDS}s each; each call back to back "
            f"with its baseline (which one first alternating), ratio of the pair, median")
        ratios = {}
        for call in (whoami, balances, rating, orders):  # warm-up
            run.rate(clients["large"], call, 0.3, CONCURRENCY)
        for r in range(ROUNDS):
            for i, (base, call) in enumerate(pairs):
                pair = (base, call) if (r + i) % 2 == 0 else (call, base)
                measured = {c.name: run.rate(clients["large"], c, ROUND_SECONDS, CONCURRENCY) for c in pair}
                ratios.setdefault((call.name, base.name), []).append(measured[call.name] / measured[base.name])
        out = {key: statistics.median(values) for key, values in ratios.items()}
        for (name, base_name), ratio in out.items():
            say(f"   {name:<28} vs {base_name:<46} {ratio:.2f}")
        say(f"\n3. Latency of the order list at {ORDERS['large']:,} vs {ORDERS['small']:,} orders: "
            f"{LATENCY_ROUNDS} rounds of {LATENCY_REQUESTS} back-to-back pairs, ratio of medians")
        call = order_list_call()
        timings = {"large": [], "small": []}
        for r in range(LATENCY_ROUNDS):
            for _ in range(LATENCY_REQUESTS):
                for label in (("large", "small") if r % 2 == 0 else ("small", "large")):
                    started = time.perf_counter()
                    status, body = send(clients[label], call)
                    timings[label].append(time.perf_counter() - started)
                    if status != 200:
                        raise SystemExit(f"{call.name} ({label}): {status} {body[:200]!r}")
        large_ms, small_ms = (statistics.median(timings[k]) * 1000 for k in ("large", "small"))
        say(f"   large {large_ms:.2f} ms, small {small_ms:.2f} ms, ratio {large_ms / small_ms:.2f}")
        return out, large_ms / small_ms
    finally:
        for server in servers:
            server.stop()


def statements_per_list(f):
    from . import run

    client = run.in_process_client(f)
    counts = []
    with run.StatementCounter() as counter:
        from .signed import sign, to_wsgi_environ

        for limit in (10, 100):
            call = order_list_call(limit)
            run.wsgi(to_wsgi_environ(sign(client, call)))
            counter.reset()
            counter.on = True
            status, body = run.wsgi(to_wsgi_environ(sign(client, call)))
            counter.on = False
            if status != 200:
                raise SystemExit(f"{call.name}: {status} {body[:200]!r}")
            counts.append(counter.total)
    say(f"\n4. Statements per order-list request (in-process, large): limit 10: {counts[0]}, limit 100: {counts[1]}")
    return counts


def payments():
    """PAYMENTS orders placed for one customer, then paid one after another, each with one of its
    PAYMENT_COUPONS coupons and its balance; statements per payment."""
    from decimal import Decimal
    from hashlib import md5

    from django.db import connection

    from billing import services as billing_services
    from catalog.models import Price
    from customers.models import Customer, CustomerUser
    from partnercenter.actors import actor_for_user
    from partnercenter.models import Member, User
    from trade import services
    from trade.models import OrderCoupon
    from trade.pricing import Item
    from vouchers import services as voucher_services
    from vouchers.models import Coupon, CouponQuota

    from . import run
    from .dataset import ADMIN

    customer = Customer.objects.order_by("pk").first()   # customer 0: resale
    user, _ = User.objects.get_or_create(username="bench.payer")
    CustomerUser.objects.get_or_create(user=user, defaults={"customer": customer, "is_owner": True})
    payer = actor_for_user(user)
    admin = actor_for_user(Member.objects.get(user__username=ADMIN).user)
    billing_services.allocate_to_customer(admin, customer_id=customer.domain_id, amount="100000.00")
    quota = CouponQuota.objects.get(quota_id=md5(b"bench-issue").hexdigest())  # bench.dataset's quota with nothing issued
    for _ in range(PAYMENT_COUPONS):
        voucher_services.issue_coupons(admin, quota_id=quota.quota_id, customer_ids=[customer.domain_id],
                                       face_value="5000.00")
    coupons = list(Coupon.objects.filter(customer=customer, quota=quota).order_by("-pk")  # the ones just issued
                   .values_list("coupon_id", flat=True)[:PAYMENT_COUPONS])
    price = Price.objects.filter(period_type=2, product__charge_mode=1, product__is_linear=False,
                                 product__is_stored_card=False, product__is_marketplace=False).select_related(
        "product").order_by("product__product_id").first()
    started = time.perf_counter()
    orders = [services.place_order(payer, customer_id=customer.domain_id,
                                   items=[Item(id="1", product=price.product, period_type=2, period_num=1)]).order_id
              for _ in range(PAYMENTS)]
    say(f"\n5. {PAYMENTS:,} payments in sequence: {PAYMENTS:,} orders of {price.amount:.2f} placed in "
        f"{time.perf_counter() - started:.1f}s; {len(coupons)} coupons of 5,000.00")
    per_payment = []
    started = time.perf_counter()
    with run.StatementCounter() as counter:
        for i, order_id in enumerate(orders):
            counter.reset()
            counter.on = True
            services.pay_order(payer, order_id=order_id, coupon_ids=[coupons[i % len(coupons)]])
            counter.on = False
            per_payment.append(counter.total)
    took = time.perf_counter() - started
    first, last = per_payment[:100], per_payment[-100:]
    say(f"   paid in {took:.1f}s ({PAYMENTS / took:.0f}/s); statements per payment: first 100 "
        f"{min(first)}–{max(first)} (median {statistics.median(first):g}), last 100 {min(last)}–{max(last)} "
        f"(median {statistics.median(last):g})")
    spent = {c.coupon_id: c for c in Coupon.objects.filter(coupon_id__in=coupons)}
    used = {}
    for use in OrderCoupon.objects.filter(coupon__coupon_id__in=coupons).select_related("coupon"):
        used[use.coupon.coupon_id] = used.get(use.coupon.coupon_id, Decimal("0")) + use.amount
    coupon_problems = sum(1 for cid, c in spent.items() if c.face_value - c.balance != used.get(cid, 0))
    from .dataset import consistency_problems

    problems = consistency_problems()
    say(f"   coupons whose balance differs from their uses: {coupon_problems}; money (bench.dataset's checks): "
        f"{'; '.join(problems) or 'consistent'}")
    connection.close()
    return statistics.median(first), statistics.median(last), max(first), max(last), coupon_problems + len(problems)


def measure(large_url, small_url):
    from . import run

    started = time.perf_counter()
    os.environ.update({"REDIS_URL": run.redis_url()} if run.redis_url() else {})
    env.setup_django(large_url)
    f_large, f_small = run.facts(large_url), run.facts(small_url)
    products = monthly_products()
    say(f"bench.trade — {env.database_name(large_url)} ({ORDERS['large']:,} orders) and "
        f"{env.database_name(small_url)} ({ORDERS['small']:,}); {len(products)} monthly products rated in turn; "
        f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    ratios, growth = over_http(large_url, small_url, f_large, f_small, products)
    counts = statements_per_list(f_large)
    first, last, first_max, last_max, problems = payments()

    rating_name, orders_name = rating_call(products).name, order_list_call().name
    by_balances = ratios[(rating_name, "GET /v2/accounts/partner-accounts/balances")]
    by_whoami = {call: ratio for (call, base), ratio in ratios.items() if base != "GET /v2/accounts/partner-accounts/balances"}
    target(f"throughput vs the balances query (the issue's trivial endpoint), subscribe-rate with {RATING_ITEMS} items",
           by_balances, ">=", 0.5, by_balances >= 0.5)
    say(f"Recorded (no target): vs GET /v1/whoami, subscribe-rate {by_whoami[rating_name]:.2f}, order list "
        f"{by_whoami[orders_name]:.2f}")
    target("order list latency, 1M vs 10k orders", growth, "<=", 1.3, growth <= 1.3)
    target("order list statements, limit 10 vs 100", f"{counts[0]} vs {counts[1]}", "=", "equal", counts[0] == counts[1])
    target(f"statements per payment, median of the first vs the last 100 of {PAYMENTS:,}", f"{first:g} vs {last:g}",
           "=", "equal", first == last and first_max == last_max)
    target("coupon and money differences after the payments", problems, "=", 0, problems == 0, fmt="{:d}")
    say(f"Run time {time.perf_counter() - started:.0f}s.\n")
    for line, _passed in TARGETS:
        say(line)
    failed = sum(1 for _line, passed in TARGETS if not passed)
    say(f"\n{len(TARGETS) - failed} of {len(TARGETS)} targets met.")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
