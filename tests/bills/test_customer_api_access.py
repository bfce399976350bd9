"""Who may call the customer's bill endpoints, and what they cost: the customer's own key only — a partner's
key and the platform's (metering) key are refused with CBC.0151 on every one of them, unsigned calls get 401 —
and each list runs the same statements for a few rows and for a full page."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.choices import Measure

from ..signed import call
from .customer_helpers import OBJECTS, OBS, Shop, fee, package, platform_key, shanghai, usage_point, use

pytestmark = pytest.mark.django_db

DAYS = {"deduct_time_begin": "2026-03-01", "deduct_time_end": "2026-03-31"}
BAND = {"bill_cycle": "2026-03", "service_type_code": "hws.service.type.cdn",
        "resource_type_code": "hws.resource.type.cdn", "usage_type": "95Peak"}
# (method, URL name, query or body) of every endpoint, with its required parameters
ENDPOINTS = [
    ("GET", "cbc-show-customer-monthly-sum", {"bill_cycle": "2026-03"}),
    ("GET", "cbc-list-customer-bills-fee-records", {"bill_cycle": "2026-03"}),
    ("GET", "cbc-list-customerself-resource-records", {"cycle": "2026-03"}),
    ("POST", "cbc-list-customerself-resource-record-details", {"cycle": "2026-03", "statistic_type": 3}),
    ("GET", "cbc-list-resource-usage-summary", BAND),
    ("GET", "cbc-list-resource-usage", {**BAND, "resource_id": "cdn-1"}),
    ("POST", "cbc-list-free-resource-infos", {}),
    ("POST", "cbc-list-free-resource-usages", {"free_resource_ids": ["x"]}),
    ("GET", "cbc-list-free-resources-usage-records", DAYS),
    ("GET", "cbc-list-customer-bills-monthly-break-down", {"shared_month": "2026-03"}),
    ("POST", "cbc-list-costs", {"time_condition": {"time_measure_id": 2, "begin_time": "2026-03",
                                                   "end_time": "2026-03"}}),
]


def send(key, method, name, params, **extra):
    params = {**params, **extra}
    path = reverse(name)
    if method == "GET":
        return call(Client(), method, path, ak=key[0], sk=key[1], query=[(k, str(v)) for k, v in params.items()])
    return call(Client(), method, path, ak=key[0], sk=key[1], json=params)


@pytest.fixture(autouse=True)
def april_2026():
    with time_machine.travel(shanghai("2026-04-15 12:00"), tick=False):
        yield


@pytest.fixture
def shop(db):
    return Shop("e")


def test_only_the_customers_own_key_is_answered(shop):
    customer, partner = (shop.key.ak, shop.secret), (shop.tenant.key.ak, shop.tenant.secret)
    platform = platform_key()
    for method, name, params in ENDPOINTS:
        assert send(customer, method, name, params).status_code == 200, name
        refused = send(partner, method, name, params)
        assert (refused.status_code, refused.json()["error_code"]) == (403, "CBC.0151"), name
        if platform is not None:
            key, secret = platform
            refused = send((key.ak, secret), method, name, params)
            assert (refused.status_code, refused.json()["error_code"]) == (403, "CBC.0151"), name
        unsigned = getattr(Client(), method.lower())(reverse(name))
        assert unsigned.status_code == 401, name


def _grow(shop, n):
    """n more rows of every kind the lists show (fee records, packages and their uses, 95 samples)."""
    start = shanghai("2026-03-02 00:00")
    for i in range(n):
        at = start + timedelta(hours=len(shop.made))
        record = fee(shop.customer, at=at, service=OBS, resource_type=OBJECTS, official="0.10", usage="2",
                     free_usage="1", usage_type="upflow", measure=Measure.GB, resource_id=f"bucket-{len(shop.made)}")
        pack = package(shop.customer, original="100")
        use(pack, record, "1", before="100", at=at)
        usage_point(shop.customer, resource_id=f"cdn-{len(shop.made) % 7}", begin=at, amount="5")
        usage_point(shop.customer, resource_id="cdn-1", begin=at + timedelta(minutes=5), amount="6")
        shop.made.append(record)


def test_every_list_runs_the_same_statements_for_a_few_rows_and_many(shop):
    key = (shop.key.ak, shop.secret)
    shop.made = []
    counts = {}
    for size in (3, 25):
        _grow(shop, size - len(shop.made))
        for method, name, params in ENDPOINTS:
            extra = {"limit": 100} if name != "cbc-list-free-resource-usages" else {
                "free_resource_ids": [p.order_instance_id for p in shop.customer.resource_packages.all()]}
            send(key, method, name, params, **extra)  # warm the process caches (the catalogue's names)
            with CaptureQueriesContext(connection) as queries:
                response = send(key, method, name, params, **extra)
            assert response.status_code == 200, (name, response.content[:200])
            counts.setdefault(name, []).append(len(queries))
    growing = {name: found for name, found in counts.items() if found[0] != found[1]}
    assert not growing, growing
