"""The events of the leads area (events.outbox), registered when hooks_leads is imported.

- `expansion.lead_dispatched` (partner): Huawei Cloud (an operator in the admin, or the platform's key through
  `POST /v1/leads`) dispatched a lead to the partner. Data: `lead_id`, `company_name`.
- `expansion.lead_assigned` (partner): a lead was given an owner. Data: `lead_id`, `company_name`, `owner` (the
  member's name).
- `expansion.lead_converted` (partner): a lead became a customer or an opportunity. Data: `lead_id`,
  `company_name`, `customer_id` or `opportunity_id`. Webhooks only (the member who converted it knows).

Who is told: the members with `expansion.view` who can open the lead (expansion.selectors_leads). Each event
carries the lead's owner as its account manager (expansion.leads.record_event), so that a member without
`customers.view_all` (an account manager) hears of a lead owned in its team, and of an unassigned one.

No event carries a lead's phone or e-mail: partners in marketing plan 2.0 never receive them.
"""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from events.choices import Audience
from events.types import EventType, register

__all__ = ["LEAD_DISPATCHED", "LEAD_ASSIGNED", "LEAD_CONVERTED", "TYPES"]

LEAD_DISPATCHED = "expansion.lead_dispatched"
LEAD_ASSIGNED = "expansion.lead_assigned"
LEAD_CONVERTED = "expansion.lead_converted"


def _lead_link(event, side):
    lead_id = event.data.get("lead_id")
    try:
        return reverse("expansion:lead", args=[lead_id]) if lead_id else reverse("expansion:leads")
    except NoReverseMatch:
        return None


TYPES = (
    EventType(LEAD_DISPATCHED, _("Lead dispatched to you"), audience=Audience.PARTNER, permission="expansion.view",
              summary=_("Huawei Cloud dispatched a lead to you: %(company_name)s."), link=_lead_link),
    EventType(LEAD_ASSIGNED, _("Lead assigned"), audience=Audience.PARTNER, permission="expansion.view",
              summary=_("The lead %(company_name)s was assigned to %(owner)s."), link=_lead_link),
    EventType(LEAD_CONVERTED, _("Lead converted"), audience=Audience.PARTNER, permission="expansion.view",
              notify=False, summary=_("The lead %(company_name)s was converted."), link=_lead_link),
)

register(*TYPES)
