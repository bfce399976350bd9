"""The partner's bill endpoints through the official SDK (huaweicloudsdkbss BssClient) on a live server:
list_consume_sub_customers (查询伙伴消费子客户列表), list_subcustomer_monthly_bills (查询客户月度消费账单) and
list_sub_customer_bill_detail (查询伙伴子客户消费记录) — every filter, offset/limit paging with exact totals,
each documented refusal, partner keys only, a customer that left mid-month, a distributor naming its cloud
reseller, and an account manager's key that reads its own customers only."""

from decimal import Decimal

import pytest
from huaweicloudsdkbss.v2 import (
    ListConsumeSubCustomersReq, ListConsumeSubCustomersRequest, ListSubCustomerBillDetailRequest,
    ListSubcustomerMonthlyBillsRequest,
)
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException

from bills import periods

from ..signed import bss_client
from .partner_helpers import EC2, EVS, OBS, World, close, fee

pytestmark = pytest.mark.django_db(transaction=True)

CYCLE = periods.previous_cycle(periods.previous_cycle(periods.current_cycle()))
PARAMETER, FORBIDDEN, NOT_FOUND = "CBC.0100", "CBC.0151", "CBC.0156"


@pytest.fixture
def world(db):
    world = World(CYCLE)
    world.records = world.month()
    return world


def client(live_server, world, key="admin"):
    key_row, secret = world.keys[key]
    return bss_client(live_server.url, ak=key_row.ak, sk=secret, domain_id=world.domain_of(key))


def money(value) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def refused(call) -> tuple[int, str]:
    with pytest.raises(ClientRequestException) as error:
        call()
    return error.value.status_code, error.value.error_code


def consumers(sdk, cycle=CYCLE, **paging):
    return sdk.list_consume_sub_customers(ListConsumeSubCustomersRequest(
        body=ListConsumeSubCustomersReq(bill_cycle=cycle, **paging)))


def sums(sdk, cycle=CYCLE, charge_mode="3", **filters):
    return sdk.list_subcustomer_monthly_bills(ListSubcustomerMonthlyBillsRequest(cycle=cycle, charge_mode=charge_mode,
                                                                                 **filters))


def records(sdk, customer_id, cycle=CYCLE, **filters):
    return sdk.list_sub_customer_bill_detail(ListSubCustomerBillDetailRequest(bill_cycle=cycle,
                                                                              customer_id=customer_id, **filters))


# -------------------------------------------------------------------------------------------------
# list_consume_sub_customers
# -------------------------------------------------------------------------------------------------

def test_consuming_customers_include_the_one_that_left_and_page_with_an_exact_total(live_server, world):
    sdk = client(live_server, world)
    everyone = sorted([world.mine.domain_id, world.theirs.domain_id, world.mover.domain_id])

    response = consumers(sdk)
    assert response.total_count == 3 and [c.customer_id for c in response.sub_customers] == everyone
    second = consumers(sdk, offset=1, limit=1)
    assert second.total_count == 3 and [c.customer_id for c in second.sub_customers] == everyone[1:2]
    # the new partner lists the customer too, and nothing of A's
    assert [c.customer_id for c in consumers(client(live_server, world, "b")).sub_customers] == [world.mover.domain_id]
    # a month nobody consumed in
    assert consumers(sdk, cycle=periods.previous_cycle(CYCLE)).total_count == 0


def test_consuming_customers_of_an_account_manager_are_its_own(live_server, world):
    response = consumers(client(live_server, world, "am"))
    assert sorted(c.customer_id for c in response.sub_customers) == sorted([world.mine.domain_id,
                                                                            world.mover.domain_id])


@pytest.mark.parametrize("body", [{"bill_cycle": "2026-13"}, {"bill_cycle": "202603"}, {"bill_cycle": None},
                                  {"bill_cycle": CYCLE, "limit": 101}, {"bill_cycle": CYCLE, "limit": 0},
                                  {"bill_cycle": CYCLE, "offset": -1}])
def test_consuming_customers_refuse_a_bad_cycle_or_page(live_server, world, body):
    sdk = client(live_server, world)
    assert refused(lambda: sdk.list_consume_sub_customers(ListConsumeSubCustomersRequest(
        body=ListConsumeSubCustomersReq(**body)))) == (400, PARAMETER)


# -------------------------------------------------------------------------------------------------
# list_subcustomer_monthly_bills
# -------------------------------------------------------------------------------------------------

