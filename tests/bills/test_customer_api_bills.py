"""The customer's bills through the official SDK (huaweicloudsdkbss BssClient) on a live server, with the
customer's own key: monthly sums (open and closed months alike), fee records (流水), resource consumption
records by cycle / day / in detail, and the resource-record query — with filters, paging and each documented
error. A partner's key is refused; another customer's rows never show."""

from decimal import Decimal

import pytest
from huaweicloudsdkbss.v2 import (
    ListCustomerBillsFeeRecordsRequest, ListCustomerselfResourceRecordDetailsRequest,
    ListCustomerselfResourceRecordsRequest, QueryResRecordsDetailReq, ShowCustomerMonthlySumRequest,
)

from bills.choices import BillType
from catalog.choices import ChargeMode, PeriodType
from catalog.models import Product

from ..subscriptions.api_sdk import refused
from .customer_helpers import EC2, EVS, VOLUME, Shop, client_of, close, fee, partner_client, shanghai

pytestmark = pytest.mark.django_db(transaction=True)

CYCLE = "2026-03"


def money(value) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


@pytest.fixture
def shop(db):
    """March 2026: two hours of a server, a disk hour half paid by a coupon, a yearly server bought and partly
    refunded, an adjustment; April: one server hour. Another customer consumed in March too."""
    shop = Shop("e")
    a = shop.association
    shop.hour1 = fee(shop.customer, at=shanghai("2026-03-02 10:00"), association=a, official="0.22", discount="0.02",
                     resource_id="vm-1", resource_name="web")
    shop.hour2 = fee(shop.customer, at=shanghai("2026-03-02 11:00"), association=a, official="0.22", discount="0.02",
                     resource_id="vm-1", resource_name="web", debt="0.05")
    shop.disk = fee(shop.customer, at=shanghai("2026-03-05 08:00"), association=a, service=EVS, resource_type=VOLUME,
                    official="0.06", erase="0.01", coupon="0.03", resource_id="disk-1", region="cn-east-3")
    shop.yearly = fee(shop.customer, at=shanghai("2026-03-10 09:30"), association=a, bill_type=BillType.NEW,
                      mode=ChargeMode.PERIOD, official="737.00", discount="73.70", flexi="100.00",
                      expire=shanghai("2027-03-10 09:30"), resource_id="vm-2", period_type=PeriodType.YEAR,
                      period_num=1, trade_id="CS-YEARLY", product=Product.objects.get(
                          resource_type__code="hws.resource.type.vm", resource_spec="s6.small.1.linux",
                          region__code="cn-north-4", charge_mode=ChargeMode.PERIOD))
    shop.refund = fee(shop.customer, at=shanghai("2026-03-20 12:00"), association=a, bill_type=BillType.REFUND,
                      mode=ChargeMode.PERIOD, official="-100.00", discount="-10.00", resource_id="vm-2",
                      trade_id="CS-REFUND", expire=shanghai("2027-03-10 09:30"))
    shop.adjustment = fee(shop.customer, at=shanghai("2026-03-25 00:00"), association=a,
                          bill_type=BillType.COMPENSATION, official="5.00", resource_id="vm-1")
    shop.april = fee(shop.customer, at=shanghai("2026-04-01 00:00"), association=a, official="0.22",
                     resource_id="vm-1")
    shop.other = Shop("f")
    fee(shop.other.customer, at=shanghai("2026-03-03 10:00"), association=shop.other.association, official="9.99",
        resource_id="vm-other")
    return shop


def monthly_sum(client, **kwargs):
    return client.show_customer_monthly_sum(ShowCustomerMonthlySumRequest(**kwargs))


def fee_records(client, **kwargs):
    return client.list_customer_bills_fee_records(ListCustomerBillsFeeRecordsRequest(**kwargs))


def res_fee_records(client, **kwargs):
    return client.list_customerself_resource_records(ListCustomerselfResourceRecordsRequest(**kwargs))


