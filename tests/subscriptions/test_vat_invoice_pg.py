"""A VAT invoice and an unsubscription of one partner-paid referral (顾问销售) order at once, on PostgreSQL (real
row locks): exactly one of them happens. The invoice locks the order (trade.services.record_vat_invoice); the
unsubscription locks the orders it refunds at the same step (subscriptions/locks.py, step 5). Each order is
forced by holding the order's lock until the other side waits on it, and once as a plain race.

The clock stands still (time-machine, tick=False, seen by every thread): a server of 73.70 bought 2026-01-01
00:00 for a month (31 days), paid by the partner (余额支付), unsubscribed 2026-01-11 12:00 has used
73.70 × 10.5/31 = 24.9629… → 24.96 and returns 48.74 to the partner's account."""

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections, transaction

from partnercenter.actors import Actor
from partnercenter.choices import ActorKind
from partnercenter.errors import Codes, DomainError
from partnercenter.models import OperationLog
from subscriptions import unsubscribing
from subscriptions.models import RefundItem, Unsubscription
from subscriptions.outcomes import UnsubscribeOutcome
from trade import services as trade
from trade.errors import TradeCodes
from trade.models import Order

from ..trade.payment_helpers import World, partner_cash, period_item, verify_ledger
from ..trade.test_concurrency_pg import at_once
from .refund_helpers import SERVER, at, resource_of
from .test_unsubscribe_pg import _wait_until_someone_waits_for_a_lock

needs_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL")
pytestmark = [needs_postgres, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

D = Decimal
NOW = "2026-01-11 12:00"
OPERATOR = Actor(ActorKind.OPERATOR)


@pytest.fixture
def world():
    with at("2025-12-31 00:00"):
        return World()


@pytest.fixture
def paid(world):
    """The referral customer's server, paid by the partner: counted in the customer's invoiceable amount."""
    with at("2026-01-01 00:00"):
        order = trade.place_order(world.referral_user, customer_id=world.referral.domain_id,
                                  items=[period_item(*SERVER)])
        trade.request_partner_payment(world.referral_user, order_id=order.order_id)
        order = trade.pay_for_customer(world.admin, order_id=order.order_id)
    assert order.invoiceable
    return order


def _invoice(order):
    return lambda: trade.record_vat_invoice(OPERATOR, order_id=order.order_id)


def _unsubscribe(world, order):
    vm = resource_of(order)
    return lambda: unsubscribing.unsubscribe(world.referral_user, resource_ids=[vm.resource_id], unsubscribe_type=1)


def _first_then(first, then):
    """(a job that does `first` in a transaction and, before committing, waits until the other job queues on a
    lock; the other job, started once `first` is done)."""
    done_first, other_done = threading.Event(), threading.Event()

    def job():
        with transaction.atomic():
            result = first()
            done_first.set()
            _wait_until_someone_waits_for_a_lock(other_done)
            return result

    def second():
        done_first.wait(30)
        try:
            return then()
        finally:
            other_done.set()

    return job, second


def _invoiced_not_refunded(order, cash_before, world, outcome):
    assert isinstance(outcome, UnsubscribeOutcome), outcome
    assert outcome.orders == [] and [f.code for f in outcome.failures] == [TradeCodes.INVOICED]
    assert Order.objects.get(pk=order.pk).vat_invoice_issued_at is not None
    assert not RefundItem.objects.exists() and not Unsubscription.objects.exists()
    assert partner_cash(world.partner) == cash_before
    assert "Ledger verified" in verify_ledger()


def _refunded_not_invoiced(order, cash_before, world, invoiced):
    assert isinstance(invoiced, DomainError) and invoiced.code == Codes.CONFLICT, invoiced
    assert Order.objects.get(pk=order.pk).vat_invoice_issued_at is None
    assert RefundItem.objects.filter(base_order=order).count() == 1
    assert partner_cash(world.partner) == cash_before + D("48.74")
    assert list(OperationLog.objects.filter(action="order.vat_invoice").values_list("result", "error_code")) == [
        ("failure", Codes.CONFLICT)]
    assert "Ledger verified" in verify_ledger()


def test_an_unsubscription_waiting_for_the_invoice_is_refused(world, paid):
    cash_before = partner_cash(world.partner)
    with at(NOW):
        # the invoice, recorded, holds the order's lock until the unsubscription waits on it
        job, second = _first_then(_invoice(paid), _unsubscribe(world, paid))
        invoiced, outcome = at_once([job, second])
    assert isinstance(invoiced, Order), invoiced
    _invoiced_not_refunded(paid, cash_before, world, outcome)


def test_an_invoice_waiting_for_the_unsubscription_is_refused(world, paid):
    cash_before = partner_cash(world.partner)
    with at(NOW):
        job, second = _first_then(_unsubscribe(world, paid), _invoice(paid))
        outcome, invoiced = at_once([job, second])
    assert isinstance(outcome, UnsubscribeOutcome) and len(outcome.orders) == 1, outcome
    _refunded_not_invoiced(paid, cash_before, world, invoiced)


def test_an_invoice_racing_an_unsubscription_ends_with_one_of_them(world, paid):
    cash_before = partner_cash(world.partner)
    with at(NOW):
        invoiced, outcome = at_once([_invoice(paid), _unsubscribe(world, paid)])
    if isinstance(invoiced, Order):
        _invoiced_not_refunded(paid, cash_before, world, outcome)
    else:
        assert isinstance(outcome, UnsubscribeOutcome) and len(outcome.orders) == 1, outcome
        _refunded_not_invoiced(paid, cash_before, world, invoiced)
    connections.close_all()
