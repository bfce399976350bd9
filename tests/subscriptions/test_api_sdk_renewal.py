"""Renewing through the official SDK (huaweicloudsdkbss BssClient) on a live server, customer keys only:
renewal_resources (续订包年/包月资源), set_resources_renew_config (自动续费扣款日 / 统一到期日),
auto_renewal_resources and cancel_auto_renewal_resources (自动续费). Each success does what it says; each
documented refusal answers its CBC code — per resource in fail_resource_infos where the endpoint has one —
and a refused request changes nothing (resources, orders, auto-renewals, settings, balances, the ledger)."""

from datetime import datetime, timedelta, timezone as dt_timezone
from decimal import Decimal

import pytest
import time_machine
from dateutil.relativedelta import relativedelta
from huaweicloudsdkbss.v2 import ListRenewRateOnPeriodReq, ListRenewRateOnPeriodRequest

from billing import services as billing
from customers.models import Resource
from subscriptions.models import AutoRenewal, RenewConfig
from trade import discounts
from trade import services as trade_services
from trade.models import Order

from ..trade.payment_helpers import EC2, EVS, balance, verify_ledger
from .api_sdk import (  # noqa: F401 — the fixture world
    DISK, auto_renew, buy, cancel_auto_renew, customer_client, partner_client, refused, renew, renew_config, state,
    subordinates, world_fixture,
)

pytestmark = pytest.mark.django_db(transaction=True)

NOT_MAIN, RELEASED, PENDING = "CBC.99008101", "CBC.99008102", "CBC.99008106"
AUTO_RENEW_NOT_SET = "CBC.99008105"


def rows(response) -> list[tuple[str, str]]:
    return [(row.resource_id, row.error_code) for row in response.fail_resource_infos]


# -------------------------------------------------------------------------------------------------
# renewal_resources
# -------------------------------------------------------------------------------------------------

def test_renew_places_one_pending_renewal_order_for_the_server_and_its_disk(live_server, world):
    server = buy(world)
    (disk,) = subordinates(server)
    expiry, before = server.expire_time, balance(world.resale)

    response = renew(customer_client(live_server, world), [server.resource_id], period_type=2, period_num=2)

    (order_id,) = response.order_ids
    assert response.fail_resource_infos == []
    order = Order.objects.get(order_id=order_id)
    assert (order.order_type, order.status, order.customer_id, order.source_type) == (2, 6, world.resale.pk, 1)
    assert sorted(order.lines.values_list("resource_id", "period_type", "period_num")) == sorted(
        [(server.resource_id, 2, 2), (disk.resource_id, 2, 2)])
    assert order.amount_after_discount == Decimal("227.40")  # (73.70 + 40 × 1.00) × 2 months
    # not paid: nothing moves until the customer pays it
    assert Resource.objects.get(pk=server.pk).expire_time == expiry and balance(world.resale) == before

    trade_services.pay_order(world.resale_user, order_id=order_id)
    assert Resource.objects.get(pk=server.pk).expire_time == expiry + relativedelta(months=2)
    assert Resource.objects.get(pk=disk.pk).expire_time == disk.expire_time + relativedelta(months=2)


def test_renew_with_auto_pay_pays_from_the_balance_and_extends_the_expiry(live_server, world):
    server = buy(world)
    (disk,) = subordinates(server)
    before = balance(world.resale)

    response = renew(customer_client(live_server, world), [server.resource_id], period_type=2, period_num=3,
                     is_auto_pay=1)

    (order_id,) = response.order_ids
    order = Order.objects.get(order_id=order_id)
    assert response.fail_resource_infos == [] and order.status == 5 and order.payer == "customer"
    assert order.amount_after_discount == Decimal("341.10") and balance(world.resale) == before - Decimal("341.10")
    assert Resource.objects.get(pk=server.pk).expire_time == server.expire_time + relativedelta(months=3)
    assert Resource.objects.get(pk=disk.pk).expire_time == disk.expire_time + relativedelta(months=3)
    assert "Ledger verified" in verify_ledger()


