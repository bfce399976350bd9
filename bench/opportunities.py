#!/usr/bin/env python
"""The HO expiry run of issue 16 (PostgreSQL): `expansion.opportunities_sla.recall_overdue` over 1,000,000
opportunities of which 1 % are due — pending HO whose 3-working-day deadline has passed — touches only the
due rows.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pc_bench .venv/bin/python -m bench.opportunities

It builds `<name>_opps` next to the named database (whose name must contain `bench`): migrated, 100 partners,
then 1,000,000 opportunities with one INSERT … SELECT … FROM generate_series (every constraint and index
live), by row number i and g = i % 100:

- g = 0 (10,000 rows, 1 %): HO pending, deadline passed within the last day — due;
- g = 1–9 (9 %): HO pending, deadline within the next 3 days — in the partial index, not due;
- g = 10–49: HO accepted, rejected or recalled earlier; g = 50–99: PO in every state — outside the index.

Then, in one process (the task's code in-process, as the Celery worker runs it; the events' dispatch queued
to an in-memory broker, as in production where a worker picks it up):

1. EXPLAIN (ANALYZE, BUFFERS) of the recall's batch statement (`SELECT … FOR UPDATE … ORDER BY deadline LIMIT
   500`, as Django sends it; rolled back): the partial index `opportunity_ho_due` (deadline WHERE origin = HO
   AND status = pending) is the path, no sequential scan (target);
2. the recall over all due rows, with the table's statistics (pg_stat_user_tables) read before and after:
   rows updated = the due rows (target), no sequential scan and tuples fetched through indexes at most 3 × the
   due rows — the batch SELECT and the UPDATE by primary key read each due row about twice — never the
   table (target);
3. a second run at once, and a late one a day later: nothing moves, no tuple is read (target);
4. recorded, no target: ROUNDS rounds of the recall against a single set-based UPDATE of the same rows
   (no events, no operation log), reset between runs, the ratio of the medians.

`--skip-build` reuses the data set an earlier run built. Exit status 1 when a target fails.
"""

import argparse
import os
import signal
import statistics
import sys
import time
from datetime import timedelta

from . import env
from .report import TARGETS, say, target

OPPORTUNITIES = 1_000_000
PARTNERS = 100
SUFFIX = "_opps"
ROUNDS = 3
TABLE = "expansion_opportunity"


def opportunities_sql(first_partner: int) -> str:
    return f"""
        INSERT INTO {TABLE} (id, partner_id, origin, name, customer_name, customer_id, enterprise_id, contact_name,
            contact_phone, product, stage, amount, expected_close, notes, status, shared_at, deadline, reminded_at,
            decided_at, decided_by, reason, created_by, updated_at)
        SELECT i + 1, {first_partner} + (i / 100) %% {PARTNERS}, CASE WHEN g < 50 THEN 'HO' ELSE 'PO' END,
            '机会点 ' || i, '客户公司 ' || (i %% 50000), NULL, NULL, '联系人', '13900000000', '弹性云服务器',
            'discovery', 1000 + (i %% 1000) * 100, NULL, '',
            CASE WHEN g < 10 THEN 'pending' WHEN g < 40 THEN 'accepted' WHEN g < 45 THEN 'rejected'
                 WHEN g < 50 THEN 'recalled' WHEN g < 60 THEN 'pending' WHEN g < 90 THEN 'approved'
                 WHEN g < 95 THEN 'rejected' ELSE 'released' END,
            CASE WHEN g = 0 THEN %(base)s - interval '3 days' - ((i / 100) %% 1440) * interval '1 minute'
                 WHEN g < 10 THEN %(base)s - interval '1 day'
                 ELSE %(base)s - interval '30 days' END,
            CASE WHEN g = 0 THEN %(base)s - ((i / 100) %% 1440) * interval '1 minute' - interval '1 minute'
                 WHEN g < 10 THEN %(base)s + (1 + i %% 4320) * interval '1 minute'
                 WHEN g < 50 THEN %(base)s - interval '27 days'
                 ELSE NULL END,
            NULL,
            CASE WHEN g BETWEEN 10 AND 49 OR g >= 60 THEN %(base)s - interval '28 days' ELSE NULL END,
            CASE WHEN g BETWEEN 10 AND 49 OR g >= 60 THEN 'bench' ELSE '' END, '', 'bench', %(base)s - interval '1 day'
        FROM (SELECT i, i %% 100 AS g FROM generate_series(0, {OPPORTUNITIES} - 1) AS i) AS rows
        ORDER BY i"""


