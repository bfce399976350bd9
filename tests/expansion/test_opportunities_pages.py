"""The 机会点 pages: HO/PO tabs with filters, the working-days countdown (due today, overdue …), export, the
detail with its history, accepting and rejecting, registering a PO (无账号报备 acknowledged), updates and
collaborators; another partner's opportunity is 404; the lists run a constant number of queries."""

import re
from datetime import timedelta
from io import BytesIO

import pytest
import time_machine
from django.utils import timezone
from openpyxl import load_workbook

from expansion import opportunities, opportunities_updates
from expansion.choices import OpportunityStatus, Origin
from expansion.models import ExpansionProfile, Opportunity, OpportunityUpdate
from partnercenter.models import OperationLog

from ..conftest import actor_of, login_client
from ..factories import MemberFactory, RoleFactory
from .opportunities_fixtures import make_operator, register, shanghai, share

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(db):
    return make_operator()

LIST = "/expansion/opportunities/"
NOW = shanghai(2026, 3, 11, 9, 0)          # Wednesday


def _countdowns(body: str) -> dict:
    return {int(pk): state for pk, state in re.findall(
        r'<tr data-opportunity="(\d+)".*?data-countdown="([^"]+)"', body, re.S)}


def test_the_ho_tab_shows_the_countdown_of_each_pending_opportunity(tenant_a, admin_client_a, operator):
    due_today = share(operator, tenant_a.partner, at=shanghai(2026, 3, 6, 10, 0))       # Fri → Wed 11th 10:00
    tomorrow = share(operator, tenant_a.partner, at=shanghai(2026, 3, 9, 10, 0))        # Mon → Thu 12th
    in_three = share(operator, tenant_a.partner, at=shanghai(2026, 3, 11, 8, 0))        # Wed → Mon 16th
    overdue = share(operator, tenant_a.partner, at=shanghai(2026, 3, 5, 10, 0))         # Thu → Tue 10th
    po = register(tenant_a.admin, name="PO-only")

    with time_machine.travel(NOW, tick=False):
        body = admin_client_a.get(LIST).content.decode()
        po_body = admin_client_a.get(LIST + "?origin=PO").content.decode()

    assert _countdowns(body) == {due_today.pk: "due_today", tomorrow.pk: "1", in_three.pk: "3",
                                 overdue.pk: "overdue"}
    assert "PO-only" not in body and "PO-only" in po_body and f'data-opportunity="{po.pk}"' in po_body
    assert "无账号报备" in po_body and 'id="opportunity-register"' in po_body
    assert body.count('class="linklike accept"') == 3   # not the overdue one


