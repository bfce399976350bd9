"""What the order services (services.py, payment.py) share: who may act, the order an actor names, the
customer's association, the amounts of a paid order, payment requests that end with their order, and the
events (events.outbox, trade/event_types.py), recorded inside the change's transaction."""

from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from customers.models import Association
from events import outbox
from partnercenter.api.fields import wire_time
from partnercenter.choices import PartnerType
from partnercenter.errors import Codes, DomainError
from partnercenter.money import quantize

from . import selectors
from .choices import OrderStatus, PaymentRequestStatus
from .errors import TradeCodes
from .models import Order, PaymentRequest

__all__ = ["require_partner", "require_customer", "is_solution_provider", "order_of", "current_association",
           "ensure_not_in_arrears", "balance_of", "payment_window", "min_adjusted_share", "ensure_payable", "complete", "end_requests",
           "order_data", "announce", "announce_many"]


def require_partner(actor, permission: str) -> None:
    if not actor.is_partner or not actor.has_perm(permission):
        raise DomainError(Codes.FORBIDDEN)


def require_customer(actor) -> None:
    if not actor.is_customer:
        raise DomainError(Codes.FORBIDDEN)


def is_solution_provider(partner) -> bool:
    """余额支付 and 交易调价 are rights of solution providers (解决方案提供商), not of distributors or resellers."""
    return partner is not None and partner.partner_type == PartnerType.SOLUTION_PROVIDER


def order_of(actor, order_id) -> Order:
    """The order the actor names, in its scope (trade.selectors.order_for); CBC.99008001 otherwise."""
    return selectors.order_for(actor, order_id)


def current_association(customer) -> Association | None:
    """The customer's active association (with its partner and account manager), or None."""
    return (Association.objects.filter(customer=customer, ended_on__isnull=True)
            .select_related("partner", "account_manager").first())


def ensure_not_in_arrears(customer, *, fresh: bool = False) -> None:
    """客户欠费: a customer in arrears (`Customer.in_debt`, set and cleared by bills' deduction and write-off in the
    transaction that moves its account) can neither order nor have an order paid — CBC.99008017. `fresh` reads
    the flag again (after the caller's locks) instead of trusting the row read before."""
    from customers.models import Customer

    in_debt = (Customer.objects.filter(pk=customer.pk, in_debt=True).exists() if fresh
               else customer.in_debt)
    if in_debt:
        raise DomainError(TradeCodes.CUSTOMER_IN_ARREARS)


def balance_of(customer) -> Decimal:
    from billing.models import CustomerAccount

    return CustomerAccount.objects.filter(customer=customer).values_list("balance", flat=True).first() or Decimal("0")


def payment_window():
    """How long a new order waits for payment (settings.TRADE_PAYMENT_WINDOW, 7 days by default)."""
    return settings.TRADE_PAYMENT_WINDOW


def min_adjusted_share() -> Decimal:
    """The least share of its official price a 云商店交易调价 may leave an order at (TRADE_MIN_ADJUSTED_SHARE)."""
    return Decimal(str(getattr(settings, "TRADE_MIN_ADJUSTED_SHARE", "0.5")))


def ensure_payable(order, *, now=None) -> None:
    """Still waiting for payment, and within its payment window (the overdue run may not have come yet)."""
    now = now or timezone.now()
    if order is None or order.status != OrderStatus.PENDING_PAYMENT:
        raise DomainError(TradeCodes.ORDER_NOT_PENDING)
    if order.pending_payment_end_time is not None and order.pending_payment_end_time <= now:
        raise DomainError(TradeCodes.ORDER_NOT_PENDING)


def complete(order, *, now, payer, paying_partner=None, coupon_amount=Decimal("0"),
             flexipurchase_coupon_amount=Decimal("0"), cash_amount=Decimal("0"), invoiceable=False) -> Order:
    """Pending → completed, once (a conditional UPDATE; the order is locked, this is the backstop), with how
    it was paid — the CheckConstraints hold the amounts to the order's."""
    changes = {"status": OrderStatus.COMPLETED, "payer": payer, "paying_partner": paying_partner,
               "coupon_amount": coupon_amount, "flexipurchase_coupon_amount": flexipurchase_coupon_amount,
               "cash_amount": cash_amount, "invoiceable": invoiceable, "payment_time": now}
    if not Order.objects.filter(pk=order.pk, status=OrderStatus.PENDING_PAYMENT).update(**changes):
        raise DomainError(TradeCodes.ORDER_NOT_PENDING)
    for name, value in changes.items():  # the row as written (no second read)
        setattr(order, name, value)
    return order


def end_requests(order_pks, *, status, note, decided_by, now) -> list[PaymentRequest]:
    """The pending payment requests of these orders end with them (the order was paid, or cancelled):
    locked (step 6 of trade/locks.py), then moved from pending; returns them, for their events."""
    pending = list(PaymentRequest.objects.select_for_update(no_key=True, of=("self",))
                   .filter(order_id__in=list(order_pks), status=PaymentRequestStatus.PENDING)
                   .select_related("order__customer", "order__partner", "customer", "partner").order_by("pk"))
    if pending:
        PaymentRequest.objects.filter(pk__in=[r.pk for r in pending]).update(
            status=status, decision_note=note[:500], decided_by=decided_by[:150], decided_at=now)
    return pending


def order_data(order, **extra) -> dict:
    data = {"order_id": order.order_id, "customer_id": order.customer.domain_id,
            "account_name": order.customer.domain_name, "order_type": order.order_type, "status": order.status,
            "source_type": order.source_type, "amount": str(quantize(order.amount_after_discount))}
    if order.pending_payment_end_time is not None and order.status == OrderStatus.PENDING_PAYMENT:
        data["pending_payment_end_time"] = wire_time(order.pending_payment_end_time)
    data.update(extra)
    return data


def _manager(order, association):
    if association is not None and association.partner_id == order.partner_id and association.ended_on is None:
        return association.account_manager
    return None


def announce(type_code, *, actor, order, association=None, **extra) -> None:
    """An event about `order`, for its partner (scoped to the customer's account manager) and its customer.
    An order without a partner (a customer with none when it ordered) tells nobody."""
    if order.partner_id is None:
        return
    outbox.record(type_code, partner=order.partner, customer=order.customer,
                  account_manager=_manager(order, association), actor=actor, data=order_data(order, **extra))


def announce_many(type_code, *, actor, orders, managers=None, extra_of=None) -> int:
    """The same event for several orders at once (one INSERT): `managers` by customer pk."""
    events = [{"type_code": type_code, "partner": order.partner, "customer": order.customer,
               "account_manager": (managers or {}).get(order.customer_id), "actor": actor,
               "data": order_data(order, **(extra_of(order) if extra_of else {}))}
              for order in orders if order.partner_id is not None]
    return outbox.record_many(events) if events else 0
