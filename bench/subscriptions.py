#!/usr/bin/env python
"""The expiry run of issue 13 (PostgreSQL): `subscriptions.lifecycle.advance` over 1,000,000 yearly/monthly
resources of which 1 % are due, against a single set-based UPDATE of the same rows.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pc_bench .venv/bin/python -m bench.subscriptions

It builds `<name>_subs` next to the named database: bench.dataset's small book (10,000 customers, each with an
active association of the partner `bench-sp` and its account managers) plus 1,000,000 resources inserted
with one INSERT … SELECT … generate_series (every constraint and index live), in groups of four — a server
with its disk, twice — so half are main resources. 1 % of the groups (10,000 rows, 5,000 main resources)
expired in the last day and are due to enter the grace period; the rest are in use until later (90 %),
already in grace (3 %), frozen (1 %) or released (5 %), none of them due.

Then, in one process (in-process services, as the Celery worker runs them; the events' dispatch is queued
to an in-memory broker, not run inline, as in production where a worker picks it up):

1. EXPLAIN of the due UPDATE `advance` runs, and EXPLAIN ANALYZE of its due SELECT: the partial index
   `resource_period_due` (status, expire_time) WHERE charging_mode = 'period' is the one path to the rows,
   and the rows read are the due rows only (target: the index is used);
2. ROUNDS rounds, alternating which goes first: the single UPDATE (`SET status = 5 … WHERE charging_mode =
   'period' AND status = 2 AND expire_time <= now`) and `lifecycle.advance(now=…)` (all its steps; the one
   that moves rows UPDATEs them and INSERTs their events in one statement — one `subscription.expired` per
   main resource — then the operation-log row), each on the same 10,000 rows, reset between runs (rows back
   to in use, the run's events deleted, VACUUM). The target is the ratio of the medians, single UPDATE
   time ÷ advance time (≥ 0.3);
3. recorded, no target: 3 more rounds with the events written through outbox.record_many (the path other
   databases take), to show what the one-statement INSERT saves.

`--skip-build` reuses the data set an earlier run built. Exit status 1 when a target fails.
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

RESOURCES = 1_000_000
CUSTOMERS = 10_000
SUFFIX = "_subs"
ROUNDS = 5


def resources_sql():
    """INSERT of RESOURCES resources: group g = i / 4 (a server and its disk, twice), of customer
    (g * 7919) % CUSTOMERS + 1. By g % 100: 0 due (expired within the last day), 1–3 in grace (expired 5 days
    ago), 4 frozen (expired 20 days ago), 5–9 released, the rest in use until 1–365 days from now."""
    from customers.models import Resource

    table = Resource._meta.db_table
    return f"""
        INSERT INTO {table} (id, customer_id, charging_mode, resource_id, resource_name, parent_resource_id,
            is_main_resource, service_type_code, service_type_name, resource_type_code, resource_type_name,
            region_code, availability_zone_code, resource_spec_code, product_spec_desc, resource_info, project_id,
            product_id, order_id, order_line_id, status, expire_policy, effective_time, expire_time, updated_at)
        SELECT i + 1, ((i / 4)::bigint * 7919) %% {CUSTOMERS} + 1, 'period', 'bench-r' || i,
            CASE WHEN i %% 2 = 0 THEN 'ecs-' ELSE 'evs-' END || i,
            CASE WHEN i %% 2 = 0 THEN '' ELSE 'bench-r' || (i - 1) END, i %% 2 = 0,
            CASE WHEN i %% 2 = 0 THEN 'hws.service.type.ec2' ELSE 'hws.service.type.evs' END, '',
            CASE WHEN i %% 2 = 0 THEN 'hws.resource.type.vm' ELSE 'hws.resource.type.volume' END, '',
            'cn-north-4', 'cn-north-4a', CASE WHEN i %% 2 = 0 THEN 's6.small.1.linux' ELSE 'SSD' END,
            CASE WHEN i %% 2 = 0 THEN 's6.small.1' ELSE 'SSD|40GB' END, '', 'bench', '', '', '',
            CASE WHEN g < 1 THEN 2 WHEN g < 4 THEN 5 WHEN g < 5 THEN 4 WHEN g < 10 THEN 3 ELSE 2 END, 0,
            %(base)s - interval '400 days',
            CASE WHEN g < 1 THEN %(base)s - ((i / 4) %% 1440) * interval '1 minute' - interval '1 minute'
                 WHEN g < 4 THEN %(base)s - interval '5 days'
                 WHEN g < 5 THEN %(base)s - interval '20 days'
                 WHEN g < 10 THEN %(base)s - interval '60 days'
                 ELSE %(base)s + (1 + (i / 4) %% 365) * interval '1 day' END,
            %(base)s - interval '1 day'
        FROM (SELECT i, (i / 4) %% 100 AS g FROM generate_series(0, {RESOURCES} - 1) AS i) AS rows
        ORDER BY i"""


def build(url):
    command = [sys.executable, "-m", "bench.dataset", "--scale", "small", "--fresh", "--database-url", url]
    if subprocess.call(command, cwd=env.ROOT) != 0:
        raise SystemExit("building the book failed")
    setup(url)
    from django.db import connection

    from customers.models import Resource

    started = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("SELECT date_trunc('second', now())")
        base = cur.fetchone()[0]
        cur.execute("SET work_mem = '256MB'; SET synchronous_commit = off")
        cur.execute(resources_sql(), {"base": base})
        table = Resource._meta.db_table
        cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    with connection.cursor() as cur:
        cur.execute(f"VACUUM ANALYZE {Resource._meta.db_table}")
    say(f"  {RESOURCES:,} resources in {time.perf_counter() - started:.1f}s")


def setup(url):
    # The events' dispatch after each commit is queued (in memory), not run inline: a worker does it.
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "0"
    os.environ["CELERY_BROKER_URL"] = "memory://"
    os.environ["CELERY_RESULT_BACKEND"] = ""
    env.setup_django(url)


# --- the measurements -------------------------------------------------------------------------------------

def due_window():
    """The data set's base time (every effective_time is 400 days before it, and never changes): the runs'
    `now`, when the due rows expired within the last day."""
    from django.db import connection

    from customers.models import Resource

    with connection.cursor() as cur:
        cur.execute(f"SELECT effective_time + interval '400 days' FROM {Resource._meta.db_table} WHERE id = 1")
        return cur.fetchone()[0]


def reset(now):
    """The due rows back in use, the runs' events gone (the operation log is append-only: its one row per run
    stays), the tables vacuumed."""
    from django.db import connection

    from customers.models import Resource
    from events.models import Event
    table = Resource._meta.db_table
    with connection.cursor() as cur:
        cur.execute(f"UPDATE {table} SET status = 2 WHERE charging_mode = 'period' AND status = 5 "
                    f"AND expire_time > %s AND expire_time <= %s", [now - timedelta(days=1, minutes=2), now])
        moved = cur.rowcount
    Event.objects.filter(type__startswith="subscription.").delete()
    with connection.cursor() as cur:
        cur.execute(f"VACUUM ANALYZE {table}")
        cur.execute(f"VACUUM ANALYZE {Event._meta.db_table}")
    return moved


def single_update(now):
    from django.db import connection, transaction

    from customers.models import Resource

    table = Resource._meta.db_table
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(f"UPDATE {table} SET status = 5, updated_at = %s "
                    f"WHERE charging_mode = 'period' AND status = 2 AND expire_time <= %s", [now, now])
        rows = cur.rowcount
    return time.perf_counter() - started, rows


def run_advance(now):
    from subscriptions import lifecycle

    started = time.perf_counter()
    counts = lifecycle.advance(now=now)
    return time.perf_counter() - started, counts


def explain(now):
    """EXPLAIN of advance's due UPDATE (the `expired` step) and EXPLAIN ANALYZE of its due SELECT."""
    from django.db import connection

    from customers.models import Resource
    from subscriptions import lifecycle

    step = next(s for s in lifecycle.STEPS if s.name == "expired")
    sql, params = lifecycle._step_sql(step), lifecycle._step_params(step, now)
    where = sql[sql.index(" WHERE "):sql.index(" RETURNING")]
    with connection.cursor() as cur:
        cur.execute("EXPLAIN " + sql, params)
        update_plan = [row[0] for row in cur.fetchall()]
        cur.execute(f"EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT id FROM {Resource._meta.db_table}{where}", params[2:])
        select_plan = [row[0] for row in cur.fetchall()]
    return update_plan, select_plan


