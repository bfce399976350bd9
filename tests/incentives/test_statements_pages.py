"""业绩管理 › 激励对账 › 激励汇总 in the browser's terms: the list (对账期次 typed in, status, association type), a
statement's page with its lines, confirming and disputing it before the deadline; who sees what (another
partner's statement is 404, a member without incentives.reconcile gets 403 on the actions, an account manager
sees no incentive pages unless a role grants them), the menu, and constant queries per page."""

import re
from datetime import timedelta

import pytest
import time_machine
from incentives import statements
from incentives.choices import StatementStatus
from incentives.errors_statements import StatementCodes
from incentives.models import IncentiveStatement
from partnercenter.errors import DomainError

from ..conftest import actor_of, build_tenant, login_client
from .statements_fixtures import make_statement, member_with, s_world

pytestmark = pytest.mark.django_db

LIST = "/incentives/statements/"
INCENTIVE_PAGES = ("/incentives/details/", "/incentives/performance/", LIST)


@pytest.fixture
def world(tenant_a):
    return s_world(tenant_a, other=build_tenant("b"))


def rows_of(body) -> list[str]:
    return re.findall(r'data-statement="(\d+)"', body)


def ids(*statements_):
    return [str(s.pk) for s in statements_]


def test_the_summary_lists_the_partners_statements_with_their_figures(world, admin_client_a):
    body = admin_client_a.get(LIST).content.decode()
    assert sorted(rows_of(body)) == sorted(ids(*world.statements))
    assert str(world.other_statement.pk) not in rows_of(body)
    row = re.search(rf'<tr data-statement="{world.resale_base.pk}".*?</tr>', body, re.S).group(0)
    assert "2026-03" in row and world.resale_base.name in row and "44.00" in row
    assert str(StatementStatus.PENDING.label) in row
    assert f"/incentives/statements/{world.resale_base.pk}/confirm/" in row  # the admin holds incentives.reconcile


@pytest.mark.parametrize("typed, expected", [
    ("2026-03", "march"), ("202603", "march"), ("2026/3", "march"), (" 2026 ", "march"), ("2026年3月", "march"),
    ("2025-12", "december"), ("2025", "december"), ("2024-01", "none"),
])
def test_the_period_is_typed_in(world, admin_client_a, typed, expected):
    december = make_statement(world.partner, world.ref_policy, cycle="2025-12", amount="1.00", performance="10.00")
    body = admin_client_a.get(LIST, {"bill_cycle": typed}).content.decode()
    wanted = {"march": ids(*world.statements), "december": ids(december), "none": []}[expected]
    assert sorted(rows_of(body)) == sorted(wanted)
    if expected == "none":
        assert 'id="no-statements"' in body


@pytest.mark.parametrize("query", [{"bill_cycle": "abc"}, {"bill_cycle": "2026-13"}, {"status": "bogus"},
                                   {"association_type": "9"}, {"page": "x"}])
def test_a_bad_filter_shows_its_error_and_filters_nothing(world, admin_client_a, query):
    response = admin_client_a.get(LIST, query)
    assert response.status_code == 200
    body = response.content.decode()
    assert sorted(rows_of(body)) == sorted(ids(*world.statements))
    if "page" not in query:
        assert 'class="invalid"' in body


def test_status_and_association_type_filter(world, admin_client_a):
    statements.confirm(actor_of(world.tenant.admin), statement=world.ref_base.pk)
    body = admin_client_a.get(LIST, {"status": "confirmed"}).content.decode()
    assert rows_of(body) == ids(world.ref_base)
    body = admin_client_a.get(LIST, {"association_type": "2"}).content.decode()
    assert sorted(rows_of(body)) == sorted(ids(world.resale_base, world.resale_tier))


