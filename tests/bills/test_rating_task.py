"""The rating task: paid orders become fee records and packages before usage is rated (so a package bought
pays the usage that follows), the whole run twice is the run once, and the budget ends a run between batches."""

from datetime import timedelta

import pytest
from django.utils import timezone

from bills import tasks_rating
from bills.models import FeeRecord, ResourcePackage
from trade import services as trade

from ..trade.payment_helpers import period_item
from .rating_helpers import OBS_UPFLOW, D, World, account, check_books, fee_of, usage

pytestmark = pytest.mark.django_db


def test_a_run_records_orders_then_rates_usage_and_a_second_run_does_nothing():
    """A 100 GB traffic package (49.00) is bought and paid; 120 GB of OBS traffic follow: the package pays 100,
    20 GB cost 10.00."""
    world = World()
    world.allocate("100.00")
    order = trade.place_order(world.resale_user, customer_id=world.resale.domain_id,
                              items=[period_item("hws.resource.type.obs", "obs.upflow.pkg.100gb")])
    trade.pay_order(world.resale_user, order_id=order.order_id)
    # consumed after the purchase, while the package is effective
    record = usage(world.resale, OBS_UPFLOW, amount="120", begin=timezone.now() + timedelta(seconds=1))

    first = tasks_rating.rate_usage.apply().get()
    second = tasks_rating.run()

    assert first["rated"] == 1 and first["orders"]["order_fees"] == 1 and first["orders"]["packages"] == 1
    assert second["rated"] == 0 and second["claimed"] == 0 and second["orders"]["order_fees"] == 0
    fee = fee_of(record)
    assert fee.free_resource_usage == D("100") and fee.consume_amount == D("10.00")
    assert ResourcePackage.objects.get().remaining == 0
    assert FeeRecord.objects.count() == 2
    assert account(world.resale).balance == D("100.00") - D("49.00") - D("10.00")
    check_books()


def test_the_budget_ends_a_run_between_batches():
    world = World()
    for _i in range(5):
        usage(world.resale, OBS_UPFLOW)
    assert tasks_rating.run(budget_seconds=0)["claimed"] == 0  # out of time before the first batch
    assert tasks_rating.run(batch_size=2)["rated"] == 5
