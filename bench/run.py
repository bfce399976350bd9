#!/usr/bin/env python
"""The benchmarks of issue 10 against the data sets of bench/dataset.py; ends with one line per target.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pc_bench .venv/bin/python -m bench.run

DATABASE_URL holds the large data set, `<name>_small` (or BENCH_SMALL_DATABASE_URL) the small one. Two
gunicorn servers are started on loopback (`gunicorn partnercenter.wsgi -w 2`, DEBUG=0, the project's
gunicorn.conf.py — persistent connections as it configures them — and Redis db 5 as cache when it
answers, BENCH_REDIS_URL to change), one per data set, and every API request is built and signed by the
official SDK (bench/signed.py). Then:

1. an SDK check: each operation once through `BssClient` itself, on both servers;
2. throughput: in rounds, each signed list endpoint back to back with the trivial signed endpoint
   (`GET /v1/whoami`, or `GET /v2/accounts/partner-accounts/balances` while whoami does not answer 200),
   2 concurrent clients for a fixed time each; ratio = list req/s ÷ trivial req/s of that pair, median
   over the rounds (on both data sets; the target is at the large one);
3. latency at the large vs the small data set: lists and pages (signed in as bench.admin through the
   login form), one request at a time, in back-to-back pairs (large, small); ratio of medians;
4. statements per page (in-process, large data set): each list endpoint at limit 10 and 100 (the
   batch query at 10 and 100 ids), each page at its first and 50th page;
5. the trivial signed request, in-process through Django's WSGI handler (request_started/finished as
   under gunicorn, so connection reuse and health checks count): statements sent to PostgreSQL per
   request, and its latency split — signature (parsing, SK decryption, canonical request, HMAC),
   lookup (the rest of authentication: key, owner, partner, roles, actor), view (everything else:
   middleware, throttles, the view, rendering);
6. batches (in-process services, large data set): 10 × batch_allocate of 100 rows vs 1,000
   allocate_to_customer calls; 5 × issue_coupons to 100 customers vs 500 issue_coupons to one each;
   then bench.dataset's set-based money and quota checks over everything these writes left.

`--parts` runs a subset (e.g. `--parts statements,trivial`); the SDK check always runs.

Exit status 1 when any target fails.
"""

import argparse
import hashlib
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from http.client import HTTPConnection
from urllib.parse import urlencode

from . import env
from .report import TARGETS, say, target

# --- knobs ------------------------------------------------------------------------------------------
ROUNDS, ROUND_SECONDS, CONCURRENCY = 9, 1.0, 2          # throughput (fewer, shorter rounds moved ratios by ±0.1 run to run)
LATENCY_ROUNDS, LATENCY_REQUESTS = 6, 5                 # latency large vs small: pairs per list per round
SINGLES, BATCHES, BATCH = 1_000, 10, 100               # allocations
COUPON_SINGLES, COUPON_BATCHES = 500, 5                 # coupon issue (batches of BATCH)
TRIVIAL_REQUESTS = 40
ADMIN, PASSWORD = "bench.admin", "Bench-pages-2026"     # as bench/dataset.py
PAGES = {"page /customers/": "/customers/", "page /billing/adjustments/": "/billing/adjustments/",
         "page /vouchers/coupons/": "/vouchers/coupons/"}
DEEP_PAGE = 50

ALL_PARTS = "throughput,latency,statements,trivial,batches"


# --- the data sets ----------------------------------------------------------------------------------

