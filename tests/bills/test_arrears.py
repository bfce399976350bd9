"""Arrears paid when money arrives (欠费核销) — by an allocation, a batch allocation, a refund to the balance —
and trade's refusal to sell to a customer in arrears (客户欠费)."""

from decimal import Decimal

import pytest

from billing import services as billing
from bills.choices import FeeStatus
from bills.models import LowBalanceSetting
from customers.models import Customer, Resource
from partnercenter.errors import DomainError
from subscriptions import unsubscribing
from subscriptions.models import RefundPayout
from trade import services as trade
from trade.errors import TradeCodes

from ..trade.payment_helpers import period_item
from .rating_helpers import ECS, D, World, account, check_books, fee_of, ledger, on_demand_resource, rate, usage

pytestmark = pytest.mark.django_db


def in_arrears(world, hours=3, *, limit=None):
    """The resale customer owes 0.22 × `hours` (no balance), its pay-per-use server frozen when `limit` is
    reached."""
    if limit is not None:
        LowBalanceSetting.objects.create(partner=world.partner, customer=world.resale, threshold=D("0"),
                                         zero_balance_policy="arrears", arrears_limit=D(limit))
    server = on_demand_resource(world.resale)
    records = [usage(world.resale, ECS, resource_id=server.resource_id) for _i in range(hours)]
    rate()
    return server, [fee_of(r) for r in sorted(records, key=lambda r: r.pk)]


def test_an_allocation_pays_the_arrears_first_oldest_records_first():
    world = World()
    server, fees = in_arrears(world, limit="0.40")
    assert account(world.resale).arrears == D("0.66") and Resource.objects.get(pk=server.pk).status == 3

    world.allocate("0.50")

    acct = account(world.resale)
    assert (acct.balance, acct.arrears) == (D("0.00"), D("0.16"))
    fees = [type(f).objects.get(pk=f.pk) for f in fees]
    assert [(f.debt_amount, f.writeoff_amount, f.status) for f in fees] == [
        (D("0.00"), D("0.22"), FeeStatus.PAID), (D("0.00"), D("0.22"), FeeStatus.PAID),
        (D("0.16"), D("0.06"), FeeStatus.UNSETTLED)]
    assert ledger(world.resale)[-3:] == [("cash", "BEADJUST", D("0.50"), D("0.50")),
                                         ("cash", "WRITEOFF", D("-0.50"), D("0.00")),
                                         ("arrears", "WRITEOFF", D("-0.50"), D("0.16"))]
    assert Customer.objects.get(pk=world.resale.pk).in_debt
    assert Resource.objects.get(pk=server.pk).status == 3  # frozen until the arrears are paid
    check_books()

    world.allocate("100.00")

    acct = account(world.resale)
    assert (acct.balance, acct.arrears) == (D("99.84"), D("0.00"))
    assert all(type(f).objects.get(pk=f.pk).status == FeeStatus.PAID for f in fees)
    assert not Customer.objects.get(pk=world.resale.pk).in_debt
    assert Resource.objects.get(pk=server.pk).status == 1
    check_books()


def test_a_batch_allocation_pays_the_arrears_of_each_customer():
    world = World()
    in_arrears(world, hours=2)
    usage(world.referral, ECS)  # the referral customer owes 0.22 too (it receives no allocation)
    rate()
    rows = billing.batch_allocate(world.admin, rows=[(world.resale.domain_id, "1.00")])
    assert rows[0]["ok"]
    acct = account(world.resale)
    assert (acct.balance, acct.arrears) == (D("0.56"), D("0.00"))
    assert account(world.referral).arrears == D("0.22")
    check_books()


def test_a_refund_to_the_balance_pays_the_arrears():
    world = World()
    world.allocate("100.00")
    order = trade.place_order(world.resale_user, customer_id=world.resale.domain_id, items=[period_item()])
    trade.pay_order(world.resale_user, order_id=order.order_id)  # 73.70 → balance 26.30
    for _i in range(200):  # 44.00 of usage: 26.30 cash, 17.70 arrears
        usage(world.resale, ECS)
    rate()
    assert (account(world.resale).balance, account(world.resale).arrears) == (D("0.00"), D("17.70"))
    resource = order.customer.resources.get(order_id=order.order_id)

    unsubscribing.unsubscribe(world.resale_user, resource_ids=[resource.resource_id], unsubscribe_type=1)

    refunded = sum(p.amount for p in RefundPayout.objects.filter(destination="customer_balance"))
    assert refunded > D("17.70")
    acct = account(world.resale)
    assert (acct.balance, acct.arrears) == (refunded - D("17.70"), D("0.00"))
    assert not Customer.objects.get(pk=world.resale.pk).in_debt
    check_books()


def test_a_customer_in_arrears_cannot_order_or_pay():
    world = World()
    world.allocate("100.00")
    world.grant_ops()
    pending = trade.place_order(world.resale_user, customer_id=world.resale.domain_id, items=[period_item()])
    agent = trade.place_order(world.admin, customer_id=world.resale.domain_id, items=[period_item()])
    Customer.objects.filter(pk=world.resale.pk).update(in_debt=True)
    world.resale.refresh_from_db()

    for attempt in (
            lambda: trade.place_order(world.resale_user, customer_id=world.resale.domain_id, items=[period_item()]),
            lambda: trade.place_order(world.admin, customer_id=world.resale.domain_id, items=[period_item()]),
            lambda: trade.pay_order(world.resale_user, order_id=pending.order_id),
            lambda: trade.pay_for_customer(world.admin, order_id=agent.order_id)):
        with pytest.raises(DomainError) as refused:
            attempt()
        assert refused.value.code == TradeCodes.CUSTOMER_IN_ARREARS
        assert str(refused.value.message) == "客户存在欠费。"  # zh-hans, the default language (客户欠费)
    assert account(world.resale).balance == D("100.00")


def test_arrears_block_purchases_until_paid():
    world = World()
    in_arrears(world, hours=1)
    with pytest.raises(DomainError) as refused:
        trade.place_order(world.resale_user, customer_id=world.resale.domain_id, items=[period_item()])
    assert refused.value.code == TradeCodes.CUSTOMER_IN_ARREARS
    world.allocate("100.00")
    order = trade.place_order(world.resale_user, customer_id=world.resale.domain_id, items=[period_item()])
    paid = trade.pay_order(world.resale_user, order_id=order.order_id)
    assert paid.cash_amount == D("73.70") and account(world.resale).balance == D("100.00") - D("0.22") - D("73.70")
    check_books()


def test_the_ledger_check_sees_arrears_that_do_not_add_up():
    from io import StringIO

    from django.core.management import CommandError, call_command

    from billing.models import CustomerAccount

    world = World()
    in_arrears(world, hours=1)
    CustomerAccount.objects.filter(customer=world.resale).update(arrears=Decimal("0.30"))
    with pytest.raises(CommandError):
        call_command("verify_ledger", stdout=StringIO(), stderr=StringIO())
