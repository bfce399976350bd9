"""The customer's costs through the official SDK: the amortised monthly breakdown (月度成本) and the cost query
(v4) by dimension, day or month, original or amortised, amount due or net — hand-computed by the rule in
bills/customer_costs.py — and their documented errors. A partner's key is refused."""

from decimal import Decimal

import pytest
import time_machine
from huaweicloudsdkbss.v2 import (
    FilterFactor, FilterV2, GroupBy, ListCostsReq, ListCostsRequest, ListCustomerBillsMonthlyBreakDownRequest,
    TimeCondition,
)

from bills.choices import BillType
from catalog.choices import ChargeMode, PeriodType

from ..subscriptions.api_sdk import refused
from .customer_helpers import EC2, EVS, VOLUME, Shop, client_of, fee, partner_client, shanghai

pytestmark = pytest.mark.django_db(transaction=True)

D = Decimal


@pytest.fixture
def shop(db):
    """March 2026: two server hours (0.20 each), a disk hour (0.05, 0.03 of it by a cash coupon), a yearly server
    from 03-10 09:30 for 365 days (663.30: 100.00 by a flexi-purchase coupon, the rest cash), a refund of it from
    03-20 12:00 (-90.00 cash, 355 days); April: one server hour (0.22)."""
    shop = Shop("e")
    a = shop.association
    for hour in ("10:00", "11:00"):
        fee(shop.customer, at=shanghai(f"2026-03-02 {hour}"), association=a, official="0.22", discount="0.02",
            resource_id="vm-1")
    fee(shop.customer, at=shanghai("2026-03-05 08:00"), association=a, service=EVS, resource_type=VOLUME,
        official="0.06", erase="0.01", coupon="0.03", resource_id="disk-1")
    shop.yearly = fee(shop.customer, at=shanghai("2026-03-10 09:30"), association=a, bill_type=BillType.NEW,
                      mode=ChargeMode.PERIOD, official="737.00", discount="73.70", flexi="100.00",
                      expire=shanghai("2027-03-10 09:30"), resource_id="vm-2", period_type=PeriodType.YEAR,
                      period_num=1, trade_id="CS-YEARLY")
    shop.refund = fee(shop.customer, at=shanghai("2026-03-20 12:00"), association=a, bill_type=BillType.REFUND,
                      mode=ChargeMode.PERIOD, official="-100.00", discount="-10.00", resource_id="vm-2",
                      expire=shanghai("2027-03-10 09:30"))
    fee(shop.customer, at=shanghai("2026-04-01 00:00"), association=a, official="0.22", resource_id="vm-1")
    fee(Shop("f").customer, at=shanghai("2026-03-03 10:00"), official="9.99")
    return shop


@pytest.fixture(autouse=True)
def april_2026():
    with time_machine.travel(shanghai("2026-04-15 12:00"), tick=False):
        yield


def breakdown(client, **kwargs):
    return client.list_customer_bills_monthly_break_down(ListCustomerBillsMonthlyBreakDownRequest(**kwargs))


def costs(client, *, begin, end, measure=2, groupby=(), cost_type="ORIGINAL_COST", amount_type="PAYMENT_AMOUNT",
          filters=None, offset=None, limit=None):
    return client.list_costs(ListCostsRequest(body=ListCostsReq(
        time_condition=TimeCondition(time_measure_id=measure, begin_time=begin, end_time=end),
        groupby=[GroupBy(type=kind, key=key) for kind, key in groupby] or None, cost_type=cost_type,
        amount_type=amount_type, filters=filters, offset=offset, limit=limit)))


def d(value) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def amortised(row) -> tuple:
    return tuple(d(getattr(row, name)) for name in (
        "consume_amount", "past_months_amortized_amount", "current_month_amortized_amount",
        "future_months_amortized_amount", "amortized_cash_amount", "amortized_coupon_amount",
        "amortized_flexipurchase_coupon_amount", "amortized_credit_amount"))


# -------------------------------------------------------------------------------------------------
# monthly-breakdown
# -------------------------------------------------------------------------------------------------

