"""The events of rebate withdrawals (激励返点提现), told to the partner's members with `incentives.view`:

- `incentives.withdrawal_paid`: the platform transferred a withdrawal to the partner's bank (`withdrawal_no`,
  `amount` as a string with two decimals, `bank_account` masked, `payment_reference`).
- `incentives.withdrawal_rejected`: the platform rejected a withdrawal (`withdrawal_no`, `amount`, `reason`); the
  amount is back in the rebate account (`balance`, the rebate balance after the return).
"""

from django.urls import NoReverseMatch
from django.utils.translation import gettext_lazy as _

from customers.event_types import page_url
from events.choices import Audience
from events.types import EventType, register

__all__ = ["WITHDRAWAL_PAID", "WITHDRAWAL_REJECTED", "TYPES", "withdrawal_link"]

WITHDRAWAL_PAID = "incentives.withdrawal_paid"
WITHDRAWAL_REJECTED = "incentives.withdrawal_rejected"
PERMISSION = "incentives.view"


def withdrawal_link(event, side):
    number = event.data.get("withdrawal_no")
    try:
        return page_url("incentives:withdrawal_detail", None, number) if number else page_url("incentives:rebate")
    except NoReverseMatch:
        return None


TYPES = (
    EventType(WITHDRAWAL_PAID, _("Rebate withdrawal paid"), audience=Audience.PARTNER, permission=PERMISSION,
              summary=_("Your rebate withdrawal of %(money)s was paid to the account %(bank_account)s (payment "
                        "reference %(payment_reference)s)."),
              link=withdrawal_link),
    EventType(WITHDRAWAL_REJECTED, _("Rebate withdrawal rejected"), audience=Audience.PARTNER, permission=PERMISSION,
              summary=_("Your rebate withdrawal of %(money)s was rejected: %(reason)s. The amount is back in your "
                        "rebate account."),
              link=withdrawal_link),
)

register(*TYPES)
