"""/v1/leads through signed requests (tests/signed.py signs with the official SDK's signer): list with filters and
offset/limit, create, follow-ups; contacts masked for partners in marketing plan 2.0; another partner's lead,
partner id or member is CBC not-found; the platform key dispatches with the partner's account ID and may do
nothing else; the endpoints are in the OpenAPI schema; constant queries per page."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from events.models import Event
from expansion.choices import LeadSource, LeadStatus
from expansion.models import FollowUp, Lead
from partnercenter.models import OperationLog
from partnercenter.api.fields import wire_time

from ..bills.ingest_helpers import PLATFORM_DOMAIN_ID
from ..factories import MemberFactory, RoleFactory, make_access_key
from ..signed import call
from . import leads_fixtures
from .leads_fixtures import EMAIL, PHONE, in_plan, make_lead, platform_key

leads_tenant, other_tenant = leads_fixtures.leads_tenant, leads_fixtures.other_tenant  # the fixtures

pytestmark = pytest.mark.django_db

LEADS = "/v1/leads"


def follow_ups(lead_id):
    return f"/v1/leads/{lead_id}/follow-ups"


@pytest.fixture
def api():
    return Client()


def get(api, t, **query):
    return call(api, "GET", LEADS, ak=t.key.ak, sk=t.secret, query=list(query.items()))


def post(api, t, path, body, key=None):
    ak, sk = key or (t.key.ak, t.secret)
    return call(api, "POST", path, ak=ak, sk=sk, json=body)


# ---------------------------------------------------------------------------------------------------------
# Listing
# ---------------------------------------------------------------------------------------------------------

def test_list_with_filters_and_paging(api, leads_tenant):
    t = leads_tenant
    following = make_lead(t.partner, 7, company_name="跟进中公司", status=LeadStatus.FOLLOWING, owner=t.member,
                          source=LeadSource.DISPATCHED)
    soon = timezone.now().replace(microsecond=0) + timedelta(days=1)
    FollowUp.objects.create(lead=following, method="phone", note="x", next_at=soon, created_by="a")

    everything = get(api, t).json()
    assert everything["count"] == 2 and [row["id"] for row in everything["leads"]] == [following.pk, t.lead.pk]
    row = everything["leads"][0]
    assert row == {
        "id": following.pk, "company_name": "跟进中公司", "contact_name": "联系人7", "phone": PHONE, "email": EMAIL,
        "region": "北京", "industry": "制造", "requirement": "", "source": "dispatched", "status": "following",
        "owner_id": t.member.user.username, "customer_id": None, "opportunity_id": None,
        "next_follow_up_at": wire_time(soon), "created": wire_time(following.created_at),
        "updated": wire_time(following.updated_at)}
    assert [r["id"] for r in get(api, t, status="following").json()["leads"]] == [following.pk]
    assert [r["id"] for r in get(api, t, source="partner").json()["leads"]] == [t.lead.pk]
    assert [r["id"] for r in get(api, t, owner_id=t.member.user.username).json()["leads"]] == [following.pk]
    assert [r["id"] for r in get(api, t, text="跟进中").json()["leads"]] == [following.pk]
    assert get(api, t, text=PHONE).json()["count"] == 0
    paged = get(api, t, offset=1, limit=1).json()
    assert paged["count"] == 2 and [r["id"] for r in paged["leads"]] == [t.lead.pk]


@pytest.mark.parametrize("query", [{"status": "open"}, {"limit": 101}, {"offset": -1}, {"created_begin": "yesterday"}])
def test_a_bad_query_is_cbc_0100(api, leads_tenant, query):
    response = get(api, leads_tenant, **query)
    assert (response.status_code, response.json()["error_code"]) == (400, "CBC.0100")


def test_the_api_masks_contacts_in_the_plan(api, leads_tenant):
    t = leads_tenant
    in_plan(t.partner)
    listed = get(api, t)
    created = post(api, t, LEADS, {"company_name": "新线索", "phone": "13600001234", "email": "sun@example.cn"})
    for response in (listed, created):
        assert PHONE not in response.content.decode() and EMAIL not in response.content.decode()
        assert "13600001234" not in response.content.decode() and "sun@example.cn" not in response.content.decode()
    assert listed.json()["leads"][0]["phone"] == "139****5678"
    assert listed.json()["leads"][0]["email"] == "zh****@contoso.cn"
    assert created.status_code == 200 and created.json()["phone"] == "136****1234"
    assert Lead.objects.get(company_name="新线索").phone == "13600001234"  # stored in full, for 外呼


def test_list_queries_stay_constant(api, leads_tenant):
    t = leads_tenant

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert get(api, t, limit=100).status_code == 200
        return len(queries)

    count()
    few = count()
    for n in range(30):
        lead = make_lead(t.partner, 200 + n, owner=t.member if n % 2 else None)
        FollowUp.objects.create(lead=lead, method="phone", note="x", created_by="a")
    assert count() == few


# ---------------------------------------------------------------------------------------------------------
# Creating and following up
# ---------------------------------------------------------------------------------------------------------

def test_a_partner_key_creates_a_lead(api, leads_tenant):
    t = leads_tenant
    response = post(api, t, LEADS, {"company_name": "接口公司", "contact_name": "周", "phone": "13600001234",
                                     "owner_id": t.member.user.username, "partner_id": t.partner.domain_id})
    assert response.status_code == 200, response.content
    lead = Lead.objects.get(company_name="接口公司")
    assert (lead.source, lead.owner, lead.created_by, response.json()["id"]) == (
        LeadSource.PARTNER, t.member, t.key.ak, lead.pk)


@pytest.mark.parametrize("body,status,code", [
    ({}, 400, "CBC.0100"),
    ({"company_name": "x", "email": "not-an-email"}, 400, "CBC.0100"),
    ({"company_name": "x", "phone": "call me"}, 400, "CBC.0100"),
    ({"company_name": "x", "owner_id": "nobody"}, 404, "CBC.99013203"),
])
def test_refused_creations(api, leads_tenant, body, status, code):
    response = post(api, leads_tenant, LEADS, body)
    assert (response.status_code, response.json()["error_code"]) == (status, code)
    assert not Lead.objects.filter(company_name="x").exists()


@pytest.mark.parametrize("named,code", [
    ({"owner_id": "nobody"}, "CBC.99013203"),
    ({"owner_id": "b.admin"}, "CBC.99013203"),  # another partner's member
    ({"partner_id": "other"}, "CBC.0156"),  # another partner's account ID
    ({"partner_id": "f" * 32}, "CBC.0156"),
])
def test_refusals_decided_on_the_wire_are_logged(api, leads_tenant, other_tenant, named, code):
    if named.get("partner_id") == "other":
        named = {"partner_id": other_tenant.partner.domain_id}
    response = post(api, leads_tenant, LEADS, {"company_name": "x", **named})
    assert response.json()["error_code"] == code
    log = OperationLog.objects.get(action="expansion.lead_create")
    assert (log.partner, log.result, log.error_code) == (leads_tenant.partner, "failure", code)


def test_follow_ups_through_the_api(api, leads_tenant):
    t = leads_tenant
    soon = timezone.now().replace(microsecond=0) + timedelta(days=3)
    response = post(api, t, follow_ups(t.lead.pk), {"method": "visit", "note": "上门拜访",
                                                    "next_follow_up_at": wire_time(soon)})
    assert response.status_code == 200, response.content
    follow_up = FollowUp.objects.get(lead=t.lead)
    assert response.json() == {"id": follow_up.pk, "lead_id": t.lead.pk, "method": "visit", "note": "上门拜访",
                               "next_follow_up_at": wire_time(soon), "created_by": t.key.ak,
                               "created": wire_time(follow_up.created_at), "lead_status": "following"}


@pytest.mark.parametrize("body,status,code", [
    ({"method": "call", "note": "x"}, 400, "CBC.0100"),
    ({"method": "phone"}, 400, "CBC.0100"),
    ({"method": "phone", "note": "x", "next_follow_up_at": "2001-01-01T00:00:00Z"}, 400, "CBC.99013206"),
])
def test_refused_follow_ups(api, leads_tenant, body, status, code):
    response = post(api, leads_tenant, follow_ups(leads_tenant.lead.pk), body)
    assert (response.status_code, response.json()["error_code"]) == (status, code)
    assert not FollowUp.objects.exists()


def test_a_closed_lead_takes_no_follow_up(api, leads_tenant):
    t = leads_tenant
    Lead.objects.filter(pk=t.lead.pk).update(status=LeadStatus.CONVERTED)
    response = post(api, t, follow_ups(t.lead.pk), {"method": "phone", "note": "x"})
    assert (response.status_code, response.json()["error_code"]) == (409, "CBC.99013200")


def test_rights(api, leads_tenant):
    t = leads_tenant
    viewer = MemberFactory(partner=t.partner, roles=[RoleFactory(partner=t.partner, permissions=["expansion.view"])])
    key = make_access_key(viewer.user, partner=t.partner)
    key = (key[0].ak, key[1])
    assert call(api, "GET", LEADS, ak=key[0], sk=key[1]).status_code == 200
    for path in (LEADS, follow_ups(t.lead.pk)):
        response = post(api, t, path, {"company_name": "x", "method": "phone", "note": "x"}, key=key)
        assert (response.status_code, response.json()["error_code"]) == (403, "CBC.0151")


# ---------------------------------------------------------------------------------------------------------
# Tenants never meet
# ---------------------------------------------------------------------------------------------------------

def _answer(response, *sent):
    text = response.content.decode()
    for value in sent:
        text = text.replace(str(value), "<id>")
    return response.status_code, text


def test_another_partners_ids_are_not_found(api, leads_tenant, other_tenant):
    t, other = leads_tenant, other_tenant
    theirs = post(api, t, follow_ups(other.lead.pk), {"method": "phone", "note": "x"})
    made_up = post(api, t, follow_ups(987654321), {"method": "phone", "note": "x"})
    junk = post(api, t, follow_ups("abc"), {"method": "phone", "note": "x"})
    assert (theirs.status_code, theirs.json()["error_code"]) == (404, "CBC.0156")
    assert _answer(theirs, other.lead.pk) == _answer(made_up, 987654321) == _answer(junk, "abc")

    their_partner = post(api, t, LEADS, {"company_name": "x", "partner_id": other.partner.domain_id})
    made_up_partner = post(api, t, LEADS, {"company_name": "x", "partner_id": "f" * 32})
    assert (their_partner.status_code, their_partner.json()["error_code"]) == (404, "CBC.0156")
    assert _answer(their_partner, other.partner.domain_id) == _answer(made_up_partner, "f" * 32)

    their_member = post(api, t, LEADS, {"company_name": "x", "owner_id": other.admin.user.username})
    assert (their_member.status_code, their_member.json()["error_code"]) == (404, "CBC.99013203")
    listed = get(api, t, owner_id=other.admin.user.username).json()
    assert listed == {"count": 0, "leads": []}
    assert other.lead.company_name not in get(api, t).content.decode()
    assert not FollowUp.objects.exists() and not Lead.objects.filter(company_name="x").exists()


# ---------------------------------------------------------------------------------------------------------
# The platform key: dispatch
# ---------------------------------------------------------------------------------------------------------

def test_the_platform_key_dispatches_with_the_partners_account_id(api, leads_tenant):
    t = leads_tenant
    key, secret = platform_key("leads.platform")
    response = call(api, "POST", LEADS, ak=key.ak, sk=secret, domain_id=PLATFORM_DOMAIN_ID, json={
        "partner_id": t.partner.domain_id, "company_name": "派发公司", "phone": PHONE,
        "owner_id": t.member.user.username})
    assert response.status_code == 200, response.content
    lead = Lead.objects.get(company_name="派发公司")
    assert (lead.partner, lead.source, lead.owner, lead.created_by) == (t.partner, "dispatched", t.member, key.ak)
    assert response.json()["phone"] == PHONE  # the platform sent it: the partner is not in the plan
    assert Event.objects.filter(type="expansion.lead_dispatched", partner=t.partner).exists()


def test_the_platform_key_must_name_an_active_partner(api, leads_tenant):
    t = leads_tenant
    key, secret = platform_key("leads.platform")

    def send(body):
        return call(api, "POST", LEADS, ak=key.ak, sk=secret, domain_id=PLATFORM_DOMAIN_ID, json=body)

    assert send({"company_name": "x"}).json()["error_code"] == "CBC.0100"
    assert send({"company_name": "x", "partner_id": "f" * 32}).json()["error_code"] == "CBC.0156"
    assert send({"company_name": "x", "partner_id": t.partner.domain_id, "owner_id": "nobody"}).json()[
        "error_code"] == "CBC.99013203"
    t.partner.status = "suspended"
    t.partner.save()
    assert send({"company_name": "x", "partner_id": t.partner.domain_id}).json()["error_code"] == "CBC.99013205"
    assert not Lead.objects.filter(company_name="x").exists()
    # every refusal is in the operation log, the unknown partner's with the account ID it named
    logs = list(OperationLog.objects.filter(action="expansion.lead_dispatch").order_by("id")
                .values_list("result", "error_code", "partner_id", "detail"))
    assert [(result, error, partner) for result, error, partner, _detail in logs] == [
        ("failure", "CBC.0100", None), ("failure", "CBC.0156", None), ("failure", "CBC.99013203", t.partner.pk),
        ("failure", "CBC.99013205", t.partner.pk)]
    assert logs[1][3]["partner_id"] == "f" * 32


def test_the_platform_key_reads_nothing_and_follows_up_nothing(api, leads_tenant):
    t = leads_tenant
    key, secret = platform_key("leads.platform")
    listed = call(api, "GET", LEADS, ak=key.ak, sk=secret, domain_id=PLATFORM_DOMAIN_ID)
    followed = call(api, "POST", follow_ups(t.lead.pk), ak=key.ak, sk=secret, domain_id=PLATFORM_DOMAIN_ID,
                    json={"method": "phone", "note": "x"})
    for response in (listed, followed):
        assert (response.status_code, response.json()["error_code"]) == (403, "CBC.0151")
    assert t.lead.company_name not in listed.content.decode()


def test_customer_keys_are_refused(api, leads_tenant):
    from ..factories import CustomerUserFactory

    t = leads_tenant
    key, secret = make_access_key(CustomerUserFactory(customer=t.resale).user)
    for method, path in (("GET", LEADS), ("POST", LEADS), ("POST", follow_ups(t.lead.pk))):
        response = call(api, method, path, ak=key.ak, sk=secret, json={} if method == "POST" else None)
        assert (response.status_code, response.json()["error_code"]) == (403, "CBC.0151")


def test_the_endpoints_are_in_the_openapi_schema():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    assert {"get", "post"} <= set(schema["paths"]["/v1/leads"])
    assert "post" in schema["paths"]["/v1/leads/{lead_id}/follow-ups"]
    operation_ids = {op["operationId"] for path in ("/v1/leads", "/v1/leads/{lead_id}/follow-ups")
                     for op in schema["paths"][path].values()}
    assert operation_ids == {"list_leads", "create_lead", "create_lead_follow_up"}
    parameters = {p["name"] for p in schema["paths"]["/v1/leads"]["get"]["parameters"]}
    assert {"status", "source", "owner_id", "text", "offset", "limit"} <= parameters
