"""线索管理 pages: the list with its filters and exports, creating and editing, the detail page and its forms
(follow-up, status, owner, 外呼), conversion; contacts masked on pages and exports for partners in marketing
plan 2.0; another partner's lead is 404 on every page; a constant number of queries per page."""

from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from expansion.choices import LeadStatus
from expansion.models import Call, FollowUp, Lead
from partnercenter.models import OperationLog

from ..conftest import login_client
from ..factories import MemberFactory, RoleFactory
from . import leads_fixtures
from .leads_fixtures import EMAIL, PHONE, in_plan, make_lead

leads_tenant, other_tenant, outbox_backend = (  # the fixtures
    leads_fixtures.leads_tenant, leads_fixtures.other_tenant, leads_fixtures.outbox_backend)

pytestmark = pytest.mark.django_db

DETAIL_PAGES = ["lead", "lead_edit", "lead_follow_up", "lead_status", "lead_owner", "lead_call", "lead_convert"]


def _xlsx_text(response) -> str:
    book = load_workbook(BytesIO(response.content))
    return " ".join(str(cell) for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row)


@pytest.fixture
def admin(leads_tenant):
    return login_client(leads_tenant.admin.user)


# ---------------------------------------------------------------------------------------------------------
# The list
# ---------------------------------------------------------------------------------------------------------

def test_the_list_shows_contacts_in_full_outside_the_plan(leads_tenant, admin):
    body = admin.get(reverse("expansion:leads")).content.decode()
    assert leads_tenant.lead.company_name in body and PHONE in body and EMAIL in body
    assert 'id="expansion-tabs"' in body


def test_masked_on_the_list_the_detail_page_the_edit_form_and_both_exports(leads_tenant, admin):
    t = leads_tenant
    in_plan(t.partner)
    pages = {
        "list": admin.get(reverse("expansion:leads")).content.decode(),
        "detail": admin.get(reverse("expansion:lead", args=[t.lead.pk])).content.decode(),
        "edit": admin.get(reverse("expansion:lead_edit", args=[t.lead.pk])).content.decode(),
        "csv": admin.get(reverse("expansion:lead_export_csv")).content.decode("utf-8-sig"),
        "xlsx": _xlsx_text(admin.get(reverse("expansion:lead_export"))),
    }
    for name, text in pages.items():
        assert PHONE not in text and EMAIL not in text, name
    for name in ("list", "detail", "csv", "xlsx"):
        assert "139****5678" in pages[name] and "zh****@contoso.cn" in pages[name], name
    assert 'id="contacts-masked"' in pages["edit"] and 'name="phone"' not in pages["edit"]
    assert 'id="call-form"' in pages["detail"]


def test_the_list_filters(leads_tenant, admin):
    t = leads_tenant
    other = make_lead(t.partner, 5, company_name="华南制造", contact_name="赵六", status=LeadStatus.FOLLOWING,
                      owner=t.member, source="dispatched")
    url = reverse("expansion:leads")

    def shown(query):
        body = admin.get(url, query).content.decode()
        return {lead.pk for lead in (t.lead, other) if f'data-lead="{lead.pk}"' in body}

    assert shown({}) == {t.lead.pk, other.pk}
    assert shown({"status": "following"}) == {other.pk}
    assert shown({"source": "dispatched"}) == {other.pk}
    assert shown({"owner": t.member.pk}) == {other.pk}
    assert shown({"text": "赵六"}) == {other.pk}
    assert shown({"text": "华南"}) == {other.pk}
    assert shown({"text": PHONE}) == set()  # never searched by phone
    assert shown({"status": "bogus"}) == {t.lead.pk, other.pk}  # a wrong value filters nothing, shown on the form


def test_exports_follow_the_filters_and_are_logged(leads_tenant, admin):
    t = leads_tenant
    make_lead(t.partner, 6, company_name="只在跟进", status=LeadStatus.FOLLOWING)
    text = admin.get(reverse("expansion:lead_export_csv"), {"status": "following"}).content.decode("utf-8-sig")
    assert "只在跟进" in text and t.lead.company_name not in text
    assert PHONE in text  # outside the plan: in full
    workbook = _xlsx_text(admin.get(reverse("expansion:lead_export"), {"status": "new"}))
    assert t.lead.company_name in workbook and "只在跟进" not in workbook
    assert OperationLog.objects.filter(action="expansion.lead_export", partner=t.partner).count() == 2


