"""Tenants never meet: partner B, with its own session and keys, probes every URL of the project
with partner A's ids and gets "not found"; list pages and endpoints show none of A's rows.

The probe enumerates the URL resolver and the OpenAPI schema, so a new page or endpoint is covered
without editing this file — or makes it fail until its id parameters are described in PAGE_IDS /
API_IDS below (or exempted with a reason).
"""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from drf_spectacular.generators import SchemaGenerator

from partnercenter.choices import AccessKeyStatus, InvitationStatus
from partnercenter.models import AccessKey, EmailCodeDevice, Invitation, Role

from ..conftest import build_tenant, login_client
from ..factories import AssociationFactory, CustomerUserFactory, PartnerFactory, ResourceFactory, make_access_key
from ..signed import call

pytestmark = pytest.mark.django_db


# How to fill each page's URL parameters with tenant A's objects.
PAGE_IDS = {
    "member_detail": lambda a: [{"pk": a.admin.pk}, {"pk": a.member.pk}],
    "revoke_invitation": lambda a: [{"pk": a.invitation.pk}],
    "role_edit": lambda a: [{"pk": a.role.pk}],
    "role_delete": lambda a: [{"pk": a.role.pk}],
    "credential_action": lambda a: [{"pk": a.key.pk, "action": action} for action in ("enable", "disable", "delete")],
    "device_remove": lambda a: [{"persistent_id": a.device.persistent_id}],
    "customers:detail": lambda a: [{"domain_id": a.resale.domain_id}, {"domain_id": a.referral.domain_id}],
    "customers:manager": lambda a: [{"domain_id": a.resale.domain_id}],
    "customers:resources": lambda a: [{"domain_id": a.resale.domain_id}],
    "customers:request": lambda a: [{"domain_id": a.resale.domain_id, "action": action}
                                    for action in ("disassociate", "switch-type", "ops")],
    "customers:event_decide": lambda a: [{"pk": event.pk, "decision": decision} for event in a.events
                                         for decision in ("approve", "reject", "cancel")],
    "customers:ops_revoke": lambda a: [{"pk": a.ops.pk}],
    "reseller_manager": lambda a: [{"domain_id": a.reseller.domain_id}],
    "fee_center_decide": lambda a: [{"pk": event.pk, "decision": decision} for event in a.events
                                    for decision in ("approve", "reject", "cancel")],
    "fee_center_ops": lambda a: [{"pk": a.ops.pk, "decision": decision} for decision in ("agree", "cancel")],
    "billing:sandbox_pay": lambda a: [{"trans_id": a.recharge.trans_id}],
    "billing:reclaim": lambda a: [{"domain_id": a.resale.domain_id}, {"domain_id": a.referral.domain_id}],
    "billing:reseller_funds": lambda a: [{"domain_id": a.reseller.domain_id, "action": action}
                                         for action in ("allocate", "reclaim")],
    "vouchers:issue": lambda a: [{"quota_id": a.quota.quota_id}, {"quota_id": a.child_quota_id}],
}
# Parameters that are not a tenant's object id.
EXEMPT = {
    "accept_invitation": "the token is the secret; tested in test_invitations",
    "section": "a section name, not an object",
    "set_language": "no object",
}
# Request fields of the CBC API that carry an id, filled with tenant A's.
API_IDS = {
    "customer_id": lambda a: a.resale.domain_id,
    "indirect_partner_id": lambda a: a.reseller.domain_id,
    "order_id": lambda a: a.period_resource.order_id,
    "customer_ids": lambda a: [a.resale.domain_id, a.referral.domain_id],
    "resource_ids": lambda a: [a.period_resource.resource_id],
    "customer_infos": lambda a: [{"customer_id": a.resale.domain_id}],  # a list of objects carrying ids
    "quota_id": lambda a: a.quota.quota_id,
    "quota_ids": lambda a: [a.quota.quota_id],
    "parent_quota_id": lambda a: a.quota.quota_id,
    "coupon_id": lambda a: a.coupon_id,
    "coupon_ids": lambda a: [a.coupon_id],
    "indirect_partner_ids": lambda a: [a.reseller.domain_id],
    "source_id": lambda a: a.partner.domain_id,
}


