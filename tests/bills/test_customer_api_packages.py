"""The customer's resource packages (资源包) and 95-billed usage through the official SDK: the package list with
its one resource item each (status as of now), the items' current quota cycle, what the packages paid, and
the 95 usage summary and details — filters, paging, each documented error, another customer's never shown,
a partner's key refused."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from huaweicloudsdkbss.v2 import (
    ListFreeResourceInfosReq, ListFreeResourceInfosRequest, ListFreeResourcesUsageRecordsRequest,
    ListFreeResourceUsagesReq, ListFreeResourceUsagesRequest, ListResourceUsageRequest, ListResourceUsageSummaryRequest,
)

from bills.choices import PackageStatus
from catalog.choices import Measure, PackageReset

from ..subscriptions.api_sdk import refused
from .customer_helpers import OBJECTS, OBS, Shop, client_of, fee, package, partner_client, shanghai, usage_point, use

pytestmark = pytest.mark.django_db(transaction=True)

NOW = shanghai("2026-04-15 12:00")
CDN, CDN_TYPE = "hws.service.type.cdn", "hws.resource.type.cdn"


@pytest.fixture(autouse=True)
def april_2026():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def shop(db):
    shop = Shop("e")
    c = shop.customer
    # a monthly-resetting 100 GB traffic package, 60 GB used this cycle (from 04-01)
    shop.traffic = package(c, original="100", remaining="40", effective=shanghai("2026-03-01 00:00"),
                           cycle_start=shanghai("2026-04-01 00:00"), cycle_end=shanghai("2026-05-01 00:00"),
                           expire=shanghai("2027-03-01 00:00"), order_id="CS-TRAFFIC")
    # a one-off 40 GB storage package, used up
    shop.storage = package(c, spec="obs.standard.pkg.40gb", original="40", remaining="0",
                           reset=PackageReset.NOT_RESETTABLE, effective=shanghai("2026-02-01 00:00"),
                           expire=shanghai("2027-02-01 00:00"), usage_type="Duration", order_id="CS-STORAGE")
    # expired on 04-10 (the run that marks it has not come yet), and one that starts in May
    shop.expired = package(c, effective=shanghai("2025-04-10 00:00"), expire=shanghai("2026-04-10 00:00"),
                           region="cn-east-3", order_id="CS-OLD")
    shop.later = package(c, effective=shanghai("2026-05-01 00:00"), status=PackageStatus.PENDING, order_id="CS-LATER")
    # a resettable one whose cycle ended on 04-10: a new cycle began, its whole quota is there again
    shop.reset_due = package(c, original="50", remaining="5", effective=shanghai("2026-01-10 00:00"),
                             cycle_start=shanghai("2026-03-10 00:00"), cycle_end=shanghai("2026-04-10 00:00"),
                             expire=shanghai("2027-01-10 00:00"), order_id="CS-RESET")
    shop.other = Shop("f")
    shop.foreign = package(shop.other.customer, order_id="CS-FOREIGN")
    # what the traffic package paid
    shop.uses = []
    for day, before in ((2, "100"), (5, "70"), (12, "50")):
        record = fee(c, at=shanghai(f"2026-04-{day:02d} 10:00"), service=OBS, resource_type=OBJECTS, official="0.00",
                     usage="10", free_usage="10", usage_type="upflow", measure=Measure.GB, resource_id="bucket-1")
        shop.uses.append(use(shop.traffic, record, "10" if day != 5 else "20", before=before))
    foreign_fee = fee(shop.other.customer, at=shanghai("2026-04-03 10:00"), service=OBS, resource_type=OBJECTS,
                      official="0.00", usage="1", free_usage="1", usage_type="upflow", measure=Measure.GB)
    use(shop.foreign, foreign_fee, "1", before="100")
    return shop


def packages(client, **kwargs):
    return client.list_free_resource_infos(ListFreeResourceInfosRequest(body=ListFreeResourceInfosReq(**kwargs)))


def usages(client, ids):
    return client.list_free_resource_usages(ListFreeResourceUsagesRequest(body=ListFreeResourceUsagesReq(
        free_resource_ids=ids)))


def records(client, **kwargs):
    kwargs.setdefault("deduct_time_begin", "2026-04-01")
    kwargs.setdefault("deduct_time_end", "2026-04-30")
    return client.list_free_resources_usage_records(ListFreeResourcesUsageRecordsRequest(**kwargs))


def listed(response) -> list[tuple]:
    return [(row.order_id, row.status) for row in response.free_resource_packages]


def test_packages_with_their_status_as_of_now(live_server, shop):
    response = packages(client_of(live_server, shop), limit=100)

    assert response.total_count == 5
    assert listed(response) == [("CS-OLD", 3), ("CS-RESET", 1), ("CS-STORAGE", 2), ("CS-TRAFFIC", 1),
                                ("CS-LATER", 0)]
    traffic = response.free_resource_packages[3]
    assert (traffic.order_instance_id, traffic.service_type_code, traffic.region_code, traffic.quota_reuse_mode,
            traffic.bundle_type, traffic.source_type, traffic.enterprise_project_id) == (
        shop.traffic.order_instance_id, OBS, "cn-north-4", 1, "ATOMIC_PKG", 0, "0")
    assert traffic.effective_time == "2026-02-28T16:00:00Z" and traffic.expire_time == "2027-02-28T16:00:00Z"
    (item,) = traffic.free_resources
    assert (item.free_resource_id, item.amount, item.original_amount, item.measure_id) == (
        shop.traffic.order_instance_id, "40", "100", Measure.GB)
    assert response.free_resource_packages[1].free_resources[0].amount == "50"  # a new cycle: the whole quota


def test_package_filters_and_paging(live_server, shop):
    client = client_of(live_server, shop)

    assert listed(packages(client, status=1)) == [("CS-RESET", 1), ("CS-TRAFFIC", 1)]
    assert listed(packages(client, status=3)) == [("CS-OLD", 3)]
    assert listed(packages(client, region_code="cn-east-3")) == [("CS-OLD", 3)]
    assert listed(packages(client, order_id="CS-STORAGE")) == [("CS-STORAGE", 2)]
    assert listed(packages(client, order_id="CS-FOREIGN")) == []
    assert len(listed(packages(client, product_id=shop.traffic.product.product_id))) == 3
    assert listed(packages(client, product_name="40GB")) == [("CS-STORAGE", 2)]
    assert len(listed(packages(client, service_type_code_list=["HWS.SERVICE.TYPE.OBS"]))) == 5
    assert listed(packages(client, service_type_code_list=["hws.service.type.ec2"])) == []
    assert listed(packages(client, enterprise_project_id="ep")) == []
    first, second = packages(client, limit=3), packages(client, offset=3, limit=3)
    assert listed(first) + listed(second) == listed(packages(client, limit=100)) and second.total_count == 5
    assert refused(lambda: packages(client, status=5)) == (400, "CBC.0100")
    assert refused(lambda: packages(client, limit=101)) == (400, "CBC.0100")
    assert refused(lambda: packages(partner_client(live_server, shop))) == (403, "CBC.0151")


def test_the_current_quota_cycle_of_named_items(live_server, shop):
    client = client_of(live_server, shop)

    response = usages(client, [shop.traffic.order_instance_id, shop.reset_due.order_instance_id,
                               shop.storage.order_instance_id, shop.foreign.order_instance_id, "no-such"])
    found = {row.free_resource_id: row for row in response.free_resources}
    assert set(found) == {shop.traffic.order_instance_id, shop.reset_due.order_instance_id,
                          shop.storage.order_instance_id}  # never another customer's
    traffic = found[shop.traffic.order_instance_id]
    assert (traffic.quota_reuse_cycle, traffic.quota_reuse_cycle_type, traffic.start_time, traffic.end_time) == (
        4, 1, "2026-03-31T16:00:00Z", "2026-04-30T16:00:00Z")
    assert (Decimal(str(traffic.amount)), Decimal(str(traffic.original_amount))) == (Decimal("40"), Decimal("100"))
    reset = found[shop.reset_due.order_instance_id]  # rolled on a month: 04-10 to 05-10, by the order's day
    assert (reset.quota_reuse_cycle_type, reset.start_time, reset.end_time, Decimal(str(reset.amount))) == (
        2, "2026-04-09T16:00:00Z", "2026-05-09T16:00:00Z", Decimal("50"))
    storage = found[shop.storage.order_instance_id]  # not resettable: its whole life
    assert (storage.quota_reuse_cycle, storage.start_time, Decimal(str(storage.amount))) == (
        None, "2026-01-31T16:00:00Z", Decimal("0"))
    assert usages(client, [shop.foreign.order_instance_id]).free_resources == []
    assert refused(lambda: usages(client, [])) == (400, "CBC.0100")
    assert refused(lambda: usages(client, [f"id-{n}" for n in range(101)])) == (400, "CBC.0100")
    assert refused(lambda: usages(client, ["x" * 65])) == (400, "CBC.0100")
    assert refused(lambda: usages(partner_client(live_server, shop), ["x"])) == (403, "CBC.0151")


def test_what_the_packages_paid(live_server, shop):
    client = client_of(live_server, shop)

    response = records(client)
    assert response.total_count == 3
    rows = response.free_resource_records
    assert [(row.used_amount, row.available_amount, row.remaining_amount) for row in rows] == [
        ("10", "50", "40"), ("20", "70", "50"), ("10", "100", "90")]
    newest = rows[0]
    assert (newest.free_resource_id, newest.resource_id, newest.resource_type_code, newest.usage_type_code,
            newest.product_id, newest.measure_id, newest.deduct_time) == (
        shop.traffic.order_instance_id, "bucket-1", OBJECTS, "upflow", shop.traffic.product.product_id, Measure.GB,
        "2026-04-12T03:00:00Z")
    assert records(client, deduct_time_begin="2026-04-05", deduct_time_end="2026-04-05").total_count == 1
    assert records(client, free_resource_id=shop.traffic.order_instance_id).total_count == 3
    assert records(client, free_resource_id=shop.foreign.order_instance_id).total_count == 0
    assert records(client, product_id="nothing").total_count == 0
    assert records(client, resource_type_code=OBJECTS).total_count == 3
    assert [row.used_amount for row in records(client, offset=1, limit=1).free_resource_records] == ["20"]
    assert records(client_of(live_server, shop.other)).total_count == 1


def test_package_use_refusals(live_server, shop):
    client = client_of(live_server, shop)

    assert refused(lambda: records(client, deduct_time_begin=None)) == (400, "CBC.0100")
    assert refused(lambda: records(client, deduct_time_end="2026-04")) == (400, "CBC.0100")
    assert refused(lambda: records(client, deduct_time_begin="2026-04-10", deduct_time_end="2026-04-09")) == (
        400, "CBC.0100")
    assert records(client, deduct_time_begin="2026-01-01", deduct_time_end="2026-04-01").total_count == 0  # 90 days
    assert refused(lambda: records(client, deduct_time_begin="2026-01-01", deduct_time_end="2026-04-02")) == (
        400, "CBC.99009047")
    assert refused(lambda: records(partner_client(live_server, shop))) == (403, "CBC.0151")


# -------------------------------------------------------------------------------------------------
# 95 billing
# -------------------------------------------------------------------------------------------------

@pytest.fixture
def bandwidth(shop):
    """cdn-1: 40 five-minute samples of 1…40 Mbps in March; cdn-2: one in March and one in April; an enhanced-95
    resource; another customer's samples."""
    start = shanghai("2026-03-01 00:00")
    for n in range(40):
        usage_point(shop.customer, resource_id="cdn-1", begin=start + timedelta(minutes=5 * n), amount=n + 1)
    usage_point(shop.customer, resource_id="cdn-2", begin=start, amount="7.5")
    usage_point(shop.customer, resource_id="cdn-2", begin=shanghai("2026-04-02 00:00"), amount="3")
    usage_point(shop.customer, resource_id="cdn-3", begin=start, amount="9", usage_type="95peak_plus", minutes=60)
    usage_point(shop.other.customer, resource_id="cdn-x", begin=start, amount="99")
    return shop


