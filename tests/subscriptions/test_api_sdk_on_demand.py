"""Switching to pay-per-use through the official SDK (huaweicloudsdkbss BssClient) on a live server,
customer keys only: update_period_to_on_demand (SET_UP / CANCEL at expiry, per-row error_details) and
update_period_to_on_demand_instantly (at once, with the refund of the unused part, one result per
resource). Each documented refusal is its row's code or a CBC.0100 for the request, and changes nothing."""

from datetime import datetime, timedelta
from datetime import timezone as dt_timezone
from decimal import Decimal

import pytest
import time_machine
from huaweicloudsdkbss.v2 import ShowRefundOrderDetailsRequest

from catalog.choices import ChargeMode
from customers.models import Resource
from subscriptions.autorenew import set_auto_renew
from subscriptions.models import AutoRenewal
from trade.models import Order

from ..trade.payment_helpers import balance, product, verify_ledger
from .api_sdk import (  # noqa: F401 — the fixture world
    OBS_PACKAGE, SERVER, buy, customer_client, instantly, money, partner_client, refused, state, subordinates,
    to_on_demand, world_fixture,
)

pytestmark = pytest.mark.django_db(transaction=True)

T0 = datetime(2030, 1, 1, tzinfo=dt_timezone.utc)      # bought for one month, until 2030-02-01 (31 days)
MID = T0 + timedelta(days=10, hours=12)
WRONG_STATE, NOT_MAIN, RELEASED, NO_PRODUCT = "CBC.99008103", "CBC.99008101", "CBC.99008102", "CBC.99006006"


def errors(response) -> list[tuple[str, str]]:
    return [(row.id, row.error_code) for row in response.error_details]


def policies(*resources) -> list:
    return [Resource.objects.get(pk=r.pk).expire_policy for r in resources]


# -------------------------------------------------------------------------------------------------
# update_period_to_on_demand
# -------------------------------------------------------------------------------------------------

def test_set_up_and_cancel_the_switch_at_expiry(live_server, world):
    server, other = buy(world), buy(world, disk=False)
    (disk,) = subordinates(server)
    set_auto_renew(world.resale_user, resource_id=server.resource_id)
    client = customer_client(live_server, world)

    set_up = to_on_demand(client, [server.resource_id, other.resource_id], "SET_UP")

    assert set_up.error_details == []
    assert policies(server, disk, other) == [1, 1, 1]
    assert not AutoRenewal.objects.filter(resource=server).exists()  # switching at expiry ends auto-renew
    assert Resource.objects.get(pk=server.pk).charging_mode == "period"  # until it expires

    cancelled = to_on_demand(client, [server.resource_id], "CANCEL")

    assert cancelled.error_details == [] and policies(server, disk, other) == [0, 0, 1]
    again = to_on_demand(client, [server.resource_id, other.resource_id], "CANCEL")
    assert errors(again) == [(server.resource_id, WRONG_STATE)]  # only where it was set; the other is cancelled
    assert policies(server, disk, other) == [0, 0, 0]


def test_refused_resources_are_listed_and_the_others_set(live_server, world):
    server, package = buy(world), buy(world, disk=False, spec=OBS_PACKAGE)
    released, plain = buy(world, disk=False), buy(world, disk=False)
    (disk,) = subordinates(server)
    Resource.objects.filter(pk=released.pk).update(status=3)

    response = to_on_demand(customer_client(live_server, world), [
        disk.resource_id, released.resource_id, package.resource_id, world.b_server.resource_id, "no-such",
        plain.resource_id], "SET_UP")

    assert errors(response) == [(disk.resource_id, NOT_MAIN), (released.resource_id, RELEASED),
                                (package.resource_id, NO_PRODUCT), (world.b_server.resource_id, "CBC.0156"),
                                ("no-such", "CBC.0156")]
    assert all(row.error_msg for row in response.error_details)
    assert policies(disk, released, package, world.b_server, plain) == [0, 0, 0, 0, 1]


@pytest.mark.parametrize("operation, ids", [
    ("SETUP", None), ("cancel", None), ("SET_UP", []), ("SET_UP", [f"r-{n}" for n in range(101)]), ("SET_UP", "twice"),
])
def test_bad_to_on_demand_requests_are_refused(live_server, world, operation, ids):
    server = buy(world)
    ids = [server.resource_id] * 2 if ids == "twice" else (ids if ids is not None else [server.resource_id])
    before = state()

    assert refused(lambda: to_on_demand(customer_client(live_server, world), ids, operation)) == (400, "CBC.0100")
    assert state() == before