def _rows(response):
    return {(row.customer_id, row.cloud_service_type, row.bill_type): row for row in response.bill_sums}


def test_monthly_sums_of_an_open_month_per_customer_service_and_kind(live_server, world):
    response = sums(client(live_server, world), charge_mode="3")
    rows = _rows(response)
    assert response.count == 4 and response.currency == "CNY"
    assert set(rows) == {(world.mine.domain_id, EC2, "0"), (world.theirs.domain_id, EC2, "0"),
                         (world.mover.domain_id, EC2, "0"), (world.mover.domain_id, OBS, "0")}
    mine = rows[(world.mine.domain_id, EC2, "0")]
    assert (money(mine.amount), money(mine.discount_amount), mine.charge_mode, mine.measure_id) == (
        Decimal("100.00"), Decimal("10.00"), "3", 1)
    assert {d.balance_type: money(d.amount) for d in mine.account_details} == {
        "BALANCE_TYPE_DEBIT": Decimal("80.00"), "BALANCE_TYPE_COUPON": Decimal("20.00")}
    assert (mine.resource_type_code, mine.cloud_service_type_name) == ("hws.resource.type.vm", "Elastic Cloud Server")
    theirs = rows[(world.theirs.domain_id, EC2, "0")]
    assert (money(theirs.amount), money(theirs.debt_amount)) == (Decimal("7.50"), Decimal("2.50"))
    # the customer that left: its consumption while with A (EC2 11.00 — its OBS 4.00 is a separate row)
    assert money(rows[(world.mover.domain_id, EC2, "0")].amount) == Decimal("11.00")


def test_monthly_sums_filter_by_customer_service_mode_and_kind(live_server, world):
    sdk = client(live_server, world)
    period = sums(sdk, charge_mode="1")
    assert {(r.cloud_service_type, r.bill_type, money(r.amount)) for r in period.bill_sums} == {
        (EVS, "0", Decimal("30.00")), (EVS, "1", Decimal("-5.00"))}
    refunds = sums(sdk, charge_mode="1", bill_type="1")
    assert [(r.customer_id, money(r.amount)) for r in refunds.bill_sums] == [(world.mine.domain_id, Decimal("-5.00"))]
    assert sums(sdk, charge_mode="3", customer_id=world.mover.domain_id).count == 2
    assert sums(sdk, charge_mode="3", cloud_service_type=OBS).count == 1
    assert sums(sdk, charge_mode="3", cloud_service_type="").count == 4  # empty: no filter
    assert sums(sdk, charge_mode="11").count == 0  # savings plans: none here
    # another partner's customer, a made-up one: no rows
    assert sums(sdk, charge_mode="3", customer_id=world.r_customer.domain_id).count == 0


def test_monthly_sums_page_with_an_exact_count(live_server, world):
    sdk = client(live_server, world)
    everything = [(r.customer_id, r.cloud_service_type) for r in sums(sdk, limit=10).bill_sums]
    pages = [sums(sdk, limit=2, offset=offset) for offset in (0, 2, 4)]
    assert [p.count for p in pages] == [4, 4, 4]
    assert [(r.customer_id, r.cloud_service_type) for p in pages for r in p.bill_sums] == everything
    assert len(everything) == 4


def test_monthly_sums_of_a_closed_month_equal_the_open_month_s(live_server, world):
    sdk = client(live_server, world)
    before = {key: (money(r.amount), money(r.debt_amount), money(r.discount_amount)) for key, r in
              _rows(sums(sdk)).items()}
    close(CYCLE)
    after = {key: (money(r.amount), money(r.debt_amount), money(r.discount_amount)) for key, r in
             _rows(sums(sdk)).items()}
    assert after == before
    # a record that came late and landed in the next month is an adjustment there (write-off bill type 2)
    later = periods.next_cycle(CYCLE)
    fee(world.mine, world.mine_assoc, cycle=later, amount="1.25", is_adjustment=True)
    (row,) = sums(sdk, cycle=later).bill_sums
    assert (row.bill_type, money(row.amount)) == ("2", Decimal("1.25"))


def test_monthly_sums_of_a_reseller_only_for_its_distributor(live_server, world):
    d = client(live_server, world, "d")
    (row,) = sums(d, indirect_partner_id=world.r.domain_id).bill_sums
    assert (row.customer_id, money(row.amount)) == (world.r_customer.domain_id, Decimal("8.00"))
    assert sums(d).count == 0  # its own customers consumed nothing
    assert refused(lambda: sums(d, indirect_partner_id=world.a.domain_id)) == (404, NOT_FOUND)
    assert refused(lambda: sums(client(live_server, world), indirect_partner_id=world.r.domain_id)) == (404, NOT_FOUND)