def build(url):
    from .dataset import recreate

    started = time.perf_counter()
    recreate(url)
    setup(url)
    from django.core.management import call_command
    from django.db import connection

    from partnercenter.models import Partner

    call_command("migrate", interactive=False, verbosity=0)
    say(f"  {env.database_name(url)}: migrated in {time.perf_counter() - started:.1f}s")
    started = time.perf_counter()
    partners = Partner.objects.bulk_create([
        Partner(account_name=f"bench-opps-{n:03d}", name=f"机会点基准伙伴{n:03d}", partner_type="solution_provider")
        for n in range(PARTNERS)])
    first = min(p.pk for p in partners)
    with connection.cursor() as cur:
        cur.execute("SELECT date_trunc('minute', now())")
        base = cur.fetchone()[0]
        cur.execute("SET work_mem = '256MB'; SET synchronous_commit = off")
        cur.execute(opportunities_sql(first), {"base": base})
        cur.execute(f"SELECT setval(pg_get_serial_sequence('{TABLE}', 'id'), (SELECT max(id) FROM {TABLE}))")
        cur.execute("CREATE TABLE bench_opps_base (base timestamptz)")
        cur.execute("INSERT INTO bench_opps_base VALUES (%s)", [base])
    with connection.cursor() as cur:
        cur.execute(f"VACUUM ANALYZE {TABLE}")
    say(f"  {OPPORTUNITIES:,} opportunities in {time.perf_counter() - started:.1f}s")
    connection.close()


def setup(url):
    # The events' dispatch after each commit is queued (in memory), not run inline: a worker does it.
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "0"
    os.environ["CELERY_BROKER_URL"] = "memory://"
    os.environ["CELERY_RESULT_BACKEND"] = ""
    env.setup_django(url)


# --- the measurements -------------------------------------------------------------------------------------

def base_time():
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT base FROM bench_opps_base")
        return cur.fetchone()[0]


def reset():
    """The due rows pending again, the runs' events gone (the operation log is append-only: its rows stay),
    the tables vacuumed. Returns how many rows it put back."""
    from django.db import connection

    from events.models import Event

    with connection.cursor() as cur:
        cur.execute(f"UPDATE {TABLE} SET status = 'pending', decided_at = NULL, decided_by = '' "
                    f"WHERE (id - 1) %% 100 = 0 AND status <> 'pending'", [])
        moved = cur.rowcount
    Event.objects.filter(type="expansion.opportunity_recalled").delete()
    with connection.cursor() as cur:
        cur.execute(f"VACUUM ANALYZE {TABLE}")
        cur.execute(f"VACUUM ANALYZE {Event._meta.db_table}")
    return moved


