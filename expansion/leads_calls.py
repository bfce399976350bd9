"""外呼: a partner in marketing plan 2.0 calls a lead's contact without ever seeing the number.

`place_call` checks the lead (an open one of the actor's, with a phone), hands the real number to the call
backend (expansion.calls, settings.EXPANSION_CALL_BACKEND) and records what happened: a `Call` row with the
backend, the provider's call ID, the outcome and the duration, and a follow-up (method "call") with the
outcome and the member's note; a NEW lead becomes FOLLOWING. A backend that cannot place the call at all is
CALLS_UNAVAILABLE and nothing is recorded but the refused operation. The partner's answer and its operation
log carry the outcome, never the number.
"""

from __future__ import annotations

import logging

from django.utils.translation import gettext as _

from partnercenter.errors import Codes, DomainError
from partnercenter.oplog import operation

from . import calls
from .choices import CallOutcome, FollowUpMethod, LeadStatus
from .errors_leads import LeadCodes
from .leads import OPEN, locked_lead, require_manager, touch
from .masking import contacts_masked
from .models import Call, FollowUp

__all__ = ["place_call", "may_call"]

logger = logging.getLogger("expansion.calls")


def may_call(actor, lead) -> bool:
    """Whether the page offers 外呼 on this lead."""
    return (actor.is_partner and actor.has_perm("expansion.manage") and contacts_masked(actor.partner)
            and lead.status in OPEN and bool(lead.phone))


def place_call(actor, *, lead, note: str = "") -> Call:
    note = str(note or "").strip()
    with operation(actor, "expansion.lead_call", target=lead) as entry:
        require_manager(actor)
        if len(note) > 800:
            raise DomainError(Codes.PARAMETER, _("The note is too long (at most 800 characters)."))
        if not contacts_masked(actor.partner):
            raise DomainError(LeadCodes.CALLS_NOT_IN_PLAN)
        lead = locked_lead(actor, lead)
        if lead.status not in OPEN:
            raise DomainError(LeadCodes.LEAD_CLOSED)
        if not lead.phone:
            raise DomainError(LeadCodes.NO_PHONE)
        try:
            backend = calls.backend()
            result = backend.place(number=lead.phone, caller=actor.label, reference_hint=f"lead-{lead.pk}")
        except calls.CallUnavailable:
            raise DomainError(LeadCodes.CALLS_UNAVAILABLE) from None
        except Exception:  # a provider's own failure: refused and logged, never a 500
            logger.exception("The call backend failed to place a call for lead %s", lead.pk)
            raise DomainError(LeadCodes.CALLS_UNAVAILABLE) from None
        outcome = result.outcome if result.outcome in CallOutcome.values else CallOutcome.FAILED
        call = Call.objects.create(lead=lead, member=actor.member, backend=calls.backend_path()[-64:],
                                   reference=str(result.reference or "")[:64], outcome=outcome,
                                   duration_seconds=max(0, int(result.duration_seconds or 0)))
        label = CallOutcome(outcome).label
        text = _("Outbound call: %(outcome)s.") % {"outcome": label}
        FollowUp.objects.create(lead=lead, method=FollowUpMethod.CALL, created_by=actor.label,
                                note=f"{text} {note}".strip()[:1000])
        if lead.status == LeadStatus.NEW:
            lead.status = LeadStatus.FOLLOWING
            touch(lead, "status")
        else:
            touch(lead)
        entry.detail.update({"call": call.pk, "outcome": outcome, "reference": call.reference})
    call.lead = lead
    return call
