"""Function-level authorization of the CBC API (issue 9, hole 5): every endpoint declares the right its
page needs, the gateway checks it before the view body runs, and a view that declares nothing is
refused. A distributor's member reads a cloud reseller's customers, balances and resources only with
the same rights as for its own (customers.view, billing.view …) besides resellers.view."""

import pytest
from django.test import Client, RequestFactory
from django.urls import resolve
from rest_framework.response import Response
from rest_framework.views import APIView

from bills.api.ingest_views import IsPlatform
from catalog.api.urls import PUBLIC as CATALOGUE_ENDPOINTS
from partnercenter.api.permissions import IsCustomer, required_rights
from partnercenter.permissions import ALL_CODES

from ..billing_helpers import fund
from ..conftest import build_tenant
from ..factories import AssociationFactory, MemberFactory, PartnerFactory, ResourceFactory, RoleFactory, make_access_key
from ..signed import call, signed_headers
from .test_cross_tenant import _api_operations, page_patterns

pytestmark = pytest.mark.django_db

METHODS = ("get", "post", "put", "patch", "delete")


def api_views():
    """(url name, view class) of every DRF view in the URLconf except the schema's own."""
    for name, pattern in page_patterns():
        view_class = getattr(pattern.callback, "cls", None)
        if view_class is not None and issubclass(view_class, APIView) \
                and not view_class.__module__.startswith("drf_spectacular"):
            yield name, view_class


# Endpoints any valid key may call whatever its owner's rights: they show the caller only itself, or the
# product catalogue (public reference data, the same for every tenant).
ANY_VALID_KEY = {"cbc-whoami", *CATALOGUE_ENDPOINTS}


def test_every_api_view_declares_the_right_it_needs():
    views = list(api_views())
    assert len(views) >= 25
    undeclared, unknown, open_to_partners = [], [], []
    for name, view_class in views:
        view = view_class()
        for method in (m.upper() for m in METHODS if hasattr(view_class, m)):
            rights = required_rights(view, method)
            if rights is None:
                undeclared.append(f"{method} {name}")
            elif not rights and view_class.permission_classes not in ([IsCustomer], [IsPlatform]) and name not in ANY_VALID_KEY:
                open_to_partners.append(f"{method} {name}")
            unknown += [f"{method} {name}: {code}" for code in rights or () if code not in ALL_CODES]
    assert not undeclared, f"API views without required_permission: {undeclared}"
    assert not unknown, f"required_permission names no right of the catalogue: {unknown}"
    assert not open_to_partners, f"required_permission = None is only for customer-key endpoints: {open_to_partners}"


class Undeclared(APIView):
    """A new endpoint whose author forgot `required_permission`."""

    def post(self, request):
        return Response({"ran": True})


def test_a_view_that_declares_no_right_is_refused_even_to_an_administrator(tenant_a):
    path = "/v2/partners/forgotten"
    headers = signed_headers("POST", path, ak=tenant_a.key.ak, sk=tenant_a.secret, body=b"{}")
    meta = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items() if name != "Content-Type"}
    request = RequestFactory().generic("POST", path, data=b"{}", content_type="application/json", **meta)

    response = Undeclared.as_view()(request)

    assert (response.status_code, response.data["error_code"]) == (403, "CBC.0151")


@pytest.fixture
def distributor(db):
    t = build_tenant("dist", partner_type="distributor")
    t.reseller = PartnerFactory(partner_type="reseller", distributor=t.partner)
    t.reseller_customer = AssociationFactory(partner=t.reseller, association_type="2").customer
    ResourceFactory(customer=t.reseller_customer, charging_mode="on_demand")
    fund(t.reseller, "30.00")
    fund(t.partner, "100.00")
    return t


def key_with(tenant, *rights):
    """A key of a new member of `tenant` holding exactly these rights."""
    member = MemberFactory(partner=tenant.partner, roles=[RoleFactory(partner=tenant.partner, permissions=list(rights))])
    return make_access_key(member.user, partner=tenant.partner)


def test_each_endpoint_refuses_a_key_without_its_right_and_admits_one_with_it(distributor):
    api, checked = Client(), 0
    for path, method, _operation, _schema in _api_operations():
        rights = required_rights(resolve(path).func.cls(), method)
        if not rights:
            continue  # a customer-key endpoint
        checked += 1
        others = sorted(ALL_CODES - set(rights))
        key, secret = key_with(distributor, *others)
        refused = call(api, method, path, ak=key.ak, sk=secret, json={})
        assert (refused.status_code, refused.json()["error_code"]) == (403, "CBC.0151"), f"{method} {path}"
        key, secret = key_with(distributor, rights[0])
        admitted = call(api, method, path, ak=key.ak, sk=secret, json={})
        assert admitted.status_code != 403, f"{method} {path} with {rights[0]}: {admitted.content}"
    assert checked >= 20


