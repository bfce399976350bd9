"""The outbox benchmark (issue 11): N events drained to a loopback webhook receiver.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pc_bench .venv/bin/python -m bench.outbox [--events 100000]

It drops and re-creates `<name>_outbox` next to the named database, migrates it, registers one webhook
endpoint through the service (the receiver on loopback, so `WEBHOOK_ALLOW_PRIVATE_TARGETS=1`), inserts the
events with one `INSERT … SELECT … generate_series` (undispatched, as services leave them), then:

1. measures the receiver's own capacity: `--workers` processes POST an event-sized signed body to it in a
   loop over one keep-alive connection each (urllib3, as the sender), for a few seconds;
2. drains the outbox with `--workers` processes, each running what the Celery task runs
   (`events.dispatch.dispatch_all`: fan-out in batches with SKIP LOCKED, then `deliver_due`), until every
   delivery has succeeded; and reports deliveries per second, their ratio to the receiver's capacity, the
   statements each worker sent to PostgreSQL per event, and that every event reached the receiver once.

The receiver runs in its own process (a threading HTTP server answering 204), so it competes with the
workers for the 2 cores as a real one on the same machine would; the ratio is what the sender's own work
(claims, attempt rows, signatures) costs relative to the network round trip it cannot avoid.
"""

import argparse
import multiprocessing as mp
import os
import socket
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from . import env

PROBE_SECONDS = 4.0


def say(*args):
    print(*args, flush=True)


# --- the receiver ------------------------------------------------------------------------------------

def _receiver(port, count, ids_path, ready):
    seen = open(ids_path, "w", buffering=1)  # line-buffered: read while the receiver still runs

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            event_id = self.headers.get("X-Webhook-Id")
            if event_id and body:
                seen.write(event_id + "\n")
            with count.get_lock():
                count.value += 1
            self.send_response(204)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    ready.set()
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        seen.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- the receiver's capacity ---------------------------------------------------------------------------

def _probe(port, body, seconds, out):
    import urllib3

    pool = urllib3.HTTPConnectionPool("127.0.0.1", port=port, maxsize=1, retries=False)
    headers = {"Content-Type": "application/json", "X-Webhook-Signature": "t=0,v1=" + "0" * 64}
    done, stop = 0, time.perf_counter() + seconds
    started = time.perf_counter()
    while time.perf_counter() < stop:
        response = pool.urlopen("POST", "/hook", body=body, headers=headers, preload_content=False)
        response.read()
        response.release_conn()
        done += 1
    out.put(done / (time.perf_counter() - started))


# --- the workers ---------------------------------------------------------------------------------------

def _worker(url, out):
    env.setup_django(url)
    from django.db import connection

    from events.dispatch import dispatch_all
    from events.models import WebhookDelivery

    statements = [0]

    def count(execute, sql, params, many, context):
        statements[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        while True:
            dispatch_all()
            if not WebhookDelivery.objects.filter(state="pending").exists() and not _undispatched():
                break
    out.put(statements[0])


def _undispatched() -> bool:
    from events.models import Event

    return Event.objects.filter(dispatched_at__isnull=True).exists()


# --- the set-up ----------------------------------------------------------------------------------------

def seed(events: int, receiver_url: str) -> int:
    from django.core.management import call_command
    from django.db import connection

    from events import webhook_services
    from partnercenter.actors import actor_for_user
    from partnercenter.models import Member, Partner, Role, User

    call_command("migrate", verbosity=0)
    partner = Partner.objects.create(account_name="bench-outbox", name="基准事件推送有限公司",
                                     partner_type="solution_provider", contracting_entity="华为云计算技术有限公司")
    role = Role.objects.create(partner=partner, name="管理员", is_administrator=True)
    user = User.objects.create(username="bench.outbox")
    Member.objects.create(user=user, partner=partner, display_name="基准管理员").roles.add(role)
    actor = actor_for_user(user, ip="127.0.0.1")
    webhook_services.create_endpoint(actor, url=receiver_url, types=["customer.associated"])
    with connection.cursor() as cur:
        cur.execute(
            """
            INSERT INTO events_event (uid, type, partner_id, customer_pk, actor, data, key, created_at)
            SELECT gen_random_uuid(), 'customer.associated', %s, NULL, 'bench',
                   jsonb_build_object('customer_id', md5(n::text), 'account_name', 'bench_' || n,
                                      'association_type', '2'),
                   '', now()
            FROM generate_series(1, %s) AS n
            """,
            [partner.pk, events],
        )
        cur.execute("VACUUM ANALYZE events_event")
    return partner.pk


def sample_body() -> bytes:
    from events.models import Event
    from events.webhooks import encode

    return encode(Event.objects.select_related("partner").order_by("id").first())


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.outbox", description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    base = env.require_bench_url(args.database_url, "bench.outbox")
    url = env.with_database(base, env.database_name(base) + "_outbox")
    from .dataset import recreate

    recreate(url)
    os.environ["WEBHOOK_ALLOW_PRIVATE_TARGETS"] = "1"
    env.setup_django(url)

    port = free_port()
    count, ready = mp.Value("l", 0), mp.Event()
    ids_path = str(env.OUT / "outbox-received.txt")
    env.OUT.mkdir(parents=True, exist_ok=True)
    receiver = mp.Process(target=_receiver, args=(port, count, ids_path, ready), daemon=True)
    receiver.start()
    ready.wait(10)
    try:
        started = time.perf_counter()
        seed(args.events, f"http://127.0.0.1:{port}/hook")
        say(f"bench.outbox — {args.events:,} events into {env.database_name(url)} in "
            f"{time.perf_counter() - started:.1f}s; receiver on 127.0.0.1:{port}; {args.workers} worker(s)")
        body = sample_body()
        from django.db import connections

        connections.close_all()  # the workers are forked: none may share this process's connection

        out = mp.Queue()
        probes = [mp.Process(target=_probe, args=(port, body, PROBE_SECONDS, out)) for _ in range(args.workers)]
        for p in probes:
            p.start()
        for p in probes:
            p.join()
        capacity = sum(out.get() for _ in probes)
        say(f"1. receiver capacity ({args.workers} keep-alive clients, {len(body)}-byte bodies): {capacity:,.0f} req/s")

        count.value = 0
        open(ids_path, "w").close()
        started = time.perf_counter()
        workers = [mp.Process(target=_worker, args=(url, out)) for _ in range(args.workers)]
        for p in workers:
            p.start()
        for p in workers:
            p.join()
        took = time.perf_counter() - started
        statements = sum(out.get() for _ in workers)
        rate = args.events / took
        with open(ids_path) as f:
            ids = [line.strip() for line in f if line.strip()]
        unique = len(set(ids))
        say(f"2. drained in {took:.1f}s: {rate:,.0f} deliveries/s; {statements / args.events:.2f} statements per event "
            f"(all workers, fan-out and delivery); receiver got {len(ids):,} POSTs for {unique:,} distinct events")
        ratio = rate / capacity
        say(f"\noutbox deliveries/s vs receiver capacity: {ratio:.2f} (recorded, no target)")
        say(f"outbox statements per event: {statements / args.events:.2f} (recorded, no target)")
        ok = unique == args.events == len(ids)
        say(f"every event delivered exactly once: {'yes' if ok else 'NO'} (target = yes) {'PASS' if ok else 'FAIL'}")
        return 0 if ok else 1
    finally:
        receiver.terminate()


if __name__ == "__main__":
    sys.exit(main())
