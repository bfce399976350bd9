#!/usr/bin/env python
"""The monthly incentive run of issue 17 (PostgreSQL): `incentives.run.run_month` over 100,000 customers' closed
fee records, against ONE `INSERT … SELECT … GROUP BY` computing the same sums.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pc_bench .venv/bin/python -m bench.incentives \
        [--per-customer 100] [--skip-build]

It builds `<name>_incentives` next to the named database: bench.dataset's large book (100,000 customers, one
active association each, 70 % resale, 2 % with an ended earlier one; the adjustments and ledger come with it),
then, all with set-based SQL:
- the customers spread over PARTNERS partners (bench-sp and 99 more, by customer id; one UPDATE with the
  list-counter triggers skipped, then `verify_counts --fix`), half of them JOINED to the solution-provider
  programme;
- the policies of the month: a general referral one (OBS 无业绩无返点, VPC 有业绩无返点), a general resale one
  (OBS 无业绩无返点) and the programme's resale one (EVS 特定产品, VPC 有业绩无返点, two tiers, a first-order rate);
- PER_CUSTOMER × 100,000 fee records (10,000,000 at the default 100) in the previous month, loaded by
  bench.bulkload (rows with the primary key and unique indexes live, then the other indexes and the foreign keys
  built and validated, as pg_restore does; two sessions of one INSERT … SELECT … generate_series each), that
  month CLOSED. Record k of customer c (i = k·100,000 + c − 1): service (k + c) mod 4 of EC2, EVS, OBS, VPC;
  k = 7 a new yearly/monthly purchase, 8 its refund (every part negative), 17 a renewal, 9 a compensation (c mod
  10 = 0) or a late usage record (c mod 10 = 1), else pay-per-use usage; official 1.00–100.99, a tenth discount,
  a rounded-off fen every third, a quarter by coupon when k = 0, half in arrears when k = 1 for every 50th
  customer; k < 3 of the customers with an ended association are attributed to it.

Then, in one process (as the Celery worker runs the task), ROUNDS rounds, alternating which goes first:
1. the single statement: `INSERT INTO incentives_incentivedetail … SELECT … FROM (…GROUP BY…)` of
   incentives.run_sql.grouped_fees over the whole month (the run's own grouping, every partner at once) into the
   table the run fills — its indexes and deferred foreign-key checks paid by both sides, as bench.month_close
   compares with the sums statement into the sums table — under one statement row made for it, alone in its
   transaction, COMMIT included;
2. `run_month(SCHEDULER, bill_cycle=…)`: the month's IncentiveRun row, per chunk of partners (one chunk here)
   its statements (run_sql.py), the DONE row and its operation-log row — every statement it sends is recorded
   (count, text, time);
each preceded by a reset (the month's statements, lines and run removed; VACUUM ANALYZE). The target is the
ratio of the medians, single statement time ÷ run time (≥ 0.5). Then the single statement once into a plain
table without indexes or foreign keys (recorded), and a check that every base line of the run has its sums, prints the statements one run sent with their times, and the number
of statements with chunks of 10 partners (10 chunks; recorded, no target) — no statement per fee record,
customer or partner.

`--skip-build` reuses the book and fee records an earlier run built. Exit status 1 when a target fails.
"""

import argparse
import io
import os
import signal
import statistics
import subprocess
import sys
import time

from . import bulkload, env
from .report import TARGETS, say, target

CUSTOMERS = 100_000
PARTNERS = 100
SUFFIX = "_incentives"
ROUNDS = 3
SERVICES = (("hws.service.type.ec2", "hws.resource.type.vm"), ("hws.service.type.evs", "hws.resource.type.volume"),
            ("hws.service.type.obs", "hws.resource.type.obs"), ("hws.service.type.vpc", "hws.resource.type.eip"))
SUMS = "bench_incentive_sums"


def setup(url):
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "0"
    os.environ["CELERY_BROKER_URL"] = "memory://"
    os.environ["CELERY_RESULT_BACKEND"] = ""
    env.setup_django(url)


def build(url):
    command = [sys.executable, "-m", "bench.dataset", "--scale", "large", "--fresh", "--database-url", url]
    if subprocess.call(command, cwd=env.ROOT) != 0:
        raise SystemExit("building the book failed")


# --- partners, programme, policies ----------------------------------------------------------------------

def the_cycle():
    from bills import periods

    return periods.previous_cycle(periods.current_cycle())