def table_stats() -> dict:
    """The table's counters, flushed and read afresh (PostgreSQL 15: a backend's statistics reach the shared
    counters at the end of a transaction, at most once a second unless forced)."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT pg_stat_force_next_flush()")
    with connection.cursor() as cur:
        cur.execute("SELECT pg_stat_clear_snapshot()")
        cur.execute("SELECT seq_scan, seq_tup_read, idx_scan, idx_tup_fetch, n_tup_upd FROM pg_stat_user_tables "
                    "WHERE relname = %s", [TABLE])
        names = ("seq_scan", "seq_tup_read", "idx_scan", "idx_tup_fetch", "n_tup_upd")
        return dict(zip(names, (int(v or 0) for v in cur.fetchone())))


def delta(before, after) -> dict:
    return {name: after[name] - before[name] for name in before}


def explain(now):
    from django.db import connection, transaction

    from expansion import opportunities_sla

    with transaction.atomic():
        query = opportunities_sla.due_for_recall(now).order_by("deadline").select_for_update() \
            .only("pk", "partner_id", "origin", "name", "customer_name", "deadline")[:opportunities_sla.BATCH]
        sql, params = query.query.sql_with_params()
        with connection.cursor() as cur:
            cur.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql, params)
            plan = [row[0] for row in cur.fetchall()]
        transaction.set_rollback(True)  # the plan's run locked rows: let them go
    return sql, plan


def run_recall(now):
    from expansion import opportunities_sla

    started = time.perf_counter()
    moved = opportunities_sla.recall_overdue(now=now)
    return time.perf_counter() - started, moved


def single_update(now):
    from django.db import connection, transaction

    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(f"UPDATE {TABLE} SET status = 'recalled', decided_at = %s, decided_by = 'scheduler', "
                    f"updated_at = %s WHERE origin = 'HO' AND status = 'pending' AND deadline < %s", [now, now, now])
        rows = cur.rowcount
    return time.perf_counter() - started, rows


def measure(url):
    setup(url)
    from django.db import connection

    from events.models import Event
    from expansion.models import Opportunity

    now = base_time()
    reset()
    due = Opportunity.objects.filter(origin="HO", status="pending", deadline__lt=now).count()
    say(f"\n{Opportunity.objects.count():,} opportunities; due at {now.isoformat()}: {due:,}")

    sql, plan = explain(now)
    say("\n1. EXPLAIN ANALYZE of the recall's batch statement:\n   " + sql[:400])
    say("\n".join("   " + line for line in plan))
    used = any("opportunity_ho_due" in line for line in plan)
    seq = any("Seq Scan" in line for line in plan)
    target("recall batch uses opportunity_ho_due (no sequential scan)", "yes" if used and not seq else "no", "=",
           "yes", used and not seq, fmt="{}")

    before = table_stats()
    seconds, moved = run_recall(now)
    touched = delta(before, table_stats())
    events = Event.objects.filter(type="expansion.opportunity_recalled").count()
    say(f"\n2. recall_overdue: {moved:,} recalled in {seconds * 1000:.0f} ms ({events:,} events); table counters: "
        f"{touched}")
    target("rows updated by the recall = due rows", touched["n_tup_upd"], "=", due,
           touched["n_tup_upd"] == due == moved, fmt="{:,}")
    target("tuples the recall read (index fetches, no sequential scan) per due row",
           touched["idx_tup_fetch"] / max(due, 1), "<=", 3,
           touched["seq_scan"] == 0 and touched["idx_tup_fetch"] <= 3 * due)

    before = table_stats()
    again_s, again = run_recall(now)
    late_s, late = run_recall(now + timedelta(days=1))
    quiet = delta(before, table_stats())
    say(f"\n3. a second run: {again} moved in {again_s * 1000:.1f} ms; a late run (a day later): {late} moved in "
        f"{late_s * 1000:.1f} ms; table counters: {quiet}")
    # the late run reads the rows due by then: the not-due pending rows whose deadline passed in that day
    late_due = Opportunity.objects.filter(origin="HO", status="recalled", decided_at=now + timedelta(days=1)).count()
    target("second run: rows moved", again, "=", 0, again == 0, fmt="{}")
    target("late run moves only the rows due by then", late, "=", late_due, late == late_due and
           quiet["seq_scan"] == 0, fmt="{:,}")
    # put the late run's rows back to pending (they were not due at `now`)
    with connection.cursor() as cur:
        cur.execute(f"UPDATE {TABLE} SET status = 'pending', decided_at = NULL, decided_by = '' "
                    f"WHERE decided_at = %s AND status = 'recalled'", [now + timedelta(days=1)])

    singles, recalls = [], []
    say(f"\n4. {ROUNDS} rounds (ms)      single UPDATE    recall_overdue")
    for round_no in range(ROUNDS):
        order = ("single", "recall") if round_no % 2 == 0 else ("recall", "single")
        shown = {}
        for which in order:
            reset()
            seconds, rows = single_update(now) if which == "single" else run_recall(now)
            (singles if which == "single" else recalls).append(seconds)
            shown[which] = (seconds, rows)
        say(f"   round {round_no + 1}              {shown['single'][0] * 1000:10.1f}      {shown['recall'][0] * 1000:10.1f}"
            f"   ({shown['recall'][1]:,} rows)")
        if shown["single"][1] != shown["recall"][1]:
            raise SystemExit(f"the runs moved different rows: {shown}")
    reset()
    single, recall = statistics.median(singles), statistics.median(recalls)
    say(f"\n   median: single UPDATE {single * 1000:.1f} ms, recall_overdue {recall * 1000:.1f} ms "
        f"(ratio {single / recall:.2f}; the recall also locks in batches of 500, writes one keyed event per row "
        f"and one operation-log row per partner and batch)")
    connection.close()


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.opportunities", description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--skip-build", action="store_true")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    base = env.require_bench_url(args.database_url, "bench.opportunities")
    url = env.with_database(base, env.database_name(base) + SUFFIX)
    started = time.perf_counter()
    if not args.skip_build:
        say(f"Building {env.database_name(url)} …")
        build(url)
        import subprocess  # measure in a fresh process: Django was set up once for the build

        return subprocess.call([sys.executable, "-m", "bench.opportunities", "--skip-build",
                                "--database-url", base], cwd=env.ROOT)
    measure(url)
    say(f"\n(bench.opportunities took {time.perf_counter() - started:.0f} s)")
    for line, _passed in TARGETS:
        say(line)
    return 0 if all(passed for _line, passed in TARGETS) else 1


if __name__ == "__main__":
    sys.exit(main())
