"""A customer without a partner (never associated, or its association ended) is told about its own
yearly/monthly resources like any customer: the notices 7 days and 1 day before expiry, the expiry, the
retention period, the release, and a failed automatic renewal — events without a partner (events.models.Event),
heard by the customer's users alone (subscriptions/lifecycle.py). On PostgreSQL the expiry run records them in
its UPDATE statement (lifecycle._told_sql), on SQLite in Python; this file runs on both."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.utils import translation

from customers import services as customers
from customers.models import Association
from events.dispatch import dispatch_all
from events.models import Event, Notification
from subscriptions import autorenew, lifecycle

from ..trade.payment_helpers import World, balance
from .test_lifecycle import HOUR, buy, moved

pytestmark = pytest.mark.django_db

GRACE, RETENTION = settings.SUBSCRIPTION_GRACE_PERIOD, settings.SUBSCRIPTION_RETENTION_PERIOD


def _without_partner(world):
    """The partner ends the association and the customer agrees: the customer has no partner now."""
    event = customers.request_disassociation(world.admin, customer_id=world.resale.domain_id, reason="合作结束")
    customers.decide_event(world.resale_user, event_id=event.pk, approve=True)
    assert not Association.objects.filter(customer=world.resale, ended_on__isnull=True).exists()


def _told(type_code):
    """(partner pk, customer pk, users told) of each event of the type, oldest first."""
    return [(e.partner_id, e.customer_pk, set(Notification.objects.filter(event=e).values_list("user_id", flat=True)))
            for e in Event.objects.filter(type=type_code).order_by("id")]


def test_a_customer_without_a_partner_is_told_before_and_through_expiry():
    world = World()
    main, [disk] = buy(world)
    _without_partner(world)
    expiry, customer_user = main.expire_time, world.resale_user.user.pk

    with time_machine.travel(expiry - timedelta(days=6), tick=False):
        assert lifecycle.warn_expiring() == 1
        assert lifecycle.warn_expiring() == 0
    with time_machine.travel(expiry - timedelta(hours=12), tick=False):
        assert lifecycle.warn_expiring() == 1
    with time_machine.travel(expiry + HOUR, tick=False):
        assert lifecycle.advance() == moved(expired=2)
    with time_machine.travel(expiry + GRACE + HOUR, tick=False):
        assert lifecycle.advance() == moved(frozen=2)
    with time_machine.travel(expiry + GRACE + RETENTION + HOUR, tick=False):
        assert lifecycle.advance() == moved(released=2)
        assert lifecycle.advance() == moved()
    dispatch_all(send=False)

    alone = (None, world.resale.pk, {customer_user})  # no partner, nobody of the old partner's
    assert _told("subscription.expiring") == [alone, alone]
    for type_code in ("subscription.expired", "subscription.frozen", "subscription.released"):
        assert _told(type_code) == [alone], type_code
    notice = Event.objects.filter(type="subscription.expiring").order_by("id").first()
    assert notice.data["resource_id"] == main.resource_id and notice.data["days"] == 7
    with translation.override("en"):
        assert notice.text_for("customer").startswith(f"Your resource {main.resource_name} ({main.resource_id})")


def test_a_customer_without_a_partner_hears_that_its_automatic_renewal_failed():
    """Auto-renew set while associated; the association ends and its balance is reclaimed (0.00): 6 days before
    expiry the run cannot place the renewal (a balance of zero or less cannot renew) and tells the customer."""
    world = World()
    main, _subs = buy(world)
    autorenew.set_auto_renew(world.resale_user, resource_id=main.resource_id)
    _without_partner(world)
    assert balance(world.resale) == 0

    with time_machine.travel(main.expire_time - timedelta(days=6), tick=False):
        assert autorenew.run_due() == {"paid": 0, "unpaid": 0, "failed": 1}
    dispatch_all(send=False)

    assert _told("subscription.auto_renew_failed") == [(None, world.resale.pk, {world.resale_user.user.pk})]
    failed = Event.objects.get(type="subscription.auto_renew_failed")
    assert (failed.data["resource_id"], failed.data["error_code"]) == (main.resource_id, "CBC.99008003")
