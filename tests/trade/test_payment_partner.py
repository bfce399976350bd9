"""余额支付: a solution provider pays its customer's order from its own account — an order it placed for a
resale customer (代客下单), or one the customer asked it to pay (代售 or 顾问销售; the latter counted as
invoiceable). The partner's cash and ledger move, the customer's balance and ledger do not; declined, the
order stays pending; a stored-value card is never partner-paid; a member without the right cannot pay."""

from decimal import Decimal

import pytest

from billing.models import LedgerEntry
from customers.models import Resource
from events.models import Event
from partnercenter.actors import actor_for_access_key
from partnercenter.errors import Codes, DomainError
from partnercenter.models import OperationLog
from trade import services
from trade.errors import TradeCodes
from trade.models import Order, PaymentRequest

from ..conftest import actor_of
from ..factories import UserFactory
from .payment_helpers import World, balance, ledger_of, partner_cash, period_item, verify_ledger

pytestmark = pytest.mark.django_db

SERVER = ("hws.resource.type.vm", "s6.small.1.linux")  # 73.70 a month
CARD = ("hws.resource.type.storedcard", "svc.1000")     # a stored-value card of 1,000.00


@pytest.fixture
def world():
    return World()


def placed_by_partner(world, *items):
    world.grant_ops()
    return services.place_order(world.admin, customer_id=world.resale.domain_id,
                                items=list(items) or [period_item(*SERVER)])


def placed_by_customer(world, customer, *items):
    user = world.resale_user if customer == world.resale else world.referral_user
    return services.place_order(user, customer_id=customer.domain_id, items=list(items) or [period_item(*SERVER)])


def test_the_partner_pays_an_order_it_placed_from_its_own_account(world):
    world.allocate("100.00")
    order = placed_by_partner(world)
    assert order.source_type == 2 and order.user_name == world.tenant.admin.user.username

    paid = services.pay_for_customer(world.admin, order_id=order.order_id)

    assert (paid.status, paid.payer, paid.paying_partner, paid.cash_amount, paid.invoiceable) == (
        5, "partner", world.partner, Decimal("73.70"), False)
    assert partner_cash(world.partner) == Decimal("9926.30")
    assert ledger_of(world.partner)[-1] == ("PURCHASE", Decimal("-73.70"), Decimal("9926.30"))
    entry = LedgerEntry.objects.get(trade_type="PURCHASE")
    assert (entry.trans_id, entry.counterparty, entry.available_after) == (
        order.order_id, world.resale.domain_id, Decimal("9826.30"))  # 10,000 − 100 allocated − 73.70
    # The customer's balance and ledger do not move.
    assert balance(world.resale) == Decimal("100.00")
    assert ledger_of(world.resale) == [("BEADJUST", Decimal("100.00"), Decimal("100.00"))]
    assert Resource.objects.filter(order_id=order.order_id, customer=world.resale).count() == 1
    assert "Ledger verified" in verify_ledger()
    assert Event.objects.filter(type="order.paid", data__payer="partner").count() == 1
    [log] = OperationLog.objects.filter(action="order.partner_pay")
    assert (log.result, log.partner) == ("success", world.partner)


def test_a_resale_customer_asks_and_the_partner_approves(world):
    world.allocate("100.00")
    order = placed_by_customer(world, world.resale)
    with pytest.raises(DomainError) as unasked:  # the customer's own order: only when it asks
        services.pay_for_customer(world.admin, order_id=order.order_id)
    assert unasked.value.code == TradeCodes.PARTNER_PAY_NOT_ALLOWED

    request = services.request_partner_payment(world.resale_user, order_id=order.order_id, message="请帮忙支付")
    with pytest.raises(DomainError) as twice:
        services.request_partner_payment(world.resale_user, order_id=order.order_id)
    assert twice.value.code == TradeCodes.REQUEST_ALREADY_OPEN
    decided = services.decide_payment_request(world.admin, request_id=request.pk, approve=True)

    order.refresh_from_db()
    assert (decided.status, decided.decided_by) == ("approved", world.tenant.admin.user.username)
    assert (order.status, order.payer, order.invoiceable) == (5, "partner", False)
    assert partner_cash(world.partner) == Decimal("9926.30") and balance(world.resale) == Decimal("100.00")
    assert Event.objects.filter(type="order.payment_requested").count() == 1
    assert list(Event.objects.filter(type="order.payment_request_decided").values_list("data__decision", flat=True)) \
        == ["approved"]
    assert "Ledger verified" in verify_ledger()


