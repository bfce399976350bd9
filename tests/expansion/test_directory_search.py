"""企业百科: the name search (contains from three characters, prefix below, the credit code exactly), the
protection shown per row without the other partner's name, the capped count, permissions, and a constant
number of queries whatever the page holds."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from expansion import selectors_directory
from expansion.selectors_directory import search_enterprises

from ..conftest import actor_of, login_client
from .directory_fixtures import code, make_enterprise, viewer_of

pytestmark = pytest.mark.django_db
URL = "/expansion/directory/"


def names(actor, query):
    return list(search_enterprises(actor, query).values_list("name", flat=True))


@pytest.fixture
def directory(db):
    for name in ("杭州西湖电子商务有限公司", "西湖龙井茶业有限公司", "上海西湖路餐饮有限公司", "深圳南山智能制造有限公司",
                 "Acme Cloud Ltd"):
        make_enterprise(name=name)


def test_the_search_finds_names_containing_the_query_ordered_by_name(tenant_a, directory):
    actor = actor_of(tenant_a.admin)
    assert names(actor, "西湖电子") == ["杭州西湖电子商务有限公司"]
    assert names(actor, " 西湖  路 ") == []          # spaces collapsed, not ignored
    assert names(actor, "有限公司") == sorted(n for n in names(actor, "有限公司"))
    assert len(names(actor, "有限公司")) == 4
    assert names(actor, "acme cloud") == ["Acme Cloud Ltd"]  # case-insensitive


def test_a_short_query_matches_the_beginning_of_names(tenant_a, directory):
    actor = actor_of(tenant_a.admin)
    assert names(actor, "西湖") == ["西湖龙井茶业有限公司"]
    assert names(actor, "深") == ["深圳南山智能制造有限公司"]
    assert names(actor, "") == [] and names(actor, "   ") == []


def test_a_credit_code_finds_its_enterprise(tenant_a):
    found = make_enterprise(name="信用代码查询有限公司", credit_code=code(424242))
    make_enterprise(name="另一家有限公司")
    assert list(search_enterprises(actor_of(tenant_a.admin), found.credit_code.lower())) == [found]


def test_a_member_without_expansion_view_finds_nothing_and_may_not_open_the_page(tenant_a, directory):
    # tenant_a.member holds customers.view only
    assert names(actor_of(tenant_a.member), "有限公司") == []
    assert login_client(tenant_a.member.user).get(URL, {"q": "有限公司"}).status_code == 403


def test_the_page_shows_who_protects_each_row_without_naming_the_other_partner(tenant_a, tenant_b, directory):
    from expansion import directory_reports

    own = make_enterprise(name="西湖甲方报备有限公司")
    other = make_enterprise(name="西湖乙方报备有限公司")
    directory_reports.report_enterprise(actor_of(tenant_a.admin), enterprise_id=own.pk)
    theirs = directory_reports.report_enterprise(actor_of(tenant_b.admin), enterprise_id=other.pk)

    body = login_client(viewer_of(tenant_a).user).get(URL, {"q": "报备有限公司"}).content.decode()

    rows = dict(re.findall(r'data-enterprise="(\d+)">.*?data-protection="(\w*)"', body, re.S))
    assert rows == {str(own.pk): "own", str(other.pk): "other"}
    assert timezone.localtime(theirs.protected_until).date().isoformat() in body
    assert tenant_b.partner.name not in body and tenant_b.partner.account_name not in body


def test_without_a_query_nothing_is_listed_and_a_long_one_is_cut(tenant_a, directory):
    client = login_client(tenant_a.admin.user)
    body = client.get(URL).content.decode()
    assert 'id="directory-prompt"' in body and "data-enterprise=" not in body
    body = client.get(URL, {"q": "西湖电子" + "x" * 300}).content.decode()
    assert "data-enterprise=" not in body and 'id="no-enterprises"' in body
    body = client.get(URL, {"q": "西湖电子", "status": "nonsense"}).content.decode()
    assert body.count("data-enterprise=") == 1


def test_the_count_is_capped(tenant_a, monkeypatch):
    for index in range(7):
        make_enterprise(name=f"封顶测试{index}有限公司")
    monkeypatch.setattr(selectors_directory.CappedPaginator, "cap", 5)
    body = login_client(tenant_a.admin.user).get(URL, {"q": "封顶测试"}).content.decode()
    assert 'id="search-capped"' in body and body.count("data-enterprise=") == 5
    assert 'id="search-capped"' not in login_client(tenant_a.admin.user).get(URL, {"q": "封顶测试1"}).content.decode()


def test_the_search_page_runs_a_constant_number_of_queries(tenant_a, tenant_b):
    from expansion import directory_reports

    client = login_client(tenant_a.admin.user)
    client.get(URL, {"q": "常量查询"})  # warm the session
    seen = {}
    for rows in (2, 20):
        made = [make_enterprise(name=f"常量查询{rows}-{index:02d}有限公司") for index in range(rows)]
        for enterprise in made[::2]:
            directory_reports.report_enterprise(actor_of(tenant_b.admin), enterprise_id=enterprise.pk)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(URL, {"q": f"常量查询{rows}-"})
        assert response.content.decode().count("data-enterprise=") == rows
        seen[rows] = [query["sql"] for query in captured.captured_queries]
    assert len(seen[2]) == len(seen[20]) <= 10, "\n".join(seen[20])


# ---------------------------------------------------------------------------------------------
# Only letters, digits and CJK characters count (review: `---` read the whole directory on PostgreSQL,
# pg_trgm having no trigram to look up)
# ---------------------------------------------------------------------------------------------

PUNCTUATION_ONLY = ("---", "%%%", "___", " - _ % ", "（）【】", "…!!!")


@pytest.mark.parametrize("query", PUNCTUATION_ONLY)
def test_a_search_of_punctuation_only_runs_no_statement_and_finds_nothing(tenant_a, query,
                                                                          django_assert_num_queries):
    for name in ("A---B有限公司", "%%%百分号有限公司", "___下划线有限公司", "（）【】括号有限公司", "…!!!感叹有限公司"):
        make_enterprise(name=name)
    actor = actor_of(tenant_a.admin)
    names(actor, "百分号")  # the actor's permissions read once
    with django_assert_num_queries(0):
        assert names(actor, query) == []
    assert selectors_directory.search_kind(query) == "none"


def test_the_search_page_says_why_punctuation_finds_nothing_without_reading_the_directory(tenant_a, directory):
    client = login_client(tenant_a.admin.user)
    client.get(URL, {"q": "西湖电子"})  # warm the session
    with CaptureQueriesContext(connection) as captured:
        body = client.get(URL, {"q": "%%%"}).content.decode()
    assert 'id="no-letters"' in body and "data-enterprise=" not in body and 'id="directory-prompt"' not in body
    assert not [q["sql"] for q in captured.captured_queries if "expansion_enterprise" in q["sql"]]


def test_only_letters_digits_and_cjk_count_and_punctuation_at_either_end_is_dropped(tenant_a, directory):
    actor = actor_of(tenant_a.admin)
    assert names(actor, "西湖-") == ["西湖龙井茶业有限公司"]             # two characters: the prefix search
    assert names(actor, "（西湖") == ["西湖龙井茶业有限公司"]
    assert names(actor, "%%%西湖电子") == ["杭州西湖电子商务有限公司"]      # searched as 西湖电子
    assert names(actor, "西湖电子...") == ["杭州西湖电子商务有限公司"]
    assert names(actor, "“acme cloud”") == ["Acme Cloud Ltd"]
    make_enterprise(name="A&B Trading Ltd")
    assert names(actor, "a&b trad") == ["A&B Trading Ltd"]                # inner punctuation is kept
    assert names(actor, "ab trad") == []
    kinds = {query: selectors_directory.search_kind(query) for query in (
        "西湖-", "-西湖-", "a-b", "%%西", "a-b-c", "西湖电", "ab c", "Acme", "")}
    assert kinds == {"西湖-": "prefix", "-西湖-": "prefix", "a-b": "prefix", "%%西": "prefix", "a-b-c": "contains",
                     "西湖电": "contains", "ab c": "contains", "Acme": "contains", "": ""}


def test_a_short_query_with_punctuation_says_names_beginning_with_it(tenant_a, directory):
    body = login_client(tenant_a.admin.user).get(URL, {"q": "西湖---"}).content.decode()
    assert 'id="short-query"' in body and body.count("data-enterprise=") == 1 and 'id="no-letters"' not in body