def res_records(client, **kwargs):
    return client.list_customerself_resource_record_details(
        ListCustomerselfResourceRecordDetailsRequest(body=QueryResRecordsDetailReq(**kwargs)))


def sums_of(response) -> list[tuple]:
    return [(row.service_type_code, row.resource_type_code, row.charging_mode, row.bill_type, money(row.official_amount),
             money(row.official_discount_amount), money(row.truncated_amount), money(row.consume_amount),
             money(row.cash_amount), money(row.coupon_amount), money(row.flexipurchase_coupon_amount),
             money(row.debt_amount)) for row in response.bill_sums]


def totals_of(response) -> tuple:
    return tuple(money(getattr(response, name)) for name in (
        "consume_amount", "cash_amount", "coupon_amount", "flexipurchase_coupon_amount", "debt_amount",
        "writeoff_amount"))


# -------------------------------------------------------------------------------------------------
# monthly-sum
# -------------------------------------------------------------------------------------------------

EXPECTED_SUMS = [
    # service, resource type, mode, kind, official, discount, erase, consume, cash, coupon, flexi, debt
    (EC2, "hws.resource.type.vm", 1, 1, Decimal("737.00"), Decimal("73.70"), Decimal("0.00"), Decimal("663.30"),
     Decimal("563.30"), Decimal("0.00"), Decimal("100.00"), Decimal("0.00")),
    (EC2, "hws.resource.type.vm", 1, 2, Decimal("-100.00"), Decimal("-10.00"), Decimal("0.00"), Decimal("-90.00"),
     Decimal("-90.00"), Decimal("0.00"), Decimal("0.00"), Decimal("0.00")),
    (EC2, "hws.resource.type.vm", 3, 1, Decimal("0.44"), Decimal("0.04"), Decimal("0.00"), Decimal("0.40"),
     Decimal("0.35"), Decimal("0.00"), Decimal("0.00"), Decimal("0.05")),
    (EC2, "hws.resource.type.vm", 3, 3, Decimal("5.00"), Decimal("0.00"), Decimal("0.00"), Decimal("5.00"),
     Decimal("5.00"), Decimal("0.00"), Decimal("0.00"), Decimal("0.00")),
    (EVS, "hws.resource.type.volume", 3, 1, Decimal("0.06"), Decimal("0.00"), Decimal("0.01"), Decimal("0.05"),
     Decimal("0.02"), Decimal("0.03"), Decimal("0.00"), Decimal("0.00")),
]
EXPECTED_TOTALS = (Decimal("578.75"), Decimal("478.67"), Decimal("0.03"), Decimal("100.00"), Decimal("0.05"),
                   Decimal("0.00"))


def test_the_monthly_sum_of_an_open_month_and_of_the_same_month_closed_agree(live_server, shop):
    client = client_of(live_server, shop)

    open_month = monthly_sum(client, bill_cycle=CYCLE, limit=100)

    assert sums_of(open_month) == EXPECTED_SUMS
    assert totals_of(open_month) == EXPECTED_TOTALS
    assert open_month.total_count == 5 and open_month.currency == "CNY" and open_month.measure_id == 1
    assert {row.customer_id for row in open_month.bill_sums} == {shop.customer.domain_id}
    assert all(row.bill_cycle == CYCLE and row.service_type_name for row in open_month.bill_sums)

    close(CYCLE)  # now read from the monthly sums, summed over partners
    closed = monthly_sum(client, bill_cycle=CYCLE, limit=100)

    assert sums_of(closed) == EXPECTED_SUMS and totals_of(closed) == EXPECTED_TOTALS
    # a closed month is its sums: a record written into it afterwards (no writer does) changes nothing
    fee(shop.customer, at=shanghai("2026-03-30 10:00"), association=shop.association, official="1.00")
    assert totals_of(monthly_sum(client, bill_cycle=CYCLE)) == EXPECTED_TOTALS