def test_a_referral_customer_asks_and_the_paid_order_counts_as_invoiceable(world):
    # A referral customer holds no allocated balance: it still orders, and asks its partner to pay.
    order = placed_by_customer(world, world.referral)
    assert balance(world.referral) == 0
    request = services.request_partner_payment(world.referral_user, order_id=order.order_id)

    services.decide_payment_request(world.admin, request_id=request.pk, approve=True)

    order.refresh_from_db()
    assert (order.status, order.payer, order.paying_partner, order.invoiceable) == (5, "partner", world.partner, True)
    assert partner_cash(world.partner) == Decimal("9926.30")
    assert ledger_of(world.referral) == []
    assert "Ledger verified" in verify_ledger()
    # The operator records the VAT invoice the cloud issued to the customer (once).
    operator = actor_of(UserFactory(is_staff=True))
    invoiced = services.record_vat_invoice(operator, order_id=order.order_id)
    assert invoiced.vat_invoice_issued_at is not None
    with pytest.raises(DomainError) as again:
        services.record_vat_invoice(operator, order_id=order.order_id)
    assert again.value.code == Codes.CONFLICT
    with pytest.raises(DomainError) as member:
        services.record_vat_invoice(world.admin, order_id=order.order_id)
    assert member.value.code == Codes.FORBIDDEN


def test_a_referral_customers_order_is_paid_by_the_partner_only_when_asked(world):
    order = placed_by_customer(world, world.referral)
    with pytest.raises(DomainError) as refused:
        services.pay_for_customer(world.admin, order_id=order.order_id)
    assert refused.value.code == TradeCodes.PARTNER_PAY_NOT_ALLOWED
    assert partner_cash(world.partner) == Decimal("10000.00")


def test_declined_the_order_stays_pending_and_the_customer_may_pay_it(world):
    world.allocate("100.00")
    order = placed_by_customer(world, world.resale)
    request = services.request_partner_payment(world.resale_user, order_id=order.order_id)

    declined = services.decide_payment_request(world.admin, request_id=request.pk, approve=False, note="请自行支付")

    order.refresh_from_db()
    assert (declined.status, declined.decision_note, order.status) == ("declined", "请自行支付", 6)
    assert partner_cash(world.partner) == Decimal("10000.00")
    with pytest.raises(DomainError) as again:
        services.decide_payment_request(world.admin, request_id=request.pk, approve=True)
    assert again.value.code == TradeCodes.REQUEST_NOT_PENDING
    services.pay_order(world.resale_user, order_id=order.order_id)
    assert balance(world.resale) == Decimal("26.30")


def test_the_customer_withdraws_its_request_and_paying_itself_ends_a_pending_one(world):
    world.allocate("200.00")
    first = placed_by_customer(world, world.resale)
    request = services.request_partner_payment(world.resale_user, order_id=first.order_id)
    assert services.withdraw_payment_request(world.resale_user, request_id=request.pk).status == "withdrawn"
    second = services.request_partner_payment(world.resale_user, order_id=first.order_id)

    services.pay_order(world.resale_user, order_id=first.order_id)

    second.refresh_from_db()
    assert second.status == "withdrawn"
    with pytest.raises(DomainError) as late:
        services.decide_payment_request(world.admin, request_id=second.pk, approve=True)
    assert late.value.code == TradeCodes.REQUEST_NOT_PENDING
    assert partner_cash(world.partner) == Decimal("10000.00")


def test_a_stored_value_card_is_never_paid_by_the_partner(world):
    world.allocate("2000.00")
    card = period_item(*CARD, months=1, period_type=5)
    bought = placed_by_customer(world, world.resale, card)
    assert bought.is_stored_card
    with pytest.raises(DomainError) as asked:
        services.request_partner_payment(world.resale_user, order_id=bought.order_id)
    assert asked.value.code == TradeCodes.PARTNER_PAY_NOT_ALLOWED
    placed = placed_by_partner(world, card)
    with pytest.raises(DomainError) as paid:
        services.pay_for_customer(world.admin, order_id=placed.order_id)
    assert paid.value.code == TradeCodes.PARTNER_PAY_NOT_ALLOWED
    assert partner_cash(world.partner) == Decimal("10000.00")
    assert not PaymentRequest.objects.exists()
    services.pay_order(world.resale_user, order_id=bought.order_id)  # the customer buys it itself
    assert balance(world.resale) == Decimal("1000.00")


def test_a_member_without_the_right_cannot_pay_and_nothing_changes(world):
    world.allocate("100.00")
    order = placed_by_partner(world)
    viewer = world.member_with("orders.view", "customers.view_all")
    for call in (lambda: services.pay_for_customer(viewer, order_id=order.order_id),
                 lambda: services.decide_payment_request(viewer, request_id=1, approve=True)):
        with pytest.raises(DomainError) as refused:
            call()
        assert refused.value.code == Codes.FORBIDDEN
    order.refresh_from_db()
    assert order.status == 6 and partner_cash(world.partner) == Decimal("10000.00")
    payer = world.member_with("orders.view", "orders.pay", "customers.view_all")
    assert services.pay_for_customer(payer, order_id=order.order_id).status == 5


