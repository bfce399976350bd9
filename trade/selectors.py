"""Every read of orders, scoped to the actor.

A partner's member (or key) holding `orders.view` (or a right to act on orders) sees the orders of its
customers — every order placed while the customer was associated with it (`Order.partner`); without
`customers.view_all` only those of the customers its team manages now (the customers scope, `customers.selectors.customers_for`, as the
coupons lists do). A distributor naming one of its cloud resellers (`indirect_partner_id`, resolved by
`partnercenter.selectors.book_owner`) reads that reseller's orders instead of its own. A customer sees
its own orders. Anything else is not there: `order_for` answers CBC.99008001 for another tenant's order
as for a made-up id.

The whole book's total comes from a counter kept by triggers (migrations/0002_order_list_counts.py), so
the order list costs the same at 10 thousand and at a million orders; the rows are read by the indexes
`order_partner_created` (a partner's book) and `order_customer_created` (a customer, a team).
"""

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Prefetch, prefetch_related_objects

from customers.selectors import customers_for
from partnercenter.api.pagination import CountedList, counted
from partnercenter.errors import DomainError
from partnercenter.selectors import book_owner

from .choices import DiscountType, OrderStatus
from .errors import TradeCodes
from .models import Order, OrderDiscount, OrderLine, PaymentRequest, PriceAdjustment

__all__ = [
    "ORDERS", "ORDER_RIGHTS", "orders_for", "order_for", "find_order", "order_lines_of", "discount_rows_of",
    "with_discount_rows", "usable_discounts", "coupon_types_of", "payment_requests_for",
    "adjustable_orders_for", "price_adjustments_for",
]

# The total of a partner's 订单管理 (every order it is the partner of), kept by triggers.
ORDERS = CountedList("orders", "trade.Order")

ORDER_RIGHTS = ("orders.view",)  # who reads a partner's orders (订单管理 and the API)
# Whose scope holds the partner's orders at all: who reads them, and who acts on one it names (places,
# pays for the customer, adjusts its price) — trade.services find the order through order_for.
_SCOPE_RIGHTS = ("orders.view", "orders.place", "orders.pay", "orders.adjust_price")
_PAYMENT_REQUEST_RIGHTS = ("orders.view", "orders.pay")

# What a list row shows: the customer's public id, the service type's names, the payer.
_RELATED = ("customer", "service_type", "partner", "paying_partner")


def _owner(actor, indirect_partner_id, rights=_SCOPE_RIGHTS):
    if not any(actor.has_perm(code) for code in rights):
        return None
    return book_owner(actor, indirect_partner_id or None)


def orders_for(actor, *, indirect_partner_id: str | None = None):
    """The orders the actor may see, newest first, with what a list shows joined. Counted for a partner's
    whole book (page() and paginate() read the counter while nobody filters the list)."""
    base = Order.objects.select_related(*_RELATED)
    if actor.is_customer:
        return base.filter(customer=actor.customer)
    if not actor.is_partner:
        return base.none()
    owner = _owner(actor, indirect_partner_id)
    if owner is None:
        return base.none()
    queryset = base.filter(partner=owner)
    if not actor.sees_all_customers:
        # The team's customers (in a named reseller's book: its customers, with customers.view as well).
        team = customers_for(actor, indirect_partner_id=indirect_partner_id).values("pk")
        return queryset.filter(customer__in=team)
    return counted(queryset, ORDERS.total_for(owner))


def _id_variants(order_id: str) -> list[str]:
    # Order ids are upper case (trade.models.new_order_id); Huawei matches them case-insensitively. Both
    # spellings are looked up by the unique index rather than by UPPER(order_id).
    return list({order_id, order_id.upper()})


def find_order(queryset, order_id):
    """The order of `queryset` with this id (in any letter case), or None."""
    if not order_id or not isinstance(order_id, str):
        return None
    return queryset.filter(order_id__in=_id_variants(order_id)).first()


def order_for(actor, order_id: str, *, indirect_partner_id: str | None = None) -> Order:
    """One order the actor may see; CBC.99008001 when there is none with this id in its scope."""
    order = find_order(orders_for(actor, indirect_partner_id=indirect_partner_id), order_id)
    if order is None:
        raise DomainError(TradeCodes.ORDER_NOT_FOUND)
    return order


def order_lines_of(order):
    """订单项 of an order the actor was given by order_for, in order, with what the wire shows of each."""
    return (OrderLine.objects.filter(order=order)
            .select_related("product__resource_type", "product__region", "service_type",
                            "parent_line__product__resource_type", "parent_line__service_type")
            .prefetch_related(Prefetch("discounts", queryset=_discount_rows()))
            .order_by("id"))


def _discount_rows():
    return OrderDiscount.objects.only("id", "order_id", "line_id", "discount_type", "discount_id", "name",
                                      "amount").order_by("id")


def with_discount_rows(orders):
    """A queryset of orders with their discount rows prefetched (one statement per page, whatever its size);
    or one order, its rows read now (one statement)."""
    if isinstance(orders, Order):
        prefetch_related_objects([orders], Prefetch("discounts", queryset=_discount_rows()))
        return orders
    return orders.prefetch_related(Prefetch("discounts", queryset=_discount_rows()))


