"""What a signed request costs before its view runs, and that nothing it reads is kept between requests.

The gateway reads the key with its owner, the owner's membership (or customer), the partner and the
owner's roles in one joined statement; the key's last use is written at most once a minute. Nothing is cached, so a key disabled or deleted, a right taken from a role, a role taken from a
member, a member deactivated or a partner suspended counts from the very next request — the tests below
change each of these between two requests of one test client in one process, where any per-process
or shared cache of keys or actors would still answer with the old state.
"""

from datetime import timedelta
from functools import wraps

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import resolve
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from partnercenter import services
from partnercenter.actors import PLATFORM_DOMAIN_ID
from partnercenter.models import AccessKey

from ..billing_helpers import fund
from ..bills.ingest_helpers import platform_key
from ..conftest import actor_of, build_tenant
from ..factories import CustomerUserFactory, MemberFactory, RoleFactory, make_access_key
from ..signed import call

pytestmark = pytest.mark.django_db

WHOAMI = "/v1/whoami"
QUERY = "/v2/partners/sub-customers/query"
UNAUTHENTICATED = {"error_code": "APIGW.0301", "error_msg": "Incorrect IAM authentication information."}
MOST_STATEMENTS_BEFORE_THE_VIEW = 1


@pytest.fixture
def api():
    # SQLite checks once per connection that it has JSON functions; have that done before anything counts.
    connection.ensure_connection()
    assert connection.features.supports_json_field
    return Client()


def _statements(send) -> tuple[list[str], object]:
    with CaptureQueriesContext(connection) as queries:
        response = send()
    return [q["sql"] for q in queries.captured_queries], response


def _used_recently(*keys):
    """As for a key in steady use: its last use was written less than a minute ago."""
    AccessKey.objects.filter(pk__in=[k.pk for k in keys]).update(last_used_at=timezone.now())


# -------------------------------------------------------------------------------------------------
# What a signed request costs
# -------------------------------------------------------------------------------------------------

def test_a_partner_keys_signed_call_runs_one_statement_and_whoami_none_of_its_own(api, tenant_a):
    _used_recently(tenant_a.key)

    sql, response = _statements(lambda: call(api, "GET", WHOAMI, ak=tenant_a.key.ak, sk=tenant_a.secret))

    assert response.status_code == 200, response.content
    assert len(sql) == MOST_STATEMENTS_BEFORE_THE_VIEW, "\n".join(sql)
    # one joined read of the key, its owner, the owner's membership, the partner and the owner's roles
    for table in ("partnercenter_accesskey", "pc_user", "partnercenter_member", "partnercenter_partner",
                  "partnercenter_member_roles"):
        assert table in sql[0]


def test_a_customer_keys_signed_call_runs_one_statement(api, tenant_a):
    customer_user = CustomerUserFactory(customer=tenant_a.resale)
    key, secret = make_access_key(customer_user.user)
    _used_recently(key)

    sql, response = _statements(lambda: call(api, "GET", WHOAMI, ak=key.ak, sk=secret))

    assert response.status_code == 200, response.content
    assert len(sql) == 1, "\n".join(sql)
    assert "customers_customer" in sql[0]


def _api_operations():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path, operations in schema["paths"].items():
        for method in operations:
            yield path, method.upper()


