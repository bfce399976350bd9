"""Payments at once, on PostgreSQL (real row locks): 50 orders of one customer paid concurrently against a
balance that covers exactly 20 of them → exactly 20 paid, the balance never below zero, the ledger exact;
one order paid twice at the same moment → paid once, by one movement."""

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connection, connections

from billing.models import LedgerEntry
from customers.models import Resource
from partnercenter.errors import DomainError
from trade import services
from trade.errors import TradeCodes
from trade.models import Order

from .payment_helpers import World, balance, period_item, verify_ledger

needs_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL")
pytestmark = [needs_postgres, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

SERVER = ("hws.resource.type.vm", "s6.small.1.linux")  # 73.70 a month
PRICE = Decimal("73.70")


def at_once(jobs):
    """Run every job in its own thread and connection, all released together; their outcomes (a result
    or the exception raised), in order."""
    start = threading.Barrier(len(jobs))

    def run(job):
        try:
            start.wait(30)
            return job()
        except Exception as exc:  # a DomainError is the expected refusal; anything else fails below
            return exc
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        return list(pool.map(run, jobs))


def test_fifty_payments_against_a_balance_for_twenty_pay_exactly_twenty():
    world = World(funds="5000.00")
    world.allocate(str(PRICE * 20))
    orders = [services.place_order(world.resale_user, customer_id=world.resale.domain_id,
                                   items=[period_item(*SERVER)]) for _i in range(50)]

    outcomes = at_once([lambda order=order: services.pay_order(world.resale_user, order_id=order.order_id)
                        for order in orders])

    paid = [o for o in outcomes if isinstance(o, Order)]
    refused = [o for o in outcomes if isinstance(o, DomainError)]
    assert len(paid) == 20 and len(refused) == 30, [o for o in outcomes if not isinstance(o, (Order, DomainError))]
    assert {o.code for o in refused} <= {TradeCodes.BALANCE_NOT_ENOUGH, TradeCodes.BALANCE_NOT_POSITIVE}
    assert balance(world.resale) == Decimal("0.00")
    assert Order.objects.filter(status=5).count() == 20 and Order.objects.filter(status=6).count() == 30
    purchases = LedgerEntry.objects.filter(customer=world.resale, trade_type="PURCHASE").order_by("id")
    assert purchases.count() == 20
    assert min(purchases.values_list("balance_after", flat=True)) == Decimal("0.00")  # never below zero
    assert Resource.objects.filter(customer=world.resale).count() == 20
    assert "Ledger verified" in verify_ledger()


def test_the_same_order_paid_twice_at_once_is_paid_once():
    world = World()
    world.allocate("500.00")
    order = services.place_order(world.resale_user, customer_id=world.resale.domain_id, items=[period_item(*SERVER)])
    cash = world.issue("10.00")

    outcomes = at_once([lambda: services.pay_order(world.resale_user, order_id=order.order_id, coupon_ids=[cash])] * 2)

    assert sorted(type(o).__name__ for o in outcomes) == ["DomainError", "Order"], outcomes
    [refusal] = [o for o in outcomes if isinstance(o, DomainError)]
    assert refusal.code == TradeCodes.ORDER_NOT_PENDING
    assert balance(world.resale) == Decimal("500.00") - PRICE + Decimal("10.00")
    assert LedgerEntry.objects.filter(trade_type="PURCHASE").count() == 1
    assert Resource.objects.filter(order_id=order.order_id).count() == 1
    assert "Ledger verified" in verify_ledger()


def test_the_customer_and_its_partner_paying_one_order_at_once_pay_it_once():
    world = World()
    world.allocate("500.00")
    world.grant_ops()
    order = services.place_order(world.admin, customer_id=world.resale.domain_id, items=[period_item(*SERVER)])

    outcomes = at_once([lambda: services.pay_order(world.resale_user, order_id=order.order_id),
                        lambda: services.pay_for_customer(world.admin, order_id=order.order_id)])

    assert sorted(type(o).__name__ for o in outcomes) == ["DomainError", "Order"], outcomes
    assert LedgerEntry.objects.filter(trade_type="PURCHASE").count() == 1
    order.refresh_from_db()
    assert order.status == 5 and "Ledger verified" in verify_ledger()


def test_an_order_placed_while_a_type_switch_ends_the_resale_association_gets_no_partner_discount():
    """The customer orders while its switch to referral is being decided: place_order waits for the
    association's lock, finds the new (referral) association and prices again — no 607 row from the resale
    association that ended while it waited."""
    from catalog.models import ServiceType
    from customers import locks as customer_locks
    from customers import services as customers
    from customers.models import Association
    from trade.models import OrderDiscount, PartnerDiscount

    world = World()
    PartnerDiscount.objects.create(partner=world.partner, customer=world.resale, rate=Decimal("0.9000"),
                                   service_type=ServiceType.objects.get(code="hws.service.type.ec2"))
    switch = customers.request_type_switch(world.admin, customer_id=world.resale.domain_id, reason="r")
    resale = Association.objects.get(customer=world.resale, ended_on__isnull=True)
    holding = threading.Event()

    def decide():
        from django.db import transaction

        with transaction.atomic():
            customer_locks.lock_association(resale.pk)
            holding.set()
            with connection.cursor() as cursor:  # until the order waits on that lock (no sleeping)
                for _ in range(100_000):
                    cursor.execute("SELECT pg_stat_clear_snapshot()")  # inside a transaction the view is read once
                    cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                                   "AND datname = current_database()")
                    if cursor.fetchone()[0]:
                        break
            customers.decide_event(world.resale_user, event_id=switch.pk, approve=True)

    def order():
        holding.wait(30)
        return services.place_order(world.resale_user, customer_id=world.resale.domain_id,
                                    items=[period_item(*SERVER)])

    decided, placed = at_once([decide, order])

    assert not isinstance(decided, Exception), decided
    assert isinstance(placed, Order), placed
    assert (placed.official_amount, placed.discount_amount) == (PRICE, Decimal("0.00"))
    assert not OrderDiscount.objects.filter(order=placed).exists()
    assert Association.objects.get(customer=world.resale, ended_on__isnull=True).association_type == "1"
