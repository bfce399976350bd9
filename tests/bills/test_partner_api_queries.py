"""The partner's bill endpoints run the same statements for a few rows and a full page (ARCHITECTURE rule 7),
for an open month (fee records) and a closed one (monthly sums)."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bills import periods
from bills.choices import BillType
from catalog.choices import ChargeMode

from ..factories import AssociationFactory
from ..signed import call
from .partner_helpers import EVS, World, close, fee

pytestmark = pytest.mark.django_db

CYCLE = periods.previous_cycle(periods.previous_cycle(periods.current_cycle()))


def _grow(world, n):
    for _i in range(n):
        association = AssociationFactory(partner=world.a, association_type="2", account_manager=world.am)
        fee(association.customer, association, cycle=CYCLE, amount="1.00")
        fee(association.customer, association, cycle=CYCLE, amount="2.00", code=EVS, mode=ChargeMode.PERIOD,
            bill_type=BillType.NEW)
        fee(world.mine, world.mine_assoc, cycle=CYCLE, amount="0.50", usage="1")


def _counts(world, key) -> dict:
    key_row, secret = world.keys[key]
    api = Client()
    requests = {
        "sub-customers": ("POST", "/v2/bills/subcustomer-bills/res-fee-records/sub-customers/query", (),
                          {"bill_cycle": CYCLE, "limit": 100}),
        "monthly-sum": ("GET", "/v2/bills/partner-bills/subcustomer-bills/monthly-sum",
                        [("cycle", CYCLE), ("charge_mode", "3"), ("limit", "100")], None),
        "res-fee-records": ("GET", "/v2/bills/subcustomer-bills/res-fee-records",
                            [("bill_cycle", CYCLE), ("customer_id", world.mine.domain_id), ("limit", "100")], None),
    }
    counts = {}
    for name, (method, path, query, body) in requests.items():
        call(api, method, path, ak=key_row.ak, sk=secret, query=query, json=body)  # warm the process caches
        with CaptureQueriesContext(connection) as queries:
            response = call(api, method, path, ak=key_row.ak, sk=secret, query=query, json=body)
        assert response.status_code == 200, response.content
        counts[name] = (len(queries), len(response.json().get("fee_records") or response.json().get("bill_sums")
                                            or response.json().get("sub_customers")))
    return counts


@pytest.mark.parametrize("key", ["admin", "am"])
def test_the_endpoints_run_the_same_statements_for_few_and_many_rows(key):
    world = World(CYCLE)
    world.month()
    few = _counts(world, key)
    _grow(world, 30)
    many = _counts(world, key)
    assert {name: n for name, (n, _rows) in few.items()} == {name: n for name, (n, _rows) in many.items()}
    assert all(many[name][1] > few[name][1] for name in many)
    close(CYCLE)
    closed = _counts(world, key)
    assert {name: n for name, (n, _rows) in closed.items()} == {name: n for name, (n, _rows) in many.items()}
