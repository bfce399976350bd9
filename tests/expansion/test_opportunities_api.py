"""/v1/opportunities through signed requests (the official SDK's signer through the test client, and the SDK's
client against a live server): list with origin/status/offset/limit and the working days left, register a
PO, accept and reject an HO, the deadline enforced, errors in the CBC shape, another partner's ids not found,
rights per method, and the operations in the OpenAPI schema."""

import json
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from drf_spectacular.generators import SchemaGenerator

from expansion.choices import OpportunityStatus
from expansion.errors_opportunities import OpportunityCodes
from expansion.models import Opportunity
from partnercenter.models import OperationLog

from ..factories import MemberFactory, RoleFactory, make_access_key
from ..signed import bss_client, call
from .opportunities_fixtures import make_operator, register, shanghai, share

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(db):
    return make_operator()

BASE = "/v1/opportunities"


def api(tenant, method, path, *, json_body=None, query=(), key=None):
    ak, sk = key or (tenant.key.ak, tenant.secret)
    response = call(Client(), method, path, ak=ak, sk=sk, json=json_body, query=query,
                    domain_id=tenant.partner.domain_id)
    return response.status_code, json.loads(response.content or b"null")


def test_the_list_carries_the_deadline_and_working_days_left(tenant_a, operator):
    ho = share(operator, tenant_a.partner, at=shanghai(2026, 3, 9, 10, 0))        # due Thu 12th 10:00
    po = register(tenant_a.admin, customer=tenant_a.resale, amount="10.50")

    with time_machine.travel(shanghai(2026, 3, 10, 9, 0), tick=True):             # Tuesday
        status, body = api(tenant_a, "GET", BASE)
        _, ho_only = api(tenant_a, "GET", BASE, query=[("origin", "HO")])
        _, paged = api(tenant_a, "GET", BASE, query=[("offset", "1"), ("limit", "1")])
        _, pending_po = api(tenant_a, "GET", BASE, query=[("origin", "PO"), ("status", "pending")])

    assert status == 200 and body["count"] == 2
    rows = {row["id"]: row for row in body["opportunities"]}
    assert rows[ho.pk]["deadline"] == "2026-03-12T02:00:00Z" and rows[ho.pk]["working_days_left"] == 2
    assert (rows[ho.pk]["origin"], rows[ho.pk]["status"], rows[ho.pk]["customer_name"]) == ("HO", "pending",
                                                                                            ho.customer_name)
    assert rows[po.pk]["deadline"] is None and rows[po.pk]["working_days_left"] is None
    assert (rows[po.pk]["customer_id"], rows[po.pk]["amount"]) == (tenant_a.resale.domain_id, 10.5)
    assert [row["id"] for row in ho_only["opportunities"]] == [ho.pk]
    assert paged["count"] == 2 and [row["id"] for row in paged["opportunities"]] == [ho.pk]   # newest first
    assert [row["id"] for row in pending_po["opportunities"]] == [po.pk]


def test_accept_and_reject_through_the_api_and_the_deadline_holds(tenant_a, operator):
    first, second, late = (share(operator, tenant_a.partner, at=shanghai(2026, 3, 9, 10, 0)) for _ in range(3))

    with time_machine.travel(shanghai(2026, 3, 12, 9, 59), tick=False):
        accepted = api(tenant_a, "POST", f"{BASE}/{first.pk}/accept")
        rejected = api(tenant_a, "POST", f"{BASE}/{second.pk}/reject", json_body={"reason": "区域不符"})
        again = api(tenant_a, "POST", f"{BASE}/{first.pk}/accept")
        no_reason = api(tenant_a, "POST", f"{BASE}/{late.pk}/reject", json_body={})
    with time_machine.travel(shanghai(2026, 3, 12, 10, 1), tick=False):
        too_late = api(tenant_a, "POST", f"{BASE}/{late.pk}/accept")

    assert accepted[0] == 200 and (accepted[1]["status"], accepted[1]["working_days_left"]) == ("accepted", None)
    assert rejected[0] == 200 and (rejected[1]["status"], rejected[1]["reason"]) == ("rejected", "区域不符")
    assert again == (409, {"error_code": OpportunityCodes.NOT_PENDING, "error_msg": again[1]["error_msg"]})
    assert no_reason[0] == 400 and no_reason[1]["error_code"] == "CBC.0100"
    assert too_late[0] == 409 and too_late[1]["error_code"] == OpportunityCodes.DEADLINE_PASSED
    assert Opportunity.objects.get(pk=late.pk).status == OpportunityStatus.PENDING
    log = OperationLog.objects.filter(access_key=tenant_a.key.ak, action="expansion.opportunity_accept")
    assert sorted(log.values_list("result", flat=True)) == ["failure", "failure", "success"]


