"""Unsubscribing and switching at once to pay-per-use (subscriptions/unsubscribing.py): each documented refusal
changes nothing (balances, coupons, resources, orders, refunds, events — compared before and after); a batch
refuses per resource and does the rest; a partner acts only under a valid 代客运维 grant; pending renewals are
cancelled; the instant switch turns the resource and its subordinates into pay-per-use ones."""

from decimal import Decimal

import pytest

from catalog.choices import ChargeMode
from catalog.models import Product
from events.models import Event
from partnercenter.actors import Actor
from partnercenter.choices import ActorKind
from partnercenter.errors import Codes, DomainError
from partnercenter.models import OperationLog
from subscriptions import unsubscribing
from subscriptions.errors import SubscriptionCodes
from subscriptions.models import AutoRenewal
from tests.trade.payment_helpers import World, balance, period_item, product, verify_ledger
from trade import services as trade
from trade.errors import TradeCodes
from trade.models import Order

from .refund_helpers import DISK, SERVER, at, buy, renew, resource_of, snapshot

pytestmark = pytest.mark.django_db

D = Decimal
NOW = "2026-01-11 12:00"


@pytest.fixture
def world():
    with at("2025-12-31 00:00"):
        world = World()
    with at("2026-01-01 00:00"):
        world.allocate("500.00")
    return world


@pytest.fixture
def vm(world):
    return resource_of(buy(world.resale_user, world.resale, when="2026-01-01 00:00"))


def refused(world, run, code):
    """`run()` is refused with `code` — as a Failure row or raised — and nothing changed."""
    before = snapshot(world.resale)
    with at(NOW):
        try:
            outcome = run()
        except DomainError as exc:
            assert exc.code == code, exc
        else:
            failures = getattr(outcome, "failures", None)
            if failures is None:  # to_on_demand_instantly's rows
                failures = [row for row in outcome if not row.ok]
                assert [row.code for row in failures] == [code], outcome
            else:
                assert [f.code for f in failures] == [code], failures
                assert outcome.orders == []
    assert snapshot(world.resale) == before


def unsubscribe(world, *ids, actor=None, **kwargs):
    kwargs.setdefault("unsubscribe_type", 1)
    return lambda: unsubscribing.unsubscribe(actor or world.resale_user, resource_ids=list(ids), **kwargs)


@pytest.mark.parametrize("kwargs", [
    {"unsubscribe_type": 3}, {"unsubscribe_type": None}, {"unsubscribe_type": "1.0"}, {"unsubscribe_type": True},
    {"reason_type": 6}, {"reason_type": "x"}, {"reason": "x" * 501},
])
def test_bad_arguments_are_parameter_errors(world, vm, kwargs):
    refused(world, unsubscribe(world, vm.resource_id, **kwargs), Codes.PARAMETER)


def test_resource_id_lists_hold_one_to_ten_different_ids(world, vm):
    refused(world, unsubscribe(world), Codes.PARAMETER)
    refused(world, unsubscribe(world, *[f"r{i}" for i in range(11)]), Codes.PARAMETER)
    refused(world, unsubscribe(world, vm.resource_id, vm.resource_id), Codes.PARAMETER)
    refused(world, lambda: unsubscribing.to_on_demand_instantly(world.resale_user, resource_ids=[]), Codes.PARAMETER)


def test_a_subordinate_resource_is_refused(world):
    bought = buy(world.resale_user, world.resale, when="2026-01-01 00:00",
                 items=[period_item(*SERVER, item_id="vm"), period_item(*DISK, size=40, item_id="disk")])
    disk = resource_of(bought, main=False)
    refused(world, unsubscribe(world, disk.resource_id), SubscriptionCodes.NOT_MAIN_RESOURCE)


def test_a_released_resource_is_refused_and_refunded_once(world, vm):
    with at(NOW):
        assert len(unsubscribing.unsubscribe(world.resale_user, resource_ids=[vm.resource_id],
                                             unsubscribe_type=1).orders) == 1
    refused(world, unsubscribe(world, vm.resource_id), SubscriptionCodes.RELEASED)
    refused(world, unsubscribe(world, vm.resource_id, unsubscribe_type=2), SubscriptionCodes.RELEASED)


def test_a_savings_plan_resource_is_refused(world, vm):
    Product.objects.filter(product_id=vm.product_id).update(is_savings_plan=True)
    refused(world, unsubscribe(world, vm.resource_id), SubscriptionCodes.SAVINGS_PLAN)
    refused(world, lambda: unsubscribing.to_on_demand_instantly(world.resale_user, resource_ids=[vm.resource_id]),
            SubscriptionCodes.SAVINGS_PLAN)


def test_type_2_without_an_unstarted_renewal_is_refused(world, vm):
    refused(world, unsubscribe(world, vm.resource_id, unsubscribe_type=2), SubscriptionCodes.NOTHING_TO_REFUND)