def test_a_closed_month_is_summed_over_the_partners_the_customer_consumed_under(live_server, shop):
    """The customer left its partner mid-month: its sums are per association when closed, one row per group here."""
    from customers.models import Association

    Association.objects.filter(pk=shop.association.pk).update(ended_on=shanghai("2026-03-15 00:00"))
    fee(shop.customer, at=shanghai("2026-03-28 10:00"), official="0.22", discount="0.02", resource_id="vm-1")
    client = client_of(live_server, shop)
    before = monthly_sum(client, bill_cycle=CYCLE, limit=100)
    close(CYCLE)
    after = monthly_sum(client, bill_cycle=CYCLE, limit=100)

    assert sums_of(after) == sums_of(before)
    hours = [row for row in sums_of(after) if row[2] == 3 and row[3] == 1 and row[0] == EC2]
    assert hours[0][7] == Decimal("0.60")  # three server hours, under two associations


def test_monthly_sum_filters_and_pages(live_server, shop):
    client = client_of(live_server, shop)

    evs = monthly_sum(client, bill_cycle=CYCLE, service_type_code=EVS)
    assert sums_of(evs) == EXPECTED_SUMS[4:] and money(evs.consume_amount) == Decimal("0.05")
    first, second = (monthly_sum(client, bill_cycle=CYCLE, offset=offset, limit=2) for offset in (0, 2))
    assert sums_of(first) + sums_of(second) == EXPECTED_SUMS[:4] and first.total_count == 5
    assert totals_of(first) == EXPECTED_TOTALS  # the month's totals, whatever the page
    assert monthly_sum(client, bill_cycle="2026-05").bill_sums == []
    assert monthly_sum(client, bill_cycle=CYCLE, method="oneself").total_count == 5
    assert monthly_sum(client, bill_cycle=CYCLE, enterprise_project_id="0").total_count == 5
    assert monthly_sum(client, bill_cycle=CYCLE, enterprise_project_id="ep-1").total_count == 0


def test_monthly_sum_refusals(live_server, shop):
    client = client_of(live_server, shop)

    assert refused(lambda: monthly_sum(client, bill_cycle="2026-3")) == (400, "CBC.0100")
    assert refused(lambda: monthly_sum(client)) == (400, "CBC.0100")
    assert refused(lambda: monthly_sum(client, bill_cycle=CYCLE, limit=1001)) == (400, "CBC.0100")
    assert refused(lambda: monthly_sum(client, bill_cycle=CYCLE, method="everyone")) == (400, "CBC.0100")
    assert refused(lambda: monthly_sum(client, bill_cycle=CYCLE, method="sub_customer")) == (400, "CBC.0100")
    assert refused(lambda: monthly_sum(client, bill_cycle=CYCLE, method="sub_customer",
                                       sub_customer_id=shop.other.customer.domain_id)) == (404, "CBC.0156")
    assert refused(lambda: monthly_sum(partner_client(live_server, shop), bill_cycle=CYCLE)) == (403, "CBC.0151")


# -------------------------------------------------------------------------------------------------
# fee-records (流水账单)
# -------------------------------------------------------------------------------------------------

def ids(response, attribute="records") -> list[str]:
    return [row.id for row in getattr(response, attribute)]


