"""Every read of subscriptions, scoped to the actor (ARCHITECTURE.md rule 1).

A customer sees its own yearly/monthly resources; a partner member or key the resources of the customers
it sees (customers.selectors.customers_for: its book, narrowed to an account manager's team). A resource
of anyone else is "not found".
"""

from django.db.models import Q

from customers.choices import ChargingMode, PeriodStatus
from customers.models import Resource
from customers.selectors import customers_for
from trade.choices import OrderStatus, OrderType
from trade.models import Order

from .models import AutoRenewal, RefundItem, RefundPayout, Unsubscription

__all__ = ["period_resources_for", "main_resources_for", "resource_for", "subordinates_of", "auto_renewals_of",
           "unsubscriptions_for", "refund_items_of", "refund_payouts_of", "pending_orders_naming", "REFUND_ORDER_TYPES"]

# The orders whose refund rows refund-orders shows: unsubscriptions and instant switches to pay-per-use.
REFUND_ORDER_TYPES = (OrderType.UNSUBSCRIBE, OrderType.TO_ON_DEMAND)


def period_resources_for(actor):
    """The yearly/monthly resources the actor may see (main and subordinate), with their customer."""
    base = Resource.objects.filter(charging_mode=ChargingMode.PERIOD).select_related("customer")
    if actor.is_customer:
        return base.filter(customer=actor.customer)
    if not actor.is_partner:
        return base.none()
    return base.filter(customer__in=customers_for(actor).values("pk"))


def main_resources_for(actor, *, live=True):
    """Main resources only; `live`: not released (closed)."""
    queryset = period_resources_for(actor).filter(is_main_resource=True)
    return queryset.exclude(status=PeriodStatus.CLOSED) if live else queryset


def resource_for(actor, resource_id):
    """One yearly/monthly resource the actor may see, by its resource id; None otherwise."""
    if not resource_id:
        return None
    return period_resources_for(actor).filter(resource_id=str(resource_id)).first()


def subordinates_of(resource):
    """The subordinate resources of a main resource (a server's disks), same customer, yearly/monthly."""
    return Resource.objects.filter(customer_id=resource.customer_id, charging_mode=ChargingMode.PERIOD,
                                   parent_resource_id=resource.resource_id).exclude(
        resource_id=resource.resource_id).order_by("pk")


def auto_renewals_of(resources) -> dict[int, AutoRenewal]:
    """{resource pk: its AutoRenewal} for a page of resources (one statement)."""
    return {row.resource_id: row for row in AutoRenewal.objects.filter(resource__in=[r.pk for r in resources])}


def unsubscriptions_for(actor):
    """The actor's unsubscriptions (and instant switches), newest first, with their order."""
    base = Unsubscription.objects.select_related("order", "customer")
    if actor.is_customer:
        return base.filter(customer=actor.customer)
    if not actor.is_partner:
        return base.none()
    return base.filter(Q(customer__in=customers_for(actor).values("pk")) | Q(order__partner=actor.partner))


def refund_items_of(order):
    """The refund rows of an unsubscription (or instant switch) order, with the base order and the line's
    product joined; none for any other order. `order` comes from a scoped selector (trade.selectors)."""
    if order.order_type not in REFUND_ORDER_TYPES:
        return RefundItem.objects.none()
    return (RefundItem.objects.filter(order=order)
            .select_related("base_order", "service_type", "base_line__product__resource_type",
                            "base_line__product__region")
            .order_by("id"))


def refund_payouts_of(order):
    """Where the refund of an unsubscription order went."""
    if order.order_type not in REFUND_ORDER_TYPES:
        return RefundPayout.objects.none()
    return RefundPayout.objects.filter(order=order).select_related("base_order", "partner", "coupon").order_by("id")


def pending_orders_naming(customer, resource_ids) -> list[Order]:
    """Pending renewal orders of the customer whose lines name any of `resource_ids`."""
    return list(Order.objects.filter(customer=customer, status=OrderStatus.PENDING_PAYMENT, order_type=OrderType.RENEW,
                                     lines__resource_id__in=list(resource_ids)).distinct().order_by("pk"))