def test_a_partner_paid_referral_order_with_its_vat_invoice_issued_is_refused(world):
    with at("2026-01-01 00:00"):
        order = trade.place_order(world.referral_user, customer_id=world.referral.domain_id,
                                  items=[period_item(*SERVER)])
        trade.request_partner_payment(world.referral_user, order_id=order.order_id)
        paid = trade.pay_for_customer(world.admin, order_id=order.order_id)
        assert paid.invoiceable
        trade.record_vat_invoice(Actor(ActorKind.OPERATOR), order_id=order.order_id)
    vm = resource_of(order)
    before = snapshot(world.referral)
    with at(NOW):
        outcome = unsubscribing.unsubscribe(world.referral_user, resource_ids=[vm.resource_id], unsubscribe_type=1)
    assert [f.code for f in outcome.failures] == [TradeCodes.INVOICED]
    assert snapshot(world.referral) == before


def test_no_vat_invoice_is_recorded_for_an_order_that_was_unsubscribed(world):
    """The other way round (test_vat_invoice_pg.py races them): the partner-paid order, unsubscribed first,
    can no longer get its VAT invoice — its invoiceable amount changed. Refused and logged, nothing changed."""
    with at("2026-01-01 00:00"):
        order = trade.place_order(world.referral_user, customer_id=world.referral.domain_id,
                                  items=[period_item(*SERVER)])
        trade.request_partner_payment(world.referral_user, order_id=order.order_id)
        trade.pay_for_customer(world.admin, order_id=order.order_id)
    with at(NOW):
        [refund] = unsubscribing.unsubscribe(world.referral_user, resource_ids=[resource_of(order).resource_id],
                                             unsubscribe_type=1).orders
    before = snapshot(world.referral)
    with pytest.raises(DomainError) as caught:
        trade.record_vat_invoice(Actor(ActorKind.OPERATOR), order_id=order.order_id)
    assert caught.value.code == Codes.CONFLICT and refund.order_id in str(caught.value.message)
    assert Order.objects.get(pk=order.pk).vat_invoice_issued_at is None
    assert snapshot(world.referral) == before
    assert OperationLog.objects.filter(action="order.vat_invoice").get().result == "failure"


def test_someone_elses_resource_is_not_found(world, vm):
    with at("2026-01-01 00:00"):
        other = World(tag="o")
    refused(world, unsubscribe(world, vm.resource_id, actor=other.resale_user), Codes.NOT_FOUND)
    refused(world, unsubscribe(world, vm.resource_id, actor=world.referral_user), Codes.NOT_FOUND)
    with pytest.raises(DomainError) as caught:
        unsubscribing.preview(other.resale_user, resource_id=vm.resource_id, unsubscribe_type=1)
    assert caught.value.code == Codes.NOT_FOUND


def test_a_partner_needs_the_ops_grant_and_orders_place(world, vm):
    refused(world, unsubscribe(world, vm.resource_id, actor=world.admin, customer_id=world.resale.domain_id),
            TradeCodes.NOT_AUTHORIZED_TO_ORDER)
    with at("2026-01-01 00:00"):
        world.grant_ops()
    viewer = world.member_with("customers.view")
    refused(world, unsubscribe(world, vm.resource_id, actor=viewer, customer_id=world.resale.domain_id),
            Codes.FORBIDDEN)
    refused(world, unsubscribe(world, vm.resource_id, actor=world.admin), Codes.PARAMETER)  # customer_id required

    with at(NOW):
        outcome = unsubscribing.unsubscribe(world.admin, customer_id=world.resale.domain_id,
                                            resource_ids=[vm.resource_id], unsubscribe_type=1)
    [order] = outcome.orders
    assert (order.source_type, order.partner_id) == (2, world.partner.pk)
    assert OperationLog.objects.filter(action="subscription.unsubscribe", partner=world.partner,
                                       result="success").exists()
    assert "Ledger verified" in verify_ledger()


def test_a_batch_refuses_per_resource_and_does_the_rest(world, vm):
    other = resource_of(buy(world.resale_user, world.resale, when="2026-01-01 00:00"))
    with at(NOW):
        outcome = unsubscribing.unsubscribe(world.resale_user, resource_ids=[vm.resource_id, "nope", other.resource_id],
                                            unsubscribe_type=1)
    assert [(f.resource_id, f.code) for f in outcome.failures] == [("nope", Codes.NOT_FOUND)]
    assert len(outcome.orders) == 2
    assert {o.base_order.order_id for o in outcome.orders} == {vm.order_id, other.order_id}


def test_pending_renewals_of_the_resource_are_cancelled(world, vm):
    pending = renew(world.resale_user, world.resale, vm, when="2026-01-05 00:00", pay=False)
    with at(NOW):
        unsubscribing.unsubscribe(world.resale_user, resource_ids=[vm.resource_id], unsubscribe_type=1)
    pending.refresh_from_db()
    assert pending.status == 4 and pending.cancelled_at is not None
    assert Event.objects.filter(type="order.cancelled", data__order_id=pending.order_id).exists()
    with at(NOW), pytest.raises(DomainError) as caught:
        trade.pay_order(world.resale_user, order_id=pending.order_id)
    assert caught.value.code == TradeCodes.ORDER_NOT_PENDING


