"""The platform access key: an operator creates it in the admin for a staff user, sees its SK once, and may
disable it there (it stops at once). It acts as ActorKind.PLATFORM: the ingestion endpoint admits it and
nothing else — every partner and customer endpoint refuses it with a CBC-shaped 401/403, never a 500 —
and the ingestion endpoint refuses partner and customer keys. Authentication still costs one statement."""

import re

import pytest
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone
from rest_framework.views import APIView

from bills.models import UsageRecord
from partnercenter import secretbox
from partnercenter.actors import actor_for_access_key
from partnercenter.choices import ActorKind
from partnercenter.models import AccessKey

from ..bills.ingest_helpers import PLATFORM_DOMAIN_ID, USAGE, platform_key, record, send, usage_world
from ..conftest import login_client
from ..factories import MemberFactory, UserFactory
from ..signed import call

pytestmark = pytest.mark.django_db

REFUSED = {401: "APIGW.0301", 403: "CBC.0151"}


@pytest.fixture
def world():
    return usage_world()


@pytest.fixture
def operator():
    return login_client(UserFactory(username="ops", is_staff=True, is_superuser=True))


# -------------------------------------------------------------------------------------------------
# Who may call what
# -------------------------------------------------------------------------------------------------

def test_partner_and_customer_keys_are_refused_by_the_ingestion_endpoint(world):
    api = Client()
    body = {"records": [record(world.customer)]}
    partner = call(api, "POST", USAGE, ak=world.tenant.key.ak, sk=world.tenant.secret, json=body,
                   domain_id=world.tenant.partner.domain_id)
    customer = call(api, "POST", USAGE, ak=world.customer_key.ak, sk=world.customer_secret, json=body,
                    domain_id=world.customer.domain_id)
    unsigned = api.post(USAGE, body, content_type="application/json")
    # refused before the body is read: a malformed one gets the same answer
    malformed = call(api, "POST", USAGE, ak=world.tenant.key.ak, sk=world.tenant.secret, json={"records": []})

    assert (malformed.status_code, malformed.json()["error_code"]) == (403, "CBC.0151")
    assert (partner.status_code, partner.json()["error_code"]) == (403, "CBC.0151")
    assert (customer.status_code, customer.json()["error_code"]) == (403, "CBC.0151")
    assert (unsigned.status_code, unsigned.json()["error_code"]) == (401, "APIGW.0301")
    assert not UsageRecord.objects.exists()