def test_fee_records_newest_first_with_their_money(live_server, shop):
    response = fee_records(client_of(live_server, shop), bill_cycle=CYCLE, limit=100)

    assert ids(response) == [r.record_id for r in (shop.adjustment, shop.refund, shop.yearly, shop.disk, shop.hour2,
                                                   shop.hour1)]
    assert response.total_count == 6 and response.currency == "CNY"
    disk = response.records[3]
    assert (disk.service_type_code, disk.resource_type_code, disk.region_code, disk.charging_mode, disk.bill_type,
            disk.status, disk.provider_type) == (EVS, VOLUME, "cn-east-3", 3, 5, 1, 1)
    assert [money(getattr(disk, name)) for name in ("official_amount", "official_discount_amount", "erase_amount",
                                                    "consume_amount", "cash_amount", "coupon_amount")] == [
        Decimal("0.06"), Decimal("0.00"), Decimal("0.01"), Decimal("0.05"), Decimal("0.02"), Decimal("0.03")]
    assert disk.consume_time == "2026-03-05T00:00:00Z" and disk.trade_time == "2026-03-05T01:00:00Z"
    assert response.records[4].status == 2 and money(response.records[4].debt_amount) == Decimal("0.05")
    assert disk.customer_id == shop.customer.domain_id and disk.enterprise_project_id == "0"


def test_fee_record_filters(live_server, shop):
    client = client_of(live_server, shop)

    def found(**kwargs):
        return ids(fee_records(client, bill_cycle=CYCLE, limit=100, **kwargs))

    assert found(service_type_code=EVS) == [shop.disk.record_id]
    assert found(resource_type_code=VOLUME) == [shop.disk.record_id]
    assert found(region_code="cn-east-3") == [shop.disk.record_id]
    assert found(charging_mode=1) == [shop.refund.record_id, shop.yearly.record_id]
    assert found(bill_type=4) == [shop.refund.record_id]
    assert found(trade_id="CS-YEARLY") == [shop.yearly.record_id]
    assert found(status=2) == [shop.hour2.record_id]
    assert found(status=3) == []
    assert found(provider_type=2) == [] and len(found(provider_type=1)) == 6
    assert found(bill_date_begin="2026-03-02", bill_date_end="2026-03-05") == [
        shop.disk.record_id, shop.hour2.record_id, shop.hour1.record_id]
    assert len(found(bill_date_begin="2026-03-02")) == 6  # one date alone: the cycle only
    assert found(enterprise_project_id="other") == []
    assert ids(fee_records(client, bill_cycle="2026-04")) == [shop.april.record_id]


def test_fee_records_with_and_without_zero_amounts_and_paging(live_server, shop):
    zero = fee(shop.customer, at=shanghai("2026-03-26 00:00"), association=shop.association, official="0.00",
               resource_id="vm-1")
    client = client_of(live_server, shop)

    assert zero.record_id in ids(fee_records(client, bill_cycle=CYCLE, limit=100))
    assert zero.record_id in ids(fee_records(client, bill_cycle=CYCLE, limit=100, include_zero_record=True))
    assert zero.record_id not in ids(fee_records(client, bill_cycle=CYCLE, limit=100, include_zero_record=False))
    pages = [fee_records(client, bill_cycle=CYCLE, offset=offset, limit=3) for offset in (0, 3, 6)]
    assert sum((ids(p) for p in pages), []) == ids(fee_records(client, bill_cycle=CYCLE, limit=100))
    assert [p.total_count for p in pages] == [7, 7, 7] and len(ids(pages[2])) == 1


def test_fee_record_refusals(live_server, shop):
    client = client_of(live_server, shop)

    assert refused(lambda: fee_records(client)) == (400, "CBC.0100")
    assert refused(lambda: fee_records(client, bill_cycle=CYCLE, bill_type=6)) == (400, "CBC.0100")
    assert refused(lambda: fee_records(client, bill_cycle=CYCLE, charging_mode=2)) == (400, "CBC.0100")
    assert refused(lambda: fee_records(client, bill_cycle=CYCLE, bill_date_begin="2026-03-01",
                                       bill_date_end="2026-04-01")) == (400, "CBC.99009046")
    assert refused(lambda: fee_records(client, bill_cycle=CYCLE, bill_date_begin="2026-03-09",
                                       bill_date_end="2026-03-08")) == (400, "CBC.99009046")
    assert refused(lambda: fee_records(client, bill_cycle=CYCLE, bill_date_begin="2026/03/01",
                                       bill_date_end="2026-03-08")) == (400, "CBC.0100")
    assert refused(lambda: fee_records(client, bill_cycle=CYCLE, method="sub_customer", sub_customer_id="x")) == (
        404, "CBC.0156")
    assert refused(lambda: fee_records(partner_client(live_server, shop), bill_cycle=CYCLE)) == (403, "CBC.0151")


