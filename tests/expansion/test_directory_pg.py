"""报备 at once, on PostgreSQL (real concurrency): partners reporting one enterprise together leave one report;
with a stale protection in the way, it is expired once; two expiry runs together expire each report once.
And the name search reads the trigram index (migration 0002) and the prefix-search the name's pattern index."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from events.models import Event
from expansion import directory_reports
from expansion.choices import ReportStatus
from expansion.errors_directory import DirectoryCodes
from expansion.event_types_directory import REPORT_EXPIRED
from expansion.models import Report
from expansion.selectors_directory import search_enterprises, search_kind
from partnercenter.errors import DomainError
from partnercenter.models import OperationLog

from ..conftest import actor_of, build_tenant
from ..factories import MemberFactory
from ..trade.test_concurrency_pg import at_once
from .directory_fixtures import make_enterprise

needs_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL")
pytestmark = [needs_postgres, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def reporter(tenant, enterprise, now=None):
    return lambda: directory_reports.report_enterprise(actor_of(tenant.admin), enterprise_id=enterprise.pk, now=now)


def test_partners_reporting_one_enterprise_at_once_leave_one_report():
    tenants = [build_tenant(f"r{n}") for n in range(4)]
    enterprise = make_enterprise(name="并发报备科技有限公司")

    outcomes = at_once([reporter(tenant, enterprise) for tenant in tenants])

    made = [o for o in outcomes if isinstance(o, Report)]
    refused = [o for o in outcomes if isinstance(o, DomainError)]
    assert len(made) == 1 and len(refused) == 3, outcomes
    assert {o.code for o in refused} == {DirectoryCodes.TAKEN}
    assert Report.objects.filter(enterprise=enterprise).count() == 1
    assert OperationLog.objects.filter(action="expansion.report", result="failure").count() == 3


def test_two_members_of_one_partner_at_once_make_one_report():
    tenant = build_tenant("one")
    second = MemberFactory(partner=tenant.partner, user__username="one.second", roles=[tenant.admin_role])
    enterprise = make_enterprise()
    outcomes = at_once([
        reporter(tenant, enterprise),
        lambda: directory_reports.report_enterprise(actor_of(second), enterprise_id=enterprise.pk)])
    assert sorted(type(o).__name__ for o in outcomes) == ["DomainError", "Report"], outcomes
    assert [o.code for o in outcomes if isinstance(o, DomainError)] == [DirectoryCodes.ALREADY_REPORTED]


def test_a_stale_protection_raced_by_partners_and_the_task_is_expired_once():
    first, *others = [build_tenant(f"s{n}") for n in range(4)]
    enterprise = make_enterprise(name="过期竞争有限公司")
    old = directory_reports.report_enterprise(actor_of(first.admin), enterprise_id=enterprise.pk)
    later = old.protected_until + timedelta(minutes=1)

    outcomes = at_once([reporter(tenant, enterprise, now=later) for tenant in others]
                       + [lambda: directory_reports.expire_due(now=later)])

    made = [o for o in outcomes if isinstance(o, Report)]
    assert len(made) == 1, outcomes
    assert all(isinstance(o, (Report, int)) or o.code == DirectoryCodes.TAKEN for o in outcomes), outcomes
    old.refresh_from_db()
    assert old.status == ReportStatus.EXPIRED
    assert Report.objects.filter(enterprise=enterprise, status=ReportStatus.ACTIVE).get() == made[0]
    assert Event.objects.filter(type=REPORT_EXPIRED).count() == 1
    assert OperationLog.objects.filter(action="expansion.reports_expire").count() == 1


def test_two_expiry_runs_at_once_expire_each_report_once():
    tenant = build_tenant("x")
    now = timezone.now()
    made = [directory_reports.report_enterprise(actor_of(tenant.admin), enterprise_id=make_enterprise(
        name=f"并发到期{n}有限公司").pk) for n in range(30)]
    Report.objects.filter(pk__in=[r.pk for r in made]).update(protected_until=now - timedelta(days=1))

    moved = at_once([lambda: directory_reports.expire_due(now=now, batch=7) for _ in range(3)])

    assert sum(moved) == 30, moved
    assert Report.objects.filter(status=ReportStatus.EXPIRED).count() == 30
    assert Event.objects.filter(type=REPORT_EXPIRED).count() == 30
    assert directory_reports.expire_due(now=now) == 0


def explain(queryset, *, bitmap=False) -> str:
    """The plan as if the table were large (a few rows are read faster by a scan)."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"SET LOCAL enable_indexscan = {'off' if bitmap else 'on'}")
        return queryset.explain()


@pytest.mark.django_db(transaction=False)
def test_the_search_reads_the_trigram_index_and_the_prefix_search_the_name_index(tenant_a):
    for n in range(50):
        make_enterprise(name=f"索引测试{n}科技有限公司")
    actor = actor_of(tenant_a.admin)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE expansion_enterprise")
    contains = explain(search_enterprises(actor, "测试1科技"), bitmap=True)
    assert "expansion_enterprise_name_trgm" in contains, contains
    prefix = explain(search_enterprises(actor, "索引"))
    assert "expansion_enterprise_name" in prefix and "Seq Scan" not in prefix, prefix
    assert [e.name for e in search_enterprises(actor, "测试1科技")] == ["索引测试1科技有限公司"]


def trigram_candidates(queryset) -> int:
    """How many index entries the trigram index hands the search (every entry when pg_trgm extracted no
    trigram from the pattern: then the index is read whole, as a scan would)."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
    plan = queryset.explain(analyze=True, timing=False, costs=False)
    found = re.search(r"Bitmap Index Scan on expansion_enterprise_name_trgm.*?actual rows=(\d+)", plan, re.S)
    assert found, plan
    return int(found.group(1))


@pytest.mark.django_db(transaction=False)
@pytest.mark.parametrize("query", ["---", "%%%", "___", "（）", "a-b-c", "ab-c", "%%%测试1科技", "（测试1科技）", "x y z"])
def test_no_search_reads_the_whole_trigram_index(tenant_a, query):
    """Punctuation alone runs no statement; any other contains-search gives pg_trgm a trigram to look up."""
    for n in range(40):
        make_enterprise(name=f"索引测试{n}科技有限公司")
    actor = actor_of(tenant_a.admin)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE expansion_enterprise")
    found = search_enterprises(actor, query)
    if search_kind(query) == "prefix":
        return
    if search_kind(query) == "none":
        with CaptureQueriesContext(connection) as captured:
            assert list(found) == []
        assert not captured.captured_queries
        return
    assert trigram_candidates(found) < 10, query
    if "测试1科技" in query:
        assert [e.name for e in found] == ["索引测试1科技有限公司"]
