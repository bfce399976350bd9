"""The partner's pages of consumption and bills: 伙伴账单 (a closed month's bill and the running month, their
breakdowns, charts and Excel export — the same numbers), 客户消费 (filters, exports, the chart, a constant
number of statements per page, customers that left, an account manager's own customers) and a customer's
fee records."""

import re
from decimal import Decimal
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from bills import periods
from bills.choices import BillType
from catalog.choices import ChargeMode
from partnercenter.models import OperationLog

from ..conftest import login_client as _login_client
from ..factories import AssociationFactory
from .partner_helpers import EC2, EVS, OBS, World, close, fee, partner_bill

pytestmark = pytest.mark.django_db

CYCLE = periods.previous_cycle(periods.previous_cycle(periods.current_cycle()))
NOTE = "not your partner bill"


def login_client(user):
    """A signed-in client reading the pages in English (the wording these tests assert)."""
    client = _login_client(user)
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def world(db):
    world = World(CYCLE)
    world.records = world.month()
    return world


def page(client, name, *args, **query):
    response = client.get(reverse(name, args=args), query)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def sheet_rows(response, title=None):
    book = load_workbook(BytesIO(response.content))
    sheet = book[title] if title else book.active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


# -------------------------------------------------------------------------------------------------
# 伙伴账单
# -------------------------------------------------------------------------------------------------

def test_the_partner_bill_of_a_closed_month_shows_its_parts_breakdowns_and_charts(world):
    close(CYCLE)
    partner_bill(world.a, CYCLE, customers=3, consumption_amount="147.50", resale_cash_amount="120.00",
                 coupon_amount="20.00", debt_amount="2.50", recharge_amount="500.00", allocation_amount="120.00",
                 credit_limit="1000.00", credit_used="30.00", amount_due="30.00")
    html = page(login_client(world.finance.user), "bills:partner_bill", cycle=CYCLE)

    assert 'id="closed-notice"' in html and 'id="running-notice"' not in html
    assert "¥147.50" in html and "¥120.00" in html and "¥500.00" in html and "¥30.00" in html
    # the consumption's parts add up to it: 120.00 + 20.00 + 2.50 and 5.00 paid otherwise
    assert "¥5.00" in html.split('data-part="paid_otherwise"')[1].split("</tr>")[0]
    # by service type, from the month's sums: EC2 118.50, EVS 25.00 (30 − 5 refunded), OBS 4.00
    for code, amount in ((EC2, "¥118.50"), (EVS, "¥25.00"), (OBS, "¥4.00")):
        row = html.split(f'data-service-type="{code}"')[1].split("</tr>")[0]
        assert amount in row
    # three charts, each an SVG with its numbers as a table
    assert html.count("<figure class=\"chart\"") == 3 and html.count("class=\"pygal-chart\"") == 3
    assert html.count('class="chart-data"') == 3
    assert "118.50" in html.split("chart-data")[2]  # the service-type chart's table


def test_the_running_month_is_marked_not_closed_and_computed_now(world):
    html = page(login_client(world.admin.user), "bills:partner_bill", cycle=CYCLE)
    assert 'id="running-notice"' in html
    assert html.split('id="total-consumption"')[1].split("</div>")[0].count("¥147.50") == 1
    assert f"{CYCLE} · not closed" in html  # also in the picker


def test_the_partner_bill_defaults_to_the_latest_closed_month(world):
    close(CYCLE)
    partner_bill(world.a, CYCLE, consumption_amount="147.50")
    html = page(login_client(world.admin.user), "bills:partner_bill")
    assert f'<option value="{CYCLE}" selected>' in html


def test_the_partner_bill_export_has_the_pages_numbers(world):
    close(CYCLE)
    partner_bill(world.a, CYCLE, customers=3, consumption_amount="147.50", amount_due="30.00")
    client = login_client(world.admin.user)
    response = client.get(reverse("bills:partner_bill_export"), {"cycle": CYCLE})
    assert response.status_code == 200 and "spreadsheetml" in response["Content-Type"]
    book = load_workbook(BytesIO(response.content))
    assert len(book.sheetnames) == 5
    bill = {row[1]: row[2] for row in book.worksheets[0].iter_rows(min_row=2, values_only=True)}
    assert Decimal(str(bill["Customers' consumption while associated"])) == Decimal("147.50")
    assert Decimal(str(bill["Amount due to repay the credit"])) == Decimal("30.00")
    header, *lines = book.worksheets[1].iter_rows(values_only=True)
    services = {row[0]: Decimal(str(row[header.index("Amount due")])) for row in lines}
    assert services == {"Elastic Cloud Server": Decimal("118.50"), "Elastic Volume Service": Decimal("25.00"),
                        "Object Storage Service": Decimal("4.00")}  # the catalogue's English names
    top = [row[0] for row in book.worksheets[3].iter_rows(min_row=2, values_only=True)]
    assert top == [world.mine.domain_id, world.mover.domain_id, world.theirs.domain_id]
    assert OperationLog.objects.filter(partner=world.a, action="bills.export_partner_bill").count() == 1