# -------------------------------------------------------------------------------------------------
# res-fee-records (资源消费记录) and res-records/query (资源详单)
# -------------------------------------------------------------------------------------------------

def test_resource_records_in_detail_by_day_and_by_cycle(live_server, shop):
    client = client_of(live_server, shop)

    detail = res_fee_records(client, cycle=CYCLE, limit=100)  # statistic_type 3 by default
    assert [row.id for row in detail.fee_records] == ids(fee_records(client, bill_cycle=CYCLE, limit=100))
    hour = detail.fee_records[-1]
    assert (hour.resource_id, hour.resource_name, hour.charge_mode, hour.usage_type, hour.bill_date) == (
        "vm-1", "web", "3", "Duration", "2026-03-02")
    assert money(hour.usage) == Decimal("1.00") and money(hour.amount) == Decimal("0.20")
    assert money(hour.official_amount) == money(hour.discount_amount) + money(hour.amount)
    yearly = detail.fee_records[2]
    assert (yearly.order_id, yearly.period_type, yearly.usage, yearly.sku_code) == (
        "CS-YEARLY", "19", None, "s6.small.1.linux")

    by_day = res_fee_records(client, cycle=CYCLE, statistic_type=2, limit=100)
    web = [row for row in by_day.fee_records if row.resource_id == "vm-1" and row.bill_type == 5]
    assert [(row.bill_date, money(row.amount), money(row.usage)) for row in web] == [
        ("2026-03-02", Decimal("0.40"), Decimal("2.00"))]
    assert all(row.id is None for row in by_day.fee_records)

    by_cycle = res_fee_records(client, cycle=CYCLE, statistic_type=1, limit=100)
    assert by_cycle.total_count == 5 and all(row.bill_date is None for row in by_cycle.fee_records)
    assert sum(money(row.amount) for row in by_cycle.fee_records) == EXPECTED_TOTALS[0]


def test_resource_record_filters_and_empty_values(live_server, shop):
    client = client_of(live_server, shop)

    def found(**kwargs):
        return [row.id for row in res_fee_records(client, cycle=CYCLE, limit=100, **kwargs).fee_records]

    assert found(cloud_service_type=EVS) == [shop.disk.record_id]
    assert found(region="cn-east-3") == [shop.disk.record_id]
    assert found(charge_mode="1") == [shop.refund.record_id, shop.yearly.record_id]
    assert found(resource_id="disk-1") == [shop.disk.record_id]
    assert found(trade_id="CS-REFUND") == [shop.refund.record_id]
    assert found(bill_type=16) == []
    # an empty value asks for the records whose field is empty (Huawei: 携带值为空串时，作为筛选条件)
    assert found(cloud_service_type="") == [] and found(resource_id="") == []
    assert found(bill_date_begin="2026-03-05", bill_date_end="2026-03-10") == [shop.yearly.record_id,
                                                                               shop.disk.record_id]
    assert refused(lambda: res_fee_records(client, cycle=CYCLE, charge_mode="2")) == (400, "CBC.0100")
    assert refused(lambda: res_fee_records(client, cycle=CYCLE, statistic_type=4)) == (400, "CBC.0100")
    assert refused(lambda: res_fee_records(client)) == (400, "CBC.0100")
    assert refused(lambda: res_fee_records(client, cycle=CYCLE, bill_date_begin="2026-02-28",
                                           bill_date_end="2026-03-01")) == (400, "CBC.99009046")
    assert refused(lambda: res_fee_records(partner_client(live_server, shop), cycle=CYCLE)) == (403, "CBC.0151")