def services():
    from catalog.models import ResourceType, ServiceType

    found = []
    for code, resource in SERVICES:
        service, _ = ServiceType.objects.get_or_create(code=code, defaults={"name": code})
        kind, _ = ResourceType.objects.get_or_create(code=resource, defaults={"name": resource,
                                                                              "service_type": service})
        found.append((service, kind))
    return found


def partners_and_policies(cycle):
    """The partners (bench-sp first), the customers spread over them, memberships and policies: once."""
    from decimal import Decimal as D

    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from bills.choices import PeriodStatus
    from bills.models import BillingPeriod
    from customers.models import Association
    from incentives.choices import PolicyCode
    from incentives.models import IncentivePolicy, PolicyServiceRule, PolicyTier
    from incentives.policies import month_of_cycle
    from partnercenter.models import Partner
    from programs.catalogue import SOLUTION_PROVIDER, seed_definitions
    from programs.choices import MembershipStatus
    from programs.models import Membership, Program

    first = Partner.objects.get(account_name="bench-sp")
    partners = [first] + [Partner.objects.get_or_create(
        account_name=f"bench-inc-{n:02d}", defaults={"name": f"激励伙伴{n:02d}有限公司",
                                                     "partner_type": "solution_provider",
                                                     "contracting_entity": "华为云计算技术有限公司"})[0]
        for n in range(1, PARTNERS)]
    ids = [partner.pk for partner in partners]
    # The list counters' per-row update trigger folds its pending change at COMMIT row by row (built for
    # statement-level inserts): for this one bulk move the triggers are skipped and the counters recomputed.
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET LOCAL session_replication_role = replica")
        cur.execute(f"UPDATE {Association._meta.db_table} SET partner_id = (%s::bigint[])[1 + customer_id %% {PARTNERS}]",
                    [ids])
    call_command("verify_counts", fix=True, stdout=io.StringIO(), stderr=io.StringIO())
    seed_definitions()
    program = Program.objects.get(code=SOLUTION_PROVIDER)
    Membership.objects.bulk_create([Membership(partner=partner, program=program, status=MembershipStatus.JOINED,
                                               decided_at=timezone.now()) for partner in partners[::2]])
    found = services()
    by_code = {service.code: service for service, _kind in found}
    month = month_of_cycle(cycle)

    def policy(code, kind, period, on_demand, rules, program=None, first_order="0", tiers=()):
        made = IncentivePolicy.objects.create(code=code, name=code, program=program, association_type=kind,
                                              valid_from=month, period_rate=D(period), on_demand_rate=D(on_demand),
                                              first_order_rate=D(first_order))
        for service, value, rates in rules:
            PolicyServiceRule.objects.create(policy=made, service_type=by_code[service], incentive_policy=value,
                                             period_rate=rates and D(rates[0]), on_demand_rate=rates and D(rates[1]))
        for threshold, extra in tiers:
            PolicyTier.objects.create(policy=made, min_performance=D(threshold), extra_rate=D(extra))

    obs, vpc, evs = SERVICES[2][0], SERVICES[3][0], SERVICES[1][0]
    policy("bench-referral", "1", "0.0500", "0.0300", [(obs, PolicyCode.NO_PERFORMANCE, None),
                                                        (vpc, PolicyCode.PERFORMANCE_ONLY, None)])
    policy("bench-resale", "2", "0.0300", "0.0100", [(obs, PolicyCode.NO_PERFORMANCE, None)])
    policy("bench-resale-sp", "2", "0.0400", "0.0200", [(evs, PolicyCode.SPECIFIC, ("0.0600", "0.0800")),
                                                         (vpc, PolicyCode.PERFORMANCE_ONLY, None)],
           program=program, first_order="0.0200", tiers=[("10000.00", "0.0100"), ("100000.00", "0.0200")])
    BillingPeriod.objects.update_or_create(bill_cycle=cycle, defaults={"status": PeriodStatus.CLOSED,
                                                                       "closed_at": timezone.now()})
    return ids, found


