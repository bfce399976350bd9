"""外呼: a partner in marketing plan 2.0 calls a lead's contact without ever seeing the number.

`place_call` runs in three steps, so that no transaction and no row lock is held while the provider dials:

1. the lead is checked (an open one of the actor's, with a phone) with its row locked, and that short
   transaction commits;
2. the member's call budget is spent (the "expansion.call" throttle scope, per member: a key of its own
   would not buy more calls) and the real number goes to the call backend (expansion.calls,
   settings.EXPANSION_CALL_BACKEND) outside any transaction — a slow provider blocks no write on the lead and
   holds no database connection in a transaction;
3. a second `operation()` re-reads the lead (locked) and records what happened: a `Call` row with the
   backend, the provider's call ID, the outcome and the duration, and a follow-up (method "call") with the
   outcome and the member's note; a lead still NEW becomes FOLLOWING (one closed in the meantime stays as it
   is: the call was made, it is recorded all the same).

A refusal in step 1 or 2 (rights, plan, lead, budget, or a backend that cannot place the call at all:
CALLS_UNAVAILABLE) is logged as a failed "expansion.lead_call" and records nothing else. One call gives one
operation-log row. The partner's answer and the operation log carry the outcome, never the number.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils.translation import gettext as _

from partnercenter.api import throttling
from partnercenter.errors import Codes, DomainError
from partnercenter.oplog import operation

from . import calls
from . import selectors_leads as selectors
from .choices import CallOutcome, FollowUpMethod, LeadStatus
from .errors_leads import LeadCodes
from .leads import OPEN, locked_lead, require_manager, touch
from .masking import contacts_masked
from .models import Call, FollowUp

__all__ = ["place_call", "may_call", "CALL_SCOPE"]

logger = logging.getLogger("expansion.calls")

ACTION = "expansion.lead_call"
# The throttle scope of 外呼, per member (REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["expansion.call"]).
CALL_SCOPE = "expansion.call"


def may_call(actor, lead) -> bool:
    """Whether the page offers 外呼 on this lead."""
    return (actor.is_partner and actor.has_perm("expansion.manage") and contacts_masked(actor.partner)
            and lead.status in OPEN and bool(lead.phone))


def place_call(actor, *, lead, note: str = "") -> Call:
    note = str(note or "").strip()
    asked = lead
    try:
        lead = _eligible(actor, lead, note)
        throttling.spend(CALL_SCOPE, _caller(actor))
        result = _dial(actor, lead)
    except DomainError as exc:
        _log_refusal(actor, asked, exc)
        raise
    return _record(actor, lead, result, note)


def _caller(actor) -> str:
    """Whose budget a call spends: the member's (a member's access key shares it), else the key's."""
    if actor.member is not None:
        return f"member:{actor.member.pk}"
    return f"key:{getattr(actor.access_key, 'ak', '') or actor.label}"


def _log_refusal(actor, lead, exc):
    """Log a refusal decided before the recording operation, as operation() logs any refusal."""
    try:
        with operation(actor, ACTION, target=lead):
            raise exc
    except DomainError:
        pass


def _eligible(actor, lead, note):
    """Step 1: the lead, checked with its row locked; the lock goes with the commit, before the call."""
    require_manager(actor)
    if len(note) > 800:
        raise DomainError(Codes.PARAMETER, _("The note is too long (at most 800 characters)."))
    if not contacts_masked(actor.partner):
        raise DomainError(LeadCodes.CALLS_NOT_IN_PLAN)
    with transaction.atomic():
        lead = locked_lead(actor, lead)
        if lead.status not in OPEN:
            raise DomainError(LeadCodes.LEAD_CLOSED)
        if not lead.phone:
            raise DomainError(LeadCodes.NO_PHONE)
    return lead


def _dial(actor, lead) -> calls.CallResult:
    """Step 2: the provider dials, outside any transaction."""
    try:
        backend = calls.backend()
        return backend.place(number=lead.phone, caller=actor.label, reference_hint=f"lead-{lead.pk}")
    except calls.CallUnavailable:
        raise DomainError(LeadCodes.CALLS_UNAVAILABLE) from None
    except Exception:  # a provider's own failure: refused and logged, never a 500
        logger.exception("The call backend failed to place a call for lead %s", lead.pk)
        raise DomainError(LeadCodes.CALLS_UNAVAILABLE) from None


def _record(actor, lead, result, note) -> Call:
    """Step 3: the call that was placed, recorded on the lead as it is now."""
    outcome = result.outcome if result.outcome in CallOutcome.values else CallOutcome.FAILED
    reference = str(result.reference or "")[:64]
    duration = max(0, int(result.duration_seconds or 0))
    try:
        with operation(actor, ACTION, target=lead, detail={"outcome": outcome, "reference": reference}) as entry:
            current = selectors.partners_lead(actor, lead.pk, for_update=True)
            if current is None:  # deleted while it rang: the log keeps the provider's call ID
                raise DomainError(Codes.NOT_FOUND)
            call = Call.objects.create(lead=current, member=actor.member, backend=calls.backend_path()[-64:],
                                       reference=reference, outcome=outcome, duration_seconds=duration)
            text = _("Outbound call: %(outcome)s.") % {"outcome": CallOutcome(outcome).label}
            FollowUp.objects.create(lead=current, method=FollowUpMethod.CALL, created_by=actor.label,
                                    note=f"{text} {note}".strip()[:1000])
            if current.status == LeadStatus.NEW:
                current.status = LeadStatus.FOLLOWING
                touch(current, "status")
            else:
                touch(current)
            entry.detail["call"] = call.pk
    except DomainError:
        raise
    except Exception:  # the call was placed: say so in the server's log before the error goes up
        logger.exception("Call %s to lead %s was placed but could not be recorded", reference, lead.pk)
        raise
    call.lead = current
    return call