def test_registering_a_po_without_an_account_needs_the_acknowledgement(tenant_a):
    body = {"name": "SAP 上云", "customer_name": "某集团", "amount": 50000, "expected_close": "2026-12-31"}
    refused = api(tenant_a, "POST", BASE, json_body=body)
    created = api(tenant_a, "POST", BASE, json_body={**body, "no_account_acknowledged": True})
    with_customer = api(tenant_a, "POST", BASE, json_body={**body, "customer_id": tenant_a.resale.domain_id})
    bad_amount = api(tenant_a, "POST", BASE, json_body={**body, "amount": "1e5", "no_account_acknowledged": True})

    assert refused[0] == 400 and refused[1]["error_code"] == OpportunityCodes.NO_ACCOUNT_NOT_ACKNOWLEDGED
    assert created[0] == 200 and (created[1]["origin"], created[1]["status"], created[1]["customer_id"]) == (
        "PO", "pending", None)
    assert with_customer[0] == 200 and with_customer[1]["customer_id"] == tenant_a.resale.domain_id
    assert bad_amount[0] == 400 and bad_amount[1]["error_code"] == "CBC.0100"
    assert Opportunity.objects.count() == 2


def test_another_partners_ids_are_not_found_and_its_rows_never_listed(tenant_a, tenant_b, operator):
    ho = share(operator, tenant_a.partner)
    for path, body in ((f"{BASE}/{ho.pk}/accept", None), (f"{BASE}/{ho.pk}/reject", {"reason": "x"}),
                       (f"{BASE}/999999999/accept", None), (f"{BASE}/abc/accept", None),
                       (f"{BASE}/99999999999999999999/reject", {"reason": "x"})):
        status, answer = api(tenant_b, "POST", path, json_body=body)
        assert (status, answer["error_code"]) == (404, "CBC.0156"), path
    status, answer = api(tenant_b, "POST", BASE, json_body={"name": "x", "customer_name": "y",
                                                            "customer_id": tenant_a.resale.domain_id})
    assert (status, answer["error_code"]) == (404, "CBC.0156")
    assert api(tenant_b, "GET", BASE) == (200, {"count": 0, "opportunities": []})
    assert Opportunity.objects.get(pk=ho.pk).status == OpportunityStatus.PENDING


def test_rights_per_method(tenant_a, operator):
    ho = share(operator, tenant_a.partner)
    viewer = MemberFactory(partner=tenant_a.partner, roles=[RoleFactory(partner=tenant_a.partner,
                                                                       permissions=["expansion.view"])])
    nobody = MemberFactory(partner=tenant_a.partner, roles=[RoleFactory(partner=tenant_a.partner,
                                                                       permissions=["customers.view"])])
    viewer_key, nobody_key = make_access_key(viewer.user, partner=tenant_a.partner), \
        make_access_key(nobody.user, partner=tenant_a.partner)
    viewer_key, nobody_key = (viewer_key[0].ak, viewer_key[1]), (nobody_key[0].ak, nobody_key[1])

    assert api(tenant_a, "GET", BASE, key=viewer_key)[0] == 200
    assert api(tenant_a, "POST", f"{BASE}/{ho.pk}/accept", key=viewer_key)[1]["error_code"] == "CBC.0151"
    assert api(tenant_a, "GET", BASE, key=nobody_key)[1]["error_code"] == "CBC.0151"


def test_the_operations_are_in_the_openapi_schema():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    paths = schema["paths"]
    assert {"get", "post"} <= set(paths["/v1/opportunities"])
    assert "post" in paths["/v1/opportunities/{opportunity_id}/accept"]
    assert "post" in paths["/v1/opportunities/{opportunity_id}/reject"]
    operation_ids = {op["operationId"] for path in paths.values() for op in path.values() if isinstance(op, dict)}
    assert {"list_opportunities", "register_opportunity", "accept_opportunity", "reject_opportunity"} <= operation_ids


@pytest.mark.django_db(transaction=True)
def test_a_sales_platform_works_opportunities_with_the_official_sdk(live_server, tenant_a, operator):
    from huaweicloudsdkcore.sdk_response import SdkResponse

    class Wire(SdkResponse):
        openapi_types: dict = {}
        attribute_map: dict = {}

    ho = share(operator, tenant_a.partner)
    client = bss_client(live_server.url, ak=tenant_a.key.ak, sk=tenant_a.secret, domain_id=tenant_a.partner.domain_id)

    def send(method, path, body=None, query=None, **path_params):
        response = client.do_http_request(method=method, resource_path=path, path_params=path_params or None,
                                          query_params=query, body=body, response_type=Wire,
                                          header_params={"Content-Type": "application/json"})
        return json.loads(response.raw_content)

    listed = send("GET", BASE, query=[("origin", "HO"), ("limit", 10)])
    accepted = send("POST", BASE + "/{opportunity_id}/accept", opportunity_id=ho.pk)

    # shared just now: the three working days after today are all left
    assert listed["count"] == 1 and listed["opportunities"][0]["working_days_left"] == 3
    assert accepted["status"] == "accepted"


def test_accept_at_the_deadline_then_the_task_leaves_it(tenant_a, operator):
    from expansion import opportunities_sla

    ho = share(operator, tenant_a.partner, at=shanghai(2026, 3, 9, 10, 0))
    with time_machine.travel(ho.deadline, tick=False):
        assert api(tenant_a, "POST", f"{BASE}/{ho.pk}/accept")[0] == 200
    with time_machine.travel(ho.deadline + timedelta(minutes=1), tick=False):
        assert opportunities_sla.recall_overdue() == 0
    assert Opportunity.objects.get(pk=ho.pk).status == OpportunityStatus.ACCEPTED


