"""Lists stay flat: every list page, export and list endpoint runs the same number of queries whether it
shows a few rows or many (ARCHITECTURE.md rule 7).

One distributor grows from a few rows of every kind to many more (customers, resources, allocations,
ledger entries, recharges, coupons, quotas passed to resellers, records, members, keys, events, and 拓新's
links, reports, leads and follow-ups, opportunities and their updates, sales tasks and progress, entrustments), and
each list is asked for once before and once after with room for all the rows on one page (API
`limit=100`; pages show their first 20). A list whose query count grows with its rows fails here.

The endpoints are found in the OpenAPI schema (every operation that pages with `limit`, plus the batch
queries named below), the pages in the URL resolver, so a new list is measured without editing this file.
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from billing import services as billing_services
from bills.periods import SHANGHAI, current_cycle
from customers import services as customer_services
from expansion.selectors_tasks import today
from partnercenter import services as org_services
from vouchers import services as voucher_services
from vouchers.models import CouponQuota

from ..billing_helpers import fund
from ..conftest import actor_of, build_tenant, login_client
from ..factories import (
    AssociationFactory, CustomerUserFactory, MemberFactory, PartnerFactory, ResourceFactory, RoleFactory, UserFactory,
    make_access_key,
)
from ..signed import call
from ..trade.order_factories import make_order

pytestmark = pytest.mark.django_db

FEW, MORE = 3, 25

# List endpoints without `limit`: batch queries whose size the caller chooses (by customer ids).
BATCH_ENDPOINTS = {
    "/v2/partners/sub-customers/new-customers-tags/batch-query": lambda ids: {"customer_ids": ids},
    "/v2/accounts/customer-accounts/balances/batch-query": lambda ids: {
        "customer_infos": [{"customer_id": i} for i in ids]},
}
# Required fields of list endpoints that are not ids (the catalogue's specs are listed per service, resource
# type, region and charging mode).
CYCLE = current_cycle()
TODAY = timezone.now().astimezone(SHANGHAI).date().isoformat()
REQUIRED_FIELDS = {
    "/v2/products/resource-specs-query": {"cloud_service_type": "hws.service.type.ec2",
                                          "resource_type": "hws.resource.type.vm", "region_code": "cn-north-4",
                                          "charge_mode": "1"},
    # consumption and bills: the month (its days) the tenant's fee records are in; 95 billing of CDN usage
    **{path: {"bill_cycle": CYCLE} for path in (
        "/v2/bills/customer-bills/monthly-sum", "/v2/bills/customer-bills/fee-records",
        "/v2/bills/subcustomer-bills/res-fee-records/sub-customers/query", "/v2/bills/subcustomer-bills/res-fee-records")},
    **{path: {"cycle": CYCLE} for path in (
        "/v2/bills/customer-bills/res-fee-records", "/v2/bills/customer-bills/res-records/query")},
    "/v2/bills/partner-bills/subcustomer-bills/monthly-sum": {"cycle": CYCLE, "charge_mode": "3"},
    **{path: {"bill_cycle": CYCLE, "service_type_code": "hws.service.type.cdn",
              "resource_type_code": "hws.resource.type.cdn", "usage_type": "95Peak", **extra}
       for path, extra in (("/v2/bills/customer-bills/resources/usage/summary", {}),
                           ("/v2/bills/customer-bills/resources/usage/details", {"resource_id": "cdn-1"}))},
    "/v2/bills/customer-bills/free-resources-usage-records": {"deduct_time_begin": TODAY, "deduct_time_end": TODAY},
    "/v2/costs/cost-analysed-bills/monthly-breakdown": {"shared_month": CYCLE},
    "/v4/costs/cost-analysed-bills/query": {"time_condition": {"time_measure_id": 2, "begin_time": CYCLE,
                                                               "end_time": CYCLE}},
    # incentives: the month whose policies are read (YYYY-MM)
    "/v2/products/incentive-discount-policies": {"time": CYCLE},
}
# Pages that take a URL argument, with how to fill it.
PAGE_ARGS = {
    "customers:resources": lambda t: [{"domain_id": t.resale.domain_id}],
    "customers:detail": lambda t: [{"domain_id": t.resale.domain_id}],
    "bills:consumption_records": lambda t: [{"domain_id": t.resale.domain_id}],
    # 拓新: a lead with its follow-ups, an accepted HO with its updates, a task with its progress, and the
    # reseller whose customers (each with a task) are entrusted to the distributor
    "expansion:lead": lambda t: [{"pk": t.lead.pk}],
    "expansion:opportunity": lambda t: [{"pk": t.ho.pk}],
    "expansion:task": lambda t: [{"pk": t.task.pk}],
    "expansion:entrusted_reseller": lambda t: [{"reseller_id": t.entrusted.domain_id}],
}
# Pages measured again with a query (a search, another tab).
PAGE_QUERIES = {
    "customers:resources": ["mode=period"],
    "customers:list": ["reveal=account&reveal=name"],
    "expansion:directory": ["q=成长企业"],
    "expansion:opportunities": ["origin=PO"],
    "expansion:opportunity_export": ["origin=PO"],
    "expansion:entrusted_reseller": ["tab=tasks"],
}
# Pages that are not lists (or not GET pages), with the reason.
NOT_LISTS = {
    "login", "login_verify", "logout", "set_language", "home", "menu_section", "healthz", "customers:register",
    "send_verification_code", "org:security", "partner_security", "account_security", "fee_center_leave",
}


def _api_operations():
    """(path, method, operation, schema) of every operation in the OpenAPI schema."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            yield path, method.upper(), operation, schema


