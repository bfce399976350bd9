"""Operators in the admin: dispatch a lead to a partner (派发线索), put a partner in marketing plan 2.0; a
lead's page is read-only with its follow-ups and calls."""

import pytest
from django.urls import reverse

from events.models import Event
from expansion.models import ExpansionProfile, FollowUp, Lead
from partnercenter.models import OperationLog

from ..conftest import login_client
from ..factories import PartnerFactory, UserFactory
from . import leads_fixtures
from .leads_fixtures import PHONE

leads_tenant, other_tenant = leads_fixtures.leads_tenant, leads_fixtures.other_tenant  # the fixtures

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator():
    return login_client(UserFactory(username="ops", is_staff=True, is_superuser=True))


def test_an_operator_dispatches_a_lead(operator, leads_tenant):
    t = leads_tenant
    response = operator.post(reverse("admin:expansion_lead_add"), {
        "partner": t.partner.pk, "company_name": "后台派发公司", "contact_name": "钱", "phone": PHONE, "email": "",
        "region": "", "industry": "", "requirement": "", "owner": t.member.pk})
    assert response.status_code == 302, response.content.decode()[:2000]
    lead = Lead.objects.get(company_name="后台派发公司")
    assert (lead.partner, lead.source, lead.owner, lead.created_by) == (t.partner, "dispatched", t.member, "ops")
    assert Event.objects.filter(type="expansion.lead_dispatched", partner=t.partner).exists()
    assert OperationLog.objects.filter(action="expansion.lead_dispatch", partner=t.partner, result="success").exists()


def test_the_owner_must_be_a_member_of_the_partner(operator, leads_tenant, other_tenant):
    response = operator.post(reverse("admin:expansion_lead_add"), {
        "partner": leads_tenant.partner.pk, "company_name": "后台派发公司", "owner": other_tenant.admin.pk})
    assert response.status_code == 200
    assert not Lead.objects.filter(company_name="后台派发公司").exists()


def test_an_inactive_partner_is_not_offered(operator):
    suspended = PartnerFactory(status="suspended")
    response = operator.post(reverse("admin:expansion_lead_add"), {"partner": suspended.pk, "company_name": "x"})
    assert response.status_code == 200 and not Lead.objects.exists()


def test_a_leads_page_is_read_only_with_its_follow_ups(operator, leads_tenant):
    t = leads_tenant
    FollowUp.objects.create(lead=t.lead, method="visit", note="后台可见的跟进", created_by="a.admin")
    url = reverse("admin:expansion_lead_change", args=[t.lead.pk])
    body = operator.get(url).content.decode()
    assert "后台可见的跟进" in body and t.lead.company_name in body
    operator.post(url, {"company_name": "改掉"})
    t.lead.refresh_from_db()
    assert t.lead.company_name != "改掉"
    assert operator.get(reverse("admin:expansion_lead_changelist")).status_code == 200


def test_an_operator_puts_a_partner_in_marketing_plan_2(operator, leads_tenant):
    t = leads_tenant
    response = operator.post(reverse("admin:expansion_expansionprofile_add"),
                             {"partner": t.partner.pk, "marketing_plan_v2": "on"})
    assert response.status_code == 302, response.content.decode()[:2000]
    profile = ExpansionProfile.objects.get(partner=t.partner)
    assert profile.marketing_plan_v2
    operator.post(reverse("admin:expansion_expansionprofile_change", args=[profile.pk]), {})
    profile.refresh_from_db()
    assert not profile.marketing_plan_v2
    assert OperationLog.objects.filter(action="expansion.marketing_plan", partner=t.partner).count() == 2
    assert operator.get(reverse("admin:expansion_expansionprofile_changelist")).status_code == 200


def test_the_dispatch_form_searches_partners_and_members_instead_of_listing_them(operator, leads_tenant, other_tenant):
    from expansion.admin_leads import LeadAdmin

    body = operator.get(reverse("admin:expansion_lead_add")).content.decode()
    assert body.count("admin-autocomplete") >= 2  # the partner and the owner are searched
    for tenant in (leads_tenant, other_tenant):
        assert f'<option value="{tenant.partner.pk}"' not in body
        assert f'<option value="{tenant.admin.pk}"' not in body and tenant.admin.user.username not in body
    assert set(LeadAdmin.autocomplete_fields) == {"partner", "owner"}
    # the search behind the owner's box answers with members found by name
    found = operator.get(reverse("admin:autocomplete"), {
        "term": "a.am", "app_label": "expansion", "model_name": "lead", "field_name": "owner"}).json()
    assert [row["id"] for row in found["results"]] == [str(leads_tenant.member.pk)]


def test_the_changelist_counts_once_and_has_no_date_drill_down(operator, leads_tenant, other_tenant):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from expansion.admin_leads import LeadAdmin

    assert LeadAdmin.show_full_result_count is False and LeadAdmin.date_hierarchy is None
    with CaptureQueriesContext(connection) as queries:
        response = operator.get(reverse("admin:expansion_lead_changelist"), {"q": "线索公司"})
    assert response.status_code == 200
    counts = [q["sql"] for q in queries.captured_queries
              if "COUNT(" in q["sql"].upper() and "expansion_lead" in q["sql"]]
    assert len(counts) == 1, counts  # the search's count only, never the whole table's
