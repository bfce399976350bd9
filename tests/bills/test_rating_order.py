"""The order in which the rating takes waiting usage (bills/rating.py's `rate_pending`): a customer's records
together — one charge of its account per batch, not one per record —, starting at the customer of the oldest
waiting record and going round the customers once. Both paths: SQL on PostgreSQL, per record elsewhere."""

from datetime import timedelta

import pytest
from django.utils import timezone

from billing.choices import TradeType
from billing.models import LedgerEntry
from bills.models import FeeRecord, UsageWaiting

from .rating_helpers import ECS, World, check_books, rate, usage

pytestmark = pytest.mark.django_db


def charges(customer) -> int:
    """How many times the rating charged the customer: its consumption transactions (cash and arrears)."""
    return (LedgerEntry.objects.filter(customer=customer, trade_type__in=[TradeType.DEDUCT, TradeType.ARREARS])
            .values("trans_id").distinct().count())


def test_a_batch_takes_one_customers_records_together():
    """Records arriving interleaved (resale, referral, resale, …), three to a batch: each customer's three
    records are rated by one batch and charged once. Taken in arrival order, each batch would mix the two
    customers and charge each of them twice."""
    world = World()
    world.allocate("100.00")
    begin = timezone.now() - timedelta(hours=6)
    for hour in range(3):
        usage(world.resale, ECS, begin=begin + timedelta(hours=hour))
        usage(world.referral, ECS, begin=begin + timedelta(hours=hour))

    result = rate(batch_size=3)

    assert result.rated == 6 and not UsageWaiting.objects.exists()
    assert charges(world.resale) == 1 and charges(world.referral) == 1
    check_books()


def test_a_run_begins_at_the_customer_of_the_oldest_record_and_goes_round():
    """The oldest waiting record belongs to the customer with the larger pk: the run rates it first (a run cut
    short by its time budget has rated the oldest usage), then goes round to the smaller pk."""
    world = World()
    world.allocate("100.00")
    first, second = sorted([world.resale, world.referral], key=lambda customer: customer.pk)
    begin = timezone.now() - timedelta(hours=6)
    oldest = usage(second, ECS, begin=begin)
    newer = [usage(first, ECS, begin=begin + timedelta(hours=1)), usage(first, ECS, begin=begin + timedelta(hours=2))]

    result = rate(batch_size=1)

    assert result.rated == 3 and not UsageWaiting.objects.exists()
    assert list(FeeRecord.objects.order_by("id").values_list("usage_record_id", flat=True)) == [
        oldest.pk, newer[0].pk, newer[1].pk]
    check_books()
