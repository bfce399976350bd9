"""Where rows of trade are locked, in one order (cf. Saleor's lock_objects.py), continuing the order of
customers/locks.py, billing/locks.py and vouchers/locks.py:

1. the customer's association (customers/locks.py) — what a disassociation holds while it reclaims the
   customer's balance and coupons and revokes the 代客运维 authorization; a payment or a 代客下单 that
   overlaps it either finishes first or sees the association ended and is refused;
2. the paying partner's account (余额支付; billing/locks.py);
3. the customer's account (billing/locks.py);
4. the coupons chosen at checkout, in pk order (vouchers/locks.py);
5. the order row;
6. the order's payment requests (moved by conditional UPDATEs from `pending`);
7. the customer's resources a renewal extends (trade/provisioning.py).

Every payment takes the steps it needs in this order and skips the others, and so does every write
that shares rows with it: the disassociation (1 → 2 → 3 → coupons), allocations (1 → 2 → 3), coupon
reclaims (1 → coupons), cancelling an order (5 → 6), the overdue run (the due orders in pk order → 6),
a price adjustment (5). So no two of them wait on each other in a cycle.

The order row is the guard against paying twice: two payments of one order queue on it (after the
steps before it), and the second finds it no longer pending once the first committed — then refuses,
having changed nothing. What was checked before the transaction (the order still pending, the customer
still associated, the authorization valid, the coupons usable, the balance positive) is checked again
once the rows are locked.

`no_key=True` (FOR NO KEY UPDATE) conflicts with every other writer of the row, but not with inserts of
rows that only reference it (an order's coupon uses, a payment request), which need no wait.
"""

from billing import locks as billing_locks
from customers import locks as customer_locks
from vouchers import locks as voucher_locks
from vouchers.models import Coupon

from .models import Order

__all__ = ["lock_association", "lock_partner_account", "lock_customer_account", "lock_coupons", "lock_order",
           "lock_due_orders"]


def lock_association(association):
    """Step 1: the association seen before the transaction, locked; the one holding now between the same
    customer and partner (None once it ended)."""
    if association is None:
        return None
    return customer_locks.lock_current_association(association)


def lock_partner_account(partner):
    """Step 2: the paying partner's account."""
    return billing_locks.lock_partner_account(partner)


def lock_customer_account(customer):
    """Step 3: the customer's account (created first if it has none)."""
    return billing_locks.lock_customer_account(customer)


def lock_coupons(coupon_pks) -> dict[int, Coupon]:
    """Step 4: the chosen coupons, locked in pk order and read as they are now, by pk."""
    if not coupon_pks:
        return {}
    return {coupon.pk: coupon for coupon in voucher_locks.lock_coupons(Coupon.objects.filter(pk__in=coupon_pks))}


def lock_order(order) -> Order | None:
    """Step 5: the order (an Order read before, or its pk), as it is now (paid, cancelled or adjusted while
    we waited) — with the customer, partner and service type already read with `order` (they never change)."""
    locked = Order.objects.select_for_update(no_key=True).filter(pk=getattr(order, "pk", order)).first()
    if locked is not None and isinstance(order, Order):
        for name in ("customer", "partner", "service_type", "sales_partner"):
            field = Order._meta.get_field(name)
            if field.is_cached(order) and getattr(locked, field.attname) == getattr(order, field.attname):
                field.set_cached_value(locked, field.get_cached_value(order))
    return locked


def lock_due_orders(queryset) -> list[int]:
    """Step 5 for the overdue run: the pks of the orders in `queryset` still matching it once locked, in pk
    order (a payment that committed while we waited is seen paid and left alone)."""
    return list(queryset.select_for_update(no_key=True).order_by("pk").values_list("pk", flat=True))
