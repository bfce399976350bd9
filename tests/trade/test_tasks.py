"""Unpaid orders are cancelled once their payment window has passed (Celery beat, trade.tasks): a second,
late or concurrent run changes nothing more; a paid order is never touched; pending payment requests of a
cancelled order end with it."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import timezone

from events.models import Event
from partnercenter.actors import SCHEDULER
from partnercenter.models import OperationLog
from trade import services, tasks
from trade.models import Order, PaymentRequest

from .payment_helpers import World, balance, period_item

pytestmark = pytest.mark.django_db

SERVER = ("hws.resource.type.vm", "s6.small.1.linux")


def test_overdue_orders_are_cancelled_once_and_paid_ones_left_alone():
    world = World()
    world.allocate("1000.00")
    order = lambda: services.place_order(world.resale_user, customer_id=world.resale.domain_id,  # noqa: E731
                                         items=[period_item(*SERVER)])
    unpaid, asked, paid, fresh = order(), order(), order(), order()
    request = services.request_partner_payment(world.resale_user, order_id=asked.order_id)
    services.pay_order(world.resale_user, order_id=paid.order_id)
    later = timezone.now() + settings.TRADE_PAYMENT_WINDOW + timedelta(minutes=1)
    Order.objects.filter(pk=fresh.pk).update(pending_payment_end_time=later + timedelta(hours=1))

    assert services.cancel_overdue(SCHEDULER, now=later) == 2
    assert services.cancel_overdue(SCHEDULER, now=later) == 0  # run again: nothing more
    assert services.cancel_overdue(SCHEDULER, now=later + timedelta(minutes=5)) == 0

    statuses = dict(Order.objects.values_list("pk", "status"))
    assert (statuses[unpaid.pk], statuses[asked.pk], statuses[paid.pk], statuses[fresh.pk]) == (4, 4, 5, 6)
    request.refresh_from_db()
    assert request.status == "withdrawn" and request.decided_by == "scheduler"
    assert sorted(Event.objects.filter(type="order.cancelled").values_list("data__order_id", flat=True)) == sorted(
        [unpaid.order_id, asked.order_id])
    assert set(Event.objects.filter(type="order.cancelled").values_list("data__cause", flat=True)) == {"overdue"}
    [log] = OperationLog.objects.filter(action="order.cancel_overdue")
    assert (log.actor_kind, log.partner, log.detail["orders"]) == ("scheduler", world.partner, 2)
    assert balance(world.resale) == Decimal("1000.00") - Decimal("73.70")  # only the paid one was paid


def test_the_beat_task_cancels_what_is_due_and_a_second_run_nothing(settings):
    settings.TRADE_PAYMENT_WINDOW = timedelta(seconds=0)
    world = World()
    world.allocate("100.00")
    due = services.place_order(world.resale_user, customer_id=world.resale.domain_id, items=[period_item(*SERVER)])

    assert "trade.tasks.cancel_overdue_orders" in {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    first = tasks.cancel_overdue_orders.delay().get(timeout=60)
    second = tasks.cancel_overdue_orders.delay().get(timeout=60)

    assert (first, second) == (1, 0)
    due.refresh_from_db()
    assert due.status == 4 and due.cancelled_at is not None
    assert not PaymentRequest.objects.exists()
