"""The events consumption and bills records (events.outbox). Registered when this module is imported:
bills.closing and bills.thresholds import it, and BillsConfig.ready() should too (so the dispatcher and
the notification pages know the types in every process).

- `bill.closed` (partner): a month was closed and the partner's bill (伙伴账单) is ready. One per partner
  and cycle (key `bill.closed:<cycle>:<partner pk>`). Data: `bill_cycle`, `amount` (its customers'
  consumption in the month), `amount_due` (credit to repay), `customers`. Told to members with
  `billing.view`.
- `balance.low` (partner and customer): a resale customer's balance went below its low-balance threshold
  (余额预警). One per crossing (key `balance.low:<customer pk>:<crossed at>`); the customer's account
  manager hears of it through the event's `account_manager` (the data scope of events.notifications), as
  do members who see every customer; the customer's users in the fee center. Data: `customer_id`,
  `account_name`, `amount` (the balance when it crossed), `threshold`.
"""

from django.urls import NoReverseMatch
from django.utils.translation import gettext_lazy as _

from customers.event_types import page_url
from events.choices import Audience
from events.types import CUSTOMER_SIDE, EventType, register

__all__ = ["BILL_CLOSED", "BALANCE_LOW", "TYPES"]

BILL_CLOSED = "bill.closed"
BALANCE_LOW = "balance.low"


def _first_url(*choices):
    """The first of (name, query) that is mounted, else None (a page another part of the app provides)."""
    for name, query in choices:
        try:
            return page_url(name, query)
        except NoReverseMatch:
            continue
    return None


def bill_link(event, side):
    """The partner's bill of the month (bills' partner pages), else the money overview."""
    cycle = event.data.get("bill_cycle")
    return _first_url(("bills:partner_bill", {"cycle": cycle} if cycle else None), ("billing:overview", None))


def balance_link(event, side):
    """The low-balance page filtered to the customer; the fee center for the customer."""
    if side == CUSTOMER_SIDE:
        return _first_url(("fee_center_bills_balance", None), ("fee_center", None))
    customer_id = event.data.get("customer_id")
    return _first_url(("bills:thresholds", {"customer": customer_id, "show": "all"} if customer_id else None))


TYPES = (
    EventType(BILL_CLOSED, _("Partner bill ready"), audience=Audience.PARTNER, permission="billing.view",
              summary=_("Your bill for %(bill_cycle)s is ready: your customers consumed %(money)s; credit to "
                        "repay: ¥%(amount_due)s."),
              link=bill_link),
    EventType(BALANCE_LOW, _("Balance below threshold"), audience=Audience.BOTH, permission="customers.view",
              summary=_("The balance of customer %(account_name)s (%(money)s) is below its low-balance threshold "
                        "of ¥%(threshold)s."),
              customer_summary=_("Your balance (%(money)s) is below ¥%(threshold)s. Ask your partner for funds "
                                 "to keep your resources running."),
              link=balance_link),
)

register(*TYPES)
