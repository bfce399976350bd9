"""The events subscriptions records (events.outbox), registered in SubscriptionsConfig.ready().

Data uses the CBC names of the period-resource endpoints: `resource_id`, `resource_name`, `customer_id`
(the customer's domain id), `account_name`, `expire_time` (UTC wire time, `YYYY-MM-DDTHH:MM:SSZ`); a notice
before expiry adds `days` (7 or 1) and `auto_renew` (bool); an automatic renewal `order_id`, `amount` and,
when it failed, `error_code`/`error_msg`; an unsubscription `order_id`, `amount` (refunded) and
`unsubscribe_type`; a switch to pay-per-use `order_id` when it was an instant switch (with its refund); an
expiry that was set to switch to pay-per-use but could not (no pay-per-use product for the resource or one of
its subordinates) `error_code` CBC.99006006 on `subscription.expired`.

Every event is about a main resource (its subordinates follow it and are not told separately). It belongs
to the customer's partner (the current association), scoped to the customer's account manager, and the
customer hears about it in the fee center (续费管理); a customer without a partner hears about it alone (an
event without a partner). An unsubscription's event belongs to the refund order's partner — the partner whose
order was refunded (subscriptions/unsubscribing.py "Whose refund").
"""

from django.urls import NoReverseMatch
from django.utils.translation import gettext_lazy as _

from customers.event_types import page_url
from events.choices import Audience
from events.types import CUSTOMER_SIDE, EventType, register

__all__ = ["TYPES", "resource_link"]


def _url(name, query=None, *args, fallback=None):
    try:
        return page_url(name, query, *args)
    except NoReverseMatch:  # the page is not mounted (a partial install)
        return fallback


def resource_link(event, side):
    """The customer's yearly/monthly resources in the partner's book; 费用中心 ▸ 续费管理 for the customer."""
    if side == CUSTOMER_SIDE:
        return _url("fee_center_renewals", fallback=_url("fee_center"))
    customer_id = event.data.get("customer_id")
    if not customer_id:
        return _url("customers:list")
    return _url("customers:resources", {"mode": "period"}, customer_id,
                fallback=_url("customers:detail", None, customer_id))


_EXPIRING = {
    "7": _("Resource %(resource_name)s (%(resource_id)s) of customer %(account_name)s expires within 7 days "
           "(%(expire_time)s)."),
    "1": _("Resource %(resource_name)s (%(resource_id)s) of customer %(account_name)s expires within a day "
           "(%(expire_time)s)."),
}
_SWITCHED = {
    "instant": _("Resource %(resource_name)s (%(resource_id)s) of customer %(account_name)s was switched to "
                 "pay-per-use (order %(order_id)s)."),
}


def _expiring(data):
    return _EXPIRING.get(str(data.get("days", "")))


def _switched(data):
    return _SWITCHED["instant"] if data.get("order_id") else None


TYPES = (
    EventType("subscription.expiring", _("Resource expiring"), audience=Audience.BOTH,
              permission="customers.view",
              summary=_("Resource %(resource_name)s (%(resource_id)s) of customer %(account_name)s expires on "
                        "%(expire_time)s."),
              customer_summary=_("Your resource %(resource_name)s (%(resource_id)s) expires on %(expire_time)s "
                                 "(in %(days)s days or less). Renew it in the fee center to keep it."),
              reading=_expiring, link=resource_link),
    EventType("subscription.expired", _("Resource expired"), audience=Audience.BOTH, permission="customers.view",
              summary=_("Resource %(resource_name)s (%(resource_id)s) of customer %(account_name)s expired and "
                        "is in its grace period."),
              customer_summary=_("Your resource %(resource_name)s (%(resource_id)s) expired and is in its grace "
                                 "period. Renew it to keep it."),
              link=resource_link),
    EventType("subscription.frozen", _("Resource frozen"), audience=Audience.BOTH, permission="customers.view",
              summary=_("Resource %(resource_name)s (%(resource_id)s) of customer %(account_name)s is frozen "
                        "(retention period)."),
              customer_summary=_("Your resource %(resource_name)s (%(resource_id)s) is frozen (retention period). "
                                 "Renew it before it is released."),
              link=resource_link),
    EventType("subscription.released", _("Resource released"), audience=Audience.BOTH,
              permission="customers.view",
              summary=_("Resource %(resource_name)s (%(resource_id)s) of customer %(account_name)s was released."),
              customer_summary=_("Your resource %(resource_name)s (%(resource_id)s) was released."),
              link=resource_link),
    EventType("subscription.switched", _("Resource switched to pay-per-use"), audience=Audience.BOTH,
              permission="customers.view",
              summary=_("Resource %(resource_name)s (%(resource_id)s) of customer %(account_name)s continues as "
                        "a pay-per-use resource."),
              customer_summary=_("Your resource %(resource_name)s (%(resource_id)s) continues as a pay-per-use "
                                 "resource."),
              reading=_switched, link=resource_link),
    EventType("subscription.auto_renewed", _("Resource renewed automatically"), audience=Audience.BOTH,
              permission="customers.view",
              summary=_("Resource %(resource_name)s (%(resource_id)s) of customer %(account_name)s was renewed "
                        "automatically (order %(order_id)s, %(money)s)."),
              customer_summary=_("Your resource %(resource_name)s (%(resource_id)s) was renewed automatically "
                                 "(order %(order_id)s, %(money)s)."),
              link=resource_link),
    EventType("subscription.auto_renew_failed", _("Automatic renewal failed"), audience=Audience.BOTH,
              permission="customers.view",
              summary=_("The automatic renewal of resource %(resource_name)s (%(resource_id)s) of customer "
                        "%(account_name)s failed: %(error_msg)s"),
              customer_summary=_("The automatic renewal of your resource %(resource_name)s (%(resource_id)s) "
                                 "failed: %(error_msg)s Pay the renewal order or top up your balance before "
                                 "the resource expires."),
              link=resource_link),
    EventType("subscription.unsubscribed", _("Resource unsubscribed"), audience=Audience.BOTH,
              permission="customers.view",
              summary=_("Customer %(account_name)s unsubscribed resource %(resource_name)s (%(resource_id)s); "
                        "refund %(money)s (order %(order_id)s)."),
              customer_summary=_("You unsubscribed resource %(resource_name)s (%(resource_id)s); refund "
                                 "%(money)s (order %(order_id)s)."),
              link=resource_link),
)

register(*TYPES)