def test_resource_record_query_by_cycle_day_and_detail(live_server, shop):
    client = client_of(live_server, shop)

    by_cycle = res_records(client, cycle=CYCLE, limit=100)  # statistic_type 1 by default
    assert by_cycle.total_count == 5 and by_cycle.currency == "CNY"
    assert all(row.bill_date is None and row.id is None for row in by_cycle.monthly_records)
    disk = [row for row in by_cycle.monthly_records if row.res_instance_id == "disk-1"][0]
    assert (disk.cloud_service_type, disk.resource_type_code, disk.charge_mode, disk.payer_account_id) == (
        EVS, VOLUME, 3, shop.customer.domain_id)
    assert money(disk.consume_amount) == Decimal("0.05") and money(disk.coupon_amount) == Decimal("0.03")

    daily = res_records(client, cycle=CYCLE, statistic_type=2, query_type="DAILY", bill_cycle_begin="2026-03-02",
                        bill_cycle_end="2026-03-02", limit=100)
    assert [(row.res_instance_id, row.bill_date, money(row.consume_amount)) for row in daily.monthly_records] == [
        ("vm-1", "2026-03-02", Decimal("0.40"))]
    detail = res_records(client, cycle=CYCLE, statistic_type=3, res_instance_id="vm-2", limit=100)
    assert [row.id for row in detail.monthly_records] == [shop.refund.record_id, shop.yearly.record_id]
    assert detail.monthly_records[1].consume_time == "2026-03-10T01:30:00Z"
    paged = [res_records(client, cycle=CYCLE, offset=offset, limit=2) for offset in (0, 2, 4)]
    assert [len(p.monthly_records) for p in paged] == [2, 2, 1]
    assert res_records(client, cycle=CYCLE, payer_account_id=shop.customer.domain_id).total_count == 5


def test_resource_record_query_refusals(live_server, shop):
    client = client_of(live_server, shop)

    assert refused(lambda: res_records(client, cycle="2018-12")) == (400, "CBC.99009045")
    assert refused(lambda: res_records(client, cycle=CYCLE, query_type="DAILY", bill_cycle_begin="2026-03-01",
                                       bill_cycle_end="2026-03-02")) == (400, "CBC.0100")  # statistic_type 1
    assert refused(lambda: res_records(client, cycle=CYCLE, statistic_type=2, query_type="DAILY")) == (
        400, "CBC.0100")
    assert refused(lambda: res_records(client, cycle=CYCLE, statistic_type=3, query_type="DAILY",
                                       bill_cycle_begin="2026-03-01", bill_cycle_end="2026-04-02")) == (
        400, "CBC.99009046")
    assert refused(lambda: res_records(client, cycle=CYCLE, query_type="WEEKLY")) == (400, "CBC.0100")
    assert refused(lambda: res_records(client, cycle=CYCLE, payer_account_id=shop.other.customer.domain_id)) == (
        404, "CBC.0156")
    assert refused(lambda: res_records(client, cycle=CYCLE, method="sub_customer", sub_customer_id="x")) == (
        404, "CBC.0156")
    assert refused(lambda: res_records(partner_client(live_server, shop), cycle=CYCLE)) == (403, "CBC.0151")


def test_another_customer_sees_only_its_own(live_server, shop):
    other = client_of(live_server, shop.other)

    assert [money(row.consume_amount) for row in fee_records(other, bill_cycle=CYCLE).records] == [Decimal("9.99")]
    assert money(monthly_sum(other, bill_cycle=CYCLE).consume_amount) == Decimal("9.99")
    assert [row.res_instance_id for row in res_records(other, cycle=CYCLE).monthly_records] == ["vm-other"]
    assert fee_records(other, bill_cycle=CYCLE, trade_id=shop.yearly.trade_id).records == []

