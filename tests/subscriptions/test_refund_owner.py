"""Whose refund it is (subscriptions/unsubscribing.py "Whose refund"): a refund belongs to the partner of the
charge it refunds, not to the customer's partner of the day. After a disassociation the partner of the ended
association receives the cash back (退还至关联期间的伙伴账户) and owns the refund order — it opens it, its
ledger entry names it, it is told; the new partner is not told of money it did not get. A resource bought
under one partner and renewed under the next is refunded as one order per partner.

Every amount is worked out by hand: a server of 73.70 bought 2026-01-01 00:00 for a month (31 days) and
unsubscribed 2026-01-11 12:00 has used 73.70 × 10.5/31 = 24.9629… → 24.96 and returns 48.74 (no fee); a renewal
not started yet returns whole, 73.70."""

from decimal import Decimal

import pytest

from billing import services as billing
from billing.models import LedgerEntry
from customers import services as customers
from events import dispatch
from events.models import Event, Notification
from partnercenter.errors import DomainError
from subscriptions import unsubscribing
from subscriptions.models import RefundItem, RefundPayout, Unsubscription
from trade import selectors as trade_selectors
from trade.errors import TradeCodes

from ..billing_helpers import fund
from ..conftest import actor_of, build_tenant, login_client
from ..factories import AssociationFactory
from ..trade.payment_helpers import World, balance, partner_cash, verify_ledger
from .partner_helpers import body, client_of, confirm_fields
from .refund_helpers import at, buy, moment, renew, resource_of

pytestmark = pytest.mark.django_db

D = Decimal
NOW = "2026-01-11 12:00"


@pytest.fixture
def moved():
    """Partner A's resale customer buys a server on 2026-01-01 from A's allocation (100.00 → 26.30 left), A
    ends the association on 01-05 (the 26.30 is reclaimed), partner B takes the customer as a resale customer
    on 01-06 and allocates 200.00."""
    with at("2025-12-31 00:00"):
        world = World()
    with at("2026-01-01 00:00"):
        world.allocate("100.00")
    world.vm = resource_of(buy(world.resale_user, world.resale, when="2026-01-01 00:00"))
    with at("2026-01-05 00:00"):
        event = customers.request_disassociation(world.admin, customer_id=world.resale.domain_id, reason="合作结束")
        customers.decide_event(world.resale_user, event_id=event.pk, approve=True)
    with at("2026-01-06 00:00"):
        world.b = build_tenant("b")
        world.b_admin = actor_of(world.b.admin)
        AssociationFactory(partner=world.b.partner, customer=world.resale, association_type="2",
                           associated_on=moment("2026-01-06 00:00"))
        fund(world.b.partner, "1000.00")
        billing.allocate_to_customer(world.b_admin, customer_id=world.resale.domain_id, amount="200.00")
    assert balance(world.resale) == D("200.00")
    return world


def _told(world):
    """{partner: [(type, amount)]} of the events recorded, and the users told once dispatched."""
    dispatch.dispatch_all(send=False)
    events = {p: sorted((e.type, e.data.get("amount")) for e in Event.objects.filter(
        partner=p, type__startswith="subscription.")) for p in (world.partner, world.b.partner)}
    users = set(Notification.objects.filter(event__type="subscription.unsubscribed").values_list("user_id", flat=True))
    return events, users


def test_the_refund_of_an_old_partners_order_is_that_partners(moved):
    world = moved
    cash_a, cash_b = partner_cash(world.partner), partner_cash(world.b.partner)

    with at(NOW):
        [order] = unsubscribing.unsubscribe(world.resale_user, resource_ids=[world.vm.resource_id],
                                            unsubscribe_type=1).orders

    # A's order, refunded to A's account (the association it was paid under has ended)
    assert (order.partner_id, order.amount_after_discount, order.cash_amount) == (world.partner.pk, D("48.74"),
                                                                                 D("48.74"))
    assert list(RefundPayout.objects.filter(order=order).values_list("destination", "partner_id", "amount")) == [
        ("partner_cash", world.partner.pk, D("48.74"))]
    assert (partner_cash(world.partner), partner_cash(world.b.partner)) == (cash_a + D("48.74"), cash_b)
    assert balance(world.resale) == D("200.00")
    # A's ledger entry names an order A opens; B cannot open it
    entry = LedgerEntry.objects.filter(partner=world.partner, trade_type="REFUND").get()
    assert (entry.trans_id, entry.amount) == (order.order_id, D("48.74"))
    assert trade_selectors.order_for(world.admin, entry.trans_id) == order
    with pytest.raises(DomainError) as refused:
        trade_selectors.order_for(world.b_admin, order.order_id)
    assert refused.value.code == TradeCodes.ORDER_NOT_FOUND
    page = f"/subscriptions/refunds/{order.order_id}/"
    shown = login_client(world.tenant.admin.user).get(page)
    assert shown.status_code == 200 and "48.74" in shown.content.decode()
    assert login_client(world.b.admin.user).get(page).status_code == 404
    # A is told of the money it got; B of nothing
    events, users = _told(world)
    assert events == {world.partner: [("subscription.unsubscribed", "48.74")], world.b.partner: []}
    assert world.tenant.admin.user_id in users and world.b.admin.user_id not in users
    assert "Ledger verified" in verify_ledger()


