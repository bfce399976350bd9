"""Orders and payments announce themselves (events.outbox, trade/event_types.py): each event of a
realistic day reads as a sentence in both languages, for the partner and for the customer, and links each
side to a page that opens; an event rolled back with its change is gone."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from events import types
from events.models import Event
from partnercenter.actors import SCHEDULER
from partnercenter.errors import DomainError
from partnercenter.models import Partner
from partnercenter.permissions import ALL_CODES
from trade import services
from trade.event_types import TYPES

from ..conftest import login_client
from .payment_helpers import World, period_item

pytestmark = pytest.mark.django_db

SERVER = ("hws.resource.type.vm", "s6.small.1.linux")
ERP = ("hws.resource.type.marketplace.saas", "saas.erp.standard")


def test_every_trade_type_is_registered_with_a_real_permission_and_a_link():
    for event_type in TYPES:
        assert types.get(event_type.code) is event_type
        assert event_type.permission in ALL_CODES and event_type.link is not None, event_type.code


def a_day(w):
    """Each trade event at least once."""
    w.allocate("1000.00")
    w.grant_ops()
    placed = services.place_order(w.admin, customer_id=w.resale.domain_id, items=[period_item(*SERVER)])
    services.pay_for_customer(w.admin, order_id=placed.order_id)
    own = services.place_order(w.resale_user, customer_id=w.resale.domain_id, items=[period_item(*SERVER)])
    request = services.request_partner_payment(w.resale_user, order_id=own.order_id)
    services.decide_payment_request(w.admin, request_id=request.pk, approve=False)
    services.pay_order(w.resale_user, order_id=own.order_id)
    services.cancel_order(w.resale_user, order_id=services.place_order(
        w.resale_user, customer_id=w.resale.domain_id, items=[period_item(*SERVER)]).order_id)
    Partner.objects.filter(pk=w.partner.pk).update(marketplace_service_provider=True)
    w.partner.refresh_from_db()
    market = services.place_order(w.resale_user, customer_id=w.resale.domain_id, items=[period_item(*ERP)],
                                  sales_partner=w.partner)
    services.adjust_price(w.admin, order_id=market.order_id, amount="250.00", reason="r")
    services.cancel_overdue(SCHEDULER, now=timezone.now() + timedelta(days=30))


def test_every_recorded_trade_event_reads_as_a_sentence_and_links_to_a_page_that_opens():
    w = World()
    a_day(w)
    events = list(Event.objects.filter(type__startswith="order.").order_by("id"))
    assert {e.type for e in events} == {t.code for t in TYPES}
    partner, customer = login_client(w.tenant.admin.user), login_client(w.resale_user.user)
    for event in events:
        for language in ("zh-hans", "en"):
            with translation.override(language):
                for side in ("partner", "customer"):
                    text = event.text_for(side)
                    assert text and "%(" not in text and text != event.label, (event.type, side, text)
        assert partner.get(event.link("partner")).status_code == 200, (event.type, event.link("partner"))
        assert customer.get(event.link("customer")).status_code == 200, (event.type, event.link("customer"))
    with translation.override("en"):
        overdue = next(e for e in events if e.type == "order.cancelled" and e.data["cause"] == "overdue")
        assert overdue.text.endswith("was cancelled: it was not paid in time.")


def test_a_refused_payment_records_no_event():
    w = World()
    w.allocate("10.00")
    order = services.place_order(w.resale_user, customer_id=w.resale.domain_id, items=[period_item(*SERVER)])
    before = Event.objects.count()
    with pytest.raises(DomainError):
        services.pay_order(w.resale_user, order_id=order.order_id)
    assert Event.objects.count() == before
