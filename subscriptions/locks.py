"""Where subscriptions lock rows, in one order that continues trade/locks.py (and through it customers/,
billing/ and vouchers/locks.py), so an unsubscription, a renewal's payment, an auto-renewal and a
disassociation never wait on each other in a cycle:

1. the customer's association (customers/locks.py) — a disassociation holding it reclaims the customer's
   balance and coupons; an unsubscription that overlaps it either finishes first or sees it ended (and
   then pays the cash part of a resale-era order back to that partner, see refunds.py);
2. the partners' accounts a refund credits (PARTNER_CASH), in pk order (billing/locks.py);
3. the customer's account — always taken by an unsubscription, even when nothing goes to the balance:
   two unsubscriptions of one customer queue here, and so do they and the customer's payments
   (trade.payment.pay_order takes it too);
4. the coupons a refund restores, in pk order (vouchers/locks.py);
5. the customer's pending renewal orders naming the resources (trade.services.cancel_for_resources,
   step 5 of trade/locks.py) — cancelled, so a renewal paid afterwards is refused; then the completed
   orders the refund returns (its base orders), in pk order — the row trade.services.record_vat_invoice
   locks (its only lock), so a VAT invoice and an unsubscription of one order exclude each other: the
   invoice recorded first is seen by the plan made again below (refused, TradeCodes.INVOICED); an
   unsubscription committed first is seen by the invoice (subscriptions.receivers refuses it). No other
   writer holds a completed order while it waits for anything, so these never wait in a cycle;
6. the resources: the main resource and its subordinates, in pk order (step 7 of trade/locks.py, where a
   paid renewal extends them).

What was planned before the transaction (refunds.plan) is planned again once everything is locked: the
resource may have been released, renewed or unsubscribed meanwhile (then refused, nothing changed); a
plan that now needs a partner account, a coupon or a base order that was not locked is refused with PLAN_CHANGED
(the caller plans again in a new transaction — locking it late would break the order above).

The auto-renew run (autorenew.py) inserts its AutoRenewAttempt first (an insert waits only for the same
key), then places and pays the order through trade, which takes trade's steps in trade's order.
"""

from billing import locks as billing_locks
from customers.models import Resource
from trade import locks as trade_locks
from trade.models import Order
from vouchers.models import Coupon

__all__ = ["lock_association", "lock_partner_accounts", "lock_customer_account", "lock_coupons", "lock_base_orders",
           "lock_resources"]


def lock_association(association):
    """Step 1: the association seen before the transaction, locked; the one holding now between the same
    customer and partner (None once it ended)."""
    return trade_locks.lock_association(association)


def lock_partner_accounts(partner_pks) -> None:
    """Step 2: the accounts of these partners, in pk order."""
    from partnercenter.models import Partner

    for partner in Partner.objects.filter(pk__in=list(partner_pks)).order_by("pk"):
        billing_locks.lock_partner_account(partner)


def lock_customer_account(customer):
    """Step 3: the customer's account (created first if it has none)."""
    return billing_locks.lock_customer_account(customer)


def lock_coupons(coupon_pks) -> dict[int, Coupon]:
    """Step 4: these coupons, in pk order, as they are now, by pk."""
    return trade_locks.lock_coupons(list(coupon_pks))


def lock_base_orders(order_pks) -> list[int]:
    """Step 5, after the pending renewals: the orders the refund returns, in pk order; their pks."""
    return trade_locks.lock_due_orders(Order.objects.filter(pk__in=list(order_pks)))


def lock_resources(resource_pks) -> dict[int, Resource]:
    """Step 6: these resources, in pk order, as they are now (released, renewed or switched while we waited),
    by pk."""
    rows = Resource.objects.select_for_update(no_key=True).filter(pk__in=list(resource_pks)).order_by("pk")
    return {row.pk: row for row in rows}
