"""Leads (线索管理): created by the partner or dispatched by Huawei Cloud, followed up, assigned, and closed as
converted or invalid.

Rules, and where they are kept:
- A partner's member (or key) holding `expansion.manage` creates, edits, assigns and follows up its leads
  (`create_lead`, `update_lead`, `assign_owner`, `add_follow_up`, `change_status`); source "partner".
- Operators (the admin) and the platform's key (`POST /v1/leads` naming the partner's account ID) dispatch
  leads (`dispatch_lead`); source "dispatched"; the partner must be active and is told
  (`expansion.lead_dispatched`). The operation log files the dispatch under the partner.
- Statuses: NEW → FOLLOWING (by hand, or by the first follow-up or call) → CONVERTED (only by a conversion,
  expansion.leads_conversion) | INVALID (with a reason, recorded as a follow-up). An INVALID lead may be
  reopened (→ FOLLOWING); a CONVERTED one is final. A converted or invalid lead takes no follow-ups, calls
  or edits.
- The owner is an active member of the partner (for an account manager: of its team); none unassigns.
- For partners in marketing plan 2.0 (expansion.masking) the phone and e-mail are never shown to the
  partner, so it cannot change them either (CONTACTS_MASKED); it calls the contact through 外呼
  (expansion.leads_calls).
- Every write goes through partnercenter.oplog.operation, with the lead row locked (select_for_update)
  before its status is checked and changed. No log detail or event carries a phone or e-mail.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from events import outbox
from partnercenter.choices import ActorKind
from partnercenter.errors import Codes, DomainError
from partnercenter.oplog import operation

from . import selectors_leads as selectors
from .choices import FollowUpMethod, LeadSource, LeadStatus
from .errors_leads import LeadCodes
from .event_types_leads import LEAD_ASSIGNED, LEAD_DISPATCHED
from .masking import contacts_masked
from .models import FollowUp, Lead

__all__ = [
    "EDITABLE_FIELDS", "OPEN", "create_lead", "dispatch_lead", "update_lead", "assign_owner", "change_status",
    "add_follow_up", "allowed_statuses", "require_manager", "locked_lead", "touch", "set_marketing_plan",
    "record_event",
]

OPEN = (LeadStatus.NEW, LeadStatus.FOLLOWING)
EDITABLE_FIELDS = ("company_name", "contact_name", "phone", "email", "region", "industry", "requirement")
CONTACT_FIELDS = ("phone", "email")
LIMITS = {"company_name": 200, "contact_name": 64, "phone": 32, "email": 254, "region": 64, "industry": 64,
          "requirement": 2000}

# status → the statuses a member may move it to by hand (CONVERTED only by a conversion)
TRANSITIONS = {
    LeadStatus.NEW: (LeadStatus.FOLLOWING, LeadStatus.INVALID),
    LeadStatus.FOLLOWING: (LeadStatus.INVALID,),
    LeadStatus.INVALID: (LeadStatus.FOLLOWING,),
    LeadStatus.CONVERTED: (),
}

STATUS_NOTES = {
    LeadStatus.FOLLOWING: gettext_lazy("Status changed to following up."),
    LeadStatus.INVALID: gettext_lazy("Marked invalid: %(reason)s"),
}


def allowed_statuses(lead) -> tuple:
    return TRANSITIONS.get(lead.status, ())


# ---------------------------------------------------------------------------------------------------------
# Checks shared by the leads services
# ---------------------------------------------------------------------------------------------------------

def require_manager(actor):
    if not (actor.is_partner and actor.has_perm(selectors.MANAGE)):
        raise DomainError(Codes.FORBIDDEN)


def locked_lead(actor, lead):
    """The lead re-read through the actor's scope with its row locked; not found when it left the scope."""
    locked = selectors.lead_for(actor, getattr(lead, "pk", lead), for_update=True)
    if locked is None:
        raise DomainError(Codes.NOT_FOUND)
    return locked


def touch(lead, *fields):
    lead.updated_at = timezone.now()
    lead.save(update_fields=[*fields, "updated_at"])


def _clean(values: dict) -> dict:
    cleaned = {}
    for name, value in values.items():
        value = str(value or "").strip()
        if len(value) > LIMITS[name]:
            raise DomainError(Codes.PARAMETER, _("%(field)s is too long (at most %(max)d characters).")
                              % {"field": capfirst(Lead._meta.get_field(name).verbose_name), "max": LIMITS[name]})
        cleaned[name] = value
    if not cleaned.get("company_name", "x"):
        raise DomainError(Codes.PARAMETER, _("Enter the company of the lead."))
    return cleaned