@pytest.mark.parametrize("params", [{"cycle": "2026/03"}, {"cycle": None}, {"charge_mode": None},
                                    {"charge_mode": "2"}, {"bill_type": "3"}, {"limit": 1000}])
def test_monthly_sums_refuse_what_the_documentation_does_not_allow(live_server, world, params):
    sdk = client(live_server, world)
    request = {"cycle": CYCLE, "charge_mode": "3", **params}
    assert refused(lambda: sdk.list_subcustomer_monthly_bills(ListSubcustomerMonthlyBillsRequest(**request))) == (
        400, PARAMETER)


# -------------------------------------------------------------------------------------------------
# list_sub_customer_bill_detail
# -------------------------------------------------------------------------------------------------

def test_fee_records_carry_every_documented_field(live_server, world):
    response = records(client(live_server, world), world.mine.domain_id, x_language="zh_CN")
    assert response.total_count == 3 and response.currency == "CNY"
    refund, order, usage = response.fee_records  # newest first
    assert (usage.bill_detail_type, usage.charging_mode, usage.service_type_code, usage.service_type_name) == (
        5, 3, EC2, "弹性云服务器")
    assert (usage.resource_type_code, usage.resource_type_name, usage.region_code, usage.region_name) == (
        "hws.resource.type.vm", "云主机", "cn-north-4", "华北-北京四")
    assert (usage.customer_id, usage.association_type, usage.bill_cycle, usage.partner_id) == (
        world.mine.domain_id, "2", CYCLE, world.a.domain_id)
    assert (money(usage.official_amount), money(usage.official_discount_amount), money(usage.payment_amount),
            money(usage.cash_amount), money(usage.coupon_amount), money(usage.debt_amount)) == (
        Decimal("110.00"), Decimal("10.00"), Decimal("100.00"), Decimal("80.00"), Decimal("20.00"), Decimal("0.00"))
    assert (Decimal(str(usage.usage_amount)), usage.usage_measure_id, usage.usage_type) == (Decimal("24"), 4, "Duration")
    assert usage.account_manager_id == world.am.user.username and usage.id == world.records["mine"][0].record_id
    assert usage.trade_time.endswith("Z") and usage.consume_time.endswith("Z") and usage.product_id
    assert (order.bill_detail_type, order.order_type, order.trade_id) == (1, 1, "CS2026ORDER1")
    assert (refund.bill_detail_type, refund.order_type, money(refund.payment_amount)) == (4, 4, Decimal("-5.00"))


def test_fee_records_of_the_customer_that_left_are_split_between_the_two_partners(live_server, world):
    a = records(client(live_server, world), world.mover.domain_id)
    b = records(client(live_server, world, "b"), world.mover.domain_id)
    assert sorted(money(r.payment_amount) for r in a.fee_records) == [Decimal("4.00"), Decimal("11.00")]
    assert sorted(money(r.payment_amount) for r in b.fee_records) == [Decimal("6.00"), Decimal("13.00")]
    assert {r.partner_id for r in a.fee_records} == {world.a.domain_id}
    assert (a.total_count, b.total_count) == (2, 2)


def test_fee_records_filter_by_every_documented_filter(live_server, world):
    sdk = client(live_server, world)
    mine = world.mine.domain_id
    usage, order, _refund = world.records["mine"]

    def ids(**filters):
        return [r.id for r in records(sdk, mine, **filters).fee_records]

    assert ids(service_type_code=EC2) == [usage.record_id]
    assert ids(service_type_code="") == []  # an empty string is a condition: no record lacks a service type
    assert ids(region_code="cn-north-4") == [r.record_id for r in reversed(world.records["mine"])]
    assert ids(charging_mode=1, bill_detail_type=1) == [order.record_id]
    assert ids(bill_detail_type=4) == [world.records["mine"][2].record_id]
    assert ids(resource_id=usage.resource_id) == [usage.record_id]
    assert ids(resource_name=usage.resource_name) == [usage.record_id]
    assert ids(trade_id="CS2026ORDER1") == [order.record_id]
    assert ids(account_manager_id=world.am.user.username) == [r.record_id for r in reversed(world.records["mine"])]
    assert ids(account_manager_id=world.am2.user.username) == []
    assert ids(association_type="1") == [] and len(ids(association_type="2")) == 3
    day = f"{CYCLE}-20"
    assert ids(bill_date_begin=day, bill_date_end=day) == [order.record_id]
    assert ids(bill_date_begin=f"{CYCLE}-01", bill_date_end=f"{CYCLE}-19") == [usage.record_id]
    # one of the two alone: by bill_cycle only, as documented
    assert len(ids(bill_date_begin=day)) == 3
    # the region-less record of the other customer
    assert [r.id for r in records(sdk, world.theirs.domain_id, region_code="").fee_records] == [
        world.records["theirs"][0].record_id]


