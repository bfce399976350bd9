"""费用中心 ▸ 账单 / 资源包 / 余额 in the browser's terms (Django's test client, the customer's user signed in):
the month's sum and trend chart, the fee records, resource records and usage details with their filters,
pages and exports, the packages and their uses, the spendable figure (here and on the overview). Another
customer's fee record or package is not found; the lists run the same statements whatever a page holds."""

import csv
from datetime import timedelta
from decimal import Decimal
from io import BytesIO, StringIO

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from billing.models import CustomerAccount
from bills.choices import BillType
from bills.models import UsageRecord, new_record_id
from bills.periods import current_cycle
from catalog.choices import ChargeMode, Measure
from partnercenter.models import OperationLog
from vouchers.models import Coupon, CouponQuota

from ..conftest import login_client
from .customer_helpers import EVS, OBJECTS, OBS, VOLUME, Shop, close, fee, package, shanghai, use

pytestmark = pytest.mark.django_db

CYCLE = "2026-03"
BILLS = reverse("fee_center_bills")
FEES = reverse("fee_center_bills_fee_records")
RESOURCES = reverse("fee_center_bills_resources")
USAGE = reverse("fee_center_bills_usage")
PACKAGES = reverse("fee_center_bills_packages")
BALANCE = reverse("fee_center_bills_balance")


@pytest.fixture
def shop(db):
    shop = Shop("e")
    a = shop.association
    shop.hours = [fee(shop.customer, at=shanghai(f"2026-03-02 {h:02d}:00"), association=a, official="0.22",
                      discount="0.02", resource_id="vm-1", resource_name="web") for h in (10, 11)]
    shop.disk = fee(shop.customer, at=shanghai("2026-03-05 08:00"), association=a, service=EVS, resource_type=VOLUME,
                    official="0.06", erase="0.01", coupon="0.03", resource_id="disk-1", debt="0.01",
                    resource_name="=HYPERLINK(\"http://x\")")
    shop.yearly = fee(shop.customer, at=shanghai("2026-03-10 09:30"), association=a, bill_type=BillType.NEW,
                      mode=ChargeMode.PERIOD, official="737.00", discount="73.70", flexi="100.00",
                      expire=shanghai("2027-03-10 09:30"), resource_id="vm-2", trade_id="CS-YEARLY")
    shop.usage = UsageRecord.objects.create(
        record_id=new_record_id(), customer=shop.customer, resource_id="vm-1", service_type_code="hws.service.type.ec2",
        resource_type_code="hws.resource.type.vm", usage_type_code="Duration", region_code="cn-north-4",
        usage_amount=Decimal("1"), usage_measure_id=Measure.HOUR, begin_time=shanghai("2026-03-02 10:00"),
        end_time=shanghai("2026-03-02 11:00"), source=3)
    type(shop.hours[0]).objects.filter(pk=shop.hours[0].pk).update(usage_record=shop.usage)
    shop.other = Shop("f")
    shop.foreign = fee(shop.other.customer, at=shanghai("2026-03-03 10:00"), official="9.99", resource_id="vm-x")
    shop.client = login_client(shop.user)
    return shop


def body(response) -> str:
    return response.content.decode()


def rows(response, attribute) -> list[str]:
    """The values of `data-<attribute>` of the rows on the page, in order."""
    import re

    return re.findall(rf'data-{attribute}="([^"]*)"', body(response))


# -------------------------------------------------------------------------------------------------
# 账单: the month, the trend
# -------------------------------------------------------------------------------------------------

def test_the_months_sum_its_breakdown_and_the_trend_chart(shop):
    response = shop.client.get(BILLS, {"cycle": CYCLE})

    assert response.status_code == 200
    page = body(response)
    assert response.context["sums"].totals["consume_amount"] == Decimal("663.75")
    assert response.context["sums"].totals["coupons"] == Decimal("100.03")
    assert [(r["service_type__code"], r["charging_mode"], r["kind"], r["consume_amount"])
            for r in response.context["rows"]] == [
        ("hws.service.type.ec2", 1, 1, Decimal("663.30")), ("hws.service.type.ec2", 3, 1, Decimal("0.40")),
        (EVS, 3, 1, Decimal("0.05"))]
    assert "¥663.75" in page and "9.99" not in page
    chart = response.context["chart"]
    assert chart.labels[-1] == current_cycle() and len(chart.labels) == 12
    assert "<svg" in page and 'class="chart-data"' in page