def test_a_resource_bought_under_one_partner_and_renewed_under_the_next_is_refunded_one_order_each(moved):
    """The renewal (2026-02-01 → 03-01), placed and paid under B on 01-08 from B's allocation (200.00 → 126.30),
    has not started on 01-11: 73.70 back to the customer's balance, B's; the purchase's 48.74 to A's account,
    A's."""
    world = moved
    renewal = renew(world.resale_user, world.resale, world.vm, when="2026-01-08 00:00")
    assert (renewal.partner_id, balance(world.resale)) == (world.b.partner.pk, D("126.30"))
    cash_a = partner_cash(world.partner)

    with at(NOW):
        outcome = unsubscribing.unsubscribe(world.resale_user, resource_ids=[world.vm.resource_id],
                                            unsubscribe_type=1, reason_type=5, reason="迁移")

    a_order, b_order = outcome.orders
    assert outcome.failures == []
    assert (a_order.partner_id, a_order.amount_after_discount, a_order.base_order.order_id) == (
        world.partner.pk, D("48.74"), world.vm.order_id)
    assert (b_order.partner_id, b_order.amount_after_discount, b_order.base_order_id) == (
        world.b.partner.pk, D("73.70"), renewal.pk)
    assert [list(RefundItem.objects.filter(order=o).values_list("base_order_id", "refund")) for o in outcome.orders] \
        == [[(a_order.base_order_id, D("48.74"))], [(renewal.pk, D("73.70"))]]
    assert list(RefundPayout.objects.filter(order=b_order).values_list("destination", "amount")) == [
        ("customer_balance", D("73.70"))]
    assert partner_cash(world.partner) == cash_a + D("48.74")
    assert balance(world.resale) == D("126.30") + D("73.70")
    assert sorted(Unsubscription.objects.values_list("order_id", "resource_id", "reason")) == sorted(
        [(a_order.pk, world.vm.resource_id, "迁移"), (b_order.pk, world.vm.resource_id, "迁移")])
    # each partner sees its own refund, and is told of its own amount
    assert trade_selectors.order_for(world.admin, a_order.order_id) == a_order
    assert trade_selectors.order_for(world.b_admin, b_order.order_id) == b_order
    events, _users = _told(world)
    assert events == {world.partner: [("subscription.unsubscribed", "48.74")],
                      world.b.partner: [("subscription.unsubscribed", "73.70")]}
    assert "Ledger verified" in verify_ledger()


def test_the_new_partner_unsubscribing_for_the_customer_is_sent_to_the_resources_not_to_a_refund_it_cannot_open(
        moved):
    """B, holding the customer's 代客运维 grant, unsubscribes the server bought under A from its pages: the refund
    is A's (48.74 to A's account), so B lands on the customer's yearly/monthly resources, told the amount."""
    world = moved
    with at("2026-01-07 00:00"):
        granted = customers.request_ops_authorization(world.b_admin, customer_id=world.resale.domain_id, reason="r")
        customers.decide_ops_authorization(world.resale_user, authorization_id=granted.pk, agree=True)
    client = client_of(world.b_admin)
    url = f"/subscriptions/resources/{world.vm.resource_id}/unsubscribe/"

    with at(NOW):
        done = client.post(url, confirm_fields(client.post(url, {"unsubscribe_type": 1, "reason_type": 5})))

    [order] = Unsubscription.objects.values_list("order__order_id", "order__partner_id")
    assert order[1] == world.partner.pk
    assert done.status_code == 302
    assert done.url == f"/customers/{world.resale.domain_id}/resources/?mode=period"
    shown = body(client.get(done.url))
    assert "unsubscribed: 48.74 refunded" in shown
