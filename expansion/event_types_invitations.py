"""The events of the invitations area (events.outbox), registered when hooks_invitations is imported.

- `expansion.customer_registered` (partner): a customer registered through one of the partner's invitation
  links (线下拓展) and is now associated with it as the link says. Data: `customer_id`, `account_name`,
  `association_type` ("1" referral, "2" resale), `link_id`, `link_name`. Told to members with
  `expansion.view` whose scope covers the customer (it has no account manager yet).
- `expansion.link_revoked` (partner): a platform operator revoked one of the partner's invitation links (in
  the admin); nobody can register through it any more. Data: `link_id`, `link_name`, `by` ("platform").
  Told to members with `expansion.view`. (A member revoking a link is in the 操作记录 only.)
"""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from events.choices import Audience
from events.types import EventType, register

__all__ = ["CUSTOMER_REGISTERED", "LINK_REVOKED", "TYPES"]

CUSTOMER_REGISTERED = "expansion.customer_registered"
LINK_REVOKED = "expansion.link_revoked"


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
    EventType(LINK_REVOKED, _("Invitation link revoked by the platform"), audience=Audience.PARTNER,
              permission="expansion.view",
              summary=_("The platform revoked your invitation link %(link_name)s: nobody can register through it "
                        "any more."),
              link=_link_page),
)

register(*TYPES)