def test_the_partners_account_must_cover_the_order(world):
    poor = World("poor", funds="50.00")
    poor.grant_ops()
    order = services.place_order(poor.admin, customer_id=poor.resale.domain_id, items=[period_item(*SERVER)])
    with pytest.raises(DomainError) as refused:
        services.pay_for_customer(poor.admin, order_id=order.order_id)
    assert refused.value.code == TradeCodes.PARTNER_BALANCE_NOT_ENOUGH
    order.refresh_from_db()
    assert order.status == 6 and partner_cash(poor.partner) == Decimal("50.00")
    assert "Ledger verified" in verify_ledger()


def test_only_a_solution_provider_pays_and_only_for_its_own_customers(world):
    distributor = World("dist", partner_type="distributor")
    distributor.grant_ops()
    order = services.place_order(distributor.admin, customer_id=distributor.resale.domain_id,
                                 items=[period_item(*SERVER)])
    with pytest.raises(DomainError) as refused:
        services.pay_for_customer(distributor.admin, order_id=order.order_id)
    assert refused.value.code == TradeCodes.PARTNER_PAY_NOT_ALLOWED
    with pytest.raises(DomainError) as foreign:
        services.pay_for_customer(world.admin, order_id=order.order_id)
    assert foreign.value.code == TradeCodes.ORDER_NOT_FOUND
    # An access key of a member with the right pays like the member (no verification code asked).
    mine = placed_by_partner(world)
    key_actor = actor_for_access_key(world.tenant.key)
    assert key_actor.kind == "access_key"
    assert services.pay_for_customer(key_actor, order_id=mine.order_id).status == 5


def test_with_verification_codes_on_the_partner_payment_needs_a_code(world):
    order = placed_by_partner(world)
    world.partner.verification_enabled = True
    world.partner.save(update_fields=["verification_enabled"])
    admin = actor_of(world.tenant.admin)
    with pytest.raises(DomainError) as refused:
        services.pay_for_customer(admin, order_id=order.order_id)
    assert refused.value.code in (Codes.VERIFICATION_NO_DEVICE, Codes.VERIFICATION_REQUIRED)
    order.refresh_from_db()
    assert order.status == 6 and partner_cash(world.partner) == Decimal("10000.00")


def test_a_disassociation_ends_the_customers_pending_requests_and_a_type_switch_keeps_them(world):
    from customers import services as customers

    world.allocate("100.00")
    resale_order = placed_by_customer(world, world.resale)
    referral_order = placed_by_customer(world, world.referral)
    resale_request = services.request_partner_payment(world.resale_user, order_id=resale_order.order_id)
    referral_request = services.request_partner_payment(world.referral_user, order_id=referral_order.order_id)
    switch = customers.request_type_switch(world.admin, customer_id=world.referral.domain_id, reason="r")
    customers.decide_event(world.referral_user, event_id=switch.pk, approve=True)
    leave = customers.request_disassociation(world.admin, customer_id=world.resale.domain_id, reason="r")

    customers.decide_event(world.resale_user, event_id=leave.pk, approve=True)

    resale_request.refresh_from_db()
    referral_request.refresh_from_db()
    assert (resale_request.status, referral_request.status) == ("withdrawn", "pending")
    assert Event.objects.filter(type="order.payment_request_decided", data__decision="ended").count() == 1
    with pytest.raises(DomainError) as gone:
        services.decide_payment_request(world.admin, request_id=resale_request.pk, approve=True)
    assert gone.value.code in (Codes.NOT_FOUND, TradeCodes.REQUEST_NOT_PENDING)


def test_a_disassociation_cancels_the_pending_orders_in_the_partners_book(world):
    """The partner's discount, its 代客下单 grant and its payment belong to the ended association: what waits
    for payment is cancelled with it, so the customer cannot pay it later with its next partner's money."""
    from customers import services as customers

    world.allocate("100.00")
    pending = placed_by_customer(world, world.resale)
    paid = placed_by_customer(world, world.resale)
    services.pay_order(world.resale_user, order_id=paid.order_id)
    other_customer = placed_by_customer(world, world.referral)
    leave = customers.request_disassociation(world.admin, customer_id=world.resale.domain_id, reason="r")

    customers.decide_event(world.resale_user, event_id=leave.pk, approve=True)

    statuses = {o.order_id: o.status for o in Order.objects.filter(pk__in=[pending.pk, paid.pk, other_customer.pk])}
    assert statuses == {pending.order_id: 4, paid.order_id: 5, other_customer.order_id: 6}
    assert Event.objects.get(type="order.cancelled").data["cause"] == "disassociation"
    pending.refresh_from_db()
    assert services.usable_coupons(pending) == []
    with pytest.raises(DomainError) as refused:
        services.pay_order(world.resale_user, order_id=pending.order_id)
    assert refused.value.code == TradeCodes.ORDER_NOT_PENDING
