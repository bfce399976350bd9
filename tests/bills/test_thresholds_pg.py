"""Low-balance checks at once, on PostgreSQL (real row locks): eight checks in eight threads tell each crossing
once — the customers seen below for the first time (INSERT … ON CONFLICT DO NOTHING) and those crossing again
(UPDATE … WHERE below = false) alike."""

from decimal import Decimal

import pytest
from django.db import connection

from billing import services as billing
from bills import thresholds
from bills.choices import ZeroBalancePolicy
from bills.models import LowBalanceState
from events.models import Event

from ..factories import AssociationFactory
from ..trade.payment_helpers import World
from ..trade.test_concurrency_pg import at_once

needs_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL")
pytestmark = [needs_postgres, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_eight_checks_at_once_tell_each_crossing_once():
    world = World()
    customers = [world.resale] + [AssociationFactory(partner=world.partner, association_type="2").customer
                                  for _i in range(5)]
    thresholds.set_default(world.admin, threshold="100.00", zero_balance_policy=ZeroBalancePolicy.STOP_PURCHASES)
    # two of them were below before and rose back: their state rows exist with below = false
    for customer in customers[:2]:
        LowBalanceState.objects.create(customer=customer, below=False)
    billing.allocate_to_customer(world.admin, customer_id=customers[5].domain_id, amount=Decimal("500.00"))

    outcomes = at_once([thresholds.check_low_balances] * 8)

    assert all(isinstance(o, dict) for o in outcomes), outcomes
    assert sum(o["crossed"] for o in outcomes) == 5
    told = sorted(Event.objects.filter(type="balance.low").values_list("customer_pk", flat=True))
    assert told == sorted(c.pk for c in customers[:5])
    assert LowBalanceState.objects.filter(below=True).count() == 5