def test_filters_and_export_share_the_query(tenant_a, admin_client_a, operator):
    share(operator, tenant_a.partner, name="云迁移", customer_name="甲公司", contact_phone="13912345678")
    share(operator, tenant_a.partner, name="大数据", customer_name="乙公司")
    other = share(operator, tenant_a.partner, name="AI 训练", customer_name="丙公司")
    opportunities.reject(actor_of(tenant_a.admin), opportunity=other, reason="不做 AI")

    searched = admin_client_a.get(LIST + "?origin=HO&search=甲").content.decode()
    rejected = admin_client_a.get(LIST + "?origin=HO&status=rejected").content.decode()
    export = admin_client_a.get("/expansion/opportunities/export.xlsx?origin=HO&status=pending")

    assert "云迁移" in searched and "大数据" not in searched
    assert "AI 训练" in rejected and "云迁移" not in rejected
    assert export.status_code == 200
    sheet = load_workbook(BytesIO(export.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 3 and {row[2] for row in rows[1:]} == {"云迁移", "大数据"}
    assert "13912345678" in {row[6] for row in rows[1:]}


def test_ho_contacts_are_masked_for_marketing_plan_2_partners(tenant_a, admin_client_a, operator):
    ExpansionProfile.objects.create(partner=tenant_a.partner, marketing_plan_v2=True)
    ho = share(operator, tenant_a.partner, contact_phone="13912345678")
    detail = admin_client_a.get(f"{LIST}{ho.pk}/").content.decode()
    export = admin_client_a.get("/expansion/opportunities/export.xlsx?origin=HO")
    cells = {cell for row in load_workbook(BytesIO(export.content)).active.iter_rows(values_only=True) for cell in row}
    assert "139****5678" in detail and "13912345678" not in detail
    assert "139****5678" in cells and "13912345678" not in cells


def test_accept_from_the_list_and_reject_with_a_reason(tenant_a, admin_client_a, operator):
    first, second = share(operator, tenant_a.partner), share(operator, tenant_a.partner)

    accepted = admin_client_a.post(f"{LIST}{first.pk}/accept/", {"from": "list"})
    reject_page = admin_client_a.get(f"{LIST}{second.pk}/reject/")
    blank = admin_client_a.post(f"{LIST}{second.pk}/reject/", {"reason": ""})
    rejected = admin_client_a.post(f"{LIST}{second.pk}/reject/", {"reason": "客户不在我方区域"})

    assert accepted.status_code == 302 and accepted["Location"] == LIST + "?origin=HO"
    assert reject_page.status_code == 200 and blank.status_code == 200
    assert rejected.status_code == 302
    statuses = dict(Opportunity.objects.values_list("pk", "status"))
    assert statuses == {first.pk: "accepted", second.pk: "rejected"}


def test_a_late_accept_on_the_page_says_why_and_changes_nothing(tenant_a, admin_client_a, operator):
    ho = share(operator, tenant_a.partner, at=shanghai(2026, 3, 9, 10, 0))
    with time_machine.travel(shanghai(2026, 3, 12, 10, 1), tick=False):
        response = admin_client_a.post(f"{LIST}{ho.pk}/accept/", follow=True)
    assert "deadline" in response.content.decode() or "截止" in response.content.decode()
    ho.refresh_from_db()
    assert ho.status == OpportunityStatus.PENDING


def test_the_detail_shows_the_history_and_takes_updates_and_collaborators(tenant_a, admin_client_a, operator):
    ho = share(operator, tenant_a.partner)
    opportunities.accept(actor_of(tenant_a.admin), opportunity=ho)
    url = f"{LIST}{ho.pk}/"

    assert admin_client_a.post(url + "update/", {"stage": "proposal", "amount": "88000", "expected_close": "",
                                                 "notes": "", "note": "已提交方案"}).status_code == 302
    assert admin_client_a.post(url + "update/", {"stage": "proposal", "amount": "-5"}).status_code == 302
    assert admin_client_a.post(url + "collaborators/", {"name": "李雷", "role": "售前"}).status_code == 302
    body = admin_client_a.get(url).content.decode()

    assert "已提交方案" in body and "李雷" in body and 'id="update-form"' in body
    assert OpportunityUpdate.objects.filter(opportunity=ho).count() == 2
    ho.refresh_from_db()
    assert (ho.stage, str(ho.amount)) == ("proposal", "88000.00")
    collaborator = ho.collaborators.get()
    assert admin_client_a.post(f"{url}collaborators/{collaborator.pk}/remove/").status_code == 302
    assert not ho.collaborators.exists()


def test_saving_the_update_form_unchanged_says_so_and_logs_no_failure(tenant_a, admin_client_a, operator):
    """A new user opened the form and saved it as it was: the page said nothing useful and 操作记录 showed a
    failed 机会点更新. Now it says nothing was changed, and nothing is written or logged."""
    ho = share(operator, tenant_a.partner, amount="100000")
    opportunities.accept(actor_of(tenant_a.admin), opportunity=ho)
    response = admin_client_a.post(f"{LIST}{ho.pk}/update/", {
        "stage": ho.stage, "amount": "100000.00", "expected_close": "", "notes": "", "note": ""}, follow=True)
    body = response.content.decode()
    assert '<li class="msg-info">没有任何修改。</li>' in body and "机会点已更新" not in body
    assert not OpportunityUpdate.objects.filter(opportunity=ho).exists() and 'id="no-history"' in body
    assert not OperationLog.objects.filter(action="expansion.opportunity_update").exists()


def test_the_history_separates_a_label_from_its_value_as_the_language_writes_it(tenant_a, admin_client_a,
                                                                               operator):
    """阶段：探索 → 已提交方案 in Chinese (full-width colon, no space), "Stage: … → …" in English."""
    ho = share(operator, tenant_a.partner)
    opportunities.accept(actor_of(tenant_a.admin), opportunity=ho)
    opportunities_updates.update_opportunity(actor_of(tenant_a.admin), opportunity=ho, stage="proposal")
    url = f"{LIST}{ho.pk}/"

    [zh] = re.findall(r'<div class="change">(.*?)</div>', admin_client_a.get(url).content.decode())
    [en] = re.findall(r'<div class="change">(.*?)</div>',
                      admin_client_a.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode())
    assert zh.startswith("阶段：") and ": " not in zh, zh
    assert en.startswith("Stage: ") and "：" not in en, en


def test_a_refused_field_of_the_update_form_is_named_as_the_language_writes_it(tenant_a, admin_client_a, operator):
    ho = share(operator, tenant_a.partner)
    opportunities.accept(actor_of(tenant_a.admin), opportunity=ho)
    url = f"{LIST}{ho.pk}/update/"
    zh = admin_client_a.post(url, {"stage": "proposal", "amount": "-5"}, follow=True).content.decode()
    en = admin_client_a.post(url, {"stage": "proposal", "amount": "-5"}, follow=True,
                             HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert re.search(r'<li class="msg-error">预估金额（元）：[^<:]+</li>', zh), \
        re.findall(r'<li class="msg.*?</li>', zh)
    assert re.search(r'<li class="msg-error">Estimated amount \(CNY\): [^<]+</li>', en), \
        re.findall(r'<li class="msg.*?</li>', en)


def test_the_update_form_shows_the_expected_close_in_the_date_pickers_format_in_chinese(tenant_a, admin_client_a,
                                                                                        operator):
    """The date picker takes YYYY-MM-DD only: rendered as zh-hans writes dates (2027/03/31) the field came up
    empty, and saving the form with only a note cleared the date."""
    ho = share(operator, tenant_a.partner)
    opportunities.accept(actor_of(tenant_a.admin), opportunity=ho)
    Opportunity.objects.filter(pk=ho.pk).update(expected_close="2027-03-31")
    body = admin_client_a.get(f"{LIST}{ho.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert re.search(r'<input type="date" name="expected_close" value="2027-03-31"', body), \
        re.findall(r'<input[^>]*expected_close[^>]*>', body)


def test_registering_a_po_without_an_account_asks_for_the_acknowledgement(tenant_a, admin_client_a):
    url = "/expansion/opportunities/register/"
    form = {"name": "ERP 上云", "customer_name": "无账号公司", "customer_id": "", "amount": ""}
    page = admin_client_a.get(url).content.decode()
    refused = admin_client_a.post(url, form)
    created_by_refusal = Opportunity.objects.count()
    registered = admin_client_a.post(url, {**form, "no_account_acknowledged": "on"})
    with_account = admin_client_a.post(url, {**form, "customer_id": tenant_a.resale.domain_id})
    not_ours = admin_client_a.post(url, {**form, "customer_id": "f" * 32})

    assert "公海" in page or "public pool" in page
    assert refused.status_code == 200 and created_by_refusal == 0
    assert not_ours.status_code == 200
    assert registered.status_code == 302 and with_account.status_code == 302
    rows = list(Opportunity.objects.order_by("pk").values_list("origin", "customer_id"))
    assert rows == [(Origin.PO, None), (Origin.PO, tenant_a.resale.pk)]


def test_another_partners_opportunity_is_not_found_on_every_page(tenant_a, tenant_b, operator):
    ho = share(operator, tenant_a.partner)
    opportunities.accept(actor_of(tenant_a.admin), opportunity=ho)
    b = login_client(tenant_b.admin.user)
    for method, url in (("get", f"{LIST}{ho.pk}/"), ("post", f"{LIST}{ho.pk}/accept/"),
                        ("get", f"{LIST}{ho.pk}/reject/"), ("post", f"{LIST}{ho.pk}/reject/"),
                        ("post", f"{LIST}{ho.pk}/update/"), ("post", f"{LIST}{ho.pk}/collaborators/"),
                        ("post", f"{LIST}{ho.pk}/collaborators/1/remove/")):
        assert getattr(b, method)(url, {"reason": "x", "name": "x", "stage": "won"}).status_code == 404, url
    listed = b.get(LIST + "?origin=HO").content.decode()
    assert f'data-opportunity="{ho.pk}"' not in listed
    ho.refresh_from_db()
    assert ho.stage == "discovery" and not ho.collaborators.exists()


def test_a_viewer_sees_but_may_not_act(tenant_a, operator):
    ho = share(operator, tenant_a.partner)
    viewer = MemberFactory(partner=tenant_a.partner, roles=[RoleFactory(partner=tenant_a.partner,
                                                                       permissions=["expansion.view"])])
    client = login_client(viewer.user)
    body = client.get(LIST).content.decode()
    assert f'data-opportunity="{ho.pk}"' in body and 'class="linklike accept"' not in body
    assert client.post(f"{LIST}{ho.pk}/accept/").status_code == 403
    assert client.get("/expansion/opportunities/register/").status_code == 403


@pytest.mark.parametrize("count", [3, 30])
def test_the_lists_run_a_constant_number_of_queries(tenant_a, admin_client_a, operator, django_assert_max_num_queries,
                                                    count):
    now = timezone.now()
    for n in range(count):
        ho = share(operator, tenant_a.partner, customer=tenant_a.resale)
        register(tenant_a.admin, customer=tenant_a.resale if n % 2 else None)
        if n % 3 == 0:
            opportunities.accept(actor_of(tenant_a.admin), opportunity=ho)
        else:  # due at various times, some overdue, some next year
            Opportunity.objects.filter(pk=ho.pk).update(deadline=now + timedelta(days=n * 2 - 10))
    for url in (LIST, LIST + "?origin=PO", LIST + "?origin=HO&status=pending&search=云",
                "/expansion/opportunities/export.xlsx?origin=HO"):
        with django_assert_max_num_queries(11):  # 10 whether 3 or 30 rows (an export also logs itself)
            assert admin_client_a.get(url).status_code == 200, url


def test_an_invalid_filter_value_leaves_the_valid_ones_applied(tenant_a, admin_client_a, operator):
    share(operator, tenant_a.partner, name="云迁移", customer_name="甲公司")
    share(operator, tenant_a.partner, name="大数据", customer_name="乙公司")

    body = admin_client_a.get(LIST + "?origin=HO&status=bogus&stage=nope&search=甲").content.decode()
    export = admin_client_a.get("/expansion/opportunities/export.xlsx?origin=HO&status=bogus&search=甲")

    assert "云迁移" in body and "大数据" not in body             # the search still applies
    assert body.count('<label class="invalid">') == 2              # the bad ones say so on the form
    rows = list(load_workbook(BytesIO(export.content)).active.iter_rows(values_only=True))
    assert [row[2] for row in rows[1:]] == ["云迁移"]


def test_the_status_and_stage_filters_offer_all_and_a_decided_deadline_shows_no_dash(tenant_a, admin_client_a,
                                                                                    operator):
    from partnercenter.templatetags.display import moment

    ho = share(operator, tenant_a.partner)
    body = admin_client_a.get(LIST).content.decode()
    for name in ("status", "stage"):
        select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', body, re.S).group(1)
        first = re.search(r"<option[^>]*>([^<]*)</option>", select).group(1)
        assert first in ("All", "全部") and "---------" not in select, (name, first)

    pending = admin_client_a.get(f"{LIST}{ho.pk}/").content.decode()
    assert 'data-countdown="3"' in re.search(r'<dd id="deadline">(.*?)</dd>', pending, re.S).group(1)
    opportunities.accept(actor_of(tenant_a.admin), opportunity=ho)
    decided = admin_client_a.get(f"{LIST}{ho.pk}/").content.decode()
    assert re.search(r'<dd id="deadline">(.*?)</dd>', decided, re.S).group(1) == moment(ho.deadline)


@pytest.mark.parametrize("count", [3, 45])
def test_the_history_is_paged_with_a_constant_number_of_queries(tenant_a, admin_client_a, operator,
                                                                 django_assert_max_num_queries, count):
    ho = share(operator, tenant_a.partner)
    admin = actor_of(tenant_a.admin)
    opportunities.accept(admin, opportunity=ho)
    OpportunityUpdate.objects.bulk_create([
        OpportunityUpdate(opportunity=ho, side="partner", changes={}, note=f"note-{n:02d}", created_by="a")
        for n in range(count)])
    url = f"{LIST}{ho.pk}/"

    with django_assert_max_num_queries(14):
        body = admin_client_a.get(url).content.decode()
    last = admin_client_a.get(url + "?page=3").content.decode()

    rows = re.findall(r'<tr data-side="partner">', body)
    assert len(rows) == min(count, 20)
    assert f"note-{count - 1:02d}" in body and ("note-00" in body) == (count <= 20)   # newest first
    if count > 20:
        assert "note-00" in last and f"note-{count - 1:02d}" not in last
        assert re.search(r'class="pager"', body)
