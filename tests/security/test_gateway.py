"""The CBC gateway: who gets in, who is refused, and that every refusal has Huawei's error shape."""

import json
from datetime import timedelta

import pytest
from django.test import Client

from partnercenter.choices import AccessKeyStatus

from ..conftest import build_tenant
from ..factories import CustomerUserFactory, make_access_key
from ..signed import call

pytestmark = pytest.mark.django_db

QUERY = "/v2/partners/sub-customers/query"
RESELLERS = "/v2/partners/indirect-partners/query"
UNAUTHENTICATED = {"error_code": "APIGW.0301", "error_msg": "Incorrect IAM authentication information."}


@pytest.fixture
def api():
    return Client()


def ok(response):
    assert response.status_code == 200, response.content
    return response.json()


def test_a_signed_request_lists_the_partners_customers(api, tenant_a):
    body = ok(call(api, "POST", QUERY, ak=tenant_a.key.ak, sk=tenant_a.secret, json={"offset": 0, "limit": 10},
                   domain_id=tenant_a.partner.domain_id))
    assert body["count"] == 2
    assert {c["customer_id"] for c in body["customer_infos"]} == {tenant_a.referral.domain_id, tenant_a.resale.domain_id}


@pytest.mark.parametrize("skew", [timedelta(minutes=14, seconds=59), -timedelta(minutes=14, seconds=59)])
def test_sdk_date_within_fifteen_minutes_is_accepted(api, tenant_a, skew):
    from ..signed import sdk_date

    ok(call(api, "POST", QUERY, ak=tenant_a.key.ak, sk=tenant_a.secret, json={}, date=sdk_date(skew)))


def _refusals(tenant):
    """Each way a request can fail authentication, as keyword arguments for `call`."""
    from ..signed import sdk_date

    def tamper_body(parts):
        parts["body"] = parts["body"].replace(b"10", b"11")

    def tamper_query(parts):
        parts["query"] = [("limit", "11")]

    def drop_date_from_signed(parts):
        auth = parts["headers"]["Authorization"]
        parts["headers"]["Authorization"] = auth.replace("x-sdk-date;", "").replace(";x-sdk-date", "")

    return {
        "wrong SK": {"sk": "x" * 40},
        "unknown AK": {"ak": "NOSUCHKEY00000000000"},
        "stale date +15:01": {"date": sdk_date(timedelta(minutes=15, seconds=1))},
        "stale date -15:01": {"date": sdk_date(-timedelta(minutes=15, seconds=1))},
        "tampered body": {"tamper": tamper_body},
        "tampered query": {"tamper": tamper_query, "query": [("limit", "10")]},
        "x-sdk-date not signed": {"tamper": drop_date_from_signed},
        "other domain id": {"domain_id": "0" * 32},
    }


@pytest.mark.parametrize("case", list(_refusals(None)))
def test_each_authentication_failure_gets_the_same_401(api, tenant_a, case):
    kwargs = {"ak": tenant_a.key.ak, "sk": tenant_a.secret, "json": {"offset": 0, "limit": 10}}
    kwargs.update(_refusals(tenant_a)[case])
    response = call(api, "POST", QUERY, **kwargs)
    assert response.status_code == 401
    assert response.json() == UNAUTHENTICATED


def test_a_disabled_key_gets_the_same_401(api, tenant_a):
    tenant_a.key.status = AccessKeyStatus.DISABLED
    tenant_a.key.save()
    response = call(api, "POST", QUERY, ak=tenant_a.key.ak, sk=tenant_a.secret, json={})
    assert (response.status_code, response.json()) == (401, UNAUTHENTICATED)


def test_a_key_of_a_deactivated_user_is_refused(api, tenant_a):
    tenant_a.admin.user.is_active = False
    tenant_a.admin.user.save()
    assert call(api, "POST", QUERY, ak=tenant_a.key.ak, sk=tenant_a.secret, json={}).status_code == 401


def test_no_authorization_header_gets_401(api, tenant_a):
    response = api.post(QUERY, data="{}", content_type="application/json")
    assert (response.status_code, response.json()) == (401, UNAUTHENTICATED)