def _api_views(patterns=None, prefix=""):
    """(path, view class) of every DRF view of the URLconf (path parameters filled with a made-up id): read from
    the resolver, so an endpoint left out of the schema is covered too."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _api_views(entry.url_patterns, route)
            continue
        view_class = getattr(entry.callback, "cls", None)
        if view_class is not None and issubclass(view_class, APIView) \
                and not view_class.__module__.startswith("drf_spectacular"):
            yield "/" + re.sub(r"<[^>]+>", "x0000000000000000", route).lstrip("^").rstrip("$"), view_class


def _operations():
    for path, view_class in _api_views():
        for method in ("get", "post", "put", "patch", "delete"):
            if hasattr(view_class, method):
                yield path, method.upper()


# What a platform key may call: usage ingestion, dispatching a lead (expansion.leads) and sharing an HO
# opportunity (expansion.opportunities) with a partner.
PLATFORM_OPERATIONS = {(USAGE, "POST"), ("/v1/leads", "POST"), ("/v1/opportunities", "POST")}


def test_the_platform_key_is_refused_by_every_other_endpoint(world):
    api, checked = Client(), 0
    for path, method in _operations():
        if (path, method) in PLATFORM_OPERATIONS:
            continue
        response = call(api, method, path, ak=world.key.ak, sk=world.secret, domain_id=PLATFORM_DOMAIN_ID,
                        json={} if method != "GET" else None)
        assert response.status_code in REFUSED, f"{method} {path}: {response.status_code} {response.content[:200]}"
        assert response.json()["error_code"] == REFUSED[response.status_code], f"{method} {path}"
        checked += 1
    assert checked >= 40


def test_the_platform_key_reaches_no_partner_or_customer_data(world):
    api = Client()
    customers = call(api, "POST", "/v2/partners/sub-customers/query", ak=world.key.ak, sk=world.secret, json={},
                     domain_id=PLATFORM_DOMAIN_ID)
    whoami = call(api, "GET", "/v1/whoami", ak=world.key.ak, sk=world.secret, domain_id=PLATFORM_DOMAIN_ID)

    assert (customers.status_code, customers.json()["error_code"]) == (403, "CBC.0151")
    assert (whoami.status_code, whoami.json()["error_code"]) == (403, "CBC.0151")
    assert world.customer.domain_id not in customers.content.decode()


def test_the_platform_key_must_name_the_platform_as_its_domain(world):
    api = Client()
    other = send(api, world.key, world.secret, {"records": [record(world.customer)]},
                 domain_id=world.tenant.partner.domain_id)
    none = send(api, world.key, world.secret, {"records": [record(world.customer, "no-domain")]}, domain_id=None)

    assert (other.status_code, other.json()["error_code"]) == (401, "APIGW.0301")
    assert none.status_code == 200 and none.json()["accepted"] == 1


def test_a_disabled_platform_key_stops_at_once(world):
    api = Client()
    assert send(api, world.key, world.secret, {"records": [record(world.customer, "one")]}).status_code == 200

    AccessKey.objects.filter(pk=world.key.pk).update(status="disabled")
    refused = send(api, world.key, world.secret, {"records": [record(world.customer, "two")]})

    assert (refused.status_code, refused.json()["error_code"]) == (401, "APIGW.0301")
    assert set(UsageRecord.objects.values_list("record_id", flat=True)) == {"one"}


@pytest.mark.parametrize("change", ["not staff", "deactivated", "became a member"])
def test_a_platform_key_whose_owner_is_no_operator_is_refused(world, change):
    user = world.key.user
    if change == "not staff":
        user.is_staff = False
        user.save()
    elif change == "deactivated":
        user.is_active = False
        user.save()
    else:
        MemberFactory(user=user, partner=world.tenant.partner)

    refused = send(Client(), world.key, world.secret, {"records": [record(world.customer)]})

    assert (refused.status_code, refused.json()["error_code"]) == (401, "APIGW.0301")


def test_a_platform_key_acts_as_the_platform():
    key, _secret = platform_key()
    actor = actor_for_access_key(AccessKey.objects.select_related("user").get(pk=key.pk))

    assert (actor.kind, actor.is_platform, actor.is_partner, actor.is_customer) == (ActorKind.PLATFORM, True, False, False)
    assert (actor.partner, actor.customer, actor.domain_id) == (None, None, PLATFORM_DOMAIN_ID)


def test_a_platform_key_cannot_belong_to_a_partner(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        AccessKey.objects.filter(pk=world.tenant.key.pk).update(is_platform=True)


def test_a_platform_keys_signed_call_costs_one_statement_before_the_view(world):
    api = Client()
    AccessKey.objects.filter(pk=world.key.pk).update(last_used_at=timezone.now())
    connection.ensure_connection()
    with CaptureQueriesContext(connection) as queries:
        response = call(api, "GET", "/v1/whoami", ak=world.key.ak, sk=world.secret, domain_id=PLATFORM_DOMAIN_ID)

    assert response.status_code == 403
    assert len(queries) == 1, [q["sql"] for q in queries.captured_queries]


# -------------------------------------------------------------------------------------------------
# The operator's admin
# -------------------------------------------------------------------------------------------------

def test_an_operator_creates_a_platform_key_and_sees_its_secret_once(world, operator):
    owner = UserFactory(username="metering", is_staff=True)
    add = reverse("admin:partnercenter_platformaccesskey_add")

    response = operator.post(add, {"user": owner.pk, "description": "metering feed"})

    assert response.status_code == 200, response.content[:500]
    key = AccessKey.objects.get(user=owner)
    page = response.content.decode()
    secret = re.search(r'id="platform-key-sk">([A-Za-z0-9]{40})<', page).group(1)
    assert (key.is_platform, key.partner, key.description, key.status) == (True, None, "metering feed", "active")
    assert key.ak in page and secretbox.decrypt(key.sk_encrypted) == secret and secret not in key.sk_encrypted
    assert "no-store" in response["Cache-Control"]
    # the key works at once, and its SK is never shown again
    assert send(Client(), key, secret, {"records": [record(world.customer, "via-admin")]}).json()["accepted"] == 1
    change = operator.get(reverse("admin:partnercenter_platformaccesskey_change", args=[key.pk])).content.decode()
    listing = operator.get(reverse("admin:partnercenter_platformaccesskey_changelist")).content.decode()
    assert key.ak in listing and secret not in change and secret not in listing


def test_only_an_operator_who_is_nobodys_member_may_own_a_platform_key(world, operator):
    add = reverse("admin:partnercenter_platformaccesskey_add")
    for owner in (UserFactory(username="not-staff"), world.tenant.admin.user, world.customer_user.user):
        response = operator.post(add, {"user": owner.pk, "description": ""})
        assert response.status_code == 200 and "errornote" in response.content.decode()
        assert not AccessKey.objects.filter(user=owner, is_platform=True).exists()


def test_disabling_a_platform_key_in_the_admin_stops_it_at_once(world, operator):
    change = reverse("admin:partnercenter_platformaccesskey_change", args=[world.key.pk])
    assert send(Client(), world.key, world.secret, {"records": [record(world.customer, "before")]}).status_code == 200

    response = operator.post(change, {"description": "", "status": "disabled"})

    assert response.status_code == 302
    refused = send(Client(), world.key, world.secret, {"records": [record(world.customer, "after")]})
    assert (refused.status_code, refused.json()["error_code"]) == (401, "APIGW.0301")


def test_the_platform_key_list_shows_only_platform_keys(world, operator):
    listing = operator.get(reverse("admin:partnercenter_platformaccesskey_changelist")).content.decode()

    assert world.key.ak in listing and world.tenant.key.ak not in listing and world.customer_key.ak not in listing
