"""Regressions found by the review of issue 14 (each was a 500 before its fix): months outside 2000–2998, days
far in the past or future, and integer filter values too large for a number are CBC.0100, never a 500."""

import pytest
from django.test import Client

from ..signed import call
from .customer_helpers import Shop

pytestmark = pytest.mark.django_db

CDN = [("service_type_code", "hws.service.type.cdn"), ("resource_type_code", "hws.resource.type.cdn"),
       ("usage_type", "95Peak")]
ODD = [
    ("GET", "/v2/bills/customer-bills/fee-records",
     [("bill_cycle", "9999-12"), ("bill_date_begin", "9999-12-01"), ("bill_date_end", "9999-12-02")], None),
    ("GET", "/v2/bills/customer-bills/res-fee-records",
     [("cycle", "9999-12"), ("bill_date_begin", "9999-12-01"), ("bill_date_end", "9999-12-02")], None),
    ("GET", "/v2/bills/customer-bills/monthly-sum", [("bill_cycle", "0000-01")], None),
    ("GET", "/v2/bills/customer-bills/resources/usage/summary", [("bill_cycle", "9999-12"), *CDN], None),
    ("GET", "/v2/bills/customer-bills/resources/usage/summary", [("bill_cycle", "0000-12"), *CDN], None),
    ("POST", "/v2/bills/customer-bills/res-records/query", (), {
        "cycle": "9999-12", "query_type": "DAILY", "statistic_type": 3, "bill_cycle_begin": "9999-12-01",
        "bill_cycle_end": "9999-12-02"}),
    *[("POST", "/v4/costs/cost-analysed-bills/query", (), {"time_condition": {
        "time_measure_id": measure, "begin_time": when, "end_time": when}})
      for measure, when in ((1, "9999-12-31"), (1, "0001-01-01"), (2, "9999-12"), (2, "0000-01"))],
    ("POST", "/v4/costs/cost-analysed-bills/query", (), {
        "time_condition": {"time_measure_id": 1, "begin_time": "2026-11-01", "end_time": "2026-11-02"},
        "filters": [{"operator": 0, "filter_factor": {"key": "CHARGING_MODE", "value": ["9" * 23]}}]}),
]


@pytest.mark.parametrize("method, path, query, body", ODD)
def test_odd_months_dates_and_numbers_are_a_parameter_error(method, path, query, body):
    shop = Shop()
    response = call(Client(raise_request_exception=False), method, path, ak=shop.key.ak, sk=shop.secret,
                    query=query, json=body, domain_id=shop.customer.domain_id)
    assert response.status_code == 400, response.content
    assert response.json()["error_code"] == "CBC.0100"