def _walk(patterns, namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            if entry.namespace == "admin":
                continue  # the platform operator's admin: staff only, no partner data scoping
            yield from _walk(entry.url_patterns, ns)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry


def _text_of(response) -> str:
    """What a person would read in the response: the page, or every cell of an Excel export."""
    if "spreadsheetml" in response.get("Content-Type", ""):
        from io import BytesIO

        from openpyxl import load_workbook

        book = load_workbook(BytesIO(response.content))
        return " ".join(str(cell) for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row)
    return response.content.decode()


def page_patterns():
    return list(_walk(get_resolver().url_patterns))


def _tenant(tag):
    t = build_tenant(tag, partner_type="distributor")
    t.reseller = PartnerFactory(partner_type="reseller", distributor=t.partner, account_name=f"reseller-{tag}")
    t.device = EmailCodeDevice.objects.create(user=t.admin.user, name="mail", email=f"{tag}@example.com", confirmed=True)
    from partnercenter import services
    from ..conftest import actor_of

    t.invitation, _token = services.invite_member(actor_of(t.admin), email=f"new-{tag}@example.com", display_name="New")
    t.customer_user = CustomerUserFactory(customer=t.resale, user__username=f"{tag}.customer")
    from customers import services as customer_services

    other = AssociationFactory(partner=t.partner, association_type="2").customer
    t.events = [
        customer_services.request_disassociation(actor_of(t.admin), customer_id=t.resale.domain_id, reason="probe"),
        customer_services.customer_request_disassociation(actor_of(CustomerUserFactory(customer=other).user), reason="x"),
    ]
    t.ops = customer_services.request_ops_authorization(actor_of(t.admin), customer_id=other.domain_id, reason="probe")
    from vouchers import services as voucher_services
    from vouchers.models import CouponQuota

    now = timezone.now()
    t.quota = CouponQuota.objects.create(partner=t.partner, quota_type=0, quota_value=100, balance=100,
                                         effective_time=now - timedelta(days=1), expire_time=now + timedelta(days=30))
    t.coupon_id = voucher_services.issue_coupons(actor_of(t.admin), quota_id=t.quota.quota_id, face_value="5.00",
                                                 customer_ids=[t.resale.domain_id], remark="probe")[0][0]["coupon_id"]
    t.child_quota_id = voucher_services.issue_quota_to_resellers(
        actor_of(t.admin), quota_id=t.quota.quota_id, quota_amount="10.00",
        indirect_partner_ids=[t.reseller.domain_id])[0][0]["quota_id"]
    t.period_resource = ResourceFactory(customer=t.resale, charging_mode="period", status=2, order_id=f"CS{tag}0001")
    ResourceFactory(customer=t.resale, charging_mode="on_demand", status=1)
    t.customer_key, t.customer_secret = make_access_key(t.customer_user.user)
    from billing import services as billing_services
    from ..billing_helpers import fund

    fund(t.partner, "100.00")
    t.allocation = billing_services.allocate_to_customer(actor_of(t.admin), customer_id=t.resale.domain_id, amount="10.00")
    billing_services.allocate_to_reseller(actor_of(t.admin), indirect_partner_id=t.reseller.domain_id, amount="10.00")
    t.recharge = billing_services.start_online_recharge(actor_of(t.admin), amount="7.00")  # pending, sandbox
    t.markers = [
        t.partner.domain_id, t.partner.account_name, t.resale.domain_id, t.referral.domain_id, t.resale.domain_name,
        t.key.ak, t.customer_key.ak, t.reseller.domain_id, t.role.name, t.admin.user.username, t.invitation.email,
        t.period_resource.resource_id, t.recharge.trans_id, t.recharge.reference, t.allocation.trans_id,
        t.quota.quota_id, t.coupon_id, t.child_quota_id,
    ]
    return t


@pytest.fixture
def a(db):
    return _tenant("aaa")


@pytest.fixture
def b(db):
    return _tenant("bbb")


def _snapshot(a):
    from billing.models import Adjustment, CustomerAccount, PartnerAccount, Recharge
    from customers.models import Association, AssociationEvent, OpsAuthorization

    return {
        "events": sorted(AssociationEvent.objects.filter(partner=a.partner).values_list("pk", "status")),
        "associations": sorted(Association.objects.filter(partner=a.partner).values_list("pk", "ended_on",
                                                                                          "account_manager")),
        "ops": list(OpsAuthorization.objects.filter(partner=a.partner).values_list("status", flat=True)),
        "reseller_manager": a.reseller.__class__.objects.get(pk=a.reseller.pk).reseller_account_manager_id,
        "role": list(Role.objects.filter(pk=a.role.pk).values_list("name", "permissions")),
        "key": list(AccessKey.objects.filter(pk=a.key.pk).values_list("status", flat=True)),
        "invitation": list(Invitation.objects.filter(pk=a.invitation.pk).values_list("status", flat=True)),
        "device": EmailCodeDevice.objects.filter(pk=a.device.pk).exists(),
        "roles_of_admin": sorted(a.admin.roles.values_list("pk", flat=True)),
        "partner_accounts": sorted(PartnerAccount.objects.filter(partner__in=[a.partner, a.reseller]).values_list(
            "partner_id", "cash_balance", "credit_limit", "allocated_amount")),
        "customer_accounts": sorted(CustomerAccount.objects.filter(customer__in=[a.resale, a.referral]).values_list(
            "customer_id", "balance")),
        "recharges": sorted(Recharge.objects.filter(partner=a.partner).values_list("pk", "status")),
        "adjustments": Adjustment.objects.filter(partner=a.partner).count(),
    }


def test_every_page_with_an_id_is_not_found_for_another_partner(a, b):
    before = _snapshot(a)
    member, customer = login_client(b.admin.user), login_client(b.customer_user.user)
    uncovered = []
    probed = 0
    for name, pattern in page_patterns():
        if not pattern.pattern.converters or name in EXEMPT or name.startswith(("api", "schema")):
            continue
        if name not in PAGE_IDS:
            uncovered.append(name)
            continue
        for kwargs in PAGE_IDS[name](a):
            url = reverse(name, kwargs=kwargs)
            bogus = reverse(name, kwargs={k: ("999999" if k in ("pk", "persistent_id", "domain_id") else v)
                                          for k, v in kwargs.items()})
            for method in ("get", "post"):
                for who, client in (("member", member), ("customer", customer)):
                    # Not found — unless the page as a whole is closed to this kind of user (403) or
                    # method (405), answered exactly as for an id that does not exist: nothing leaks.
                    closed = getattr(client, method)(bogus).status_code
                    expected = closed if closed in (403, 405) else 404
                    response = getattr(client, method)(url)
                    assert response.status_code == expected, f"{who}: {method.upper()} {url} gave {response.status_code}"
                probed += 1
    assert not uncovered, f"URL patterns with ids but no cross-tenant probe: {uncovered}"
    assert probed >= 2 * 8
    assert _snapshot(a) == before
    assert a.key.status == AccessKeyStatus.ACTIVE and a.invitation.status == InvitationStatus.PENDING


def test_list_pages_show_none_of_another_partners_rows(a, b):
    clients = [login_client(b.admin.user), login_client(b.customer_user.user)]
    seen = 0
    for name, pattern in page_patterns():
        if pattern.pattern.converters or name in EXEMPT or name in ("logout", "send_verification_code"):
            continue
        if name in ("schema", "api_docs") or pattern.pattern.regex.pattern.startswith(("^v2", "^v3", "v2", "v3")):
            continue
        for client in clients:
            response = client.get(reverse(name), follow=True)
            body = _text_of(response)
            leaked = [marker for marker in a.markers if marker in body]
            assert not leaked, f"{name} shows partner A's {leaked}"
            seen += 1
    assert seen >= 20


def _api_operations():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            yield path, method.upper(), operation, schema


# Fields named like ids that name no tenant's object.
API_NOT_TENANT_IDS = {
    "xaccount_id": "the caller's own platform id for a customer it registers",
    "product_ids": "catalogue product ids a coupon is limited to",
}

# Values for required request fields that are not ids, so a probe passes validation and reaches the lookup.
REQUIRED_VALUES = {
    "receiver_type": lambda n: 1,
    "mobile_phone": lambda n: f"139{n:08d}",
    "search_type": lambda n: "name",
    "search_value": lambda n: f"probe-name-{n}",
    "xaccount_id": lambda n: f"probe-{n}",
    "xaccount_type": lambda n: "probe_platform",
    "amount": lambda n: "1.00",
    "face_value": lambda n: "1.00",
    "quota_amount": lambda n: "1.00",
}


def _request_component(operation, schema):
    content = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
    ref = content.get("schema", {}).get("$ref")
    return schema["components"]["schemas"][ref.rsplit("/", 1)[1]] if ref else {}


def _request_fields(operation, schema):
    return list(_request_component(operation, schema).get("properties", {}))


def test_every_api_operation_with_an_id_is_not_found_or_empty_for_another_partner(a, b):
    api = Client()
    operations = list(_api_operations())
    assert operations, "the schema lists no operations"
    uncovered = []
    counter = iter(range(10**6))
    for path, method, operation, schema in operations:
        component = _request_component(operation, schema)
        id_fields = [f for f in _request_fields(operation, schema)
                     if (f.endswith(("_id", "_ids")) or f in API_IDS) and f not in API_NOT_TENANT_IDS]
        required = [f for f in component.get("required", []) if f not in id_fields]
        uncovered += [f"{method} {path} {f}" for f in required if f not in REQUIRED_VALUES]
        uncovered += [f"{method} {path} {f}" for f in id_fields if f not in API_IDS]
        required_ids = {f: API_IDS[f](a) for f in component.get("required", []) if f in id_fields and f in API_IDS}
        bodies = [{}] + [{**required_ids, f: API_IDS[f](a)} for f in id_fields if f in API_IDS]
        all_ids = {f: API_IDS[f](a) for f in id_fields if f in API_IDS}
        for body in bodies + ([all_ids] if all_ids else []):
            n = next(counter)
            body = {**{f: REQUIRED_VALUES[f](n) for f in required if f in REQUIRED_VALUES}, **body}
            response = call(api, method, path, ak=b.key.ak, sk=b.secret, json=body)
            text = response.content.decode()
            # With every id of A in it, the request must reach the lookup: found nothing, or not found.
            allowed = (200, 204, 404) if all_ids and set(all_ids) <= set(body) else (200, 204, 400, 404)
            if response.status_code == 403:  # an endpoint for the other kind of key: refused whatever the ids
                assert response.json()["error_code"] == "CBC.0151"
            else:
                assert response.status_code in allowed, f"{method} {path} {body}: {response.status_code} {text}"
            sent = json.dumps(body)  # a per-item error may echo an id the caller sent: that tells it nothing
            leaked = [marker for marker in a.markers if marker in text and marker not in sent]
            assert not leaked, f"{method} {path} {body} leaks {leaked}"
            if response.status_code == 404:
                assert response.json()["error_code"] == "CBC.0156"
    assert not uncovered, f"API id fields without a cross-tenant probe: {uncovered}"


def test_customer_keys_see_nothing_of_partners(a, b):
    api = Client()
    for path, method, _operation, _schema in _api_operations():
        response = call(api, method, path, ak=b.customer_key.ak, sk=b.customer_secret, json={})
        assert response.status_code in (200, 400, 403, 404)
        assert not [m for m in a.markers if m in response.content.decode()]