def test_a_yearly_fee_is_spread_over_its_days_and_pay_per_use_is_its_months(live_server, shop):
    client = client_of(live_server, shop)

    march = breakdown(client, shared_month="2026-03", limit=100)
    assert march.total_count == 5 and march.currency == "CNY"
    by_resource = {(row.resource_id, row.bill_type): row for row in march.details}
    # 22 of 365 days in March: cash 563.30 × 22/365 = 33.95, flexi 100.00 × 22/365 = 6.03
    assert amortised(by_resource[("vm-2", 1)]) == (D("663.30"), D("0.00"), D("39.98"), D("623.32"), D("33.95"),
                                                   D("0.00"), D("6.03"), D("0.00"))
    # the refund: 12 of 355 days, −90.00 × 12/355 = −3.04
    assert amortised(by_resource[("vm-2", 4)])[:4] == (D("-90.00"), D("0.00"), D("-3.04"), D("-86.96"))
    # the disk hour: its month's whole cost
    assert amortised(by_resource[("disk-1", 5)]) == (D("0.05"), D("0.00"), D("0.05"), D("0.00"), D("0.02"),
                                                     D("0.03"), D("0.00"), D("0.00"))
    assert all(row.shared_month == "2026-03" for row in march.details)

    april = breakdown(client, shared_month="2026-04", limit=100)
    by_resource = {(row.resource_id, row.bill_type): row for row in april.details}
    assert sorted(by_resource) == [("vm-1", 5), ("vm-2", 1), ("vm-2", 4)]
    # days 23–52: cash 563.30 × 52/365 = 80.25 (−33.95), flexi 100 × 52/365 = 14.25 (−6.03)
    assert amortised(by_resource[("vm-2", 1)]) == (D("663.30"), D("39.98"), D("54.52"), D("568.80"), D("46.30"),
                                                   D("0.00"), D("8.22"), D("0.00"))
    assert amortised(by_resource[("vm-2", 4)])[1:4] == (D("-3.04"), D("-7.61"), D("-79.35"))


def test_monthly_breakdown_filters_and_pages(live_server, shop):
    client = client_of(live_server, shop)

    assert [row.resource_id for row in breakdown(client, shared_month="2026-03", charging_mode=1).details] == [
        "vm-2", "vm-2"]
    assert [row.resource_id for row in breakdown(client, shared_month="2026-03", service_type_code=EVS).details] == [
        "disk-1"]
    assert breakdown(client, shared_month="2026-03", service_type_code="").details == []
    assert breakdown(client, shared_month="2026-03", bill_type=4).total_count == 1
    assert breakdown(client, shared_month="2026-03", resource_id="vm-1").total_count == 2
    pages = [breakdown(client, shared_month="2026-03", offset=offset, limit=4) for offset in (0, 4)]
    assert [len(p.details) for p in pages] == [4, 1] and pages[1].total_count == 5


def test_monthly_breakdown_refusals(live_server, shop):
    client = client_of(live_server, shop)

    assert refused(lambda: breakdown(client, shared_month="2024-10")) == (400, "CBC.99009045")  # 19 months ago
    assert breakdown(client, shared_month="2024-11").details == []  # the 18th month back
    assert refused(lambda: breakdown(client, shared_month="2026-05")) == (400, "CBC.99009045")
    assert refused(lambda: breakdown(client)) == (400, "CBC.0100")
    assert refused(lambda: breakdown(client, shared_month="2026-03", charging_mode=2)) == (400, "CBC.0100")
    assert refused(lambda: breakdown(client, shared_month="2026-03", method="sub_customer")) == (400, "CBC.0100")
    assert refused(lambda: breakdown(partner_client(live_server, shop), shared_month="2026-03")) == (403, "CBC.0151")


# -------------------------------------------------------------------------------------------------
# cost query (v4)
# -------------------------------------------------------------------------------------------------

def table(response) -> list[tuple]:
    return [(tuple((dim.key, dim.value) for dim in group.dimensions),
             tuple((cost.time_dimension_value, cost.amount, cost.official_amount) for cost in group.costs),
             group.amount_by_costs, group.official_amount_by_costs) for group in response.cost_data]


def test_original_costs_by_service_and_month(live_server, shop):
    response = costs(client_of(live_server, shop), begin="2026-03", end="2026-04",
                     groupby=[("dimension", "CLOUD_SERVICE_TYPE")])

    assert response.total_count == 2 and response.currency == "CNY"
    assert table(response) == [
        ((("CLOUD_SERVICE_TYPE", EC2),), (("2026-03", "573.70", "637.44"), ("2026-04", "0.22", "0.22")),
         "573.92", "637.66"),
        ((("CLOUD_SERVICE_TYPE", EVS),), (("2026-03", "0.05", "0.06"),), "0.05", "0.06"),
    ]
    net = costs(client_of(live_server, shop), begin="2026-03", end="2026-03", amount_type="NET_AMOUNT",
                groupby=[("dimension", "CLOUD_SERVICE_TYPE")])
    assert [group.amount_by_costs for group in net.cost_data] == ["473.70", "0.02"]  # less the coupons