def test_a_closed_month_reads_the_same_and_says_so(shop):
    before = shop.client.get(BILLS, {"cycle": CYCLE}).context
    close(CYCLE)
    after = shop.client.get(BILLS, {"cycle": CYCLE})

    assert after.context["sums"].closed and not before["sums"].closed
    assert after.context["sums"].totals == before["sums"].totals
    assert [dict(r) for r in after.context["rows"]] == [dict(r) for r in before["rows"]]
    assert 'data-closed="1"' in body(after) and 'data-closed="0"' in body(shop.client.get(BILLS, {"cycle": "2026-04"}))


def test_an_empty_month_and_a_wrong_cycle(shop):
    empty = shop.client.get(BILLS, {"cycle": "2026-05"})
    assert 'class="empty"' in body(empty) and empty.context["sums"].totals["consume_amount"] == Decimal("0")
    wrong = shop.client.get(BILLS, {"cycle": "2026-13"})
    assert wrong.status_code == 200 and wrong.context["cycle"] == current_cycle()


def test_the_trend_has_closed_and_open_months(shop):
    now = timezone.now()
    this_month = fee(shop.customer, at=now - timedelta(hours=2), association=shop.association, official="3.00")
    last = shop.client.get(BILLS).context["chart"]
    assert last.series[0][1][-1] == this_month.cash_amount  # cash of the current month

    from bills.periods import previous_cycle

    earlier = previous_cycle(current_cycle())
    fee(shop.customer, at=now - timedelta(days=40), cycle=earlier, association=shop.association, official="2.00")
    close(earlier)
    chart = shop.client.get(BILLS).context["chart"]
    assert chart.series[0][1][-2] == Decimal("2.00") and chart.rows[-1][0] == current_cycle()


# -------------------------------------------------------------------------------------------------
# 流水, 资源消费, 使用量明细
# -------------------------------------------------------------------------------------------------

def test_fee_records_filter_and_page(shop):
    get = lambda **q: rows(shop.client.get(FEES, {"cycle": CYCLE, **q}), "record")  # noqa: E731

    assert get() == [shop.yearly.record_id, shop.disk.record_id, shop.hours[1].record_id, shop.hours[0].record_id]
    assert get(service_type_code=EVS) == [shop.disk.record_id]
    assert get(charging_mode=1) == [shop.yearly.record_id]
    assert get(bill_type=1) == [shop.yearly.record_id]
    assert get(status=2) == [shop.disk.record_id]
    assert get(resource_id="vm-1") == [shop.hours[1].record_id, shop.hours[0].record_id]
    assert get(trade_id="CS-YEARLY") == [shop.yearly.record_id]
    assert get(bill_date_from="2026-03-05", bill_date_to="2026-03-05") == [shop.disk.record_id]
    assert get(resource_id=shop.foreign.resource_id) == []
    assert shop.client.get(FEES, {"cycle": CYCLE, "bill_type": "x"}).status_code == 200  # shown on its field
    assert 'class="empty"' in body(shop.client.get(FEES, {"cycle": "2026-05"}))
    page = body(shop.client.get(FEES, {"cycle": CYCLE}))       # zh-hans: the payment status, not a time's label
    assert "已支付" in page and "未结清" in page and "支付时间" not in page
    assert '<option value="11">节省计划</option>' in page and '<option value="25">消费-抹零补差</option>' in page
    for n in range(22):
        fee(shop.customer, at=shanghai("2026-03-20 00:00") + timedelta(hours=n), resource_id="vm-1")
    first, second = (shop.client.get(FEES, {"cycle": CYCLE, "page": n}) for n in (1, 2))
    assert len(rows(first, "record")) == 20 and len(rows(second, "record")) == 6