def _owner_in(partner, actor, owner, username=""):
    """The owner as given (a Member, a member id, or None — or a user name, from the API): one of the members
    the actor may assign to, or of the partner's active members when Huawei Cloud dispatches."""
    username = str(username or "").strip()
    if owner in (None, "") and not username:
        return None
    if actor.is_partner:
        found = (selectors.owner_for(actor, username=username) if username
                 else selectors.owner_for(actor, pk=getattr(owner, "pk", owner)))
    elif username:
        found = selectors.active_members(partner).filter(user__username=username).first()
    else:
        pk = getattr(owner, "pk", owner)
        found = selectors.active_members(partner).filter(pk=pk).first() if str(pk).isdigit() else None
    if found is None or found.partner_id != partner.pk:
        raise DomainError(LeadCodes.OWNER_NOT_FOUND)
    return found


def record_event(type_code, actor, lead, **data):
    """A lead's event, told to the members who can open the lead (expansion.selectors_leads): its owner is
    the event's account manager, so a member without customers.view_all hears of it when the owner is in its
    team; an unassigned lead's event is for every member with expansion.view."""
    outbox.record(type_code, partner=lead.partner, actor=actor, account_manager=lead.owner,
                  data={"lead_id": lead.pk, "company_name": lead.company_name, **data})


def _record_assigned(actor, lead):
    if lead.owner_id is None:
        return
    record_event(LEAD_ASSIGNED, actor, lead, owner=str(lead.owner))


# ---------------------------------------------------------------------------------------------------------
# Creating leads
# ---------------------------------------------------------------------------------------------------------

def create_lead(actor, *, company_name, contact_name="", phone="", email="", region="", industry="",
                requirement="", owner=None, owner_username="", partner_id="") -> Lead:
    """新建线索: the partner records a lead of its own (source "partner"). The owner is a member (or its id), or
    its user name (`owner_username`, the API's owner_id); `partner_id`, when the caller names the partner's
    account ID (the API), must be the actor's own: any other is not found."""
    with operation(actor, "expansion.lead_create", detail={"company_name": str(company_name or "")[:200]}) as entry:
        require_manager(actor)
        if partner_id and selectors.dispatch_target(actor, partner_id) is None:
            raise DomainError(Codes.NOT_FOUND)
        values = _clean({"company_name": company_name, "contact_name": contact_name, "phone": phone,
                         "email": email, "region": region, "industry": industry, "requirement": requirement})
        owner = _owner_in(actor.partner, actor, owner, owner_username)
        lead = Lead.objects.create(partner=actor.partner, source=LeadSource.PARTNER, owner=owner,
                                   created_by=actor.label, **values)
        entry.target = lead
        _record_assigned(actor, lead)
    return lead


def dispatch_lead(actor, *, partner=None, partner_id="", company_name, contact_name="", phone="", email="",
                  region="", industry="", requirement="", owner=None, owner_username="") -> Lead:
    """Huawei Cloud dispatches a lead to a partner (派发线索): an operator (`partner`, chosen in the admin), or
    the platform's key (`partner_id`, the partner's account ID; an unknown one is not found). The partner
    must be active; its members who can open the lead are told. The owner: as create_lead."""
    detail = {"company_name": str(company_name or "")[:200]}
    if partner is None and partner_id:
        detail["partner_id"] = str(partner_id)[:64]
        partner = selectors.dispatch_target(actor, partner_id) if actor.is_platform else None
    with operation(actor, "expansion.lead_dispatch", partner=partner, detail=detail) as entry:
        if actor.kind != ActorKind.OPERATOR and not actor.is_platform:
            raise DomainError(Codes.FORBIDDEN, _("Only Huawei Cloud dispatches leads."))
        if partner is None and not partner_id:
            raise DomainError(Codes.PARAMETER, _("partner_id: the platform key names the partner it dispatches to."))
        if partner is None:
            raise DomainError(Codes.NOT_FOUND)
        if not selectors.is_active(partner):
            raise DomainError(LeadCodes.PARTNER_INACTIVE)
        values = _clean({"company_name": company_name, "contact_name": contact_name, "phone": phone,
                         "email": email, "region": region, "industry": industry, "requirement": requirement})
        owner = _owner_in(partner, actor, owner, owner_username)
        lead = Lead.objects.create(partner=partner, source=LeadSource.DISPATCHED, owner=owner,
                                   created_by=actor.label, **values)
        entry.target = lead
        record_event(LEAD_DISPATCHED, actor, lead)
        _record_assigned(actor, lead)
    return lead


# ---------------------------------------------------------------------------------------------------------
# Changing a lead
# ---------------------------------------------------------------------------------------------------------