def test_a_statement_page_shows_its_figures_and_lines(world, admin_client_a):
    body = admin_client_a.get(f"{LIST}{world.resale_base.pk}/").content.decode()
    assert 'id="statement-amount"><strong>¥44.00' in body or "44.00" in body
    assert len(re.findall(r'data-detail="\d+"', body)) == 2
    assert world.resale.customer.domain_id in body
    assert 'id="confirm"' in body and 'id="dispute"' in body
    tier = admin_client_a.get(f"{LIST}{world.resale_tier.pk}/").content.decode()
    assert 'id="tier-note"' in tier


def test_another_partners_statement_is_not_found(world, admin_client_a):
    pk = world.other_statement.pk
    for url in (f"{LIST}{pk}/", f"{LIST}{pk}/confirm/", f"{LIST}{pk}/dispute/", f"{LIST}999999/",
                f"{LIST}999999/confirm/"):
        assert admin_client_a.get(url).status_code == 404, url
        assert admin_client_a.post(url, {"reason": "x"}).status_code == 404, url
    assert IncentiveStatement.objects.get(pk=pk).status == StatementStatus.PENDING


def test_confirming_takes_a_confirmation_then_a_post(world, admin_client_a):
    url = f"{LIST}{world.ref_base.pk}/confirm/"
    page = admin_client_a.get(url).content.decode()
    assert 'id="confirm-form"' in page and world.ref_base.name in page
    assert IncentiveStatement.objects.get(pk=world.ref_base.pk).status == StatementStatus.PENDING
    response = admin_client_a.post(url, follow=True)
    assert response.redirect_chain[-1][0] == f"{LIST}{world.ref_base.pk}/"
    assert IncentiveStatement.objects.get(pk=world.ref_base.pk).status == StatementStatus.CONFIRMED
    body = response.content.decode()
    assert 'id="awaiting-final"' in body and 'id="step-confirmed"' in body and 'id="confirm"' not in body
    again = admin_client_a.post(url, follow=True).content.decode()  # a double submit: refused, nothing changes
    assert str(DomainError(StatementCodes.NOT_PENDING).message) in again


def test_disputing_needs_a_reason(world, admin_client_a):
    url = f"{LIST}{world.resale_base.pk}/dispute/"
    assert 'id="dispute-form"' in admin_client_a.get(url).content.decode()
    empty = admin_client_a.post(url, {"reason": "   "})
    assert empty.status_code == 200 and 'class="field has-error"' in empty.content.decode()
    too_long = admin_client_a.post(url, {"reason": "长" * 501})
    assert too_long.status_code == 200
    assert IncentiveStatement.objects.get(pk=world.resale_base.pk).status == StatementStatus.PENDING
    response = admin_client_a.post(url, {"reason": "EVS 的返点比例应为 10%"}, follow=True)
    saved = IncentiveStatement.objects.get(pk=world.resale_base.pk)
    assert saved.status == StatementStatus.DISPUTED and saved.dispute_reason == "EVS 的返点比例应为 10%"
    body = response.content.decode()
    assert 'id="dispute-reason"' in body and 'id="awaiting-answer"' in body


def test_after_the_deadline_the_actions_are_gone_and_refused(world):
    with time_machine.travel(world.ref_base.dispute_deadline + timedelta(seconds=1), tick=False):
        admin_client_a = login_client(world.tenant.admin.user)  # signed in then: sessions expire
        detail = admin_client_a.get(f"{LIST}{world.ref_base.pk}/").content.decode()
        assert 'id="period-ended"' in detail and 'id="confirm"' not in detail
        assert "/confirm/" not in admin_client_a.get(LIST).content.decode()
        response = admin_client_a.get(f"{LIST}{world.ref_base.pk}/confirm/")
        assert response.status_code == 302 and response["Location"] == f"{LIST}{world.ref_base.pk}/"
        admin_client_a.post(f"{LIST}{world.ref_base.pk}/confirm/")
        admin_client_a.post(f"{LIST}{world.resale_base.pk}/dispute/", {"reason": "late"})
    assert set(IncentiveStatement.objects.filter(partner=world.partner).values_list("status", flat=True)) == {
        StatementStatus.PENDING}


