#!/usr/bin/env python
"""企业百科 name search at 10,000 vs 1,000,000 enterprises (issue 16), on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pc_bench .venv/bin/python -m bench.directory

It builds `<name>_dir_small` (10,000 enterprises) and `<name>_dir_large` (1,000,000) next to the named
database (whose name must contain `bench`): migrated, then one INSERT … SELECT … FROM generate_series each.
Names are a city, two characters drawn by a hash of the row number from 100 and a business (`杭州` `华` `腾`
`科技有限公司`), so the share of rows a query matches is the same at both scales. Ten flagship enterprises,
`星河璀璨数据科技有限公司第N分公司`, are in both sets: the selective searches find the same ten in 10k or
1M. 1 % of the enterprises (and five of the flagships) hold an ACTIVE report, so the page's protection
statement reads rows. The non-unique indexes of the table (the name's btree and `_like` pattern index,
the trigram GIN of migration 0002) are dropped before the load and built again from PostgreSQL's own
definitions after it; then VACUUM ANALYZE. (Credit codes are unique 18-character strings; their check
character is not computed here.)

Then, in one process with both databases open, the statements the search page runs
(selectors_directory: the capped count, the page of 20 ordered by name, the protections of the page's
rows), for each query:

- `璀璨数据` (contains, four characters: the trigram index; 10 hits at both scales) — target large/small ≤ 1.5;
- `星河` (two characters: the prefix-search on the name's pattern index; 10 hits) — target ≤ 1.5;
- a credit code (the unique index; 1 hit) — target ≤ 1.5;
- `科技有限公司` (common: about 1 in 10 names; the count stops at the cap, the page walks the name index)
  — target ≤ 1.5;
- `无此企业名称` (no enterprise has it) — target ≤ 1.5;
- `杭州华` (three characters, about 1 in 4,000 names: 2–3 hits at 10k, about 250 at 1M, so the page has more
  to read and order at 1M; recorded, no target — the result grows with the directory).

Each query: 5 warm-up runs per set, then PAIRS back-to-back pairs alternating which set goes first; the
target is the ratio of the medians. EXPLAIN (ANALYZE, BUFFERS) of the count and page statements (as the page sends
them) at 1M and at 10k is printed for each query. `--skip-build` reuses the sets an earlier run built. Exit status 1 when a target
fails.
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

SETS = {"small": 10_000, "large": 1_000_000}
SUFFIX = {"small": "_dir_small", "large": "_dir_large"}
PAIRS = 30
WARMUP = 5
FLAGSHIP = "星河璀璨数据科技有限公司第{}分公司"
CITIES = ["北京", "上海", "广州", "深圳", "杭州", "成都", "武汉", "南京", "西安", "重庆", "苏州", "天津", "青岛", "厦门",
          "长沙", "郑州", "济南", "合肥", "福州", "昆明", "沈阳", "大连", "宁波", "无锡", "佛山", "东莞", "珠海", "南昌",
          "贵阳", "南宁", "太原", "石家庄", "哈尔滨", "长春", "兰州", "海口", "乌鲁木齐", "呼和浩特", "银川", "西宁"]
# 100 distinct characters (none of 璀, 璨, 星: the flagships' own)
CHARS = list(dict.fromkeys("华腾云启辰汇通恒信博远中科金桥瑞丰新源凌海纳鼎盛明德众合天宇宏达安顺泰和嘉禾永康正阳东方瀚英越锦绣"
                           "晨曦飞龙凤鸣光大同创智联数码兴旺隆昌富贵荣耀伟业鑫磊森林江河湖山川峰岭秀美佳弘毅诚实力行知"
                           "远航拓展卓越精工匠心聚宝润泽"))[:100]
BUSINESSES = ["科技有限公司", "信息技术有限公司", "物流有限公司", "食品股份有限公司", "医疗器械有限公司", "教育咨询有限公司",
              "新能源有限公司", "电子商务有限公司", "文化传媒有限公司", "建筑工程有限公司"]


def _array(values) -> str:
    return "ARRAY[" + ", ".join("'" + value + "'" for value in values) + "]"


def enterprises_sql(count: int) -> str:
    return f"""
        INSERT INTO expansion_enterprise (id, name, credit_code, industry, region, size, registered_capital,
            legal_representative, status, established_on, address, updated_at)
        SELECT i + 1,
            ({_array(CITIES)})[1 + i % {len(CITIES)}]
              || ({_array(CHARS)})[1 + (hashint4(i) & 2147483647) % {len(CHARS)}]
              || ({_array(CHARS)})[1 + (hashint4(i + 1000003) & 2147483647) % {len(CHARS)}]
              || ({_array(BUSINESSES)})[1 + (hashint4(i + 2000003) & 2147483647) % {len(BUSINESSES)}],
            '9' || lpad(i::text, 17, '0'),
            '软件和信息技术服务业', ({_array(CITIES)})[1 + i % {len(CITIES)}] || '市',
            (ARRAY['micro', 'small', 'medium', 'large'])[1 + i % 4], (i % 10000) + 100, '张伟',
            CASE WHEN i % 50 = 49 THEN 'cancelled' ELSE 'operating' END,
            DATE '2000-01-01' + (i % 9000), '高新区' || (i % 500) || '号', now()
        FROM generate_series(0, {count} - 1) AS i"""


# --- the build (a process per set: Django binds to one database per process) ----------------------------

def build_one(url: str, count: int):
    from .dataset import recreate

    started = time.perf_counter()
    recreate(url)
    env.setup_django(url)
    from django.core.management import call_command
    from django.db import connection, transaction

    from partnercenter.models import Partner

    call_command("migrate", interactive=False, verbosity=0)
    say(f"  {env.database_name(url)}: migrated in {time.perf_counter() - started:.1f}s")
    started = time.perf_counter()
    with transaction.atomic():
        partner = Partner.objects.create(account_name="bench-dir", name="企业百科基准伙伴",
                                         partner_type="solution_provider")
    with connection.cursor() as cur:
        cur.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'expansion_enterprise' "
                    "AND indexdef NOT LIKE 'CREATE UNIQUE%%'")
        indexes = cur.fetchall()
        for name, _definition in indexes:
            cur.execute(f'DROP INDEX "{name}"')
        cur.execute("SET work_mem = '256MB'; SET synchronous_commit = off")
        cur.execute(enterprises_sql(count))
        flagships = [(count + n + 1, FLAGSHIP.format(n + 1), "9" + f"F{n:016d}") for n in range(10)]
        for pk, name, code in flagships:
            cur.execute("INSERT INTO expansion_enterprise (id, name, credit_code, industry, region, size, "
                        "legal_representative, status, address, updated_at) VALUES (%s, %s, %s, '软件和信息技术服务业', "
                        "'浙江省', 'large', '李娜', 'operating', '', now())", [pk, name, code])
        cur.execute("SELECT setval(pg_get_serial_sequence('expansion_enterprise', 'id'), "
                    "(SELECT max(id) FROM expansion_enterprise))")
        cur.execute("""
            INSERT INTO expansion_report (partner_id, enterprise_id, contact_name, contact_phone, note, status,
                protected_until, created_at)
            SELECT %s, id, '', '', '', 'active', now() + interval '60 days', now() FROM expansion_enterprise
            WHERE id %% 100 = 0 OR id > %s AND id <= %s + 5""", [partner.pk, count, count])
        loaded = time.perf_counter() - started
        started = time.perf_counter()
        cur.execute("SET maintenance_work_mem = '512MB'")
        for _name, definition in indexes:
            cur.execute(definition)
        indexed = time.perf_counter() - started
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE expansion_enterprise")
        cur.execute("VACUUM ANALYZE expansion_report")
    say(f"  {env.database_name(url)}: {count + 10:,} enterprises loaded in {loaded:.1f}s, "
        f"{len(indexes)} indexes built in {indexed:.1f}s ({', '.join(name for name, _d in indexes)})")
    connection.close()


def build(urls):
    for scale, url in urls.items():
        command = [sys.executable, "-m", "bench.directory", "--build-one", url, str(SETS[scale])]
        if subprocess.call(command, cwd=env.ROOT) != 0:
            raise SystemExit(f"building {env.database_name(url)} failed")


# --- the measurements -------------------------------------------------------------------------------------

def setup(urls):
    env.setup_django(urls["large"])
    from django.conf import settings
    from django.db import connections

    settings.DATABASES["small"] = {**settings.DATABASES["default"], "NAME": env.database_name(urls["small"])}
    settings.DATABASES["large"] = settings.DATABASES["default"]
    connections.__dict__.pop("settings", None)  # read DATABASES again, with the second set


def search(alias, query, now):
    """What the search page reads (expansion.views_directory.directory): the capped count, the page, its
    rows' protections."""
    from expansion.choices import ReportStatus
    from expansion.models import Enterprise, Report
    from expansion.selectors_directory import CappedPaginator, matching

    paginator = CappedPaginator(matching(Enterprise.objects.using(alias).all(), query), 20)
    rows = list(paginator.get_page(1))
    protections = list(Report.objects.using(alias).filter(
        enterprise_id__in=[row.pk for row in rows], status=ReportStatus.ACTIVE, protected_until__gt=now).only(
        "id", "enterprise_id", "partner_id", "protected_until"))
    return paginator.count, len(rows), len(protections)


