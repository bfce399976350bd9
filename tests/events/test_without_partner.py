"""Events about a customer that has no partner (events.models.Event, partner None): only the customer's users
are told — never a partner's member, never a webhook — and recording one that would tell nobody is refused
(events.outbox)."""

import pytest
from django.core import mail
from django.db import transaction

from events import outbox
from events.dispatch import dispatch_all
from events.models import Event, NotificationPreference, WebhookDelivery, WebhookEndpoint

from .test_notifications import CHANGE, FOR_CUSTOMER, NEWS, World, told
from .test_outbox import event_types  # noqa: F401 — the fixture

pytestmark = pytest.mark.django_db


def _record(type_code, *, partner=None, customer=None):
    with transaction.atomic():
        return outbox.record(type_code, partner=partner, customer=customer, data={"account_name": "alone"})


def test_an_event_without_a_partner_tells_the_customers_users_only(event_types):  # noqa: F811
    world = World()
    NotificationPreference.objects.create(user=world.owner.user, type=CHANGE.code, email=True)
    alone = _record(CHANGE.code, customer=world.referral)
    only_for_it = _record(FOR_CUSTOMER.code, customer=world.referral)

    assert dispatch_all() == 2
    assert Event.objects.get(pk=alone.pk).partner_id is None
    # the customer's users, both for a both-sides type and a customer type; no member of any partner
    assert told(alone) == told(only_for_it) == {"w.owner", "w.colleague"}
    assert [message.to for message in mail.outbox] == [[world.owner.user.email]]  # as the owner asked
    assert alone.wire()["partner_id"] is None

    # no partner's webhook carries it: an endpoint taking the type gets the partner's event only
    WebhookEndpoint.objects.create(partner=world.partner, url="https://hooks.example.com/in", types=[CHANGE.code],
                                   secret_encrypted="x")
    again = _record(CHANGE.code, customer=world.referral)
    theirs = _record(CHANGE.code, partner=world.partner, customer=world.referral)
    assert dispatch_all(send=False) == 2
    assert told(again) == {"w.owner", "w.colleague"}
    assert list(WebhookDelivery.objects.values_list("event_id", flat=True)) == [theirs.pk]


def test_an_event_without_a_partner_that_would_tell_nobody_is_refused(event_types):  # noqa: F811
    world = World()
    with pytest.raises(ValueError):
        _record(NEWS.code, customer=world.referral)  # a partner-side type: nobody would hear
    with pytest.raises(ValueError):
        _record(CHANGE.code)  # no customer either
    with pytest.raises(ValueError), transaction.atomic():
        outbox.record_many([{"type_code": NEWS.code, "partner": None, "customer": world.referral, "data": {}}])
    assert not Event.objects.exists()
    # the partner's own events are as before
    assert _record(NEWS.code, partner=world.partner).partner == world.partner
