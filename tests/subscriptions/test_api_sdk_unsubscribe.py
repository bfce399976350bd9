"""Returning resources through the official SDK (huaweicloudsdkbss BssClient) on a live server:
cancel_resources_subscription (退订), show_refund_order_details (查询退款订单的金额详情) of the orders it
makes, customer keys only for the write. The refund is the unused part by subscriptions/refunds.py's rule
(its worked example, checked here through the wire); each documented refusal is a row of
fail_resource_infos or a CBC.0100 for the request, and changes nothing."""

from datetime import datetime, timedelta
from datetime import timezone as dt_timezone
from decimal import Decimal

import pytest
import time_machine
from huaweicloudsdkbss.v2 import ShowRefundOrderDetailsRequest

from catalog.models import Product, ServiceType
from customers.models import Resource
from subscriptions.autorenew import set_auto_renew
from subscriptions.models import AutoRenewal, Unsubscription
from trade import services as trade_services
from trade.models import Order

from ..signed import bss_client
from ..trade.payment_helpers import EC2, balance, verify_ledger
from .api_sdk import (  # noqa: F401 — the fixture world
    auto_renew, buy, customer_client, money, partner_client, refused, renew, state, subordinates, unsubscribe,
    world_fixture,
)

pytestmark = pytest.mark.django_db(transaction=True)

T0 = datetime(2030, 1, 1, tzinfo=dt_timezone.utc)      # the purchase: one month, until 2030-02-01 (31 days)
MID = T0 + timedelta(days=10, hours=12)                # 10.5 days in
SAVING = ("hws.resource.type.vm", "s6.medium.2.linux")  # marked a savings-plan product where a test needs one
NOT_MAIN, RELEASED, NOTHING_TO_REFUND = "CBC.99008101", "CBC.99008102", "CBC.99008104"


def rows(response) -> list[tuple[str, str]]:
    return [(row.resource_id, row.error_code) for row in response.fail_resource_infos]


def refund_rows(client, order_id, **params) -> list[tuple]:
    response = client.show_refund_order_details(ShowRefundOrderDetailsRequest(order_id=order_id, **params))
    assert response.total_count == len(response.refund_infos)
    return [(row.id, money(row.amount), row.base_order_id, row.service_type_code, row.resource_type_code,
             row.region_code, row.customer_id, row.measure_id) for row in response.refund_infos]


@pytest.fixture
def bought(world):
    """The worked example's server (73.70, a 10% handling fee on ECS) with a 40 GB disk (40.00, no fee),
    bought and paid from the balance on T0; auto-renew set."""
    ServiceType.objects.filter(code=EC2).update(unsubscribe_fee_rate=Decimal("0.10"))
    with time_machine.travel(T0, tick=False):
        world.server = buy(world)
        set_auto_renew(world.resale_user, resource_id=world.server.resource_id)
    (world.disk,) = subordinates(world.server)
    return world


# -------------------------------------------------------------------------------------------------
# Unsubscribe
# -------------------------------------------------------------------------------------------------