def measure(url):
    setup(url)
    from django.db import connection

    from customers.models import Resource
    from events.models import Event

    now = due_window()
    reset(now)
    due = Resource.objects.filter(charging_mode="period", status=2, expire_time__lte=now).count()
    say(f"\n{Resource.objects.count():,} resources; due at {now.isoformat()}: {due:,}")
    update_plan, select_plan = explain(now)
    say("\n1. EXPLAIN of advance's due UPDATE (step `expired`):")
    say("\n".join("   " + line for line in update_plan))
    say("\n   EXPLAIN ANALYZE of its due SELECT (read only):")
    say("\n".join("   " + line for line in select_plan))
    used = any("resource_period_due" in line for line in update_plan) and any(
        "resource_period_due" in line for line in select_plan)
    seq = any("Seq Scan" in line for line in update_plan + select_plan)
    target("due query uses resource_period_due (no sequential scan)", "yes" if used and not seq else "no", "=",
           "yes", used and not seq, fmt="{}")

    singles, advances, moved = [], [], []
    say(f"\n2. {ROUNDS} rounds (s)            single UPDATE      advance   rows    events")
    for round_no in range(ROUNDS):
        order = ("single", "advance") if round_no % 2 == 0 else ("advance", "single")
        shown = {}
        for which in order:
            reset(now)
            if which == "single":
                seconds, rows = single_update(now)
                singles.append(seconds)
            else:
                seconds, counts = run_advance(now)
                rows = sum(counts.values())
                advances.append(seconds)
                moved.append(counts)
                events = Event.objects.filter(type="subscription.expired").count()
            shown[which] = (seconds, rows)
        say(f"   round {round_no + 1}                        {shown['single'][0]:8.3f}     {shown['advance'][0]:8.3f}"
            f"  {shown['advance'][1]:6d}  {events:6d}")
        if shown["single"][1] != shown["advance"][1]:
            raise SystemExit(f"the runs moved different rows: {shown}")
    reset(now)
    connection.close()
    single, advance = statistics.median(singles), statistics.median(advances)
    say(f"\n   median: single UPDATE {single * 1000:.1f} ms, advance {advance * 1000:.1f} ms "
        f"({moved[-1]['expired']:,} rows and {events:,} events, one for each main resource)")
    target("expiry run vs single UPDATE of the same rows (1M resources, 1% due)", single / advance, ">=", 0.3,
           single / advance >= 0.3)

    # Recorded, no target: the same run with its events through outbox.record_many (as on SQLite).
    from subscriptions import lifecycle

    lifecycle.EVENTS_IN_STATEMENT = False
    pairs = []
    for _round in range(3):
        reset(now)
        pairs.append((single_update(now)[0], 0))
        reset(now)
        pairs[-1] = (pairs[-1][0], run_advance(now)[0])
    reset(now)
    lifecycle.EVENTS_IN_STATEMENT = True
    single, advance = statistics.median(p[0] for p in pairs), statistics.median(p[1] for p in pairs)
    say(f"\n3. Recorded: advance with its events through outbox.record_many (batches of {lifecycle.BATCH:,}): "
        f"{advance * 1000:.1f} ms vs single UPDATE {single * 1000:.1f} ms, ratio {single / advance:.2f}")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.subscriptions", description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--skip-build", action="store_true")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    base = env.require_bench_url(args.database_url, "bench.subscriptions")
    url = env.with_database(base, env.database_name(base) + SUFFIX)
    started = time.perf_counter()
    if not args.skip_build:
        say(f"Building {env.database_name(url)} …")
        build(url)
    measure(url)
    say(f"\n(bench.subscriptions took {time.perf_counter() - started:.0f} s)")
    for line, _passed in TARGETS:
        say(line)
    return 0 if all(passed for _line, passed in TARGETS) else 1


if __name__ == "__main__":
    sys.exit(main())