def test_renew_lists_the_refused_resources_and_renews_the_others(live_server, world):
    server, second, released = buy(world), buy(world, disk=False), buy(world, disk=False)
    (disk,) = subordinates(server)
    Resource.objects.filter(pk=released.pk).update(status=3)
    client = customer_client(live_server, world)
    renew(client, [second.resource_id])  # pending: a second renewal of it would extend it twice

    response = renew(client, [server.resource_id, disk.resource_id, second.resource_id, released.resource_id,
                              world.b_server.resource_id, "no-such-resource"])

    (order_id,) = response.order_ids
    assert sorted(Order.objects.get(order_id=order_id).lines.values_list("resource_id", flat=True)) == sorted(
        [server.resource_id, disk.resource_id])
    assert rows(response) == [(disk.resource_id, NOT_MAIN), (second.resource_id, PENDING),
                              (released.resource_id, RELEASED), (world.b_server.resource_id, "CBC.0156"),
                              ("no-such-resource", "CBC.0156")]
    assert all(row.error_msg for row in response.fail_resource_infos)


def test_renew_of_nothing_renewable_places_no_order(live_server, world):
    before = state()

    response = renew(customer_client(live_server, world), [world.b_server.resource_id])

    assert response.order_ids == [] and rows(response) == [(world.b_server.resource_id, "CBC.0156")]
    assert state() == before


def test_an_auto_pay_the_balance_does_not_cover_leaves_the_order_pending(live_server, world):
    server = buy(world)
    before = balance(world.resale)

    response = renew(customer_client(live_server, world), [server.resource_id], period_type=3, period_num=3,
                     is_auto_pay=1)

    (order_id,) = response.order_ids
    assert rows(response) == [(server.resource_id, "CBC.99008004")]
    assert Order.objects.get(order_id=order_id).status == 6  # the customer may still pay it, or cancel it
    assert balance(world.resale) == before
    assert Resource.objects.get(pk=server.pk).expire_time == server.expire_time


def test_a_customer_whose_balance_is_zero_cannot_renew(live_server, world):
    server = buy(world)
    billing.reclaim_from_customer(world.admin, customer_id=world.resale.domain_id, amount=str(balance(world.resale)))
    before = state()

    assert refused(lambda: renew(customer_client(live_server, world), [server.resource_id])) == (400, "CBC.99008003")
    assert state() == before


@pytest.mark.parametrize("case", [
    {"period_type": 1}, {"period_type": 4}, {"period_num": 0}, {"period_num": 12}, {"period_type": 3, "period_num": 4},
    {"is_auto_pay": 2}, {"resource_ids": []}, {"resource_ids": [f"r-{n}" for n in range(11)]},
    {"resource_ids": ["x" * 65]}, {"resource_ids": "twice"},
])
def test_bad_renewal_requests_are_refused(live_server, world, case):
    server = buy(world)
    ids = case.pop("resource_ids", [server.resource_id])
    if ids == "twice":
        ids = [server.resource_id, server.resource_id]
    before = state()

    assert refused(lambda: renew(customer_client(live_server, world), ids, **case)) == (400, "CBC.0100")
    assert state() == before


def test_a_partner_key_cannot_renew_or_set_auto_renew(live_server, world):
    server = buy(world)
    client = partner_client(live_server, world)
    before = state()

    assert refused(lambda: renew(client, [server.resource_id])) == (403, "CBC.0151")
    assert refused(lambda: auto_renew(client, server.resource_id)) == (403, "CBC.0151")
    assert refused(lambda: cancel_auto_renew(client, server.resource_id)) == (403, "CBC.0151")
    assert refused(lambda: renew_config(client, "DEDUCTION_DATE", "3")) == (403, "CBC.0151")
    assert state() == before


# -------------------------------------------------------------------------------------------------
# set_resources_renew_config
# -------------------------------------------------------------------------------------------------

def test_renew_config_sets_the_deduction_day_and_the_unified_expiry_day(live_server, world):
    client = customer_client(live_server, world)

    first = renew_config(client, "DEDUCTION_DATE", "3")
    second = renew_config(client, "EXPIRE_DATE", "-1")
    third = renew_config(client, "EXPIRE_DATE", "28")

    assert (first.error_code, second.error_code, third.error_code) == ("CBC.0000",) * 3
    assert first.error_msg
    config = RenewConfig.objects.get(customer=world.resale)
    assert (config.deduction_days, config.expire_day) == (3, 28)
    assert not RenewConfig.objects.exclude(customer=world.resale).exists()