def test_unsubscribe_mid_period_refunds_the_unused_part_to_the_balance(live_server, bought):
    world, server, disk = bought, bought.server, bought.disk
    before = balance(world.resale)
    base = Order.objects.get(order_id=server.order_id)

    with time_machine.travel(MID, tick=False):
        response = unsubscribe(customer_client(live_server, world), [server.resource_id], reason_type=5,
                               reason="no longer needed")

    (order_id,) = response.order_ids
    assert response.fail_resource_infos == []
    order = Order.objects.get(order_id=order_id)
    # server: used 73.70 × 10.5/31 = 24.96, fee 10% of 48.74 = 4.87, refund 43.87; disk: used 13.55, refund 26.45
    assert (order.order_type, order.status, order.amount_after_discount, order.base_order_id) == (
        4, 5, Decimal("70.32"), base.pk)
    assert balance(world.resale) == before + Decimal("70.32")
    assert list(Resource.objects.filter(pk__in=[server.pk, disk.pk]).values_list("status", flat=True)) == [3, 3]
    assert not AutoRenewal.objects.filter(resource=server).exists()
    unsubscription = Unsubscription.objects.get(order=order)
    assert (unsubscription.resource_id, unsubscription.unsubscribe_type, unsubscription.reason_type,
            unsubscription.reason) == (server.resource_id, 1, 5, "no longer needed")
    assert "Ledger verified" in verify_ledger()

    shown = refund_rows(partner_client(live_server, world), order_id, customer_id=world.resale.domain_id)
    where = (base.order_id, "hws.service.type.ec2", "hws.resource.type.vm", "cn-north-4", world.resale.domain_id, "1")
    disk_at = (base.order_id, "hws.service.type.evs", "hws.resource.type.volume", "cn-north-4", world.resale.domain_id,
               "1")
    assert [row[1:] for row in shown] == [
        (Decimal("-43.87"), *where), (Decimal("24.96"), *where), (Decimal("4.87"), *where),
        (Decimal("-26.45"), *disk_at), (Decimal("13.55"), *disk_at)]
    assert len({row[0] for row in shown}) == 5  # every row its own id
    assert refund_rows(customer_client(live_server, world), order_id) == shown
    # what was paid is what was refunded, used and charged as the fee
    assert sum(-row[1] if row[1] < 0 else row[1] for row in shown) == base.amount_after_discount


def test_unsubscribing_only_the_renewals_moves_the_expiry_back(live_server, world):
    server = buy(world)
    (disk,) = subordinates(server)
    client = customer_client(live_server, world)
    (renewal_id,) = renew(client, [server.resource_id], period_num=2).order_ids
    trade_services.pay_order(world.resale_user, order_id=renewal_id)
    renewed = Resource.objects.get(pk=server.pk).expire_time
    before = balance(world.resale)

    response = unsubscribe(client, [server.resource_id], unsubscribe_type=2)

    (order_id,) = response.order_ids
    assert renewed > server.expire_time
    assert Resource.objects.get(pk=server.pk).expire_time == server.expire_time
    assert Resource.objects.get(pk=disk.pk).expire_time == disk.expire_time
    assert Resource.objects.get(pk=server.pk).status == 2  # still in use
    paid = Order.objects.get(order_id=renewal_id).amount_after_discount
    assert balance(world.resale) == before + paid  # not started: nothing used, no fee on this service type
    shown = refund_rows(customer_client(live_server, world), order_id)
    assert sorted(row[1] for row in shown) == sorted([Decimal("-147.40"), Decimal("-80.00")])
    assert {row[2] for row in shown} == {renewal_id}
    assert "Ledger verified" in verify_ledger()


def test_refused_resources_are_listed_and_change_nothing(live_server, world):
    server, saving = buy(world), buy(world, disk=False, spec=SAVING)
    released, invoiced, plain = (buy(world, disk=False) for _n in range(3))
    (disk,) = subordinates(server)
    Resource.objects.filter(pk=released.pk).update(status=3)
    Product.objects.filter(product_id=saving.product_id).update(is_savings_plan=True)
    Order.objects.filter(order_id=invoiced.order_id).update(invoiceable=True,
                                                           vat_invoice_issued_at=invoiced.effective_time)
    client = customer_client(live_server, world)
    before = state()

    # refused for different reasons: one row each (HTTP 200, nothing unsubscribed)
    first = unsubscribe(client, [disk.resource_id, released.resource_id, saving.resource_id, invoiced.resource_id,
                                 world.b_server.resource_id, "no-such-resource"])

    assert first.order_ids == []
    assert rows(first) == [(disk.resource_id, NOT_MAIN), (released.resource_id, RELEASED),
                           (saving.resource_id, "CBC.30000053"), (invoiced.resource_id, "CBC.99008015"),
                           (world.b_server.resource_id, "CBC.0156"), ("no-such-resource", "CBC.0156")]
    assert all(row.error_msg for row in first.fail_resource_infos)
    # every resource refused for one reason: the request's error, which the SDK raises
    assert refused(lambda: unsubscribe(client, [plain.resource_id], unsubscribe_type=2)) == (400, NOTHING_TO_REFUND)
    assert state() == before