def test_a_fee_record_in_detail_and_another_customers_not_found(shop):
    pack = package(shop.customer)
    record = fee(shop.customer, at=shanghai("2026-03-06 00:00"), service=OBS, resource_type=OBJECTS, official="0.00",
                 usage="5", free_usage="5", usage_type="upflow", measure=Measure.GB, resource_id="bucket")
    use(pack, record, "5", before="100")

    page = shop.client.get(reverse("fee_center_bills_fee_record", args=[record.record_id]))
    assert page.status_code == 200 and pack.order_instance_id in body(page) and 'id="record-uses"' in body(page)
    hour = shop.client.get(reverse("fee_center_bills_fee_record", args=[shop.hours[0].record_id]))
    assert shop.usage.record_id in body(hour)
    assert shop.client.get(reverse("fee_center_bills_fee_record", args=[shop.foreign.record_id])).status_code == 404
    assert shop.client.get(reverse("fee_center_bills_fee_record", args=["nothing"])).status_code == 404


def test_resource_records_by_cycle_and_by_day(shop):
    fee(shop.customer, at=shanghai("2026-03-03 10:00"), association=shop.association, official="0.22",
        resource_id="vm-1", resource_name="web")
    by_cycle = shop.client.get(RESOURCES, {"cycle": CYCLE})
    assert sorted(rows(by_cycle, "resource")) == ["disk-1", "vm-1", "vm-2"]
    web = [row for row in by_cycle.context["page"] if row["resource_id"] == "vm-1"][0]
    assert (web["consume_amount"], web["usage"], web["records"]) == (Decimal("0.62"), Decimal("3"), 3)
    by_day = shop.client.get(RESOURCES, {"cycle": CYCLE, "by": "day"})
    assert rows(by_day, "resource") == ["vm-2", "disk-1", "vm-1", "vm-1"]
    assert rows(shop.client.get(RESOURCES, {"cycle": CYCLE, "charging_mode": 1}), "resource") == ["vm-2"]
    # every row adds up on screen: official − discount − rounded off = due = cash + coupons + arrears (no write-off)
    import re

    for row in re.findall(r'<tr data-resource="[^"]*">(.*?)</tr>', body(by_cycle), re.S):
        official, discount, erase, due, cash, coupons, debt = (
            Decimal(n.replace(",", "")) for n in re.findall(r'<td class="num[^"]*">([-0-9.,]+)</td>', row))
        assert official - discount - erase == due == cash + coupons + debt, row


def test_usage_details(shop):
    from catalog.models import UsageType

    response = shop.client.get(USAGE, {"cycle": CYCLE})
    assert rows(response, "usage") == [shop.usage.record_id]
    named = UsageType.objects.filter(code=shop.usage.usage_type_code).first().display_name   # 时长, not Duration
    assert f"<td>{named}</td>" in body(response) and named != shop.usage.usage_type_code
    assert shop.hours[0].record_id in body(response)  # the fee record it was rated into
    assert rows(shop.client.get(USAGE, {"cycle": CYCLE, "resource_id": "vm-9"}), "usage") == []
    assert 'class="empty"' in body(shop.client.get(USAGE, {"cycle": "2026-04"}))


# -------------------------------------------------------------------------------------------------
# Exports
# -------------------------------------------------------------------------------------------------

