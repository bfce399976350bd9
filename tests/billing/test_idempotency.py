"""X-Idempotency-Key replays come after authorization and only to the access key that made them
(issue 9, hole 6)."""

from decimal import Decimal

import pytest
from django.test import Client

from billing.models import Adjustment, IdempotencyKey
from partnercenter.models import Role

from ..billing_helpers import fund
from ..factories import MemberFactory, RoleFactory, make_access_key
from ..signed import call

pytestmark = pytest.mark.django_db

ALLOCATE = "/v2/accounts/partner-accounts/adjust-amount"


def key_of_member(tenant, *rights):
    role = RoleFactory(partner=tenant.partner, permissions=list(rights))
    member = MemberFactory(partner=tenant.partner, roles=[role])
    key, secret = make_access_key(member.user, partner=tenant.partner)
    return key, secret, role


def allocate(key, secret, body, idempotency_key="order-42"):
    return call(Client(), "POST", ALLOCATE, ak=key.ak, sk=secret, json=body,
                extra={"X-Idempotency-Key": idempotency_key})


@pytest.fixture
def body(tenant_a):
    fund(tenant_a.partner, "100.00")
    return {"customer_id": tenant_a.resale.domain_id, "amount": "5.00"}


def test_a_key_without_the_right_gets_its_own_refusal_not_the_stored_response(tenant_a, body):
    first = allocate(tenant_a.key, tenant_a.secret, body)
    manager_key, manager_secret, _role = key_of_member(tenant_a, "customers.view")

    replay = allocate(manager_key, manager_secret, body)

    assert first.status_code == 200
    assert (replay.status_code, replay.json()["error_code"]) == (403, "CBC.0151")
    assert "Idempotent-Replayed" not in replay
    assert first.json()["transfer_id"] not in replay.content.decode()


def test_another_key_of_the_same_partner_has_its_own_keys(tenant_a, body):
    first = allocate(tenant_a.key, tenant_a.secret, body)
    finance_key, finance_secret, _role = key_of_member(tenant_a, "customers.view", "customers.view_all",
                                                        "funds.allocate")

    other = allocate(finance_key, finance_secret, body)
    again = allocate(finance_key, finance_secret, body)

    assert other.status_code == 200 and "Idempotent-Replayed" not in other
    assert other.json()["transfer_id"] != first.json()["transfer_id"]
    assert again.json() == other.json() and again["Idempotent-Replayed"] == "true"
    assert Adjustment.objects.count() == 2
    assert IdempotencyKey.objects.filter(key="order-42").count() == 2


def test_a_key_that_lost_the_right_is_refused_even_its_own_replay(tenant_a, body):
    key, secret, role = key_of_member(tenant_a, "customers.view", "customers.view_all", "funds.allocate")
    first = allocate(key, secret, body)
    Role.objects.filter(pk=role.pk).update(permissions=["customers.view", "customers.view_all"])

    replay = allocate(key, secret, body)

    assert first.status_code == 200
    assert (replay.status_code, replay.json()["error_code"]) == (403, "CBC.0151")
    assert Adjustment.objects.count() == 1
    assert tenant_a.resale.account.balance == Decimal("5.00")


def test_a_key_longer_than_it_can_be_stored_is_refused_never_cut(tenant_a, body):
    """Cut to 128 characters, two orders sharing a long prefix became one: the second was 'replayed'."""
    prefix = "P" * 128
    first = allocate(tenant_a.key, tenant_a.secret, body, idempotency_key=prefix + "-order-1")
    second = allocate(tenant_a.key, tenant_a.secret, body, idempotency_key=prefix + "-order-2")
    exact = allocate(tenant_a.key, tenant_a.secret, body, idempotency_key=prefix)

    assert [(r.status_code, r.json().get("error_code")) for r in (first, second)] == [(400, "CBC.0100")] * 2
    assert exact.status_code == 200 and "Idempotent-Replayed" not in exact
    assert Adjustment.objects.count() == 1 and IdempotencyKey.objects.count() == 1