def summary(client, cycle="2026-03", usage_type="95Peak", **kwargs):
    return client.list_resource_usage_summary(ListResourceUsageSummaryRequest(
        bill_cycle=cycle, service_type_code=CDN, resource_type_code=CDN_TYPE, usage_type=usage_type, **kwargs))


def details(client, resource_id="cdn-1", cycle="2026-03", **kwargs):
    return client.list_resource_usage(ListResourceUsageRequest(
        bill_cycle=cycle, service_type_code=CDN, resource_type_code=CDN_TYPE, usage_type="95Peak",
        resource_id=resource_id, **kwargs))


def test_the_95_summary_per_resource(live_server, bandwidth):
    client = client_of(live_server, bandwidth)

    march = summary(client)
    assert march.total_count == 2
    cdn1, cdn2 = march.summary_usage_info_list
    # 40 samples: the top 5% (2) dropped, the next is billed; 40 × 5 min = 0.1388… days
    assert (cdn1.resource_id, cdn1.band_width, cdn1.actual_days, cdn1.band_width_measure_id) == (
        "cdn-1", "38", "0.13888888888888888889", Measure.MBPS)
    assert (cdn2.resource_id, cdn2.band_width, cdn2.monthly_peak_band_width) == ("cdn-2", "7.5", None)
    april = summary(client, cycle="2026-04")  # the month is not over: the resources only
    assert [(row.resource_id, row.band_width, row.actual_days) for row in april.summary_usage_info_list] == [
        ("cdn-2", None, "0.00347222222222222222")]
    plus = summary(client, usage_type="95peak_plus").summary_usage_info_list
    assert [(row.resource_id, row.band_width, row.monthly_peak_band_width) for row in plus] == [("cdn-3", "9", "9")]
    assert [row.resource_id for row in summary(client, offset=1, limit=1).summary_usage_info_list] == ["cdn-2"]
    assert summary(client, usage_type="bandwidth95peak").summary_usage_info_list == []
    assert summary(client, cycle="2026-02").total_count == 0