def test_a_customer_key_on_a_partner_endpoint_gets_403(api, tenant_a):
    customer_user = CustomerUserFactory(customer=tenant_a.resale)
    key, secret = make_access_key(customer_user.user)
    response = call(api, "POST", QUERY, ak=key.ak, sk=secret, json={}, domain_id=tenant_a.resale.domain_id)
    assert response.status_code == 403
    assert response.json()["error_code"] == "CBC.0151"


def test_a_solution_provider_key_on_the_distributor_endpoint_gets_403(api, tenant_a):
    response = call(api, "POST", RESELLERS, ak=tenant_a.key.ak, sk=tenant_a.secret, json={})
    assert (response.status_code, response.json()["error_code"]) == (403, "CBC.0151")


@pytest.mark.parametrize("body", [
    {"offset": -1}, {"offset": 2**40}, {"limit": 0}, {"limit": 101}, {"offset": "abc"}, {"limit": 1.5},
    {"association_type": "3"}, {"associated_on_begin": "2026-01-01"}, {"account_name": "has space"},
])
def test_bad_parameters_get_400_cbc_0100(api, tenant_a, body):
    response = call(api, "POST", QUERY, ak=tenant_a.key.ak, sk=tenant_a.secret, json=body)
    assert response.status_code == 400
    assert response.json()["error_code"] == "CBC.0100"


@pytest.mark.parametrize("raw", [b"{not json", b"[1, 2]", b'"text"'])
def test_a_body_that_is_not_a_json_object_gets_400(api, tenant_a, raw):
    response = call(api, "POST", QUERY, ak=tenant_a.key.ak, sk=tenant_a.secret, body=raw)
    assert (response.status_code, response.json()["error_code"]) == (400, "CBC.0100")


def test_unknown_api_path_is_a_json_404(api):
    response = api.post("/v2/partners/no-such-endpoint", data="{}", content_type="application/json")
    assert response.status_code == 404
    assert response.json()["error_code"] == "CBC.0156"


def test_wrong_method_is_a_json_error(api, tenant_a):
    response = call(api, "GET", QUERY, ak=tenant_a.key.ak, sk=tenant_a.secret)
    assert response.status_code == 405
    assert set(response.json()) == {"error_code", "error_msg"}


def test_a_reseller_filter_naming_another_distributors_reseller_is_not_found(api, db):
    a = build_tenant("da", partner_type="distributor")
    b = build_tenant("db", partner_type="distributor")
    from ..factories import PartnerFactory

    reseller_of_a = PartnerFactory(partner_type="reseller", distributor=a.partner)
    response = call(api, "POST", QUERY, ak=b.key.ak, sk=b.secret, json={"indirect_partner_id": reseller_of_a.domain_id})
    assert (response.status_code, response.json()["error_code"]) == (404, "CBC.0156")
    response = call(api, "POST", QUERY, ak=a.key.ak, sk=a.secret, json={"indirect_partner_id": reseller_of_a.domain_id})
    assert ok(response)["count"] == 0


def test_the_secret_key_never_appears_in_a_response_or_log(api, tenant_a, caplog):
    caplog.set_level("DEBUG")
    response = call(api, "POST", QUERY, ak=tenant_a.key.ak, sk=tenant_a.secret, json={})
    assert tenant_a.secret not in response.content.decode()
    assert tenant_a.secret not in caplog.text
    assert tenant_a.secret not in json.dumps([r.getMessage() for r in caplog.records])


def test_a_suspended_partner_is_locked_out_of_api_and_pages(api, tenant_a):
    from ..conftest import login_client

    tenant_a.partner.status = "suspended"
    tenant_a.partner.save()
    response = call(api, "POST", QUERY, ak=tenant_a.key.ak, sk=tenant_a.secret, json={})
    assert (response.status_code, response.json()) == (401, UNAUTHENTICATED)
    client = login_client(tenant_a.admin.user)
    assert client.get("/customers/").status_code == 403
    assert client.get("/credentials/").status_code == 403


# -------------------------------------------------------------------------------------------------
# GET /v1/whoami: who a key acts as, for integrators checking their credentials
# -------------------------------------------------------------------------------------------------

WHOAMI = "/v1/whoami"


