"""Overlapping scheduler runs on PostgreSQL (real row locks and unique-index waits): auto-renew runs at once
pay each due renewal exactly once; a run that finds another run's attempt in progress waits for it and then
skips (or takes over when that one rolled back); two expiry runs at once move each resource once."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection, transaction

from billing.models import LedgerEntry
from customers.models import Resource
from events.models import Event
from subscriptions import autorenew, lifecycle
from subscriptions.models import AutoRenewAttempt
from trade.models import Order

from ..trade.payment_helpers import World, balance, verify_ledger
from ..trade.test_concurrency_pg import at_once
from .test_lifecycle import buy

needs_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL")
pytestmark = [needs_postgres, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

MONTH = Decimal("113.70")  # a server with its 40 GB disk, one month


def _auto_renewed(world, count, funds="2000.00"):
    world.allocate(funds)
    mains = [buy(world, funds=None)[0] for _i in range(count)]
    for main in mains:
        autorenew.set_auto_renew(world.resale_user, resource_id=main.resource_id)
    return mains


def test_overlapping_auto_renew_runs_pay_each_renewal_exactly_once():
    world = World()
    mains = _auto_renewed(world, 3)
    now = max(m.expire_time for m in mains) - timedelta(days=3)
    before = balance(world.resale)

    outcomes = at_once([lambda: autorenew.run_due(now=now)] * 4)

    assert all(isinstance(o, dict) for o in outcomes), outcomes
    assert sum(o["paid"] for o in outcomes) == 3 and sum(o["unpaid"] + o["failed"] for o in outcomes) == 0
    assert Order.objects.filter(order_type=2).count() == 3 and Order.objects.filter(order_type=2, status=5).count() == 3
    assert AutoRenewAttempt.objects.filter(outcome="paid").count() == 3
    assert balance(world.resale) == before - MONTH * 3
    assert LedgerEntry.objects.filter(customer=world.resale, trade_type="PURCHASE").count() == 3 + 3
    assert Event.objects.filter(type="subscription.auto_renewed").count() == 3
    for main in mains:
        old = main.expire_time
        main.refresh_from_db()
        assert main.expire_time > old + timedelta(days=27) and main.expire_time < old + timedelta(days=32)
    assert "Ledger verified" in verify_ledger()


def _hold_attempt(main, *, commit):
    """Another run's attempt for (main, its expiry), inserted and held open until a second run waits on it
    (pg_stat_activity shows the lock wait — no sleeping), then committed or rolled back."""
    holding = threading.Event()

    def hold():
        with transaction.atomic():
            AutoRenewAttempt.objects.create(resource=main, for_expiry=main.expire_time, outcome="paid")
            holding.set()
            with connection.cursor() as cursor:
                for _ in range(100_000):
                    cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
                    if cursor.fetchone()[0]:
                        break
            if not commit:
                transaction.set_rollback(True)
        return "held"

    return hold, holding


@pytest.mark.parametrize("commit, paid", [(True, 0), (False, 1)])
def test_a_run_waits_for_an_attempt_in_progress_then_skips_it_or_takes_over(commit, paid):
    world = World()
    [main] = _auto_renewed(world, 1)
    now = main.expire_time - timedelta(days=3)
    hold, holding = _hold_attempt(main, commit=commit)

    def run():
        holding.wait(30)
        return autorenew.run_due(now=now)

    held, outcome = at_once([hold, run])

    assert held == "held" and isinstance(outcome, dict), outcome
    assert outcome == {"paid": paid, "unpaid": 0, "failed": 0}
    assert Order.objects.filter(order_type=2, status=5).count() == paid
    assert AutoRenewAttempt.objects.count() == 1
    assert "Ledger verified" in verify_ledger()


def test_two_expiry_runs_at_once_move_each_resource_once():
    world = World()
    world.allocate("5000.00")
    mains = [buy(world, funds=None)[0] for _i in range(12)]
    now = max(m.expire_time for m in mains) + timedelta(hours=1)

    outcomes = at_once([lambda: lifecycle.advance(now=now)] * 2)

    assert all(isinstance(o, dict) for o in outcomes), outcomes
    assert sum(o["expired"] for o in outcomes) == 24  # 12 servers and their disks, each once
    assert set(Resource.objects.filter(customer=world.resale).values_list("status", flat=True)) == {5}
    assert Event.objects.filter(type="subscription.expired").count() == 12
    assert lifecycle.advance(now=now) == {name: 0 for name in outcomes[0]}