def update_lead(actor, *, lead, **changes) -> Lead:
    """Change what the lead says (fields of EDITABLE_FIELDS; a field left out stays). An open lead only; for a
    partner in marketing plan 2.0 the phone and e-mail stay as they are."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"update_lead() got unexpected fields {sorted(unknown)}")
    with operation(actor, "expansion.lead_update", target=lead) as entry:
        require_manager(actor)
        lead = locked_lead(actor, lead)
        if lead.status not in OPEN:
            raise DomainError(LeadCodes.LEAD_CLOSED)
        values = _clean({name: value for name, value in changes.items() if value is not None})
        if contacts_masked(actor.partner) and any(values.get(f, getattr(lead, f)) != getattr(lead, f)
                                                  for f in CONTACT_FIELDS):
            raise DomainError(LeadCodes.CONTACTS_MASKED)
        changed = [name for name, value in values.items() if getattr(lead, name) != value]
        for name in changed:
            setattr(lead, name, values[name])
        entry.detail["changed"] = changed  # names only: never a contact's value
        if changed:
            touch(lead, *changed)
    return lead


def assign_owner(actor, *, lead, owner) -> Lead:
    """Give the lead an owner among the members (None unassigns); the members are told."""
    with operation(actor, "expansion.lead_assign", target=lead) as entry:
        require_manager(actor)
        lead = locked_lead(actor, lead)
        if lead.status == LeadStatus.CONVERTED:
            raise DomainError(LeadCodes.LEAD_CLOSED)
        owner = _owner_in(actor.partner, actor, owner)
        entry.detail.update({"from": lead.owner_id, "to": getattr(owner, "pk", None)})
        if lead.owner_id != getattr(owner, "pk", None):
            lead.owner = owner
            touch(lead, "owner")
            lead.partner = actor.partner  # the same row (the lead is in the actor's scope): no second read
            _record_assigned(actor, lead)
    return lead


def change_status(actor, *, lead, status, reason: str = "") -> Lead:
    """Move the lead by hand: to FOLLOWING (also reopening an INVALID one) or INVALID (with a reason). The
    change is kept as a follow-up record."""
    reason = str(reason or "").strip()
    with operation(actor, "expansion.lead_status", target=lead, detail={"status": str(status)}) as entry:
        require_manager(actor)
        lead = locked_lead(actor, lead)
        entry.detail["from"] = lead.status
        if status not in allowed_statuses(lead):
            raise DomainError(LeadCodes.STATUS_CHANGE)
        if status == LeadStatus.INVALID and not reason:
            raise DomainError(LeadCodes.REASON_REQUIRED)
        if len(reason) > 900:
            raise DomainError(Codes.PARAMETER, _("The reason is too long (at most 900 characters)."))
        lead.status = status
        touch(lead, "status")
        FollowUp.objects.create(lead=lead, method=FollowUpMethod.OTHER, created_by=actor.label,
                                note=str(STATUS_NOTES[status]) % {"reason": reason})
    return lead


def add_follow_up(actor, *, lead, method, note, next_at=None) -> FollowUp:
    """跟进: record how the lead was followed up and when next; a NEW lead becomes FOLLOWING. Calls placed
    through 外呼 are recorded by the call (METHOD_RESERVED here)."""
    note = str(note or "").strip()
    with operation(actor, "expansion.lead_follow_up", target=lead, detail={"method": str(method)}) as entry:
        require_manager(actor)
        if method not in FollowUpMethod.values:
            raise DomainError(Codes.PARAMETER, _("Choose how the lead was followed up."))
        if method == FollowUpMethod.CALL:
            raise DomainError(LeadCodes.METHOD_RESERVED)
        if not note:
            raise DomainError(Codes.PARAMETER, _("Write what happened."))
        if len(note) > 1000:
            raise DomainError(Codes.PARAMETER, _("The note is too long (at most 1,000 characters)."))
        if next_at is not None and next_at <= timezone.now():
            raise DomainError(LeadCodes.NEXT_IN_PAST)
        lead = locked_lead(actor, lead)
        if lead.status not in OPEN:
            raise DomainError(LeadCodes.LEAD_CLOSED)
        follow_up = FollowUp.objects.create(lead=lead, method=method, note=note, next_at=next_at,
                                            created_by=actor.label)
        if lead.status == LeadStatus.NEW:
            lead.status = LeadStatus.FOLLOWING
            touch(lead, "status")
        else:
            touch(lead)
        entry.detail["follow_up"] = follow_up.pk
    follow_up.lead = lead
    return follow_up


# ---------------------------------------------------------------------------------------------------------
# 营销计划2.0 (operators)
# ---------------------------------------------------------------------------------------------------------

def set_marketing_plan(actor, *, partner, on: bool):
    """An operator puts the partner in marketing plan 2.0 (its leads' contacts masked, 外呼 offered) or takes
    it out. Logged under the partner."""
    from .models import ExpansionProfile

    with operation(actor, "expansion.marketing_plan", partner=partner, target=partner,
                   detail={"marketing_plan_v2": bool(on)}):
        if actor.kind != ActorKind.OPERATOR:
            raise DomainError(Codes.FORBIDDEN)
        profile, _created = ExpansionProfile.objects.select_for_update().get_or_create(partner=partner)
        if profile.marketing_plan_v2 != bool(on):
            profile.marketing_plan_v2 = bool(on)
            profile.save(update_fields=["marketing_plan_v2"])
    return profile