@pytest.mark.parametrize("count", [3, 30])
def test_the_list_endpoint_runs_a_constant_number_of_queries(tenant_a, operator, django_assert_max_num_queries,
                                                             count):
    for n in range(count):
        share(operator, tenant_a.partner, customer=tenant_a.resale)
        register(tenant_a.admin, customer=tenant_a.resale if n % 2 else None)
    with django_assert_max_num_queries(8):
        status, body = api(tenant_a, "GET", BASE, query=[("limit", "100")])
    assert status == 200 and len(body["opportunities"]) == 2 * count


def test_the_platform_key_shares_an_ho_and_may_do_nothing_else(tenant_a, tenant_b):
    from ..bills.customer_helpers import platform_key

    key, secret = platform_key("opportunities.platform")

    def as_platform(method, path, **kwargs):
        response = call(Client(), method, path, ak=key.ak, sk=secret, domain_id="platform", **kwargs)
        return response.status_code, json.loads(response.content or b"null")

    shared = as_platform("POST", BASE, json={"partner_id": tenant_a.partner.domain_id, "name": "运营商 5G 专网",
                                             "customer_name": "某运营商省公司", "customer_id": tenant_a.resale.domain_id,
                                             "amount": 800000})
    unnamed = as_platform("POST", BASE, json={"name": "x", "customer_name": "y"})
    unknown = as_platform("POST", BASE, json={"partner_id": "0" * 32, "name": "x", "customer_name": "y"})
    listed = as_platform("GET", BASE)

    assert shared[0] == 200 and (shared[1]["origin"], shared[1]["status"], shared[1]["working_days_left"]) == (
        "HO", "pending", 3)
    ho = Opportunity.objects.get(pk=shared[1]["id"])
    assert (ho.partner, ho.customer, ho.created_by) == (tenant_a.partner, tenant_a.resale, key.ak)
    assert (unnamed[0], unnamed[1]["error_code"]) == (400, "CBC.0100")
    assert (unknown[0], unknown[1]["error_code"]) == (404, "CBC.0156")
    assert (listed[0], listed[1]["error_code"]) == (403, "CBC.0151")
    assert as_platform("POST", f"{BASE}/{ho.pk}/accept")[1]["error_code"] == "CBC.0151"
    # the partner sees it and hears of it
    assert api(tenant_a, "GET", BASE)[1]["opportunities"][0]["id"] == ho.pk
    # a partner key naming another partner is not found
    other = api(tenant_a, "POST", BASE, json_body={"partner_id": tenant_b.partner.domain_id, "name": "x",
                                                   "customer_name": "y", "no_account_acknowledged": True})
    assert (other[0], other[1]["error_code"]) == (404, "CBC.0156")


def test_refusals_decided_on_the_wire_are_in_the_operation_log(tenant_a, tenant_b, operator):
    theirs = share(operator, tenant_b.partner)
    body = {"name": "SAP 上云", "customer_name": "某集团"}

    answers = [
        api(tenant_a, "POST", BASE, json_body=body),                                           # 无账号报备 not acknowledged
        api(tenant_a, "POST", BASE, json_body={**body, "customer_id": "f" * 32}),             # no such customer of ours
        api(tenant_a, "POST", BASE, json_body={**body, "customer_id": tenant_b.resale.domain_id}),
        api(tenant_a, "POST", BASE, json_body={**body, "partner_id": tenant_b.partner.domain_id,
                                               "no_account_acknowledged": True}),
        api(tenant_a, "POST", f"{BASE}/abc/accept"),
        api(tenant_a, "POST", f"{BASE}/99999999999999999999/reject", json_body={"reason": "x"}),
        api(tenant_a, "POST", f"{BASE}/{theirs.pk}/accept"),
    ]

    expected = [OpportunityCodes.NO_ACCOUNT_NOT_ACKNOWLEDGED] + ["CBC.0156"] * 6
    assert [answer[1]["error_code"] for answer in answers] == expected
    logged = OperationLog.objects.filter(access_key=tenant_a.key.ak).order_by("pk")
    assert list(logged.values_list("action", "result", "error_code")) == [
        ("expansion.opportunity_register", "failure", OpportunityCodes.NO_ACCOUNT_NOT_ACKNOWLEDGED),
        ("expansion.opportunity_register", "failure", "CBC.0156"),
        ("expansion.opportunity_register", "failure", "CBC.0156"),
        ("expansion.opportunity_register", "failure", "CBC.0156"),
        ("expansion.opportunity_accept", "failure", "CBC.0156"),
        ("expansion.opportunity_reject", "failure", "CBC.0156"),
        ("expansion.opportunity_accept", "failure", "CBC.0156"),
    ]
    assert logged[1].detail["customer_id"] == "f" * 32 and logged[4].detail["opportunity"] == "abc"
    assert Opportunity.objects.count() == 1