@pytest.mark.parametrize("name, value", [
    ("DEDUCTION_DATE", "1"), ("DEDUCTION_DATE", "8"), ("DEDUCTION_DATE", "x"), ("DEDUCTION_DATE", "2.5"),
    ("EXPIRE_DATE", "0"), ("EXPIRE_DATE", "29"), ("EXPIRE_DATE", "-2"), ("EXPIRE_DATE", ""), ("DUE_DATE", "3"),
])
def test_bad_renew_config_is_refused(live_server, world, name, value):
    client = customer_client(live_server, world)
    renew_config(client, "DEDUCTION_DATE", "5")
    before = state()

    assert refused(lambda: renew_config(client, name, value)) == (400, "CBC.0100")
    assert state() == before


# -------------------------------------------------------------------------------------------------
# auto_renewal_resources / cancel_auto_renewal_resources
# -------------------------------------------------------------------------------------------------

def test_auto_renew_is_set_for_the_server_and_its_disk_and_reset_and_cancelled(live_server, world):
    server = buy(world)
    (disk,) = subordinates(server)
    client = customer_client(live_server, world)

    auto_renew(client, server.resource_id, body=False)  # no body: no limit, the period of the last order
    first = AutoRenewal.objects.get(resource=server)
    assert (first.times, first.period_type, first.customer_id) == (0, "MONTH", world.resale.pk)
    assert list(Resource.objects.filter(pk__in=[server.pk, disk.pk]).values_list("expire_policy", flat=True)) == [3, 3]

    auto_renew(client, server.resource_id, times=5, period_type="YEAR")
    auto_renew(client, server.resource_id, times=2)  # the period is kept
    again = AutoRenewal.objects.get(resource=server)
    assert (again.times, again.period_type) == (2, "YEAR") and AutoRenewal.objects.count() == 1

    cancel_auto_renew(client, server.resource_id)
    assert not AutoRenewal.objects.filter(resource=server).exists()
    assert list(Resource.objects.filter(pk__in=[server.pk, disk.pk]).values_list("expire_policy", flat=True)) == [0, 0]
    before = state()
    assert refused(lambda: cancel_auto_renew(client, server.resource_id)) == (400, AUTO_RENEW_NOT_SET)
    assert state() == before


def test_auto_renew_of_a_yearly_resource_renews_by_year(live_server, world):
    from catalog.choices import PeriodType
    from trade.pricing import Item

    from ..trade.payment_helpers import product

    found = product("hws.resource.type.vm", "s6.small.1.linux")
    order = trade_services.place_order(world.resale_user, customer_id=world.resale.domain_id, items=[
        Item(id="1", product=found, subscription_num=1, period_type=PeriodType.YEAR, period_num=1)])
    trade_services.pay_order(world.resale_user, order_id=order.order_id)
    server = Resource.objects.get(order_id=order.order_id)

    auto_renew(customer_client(live_server, world), server.resource_id, times=3)

    assert AutoRenewal.objects.values_list("times", "period_type").get(resource=server) == (3, "YEAR")


@pytest.mark.parametrize("case", ["disk", "released", "b's", "made up", "times 100", "times -1", "period DAY"])
def test_refused_auto_renew_changes_nothing(live_server, world, case):
    server = buy(world)
    (disk,) = subordinates(server)
    auto_renew(customer_client(live_server, world), server.resource_id, times=1)
    if case == "released":
        Resource.objects.filter(pk=server.pk).update(status=3)
    target, body = server.resource_id, {}
    expected = {"disk": (400, NOT_MAIN), "released": (400, RELEASED), "b's": (404, "CBC.0156"),
                "made up": (404, "CBC.0156")}.get(case, (400, "CBC.0100"))
    target = {"disk": disk.resource_id, "b's": world.b_server.resource_id, "made up": "no-such"}.get(case, target)
    body = {"times 100": {"times": 100}, "times -1": {"times": -1}, "period DAY": {"period_type": "DAY"}}.get(case, {})
    before = state()

    assert refused(lambda: auto_renew(customer_client(live_server, world), target, **body)) == expected
    if case in ("disk", "b's", "made up"):
        assert refused(lambda: cancel_auto_renew(customer_client(live_server, world), target)) == expected
    assert state() == before


