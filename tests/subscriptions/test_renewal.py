"""Renewing by hand (subscriptions.renewal.renew): one 续订 order for the accepted main resources and their
subordinates, priced by the renewal rating, paid like any order; refusals per resource; the customer's
auto-pay that leaves the order pending when the balance does not cover it; a partner with the customer's
authorization."""

from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta

from customers.models import Resource
from partnercenter.errors import DomainError
from subscriptions import autorenew, renewal
from subscriptions.errors import SubscriptionCodes
from trade import services
from trade.errors import TradeCodes
from trade.models import Order, OrderLine

from ..trade.payment_helpers import World, balance, verify_ledger
from .test_lifecycle import buy

pytestmark = pytest.mark.django_db

MONTH = Decimal("73.70") + Decimal("40.00")  # a server with its 40 GB disk, one month


def codes(outcome):
    return {f.resource_id: f.code for f in outcome.failures}


def test_a_customer_renews_two_servers_with_their_disk_in_one_order_and_paying_extends_them():
    world = World()
    first, [disk] = buy(world)
    second, _none = buy(world, disk=False)

    outcome = renewal.renew(world.resale_user, resource_ids=[first.resource_id, second.resource_id], period_type=2,
                            period_num=2)

    order = outcome.order
    assert outcome.failures == [] and order.status == 6 and order.order_type == 2 and order.source_type == 1
    lines = list(OrderLine.objects.filter(order=order).order_by("id"))
    assert [line.resource_id for line in lines] == [first.resource_id, disk.resource_id, second.resource_id]
    assert [(line.period_type, line.period_num) for line in lines] == [(2, 2)] * 3
    assert order.amount_after_discount == MONTH * 2 + Decimal("73.70") * 2
    before = balance(world.resale)
    services.pay_order(world.resale_user, order_id=order.order_id)
    assert balance(world.resale) == before - order.amount_after_discount
    for resource in (first, disk, second):
        old = resource.expire_time
        resource.refresh_from_db()
        assert resource.expire_time == old + relativedelta(months=2) and resource.status == 2
    assert "Ledger verified" in verify_ledger()


def test_refusals_are_per_resource_and_the_others_still_renew():
    world = World()
    ok, [disk] = buy(world)
    released, _a = buy(world, disk=False)
    switched, _b = buy(world, disk=False)
    pending, _c = buy(world, disk=False)
    Resource.objects.filter(pk=released.pk).update(status=3)
    Resource.objects.filter(pk=switched.pk).update(charging_mode="on_demand", status=1, expire_time=None)
    renewal.renew(world.resale_user, resource_ids=[pending.resource_id], period_type=3, period_num=1)
    orders = Order.objects.count()

    outcome = renewal.renew(world.resale_user, resource_ids=[
        ok.resource_id, disk.resource_id, released.resource_id, switched.resource_id, pending.resource_id, "nope"],
        period_type=3, period_num=1)

    assert codes(outcome) == {disk.resource_id: SubscriptionCodes.NOT_MAIN_RESOURCE,
                              released.resource_id: SubscriptionCodes.RELEASED,
                              switched.resource_id: SubscriptionCodes.WRONG_STATE,
                              pending.resource_id: SubscriptionCodes.RENEWAL_PENDING, "nope": "CBC.0156"}
    assert Order.objects.count() == orders + 1
    assert list(OrderLine.objects.filter(order=outcome.order).values_list("resource_id", flat=True)) == [
        ok.resource_id, disk.resource_id]
    # all refused: no order
    again = renewal.renew(world.resale_user, resource_ids=[ok.resource_id], period_type=3, period_num=1)
    assert again.order is None and codes(again) == {ok.resource_id: SubscriptionCodes.RENEWAL_PENDING}


@pytest.mark.parametrize("ids, period_type, period_num", [
    ([], 2, 1), (["r"] * 2, 2, 1), ([f"r{i}" for i in range(11)], 2, 1), (["r"], 1, 1), (["r"], 4, 1),
    (["r"], 2, 0), (["r"], 2, 12), (["r"], 3, 4), (["r"], "x", 1),
])
def test_bad_arguments_are_refused_and_nothing_is_ordered(ids, period_type, period_num):
    world = World()
    main, _subs = buy(world, disk=False)
    ids = [main.resource_id if rid == "r" else rid for rid in ids]
    with pytest.raises(DomainError) as refused:
        renewal.renew(world.resale_user, resource_ids=ids, period_type=period_type, period_num=period_num)
    assert refused.value.code == "CBC.0100"
    assert Order.objects.filter(order_type=2).count() == 0