def test_list_queries_stay_constant(leads_tenant, admin):
    t = leads_tenant
    urls = [reverse("expansion:leads"), reverse("expansion:lead_export"), reverse("expansion:lead_export_csv")]

    def count(url):
        with CaptureQueriesContext(connection) as queries:
            assert admin.get(url).status_code == 200
        return len(queries)

    for url in urls:
        count(url)  # warm
    few = [count(url) for url in urls]
    for n in range(30):
        lead = make_lead(t.partner, 100 + n, owner=t.member if n % 2 else None)
        FollowUp.objects.create(lead=lead, method="phone", note="x", created_by="a")
    many = [count(url) for url in urls]
    assert few == many, (few, many)


def test_detail_queries_stay_constant(leads_tenant, admin):
    t = leads_tenant
    in_plan(t.partner)
    url = reverse("expansion:lead", args=[t.lead.pk])

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert admin.get(url).status_code == 200
        return len(queries)

    def add(n):
        for i in range(n):
            FollowUp.objects.create(lead=t.lead, method="phone", note=f"n{i}", created_by="a")
            Call.objects.create(lead=t.lead, member=MemberFactory(partner=t.partner), backend="b", outcome="connected")

    add(1)
    count()
    few = count()
    add(30)
    assert count() == few


# ---------------------------------------------------------------------------------------------------------
# Creating, editing, the detail page's forms
# ---------------------------------------------------------------------------------------------------------

def test_create_then_follow_up_then_assign_then_invalidate_through_the_pages(leads_tenant, admin):
    t = leads_tenant
    response = admin.post(reverse("expansion:lead_new"), {
        "company_name": "页面公司", "contact_name": "孙", "phone": "13600001234", "email": "sun@example.cn",
        "region": "杭州", "industry": "零售", "requirement": "上云", "owner": ""})
    lead = Lead.objects.get(company_name="页面公司")
    assert response.status_code == 302 and response.url == reverse("expansion:lead", args=[lead.pk])

    admin.post(reverse("expansion:lead_follow_up", args=[lead.pk]), {"method": "phone", "note": "首次电话"})
    admin.post(reverse("expansion:lead_owner", args=[lead.pk]), {"owner": t.member.pk})
    lead.refresh_from_db()
    assert (lead.status, lead.owner) == (LeadStatus.FOLLOWING, t.member)

    refused = admin.post(reverse("expansion:lead_status", args=[lead.pk]), {"status": "invalid", "reason": ""})
    assert refused.status_code == 200 and 'class="form-errors"' in refused.content.decode()
    admin.post(reverse("expansion:lead_status", args=[lead.pk]), {"status": "invalid", "reason": "无需求"})
    lead.refresh_from_db()
    assert lead.status == LeadStatus.INVALID
    body = admin.get(reverse("expansion:lead", args=[lead.pk])).content.decode()
    assert "首次电话" in body and "无需求" in body and 'id="follow-up-form"' not in body


def test_editing_through_the_page(leads_tenant, admin):
    t = leads_tenant
    response = admin.post(reverse("expansion:lead_edit", args=[t.lead.pk]), {
        "company_name": "改名公司", "contact_name": "", "phone": PHONE, "email": EMAIL, "region": "", "industry": "",
        "requirement": ""})
    assert response.status_code == 302
    t.lead.refresh_from_db()
    assert (t.lead.company_name, t.lead.region) == ("改名公司", "")


def test_a_partner_in_the_plan_edits_without_touching_contacts(leads_tenant, admin):
    t = leads_tenant
    in_plan(t.partner)
    admin.post(reverse("expansion:lead_edit", args=[t.lead.pk]), {
        "company_name": "改名公司", "phone": "13000000000", "email": "x@y.cn"})
    t.lead.refresh_from_db()
    assert (t.lead.company_name, t.lead.phone, t.lead.email) == ("改名公司", PHONE, EMAIL)


def test_outbound_call_through_the_page(leads_tenant, admin, outbox_backend):
    t = leads_tenant
    in_plan(t.partner)
    response = admin.post(reverse("expansion:lead_call", args=[t.lead.pk]), {"note": "介绍产品"}, follow=True)
    body = response.content.decode()
    assert [c["number"] for c in outbox_backend] == [PHONE]
    assert PHONE not in body and 'data-outcome="connected"' in body and "介绍产品" in body


def test_no_call_form_outside_the_plan_and_the_post_is_refused(leads_tenant, admin, outbox_backend):
    t = leads_tenant
    assert 'id="call-form"' not in admin.get(reverse("expansion:lead", args=[t.lead.pk])).content.decode()
    admin.post(reverse("expansion:lead_call", args=[t.lead.pk]), {"note": ""})
    assert outbox_backend == [] and not Call.objects.exists()