def test_every_endpoint_runs_at_most_one_statement_before_its_view(api, monkeypatch):
    """Counted where the view's handler is entered: the middleware, the signature check, the actor, the
    permission check and the throttles all come before it."""
    t = build_tenant("cost", partner_type="distributor")  # a distributor's administrator passes every check
    fund(t.partner, "100.00")
    customer_user = CustomerUserFactory(customer=t.resale)
    customer_key, customer_secret = make_access_key(customer_user.user)
    platform, platform_secret = platform_key("cost.platform")
    keys = [(t.key.ak, t.secret, None), (customer_key.ak, customer_secret, None),
            (platform.ak, platform_secret, PLATFORM_DOMAIN_ID)]
    _used_recently(t.key, customer_key, platform)
    entered = []
    queries = CaptureQueriesContext(connection)

    def count_at_entry(handler):
        @wraps(handler)
        def counted(self, request, *args, **kwargs):
            entered.append(len(queries))
            return handler(self, request, *args, **kwargs)
        return counted

    operations = list(_api_operations())
    for path, method in operations:
        view_class = resolve(path).func.cls
        monkeypatch.setattr(view_class, method.lower(), count_at_entry(getattr(view_class, method.lower())))

    costs = {}
    for path, method in operations:
        for ak, sk, domain_id in keys:  # the partner key, or the customer's or the platform's where it is for them
            entered.clear()
            with queries:
                response = call(api, method, path, ak=ak, sk=sk, json={} if method != "GET" else None,
                                domain_id=domain_id)
            if entered:
                costs[f"{method} {path}"] = entered[0]
                break
        else:
            pytest.fail(f"{method} {path}: no key reached the view ({response.status_code} {response.content[:200]})")

    assert len(costs) >= 25 and f"GET {WHOAMI}" in costs
    too_many = {op: n for op, n in costs.items() if n > MOST_STATEMENTS_BEFORE_THE_VIEW}
    assert not too_many, f"statements before the view: {too_many}"


def test_a_keys_last_use_is_written_at_most_once_a_minute(api, tenant_a):
    key = tenant_a.key
    assert key.last_used_at is None

    first, _ = _statements(lambda: call(api, "GET", WHOAMI, ak=key.ak, sk=tenant_a.secret))
    key.refresh_from_db()
    written = key.last_used_at
    again, _ = _statements(lambda: call(api, "GET", WHOAMI, ak=key.ak, sk=tenant_a.secret))
    key.refresh_from_db()

    assert written is not None and timezone.now() - written < timedelta(seconds=30)
    assert len(first) == MOST_STATEMENTS_BEFORE_THE_VIEW + 1 and first[-1].startswith("UPDATE")
    assert len(again) == MOST_STATEMENTS_BEFORE_THE_VIEW and not any(s.startswith("UPDATE") for s in again)
    assert key.last_used_at == written

    # a minute later the next request writes it again
    AccessKey.objects.filter(pk=key.pk).update(last_used_at=written - timedelta(seconds=61))
    later, _ = _statements(lambda: call(api, "GET", WHOAMI, ak=key.ak, sk=tenant_a.secret))
    key.refresh_from_db()
    assert any(s.startswith("UPDATE") for s in later)
    assert key.last_used_at > written


# -------------------------------------------------------------------------------------------------
# Nothing is kept between requests
# -------------------------------------------------------------------------------------------------

def _whoami(api, ak, sk):
    return call(api, "GET", WHOAMI, ak=ak, sk=sk)


def _refused(response):
    return (response.status_code, response.json()) == (401, UNAUTHENTICATED)


def test_a_disabled_key_is_refused_on_the_very_next_request_and_an_enabled_one_works_again(api, tenant_a):
    admin = actor_of(tenant_a.admin)
    key, secret = make_access_key(tenant_a.admin.user, partner=tenant_a.partner)
    assert _whoami(api, key.ak, secret).status_code == 200

    services.set_access_key_enabled(admin, key_id=key.pk, enabled=False)
    assert _refused(_whoami(api, key.ak, secret))
    assert _refused(call(api, "POST", QUERY, ak=key.ak, sk=secret, json={}))

    services.set_access_key_enabled(admin, key_id=key.pk, enabled=True)
    assert _whoami(api, key.ak, secret).status_code == 200


def test_a_deleted_key_is_refused_on_the_very_next_request(api, tenant_a):
    key, secret = make_access_key(tenant_a.admin.user, partner=tenant_a.partner)
    assert _whoami(api, key.ak, secret).status_code == 200

    services.delete_access_key(actor_of(tenant_a.admin), key_id=key.pk)

    assert _refused(_whoami(api, key.ak, secret))
    assert _refused(call(api, "POST", QUERY, ak=key.ak, sk=secret, json={}))