def test_a_hundred_resources_may_be_named(live_server, world):
    server = buy(world)
    ids = [server.resource_id] + [f"r-{n}" for n in range(99)]

    response = to_on_demand(customer_client(live_server, world), ids, "SET_UP")

    assert len(response.error_details) == 99 and policies(server) == [1]


# -------------------------------------------------------------------------------------------------
# update_period_to_on_demand_instantly
# -------------------------------------------------------------------------------------------------

def test_an_instant_switch_refunds_the_unused_part_and_continues_pay_per_use(live_server, world):
    with time_machine.travel(T0, tick=False):
        server = buy(world)
        set_auto_renew(world.resale_user, resource_id=server.resource_id)
    (disk,) = subordinates(server)
    before = balance(world.resale)

    with time_machine.travel(MID, tick=False):
        response = instantly(customer_client(live_server, world), [server.resource_id])

    (result,) = response.to_ondemand_service_results
    assert (result.resource_id, result.result, result.error_code, result.error_msg) == (
        server.resource_id, "SUCCESS", None, None)
    order = Order.objects.get(order_id=result.order_id)
    # used 73.70 × 10.5/31 = 24.96 and 40.00 × 10.5/31 = 13.55: 48.74 + 26.45 back, no handling fee here
    assert (order.order_type, order.status, order.amount_after_discount) == (10, 5, Decimal("75.19"))
    assert balance(world.resale) == before + Decimal("75.19")
    on_demand = product(*SERVER, mode=ChargeMode.ON_DEMAND)
    switched = Resource.objects.get(pk=server.pk)
    assert (switched.charging_mode, switched.status, switched.expire_time, switched.expire_policy,
            switched.product_id) == ("on_demand", 1, None, None, on_demand.product_id)
    assert Resource.objects.get(pk=disk.pk).charging_mode == "on_demand"
    assert not AutoRenewal.objects.filter(resource=server).exists()
    assert "Ledger verified" in verify_ledger()

    refund = partner_client(live_server, world).show_refund_order_details(
        ShowRefundOrderDetailsRequest(order_id=result.order_id))
    assert sorted(money(row.amount) for row in refund.refund_infos) == sorted(
        [Decimal("-48.74"), Decimal("24.96"), Decimal("-26.45"), Decimal("13.55")])
    assert {row.base_order_id for row in refund.refund_infos} == {server.order_id}


def test_refused_instant_switches_are_failed_results_and_change_nothing(live_server, world):
    server, expired, package = buy(world), buy(world, disk=False), buy(world, disk=False, spec=OBS_PACKAGE)
    (disk,) = subordinates(server)
    Resource.objects.filter(pk=expired.pk).update(status=5)  # in its grace period
    before = state()

    response = instantly(customer_client(live_server, world), [
        disk.resource_id, expired.resource_id, package.resource_id, world.b_server.resource_id])

    assert [(r.resource_id, r.result, r.error_code, r.order_id) for r in response.to_ondemand_service_results] == [
        (disk.resource_id, "FAIL", NOT_MAIN, None), (expired.resource_id, "FAIL", WRONG_STATE, None),
        (package.resource_id, "FAIL", NO_PRODUCT, None), (world.b_server.resource_id, "FAIL", "CBC.0156", None)]
    assert all(r.error_msg for r in response.to_ondemand_service_results)
    assert state() == before


@pytest.mark.parametrize("ids", [[], [f"r-{n}" for n in range(11)], ["x" * 65], "twice"])
def test_bad_instant_switch_requests_are_refused(live_server, world, ids):
    server = buy(world)
    ids = [server.resource_id] * 2 if ids == "twice" else ids
    before = state()

    assert refused(lambda: instantly(customer_client(live_server, world), ids)) == (400, "CBC.0100")
    assert state() == before


def test_a_partner_key_cannot_switch(live_server, world):
    server = buy(world)
    client = partner_client(live_server, world)
    before = state()

    assert refused(lambda: to_on_demand(client, [server.resource_id])) == (403, "CBC.0151")
    assert refused(lambda: instantly(client, [server.resource_id])) == (403, "CBC.0151")
    assert state() == before