def test_a_retried_renewal_with_auto_pay_and_the_same_idempotency_key_pays_once(world):
    """The renew endpoint moves money (is_auto_pay): a retry after a lost answer replays the first result."""
    from django.test import Client

    from billing.models import IdempotencyKey
    from trade.models import Order

    from ..signed import call
    from ..trade.payment_helpers import balance

    main = buy(world)
    before = balance(world.resale)
    body = {"resource_ids": [main.resource_id], "period_type": 2, "period_num": 1, "is_auto_pay": 1}
    answers = [call(Client(), "POST", "/v2/orders/subscriptions/resources/renew", ak=world.customer_key.ak,
                    sk=world.customer_secret, json=body, extra={"X-Idempotency-Key": "renew-1"}) for _ in range(2)]
    assert [a.status_code for a in answers] == [200, 200]
    assert answers[0].json() == answers[1].json() and answers[1]["Idempotent-Replayed"] == "true"
    assert Order.objects.filter(customer=world.resale, order_type=2, status=5).count() == 1
    assert balance(world.resale) == before - Order.objects.get(customer=world.resale, order_type=2).amount_after_discount
    assert IdempotencyKey.objects.filter(key="renew-1").count() == 1


# -------------------------------------------------------------------------------------------------
# renew-rate (list_renew_rate_on_period) agrees with the renewal order: the unified expiry day's days
# -------------------------------------------------------------------------------------------------

def test_renew_rate_charges_the_unified_expiry_days_as_the_renewal_order_does(live_server, world):
    """test_unified_expiry's worked example through the wire: expire_day -1, the partner gives 90% on ECS and
    95% on EVS; bought 2030-01-05 12:00 Beijing (expires 02-05 12:00), rated and renewed 2030-01-25 12:00 for
    two months: natural expiry 2030-04-05 12:00 → 04-30 12:00, 25 extra days.
        server official 147.40 + 73.70 × 25/30 = 208.81666… → 208.82; amount 132.66 + 55.275 = 187.935 → 187.94
        disk   official  80.00 + 40.00 × 25/30 = 113.33333… → 113.33; amount  76.00 + 31.666… → 107.67
        order  official 322.15, amount 295.61 (whole months alone: 132.66 + 76.00 = 208.66)"""
    def beijing(text):
        return datetime.fromisoformat(text).replace(tzinfo=dt_timezone(timedelta(hours=8)))

    def rate(client, ids, relative):
        response = client.list_renew_rate_on_period(ListRenewRateOnPeriodRequest(body=ListRenewRateOnPeriodReq(
            resource_ids=ids, period_type=2, period_num=2, include_relative_resources=relative)))
        return ([(row.resource_id, row.amount) for row in response.renew_inquiry_results],
                response.official_website_rating_result.official_website_amount)

    with time_machine.travel(beijing("2030-01-05 12:00"), tick=False):
        server = buy(world)
        for code, rate_of in ((EC2, "0.90"), (EVS, "0.95")):
            discounts.set_discount(world.admin, customer_id=world.resale.domain_id, service_type_code=code,
                                   rate=rate_of)
    client = customer_client(live_server, world)

    with time_machine.travel(beijing("2030-01-25 12:00"), tick=False):
        before = rate(client, [server.resource_id], True)
        renew_config(client, "EXPIRE_DATE", "-1")
        with_disk = rate(client, [server.resource_id], True)
        alone = rate(client, [server.resource_id], False)
        by_partner = rate(partner_client(live_server, world), [server.resource_id], True)
        (order_id,) = renew(client, [server.resource_id], period_type=2, period_num=2).order_ids

    order = Order.objects.get(order_id=order_id)
    assert (order.official_amount, order.amount_after_discount) == (Decimal("322.15"), Decimal("295.61"))
    assert before == ([(server.resource_id, "208.66")], "227.40")  # no setting yet: whole months
    assert with_disk == ([(server.resource_id, "295.61")], "322.15")  # the order's, to the fen
    assert by_partner == with_disk  # a partner key rates its customer's resources as the customer's order
    assert alone == ([(server.resource_id, "187.94")], "208.82")  # the server's line of the order
    assert sorted(order.lines.values_list("extra_days", "amount_after_discount")) == [
        (25, Decimal("107.67")), (25, Decimal("187.94"))]