def fees_sql(per_customer, half):
    """Half `half` (0 or 1) of the fee records (the module docstring says which)."""
    from bills.models import FeeRecord
    from customers.models import Association

    table, assoc = FeeRecord._meta.db_table, Association._meta.db_table
    total = CUSTOMERS * per_customer
    low, high = (0, total // 2 - 1) if half == 0 else (total // 2, total - 1)
    return f"""
        INSERT INTO {table} (record_id, bill_cycle, is_adjustment, customer_id, association_id, partner_id, bill_type,
            charging_mode, status, usage_record_id, source_ref, trade_id, trade_time, effective_time, expire_time,
            service_type_id, resource_type_id, region_id, product_id, resource_id, resource_name, product_spec_desc,
            period_type, period_num, usage_type_id, usage_amount, usage_measure_id, free_resource_usage,
            official_amount, discount_amount, erase_amount, consume_amount, coupon_amount,
            flexipurchase_coupon_amount, cash_amount, debt_amount, writeoff_amount, partner_paid, trans_id,
            created_at)
        SELECT 'bench-fee-' || r.i, %(cycle)s, r.k = 9 AND r.c %% 10 = 1, r.c,
            CASE WHEN r.k < 3 AND (r.c - 1) %% 50 = 1 THEN (SELECT a.id FROM {assoc} a
                 WHERE a.customer_id = r.c AND a.ended_on IS NOT NULL ORDER BY a.id LIMIT 1) ELSE r.c END,
            (%(partners)s::bigint[])[1 + r.c %% {PARTNERS}], r.bill_type,
            CASE WHEN r.bill_type IN (1, 2, 4) THEN 1 ELSE 3 END,
            CASE WHEN r.debt > 0 THEN 2 ELSE 1 END, NULL, '', 'bench-t-' || r.i, r.at, r.at, NULL,
            (%(services)s::bigint[])[1 + r.s], (%(resources)s::bigint[])[1 + r.s], NULL, NULL,
            'bench-r-' || r.c, '', '', NULL, NULL, NULL, NULL, NULL, 0,
            r.sign * r.o / 100.0, r.sign * r.d / 100.0, r.sign * r.e / 100.0, r.sign * (r.o - r.d - r.e) / 100.0,
            r.sign * r.coupon / 100.0, 0, r.sign * (r.o - r.d - r.e - r.coupon - r.debt) / 100.0, r.debt / 100.0, 0,
            false, '', r.at
        FROM (SELECT i, c, k, (k + c) %% 4 AS s, o, o / 10 AS d, CASE WHEN i %% 3 = 0 THEN 1 ELSE 0 END AS e,
                     CASE WHEN k = 0 THEN (o - o / 10) / 4 ELSE 0 END AS coupon,
                     CASE WHEN k = 1 AND c %% 50 = 0 THEN (o - o / 10 - 1) / 2 ELSE 0 END AS debt,
                     CASE WHEN k = 7 THEN 1 WHEN k = 8 THEN 4 WHEN k = 17 THEN 2
                          WHEN k = 9 AND c %% 10 = 0 THEN 9 ELSE 5 END AS bill_type,
                     CASE WHEN k = 8 THEN -1 ELSE 1 END AS sign,
                     %(start)s + (i %% 2000000) * interval '1 second' AS at
              FROM (SELECT i, i %% {CUSTOMERS} + 1 AS c, i / {CUSTOMERS} AS k, 100 + (i * 7919) %% 10000 AS o
                    FROM generate_series({low}::bigint, {high}::bigint) AS i) AS base) AS r
        ORDER BY r.i"""


def prepare(url, per_customer):
    """Partners, policies and fee records, unless an earlier run made them."""
    setup(url)
    from django.db import connection

    from bills import periods
    from bills.models import FeeRecord
    from incentives.models import IncentivePolicy

    if IncentivePolicy.objects.filter(code="bench-referral").exists() and FeeRecord.objects.exists():
        return
    cycle = the_cycle()
    started = time.perf_counter()
    partners, found = partners_and_policies(cycle)
    say(f"  {PARTNERS} partners, memberships, policies of {cycle} in {time.perf_counter() - started:.1f}s")
    values = {"cycle": cycle, "partners": partners, "start": periods.cycle_bounds(cycle)[0],
              "services": [service.pk for service, _kind in found], "resources": [kind.pk for _s, kind in found]}
    started = time.perf_counter()
    bulkload.load(connection.get_connection_params(), [FeeRecord._meta.db_table],
                  [[[("fee records, first half", fees_sql(per_customer, 0), values)],
                    [("fee records, second half", fees_sql(per_customer, 1), values)]]])
    with connection.cursor() as cur:
        cur.execute(f"VACUUM ANALYZE {FeeRecord._meta.db_table}")
    say(f"  {CUSTOMERS * per_customer:,} fee records of {cycle} in {time.perf_counter() - started:.1f}s")


# --- the measurements -------------------------------------------------------------------------------------

def reset(cycle):
    from django.db import connection

    from incentives.models import IncentiveDetail, IncentiveRun, IncentiveStatement

    IncentiveDetail.objects.filter(bill_cycle=cycle).delete()
    IncentiveStatement.objects.filter(bill_cycle=cycle)._raw_delete(connection.alias)
    IncentiveRun.objects.filter(bill_cycle=cycle).delete()
    with connection.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS {SUMS}")
        for model in (IncentiveDetail, IncentiveStatement, IncentiveRun):
            cur.execute(f"VACUUM ANALYZE {model._meta.db_table}")


def single_statement(cycle):
    """ONE INSERT … SELECT … GROUP BY: the month's grouped sums (the run's own grouping, every partner at once)
    into the incentive lines table — the table the run fills, with its indexes and foreign keys — under one
    statement row made for it; its transaction, COMMIT included (the deferred foreign-key checks), timed."""
    from django.db import connection, transaction
    from django.utils import timezone

    from incentives import run_sql
    from incentives.models import IncentiveDetail, IncentivePolicy, IncentiveStatement
    from partnercenter.models import Partner

    holder = IncentiveStatement.objects.create(
        partner=Partner.objects.get(account_name="bench-sp"), bill_cycle=cycle,
        policy=IncentivePolicy.objects.get(code="bench-referral"), kind="base", name="bench: single statement",
        association_type="1", performance=0, amount=0, dispute_deadline=timezone.now())
    d = IncentiveDetail._meta
    columns = ", ".join(d.get_field(name).column for name in (
        "statement", "bill_cycle", "partner", "policy", "kind", "association", "association_type", "customer",
        "service_type", "charging_mode", "incentive_policy", "fee_records", "consumption", "performance", "rate",
        "rebate"))
    sql, params = run_sql.positional(
        f"INSERT INTO {d.db_table} ({columns}) SELECT %(holder)s, %(cycle)s, g.partner_id, %(policy)s, 'base', "
        f"g.association_id, '1', g.customer_id, g.service_type_id, g.charging_mode, 0, g.records, g.consumption, "
        f"g.performance, 0, 0 FROM ({run_sql.grouped_fees(chunked=False)}) g",
        {"cycle": cycle, "holder": holder.pk, "policy": holder.policy_id})
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(sql, params)
        rows = cur.rowcount
    return time.perf_counter() - started, rows


def plain_statement(cycle):
    """The same single statement into a plain table without indexes or foreign keys (recorded; and the run's
    lines are compared with it)."""
    from django.db import connection, transaction

    from incentives import run_sql

    sql, params = run_sql.positional(f"INSERT INTO {SUMS} {run_sql.grouped_fees(chunked=False)}", {"cycle": cycle})
    with connection.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS {SUMS}")
        cur.execute(f"CREATE TABLE {SUMS} (partner_id bigint, association_id bigint, customer_id bigint, "
                    f"service_type_id bigint, charging_mode smallint, records integer, consumption numeric(18, 2), "
                    f"performance numeric(18, 2))")
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(sql, params)
        rows = cur.rowcount
    return time.perf_counter() - started, rows


class Recorder:
    """Every statement the run sends: its SQL and how long it took."""

    def __init__(self):
        self.sent = []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.sent.append((time.perf_counter() - started, " ".join(sql.split())))


def run_once(cycle, chunk_size=None):
    from django.db import connection

    from incentives import run
    from partnercenter.actors import SCHEDULER

    recorder = Recorder()
    kwargs = {"chunk_size": chunk_size} if chunk_size else {}
    with connection.execute_wrapper(recorder):
        started = time.perf_counter()
        result = run.run_month(SCHEDULER, bill_cycle=cycle, **kwargs)
        seconds = time.perf_counter() - started
    if not result.done:
        raise SystemExit("the run did not finish the month")
    return seconds, result, recorder.sent


def differences(cycle) -> int:
    """Base lines of the run whose sums differ from the single statement's for their key (or have none)."""
    from django.db import connection

    from incentives.models import IncentiveDetail

    d = IncentiveDetail._meta.db_table
    with connection.cursor() as cur:
        cur.execute(f"""SELECT COUNT(*) FROM {d} d LEFT JOIN {SUMS} s ON s.association_id = d.association_id
                          AND s.service_type_id = d.service_type_id AND s.charging_mode = d.charging_mode
                        WHERE d.bill_cycle = %s AND d.kind = 'base' AND (s.association_id IS NULL
                          OR s.records <> d.fee_records OR s.consumption <> d.consumption
                          OR s.performance <> d.performance OR s.partner_id <> d.partner_id
                          OR s.customer_id <> d.customer_id)""", [cycle])
        return cur.fetchone()[0]


def measure(url):
    setup(url)
    from django.db import connection

    from bills.models import FeeRecord
    from incentives.models import IncentiveDetail, IncentiveStatement

    cycle = the_cycle()
    fees = FeeRecord.objects.filter(bill_cycle=cycle).count()
    say(f"\n{fees:,} fee records of {cycle}, {CUSTOMERS:,} customers, {PARTNERS} partners")
    singles, runs, sent, groups = [], [], None, None
    say(f"\n{ROUNDS} rounds (s)      single INSERT…SELECT…GROUP BY      run_month      statements sent")
    for round_no in range(ROUNDS):
        order = ("single", "run") if round_no % 2 == 0 else ("run", "single")
        shown = {}
        for which in order:
            reset(cycle)
            if which == "single":
                seconds, groups = single_statement(cycle)
                singles.append(seconds)
            else:
                seconds, result, sent = run_once(cycle)
                runs.append(seconds)
            shown[which] = seconds
        say(f"   round {round_no + 1}               {shown['single']:8.3f}                 {shown['run']:8.3f}"
            f"          {len(sent)}")
    # the comparison: one more run, then the single statement into a plain table beside its rows
    reset(cycle)
    _seconds, result, _sent = run_once(cycle)
    plain_seconds, _rows = plain_statement(cycle)
    wrong = differences(cycle)
    details = IncentiveDetail.objects.filter(bill_cycle=cycle).count()
    statements = IncentiveStatement.objects.filter(bill_cycle=cycle).count()
    say(f"\n   {groups:,} groups from the single statement; the run wrote {details:,} lines and {statements} "
        f"statements ({result.partners} partners); base lines whose sums differ from it: {wrong}")
    say(f"   the single statement into a plain table (no index, no foreign key): {plain_seconds:.2f}s (recorded)")
    if wrong:
        raise SystemExit("the run and the single statement computed different sums")
    say(f"\n   the statements one run sent ({len(sent)}), with their times:")
    for seconds, sql in sent:
        say(f"     {seconds * 1000:9.1f} ms  {sql[:150]}")
    reset(cycle)
    chunked_seconds, chunked, chunked_sent = run_once(cycle, chunk_size=10)
    say(f"\n   with chunks of 10 partners: {chunked.chunks} chunks, {len(chunked_sent)} statements, "
        f"{chunked_seconds:.2f}s (recorded, no target)")
    reset(cycle)
    connection.close()
    single, whole = statistics.median(singles), statistics.median(runs)
    say(f"\n   median: single statement {single * 1000:.0f} ms, run_month {whole * 1000:.0f} ms")
    target(f"incentive run vs single INSERT … SELECT … GROUP BY ({fees:,} fee records, {CUSTOMERS:,} customers)",
           single / whole, ">=", 0.5, single / whole >= 0.5)
    per_chunk = (len(chunked_sent) - len(sent)) / max(chunked.chunks - result.chunks, 1)
    say(f"   statements per extra chunk: {per_chunk:.0f} (none per fee record, customer or partner)")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.incentives", description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--per-customer", type=int, default=100, help="fee records per customer (default 100)")
    parser.add_argument("--skip-build", action="store_true")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    base = env.require_bench_url(args.database_url, "bench.incentives")
    url = env.with_database(base, env.database_name(base) + SUFFIX)
    started = time.perf_counter()
    if not args.skip_build:
        say(f"Building {env.database_name(url)} …")
        build(url)
    prepare(url, args.per_customer)
    measure(url)
    say(f"\n(bench.incentives took {time.perf_counter() - started:.0f} s)")
    for line, _passed in TARGETS:
        say(line)
    return 0 if all(passed for _line, passed in TARGETS) else 1


if __name__ == "__main__":
    sys.exit(main())