def test_type_1_ends_the_auto_renewal(world, vm):
    AutoRenewal.objects.create(resource=vm, customer=world.resale, period_type="MONTH")
    with at(NOW):
        unsubscribing.unsubscribe(world.resale_user, resource_ids=[vm.resource_id], unsubscribe_type=1)
    assert not AutoRenewal.objects.exists()


def test_the_preview_is_the_refund_made(world, vm):
    with at(NOW):
        plan = unsubscribing.preview(world.resale_user, resource_id=vm.resource_id, unsubscribe_type=1)
        assert (plan.total_paid, plan.total_used, plan.total_fee, plan.total_refund) == (
            D("73.70"), D("24.96"), D("0.00"), D("48.74"))
        [order] = unsubscribing.unsubscribe(world.resale_user, resource_ids=[vm.resource_id],
                                            unsubscribe_type=1).orders
    assert order.amount_after_discount == plan.total_refund


# ---------------------------------------------------------------------------------------------
# 即时转按需
# ---------------------------------------------------------------------------------------------

def test_an_instant_switch_refunds_the_unused_part_and_continues_pay_per_use(world):
    """Server 73.70 + 40 GB SSD 40.00 bought 2026-01-01, switched 2026-01-16 00:00 (15 of 31 days): the same
    refund as an unsubscription then — 38.04 + 20.65 = 58.69 — and both continue pay-per-use."""
    bought = buy(world.resale_user, world.resale, when="2026-01-01 00:00",
                 items=[period_item(*SERVER, item_id="vm"), period_item(*DISK, size=40, item_id="disk")])
    vm, disk = resource_of(bought), resource_of(bought, main=False)
    AutoRenewal.objects.create(resource=vm, customer=world.resale, period_type="MONTH")

    with at("2026-01-16 00:00"):
        [result] = unsubscribing.to_on_demand_instantly(world.resale_user, resource_ids=[vm.resource_id])

    assert (result.resource_id, result.result, result.code) == (vm.resource_id, "SUCCESS", "")
    order = Order.objects.get(order_id=result.order_id)
    assert (order.order_type, order.status, order.amount_after_discount, order.cash_amount) == (
        10, 5, D("58.69"), D("58.69"))
    assert balance(world.resale) == D("444.99")  # 500.00 − 113.70 + 58.69
    for resource, spec in ((vm, SERVER), (disk, DISK)):
        resource.refresh_from_db()
        assert (resource.charging_mode, resource.status, resource.expire_time, resource.expire_policy) == (
            "on_demand", 1, None, None)
        assert resource.product_id == product(*spec, mode=ChargeMode.ON_DEMAND).product_id
    assert not AutoRenewal.objects.exists()
    assert Event.objects.get(type="subscription.switched").data["order_id"] == order.order_id
    assert "Ledger verified" in verify_ledger()
    # now pay-per-use: no longer a yearly/monthly resource to switch or unsubscribe
    refused(world, lambda: unsubscribing.to_on_demand_instantly(world.resale_user, resource_ids=[vm.resource_id]),
            Codes.NOT_FOUND)


def test_an_instant_switch_needs_a_resource_in_use_and_a_pay_per_use_product(world, vm):
    from customers.models import Resource

    Resource.objects.filter(pk=vm.pk).update(status=5)  # grace period
    refused(world, lambda: unsubscribing.to_on_demand_instantly(world.resale_user, resource_ids=[vm.resource_id]),
            SubscriptionCodes.WRONG_STATE)
    Resource.objects.filter(pk=vm.pk).update(status=2)
    Product.objects.filter(pk=product(*SERVER, mode=ChargeMode.ON_DEMAND).pk).update(is_active=False)
    refused(world, lambda: unsubscribing.to_on_demand_instantly(world.resale_user, resource_ids=[vm.resource_id]),
            TradeCodes.PRODUCT_NOT_FOUND)


def test_unsubscribing_the_renewals_ends_auto_renew_so_the_scheduler_does_not_buy_them_again():
    """Type 2 gives the renewals back; with auto-renew left on, the next run would buy them again at once."""
    from datetime import timedelta

    import time_machine

    from subscriptions import autorenew, renewal
    from subscriptions.models import AutoRenewal
    from tests.subscriptions.test_lifecycle import buy
    from tests.trade.payment_helpers import World, balance

    world = World()
    main, _disk = buy(world)
    expiry = main.expire_time
    autorenew.set_auto_renew(world.resale_user, resource_id=main.resource_id)
    with time_machine.travel(expiry - timedelta(days=10), tick=False):
        renewal.renew(world.resale_user, resource_ids=[main.resource_id], period_type=2, period_num=1, auto_pay=True)
    with time_machine.travel(expiry - timedelta(days=5), tick=False):
        unsubscribing.unsubscribe(world.resale_user, resource_ids=[main.resource_id], unsubscribe_type=2)
        after_refund = balance(world.resale)
        assert autorenew.run_due() == {"paid": 0, "unpaid": 0, "failed": 0}
    main.refresh_from_db()
    assert (main.expire_time, main.expire_policy) == (expiry, 0)
    assert not AutoRenewal.objects.filter(resource=main).exists()
    assert balance(world.resale) == after_refund