def _request_fields(operation, schema) -> list[str]:
    """The fields of an operation's JSON body (none for an operation without one)."""
    content = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
    ref = content.get("schema", {}).get("$ref")
    return list(schema["components"]["schemas"][ref.rsplit("/", 1)[1]].get("properties", {})) if ref else []


def _walk(patterns, namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue  # the platform operator's admin
            yield from _walk(entry.url_patterns, f"{namespace}{entry.namespace}:" if entry.namespace else namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry


def page_patterns():
    """(name, pattern) of every named URL, namespaces included."""
    return list(_walk(get_resolver().url_patterns))


class Distributor:
    """A distributor whose every list grows with `grow(n)`."""

    def __init__(self):
        t = build_tenant("q", partner_type="distributor")
        self.__dict__.update(t.__dict__)
        self.actor = actor_of(self.admin)
        fund(self.partner, "100000.00")
        now = timezone.now()
        self.quota = CouponQuota.objects.create(partner=self.partner, quota_type=0, quota_value=100000,
                                                balance=100000, effective_time=now - timedelta(days=1),
                                                expire_time=now + timedelta(days=300))
        self.customer_user = CustomerUserFactory(customer=self.resale)
        self.customer_key, self.customer_secret = make_access_key(self.customer_user.user)
        self.customers = []
        # an order of the resale customer with a few lines (GET …/customer-orders/details/{order_id} pages them)
        self.order = make_order(self.resale, partner=self.partner,
                                lines=(("server", "36.00", "3.60"), ("disk", "40.00", "4.00")) * 2)
        self._expansion()

    def _expansion(self):
        """拓新: a lead, an accepted HO and a sales task that gain follow-ups, updates and progress as the
        distributor grows, and a cloud reseller that entrusted its customers to it."""
        from expansion import leads, opportunities, tasks_sales

        self.operator = actor_of(UserFactory(username="ops-q", is_staff=True))
        self.lead = leads.create_lead(self.actor, company_name="lead-q")
        self.ho = opportunities.share_opportunity(self.operator, partner=self.partner, name="ho-q", customer_name="q")
        opportunities.accept(self.actor, opportunity=self.ho)
        self.task = tasks_sales.assign_task(self.operator, partner=self.partner, customer=self.resale, kind="renewal",
                                            title="task-q", due_date=today())
        self.entrusted = PartnerFactory(partner_type="reseller", distributor=self.partner)
        self._entrust(self.entrusted)

    def _entrust(self, reseller):
        from expansion import tasks_entrustment

        admin = MemberFactory(partner=reseller, roles=[RoleFactory(partner=reseller, is_administrator=True)])
        tasks_entrustment.entrust(actor_of(admin), consent=True)

    def _grow_expansion(self, customer, manager, reseller):
        """One more of every 拓新 row: a link, a reported enterprise, a lead (and a follow-up of the first), an HO,
        a PO (and an update of the first HO), a task (and progress on the first), an entrusting reseller, and a
        customer of the first one with a task."""
        from expansion import directory_reports, invitations, leads, opportunities, opportunities_updates, tasks_sales
        from expansion.demo_directory import credit_code
        from expansion.models import Enterprise

        n = len(self.customers)
        invitations.create_link(self.actor, name=f"link-{n}", association_type="1",
                                valid_until=today() + timedelta(days=30))
        enterprise = Enterprise.objects.create(name=f"成长企业{n:03d}有限公司", credit_code=credit_code("330106", n))
        directory_reports.report_enterprise(self.actor, enterprise_id=enterprise.pk, contact_name="q", note="q")
        lead = leads.create_lead(self.actor, company_name=f"lead-{n}", owner=manager)
        leads.add_follow_up(self.actor, lead=lead, method="visit", note="q")
        leads.add_follow_up(self.actor, lead=self.lead, method="visit", note=f"q-{n}")
        opportunities.share_opportunity(self.operator, partner=self.partner, name=f"ho-{n}", customer_name="q",
                                        customer=customer)
        opportunities.register_opportunity(self.actor, name=f"po-{n}", customer_name="q", customer=customer)
        opportunities_updates.update_opportunity(self.actor, opportunity=self.ho, note=f"q-{n}")
        task = tasks_sales.assign_task(self.operator, partner=self.partner, customer=customer, kind="renewal",
                                       title=f"task-{n}", due_date=today())
        tasks_sales.record_progress(self.actor, task=task, note="q")
        tasks_sales.record_progress(self.actor, task=self.task, note=f"q-{n}")
        self._entrust(reseller)
        theirs = AssociationFactory(partner=self.entrusted, association_type="2").customer
        tasks_sales.assign_task(self.operator, partner=self.entrusted, customer=theirs, kind="follow_up",
                                title=f"reseller-task-{n}", due_date=today())

    def grow(self, n):
        for _ in range(n):
            manager = MemberFactory(partner=self.partner, supervisor=self.admin)
            make_access_key(manager.user, partner=self.partner)
            customer = AssociationFactory(partner=self.partner, association_type="2", account_manager=manager,
                                          label="重点").customer
            self.customers.append(customer)
            make_order(customer, partner=self.partner, status=5, paid_by=self.partner if len(self.customers) % 2 else None)
            make_order(self.resale, partner=self.partner, lines=(("server", "36.00", "3.60"), ("disk", "40.00", "4.00")))
            ResourceFactory(customer=self.resale)
            ResourceFactory(customer=self.resale, charging_mode="period", status=2)
            billing_services.allocate_to_customer(self.actor, customer_id=customer.domain_id, amount="1.00")
            billing_services.record_remittance(self.actor, amount="1.00", reference="R", remitter="r")
            voucher_services.issue_coupons(self.actor, quota_id=self.quota.quota_id, face_value="1.00",
                                           customer_ids=[customer.domain_id, self.resale.domain_id], remark="q")
            reseller = PartnerFactory(partner_type="reseller", distributor=self.partner)
            billing_services.allocate_to_reseller(self.actor, indirect_partner_id=reseller.domain_id, amount="1.00")
            voucher_services.issue_quota_to_resellers(self.actor, quota_id=self.quota.quota_id, quota_amount="1.00",
                                                      indirect_partner_ids=[reseller.domain_id])
            customer_services.request_type_switch(self.actor, customer_id=customer.domain_id, reason="q")
            org_services.create_role(self.actor, name=f"role-{customer.domain_id[:8]}", permissions=["customers.view"])
            self._grow_expansion(customer, manager, reseller)


@pytest.fixture
def distributor(db):
    return Distributor()


def _count(send) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as queries:
        response = send()
    return len(queries), response


def _list_endpoints():
    for path, method, operation, schema in _api_operations():
        fields = _request_fields(operation, schema) + [p["name"] for p in operation.get("parameters", [])]
        if "limit" in fields or path in BATCH_ENDPOINTS:
            yield path, method, operation


def _api_body(t, path, method):
    body = {"limit": 100} if path not in BATCH_ENDPOINTS else BATCH_ENDPOINTS[path](
        [c.domain_id for c in t.customers][:100])
    if "resources/query" in path or path == "/v2/bills/subcustomer-bills/res-fee-records":
        body["customer_id"] = t.resale.domain_id  # a partner names the customer whose resources or fees it lists
    body.update(REQUIRED_FIELDS.get(path, {}))
    if method == "GET":
        return {}, [(k, str(v)) for k, v in body.items()]
    return body, ()


def _call_all_endpoints(t, api):
    # Once-a-minute work (a key's last use is written at most once a minute), for both kinds of key.
    call(api, "POST", "/v2/partners/sub-customers/query", ak=t.key.ak, sk=t.secret, json={})
    call(api, "GET", "/v2/accounts/customer-accounts/balances", ak=t.customer_key.ak, sk=t.customer_secret)
    counts = {}
    for path, method, operation in _list_endpoints():
        body, query = _api_body(t, path, method)
        path = path.replace("{order_id}", t.order.order_id)  # a path parameter
        for ak, sk in ((t.key.ak, t.secret), (t.customer_key.ak, t.customer_secret)):
            n, response = _count(lambda: call(api, method, path, ak=ak, sk=sk, json=body if method != "GET" else None,
                                              query=query))
            if response.status_code != 403:  # 403: an endpoint for the other kind of key
                break
        assert response.status_code == 200, f"{method} {path}: {response.status_code} {response.content[:300]}"
        counts[f"{method} {path}"] = n
    return counts


def _list_pages(t):
    for name, pattern in page_patterns():
        if name in NOT_LISTS or name.startswith(("api", "schema")) or name.endswith("api_docs"):
            continue
        route = str(pattern.pattern)
        if route.startswith(("v2/", "v3/", "v4/", "v1/")):
            continue
        if pattern.pattern.converters:
            for kwargs in PAGE_ARGS.get(name, lambda t: [])(t):
                yield name, reverse(name, kwargs=kwargs)
        else:
            yield name, reverse(name)


def _get_all_pages(t, member, customer):
    counts = {}
    for name, url in _list_pages(t):
        client = customer if name.startswith("fee_center") else member
        urls = [url, *(f"{url}?{query}" for query in PAGE_QUERIES.get(name, ()))]
        if name == "billing:allocate":
            urls = [url + "?" + "&".join(f"customer={c.domain_id}" for c in t.customers)]
        for one in urls:
            n, response = _count(lambda: client.get(one))
            if response.status_code in (403, 404, 405):
                continue  # not a page this member opens (e.g. a POST-only action)
            assert response.status_code in (200, 302), f"{one}: {response.status_code}"
            counts[one.split("?customer=")[0]] = n
    return counts


def test_every_list_endpoint_runs_the_same_queries_for_few_and_many_rows(distributor):
    api = Client()
    distributor.grow(FEW)
    few = _call_all_endpoints(distributor, api)
    distributor.grow(MORE - FEW)
    many = _call_all_endpoints(distributor, api)
    assert len(few) >= 10, sorted(few)
    growing = {name: (few[name], many[name]) for name in few if many[name] != few[name]}
    assert not growing, f"queries grow with the rows (few, many): {growing}"


def test_every_list_page_and_export_runs_the_same_queries_for_few_and_many_rows(distributor):
    member, customer = login_client(distributor.admin.user), login_client(distributor.customer_user.user)
    distributor.grow(FEW)
    _get_all_pages(distributor, member, customer)  # warm the process caches (the catalogue's names) first
    few = _get_all_pages(distributor, member, customer)
    distributor.grow(MORE - FEW)
    many = _get_all_pages(distributor, member, customer)
    assert len(few) >= 15, sorted(few)
    growing = {name: (few[name], many[name]) for name in few if many.get(name) != few[name]}
    assert not growing, f"queries grow with the rows (few, many): {growing}"