def test_converting_to_a_customer_through_the_page(leads_tenant, other_tenant, admin):
    t = leads_tenant
    url = reverse("expansion:lead_convert", args=[t.lead.pk])
    refused = admin.post(url, {"to": "customer", "customer_id": other_tenant.resale.domain_id})
    assert refused.status_code == 200 and other_tenant.resale.domain_name not in refused.content.decode()
    t.lead.refresh_from_db()
    assert t.lead.customer is None
    assert admin.post(url, {"to": "customer", "customer_id": t.resale.domain_id}).status_code == 302
    t.lead.refresh_from_db()
    assert (t.lead.status, t.lead.customer) == (LeadStatus.CONVERTED, t.resale)


def test_view_only_members_see_no_forms_and_may_not_post(leads_tenant):
    t = leads_tenant
    role = RoleFactory(partner=t.partner, permissions=["expansion.view", "customers.view_all"])
    viewer = login_client(MemberFactory(partner=t.partner, roles=[role]).user)
    body = viewer.get(reverse("expansion:lead", args=[t.lead.pk])).content.decode()
    assert t.lead.company_name in body and 'id="follow-up-form"' not in body and 'id="new-lead"' not in body
    assert viewer.post(reverse("expansion:lead_follow_up", args=[t.lead.pk]),
                       {"method": "phone", "note": "x"}).status_code == 403
    assert viewer.get(reverse("expansion:lead_new")).status_code == 403
    assert not FollowUp.objects.exists()


# ---------------------------------------------------------------------------------------------------------
# Tenants never meet
# ---------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", DETAIL_PAGES)
def test_another_partners_lead_is_404_on_every_page(leads_tenant, other_tenant, admin, name):
    theirs = reverse(f"expansion:{name}", args=[other_tenant.lead.pk])
    made_up = reverse(f"expansion:{name}", args=[987654321])
    for method in ("get", "post"):
        got = getattr(admin, method)(theirs, {"method": "phone", "note": "x", "status": "invalid", "reason": "x",
                                              "to": "customer", "customer_id": other_tenant.resale.domain_id})
        assert got.status_code == getattr(admin, method)(made_up).status_code == 404, (method, got.status_code)
        assert other_tenant.lead.company_name not in got.content.decode()
    other_tenant.lead.refresh_from_db()
    assert (other_tenant.lead.status, other_tenant.lead.customer_id) == (LeadStatus.NEW, None)
    assert not FollowUp.objects.exists()


def test_the_list_and_exports_show_no_other_partners_leads(leads_tenant, other_tenant, admin):
    for name in ("leads", "lead_export_csv"):
        text = admin.get(reverse(f"expansion:{name}"), {"owner": other_tenant.admin.pk}).content.decode("utf-8-sig")
        assert other_tenant.lead.company_name not in text and "13700001111" not in text
    assert other_tenant.lead.company_name not in _xlsx_text(admin.get(reverse("expansion:lead_export")))


def test_converting_to_an_opportunity_through_the_page(leads_tenant, admin):
    t = leads_tenant
    url = reverse("expansion:lead_convert", args=[t.lead.pk])
    form = admin.get(url).content.decode()
    assert 'id="convert-opportunity-form"' in form and PHONE not in form
    response = admin.post(url, {"to": "opportunity", "name": "上云项目", "product": "ECS", "amount": "120000.00",
                                "expected_close": "", "notes": ""})
    assert response.status_code == 302, response.content.decode()[:3000]
    t.lead.refresh_from_db()
    assert t.lead.status == LeadStatus.CONVERTED and t.lead.opportunity.name == "上云项目"
    assert str(t.lead.opportunity.amount) == "120000.00" and t.lead.opportunity.origin == "PO"
    body = admin.get(reverse("expansion:lead", args=[t.lead.pk])).content.decode()
    assert 'id="lead-opportunity"' in body and 'id="follow-up-form"' not in body


def test_a_partner_in_the_plan_never_reads_the_number_on_the_opportunity_it_converted(leads_tenant, admin):
    t = leads_tenant
    in_plan(t.partner)
    response = admin.post(reverse("expansion:lead_convert", args=[t.lead.pk]),
                          {"to": "opportunity", "name": "上云项目", "amount": ""})
    assert response.status_code == 302
    t.lead.refresh_from_db()
    assert t.lead.opportunity.contact_phone == "139****5678"
    for url in (reverse("expansion:opportunity", args=[t.lead.opportunity.pk]), reverse("expansion:opportunities")):
        body = admin.get(url).content.decode()
        assert PHONE not in body, url
    assert PHONE not in _xlsx_text(admin.get(reverse("expansion:opportunity_export")))