def facts(url):
    """What the runner needs from a data set, read with plain SQL (the small one is not Django's database)."""
    import psycopg2

    from billing.models import Adjustment
    from customers.models import Customer
    from partnercenter.models import AccessKey, Partner, User
    from vouchers.models import Coupon

    key, user, partner = AccessKey._meta.db_table, User._meta.db_table, Partner._meta.db_table
    customer, adjustment, coupon = Customer._meta.db_table, Adjustment._meta.db_table, Coupon._meta.db_table
    conn = psycopg2.connect(url)
    try:
        with conn.cursor() as cur:
            cur.execute(f"""SELECT k.ak, k.sk_encrypted, p.domain_id, p.id FROM {key} k
                            JOIN {user} u ON u.id = k.user_id JOIN {partner} p ON p.id = k.partner_id
                            WHERE u.username = %s ORDER BY k.id LIMIT 1""", [ADMIN])
            row = cur.fetchone()
            if row is None:
                raise SystemExit(f"No bench data set in {env.database_name(url)!r}: run python -m bench.dataset first.")
            ak, sk_encrypted, domain_id, partner_pk = row
            cur.execute(f"SELECT count(*) FROM {customer}")
            customers = cur.fetchone()[0]
            cur.execute(f"SELECT count(*) FROM {adjustment}")
            adjustments = cur.fetchone()[0]
            cur.execute(f"SELECT count(*) FROM {coupon}")
            coupons = cur.fetchone()[0]
            # 100 resale customers spread over the whole book (customer i is resale iff i % 10 < 7).
            step = max(customers // 100, 10)
            cur.execute(f"SELECT domain_id FROM {customer} WHERE id IN %s ORDER BY id",
                        [tuple(i * step + 1 for i in range(100))])
            spread = [r[0] for r in cur.fetchall()]
    finally:
        conn.close()
    return {"ak": ak, "sk_encrypted": sk_encrypted, "domain_id": domain_id, "partner_pk": partner_pk,
            "customers": customers, "adjustments": adjustments, "coupons": coupons, "spread": spread}


def scale_label(f):
    return f"{f['customers']:,} customers / {f['adjustments']:,} adjustments / {f['coupons']:,} coupons"


# --- the calls ----------------------------------------------------------------------------------------

def list_calls(f, *, limit=10, ids=10):
    from huaweicloudsdkbss.v2 import (
        CustomerInfoV2, ListCustomersBalancesDetailRequest, ListIssuedPartnerCouponsRequest,
        ListPartnerAdjustRecordsRequest, ListSubCustomersRequest, QueryCustomersBalancesReq, QuerySubCustomerListReq,
    )

    from .signed import Call

    return [
        Call(f"sub-customers query limit {limit}", "list_sub_customers",
             ListSubCustomersRequest(body=QuerySubCustomerListReq(limit=limit, offset=0))),
        Call(f"sub-customers query limit {limit}, account_name filter", "list_sub_customers",
             ListSubCustomersRequest(body=QuerySubCustomerListReq(limit=limit, offset=0, account_name="flagship"))),
        Call(f"adjust-records limit {limit}", "list_partner_adjust_records",
             ListPartnerAdjustRecordsRequest(limit=limit, offset=0)),
        Call(f"partner-coupons limit {limit}", "list_issued_partner_coupons",
             ListIssuedPartnerCouponsRequest(limit=limit, offset=0)),
        Call(f"customer-balances batch-query {ids} ids", "list_customers_balances_detail",
             ListCustomersBalancesDetailRequest(body=QueryCustomersBalancesReq(
                 customer_infos=[CustomerInfoV2(customer_id=c) for c in f["spread"][:ids]]))),
    ]


def short(name):
    return re.sub(r" limit \d+| \d+ ids", "", name)


WHOAMI = ("GET /v1/whoami", "/v1/whoami")
BALANCES = ("GET /v2/accounts/partner-accounts/balances (whoami not answering yet)",
            "/v2/accounts/partner-accounts/balances")


def trivial_call(name_path):
    from .signed import Call

    return Call(name_path[0], method="GET", path=name_path[1])


# --- servers ------------------------------------------------------------------------------------------

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn partnercenter.wsgi -w 2 on 127.0.0.1 for one data set (the project's gunicorn.conf.py
    is read from the project root, as in production; -w and -b given here win)."""

    def __init__(self, label, url, extra_env):
        self.label, self.url, self.port = label, url, free_port()
        env.OUT.mkdir(parents=True, exist_ok=True)
        self.log_path = env.OUT / f"gunicorn-{label}.log"
        process_env = dict(os.environ, **env.SERVER_ENV, **extra_env, DATABASE_URL=url)
        command = [str(env.ROOT / ".venv" / "bin" / "gunicorn"), "partnercenter.wsgi:application", "-w", "2",
                   "-b", f"127.0.0.1:{self.port}"]
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen(command, cwd=env.ROOT, env=process_env, stdout=self.log,
                                        stderr=subprocess.STDOUT)
        self.base = f"http://127.0.0.1:{self.port}"

    def wait(self, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn ({self.label}) exited; see {self.log_path}")
            try:
                conn = HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise SystemExit(f"gunicorn ({self.label}) did not answer /healthz; see {self.log_path}")

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()


class Browser:
    """A signed-in member on one server: the login form (CSRF token from its cookie and hidden field), then
    the session cookie on every page request."""

    def __init__(self, port):
        self.port, self.cookies = port, {}

    def request(self, method, path, body=None, headers=None):
        conn = HTTPConnection("127.0.0.1", self.port, timeout=120)
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            content = response.read()
            for value in response.headers.get_all("Set-Cookie") or []:
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
            return response.status, content
        finally:
            conn.close()

    def login(self):
        status, content = self.request("GET", "/login/")
        match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', content)
        if status != 200 or not match:
            raise SystemExit(f"login page: {status}")
        form = urlencode({"csrfmiddlewaretoken": match.group(1).decode(), "username": ADMIN, "password": PASSWORD})
        status, _ = self.request("POST", "/login/", form, {"Content-Type": "application/x-www-form-urlencoded"})
        if status != 302 or "sessionid" not in self.cookies:
            raise SystemExit(f"signing in as {ADMIN} failed ({status})")

    def get(self, path):
        status, content = self.request("GET", path)
        if status != 200:
            raise SystemExit(f"GET {path}: {status}")
        return content


# --- measurements over HTTP ------------------------------------------------------------------------------

def checked_send(client, call):
    from .signed import send

    status, body = send(client, call)
    if status != 200:
        raise SystemExit(f"{call.name}: HTTP {status} {body[:300]!r}")
    return body


def sdk_check(servers, clients, f_by_label):
    """Each operation once through the SDK client itself (request built, signed, sent, answer deserialized)."""
    say("\n1. SDK check (huaweicloudsdkbss BssClient, end to end):")
    from huaweicloudsdkbss.v2 import ListPartnerBalancesRequest

    for server in servers:
        client, f = clients[server.label], f_by_label[server.label]
        parts = []
        for call in list_calls(f):
            response = getattr(client, call.operation)(call.request)
            value = (getattr(response, "count", None) or getattr(response, "total_count", None)
                     or len(getattr(response, "customer_balances", None) or []))
            parts.append(f"{short(call.name)}={value:,}")
        balances = client.list_partner_balances(ListPartnerBalancesRequest())
        parts.append(f"partner balances={len(balances.account_balances or [])} accounts")
        say(f"   {server.label}: " + ", ".join(parts))


def pick_trivial(client):
    from .signed import send

    status, body = send(client, trivial_call(WHOAMI))
    if status == 200:
        return WHOAMI
    say(f"   GET /v1/whoami answered {status}: comparing with GET /v2/accounts/partner-accounts/balances instead")
    return BALANCES


def rate(client, call, seconds, concurrency):
    """Completed requests per second with `concurrency` clients sending back to back for `seconds`."""
    from .signed import send

    deadline = time.perf_counter() + seconds
    counts, failures = [0] * concurrency, []

    def worker(k):
        while time.perf_counter() < deadline and not failures:
            status, body = send(client, call)
            if status != 200:
                failures.append(f"{call.name}: HTTP {status} {body[:200]!r}")
                return
            counts[k] += 1

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(concurrency)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if failures:
        raise SystemExit(failures[0])
    return sum(counts) / (time.perf_counter() - started)


def throughput(servers, clients, calls_by_label, trivial):
    say(f"\n2. Throughput: {ROUNDS} rounds, {CONCURRENCY} concurrent clients, {ROUND_SECONDS:.2f}s per measurement; "
        f"each list is measured back to back with the trivial endpoint (which one first alternating), "
        f"ratio = list req/s ÷ trivial req/s of that pair, median over the rounds")
    base = trivial_call(trivial)
    ratios = {s.label: {} for s in servers}
    rates = {s.label: {base.name: []} for s in servers}
    for server in servers:  # warm-up, untimed
        for call in [base] + calls_by_label[server.label]:
            rate(clients[server.label], call, 0.3, CONCURRENCY)
    for r in range(ROUNDS):
        for server in (servers if r % 2 == 0 else servers[::-1]):
            calls = calls_by_label[server.label]
            shift = r % len(calls)
            for i, call in enumerate(calls[shift:] + calls[:shift]):
                pair = (base, call) if (r + i) % 2 == 0 else (call, base)
                measured = {c.name: rate(clients[server.label], c, ROUND_SECONDS, CONCURRENCY) for c in pair}
                rates[server.label][base.name].append(measured[base.name])
                rates[server.label].setdefault(call.name, []).append(measured[call.name])
                ratios[server.label].setdefault(call.name, []).append(measured[call.name] / measured[base.name])
    large, small = servers[0].label, servers[1].label
    say(f"   {'endpoint':<58}{'large req/s':>12}{'ratio':>8}{'small req/s':>13}{'ratio':>8}")
    say(f"   {base.name.split(' (')[0]:<58}{statistics.median(rates[large][base.name]):>12.1f}{1:>8.2f}"
        f"{statistics.median(rates[small][base.name]):>13.1f}{1:>8.2f}")
    out = {}
    for name in ratios[large]:
        lr, sr = statistics.median(ratios[large][name]), statistics.median(ratios[small][name])
        say(f"   {name:<58}{statistics.median(rates[large][name]):>12.1f}{lr:>8.2f}"
            f"{statistics.median(rates[small][name]):>13.1f}{sr:>8.2f}")
        out[name] = lr
    return out


def latency(servers, clients, calls_by_label, browsers):
    say(f"\n3. Latency, large vs small data set: one request at a time, {LATENCY_ROUNDS} rounds over the lists of "
        f"{LATENCY_REQUESTS} back-to-back pairs (large, small) each; median ms")
    samples = {}

    def timed(fn):
        started = time.perf_counter()
        fn()
        return (time.perf_counter() - started) * 1000

    names = [c.name for c in calls_by_label[servers[0].label]] + list(PAGES)
    for server in servers:  # warm-up
        for name in names:
            if name in PAGES:
                browsers[server.label].get(PAGES[name])
    for r in range(LATENCY_ROUNDS):
        for name in names:
            for k in range(LATENCY_REQUESTS):
                # Pairs: one request to each data set back to back, which one first alternating.
                for server in (servers if (r + k) % 2 == 0 else servers[::-1]):
                    if name in PAGES:
                        ms = timed(lambda: browsers[server.label].get(PAGES[name]))
                    else:
                        call = next(c for c in calls_by_label[server.label] if c.name == name)
                        client = clients[server.label]
                        ms = timed(lambda: checked_send(client, call))  # signing included, on both sides
                    samples.setdefault((name, server.label), []).append(ms)
    out = {}
    large, small = servers[0].label, servers[1].label
    say(f"   {'list or page':<58}{'large ms':>10}{'small ms':>10}{'ratio':>8}")
    for name in names:
        lm, sm = statistics.median(samples[(name, large)]), statistics.median(samples[(name, small)])
        out[name] = lm / sm
        say(f"   {name:<58}{lm:>10.1f}{sm:>10.1f}{lm / sm:>8.2f}")
    return out


# --- in-process measurements (Django set up on the large data set) -------------------------------------------

class StatementCounter:
    """Statements sent to PostgreSQL in this thread: every cursor execute (an execute_wrapper) plus the
    connection health checks Django runs with a raw cursor (CONN_HEALTH_CHECKS), plus connections opened."""

    def __init__(self):
        from django.db import connections

        self.connection = connections["default"]  # this thread's wrapper (not the proxy)
        self.statements = self.health_checks = self.connects = 0
        self.sql = []
        self.db_seconds = 0.0
        self.on = False

    def __enter__(self):
        counter = self
        cls = type(self.connection)
        self._is_usable, self._connect = cls.is_usable, cls.connect

        def is_usable(wrapper):
            if not counter.on:
                return counter._is_usable(wrapper)
            counter.health_checks += 1
            started = time.perf_counter()
            try:
                return counter._is_usable(wrapper)
            finally:
                counter.db_seconds += time.perf_counter() - started

        def connect(wrapper):
            if counter.on:
                counter.connects += 1
            return counter._connect(wrapper)

        cls.is_usable, cls.connect = is_usable, connect
        self.connection.execute_wrappers.append(self._wrapper)
        return self

    def __exit__(self, *exc):
        cls = type(self.connection)
        cls.is_usable, cls.connect = self._is_usable, self._connect
        self.connection.execute_wrappers.remove(self._wrapper)

    def _wrapper(self, execute, sql, params, many, context):
        if not self.on:
            return execute(sql, params, many, context)
        self.statements += 1
        self.sql.append(sql)
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.db_seconds += time.perf_counter() - started

    def reset(self):
        self.statements = self.health_checks = self.connects = 0
        self.sql, self.db_seconds = [], 0.0

    @property
    def total(self):
        return self.statements + self.health_checks


def wsgi(environ):
    """One request through Django's WSGI handler, as gunicorn runs it: (status, body)."""
    from django.core.handlers.wsgi import WSGIHandler

    global _HANDLER
    if _HANDLER is None:
        _HANDLER = WSGIHandler()
    status = []
    response = _HANDLER(environ, lambda s, headers, exc_info=None: status.append(s))
    try:
        body = b"".join(response)
    finally:
        response.close()  # request_finished: close_old_connections, as under gunicorn
    return int(status[0].split()[0]), body


_HANDLER = None


def page_environ(path, query, cookie):
    import io

    return {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": query, "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1", "SCRIPT_NAME": "",
            "HTTP_HOST": "127.0.0.1", "HTTP_COOKIE": cookie, "wsgi.version": (1, 0), "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(b""), "wsgi.errors": io.StringIO(), "wsgi.multithread": False,
            "wsgi.multiprocess": True, "wsgi.run_once": False}


def in_process_client(f):
    from partnercenter import secretbox

    from .signed import bss_client

    return bss_client("http://127.0.0.1", f["ak"], secretbox.decrypt(f["sk_encrypted"]), f["domain_id"])


def statements_per_page(f, counter):
    say("\n4. Statements per page (in-process, large data set; statements sent to PostgreSQL, health checks included)")
    from django.test import Client

    from partnercenter.models import User

    from .signed import sign, to_wsgi_environ

    client = in_process_client(f)
    out = {}

    def count_api(call):
        wsgi(to_wsgi_environ(sign(client, call)))  # warm (and the once-a-minute last_used_at write)
        counter.reset()
        counter.on = True
        status, body = wsgi(to_wsgi_environ(sign(client, call)))
        counter.on = False
        if status != 200:
            raise SystemExit(f"{call.name}: {status} {body[:200]!r}")
        return counter.total

    for small_call, big_call in zip(list_calls(f, limit=10, ids=10), list_calls(f, limit=100, ids=100)):
        a, b = count_api(small_call), count_api(big_call)
        label = "ids 10 vs 100" if "batch" in small_call.name else "limit 10 vs 100"
        out[f"{short(small_call.name)}, {label}"] = (a, b)
    browser = Client()
    browser.force_login(User.objects.get(username=ADMIN), backend="django.contrib.auth.backends.ModelBackend")
    cookie = f"sessionid={browser.cookies['sessionid'].value}"
    for name, path in PAGES.items():
        counts = []
        for query in ("", f"page={DEEP_PAGE}"):
            wsgi(page_environ(path, query, cookie))
            counter.reset()
            counter.on = True
            status, _body = wsgi(page_environ(path, query, cookie))
            counter.on = False
            if status != 200:
                raise SystemExit(f"{path}?{query}: {status}")
            counts.append(counter.total)
        out[f"{name}, page 1 vs {DEEP_PAGE} (20 rows each)"] = tuple(counts)
    for name, (a, b) in out.items():
        say(f"   {name:<62} {a:>3} vs {b:<3}")
    return out


def trivial_split(f, counter, trivial):
    """Statements and latency split of the trivial signed request, in-process through the WSGI handler."""
    say(f"\n5. The trivial signed request ({trivial[0].split(' (')[0]}), in-process through Django's WSGI handler, "
        f"{TRIVIAL_REQUESTS} requests after warm-up")
    from django.conf import settings

    from partnercenter import secretbox
    from partnercenter.api import authentication, signing

    from .signed import sign, to_wsgi_environ

    client = in_process_client(f)
    call = trivial_call(trivial)
    clock = {"auth": 0.0, "signature": 0.0, "auth_statements": 0, "auth_db": 0.0}
    depth = {"auth": 0}
    originals = []

    def patch(owner, name, bucket):
        original = getattr(owner, name)
        originals.append((owner, name, original))

        def timed(*args, **kwargs):
            if depth.get(bucket):  # nested call of the same bucket: counted once
                return original(*args, **kwargs)
            depth[bucket] = 1
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                clock[bucket] += time.perf_counter() - started
                depth[bucket] = 0

        setattr(owner, name, timed)

    # Signature: everything that only parses, decrypts and hashes.
    for name in ("parse_authorization", "parse_sdk_date", "canonical_request", "string_to_sign", "sign",
                 "signatures_match", "canonical_uri", "canonical_query"):
        if hasattr(signing, name):
            patch(signing, name, "signature")
    patch(secretbox, "decrypt", "signature")
    patch(authentication.SignatureAuthentication, "authenticate", "auth")
    timed_authenticate = authentication.SignatureAuthentication.authenticate

    def authenticate(*args, **kwargs):  # statements sent while authenticating = before the view runs
        before = counter.total
        try:
            return timed_authenticate(*args, **kwargs)
        finally:
            clock["auth_statements"] += counter.total - before

    authentication.SignatureAuthentication.authenticate = authenticate

    for _ in range(5):
        wsgi(to_wsgi_environ(sign(client, call)))
    rows = []
    try:
        for _ in range(TRIVIAL_REQUESTS):
            environ = to_wsgi_environ(sign(client, call))
            for key in clock:
                clock[key] = 0 if isinstance(clock[key], int) else 0.0
            counter.reset()
            counter.on = True
            started = time.perf_counter()
            status, body = wsgi(environ)
            total = time.perf_counter() - started
            counter.on = False
            if status != 200:
                raise SystemExit(f"{call.name}: {status} {body[:200]!r}")
            rows.append({"total": total, "auth": clock["auth"], "signature": clock["signature"],
                         "statements": counter.total, "health": counter.health_checks, "connects": counter.connects,
                         "auth_statements": clock["auth_statements"], "sql": list(counter.sql),
                         "db": counter.db_seconds})
    finally:
        for owner, name, original in originals:
            setattr(owner, name, original)

    def med(key):
        return statistics.median(r[key] for r in rows) * 1000

    statements = statistics.median(r["statements"] for r in rows)
    health = statistics.median(r["health"] for r in rows)
    before_view = statistics.median(r["auth_statements"] for r in rows)
    connects = sum(r["connects"] for r in rows)
    signature, auth, total = med("signature"), med("auth"), med("total")
    lookup = max(auth - signature, 0.0)
    view = max(total - auth, 0.0)
    conn_max_age = settings.DATABASES["default"].get("CONN_MAX_AGE")
    say(f"   statements per request (median): {statements:g} (in authentication, before the view: {before_view:g}; "
        f"connection health checks: {health:g}); "
        f"connections opened in {TRIVIAL_REQUESTS} requests: {connects} (CONN_MAX_AGE={conn_max_age})")
    typical = statistics.mode(tuple(r["sql"]) for r in rows)
    for sql in typical:
        say(f"     SQL: {sql[:150]}{'…' if len(sql) > 150 else ''}")
    say(f"   latency split (median ms): signature {signature:.2f} | lookup {lookup:.2f} | view {view:.2f} | "
        f"total {total:.2f}; of it waiting on PostgreSQL (every statement, health check included) {med('db'):.2f}")
    return statements, (signature, lookup, view, total)


def batches(f, counter):
    say(f"\n6. Batches (in-process services, large data set): allocations {BATCHES} × {BATCH} vs {SINGLES:,} singles; "
        f"coupon issue {COUPON_BATCHES} × {BATCH} vs {COUPON_SINGLES} singles")
    from billing import services as billing
    from customers.models import Association
    from partnercenter.actors import actor_for_user
    from partnercenter.models import User
    from vouchers import services as vouchers
    from vouchers.models import CouponQuota

    actor = actor_for_user(User.objects.get(username=ADMIN), ip="127.0.0.1")
    # Distinct resale customers from the end of the book (a re-run allocates to the same ones again).
    needed_alloc = SINGLES + BATCHES * BATCH + 20
    resale = list(Association.objects.filter(partner_id=f["partner_pk"], ended_on__isnull=True, association_type="2")
                  .order_by("-customer_id").values_list("customer__domain_id", flat=True)[:needed_alloc])
    needed_coupon = COUPON_SINGLES + COUPON_BATCHES * BATCH + 10
    anyone = list(Association.objects.filter(partner_id=f["partner_pk"], ended_on__isnull=True)
                  .order_by("customer_id").values_list("customer__domain_id", flat=True)[:needed_coupon])
    warm, singles_ids, batch_ids = resale[:20], resale[20:20 + SINGLES], resale[20 + SINGLES:]

    for customer_id in warm[:10]:
        billing.allocate_to_customer(actor, customer_id=customer_id, amount="1.00")
    counter.reset()
    counter.on = True
    billing.allocate_to_customer(actor, customer_id=warm[10], amount="1.00")
    single_statements = counter.total
    counter.reset()
    results = billing.batch_allocate(actor, rows=[(c, "1.00") for c in warm[11:20]])
    batch_statements = counter.total / 9
    counter.on = False
    assert all(r["ok"] for r in results), results[:2]

    started = time.perf_counter()
    for customer_id in singles_ids:
        billing.allocate_to_customer(actor, customer_id=customer_id, amount="1.00")
    single_s = time.perf_counter() - started
    started = time.perf_counter()
    failed = []
    for k in range(BATCHES):
        rows = [(c, "1.00") for c in batch_ids[k * BATCH:(k + 1) * BATCH]]
        failed += [r for r in billing.batch_allocate(actor, rows=rows) if not r["ok"]]
    batch_s = time.perf_counter() - started
    if failed:
        raise SystemExit(f"batch_allocate refused rows: {failed[:3]}")
    allocation = single_s / batch_s
    say(f"   allocations: {SINGLES:,} singles {single_s:.2f}s ({single_statements} statements each), "
        f"{BATCHES} batches of {BATCH} {batch_s:.2f}s ({batch_statements:.1f} statements per row in a batch of 9); "
        f"speed-up {allocation:.2f}×")

    quota_id = hashlib.md5(b"bench-issue").hexdigest()
    CouponQuota.objects.get(partner_id=f["partner_pk"], quota_id=quota_id)
    warm, singles_ids, batch_ids = anyone[:10], anyone[10:10 + COUPON_SINGLES], anyone[10 + COUPON_SINGLES:]
    counter.reset()
    counter.on = True
    vouchers.issue_coupons(actor, quota_id=quota_id, customer_ids=warm[:1], face_value="1.00")
    coupon_single_statements = counter.total
    counter.reset()
    vouchers.issue_coupons(actor, quota_id=quota_id, customer_ids=warm[1:10], face_value="1.00")
    coupon_batch_statements = counter.total / 9
    counter.on = False
    started = time.perf_counter()
    errors = []
    for customer_id in singles_ids:
        errors += vouchers.issue_coupons(actor, quota_id=quota_id, customer_ids=[customer_id], face_value="1.00")[1]
    single_c = time.perf_counter() - started
    started = time.perf_counter()
    for k in range(COUPON_BATCHES):
        errors += vouchers.issue_coupons(actor, quota_id=quota_id, face_value="1.00",
                                         customer_ids=batch_ids[k * BATCH:(k + 1) * BATCH])[1]
    batch_c = time.perf_counter() - started
    if errors:
        raise SystemExit(f"issue_coupons refused customers: {errors[:3]}")
    coupons = single_c / batch_c
    say(f"   coupon issue: {COUPON_SINGLES} singles {single_c:.2f}s ({coupon_single_statements} statements each), "
        f"{COUPON_BATCHES} batches of {BATCH} {batch_c:.2f}s ({coupon_batch_statements:.1f} statements per customer "
        f"in a batch of 9); speed-up {coupons:.2f}×")
    return allocation, coupons


# --- main ---------------------------------------------------------------------------------------------------

def redis_url():
    url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/5")
    if not url:
        return ""
    try:
        import redis

        client = redis.Redis.from_url(url, socket_connect_timeout=1)
        client.flushdb()  # the benchmark's own db: throttle counters and cached keys of earlier runs
        return url
    except Exception:  # no Redis: each process caches in its own memory (LocMemCache)
        return ""


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--parts", default=ALL_PARTS,
                        help=f"comma-separated subset of {ALL_PARTS} (the SDK check always runs)")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so the servers are stopped (finally) on a kill
    started_all = time.perf_counter()
    large_url = env.require_bench_url(args.database_url, "bench.run")
    small_url = env.require_bench_url(env.small_url(large_url), "bench.run (small data set)")
    cache = redis_url()
    extra = {"REDIS_URL": cache} if cache else {}
    os.environ.update(extra)
    env.setup_django(large_url)

    from django.conf import settings
    from django.db import connection

    from partnercenter import secretbox

    from .signed import bss_client

    f_large, f_small = facts(large_url), facts(small_url)
    with connection.cursor() as cur:
        cur.execute("SHOW server_version")
        version = cur.fetchone()[0]
    db = settings.DATABASES["default"]
    say(f"bench.run — PostgreSQL {version}, {os.cpu_count()} CPU(s), load average "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    say(f"   large: {env.database_name(large_url)} ({scale_label(f_large)})")
    say(f"   small: {env.database_name(small_url)} ({scale_label(f_small)})")
    say(f"   servers: gunicorn -w 2, DEBUG=0, CONN_MAX_AGE={db.get('CONN_MAX_AGE')} "
        f"CONN_HEALTH_CHECKS={db.get('CONN_HEALTH_CHECKS')} (as settings read them here; gunicorn.conf.py "
        f"{'present' if (env.ROOT / 'gunicorn.conf.py').exists() else 'absent'}), cache "
        f"{cache or 'LocMemCache (no Redis)'}")

    parts = set(args.parts.split(","))
    ratios, growth, per_page, split = {}, {}, {}, None
    trivial_statements = allocation = coupon_issue = None
    facts_by = {"large": f_large, "small": f_small}
    servers = [Server("large", large_url, extra), Server("small", small_url, extra)]
    try:
        for server in servers:
            server.wait()
        clients = {s.label: bss_client(s.base, facts_by[s.label]["ak"],
                                       secretbox.decrypt(facts_by[s.label]["sk_encrypted"]),
                                       facts_by[s.label]["domain_id"]) for s in servers}
        sdk_check(servers, clients, facts_by)
        trivial = pick_trivial(clients["large"])
        say(f"   trivial signed endpoint: {trivial[0]}")
        calls_by = {label: list_calls(f) for label, f in facts_by.items()}
        if "throughput" in parts:
            ratios = throughput(servers, clients, calls_by, trivial)
        if "latency" in parts:
            browsers = {s.label: Browser(s.port) for s in servers}
            for b in browsers.values():
                b.login()
            growth = latency(servers, clients, calls_by, browsers)
    finally:
        for server in servers:
            server.stop()

    with StatementCounter() as counter:
        if "statements" in parts:
            per_page = statements_per_page(f_large, counter)
        if "trivial" in parts:
            trivial_statements, split = trivial_split(f_large, counter, trivial)
        if "batches" in parts:
            allocation, coupon_issue = batches(f_large, counter)
            from .dataset import consistency_problems

            problems = consistency_problems()
            say(f"   money and quotas after these writes (bench.dataset's set-based checks): "
                f"{'; '.join(problems) or 'consistent'}")

    # --- targets -------------------------------------------------------------------------------------------
    for name, ratio in ratios.items():
        target(f"throughput vs trivial, {name} at {f_large['customers'] // 1000}k", ratio, ">=", 0.6, ratio >= 0.6)
    for name, ratio in growth.items():
        target(f"latency large/small, {short(name)}", ratio, "<=", 1.3, ratio <= 1.3)
    for name, (a, b) in per_page.items():
        target(f"statements per page, {name}", f"{a} vs {b}", "=", "equal", a == b)
    if allocation is not None:
        target(f"batch allocation speed-up ({SINGLES:,} singles ÷ {BATCHES} batches of {BATCH})", allocation, ">=",
               10, allocation >= 10)
        target(f"batch coupon issue speed-up ({COUPON_SINGLES} singles ÷ {COUPON_BATCHES} batches of {BATCH})",
               coupon_issue, ">=", 5, coupon_issue >= 5)
        target("ledger and quota differences after the batches", len(problems), "=", 0, not problems, fmt="{:d}")
    if split is not None:
        target("trivial signed request statements", trivial_statements, "<=", 2, trivial_statements <= 2, fmt="{:g}")
        signature, lookup, view, total = split
        say(f"\nRecorded (no target): trivial signed request latency split, in-process median ms: signature "
            f"{signature:.2f}, lookup {lookup:.2f}, view {view:.2f}, total {total:.2f}")
    say(f"Run time {time.perf_counter() - started_all:.0f}s.\n")
    for line, _passed in TARGETS:
        say(line)
    failed = sum(1 for _line, passed in TARGETS if not passed)
    say(f"\n{len(TARGETS) - failed} of {len(TARGETS)} targets met.")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