def test_the_95_details_of_a_resource(live_server, bandwidth):
    client = client_of(live_server, bandwidth)

    first = details(client, limit=3)
    assert first.total_count == 40 and first.band_width == "38" and first.band_width_measure_id == Measure.MBPS
    assert [(row.stat_time, row.usage, row.measure_id) for row in first.usage_info_list] == [
        ("2026-02-28T16:00:00Z", "1", Measure.MBPS), ("2026-02-28T16:05:00Z", "2", Measure.MBPS),
        ("2026-02-28T16:10:00Z", "3", Measure.MBPS)]
    assert [row.usage for row in details(client, offset=38, limit=10).usage_info_list] == ["39", "40"]
    nothing = details(client, resource_id="cdn-x")  # another customer's resource
    assert (nothing.total_count, nothing.usage_info_list, nothing.band_width) == (0, [], None)


def test_95_refusals(live_server, bandwidth):
    client = client_of(live_server, bandwidth)

    assert refused(lambda: client.list_resource_usage_summary(ListResourceUsageSummaryRequest(
        bill_cycle="2026-03", service_type_code="hws.service.type.ec2", resource_type_code=CDN_TYPE,
        usage_type="95Peak"))) == (400, "CBC.0100")
    assert refused(lambda: summary(client, usage_type="Duration")) == (400, "CBC.0100")
    assert refused(lambda: summary(client, cycle="03-2026")) == (400, "CBC.0100")
    assert refused(lambda: details(client, resource_id=None)) == (400, "CBC.0100")
    assert refused(lambda: summary(partner_client(live_server, bandwidth))) == (403, "CBC.0151")
    assert refused(lambda: details(partner_client(live_server, bandwidth))) == (403, "CBC.0151")