def test_a_right_taken_from_a_role_is_gone_on_the_next_request(api, tenant_a):
    key, secret = make_access_key(tenant_a.member.user, partner=tenant_a.partner)  # role: customers.view
    assert call(api, "POST", QUERY, ak=key.ak, sk=secret, json={}).status_code == 200
    assert _whoami(api, key.ak, secret).json()["permissions"] == ["customers.view"]

    services.update_role(actor_of(tenant_a.admin), role_id=tenant_a.role.pk, name=tenant_a.role.name, permissions=[])

    refused = call(api, "POST", QUERY, ak=key.ak, sk=secret, json={})
    assert (refused.status_code, refused.json()["error_code"]) == (403, "CBC.0151")
    assert _whoami(api, key.ak, secret).json()["permissions"] == []

    services.update_role(actor_of(tenant_a.admin), role_id=tenant_a.role.pk, name=tenant_a.role.name,
                         permissions=["customers.view"])
    assert call(api, "POST", QUERY, ak=key.ak, sk=secret, json={}).status_code == 200


def test_a_role_taken_from_a_member_takes_its_rights_on_the_next_request(api, tenant_a):
    key, secret = make_access_key(tenant_a.member.user, partner=tenant_a.partner)
    assert call(api, "POST", QUERY, ak=key.ak, sk=secret, json={}).status_code == 200

    services.set_member_roles(actor_of(tenant_a.admin), member_id=tenant_a.member.pk, role_ids=[])

    refused = call(api, "POST", QUERY, ak=key.ak, sk=secret, json={})
    assert (refused.status_code, refused.json()["error_code"]) == (403, "CBC.0151")
    assert _whoami(api, key.ak, secret).json()["permissions"] == []


def test_a_deactivated_members_key_is_refused_on_the_next_request(api, tenant_a):
    key, secret = make_access_key(tenant_a.member.user, partner=tenant_a.partner)
    assert _whoami(api, key.ak, secret).status_code == 200

    services.update_member(actor_of(tenant_a.admin), member_id=tenant_a.member.pk,
                           display_name=tenant_a.member.display_name, is_active=False)

    assert _refused(_whoami(api, key.ak, secret))
    assert _refused(call(api, "POST", QUERY, ak=key.ak, sk=secret, json={}))


def test_a_key_whose_owner_is_no_longer_a_member_is_refused(api, tenant_a):
    member = MemberFactory(partner=tenant_a.partner, roles=[RoleFactory(partner=tenant_a.partner,
                                                                        permissions=["customers.view"])])
    key, secret = make_access_key(member.user, partner=tenant_a.partner)
    assert _whoami(api, key.ak, secret).status_code == 200

    member.delete()  # the person stays a user, but works for the partner no more

    assert _refused(_whoami(api, key.ak, secret))


def test_a_suspended_partners_keys_are_refused_at_once(api, tenant_a):
    member_key, member_secret = make_access_key(tenant_a.member.user, partner=tenant_a.partner)
    assert _whoami(api, tenant_a.key.ak, tenant_a.secret).status_code == 200
    assert _whoami(api, member_key.ak, member_secret).status_code == 200

    tenant_a.partner.status = "suspended"  # what the platform operator does in the admin
    tenant_a.partner.save(update_fields=["status"])

    assert _refused(_whoami(api, tenant_a.key.ak, tenant_a.secret))
    assert _refused(_whoami(api, member_key.ak, member_secret))
    assert _refused(call(api, "POST", QUERY, ak=tenant_a.key.ak, sk=tenant_a.secret, json={}))

    tenant_a.partner.status = "active"
    tenant_a.partner.save(update_fields=["status"])
    assert _whoami(api, tenant_a.key.ak, tenant_a.secret).status_code == 200