def discount_rows_of(order):
    """The discount rows (607, 609) of one order, in order."""
    return list(_discount_rows().filter(order=order).select_related("line__product"))


# order-discounts: the wire's discount_type and discount_mode of our discount rows. A partner discount (607)
# is 3 合作伙伴授予折扣, a rate (mode 0 折扣); a price adjustment is 609 订单调价折扣, a new price (mode 1 一口价).
WIRE_DISCOUNT_TYPE = {DiscountType.PARTNER: 3, DiscountType.PRICE_ADJUSTMENT: 609}
_DISCOUNT_MODE = {DiscountType.PARTNER: 0, DiscountType.PRICE_ADJUSTMENT: 1}
_RATIO = Decimal("0.0001")


def _ratio(discount, official) -> Decimal:
    """The share of the official price paid after the discount (0.85 for 15 % off), to 4 decimals."""
    if not official:
        return Decimal("1.0000")
    return (1 - discount / official).quantize(_RATIO, ROUND_HALF_UP)


def usable_discounts(order) -> list[dict]:
    """The discounts of an order (查询订单可用折扣), as the wire shows them: one per discount (its rows on the
    order's lines), the lines that share a product, size and price merged into one item. The discounts
    were granted when the order was priced (607) or adjusted (609) and are in its amounts already; the
    payment names one of them (a 609 one must be named). Each: discount_id, discount_value, discount_type,
    kind (our DiscountType), orders[order_id, order_line_items[order_line_item_ids, discount_mode,
    discount_amount, discount_ratio]]. Two statements whatever the order's size."""
    lines = list(OrderLine.objects.filter(order=order).select_related("product").only(
        "id", "line_id", "resource_size", "official_amount", "amount_after_discount", "product__product_id")
        .order_by("id"))
    groups: dict[tuple, list] = {}
    for row in OrderDiscount.objects.filter(order=order).order_by("id"):
        groups.setdefault((row.discount_type, row.discount_id or str(row.discount_type)), []).append(row)
    discounts = []
    for (kind, discount_id), rows in groups.items():
        by_line = defaultdict(Decimal)
        for row in rows:
            by_line[row.line_id] += row.amount
        items: dict[tuple, dict] = {}
        for line in lines:
            if line.pk not in by_line:
                continue
            key = (line.product.product_id, line.resource_size, line.official_amount, line.amount_after_discount)
            item = items.setdefault(key, {"order_line_item_ids": [], "amount": Decimal("0.00"),
                                          "official": Decimal("0.00")})
            item["order_line_item_ids"].append(line.line_id)
            item["amount"] += by_line[line.pk]
            item["official"] += line.official_amount
        if None in by_line:  # a row of the whole order
            items[None] = {"order_line_item_ids": [line.line_id for line in lines], "amount": by_line[None],
                           "official": order.official_amount}
        total = sum((item["amount"] for item in items.values()), Decimal("0.00"))
        official = sum((item["official"] for item in items.values()), Decimal("0.00"))
        mode = _DISCOUNT_MODE.get(kind, 2)
        discounts.append({
            "discount_id": discount_id, "kind": kind,
            "discount_value": None if mode == 1 else str(_ratio(total, official).normalize()),
            "discount_type": WIRE_DISCOUNT_TYPE.get(kind, kind),
            "orders": [{"order_id": order.order_id, "order_line_items": [
                {"order_line_item_ids": item["order_line_item_ids"], "discount_mode": mode,
                 "discount_amount": item["amount"], "discount_ratio": _ratio(item["amount"], item["official"])}
                for item in items.values()]}],
        })
    return discounts


def coupon_types_of(order, coupon_ids) -> dict[str, int]:
    """{coupon id: coupon type} of those of `coupon_ids` that belong to the order's customer."""
    from vouchers.models import Coupon

    return dict(Coupon.objects.filter(customer_id=order.customer_id, coupon_id__in=list(coupon_ids))
                .values_list("coupon_id", "coupon_type"))


def payment_requests_for(actor):
    """余额支付 requests: to a partner (its members holding orders.view or orders.pay; without the whole
    customer book only its team's customers'), or a customer's own. Newest first."""
    base = PaymentRequest.objects.select_related("order__service_type", "customer", "partner", "requested_by")
    if actor.is_customer:
        return base.filter(customer=actor.customer)
    if not actor.is_partner or _owner(actor, None, _PAYMENT_REQUEST_RIGHTS) is None:
        return base.none()
    queryset = base.filter(partner=actor.partner)
    if not actor.sees_all_customers:
        queryset = queryset.filter(customer__in=customers_for(actor).values("pk"))
    return queryset


def adjustable_orders_for(actor):
    """交易调价: the pending marketplace orders in the actor's scope whose selected sales account is its
    partner's (trade.services.adjust_price checks the rest again when it runs)."""
    return orders_for(actor).filter(is_marketplace=True, sales_partner=actor.partner,
                                    status=OrderStatus.PENDING_PAYMENT)


def price_adjustments_for(actor):
    """The partner's price adjustments of the orders the actor may see, newest first."""
    return (PriceAdjustment.objects.filter(partner=actor.partner, order__in=orders_for(actor).values("pk"))
            .select_related("order__customer"))
