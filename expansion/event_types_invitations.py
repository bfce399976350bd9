"""The events of the invitations area (events.outbox), registered when hooks_invitations is imported.

- `expansion.customer_registered` (partner): a customer registered through one of the partner's invitation
  links (线下拓展) and is now associated with it as the link says. Data: `customer_id`, `account_name`,
  `association_type` ("1" referral, "2" resale), `link_id`, `link_name`. Told to members with
  `expansion.view` whose scope covers the customer (it has no account manager yet).
"""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from events.choices import Audience
from events.types import EventType, register

__all__ = ["CUSTOMER_REGISTERED", "TYPES"]

CUSTOMER_REGISTERED = "expansion.customer_registered"


def _link_page(event, side):
    link_id = event.data.get("link_id")
    try:
        return reverse("expansion:invitation", args=[link_id]) if link_id else reverse("expansion:invitations")
    except NoReverseMatch:
        return None


TYPES = (
    EventType(CUSTOMER_REGISTERED, _("Customer registered through your invitation link"), audience=Audience.PARTNER,
              permission="expansion.view",
              summary=_("Customer %(account_name)s registered through your invitation link %(link_name)s."),
              link=_link_page),
)

register(*TYPES)