def test_fee_records_page_with_an_exact_total(live_server, world):
    sdk = client(live_server, world)
    every = [r.id for r in records(sdk, world.mine.domain_id).fee_records]
    pages = [records(sdk, world.mine.domain_id, offset=offset, limit=2) for offset in (0, 2)]
    assert [p.total_count for p in pages] == [3, 3]
    assert [r.id for p in pages for r in p.fee_records] == every


def test_fee_records_of_an_account_manager_are_its_team_s(live_server, world):
    am = client(live_server, world, "am")
    assert records(am, world.mine.domain_id).total_count == 3
    assert records(am, world.theirs.domain_id).total_count == 0
    # the customer that left it is still readable for the time it managed it
    assert records(am, world.mover.domain_id).total_count == 2


def test_fee_records_of_a_reseller_s_customer_for_its_distributor(live_server, world):
    d = client(live_server, world, "d")
    assert records(d, world.r_customer.domain_id).total_count == 0
    named = records(d, world.r_customer.domain_id, indirect_partner_id=world.r.domain_id)
    assert named.total_count == 1 and named.fee_records[0].partner_id == world.r.domain_id
    assert refused(lambda: records(d, world.mine.domain_id, indirect_partner_id=world.a.domain_id)) == (404, NOT_FOUND)


def test_another_partners_customer_has_no_records(live_server, world):
    assert records(client(live_server, world, "b"), world.mine.domain_id).total_count == 0
    assert records(client(live_server, world), "made-up-customer").total_count == 0


@pytest.mark.parametrize("params", [
    {"bill_cycle": "2026-3"}, {"bill_cycle": None}, {"customer_id": None},
    {"bill_date_begin": "PREV", "bill_date_end": "PREV"},  # not in bill_cycle's month
    {"bill_date_begin": "END", "bill_date_end": "BEGIN"},  # begin after end
    {"bill_date_begin": "20260301", "bill_date_end": "20260302"}, {"bill_date_begin": "", "bill_date_end": ""},
    {"charging_mode": 2}, {"bill_detail_type": 6}, {"association_type": "3"}, {"association_type": ""},
    {"resource_id": ""}, {"resource_name": ""}, {"trade_id": ""}, {"account_manager_id": ""}, {"limit": 101},
])
def test_fee_records_refuse_what_the_documentation_does_not_allow(live_server, world, params):
    sdk = client(live_server, world)
    days = {"END": f"{CYCLE}-20", "BEGIN": f"{CYCLE}-10", "PREV": f"{periods.previous_cycle(CYCLE)}-10"}
    params = {k: days.get(v, v) for k, v in params.items()}
    request = {"bill_cycle": CYCLE, "customer_id": world.mine.domain_id, **params}
    assert refused(lambda: sdk.list_sub_customer_bill_detail(ListSubCustomerBillDetailRequest(**request))) == (
        400, PARAMETER)


# -------------------------------------------------------------------------------------------------
# Who may call
# -------------------------------------------------------------------------------------------------

def test_customer_keys_and_keys_without_billing_view_are_refused(live_server, world):
    for key in ("customer", "nobody"):
        sdk = client(live_server, world, key)
        assert refused(lambda: consumers(sdk)) == (403, FORBIDDEN)
        assert refused(lambda: sums(sdk)) == (403, FORBIDDEN)
        assert refused(lambda: records(sdk, world.mine.domain_id)) == (403, FORBIDDEN)


def test_a_key_with_billing_view_alone_reads_only_its_own_team(live_server, world):
    finance = client(live_server, world, "finance")
    assert consumers(finance).total_count == 0 and sums(finance).count == 0
    assert records(finance, world.mine.domain_id).total_count == 0
