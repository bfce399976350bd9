"""The events of agreements and business information certification (events.outbox), registered when
programs.hooks_agreements is imported (ProgramsConfig.ready()).

- `agreement.signed` (partner): a member signed an agreement. Data: `agreement_id`, `title`, `version`,
  `signer`. Told to members with `programs.view`.
- `agreement.entity_changed` (partner): the partner's contracting entity (签约主体) changed because a signed
  agreement took effect — at its effective time (programs.tasks) or when signed after it. One per
  signature (key `agreement.entity_changed:<signature pk>`). Data: `agreement_id`, `title`, `old_entity`,
  `new_entity`. Told to every member: it decides, among others, whether they may recharge online.
- `certification.verified` / `certification.returned` (partner): operators decided on the business
  information certification. Data: `reason` (returned). Told to members with `programs.view`.
"""

from django.utils.translation import gettext_lazy as _

from customers.event_types import page_url
from events.choices import Audience
from events.types import EventType, register

__all__ = ["AGREEMENT_SIGNED", "ENTITY_CHANGED", "CERTIFICATION_VERIFIED", "CERTIFICATION_RETURNED", "TYPES"]

AGREEMENT_SIGNED = "agreement.signed"
ENTITY_CHANGED = "agreement.entity_changed"
CERTIFICATION_VERIFIED = "certification.verified"
CERTIFICATION_RETURNED = "certification.returned"


def agreement_link(event, side):
    agreement_id = event.data.get("agreement_id")
    return page_url("programs:agreement", None, agreement_id) if agreement_id else page_url("programs:agreements")


def certification_link(event, side):
    return page_url("programs:certification")


TYPES = (
    EventType(AGREEMENT_SIGNED, _("Agreement signed"), audience=Audience.PARTNER, permission="programs.view",
              summary=_("%(signer)s signed the agreement %(title)s %(version)s."), link=agreement_link),
    EventType(ENTITY_CHANGED, _("Contracting entity changed"), audience=Audience.PARTNER,
              summary=_("Your contracting entity with Huawei is now %(new_entity)s (agreement %(title)s)."),
              link=agreement_link),
    EventType(CERTIFICATION_VERIFIED, _("Business information certified"), audience=Audience.PARTNER,
              permission="programs.view", summary=_("Your business information certification was verified."),
              link=certification_link),
    EventType(CERTIFICATION_RETURNED, _("Business information certification returned"), audience=Audience.PARTNER,
              permission="programs.view",
              summary=_("Your business information certification was returned: %(reason)s"),
              link=certification_link),
)

register(*TYPES)