def timed(alias, query, now):
    started = time.perf_counter()
    result = search(alias, query, now)
    return time.perf_counter() - started, result


def explain(alias, query):
    """EXPLAIN ANALYZE of the count and of the page statement as the search page sends them."""
    from django.core.exceptions import EmptyResultSet
    from django.db import connections

    from expansion.models import Enterprise
    from expansion.selectors_directory import SEARCH_CAP, CappedPaginator, matching

    queryset = matching(Enterprise.objects.using(alias).all(), query)
    page = CappedPaginator(queryset, 20).get_page(1)
    plans = []
    for label, statement in (("count", queryset.order_by()[:SEARCH_CAP + 1].values("pk")),
                             ("page", page.object_list)):
        try:
            sql, params = statement.query.sql_with_params()
        except EmptyResultSet:  # no match: the page sends no statement (LIMIT 0)
            plans.append((label, "(no statement: nothing to read)"))
            continue
        if label == "count":
            sql = f"SELECT COUNT(*) FROM ({sql}) subquery"
        with connections[alias].cursor() as cur:
            cur.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql, params)
            plans.append((label, "\n".join(row[0] for row in cur.fetchall())))
    return plans


def measure(urls):
    setup(urls)
    from django.db import connections
    from django.utils import timezone

    from expansion.models import Enterprise

    now = timezone.now()
    code = Enterprise.objects.using("large").filter(name=FLAGSHIP.format(3)).values_list("credit_code", flat=True)[0]
    queries = [("璀璨数据", "contains, 4 characters, 10 hits", True), ("星河", "prefix, 2 characters, 10 hits", True),
               (code, "credit code, 1 hit", True), ("科技有限公司", "common: about 1 in 10 names", True),
               ("无此企业名称", "no match", True), ("杭州华", "3 characters, about 1 in 4,000 names", False)]
    for alias in ("small", "large"):
        with connections[alias].cursor() as cur:
            cur.execute("SELECT count(*) FROM expansion_enterprise")
            say(f"{alias}: {cur.fetchone()[0]:,} enterprises in {connections[alias].settings_dict['NAME']}")
    for query, what, has_target in queries:
        for _ in range(WARMUP):
            timed("small", query, now)
            timed("large", query, now)
        small, large = [], []
        for pair in range(PAIRS):
            order = ("small", "large") if pair % 2 == 0 else ("large", "small")
            for alias in order:
                seconds, result = timed(alias, query, now)
                (small if alias == "small" else large).append(seconds)
                if alias == "small":
                    small_result = result
                else:
                    large_result = result
        s, l_ = statistics.median(small) * 1000, statistics.median(large) * 1000
        say(f"\n{query!r} ({what}): small {s:.2f} ms → (count, rows, protected) {small_result}; "
            f"large {l_:.2f} ms → {large_result}; ratio {l_ / s:.2f}")
        for alias, scale in (("large", "1M"), ("small", "10k")):
            for label, plan in explain(alias, query):
                say(f"  EXPLAIN ANALYZE at {scale}, {label}:")
                for line in plan.splitlines():
                    say("    " + line)
        name = f"latency 1M/10k, 企业百科 search {query!r} ({what})"
        if has_target:
            target(name, l_ / s, "<=", 1.5, l_ / s <= 1.5)
        else:
            say(f"  recorded (no target): {name}: {l_ / s:.2f}")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.directory", description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--skip-build", action="store_true")
    parser.add_argument("--build-one", nargs=2, metavar=("URL", "COUNT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if args.build_one:
        build_one(env.require_bench_url(args.build_one[0], "bench.directory"), int(args.build_one[1]))
        return 0
    base = env.require_bench_url(args.database_url, "bench.directory")
    urls = {scale: env.with_database(base, env.database_name(base) + SUFFIX[scale]) for scale in SETS}
    started = time.perf_counter()
    if not args.skip_build:
        say("Building " + " and ".join(env.database_name(url) for url in urls.values()) + " …")
        build(urls)
    measure(urls)
    say(f"\n(bench.directory took {time.perf_counter() - started:.0f} s)")
    for line, _passed in TARGETS:
        say(line)
    return 0 if all(passed for _line, passed in TARGETS) else 1


if __name__ == "__main__":
    sys.exit(main())
