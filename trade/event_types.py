"""The events trade records (events.outbox), registered in TradeConfig.ready().

Data uses the CBC names of the order endpoints: `order_id`, `customer_id`, `account_name`, `order_type`,
`status`, `source_type`, `amount` (amount_after_discount, a string with two decimals, CNY),
`pending_payment_end_time` (UTC, `YYYY-MM-DDTHH:MM:SSZ`); a payment adds `payer` ("customer",
"partner"), `coupon_amount`, `flexipurchase_coupon_amount`, `cash_amount`; a payment request
`request_id` and its `decision` ("approved", "declined", "withdrawn"; "ended" with the association); a
cancellation its `cause` ("customer", "partner", "overdue"); a price adjustment `amount_before` and `reason`.

Each event belongs to the order's partner (the one the customer was associated with when it ordered),
scoped to the customer's account manager; customers hear about their own orders in the fee center.
"""

from django.urls import NoReverseMatch
from django.utils.translation import gettext_lazy as _

from customers.event_types import customer_link, page_url
from events.choices import Audience
from events.types import CUSTOMER_SIDE, EventType, register

__all__ = ["TYPES", "order_link", "request_link"]


def _url(name, *args, fallback=None):
    try:
        return page_url(name, None, *args)
    except NoReverseMatch:  # the pages are not mounted (a partial install): the customer's page instead
        return fallback


def order_link(event, side):
    """The order's detail: 订单管理 for the partner, 费用中心 ▸ 订单管理 for the customer."""
    order_id = event.data.get("order_id")
    if side == CUSTOMER_SIDE:
        return _url("fee_center_order", order_id, fallback=page_url("fee_center")) if order_id else page_url(
            "fee_center")
    if not order_id:
        return customer_link(event, side)
    return _url("trade:order_detail", order_id, fallback=customer_link(event, side))


def request_link(event, side):
    """The partner's inbox of payment requests; the customer's order."""
    if side == CUSTOMER_SIDE:
        return order_link(event, side)
    return _url("trade:payment_requests", fallback=order_link(event, side))


_CREATED = {
    "2": _("You placed order %(order_id)s for customer %(account_name)s (%(money)s)."),
    "1": _("Customer %(account_name)s placed order %(order_id)s (%(money)s)."),
}
_PAID = {
    "partner": _("You paid order %(order_id)s of customer %(account_name)s (%(money)s) from your account."),
    "customer": _("Customer %(account_name)s paid order %(order_id)s (%(money)s)."),
}
_CANCELLED = {
    "overdue": _("Order %(order_id)s of customer %(account_name)s was cancelled: it was not paid in time."),
    "customer": _("Customer %(account_name)s cancelled order %(order_id)s."),
    "partner": _("Order %(order_id)s of customer %(account_name)s was cancelled by your organisation."),
    "disassociation": _("Order %(order_id)s of customer %(account_name)s was cancelled: the customer is no longer "
                        "associated with you."),
    "unsubscription": _("Order %(order_id)s of customer %(account_name)s was cancelled: its resources were "
                        "unsubscribed or switched to pay-per-use."),
}
_DECIDED = {
    "approved": _("The request of customer %(account_name)s to pay order %(order_id)s was approved and the order "
                  "paid."),
    "declined": _("The request of customer %(account_name)s to pay order %(order_id)s was declined."),
    "withdrawn": _("Customer %(account_name)s withdrew its request that you pay order %(order_id)s."),
    "ended": _("The request of customer %(account_name)s to pay order %(order_id)s ended with the association."),
}


def _by(field, texts):
    return lambda data: texts.get(str(data.get(field, "")))


TYPES = (
    EventType("order.created", _("Order placed"), audience=Audience.BOTH, permission="orders.view",
              summary=_("Order %(order_id)s of customer %(account_name)s was placed (%(money)s)."),
              customer_summary=_("Order %(order_id)s (%(money)s) was placed for your account."),
              reading=_by("source_type", _CREATED), link=order_link),
    EventType("order.paid", _("Order paid"), audience=Audience.BOTH, permission="orders.view",
              summary=_("Order %(order_id)s of customer %(account_name)s was paid (%(money)s)."),
              customer_summary=_("Order %(order_id)s was paid (%(money)s); its resources are ready."),
              reading=_by("payer", _PAID), link=order_link),
    EventType("order.cancelled", _("Order cancelled"), audience=Audience.BOTH, permission="orders.view",
              summary=_("Order %(order_id)s of customer %(account_name)s was cancelled."),
              customer_summary=_("Your order %(order_id)s was cancelled."),
              reading=_by("cause", _CANCELLED), link=order_link),
    EventType("order.payment_requested", _("Payment requested"), audience=Audience.BOTH, permission="orders.pay",
              summary=_("Customer %(account_name)s asks you to pay order %(order_id)s (%(money)s). Please approve "
                        "or decline."),
              customer_summary=_("You asked your partner to pay order %(order_id)s (%(money)s)."),
              link=request_link),
    EventType("order.payment_request_decided", _("Payment request decided"), audience=Audience.BOTH,
              permission="orders.pay",
              summary=_("A request to pay order %(order_id)s of customer %(account_name)s was decided."),
              customer_summary=_("Your request that your partner pay order %(order_id)s was answered. See the "
                                 "order in the fee center."),
              reading=_by("decision", _DECIDED), link=request_link),
    EventType("order.price_adjusted", _("Order price adjusted"), audience=Audience.BOTH, permission="orders.view",
              summary=_("The price of order %(order_id)s of customer %(account_name)s was adjusted to %(money)s."),
              customer_summary=_("The price of your order %(order_id)s was adjusted to %(money)s."),
              link=order_link),
)

register(*TYPES)