BALANCES = "/v2/accounts/partner-accounts/balances"
BATCH = "/v2/accounts/customer-accounts/balances/batch-query"


def test_an_account_managers_key_reads_neither_the_partners_cash_nor_customer_balances(tenant_a):
    """The hole: an account manager's key (customers.view only) read the partner's balances."""
    fund(tenant_a.partner, "100.00")
    key, secret = key_with(tenant_a, "customers.view")
    api = Client()

    cash = call(api, "GET", BALANCES, ak=key.ak, sk=secret)
    balances = call(api, "POST", BATCH, ak=key.ak, sk=secret,
                    json={"customer_infos": [{"customer_id": tenant_a.resale.domain_id}]})

    assert (cash.status_code, cash.json()["error_code"]) == (403, "CBC.0151")
    assert (balances.status_code, balances.json()["error_code"]) == (403, "CBC.0151")
    assert "100.00" not in cash.content.decode()


def test_a_finance_key_reads_them(tenant_a):
    fund(tenant_a.partner, "100.00")
    key, secret = key_with(tenant_a, "billing.view")
    response = call(Client(), "GET", BALANCES, ak=key.ak, sk=secret)
    assert response.status_code == 200
    assert {b["account_type"]: b["amount"] for b in response.json()["account_balances"]}[1] == 100.0


def test_an_allocating_key_reads_only_the_allocatable_balance_as_the_allocation_pages_show(tenant_a):
    fund(tenant_a.partner, "100.00", credit_limit="30.00")
    key, secret = key_with(tenant_a, "funds.allocate")
    response = call(Client(), "GET", BALANCES, ak=key.ak, sk=secret)
    assert response.status_code == 200
    assert {b["account_type"]: b["amount"] for b in response.json()["account_balances"]} == {8: 130.0}


READS_OF_A_RESELLER = [
    ("POST", "/v2/partners/sub-customers/query", lambda d: {"indirect_partner_id": d.reseller.domain_id}),
    ("POST", "/v2/partners/sub-customers/on-demand-resources/query",
     lambda d: {"indirect_partner_id": d.reseller.domain_id, "customer_id": d.reseller_customer.domain_id}),
    ("POST", "/v2/partners/sub-customers/new-customers-tags/batch-query",
     lambda d: {"indirect_partner_id": d.reseller.domain_id, "customer_ids": [d.reseller_customer.domain_id]}),
    ("POST", BATCH, lambda d: {"indirect_partner_id": d.reseller.domain_id,
                               "customer_infos": [{"customer_id": d.reseller_customer.domain_id}]}),
    ("GET", BALANCES, lambda d: {"indirect_partner_id": d.reseller.domain_id}),
    ("GET", "/v3/accounts/partner-accounts/adjust-records", lambda d: {"indirect_partner_id": d.reseller.domain_id}),
    ("POST", "/v2/partners/coupon-quotas/query", lambda d: {"indirect_partner_id": d.reseller.domain_id}),
    ("GET", "/v2/orders/customer-orders", lambda d: {"indirect_partner_id": d.reseller.domain_id}),
]


@pytest.mark.parametrize("method,path,params", READS_OF_A_RESELLER, ids=[p for _m, p, _b in READS_OF_A_RESELLER])
def test_resellers_view_alone_reads_nothing_of_a_resellers_book(distributor, method, path, params):
    """The hole: a member holding only resellers.view read its resellers' customers, balances, resources."""
    key, secret = key_with(distributor, "resellers.view")
    data = params(distributor)
    kwargs = {"query": list(data.items())} if method == "GET" else {"json": data}

    response = call(Client(), method, path, ak=key.ak, sk=secret, **kwargs)

    assert (response.status_code, response.json()["error_code"]) == (403, "CBC.0151"), response.content
    text = response.content.decode()
    assert distributor.reseller_customer.domain_id not in text and distributor.reseller_customer.domain_name not in text


def test_a_resellers_customers_need_customers_view_as_well(distributor):
    api = Client()
    body = {"indirect_partner_id": distributor.reseller.domain_id}
    key, secret = key_with(distributor, "resellers.view", "customers.view")
    seen = call(api, "POST", "/v2/partners/sub-customers/query", ak=key.ak, sk=secret, json=body)
    key, secret = key_with(distributor, "resellers.view", "billing.view")
    cash = call(api, "GET", BALANCES, ak=key.ak, sk=secret, query=list(body.items()))

    assert [c["customer_id"] for c in seen.json()["customer_infos"]] == [distributor.reseller_customer.domain_id]
    assert {b["account_type"]: b["amount"] for b in cash.json()["account_balances"]}[1] == 30.0
