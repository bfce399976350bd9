"""激励管理 › 激励明细 and 业绩管理: the lines of a period filtered by 计费模式, customer, service type, association type
and incentive, their totals, the Excel and CSV exports; the last 12 periods' performance and incentives as SVG
charts with the same numbers as a table. An account manager with incentives.view reads its team's customers'
lines only; another partner's lines never show."""

import csv
import io
import re
from decimal import Decimal

import pytest
import time_machine
from openpyxl import load_workbook

from catalog.choices import ChargeMode
from incentives import statements
from incentives.choices import PolicyCode
from partnercenter.models import OperationLog

from ..bills.partner_helpers import EC2, EVS
from ..conftest import actor_of, build_tenant, login_client
from .statements_fixtures import line, make_statement, member_with, operator, s_world, shanghai_at

pytestmark = pytest.mark.django_db

D = Decimal
DETAILS = "/incentives/details/"
PERFORMANCE = "/incentives/performance/"


@pytest.fixture(autouse=True)
def april_2026():
    """Pages offer the 18 months before the running one: run the tests in April 2026 (INC_CYCLE is March)."""
    with time_machine.travel(shanghai_at(2026, 4, 15, 10, 0), tick=True):
        yield


@pytest.fixture
def world(tenant_a):
    w = s_world(tenant_a, other=build_tenant("b"))
    w.february = make_statement(w.partner, w.ref_policy, cycle="2026-02", amount="0.60", performance="20.00", lines=[
        line(w.referral, EC2, ChargeMode.ON_DEMAND, PolicyCode.NON_SPECIFIC, "20.00", "20.00", "0.0300", "0.60")])
    return w


def lines_of(body) -> list[str]:
    return re.findall(r'data-detail="(\d+)"', body)


def customers_of(body) -> list[str]:
    return re.findall(r'data-customer="([^"]+)"', body)


def test_the_page_opens_on_the_latest_period_with_its_lines_and_totals(world, admin_client_a):
    body = admin_client_a.get(DETAILS).content.decode()
    assert len(lines_of(body)) == 3
    assert sorted(customers_of(body)) == sorted([world.referral.customer.domain_id] + [world.resale.customer.domain_id] * 2)
    totals = re.search(r'<tr id="detail-totals">.*?</tr>', body, re.S).group(0)
    assert all(amount in totals for amount in ("1,150.00", "1,140.00", "46.70")), totals
    assert 'value="2026-03" selected' in body
    assert 'id="details-note"' in body and 'href="/incentives/policies/"' in body
    assert world.other.referral.domain_id not in body
    assert len(lines_of(admin_client_a.get(DETAILS, {"cycle": "all"}).content.decode())) == 4
    assert len(lines_of(admin_client_a.get(DETAILS, {"cycle": "2026-02"}).content.decode())) == 1


@pytest.mark.parametrize("query, expected", [
    ({"charging_mode": "1"}, ["resale"]),
    ({"charging_mode": "3"}, ["referral", "resale"]),
    ({"service_type": EVS}, ["resale"]),
    ({"association_type": "1"}, ["referral"]),
    ({"kind": "first_order"}, []),
    ({"kind": "base", "association_type": "2", "charging_mode": "3"}, ["resale"]),
])
def test_the_filters(world, admin_client_a, query, expected):
    body = admin_client_a.get(DETAILS, query).content.decode()
    wanted = {"referral": world.referral.customer.domain_id, "resale": world.resale.customer.domain_id}
    assert sorted(customers_of(body)) == sorted(wanted[name] for name in expected)
    if not expected:
        assert 'id="no-details"' in body and 'id="detail-totals"' not in body


def test_the_incentive_filter_offers_only_the_incentives_that_have_detail_lines(world, admin_client_a):
    response = admin_client_a.get(DETAILS)
    offered = [value for value, _label in response.context["form"].fields["kind"].choices if value]
    assert offered == ["base", "first_order"]                        # no 阶梯激励: it has no detail lines


def test_the_customer_filter_takes_an_account_id_or_a_part_of_the_name(world, admin_client_a):
    customer = world.referral.customer
    for value in (customer.domain_id, customer.domain_name.upper(), customer.real_name):
        body = admin_client_a.get(DETAILS, {"customer": value, "cycle": "all"}).content.decode()
        assert set(customers_of(body)) == {customer.domain_id}, value
    body = admin_client_a.get(DETAILS, {"customer": world.other.referral.domain_id}).content.decode()
    assert customers_of(body) == []


@pytest.mark.parametrize("query", [{"cycle": "2019-01"}, {"charging_mode": "7"}, {"service_type": "nope"},
                                   {"association_type": "x"}, {"kind": "x"}, {"customer": "x" * 65},
                                   {"page": "999"}])
def test_a_bad_filter_is_no_500(world, admin_client_a, query):
    response = admin_client_a.get(DETAILS, query)
    assert response.status_code == 200
    assert admin_client_a.get("/incentives/details/export.csv", query).status_code == 200