def test_auto_pay_pays_from_the_balance_or_leaves_the_order_pending():
    world = World()
    main, [disk] = buy(world, funds=str(MONTH + Decimal("50.00")))  # 50.00 left: less than a month's renewal
    expiry = main.expire_time

    outcome = renewal.renew(world.resale_user, resource_ids=[main.resource_id], period_type=2, period_num=1,
                            auto_pay=True)

    assert outcome.order.status == 6  # placed, not paid: nothing half-done
    assert codes(outcome) == {main.resource_id: TradeCodes.BALANCE_NOT_ENOUGH}
    assert balance(world.resale) == Decimal("50.00")
    main.refresh_from_db()
    assert main.expire_time == expiry

    services.cancel_order(world.resale_user, order_id=outcome.order.order_id)
    world.allocate("100.00")
    paid = renewal.renew(world.resale_user, resource_ids=[main.resource_id], period_type=2, period_num=1,
                         auto_pay=True)
    assert paid.failures == [] and paid.order.status == 5 and paid.order.coupon_amount == 0
    assert balance(world.resale) == Decimal("150.00") - MONTH
    main.refresh_from_db()
    assert main.expire_time == expiry + relativedelta(months=1)
    assert "Ledger verified" in verify_ledger()


def test_a_customer_with_no_balance_cannot_renew():
    world = World()
    main, _subs = buy(world, disk=False, funds="73.70")
    with pytest.raises(DomainError) as refused:
        renewal.renew(world.resale_user, resource_ids=[main.resource_id], period_type=2, period_num=1)
    assert refused.value.code == TradeCodes.BALANCE_NOT_POSITIVE
    assert not Order.objects.filter(order_type=2).exists()


def test_a_renewal_paid_with_a_coupon():
    world = World()
    main, _subs = buy(world, disk=False)
    coupon = world.issue("20.00")
    outcome = renewal.renew(world.resale_user, resource_ids=[main.resource_id], period_type=2, period_num=1)
    before = balance(world.resale)
    paid = services.pay_order(world.resale_user, order_id=outcome.order.order_id, coupon_ids=[coupon])
    assert (paid.coupon_amount, paid.cash_amount) == (Decimal("20.00"), Decimal("53.70"))
    assert balance(world.resale) == before - Decimal("53.70")


def test_a_partner_renews_for_its_customer_only_with_the_authorization():
    world = World()
    main, [disk] = buy(world)
    orderer = world.member_with("orders.place", "customers.view", "customers.view_all")
    viewer = world.member_with("customers.view", "customers.view_all")
    args = {"customer_id": world.resale.domain_id, "resource_ids": [main.resource_id], "period_type": 2,
            "period_num": 1}

    for actor, kwargs, code in [(orderer, {}, TradeCodes.NOT_AUTHORIZED_TO_ORDER),  # no 代客运维 grant yet
                                (orderer, {"customer_id": None}, "CBC.0100"),
                                (orderer, {"customer_id": world.referral.domain_id}, TradeCodes.NOT_AUTHORIZED_TO_ORDER)]:
        with pytest.raises(DomainError) as refused:
            renewal.renew(actor, **{**args, **kwargs})
        assert refused.value.code == code
    world.grant_ops()
    with pytest.raises(DomainError) as refused:
        renewal.renew(viewer, **args)
    assert refused.value.code == TradeCodes.NOT_AUTHORIZED_TO_ORDER
    with pytest.raises(DomainError) as refused:
        renewal.renew(orderer, **args, auto_pay=True)
    assert refused.value.code == "CBC.0100"
    assert not Order.objects.filter(order_type=2).exists()

    outcome = renewal.renew(orderer, **args)
    assert outcome.order.source_type == 2 and outcome.order.partner == world.partner
    paid = services.pay_for_customer(world.admin, order_id=outcome.order.order_id)
    assert paid.payer == "partner"
    disk.refresh_from_db()
    assert disk.expire_time == main.expire_time + relativedelta(months=1)


def test_another_customers_resource_is_not_found():
    world, other = World("w"), World("o")
    theirs, _subs = buy(other, disk=False)
    outcome = renewal.renew(world.resale_user, resource_ids=[theirs.resource_id], period_type=2, period_num=1)
    assert outcome.order is None and codes(outcome) == {theirs.resource_id: "CBC.0156"}
    with pytest.raises(DomainError) as refused:
        autorenew.set_auto_renew(world.resale_user, resource_id=theirs.resource_id)
    assert refused.value.code == "CBC.0156"


def test_renewing_a_resource_whose_subordinate_was_released_renews_only_the_live_ones():
    world = World()
    main, [disk] = buy(world)
    Resource.objects.filter(pk=disk.pk).update(status=3)
    outcome = renewal.renew(world.resale_user, resource_ids=[main.resource_id], period_type=2, period_num=1)
    assert list(OrderLine.objects.filter(order=outcome.order).values_list("resource_id", flat=True)) == [
        main.resource_id]
    assert outcome.order.amount_after_discount == Decimal("73.70")