def test_amortised_costs_agree_with_the_monthly_breakdown(live_server, shop):
    client = client_of(live_server, shop)

    response = costs(client, begin="2026-03", end="2026-04", cost_type="AMORTIZED_COST")
    assert table(response) == [
        ((), (("2026-03", "37.39", "41.54"), ("2026-04", "47.13", "52.35")), "84.52", "93.89")]
    for month, cost in (("2026-03", "37.39"), ("2026-04", "47.13")):
        details = breakdown(client, shared_month=month, limit=100).details
        assert sum(d(row.current_month_amortized_amount) for row in details) == D(cost)


def test_costs_by_day_resource_and_filters(live_server, shop):
    client = client_of(live_server, shop)

    daily = costs(client, begin="2026-03-02", end="2026-03-05", measure=1, groupby=[("dimension", "RESOURCE_ID")])
    assert table(daily) == [
        ((("RESOURCE_ID", "vm-1"),), (("2026-03-02", "0.40", "0.44"),), "0.40", "0.44"),
        ((("RESOURCE_ID", "disk-1"),), (("2026-03-05", "0.05", "0.06"),), "0.05", "0.06"),
    ]
    # a yearly fee amortised by day: 663.30 / 365 a day, cut to the fen cumulatively
    yearly = costs(client, begin="2026-03-10", end="2026-03-11", measure=1, cost_type="AMORTIZED_COST",
                   filters=[FilterV2(operator=0, filter_factor=FilterFactor(key="RESOURCE_ID", value=["vm-2"])),
                            FilterV2(operator=1, filter_factor=FilterFactor(key="BILL_TYPE", value=["4"]))])
    assert table(yearly) == [((), (("2026-03-10", "1.81", "2.02"), ("2026-03-11", "1.83", "2.02")), "3.64", "4.04")]
    on_demand = costs(client, begin="2026-03", end="2026-04",
                      filters=[FilterV2(operator=1, filter_factor=FilterFactor(key="CHARGING_MODE", value=["1"]))],
                      groupby=[("dimension", "CHARGING_MODE"), ("dimension", "ASSOCIATED_ACCOUNT"), ("tag", "env")])
    assert table(on_demand) == [(
        (("CHARGING_MODE", "3"), ("ASSOCIATED_ACCOUNT", shop.customer.domain_id), ("RESOURCE_TAG", "")),
        (("2026-03", "0.45", "0.50"), ("2026-04", "0.22", "0.22")), "0.67", "0.72")]
    paged = costs(client, begin="2026-03", end="2026-04", groupby=[("dimension", "RESOURCE_ID")], offset=1, limit=1)
    assert paged.total_count == 3 and len(paged.cost_data) == 1


def test_cost_query_refusals(live_server, shop):
    client = client_of(live_server, shop)

    assert refused(lambda: costs(client, begin="2026-03-01", end="2026-04", measure=2)) == (400, "CBC.0100")
    assert refused(lambda: costs(client, begin="2026-03", end="2026-04", measure=1)) == (400, "CBC.0100")
    assert refused(lambda: costs(client, begin="2026-04", end="2026-03")) == (400, "CBC.0100")
    assert refused(lambda: costs(client, begin="2025-01", end="2026-07")) == (400, "CBC.99009047")
    assert refused(lambda: costs(client, begin="2025-01-01", end="2026-01-02", measure=1)) == (400, "CBC.99009047")
    assert refused(lambda: costs(client, begin="2026-03", end="2026-04", cost_type="SOME_COST")) == (400, "CBC.0100")
    assert refused(lambda: costs(client, begin="2026-03", end="2026-04", amount_type="GROSS")) == (400, "CBC.0100")
    assert refused(lambda: costs(client, begin="2026-03", end="2026-04", groupby=[("dimension", "COLOUR")])) == (
        400, "CBC.0100")
    assert refused(lambda: costs(client, begin="2026-03", end="2026-04", filters=[
        FilterV2(operator=0, filter_factor=FilterFactor(key="SIZE", value=["1"]))])) == (400, "CBC.0100")
    assert refused(lambda: costs(client, begin="2026-03", end="2026-04", filters=[
        FilterV2(operator=0, filter_factor=FilterFactor(key="BILL_TYPE", value=["new"]))])) == (400, "CBC.0100")
    assert refused(lambda: costs(partner_client(live_server, shop), begin="2026-03", end="2026-04")) == (
        403, "CBC.0151")