def test_an_account_manager_granted_incentives_reads_its_teams_customers_only(world):
    manager = member_with(world.tenant, ["customers.view", "incentives.view"], "a.sales")
    world.referral.account_manager = manager
    world.referral.save(update_fields=["account_manager"])
    client = login_client(manager.user)
    body = client.get(DETAILS, {"cycle": "all"}).content.decode()
    assert set(customers_of(body)) == {world.referral.customer.domain_id} and 'id="team-scope"' in body
    statement = client.get(f"/incentives/statements/{world.resale_base.pk}/").content.decode()
    assert lines_of(statement) == []  # the partner's statement, none of the other manager's customers
    csv_rows = list(csv.reader(io.StringIO(client.get("/incentives/details/export.csv", {"cycle": "all"})
                                           .content.decode("utf-8-sig"))))
    assert {row[1] for row in csv_rows[1:]} == {world.referral.customer.domain_id}


def test_the_exports_hold_the_filtered_lines_and_are_logged(world, admin_client_a):
    response = admin_client_a.get("/incentives/details/export.xlsx", {"association_type": "2"})
    assert response["Content-Disposition"].startswith('attachment; filename="incentive-details-2026-03-')
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 3
    by_service = {row[4]: row for row in rows[1:]}
    evs = by_service[world.resale_base.details.get(service_type__code=EVS).service_type.display_name]
    assert (evs[0], evs[1], evs[8], D(str(evs[10])), evs[11], D(str(evs[12]))) == (
        "2026-03", world.resale.customer.domain_id, 1, D("50.00"), "8.00%", D("4.00"))

    text = admin_client_a.get("/incentives/details/export.csv").content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert len(rows) == 4 and sorted(row[12] for row in rows[1:]) == ["2.70", "4.00", "40.00"]
    logs = OperationLog.objects.filter(action="incentives.export_details", partner=world.partner).order_by("id")
    assert [log.detail["count"] for log in logs] == [2, 3]
    assert logs[0].detail["filters"] == {"association_type": "2"}


@pytest.mark.parametrize("count", [1, 30])
def test_the_details_page_runs_a_constant_number_of_queries(world, admin_client_a, django_assert_max_num_queries,
                                                            count):
    for n in range(count):
        make_statement(world.partner, world.ref_policy, cycle=f"{2023 + n // 12}-{n % 12 + 1:02d}", amount="1.00",
                       performance="10.00", lines=[line(world.referral, EC2, ChargeMode.ON_DEMAND,
                                                        PolicyCode.NON_SPECIFIC, "10", "10", "0.1000", "1.00")])
    for url in (DETAILS, DETAILS + "?cycle=all", DETAILS + "?cycle=all&charging_mode=3&customer=a&kind=base",
                "/incentives/details/export.xlsx?cycle=all", PERFORMANCE):
        with django_assert_max_num_queries(12):
            assert admin_client_a.get(url).status_code == 200, url


# ---------------------------------------------------------------------------------------------
# 业绩管理
# ---------------------------------------------------------------------------------------------

def test_performance_shows_twelve_periods_their_charts_and_the_numbers(world, admin_client_a):
    statements.confirm(actor_of(world.tenant.admin), statement=world.ref_base.pk)
    statements.finalise(actor_of(operator()), statement=world.ref_base.pk)
    body = admin_client_a.get(PERFORMANCE).content.decode()
    cycles = re.findall(r'<tr data-cycle="([0-9-]+)"', body)
    assert cycles[0] == "2026-03" and cycles[-1] == "2025-04" and len(cycles) == 12
    march = re.search(r'<tr data-cycle="2026-03">.*?</tr>', body, re.S).group(0)
    cells = re.findall(r'<td class="num[^"]*">([^<]*)</td>', march)
    # performance, base, tier, first order, total, final
    assert cells == ["¥1,140.00", "¥46.70", "¥10.50", "¥0.00", "¥57.20", "¥2.70"], cells
    february = re.search(r'<tr data-cycle="2026-02">.*?</tr>', body, re.S).group(0)
    assert "¥20.00" in february and "¥0.60" in february
    assert body.count('<div class="chart-svg"><svg') == 2 and body.count('class="chart-data"') == 2
    assert "script" not in re.search(r'<div class="charts">.*?</div>\s*<div class="table-wrap">', body, re.S).group(0)
    totals = re.search(r'<tr id="performance-totals">.*?</tr>', body, re.S).group(0)
    assert "¥1,160.00" in totals and "¥57.80" in totals
    assert "¥300.00" not in body  # partner B's performance


def test_performance_ends_with_the_chosen_period_and_ignores_a_bad_one(world, admin_client_a):
    body = admin_client_a.get(PERFORMANCE, {"cycle": "2026-02"}).content.decode()
    cycles = re.findall(r'<tr data-cycle="([0-9-]+)"', body)
    assert cycles[0] == "2026-02" and "2026-03" not in cycles
    for bad in ("2099-01", "x", "2026-3"):
        body = admin_client_a.get(PERFORMANCE, {"cycle": bad}).content.decode()
        assert re.findall(r'<tr data-cycle="([0-9-]+)"', body)[0] == "2026-03"


def test_performance_of_a_partner_without_incentives_is_an_empty_state(tenant_b):
    body = login_client(tenant_b.admin.user).get(PERFORMANCE).content.decode()
    assert body.count('class="empty"') == 2 and 'class="chart-svg"' not in body
    assert len(re.findall(r'<tr data-cycle=', body)) == 12
