"""Unsubscriptions at once, on PostgreSQL (real row locks): two unsubscriptions of one resource → one refund;
a renewal's payment racing an unsubscription → a consistent end state either way round (the renewal paid and
refunded with the rest, or cancelled and its payment refused), each order forced by holding the association's
lock until the other side waits on it, and once as a plain race.

The clock stands still (time-machine, tick=False, seen by every thread), so the amounts are exact: a server of
73.70 bought 2026-01-01 00:00 for a month (31 days) and unsubscribed 2026-01-11 12:00 has used
73.70 × 10.5/31 = 24.9629… → 24.96 and returns 48.74; a renewal not started yet returns whole, 73.70."""

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections, transaction

from billing.models import LedgerEntry
from customers import locks as customer_locks
from customers.models import Association, Resource
from partnercenter.errors import DomainError
from subscriptions import unsubscribing
from subscriptions.errors import SubscriptionCodes
from subscriptions.models import RefundItem, Unsubscription
from subscriptions.outcomes import UnsubscribeOutcome
from trade import services as trade
from trade.errors import TradeCodes
from trade.models import Order

from ..trade.payment_helpers import World, balance, verify_ledger
from ..trade.test_concurrency_pg import at_once
from .refund_helpers import at, buy, renew, resource_of

needs_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL")
pytestmark = [needs_postgres, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

D = Decimal
NOW = "2026-01-11 12:00"


@pytest.fixture
def world():
    with at("2025-12-31 00:00"):
        world = World()
    with at("2026-01-01 00:00"):
        world.allocate("500.00")
    return world


def _unsubscribe(world, vm):
    return lambda: unsubscribing.unsubscribe(world.resale_user, resource_ids=[vm.resource_id], unsubscribe_type=1)


def _wait_until_someone_waits_for_a_lock(other_done):
    """Poll pg_stat_activity until another connection to this database waits on a lock (no sleeping); give up
    when the other job finished without waiting."""
    with connection.cursor() as cursor:
        while not other_done.is_set():
            cursor.execute("SELECT pg_stat_clear_snapshot()")  # inside a transaction the view is read once
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                           "AND datname = current_database()")
            if cursor.fetchone()[0]:
                return
    raise AssertionError("the other job finished without waiting for the lock")


def _holding_the_association(world, then):
    """A job that locks the customer's association, lets the other job start, waits until it queues on a lock,
    then runs `then()` in the same transaction and commits; and `after(other)`, the other job."""
    association = Association.objects.get(customer=world.resale, ended_on__isnull=True)
    holding, other_done = threading.Event(), threading.Event()

    def job():
        with transaction.atomic():
            customer_locks.lock_association(association.pk)
            holding.set()
            _wait_until_someone_waits_for_a_lock(other_done)
            return then()

    def after(other):
        def second():
            holding.wait(30)
            try:
                return other()
            finally:
                other_done.set()
        return second

    return job, after


def test_two_unsubscriptions_of_one_resource_at_once_refund_it_once(world):
    vm = resource_of(buy(world.resale_user, world.resale, when="2026-01-01 00:00"))

    with at(NOW):
        outcomes = at_once([_unsubscribe(world, vm)] * 2)

    assert all(isinstance(o, UnsubscribeOutcome) for o in outcomes), outcomes
    assert sorted(len(o.orders) for o in outcomes) == [0, 1]
    [failure] = [f for o in outcomes for f in o.failures]
    assert failure.code == SubscriptionCodes.RELEASED
    assert RefundItem.objects.count() == 1 and Unsubscription.objects.count() == 1
    assert LedgerEntry.objects.filter(customer=world.resale, trade_type="REFUND").count() == 1
    assert balance(world.resale) == D("500.00") - D("73.70") + D("48.74")
    assert Resource.objects.get(pk=vm.pk).status == 3
    assert "Ledger verified" in verify_ledger()


def _paid_then_unsubscribed(world, vm, renewal):
    """The end state when the renewal was paid first: both lines refunded by one unsubscription."""
    renewal.refresh_from_db()
    assert renewal.status == 5
    [order] = Order.objects.filter(order_type=4)
    assert sorted(RefundItem.objects.filter(order=order).values_list("base_order_id", "refund")) == sorted(
        [(Order.objects.get(order_id=vm.order_id).pk, D("48.74")), (renewal.pk, D("73.70"))])
    assert balance(world.resale) == D("500.00") - D("73.70") - D("73.70") + D("48.74") + D("73.70")


def _unsubscribed_then_refused(world, vm, renewal, paid):
    """The end state when the unsubscription came first: the renewal cancelled, its payment refused."""
    assert isinstance(paid, DomainError) and paid.code == TradeCodes.ORDER_NOT_PENDING, paid
    renewal.refresh_from_db()
    assert renewal.status == 4
    [order] = Order.objects.filter(order_type=4)
    assert list(RefundItem.objects.filter(order=order).values_list("refund", flat=True)) == [D("48.74")]
    assert balance(world.resale) == D("500.00") - D("73.70") + D("48.74")


def _common_end(world, vm):
    assert Resource.objects.get(pk=vm.pk).status == 3
    assert not Order.objects.filter(status=6).exists()  # nothing left waiting for a payment
    assert Unsubscription.objects.count() == 1
    assert "Ledger verified" in verify_ledger()


def test_a_renewal_paid_while_the_unsubscription_waits_is_refunded_with_the_rest(world):
    vm = resource_of(buy(world.resale_user, world.resale, when="2026-01-01 00:00"))
    renewal = renew(world.resale_user, world.resale, vm, when="2026-01-05 00:00", pay=False)

    with at(NOW):
        job, after = _holding_the_association(
            world, lambda: trade.pay_order(world.resale_user, order_id=renewal.order_id))
        paid, outcome = at_once([job, after(_unsubscribe(world, vm))])

    assert isinstance(paid, Order), paid
    assert isinstance(outcome, UnsubscribeOutcome) and outcome.failures == [], outcome
    _paid_then_unsubscribed(world, vm, renewal)
    _common_end(world, vm)


def test_a_renewal_paid_while_the_unsubscription_runs_is_refused(world):
    vm = resource_of(buy(world.resale_user, world.resale, when="2026-01-01 00:00"))
    renewal = renew(world.resale_user, world.resale, vm, when="2026-01-05 00:00", pay=False)

    with at(NOW):
        job, after = _holding_the_association(world, _unsubscribe(world, vm))
        outcome, paid = at_once([job, after(lambda: trade.pay_order(world.resale_user, order_id=renewal.order_id))])

    assert isinstance(outcome, UnsubscribeOutcome) and len(outcome.orders) == 1, outcome
    _unsubscribed_then_refused(world, vm, renewal, paid)
    _common_end(world, vm)


def test_a_renewal_payment_racing_an_unsubscription_ends_consistent(world):
    vm = resource_of(buy(world.resale_user, world.resale, when="2026-01-01 00:00"))
    renewal = renew(world.resale_user, world.resale, vm, when="2026-01-05 00:00", pay=False)

    with at(NOW):
        paid, outcome = at_once([lambda: trade.pay_order(world.resale_user, order_id=renewal.order_id),
                                 _unsubscribe(world, vm)])

    assert isinstance(outcome, UnsubscribeOutcome) and len(outcome.orders) == 1, outcome
    if isinstance(paid, Order):
        _paid_then_unsubscribed(world, vm, renewal)
    else:
        _unsubscribed_then_refused(world, vm, renewal, paid)
    _common_end(world, vm)
    connections.close_all()