def test_whoami_tells_a_partner_key_its_partner_owner_and_rights(api, tenant_a):
    body = ok(call(api, "GET", WHOAMI, ak=tenant_a.key.ak, sk=tenant_a.secret, domain_id=tenant_a.partner.domain_id))

    from partnercenter.permissions import ALL_CODES

    assert body == {
        "domain_id": tenant_a.partner.domain_id,
        "access_key": tenant_a.key.ak,
        "user_name": "a.admin",
        "partner": {"domain_id": tenant_a.partner.domain_id, "account_name": "partner-a",
                    "name": tenant_a.partner.name, "partner_type": "solution_provider"},
        "customer": None,
        # an administrator holds the whole catalogue, but the cloud-reseller rights only at a distributor
        "permissions": sorted(ALL_CODES - {"resellers.view", "resellers.manage"}),
    }
    assert tenant_a.secret not in json.dumps(body)


def test_whoami_shows_a_distributor_its_reseller_rights(api, db):
    t = build_tenant("dw", partner_type="distributor")
    body = ok(call(api, "GET", WHOAMI, ak=t.key.ak, sk=t.secret))
    assert body["partner"]["partner_type"] == "distributor"
    assert {"resellers.view", "resellers.manage"} <= set(body["permissions"])


def test_whoami_needs_no_right_beyond_a_valid_key(api, tenant_a):
    from ..factories import MemberFactory, RoleFactory

    member = MemberFactory(partner=tenant_a.partner, roles=[RoleFactory(partner=tenant_a.partner, permissions=[])])
    key, secret = make_access_key(member.user, partner=tenant_a.partner)

    body = ok(call(api, "GET", WHOAMI, ak=key.ak, sk=secret))

    assert (body["user_name"], body["access_key"], body["permissions"]) == (member.user.username, key.ak, [])
    refused = call(api, "POST", QUERY, ak=key.ak, sk=secret, json={})  # while every other endpoint refuses it
    assert (refused.status_code, refused.json()["error_code"]) == (403, "CBC.0151")


def test_whoami_tells_a_customer_key_its_customer(api, tenant_a):
    customer_user = CustomerUserFactory(customer=tenant_a.resale)
    key, secret = make_access_key(customer_user.user)

    body = ok(call(api, "GET", WHOAMI, ak=key.ak, sk=secret, domain_id=tenant_a.resale.domain_id))

    assert body == {
        "domain_id": tenant_a.resale.domain_id,
        "access_key": key.ak,
        "user_name": customer_user.user.username,
        "partner": None,
        "customer": {"customer_id": tenant_a.resale.domain_id, "account_name": tenant_a.resale.domain_name,
                     "name": tenant_a.resale.real_name},
        "permissions": [],
    }


@pytest.mark.parametrize("case", list(_refusals(None)))
def test_whoami_refuses_what_every_signed_call_refuses(api, tenant_a, case):
    kwargs = {"ak": tenant_a.key.ak, "sk": tenant_a.secret, "query": [("limit", "10")]}
    kwargs.update(_refusals(tenant_a)[case])
    if case == "tampered body":
        kwargs["body"] = b'{"limit": 10}'
    response = call(api, "GET", WHOAMI, **kwargs)
    assert (response.status_code, response.json()) == (401, UNAUTHENTICATED)


def test_whoami_unsigned_or_with_a_disabled_key_gets_the_same_401(api, tenant_a):
    assert (api.get(WHOAMI).status_code, api.get(WHOAMI).json()) == (401, UNAUTHENTICATED)
    tenant_a.key.status = AccessKeyStatus.DISABLED
    tenant_a.key.save()
    response = call(api, "GET", WHOAMI, ak=tenant_a.key.ak, sk=tenant_a.secret)
    assert (response.status_code, response.json()) == (401, UNAUTHENTICATED)


def test_whoami_is_documented_in_the_schema():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"][WHOAMI]["get"]
    assert set(schema["paths"][WHOAMI]) == {"get"}
    assert operation["operationId"] == "show_whoami"
    ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    component = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert {"domain_id", "access_key", "user_name", "partner", "customer", "permissions"} <= set(component["properties"])