def test_a_member_without_reconcile_reads_but_cannot_decide(world):
    viewer = login_client(member_with(world.tenant, ["incentives.view"], "a.viewer").user)
    body = viewer.get(f"{LIST}{world.ref_base.pk}/").content.decode()
    assert 'id="statement"' in body and 'id="confirm"' not in body and "/confirm/" not in viewer.get(LIST).content.decode()
    assert viewer.get(f"{LIST}{world.ref_base.pk}/confirm/").status_code == 403
    assert viewer.post(f"{LIST}{world.ref_base.pk}/confirm/").status_code == 403
    assert viewer.post(f"{LIST}{world.ref_base.pk}/dispute/", {"reason": "x"}).status_code == 403
    assert IncentiveStatement.objects.get(pk=world.ref_base.pk).status == StatementStatus.PENDING


def test_an_account_manager_sees_no_incentive_pages_unless_a_role_grants_them(world):
    manager = login_client(world.tenant.member.user)  # customers.view only
    home = manager.get("/").content.decode()
    assert 'href="/incentives/details/"' not in home
    for url in (*INCENTIVE_PAGES, f"{LIST}{world.ref_base.pk}/", "/incentives/details/export.xlsx",
                "/incentives/details/export.csv"):
        assert manager.get(url).status_code == 403, url
    world.tenant.role.permissions = ["customers.view", "incentives.view"]
    world.tenant.role.save()
    granted = login_client(world.tenant.member.user)
    assert 'href="/incentives/details/"' in granted.get("/").content.decode()
    for url in INCENTIVE_PAGES:
        assert granted.get(url).status_code == 200, url
    admin_home = login_client(world.tenant.admin.user).get("/").content.decode()
    assert 'href="/incentives/details/"' in admin_home and 'href="/incentives/fh/"' in admin_home
    assert login_client(world.tenant.admin.user).get("/section/incentives/").status_code == 404  # the placeholder is gone


@pytest.mark.parametrize("count", [2, 25])
def test_the_summary_and_a_statement_run_a_constant_number_of_queries(world, admin_client_a,
                                                                      django_assert_max_num_queries, count):
    for n in range(count):
        make_statement(world.partner, world.ref_policy, cycle=f"{2020 + n // 12}-{n % 12 + 1:02d}", amount="1.00",
                       performance="10.00")
    for url in (LIST, LIST + "?bill_cycle=2026&status=pending&association_type=1", f"{LIST}{world.resale_base.pk}/",
                f"{LIST}{world.resale_base.pk}/confirm/", f"{LIST}{world.resale_base.pk}/dispute/"):
        with django_assert_max_num_queries(12):
            assert admin_client_a.get(url).status_code == 200, url


def test_the_pages_read_in_chinese_first(world, admin_client_a):
    """zh-hans as Huawei's pages name things (the msgids of /tmp/zh_incentives_S.json, merged into the catalogue)."""
    summary = admin_client_a.get(LIST).content.decode()
    for term in ("激励汇总", "对账期次", "激励名称", "激励金额", "关联类型", "待对账", "提出异议"):
        assert term in summary, term
    statements.dispute(actor_of(world.tenant.admin), statement=world.resale_base.pk, reason="?")
    assert "有异议" in admin_client_a.get(LIST).content.decode()
    assert "基础激励" in admin_client_a.get(f"{LIST}{world.ref_base.pk}/").content.decode()
    details = admin_client_a.get("/incentives/details/").content.decode()
    for term in ("激励明细", "计费模式", "业绩", "返点", "客户的部分消费金额不产生激励"):
        assert term in details, term
    assert "近 12 个月业绩" in admin_client_a.get("/incentives/performance/").content.decode()
    bad = admin_client_a.get(LIST, {"bill_cycle": "abc"}).content.decode()
    assert "请按 YYYY-MM 格式输入期次" in bad


def test_the_pages_read_in_english_when_asked(world):
    from django.utils import translation

    client = login_client(world.tenant.admin.user)
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        body = client.get(LIST, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Reconciliation period" in body and "Incentive summary" in body