def test_exports_as_excel_and_csv_are_logged_and_keep_formulas_text(shop):
    excel = shop.client.get(reverse("fee_center_bills_fee_records_export"), {"cycle": CYCLE, "service_type_code": EVS})
    assert excel["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(excel.content)).active
    values = list(sheet.values)
    assert len(values) == 2 and values[1][7] == '=HYPERLINK("http://x")' and values[1][14] == 0.05
    assert sheet.cell(row=2, column=8).data_type == "s"

    text = shop.client.get(reverse("fee_center_bills_fee_records_export"), {"cycle": CYCLE, "as": "csv"})
    assert text["Content-Type"].startswith("text/csv") and text.content.startswith("\ufeff".encode())
    lines = list(csv.reader(StringIO(text.content.decode()[1:])))
    assert len(lines) == 5 and "'=HYPERLINK(\"http://x\")" in lines[2]

    summary = list(csv.reader(StringIO(shop.client.get(reverse("fee_center_bills_export"),
                                                       {"cycle": CYCLE, "as": "csv"}).content.decode()[1:])))
    assert len(summary) == 4 and summary[1][8] == "663.30"
    resources = load_workbook(BytesIO(shop.client.get(reverse("fee_center_bills_resources_export"),
                                                      {"cycle": CYCLE}).content)).active
    assert resources.max_row == 4
    usage = load_workbook(BytesIO(shop.client.get(reverse("fee_center_bills_usage_export"),
                                                  {"cycle": CYCLE}).content)).active
    assert usage.max_row == 2
    logs = OperationLog.objects.filter(action="bills.fee_center_export", actor_user=shop.user)
    assert logs.count() == 5 and logs.filter(detail__format="csv").count() == 2


# -------------------------------------------------------------------------------------------------
# 资源包
# -------------------------------------------------------------------------------------------------

def test_packages_and_their_uses(shop):
    traffic = package(shop.customer, original="100", remaining="35")
    used_up = package(shop.customer, spec="obs.standard.pkg.40gb", original="40", remaining="0", reset=2,
                      usage_type="Duration")
    foreign = package(shop.other.customer)
    for n, (amount, before) in enumerate((("40", "100"), ("25", "60"))):
        record = fee(shop.customer, at=timezone.now() - timedelta(days=2 - n), service=OBS, resource_type=OBJECTS,
                     official="0.00", usage=amount, free_usage=amount, usage_type="upflow", measure=Measure.GB)
        use(traffic, record, amount, before=before)

    listing = shop.client.get(PACKAGES)
    assert rows(listing, "package") == [traffic.order_instance_id, used_up.order_instance_id]
    assert ">35 GB<" in body(listing) and ">100 GB<" in body(listing)
    assert rows(shop.client.get(PACKAGES, {"status": 2}), "package") == [used_up.order_instance_id]
    detail = shop.client.get(reverse("fee_center_bills_package", args=[traffic.order_instance_id]))
    assert detail.status_code == 200 and [u.used_amount for u in detail.context["page"]] == [Decimal("25"),
                                                                                             Decimal("40")]
    assert shop.client.get(reverse("fee_center_bills_package", args=[foreign.order_instance_id])).status_code == 404
    assert rows(login_client(shop.other.user).get(PACKAGES), "package") == [foreign.order_instance_id]


def test_no_packages_says_so(shop):
    assert 'class="empty"' in body(shop.client.get(PACKAGES))


# -------------------------------------------------------------------------------------------------
# 余额: the spendable figure
# -------------------------------------------------------------------------------------------------

def _coupon(shop, customer, coupon_type, balance, *, status=2, valid=None, expire=None):
    now = timezone.now()
    quota = CouponQuota.objects.create(partner=shop.partner, quota_type=0 if coupon_type == 1 else 1,
                                       quota_value=1000, balance=1000, effective_time=now - timedelta(days=1),
                                       expire_time=now + timedelta(days=90))
    return Coupon.objects.create(quota=quota, partner=shop.partner, customer=customer, coupon_type=coupon_type,
                                 face_value=Decimal("100.00"), balance=Decimal(balance), status=status,
                                 valid_time=valid or now - timedelta(days=1), expire_time=expire or now + timedelta(days=30))


def test_the_spendable_figure_is_cash_plus_what_effective_coupons_can_pay(shop):
    CustomerAccount.objects.update_or_create(customer=shop.customer, defaults={"balance": Decimal("120.50"),
                                                                              "arrears": Decimal("0")})
    now = timezone.now()
    _coupon(shop, shop.customer, 1, "30.00")
    _coupon(shop, shop.customer, 1, "12.34")
    _coupon(shop, shop.customer, 4, "20.00")
    _coupon(shop, shop.customer, 1, "50.00", status=4)                              # expired
    _coupon(shop, shop.customer, 1, "50.00", valid=now + timedelta(days=1))         # not valid yet
    _coupon(shop, shop.customer, 4, "50.00", expire=now - timedelta(minutes=1))     # past its expiry
    _coupon(shop, shop.customer, 1, "0.00", status=3)                               # used up
    _coupon(shop, shop.other.customer, 1, "99.00")                                  # someone else's

    page = shop.client.get(BALANCE)
    spendable = page.context["spendable"]
    assert (spendable.total, spendable.cash, spendable.cash_coupons, spendable.cash_coupon_count,
            spendable.flexi_coupons, spendable.flexi_coupon_count, spendable.arrears) == (
        Decimal("182.84"), Decimal("120.50"), Decimal("42.34"), 2, Decimal("20.00"), 1, Decimal("0"))
    assert "¥182.84" in body(page) and len(rows(page, "coupon")) == 3
    overview = shop.client.get(reverse("fee_center"))
    assert 'id="spendable"' in body(overview) and "¥182.84" in body(overview)


def test_arrears_are_shown_beside_the_spendable_figure(shop):
    CustomerAccount.objects.update_or_create(customer=shop.customer, defaults={"balance": Decimal("0"),
                                                                              "arrears": Decimal("7.25")})
    _coupon(shop, shop.customer, 4, "5.00")
    page = shop.client.get(BALANCE)
    assert page.context["spendable"].total == Decimal("5.00") and "¥7.25" in body(page)
    assert 'id="spendable-arrears"' in body(shop.client.get(reverse("fee_center")))


def test_a_customer_with_no_account_yet_can_spend_nothing(shop):
    page = shop.client.get(BALANCE)
    assert page.context["spendable"].total == Decimal("0") and 'class="empty"' in body(page)


# -------------------------------------------------------------------------------------------------
# Who may open them; what they cost
# -------------------------------------------------------------------------------------------------

def test_only_a_customer_user_opens_them(shop):
    member = login_client(shop.tenant.admin.user)
    for url in (BILLS, FEES, RESOURCES, USAGE, PACKAGES, BALANCE):
        assert member.get(url).status_code == 403
        assert Client().get(url).status_code == 302  # signed out: to the sign-in page


def _queries(client, url, params) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(queries), len(response.context["page"].object_list)


@pytest.mark.parametrize("url", [FEES, RESOURCES, USAGE, PACKAGES])
def test_the_lists_run_the_same_statements_for_one_row_and_a_full_page(shop, url):
    params = {"cycle": CYCLE}
    counts = []
    for total in (1, 25):
        while True:
            shown = _queries(shop.client, url, params)[1]
            if shown >= min(total, 20):
                break
            n = shown + 1
            if url == PACKAGES:
                pack = package(shop.customer)
                record = fee(shop.customer, at=shanghai("2026-03-20 00:00") + timedelta(hours=n), service=OBS,
                             resource_type=OBJECTS, official="0.00", usage="1", free_usage="1", usage_type="upflow",
                             measure=Measure.GB)
                use(pack, record, "1", before="100")
            elif url == USAGE:
                UsageRecord.objects.create(
                    record_id=new_record_id(), customer=shop.customer, resource_id=f"vm-{n}",
                    service_type_code="hws.service.type.ec2", resource_type_code="hws.resource.type.vm",
                    usage_type_code="Duration", region_code="cn-north-4", usage_amount=Decimal("1"),
                    usage_measure_id=Measure.HOUR, begin_time=shanghai("2026-03-21 00:00") + timedelta(hours=n),
                    end_time=shanghai("2026-03-21 01:00") + timedelta(hours=n), source=3)
            else:
                fee(shop.customer, at=shanghai("2026-03-20 00:00") + timedelta(hours=n), resource_id=f"vm-{n}0")
        counts.append(_queries(shop.client, url, params))
    assert counts[0][1] < counts[1][1] == 20
    assert counts[0][0] == counts[1][0], counts


@pytest.mark.parametrize("name", ["fee_center_bills_package"])
def test_a_packages_uses_run_the_same_statements_for_one_row_and_a_full_page(shop, name):
    pack = package(shop.customer, original="1000")
    url = reverse(name, args=[pack.order_instance_id])
    counts = []
    for total in (1, 25):
        while pack.uses.count() < total:
            n = pack.uses.count()
            record = fee(shop.customer, at=shanghai("2026-03-20 00:00") + timedelta(hours=n), service=OBS,
                         resource_type=OBJECTS, official="0.00", usage="1", free_usage="1", usage_type="upflow",
                         measure=Measure.GB)
            use(pack, record, "1", before=str(1000 - n))
        counts.append(_queries(shop.client, url, {}))
    assert counts[0][0] == counts[1][0], counts