@pytest.mark.parametrize("named", ["saving", "both_savings", "released", "not_mine"])
def test_a_request_refused_for_one_reason_is_an_error_the_sdk_raises(live_server, world, named):
    """Huawei: 400 CBC.30000053 资源计费模式是节省计划，不支持退订 (fail_resource_infos is a reserved field). Every
    resource refused for one reason → that code with its HTTP status, nothing changed."""
    saving, other_saving, released = buy(world, disk=False, spec=SAVING), buy(world, disk=False, spec=SAVING), \
        buy(world, disk=False)
    Product.objects.filter(product_id=saving.product_id).update(is_savings_plan=True)
    Resource.objects.filter(pk=released.pk).update(status=3)
    ids, expected = {
        "saving": ([saving.resource_id], (400, "CBC.30000053")),
        "both_savings": ([saving.resource_id, other_saving.resource_id], (400, "CBC.30000053")),
        "released": ([released.resource_id], (400, RELEASED)),
        "not_mine": ([world.b_server.resource_id, "no-such-resource"], (404, "CBC.0156")),
    }[named]
    before = state()

    assert refused(lambda: unsubscribe(customer_client(live_server, world), ids)) == expected
    assert state() == before


def test_one_refused_resource_does_not_stop_the_others(live_server, world):
    server, saving = buy(world, disk=False), buy(world, disk=False, spec=SAVING)
    Product.objects.filter(product_id=saving.product_id).update(is_savings_plan=True)

    response = unsubscribe(customer_client(live_server, world), [saving.resource_id, server.resource_id])

    assert len(response.order_ids) == 1 and rows(response) == [(saving.resource_id, "CBC.30000053")]
    assert Resource.objects.get(pk=server.pk).status == 3 and Resource.objects.get(pk=saving.pk).status == 2


@pytest.mark.parametrize("case", [
    {"unsubscribe_type": 3}, {"unsubscribe_type": 0}, {"reason_type": 6}, {"reason_type": 0}, {"reason": "x" * 501},
    {"resource_ids": []}, {"resource_ids": [f"r-{n}" for n in range(11)]}, {"resource_ids": "twice"},
])
def test_bad_unsubscribe_requests_are_refused(live_server, world, case):
    server = buy(world)
    ids = case.pop("resource_ids", [server.resource_id])
    if ids == "twice":
        ids = [server.resource_id, server.resource_id]
    before = state()

    assert refused(lambda: unsubscribe(customer_client(live_server, world), ids, **case)) == (400, "CBC.0100")
    assert state() == before


def test_a_partner_key_cannot_unsubscribe(live_server, world):
    server = buy(world)
    before = state()
    assert refused(lambda: unsubscribe(partner_client(live_server, world), [server.resource_id])) == (403, "CBC.0151")
    assert state() == before


# -------------------------------------------------------------------------------------------------
# Refund details: who reads them
# -------------------------------------------------------------------------------------------------

def test_refund_details_are_read_by_the_customer_and_its_partner_only(live_server, world):
    server = buy(world, disk=False)
    (order_id,) = unsubscribe(customer_client(live_server, world), [server.resource_id]).order_ids
    partner = partner_client(live_server, world)
    other_partner = bss_client(live_server.url, ak=world.b.tenant.key.ak, sk=world.b.tenant.secret,
                               domain_id=world.b.partner.domain_id)
    before = state()

    assert len(refund_rows(partner, order_id)) >= 1
    assert refund_rows(partner, server.order_id) == []  # the purchase is not a refund
    for call_sdk in (
        lambda: refund_rows(partner, order_id, customer_id=world.referral.domain_id),  # not that customer's
        lambda: refund_rows(other_partner, order_id),
        lambda: refund_rows(partner, "CS0000000000XXXXX"),
    ):
        assert refused(call_sdk) == (404, "CBC.99008001")
    assert refused(lambda: refund_rows(partner, order_id, indirect_partner_id="0" * 32)) == (404, "CBC.0156")
    assert state() == before
