"""The operators' 企业百科 changelist: it never counts the whole directory (a capped COUNT, no full count, no
facets), keeps the admin's ordering, and a search of punctuation only finds nothing and says why."""

import re

import pytest
from django.contrib.admin import ShowFacets
from django.db import connection
from django.test.utils import CaptureQueriesContext

from expansion.admin_directory import ADMIN_COUNT_CAP, EnterpriseAdmin, EnterpriseAdminPaginator

from ..conftest import login_client
from ..factories import UserFactory
from .directory_fixtures import make_enterprise

pytestmark = pytest.mark.django_db
LIST = "/admin/expansion/enterprise/"


@pytest.fixture
def operator():
    return login_client(UserFactory(username="directory.list.ops", is_staff=True, is_superuser=True))


def rows(body) -> list[str]:
    return re.findall(r'<th class="field-name"><a href="[^"]+">([^<]+)</a>', body)


def counts_of_the_directory(captured) -> list[str]:
    return [query["sql"] for query in captured.captured_queries
            if "COUNT(" in query["sql"].upper() and "expansion_enterprise" in query["sql"]]


def test_the_changelist_counts_at_most_the_cap_never_the_whole_directory(operator):
    for index in range(5):
        make_enterprise(name=f"列表计数{index}有限公司")
    operator.get(LIST)  # warm the session
    for params in ({}, {"status": "operating"}, {"q": "列表计数"}, {"q": "列表计数", "_facets": "1"}):
        with CaptureQueriesContext(connection) as captured:
            body = operator.get(LIST, params).content.decode()
        assert len(rows(body)) == 5, params
        counts = counts_of_the_directory(captured)
        assert counts and all("LIMIT" in sql.upper() for sql in counts), (params, counts)
        assert 'id="enterprise-count-capped"' not in body
    assert EnterpriseAdmin.show_full_result_count is False and EnterpriseAdmin.show_facets is ShowFacets.NEVER
    # a capped list never offers "show all" (which reads the unsliced queryset)
    assert ADMIN_COUNT_CAP > EnterpriseAdmin.list_max_show_all


def test_past_the_cap_the_list_says_more_and_keeps_the_admin_ordering(operator, monkeypatch):
    for index in range(5):
        make_enterprise(name=f"封顶列表{index}有限公司")
    monkeypatch.setattr(EnterpriseAdminPaginator, "cap", 3)
    monkeypatch.setattr(EnterpriseAdmin, "list_per_page", 2)

    body = operator.get(LIST, {"o": "-1"}).content.decode()   # sorted by name, descending
    assert rows(body) == ["封顶列表4有限公司", "封顶列表3有限公司"]
    assert 'id="enterprise-count-capped"' in body
    assert rows(operator.get(LIST, {"o": "-1", "p": "2"}).content.decode()) == ["封顶列表2有限公司"]
    assert operator.get(LIST, {"o": "-1", "p": "3"}).status_code == 302      # past the cap: no such page


def test_an_admin_search_of_punctuation_only_finds_nothing_and_says_why(operator):
    make_enterprise(name="A---B有限公司")
    with CaptureQueriesContext(connection) as captured:
        body = operator.get(LIST, {"q": "---"}).content.decode()
    assert rows(body) == [] and "A---B有限公司" not in body
    assert "punctuation" in body or "标点" in body
    assert not [q["sql"] for q in captured.captured_queries if "LIKE" in q["sql"].upper()
                and "expansion_enterprise" in q["sql"]]