def test_the_partner_bill_of_a_quiet_month_is_empty_not_broken(world):
    quiet = periods.previous_cycle(CYCLE)
    close(quiet)
    html = page(login_client(world.admin.user), "bills:partner_bill", cycle=quiet)
    assert "consumed nothing in this billing cycle" in html
    assert "Nothing to show for this period." in html


def test_pages_need_billing_view(world):
    for user in (world.nobody.user, world.customer_user.user):
        client = login_client(user)
        for name in ("bills:partner_bill", "bills:partner_bill_export", "bills:consumption",
                     "bills:consumption_export", "bills:consumption_export_csv"):
            assert client.get(reverse(name)).status_code == 403
        assert client.get(reverse("bills:consumption_records", args=[world.mine.domain_id])).status_code == 403


# -------------------------------------------------------------------------------------------------
# 客户消费
# -------------------------------------------------------------------------------------------------

def rows_of(html) -> list[str]:
    return [part.split('"')[0] for part in html.split('<tr data-customer="')[1:]]


def test_consumption_lists_the_month_per_customer_service_and_mode_with_the_note(world):
    html = page(login_client(world.admin.user), "bills:consumption", cycle=CYCLE)
    assert NOTE in html and 'id="running-notice"' in html
    # mine: EC2 on demand, EVS yearly/monthly; theirs: EC2; mover (until it left): EC2 and OBS
    assert sorted(rows_of(html)) == sorted([world.mine.domain_id] * 2 + [world.theirs.domain_id]
                                           + [world.mover.domain_id] * 2)
    assert world.r_customer.domain_id not in html and "mover-customer" not in html  # masked
    totals = html.split('id="consumption-totals"')[1].split("</tr>")[0]
    assert "¥147.50" in totals
    assert "<svg" in html and 'class="chart-data"' in html


def test_each_consumption_row_adds_up_official_less_discount_less_rounded_off_to_the_amount_due(world):
    html = page(login_client(world.admin.user), "bills:consumption", cycle=CYCLE)
    header = html.split('<table class="table" id="consumption">')[1].split("</thead>")[0]
    assert "Rounded off" in header
    rows = [part.split("</tr>")[0] for part in html.split('<tr data-customer="')[1:]]
    rows.append(html.split('id="consumption-totals"')[1].split("</tr>")[0])
    for row in rows:
        cells = [Decimal(v.replace(",", "")) for v in re.findall(r'<td class="num">[^0-9-]*(-?[0-9][0-9,]*\.[0-9]{2})', row)]
        official, discount, erased, due = cells[-7:-3]
        assert official - discount - erased == due, row


@pytest.mark.parametrize("query, expected", [
    ({"customer": "mine-cust"}, ["mine", "mine"]),
    ({"customer": "我的客户"}, ["mine", "mine"]),
    ({"service_type": OBS}, ["mover"]),
    ({"charging_mode": ChargeMode.PERIOD}, ["mine"]),
    ({"association_type": "1"}, ["theirs"]),
    ({"status": "left"}, ["mover", "mover"]),
    ({"status": "current"}, ["mine", "mine", "theirs"]),
    ({"kind": 2}, ["mine"]),
])
def test_consumption_filters(world, query, expected):
    html = page(login_client(world.admin.user), "bills:consumption", cycle=CYCLE, **query)
    ids = {"mine": world.mine.domain_id, "theirs": world.theirs.domain_id, "mover": world.mover.domain_id}
    assert sorted(rows_of(html)) == sorted(ids[name] for name in expected)


def test_consumption_of_a_closed_month_reads_the_same(world):
    before = page(login_client(world.admin.user), "bills:consumption", cycle=CYCLE)
    close(CYCLE)
    after = page(login_client(world.admin.user), "bills:consumption", cycle=CYCLE)
    assert 'id="running-notice"' not in after
    table = lambda html: html.split('id="consumption"')[1].split("</table>")[0]  # noqa: E731
    assert table(after) == table(before)


def test_an_account_manager_sees_its_own_customers_and_the_distributor_its_reseller_s(world):
    html = page(login_client(world.am2.user), "bills:consumption", cycle=CYCLE)
    assert rows_of(html) == [world.theirs.domain_id]
    d = login_client(world.d_admin.user)
    assert rows_of(page(d, "bills:consumption", cycle=CYCLE)) == []
    html = page(d, "bills:consumption", cycle=CYCLE, indirect_partner_id=world.r.domain_id)
    assert rows_of(html) == [world.r_customer.domain_id] and 'name="indirect_partner_id"' in html
    # someone else's id: nothing
    assert rows_of(page(d, "bills:consumption", cycle=CYCLE, indirect_partner_id=world.a.domain_id)) == []


