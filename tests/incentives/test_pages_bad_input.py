"""Regression tests from the review of the partner pages: bad input on the policies page and the details export."""
import pytest
import time_machine
from django.urls import reverse

from tests.conftest import build_tenant, login_client
from tests.incentives.statements_fixtures import s_world, shanghai_at

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def april_2026():
    with time_machine.travel(shanghai_at(2026, 4, 15, 10, 0), tick=True):
        yield


def test_policies_page_year_zero_is_not_a_500(tenant_a):
    client = login_client(tenant_a.admin.user)
    client.raise_request_exception = False
    response = client.get(reverse("incentives:policies"), {"month": "0000-01"})
    assert response.status_code == 400


def test_details_export_with_newline_in_cycle_is_not_a_500(tenant_a):
    s_world(tenant_a, other=build_tenant("b"))
    client = login_client(tenant_a.admin.user)
    client.raise_request_exception = False
    for name in ("incentives:details_export_csv", "incentives:details_export"):
        response = client.get(reverse(name), {"cycle": "2026-03\r\nX-Injected: 1"})
        assert response.status_code in (200, 400), (name, response.status_code)
        assert "X-Injected" not in response.get("Content-Disposition", "")


def test_details_export_with_bad_cycle_name_is_not_echoed(tenant_a):
    s_world(tenant_a, other=build_tenant("b"))
    client = login_client(tenant_a.admin.user)
    response = client.get(reverse("incentives:details_export_csv"), {"cycle": 'x";evil'})
    assert 'evil' not in response.get("Content-Disposition", ""), response["Content-Disposition"]
