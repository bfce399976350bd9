"""The events of opportunities (events.outbox), registered when hooks_opportunities is imported. Told to the
partner's members with `expansion.view`, offered to its webhooks. Data always carries `opportunity_id` (the
link opens the opportunity's page), `origin` (HO/PO), `name` and `customer_name`.

- `expansion.opportunity_shared`: Huawei Cloud shared an opportunity (HO); `deadline` (UTC wire time) is when
  accepting stops — 3 working days (Asia/Shanghai).
- `expansion.opportunity_due_soon`: one working day before the deadline of an HO still pending (once per
  opportunity, key `expansion.opportunity_due_soon:<id>`); `deadline`.
- `expansion.opportunity_recalled`: the deadline passed without a decision: rejected by default and recalled
  (once, key `expansion.opportunity_recalled:<id>`); `deadline`.
- `expansion.opportunity_accepted` / `expansion.opportunity_rejected`: a member or key of the partner decided
  on an HO (`reason` when rejected).
- `expansion.opportunity_updated`: Huawei Cloud updated an accepted or approved opportunity (`changes`: field →
  [old, new], `note`); the partner's own updates are its own doing and are not announced.
- `expansion.opportunity_decided`: operators decided on a PO: `decision` approved | rejected | released (to
  the public pool), `reason`.
"""

from django.urls import NoReverseMatch
from django.utils.translation import gettext_lazy as _

from customers.event_types import page_url
from events.choices import Audience
from events.types import EventType, register

__all__ = [
    "OPPORTUNITY_SHARED", "OPPORTUNITY_DUE_SOON", "OPPORTUNITY_RECALLED", "OPPORTUNITY_ACCEPTED",
    "OPPORTUNITY_REJECTED", "OPPORTUNITY_UPDATED", "OPPORTUNITY_DECIDED", "TYPES",
]

OPPORTUNITY_SHARED = "expansion.opportunity_shared"
OPPORTUNITY_DUE_SOON = "expansion.opportunity_due_soon"
OPPORTUNITY_RECALLED = "expansion.opportunity_recalled"
OPPORTUNITY_ACCEPTED = "expansion.opportunity_accepted"
OPPORTUNITY_REJECTED = "expansion.opportunity_rejected"
OPPORTUNITY_UPDATED = "expansion.opportunity_updated"
OPPORTUNITY_DECIDED = "expansion.opportunity_decided"

PERMISSION = "expansion.view"


def opportunity_link(event, side):
    opportunity_id = event.data.get("opportunity_id")
    try:
        if opportunity_id:
            return page_url("expansion:opportunity", None, opportunity_id)
        return page_url("expansion:opportunities")
    except NoReverseMatch:
        return None


def _decision(data):
    return {
        "approved": _("Huawei Cloud approved your opportunity %(name)s (customer %(customer_name)s)."),
        "rejected": _("Huawei Cloud rejected your opportunity %(name)s (customer %(customer_name)s): %(reason)s"),
        "released": _("Your opportunity %(name)s (customer %(customer_name)s) was released to the public pool."),
    }.get(data.get("decision"))


TYPES = (
    EventType(OPPORTUNITY_SHARED, _("Opportunity shared by Huawei Cloud"), audience=Audience.PARTNER,
              permission=PERMISSION, link=opportunity_link,
              summary=_("Huawei Cloud shared the opportunity %(name)s (customer %(customer_name)s) with you. Accept "
                        "or reject it by %(deadline)s, or it is rejected by default and recalled.")),
    EventType(OPPORTUNITY_DUE_SOON, _("Opportunity due in one working day"), audience=Audience.PARTNER,
              permission=PERMISSION, link=opportunity_link,
              summary=_("The opportunity %(name)s (customer %(customer_name)s) must be accepted or rejected by "
                        "%(deadline)s, or it is rejected by default and recalled.")),
    EventType(OPPORTUNITY_RECALLED, _("Opportunity recalled"), audience=Audience.PARTNER,
              permission=PERMISSION, link=opportunity_link,
              summary=_("The opportunity %(name)s (customer %(customer_name)s) was not accepted by %(deadline)s: "
                        "it was rejected by default and Huawei Cloud recalled it.")),
    EventType(OPPORTUNITY_ACCEPTED, _("Opportunity accepted"), audience=Audience.PARTNER,
              permission=PERMISSION, link=opportunity_link,
              summary=_("The opportunity %(name)s (customer %(customer_name)s) was accepted.")),
    EventType(OPPORTUNITY_REJECTED, _("Opportunity rejected"), audience=Audience.PARTNER,
              permission=PERMISSION, link=opportunity_link,
              summary=_("The opportunity %(name)s (customer %(customer_name)s) was rejected: %(reason)s")),
    EventType(OPPORTUNITY_UPDATED, _("Opportunity updated by Huawei Cloud"), audience=Audience.PARTNER,
              permission=PERMISSION, link=opportunity_link,
              summary=_("Huawei Cloud updated the opportunity %(name)s (customer %(customer_name)s). %(note)s")),
    EventType(OPPORTUNITY_DECIDED, _("Opportunity registration decided"), audience=Audience.PARTNER,
              permission=PERMISSION, link=opportunity_link, reading=_decision,
              summary=_("Huawei Cloud decided on your opportunity %(name)s.")),
)

register(*TYPES)