def test_consumption_exports_have_the_filtered_rows(world):
    client = login_client(world.admin.user)
    response = client.get(reverse("bills:consumption_export"), {"cycle": CYCLE, "service_type": EC2})
    rows = sheet_rows(response)
    assert [row[1] for row in rows[1:]] == sorted([world.mine.domain_id, world.theirs.domain_id, world.mover.domain_id])
    due = rows[0].index("Amount due")
    assert {row[1]: Decimal(str(row[due])) for row in rows[1:]}[world.mine.domain_id] == Decimal("100.00")
    csv = client.get(reverse("bills:consumption_export_csv"), {"cycle": CYCLE, "status": "left"}).content.decode()
    lines = csv.lstrip("\ufeff").strip().splitlines()
    assert len(lines) == 3 and all(world.mover.domain_id in line for line in lines[1:])
    assert OperationLog.objects.filter(action="bills.export_consumption").count() == 2


def _many(world, n):
    for i in range(n):
        customer = AssociationFactory(partner=world.a, association_type="2").customer
        fee(customer, customer.associations.get(), cycle=CYCLE, amount="1.00")
        fee(customer, customer.associations.get(), cycle=CYCLE, amount="2.00", code=EVS, bill_type=BillType.NEW,
            mode=ChargeMode.PERIOD)


def _count(client, name, *args, **query):
    client.get(reverse(name, args=args), query)  # warm: the catalogue's names are read once per process
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse(name, args=args), query).status_code == 200
    return len(queries)


def test_consumption_runs_the_same_statements_for_a_few_rows_and_a_full_page(world):
    client = login_client(world.admin.user)
    few = _count(client, "bills:consumption", cycle=CYCLE)
    _many(world, 12)  # 5 + 24 rows: a full page of 20
    full = _count(client, "bills:consumption", cycle=CYCLE)
    assert few == full
    close(CYCLE)
    assert _count(client, "bills:consumption", cycle=CYCLE) == full
    assert _count(client, "bills:partner_bill", cycle=CYCLE) == _count(client, "bills:partner_bill", cycle=CYCLE)


def test_the_bill_page_runs_the_same_statements_whatever_the_month_holds(world):
    client = login_client(world.admin.user)
    few = _count(client, "bills:partner_bill", cycle=CYCLE)
    _many(world, 12)
    assert _count(client, "bills:partner_bill", cycle=CYCLE) == few


# -------------------------------------------------------------------------------------------------
# A customer's fee records
# -------------------------------------------------------------------------------------------------

def test_a_customers_fee_records_with_their_bill_types(world):
    client = login_client(world.admin.user)
    html = page(client, "bills:consumption_records", world.mine.domain_id, cycle=CYCLE)
    assert html.count("<tr data-record=") == 3 and NOTE in html
    assert '<th class="num">Rounded off</th>' in html              # official − discount − rounded off = due
    assert "Consumption - usage" in html and "Refund - unsubscription" in html and "Consumption - new purchase" in html
    html = page(client, "bills:consumption_records", world.mine.domain_id, cycle=CYCLE, bill_detail_type=4)
    assert html.count("<tr data-record=") == 1
    html = page(client, "bills:consumption_records", world.mine.domain_id, cycle=CYCLE, trade_id="CS2026ORDER1")
    assert html.count("<tr data-record=") == 1
    # the customer that left: its part with A
    html = page(client, "bills:consumption_records", world.mover.domain_id, cycle=CYCLE)
    assert html.count("<tr data-record=") == 2


def test_fee_records_of_someone_else_s_customer_are_not_found(world):
    assert login_client(world.b_admin.user).get(
        reverse("bills:consumption_records", args=[world.mine.domain_id])).status_code == 404
    assert login_client(world.am2.user).get(
        reverse("bills:consumption_records", args=[world.mine.domain_id])).status_code == 404
    assert login_client(world.admin.user).get(
        reverse("bills:consumption_records", args=["made-up"])).status_code == 404
    d = login_client(world.d_admin.user)
    url = reverse("bills:consumption_records", args=[world.r_customer.domain_id])
    assert d.get(url).status_code == 404
    assert d.get(url, {"indirect_partner_id": world.r.domain_id, "cycle": CYCLE}).content.decode().count(
        "<tr data-record=") == 1


def test_fee_record_pages_run_the_same_statements_for_a_few_and_many_records(world):
    client = login_client(world.admin.user)
    few = _count(client, "bills:consumption_records", world.mine.domain_id, cycle=CYCLE)
    for _i in range(25):
        fee(world.mine, world.mine_assoc, cycle=CYCLE, amount="1.00", usage="1")
    assert _count(client, "bills:consumption_records", world.mine.domain_id, cycle=CYCLE) == few
    html = page(client, "bills:consumption_records", world.mine.domain_id, cycle=CYCLE)
    assert html.count("<tr data-record=") == 20
