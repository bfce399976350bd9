"""Opportunities (机会点): shared by Huawei Cloud (HO) or registered by the partner (PO).

HO ("由华为共享"). Huawei's rule: 合作伙伴接收华为云共享的机会点SLA为3个工作日，逾期默认拒绝，HO将回收。
- Operators share an opportunity with an ACTIVE partner (`share_opportunity`, from the admin or the platform
  key): it is PENDING with `deadline` = `partnercenter.workdays.sla_deadline(shared_at, 3)` — shared on a
  working day, the same Shanghai wall-clock time on the third working day; shared on a day off, 00:00 after
  the third full working day (China's official calendar and the operators' overrides), stored once. The
  customer account it names, if any, must not be associated with another partner
  (CUSTOMER_OF_ANOTHER_PARTNER).
- A member (or key) of the partner holding `opportunities.manage` accepts it or rejects it with a reason
  while `now <= deadline` (`accept`, `reject`). An account manager (no `customers.view_all`) sees and acts
  on the opportunities naming no customer or one of its team's customers only (selectors_opportunities.
  scoped, read in the locking statement as well). The row is locked and the status and the deadline are read
  again under the lock, then moved with a conditional UPDATE (`status = pending AND deadline >= now`): a
  decision exactly at the deadline is in time, one a moment later is refused (DEADLINE_PASSED), and a
  decision racing the expiry task (expansion.opportunities_sla.recall_overdue, which moves only
  `deadline < now`) ends with exactly one of them.
- After acceptance the opportunity takes updates from both sides (expansion.opportunities_updates).

PO ("共享给华为"). The partner registers an opportunity (`register_opportunity`), with or without a customer
account; without one (无账号报备) the CRM may release it to the public pool — pages and the API make the
partner acknowledge that first (the service itself does not: leads converted by expansion.leads call it
too). Operators approve or reject it (with a reason) while PENDING, or release it to the public pool while
PENDING or APPROVED (`approve_registration`, `reject_registration`, `release`); the partner is told.

Every write runs in `partnercenter.oplog.operation` (the partner's 操作记录 shows the operators' decisions on
its opportunities too), refusals included (an unknown customer or partner, an id that is not one, the 无账号报备
warning not acknowledged), and announces what the partner cares about (event_types_opportunities): an event of
an opportunity naming a customer carries the customer and its account manager, so that only the members who
see that customer hear of it (events.notifications).
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from customers.models import Association
from customers.selectors import associations_for, customer_for
from events import outbox
from partnercenter import workdays
from partnercenter.api.fields import wire_time
from partnercenter.choices import ActorKind, PartnerStatus
from partnercenter.errors import Codes, DomainError
from partnercenter.money import parse_amount
from partnercenter.oplog import operation

from .choices import OpportunityStatus, Origin
from .errors_opportunities import OpportunityCodes
from .event_types_opportunities import (
    OPPORTUNITY_ACCEPTED, OPPORTUNITY_DECIDED, OPPORTUNITY_REJECTED, OPPORTUNITY_SHARED,
)
from .models import Opportunity
from .selectors_opportunities import associated_elsewhere, customer_to_share, partner_to_share_with, scoped

__all__ = [
    "ACTION_LABELS", "MANAGE", "SLA_WORKING_DAYS", "share_opportunity", "accept", "reject", "register_opportunity",
    "approve_registration", "reject_registration", "release", "deadline_for", "event_data", "clean_text",
    "clean_amount", "require_manager", "require_cloud", "audiences", "locked_own", "locked_any",
]

MANAGE = "opportunities.manage"
SLA_WORKING_DAYS = 3

ACTION_LABELS = {
    "expansion.opportunity_share": gettext_lazy("Share an opportunity (HO)"),
    "expansion.opportunity_accept": gettext_lazy("Accept an opportunity"),
    "expansion.opportunity_reject": gettext_lazy("Reject an opportunity"),
    "expansion.opportunity_recall": gettext_lazy("Recall overdue opportunities"),
    "expansion.opportunity_remind": gettext_lazy("Remind of opportunities due in one working day"),
    "expansion.opportunity_register": gettext_lazy("Register an opportunity (PO)"),
    "expansion.opportunity_approve": gettext_lazy("Approve an opportunity registration"),
    "expansion.opportunity_reject_registration": gettext_lazy("Reject an opportunity registration"),
    "expansion.opportunity_release": gettext_lazy("Release an opportunity to the public pool"),
    "expansion.opportunity_update": gettext_lazy("Update an opportunity"),
    "expansion.collaborator_add": gettext_lazy("Add an opportunity collaborator"),
    "expansion.collaborator_remove": gettext_lazy("Remove an opportunity collaborator"),
    "expansion.opportunity_export": gettext_lazy("Export opportunities"),
}

# name → (label, max length, required): the text fields of an opportunity, as the model has them; errors
# name a field by its label, never by its attribute
TEXT_FIELDS = {
    "name": (gettext_lazy("Opportunity name"), 200, True),
    "customer_name": (gettext_lazy("Customer name"), 200, True),
    "contact_name": (gettext_lazy("Contact"), 64, False),
    "contact_phone": (gettext_lazy("Contact phone"), 32, False),
    "product": (gettext_lazy("Products and services"), 200, False),
    "notes": (gettext_lazy("Notes"), 4000, False),
}


# ---------------------------------------------------------------------------------------------
# Shared checks
# ---------------------------------------------------------------------------------------------

def clean_text(name, value, *, max_length: int, required: bool = False) -> str:
    """`value` trimmed, or a parameter error naming the field by `name` (its translated label)."""
    value = "" if value is None else str(value).strip()
    if "\x00" in value:
        raise DomainError(Codes.PARAMETER, _("%(field)s contains an invalid character.") % {"field": name})
    if required and not value:
        raise DomainError(Codes.PARAMETER, _("%(field)s is required.") % {"field": name})
    if len(value) > max_length:
        raise DomainError(Codes.PARAMETER, _("%(field)s is longer than %(max)d characters.")
                          % {"field": name, "max": max_length})
    return value


def clean_amount(value):
    """An estimated amount: none, or zero or more with at most two decimals (partnercenter.money)."""
    if value is None or value == "":
        return None
    return parse_amount(value, allow_zero=True)


def _texts(**values) -> dict:
    return {name: clean_text(TEXT_FIELDS[name][0], value, max_length=TEXT_FIELDS[name][1],
                             required=TEXT_FIELDS[name][2])
            for name, value in values.items()}


def require_manager(actor) -> None:
    """A member or partner key holding opportunities.manage."""
    if not (actor.is_partner and actor.has_perm(MANAGE)):
        raise DomainError(Codes.FORBIDDEN)


def require_cloud(actor) -> None:
    """Huawei Cloud's side: a platform operator (or the platform's own key)."""
    if actor.kind not in (ActorKind.OPERATOR, ActorKind.PLATFORM):
        raise DomainError(Codes.FORBIDDEN, _("Only Huawei Cloud's operators do this."))


def _pk(opportunity) -> int | None:
    pk = getattr(opportunity, "pk", opportunity)
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return pk if 0 < pk < 2 ** 63 else None


def _target(opportunity):
    return opportunity if isinstance(opportunity, Opportunity) else None


def locked_own(actor, opportunity) -> Opportunity:
    """One of the actor's opportunities (selectors_opportunities.scoped: its partner's, and for an account
    manager only those naming no customer or one of its team's), its row locked; any other (or none, or an id
    that is not one) is not found. The scope is read in the locking statement."""
    pk = _pk(opportunity)
    row = None
    if pk is not None and actor.partner is not None:
        row = scoped(actor).select_for_update().filter(pk=pk).first()
    if row is None:
        raise DomainError(Codes.NOT_FOUND)
    return row


def locked_any(opportunity) -> Opportunity:
    """Any partner's opportunity, its row locked (the cloud's side)."""
    pk = _pk(opportunity)
    row = Opportunity.objects.select_for_update(of=("self",)).select_related("partner").filter(pk=pk).first() \
        if pk else None
    if row is None:
        raise DomainError(Codes.NOT_FOUND)
    return row


def deadline_for(shared_at):
    """When an HO shared at `shared_at` stops being acceptable (partnercenter.workdays.sla_deadline): shared
    on a working day, 3 working days later at the same wall clock; shared on a day off, the clock starts at
    00:00 of the next working day, so the partner always has 3 full working days."""
    return workdays.sla_deadline(shared_at, SLA_WORKING_DAYS)


def event_data(opportunity, **extra) -> dict:
    data = {"opportunity_id": opportunity.pk, "origin": opportunity.origin, "name": opportunity.name,
            "customer_name": opportunity.customer_name}
    if opportunity.deadline is not None:
        data["deadline"] = wire_time(opportunity.deadline)
    data.update(extra)
    return data


def audiences(rows) -> dict[int, dict]:
    """{opportunity pk: the `customer` and `account_manager` its events carry} (one statement for all rows):
    an opportunity naming a customer is told to the members who see that customer — those with
    customers.view_all, and the team of the account manager of the customer's active association with the
    opportunity's partner (none, if it has no such association or no account manager)."""
    rows = [row for row in rows if row.customer_id]
    if not rows:
        return {}
    associations = Association.objects.filter(
        ended_on__isnull=True, customer_id__in={row.customer_id for row in rows},
        partner_id__in={row.partner_id for row in rows}).select_related("account_manager")
    managers = {(a.partner_id, a.customer_id): a.account_manager for a in associations}
    return {row.pk: {"customer": row.customer_id, "account_manager": managers.get((row.partner_id, row.customer_id))}
            for row in rows}


def _announce(type_code, opportunity, actor, **extra):
    outbox.record(type_code, partner=opportunity.partner, actor=actor, data=event_data(opportunity, **extra),
                  **audiences([opportunity]).get(opportunity.pk, {}))


def _detail(opportunity) -> dict:
    return {"origin": opportunity.origin, "name": opportunity.name, "customer_name": opportunity.customer_name}


# ---------------------------------------------------------------------------------------------
# HO: shared by Huawei Cloud, accepted or rejected by the partner
# ---------------------------------------------------------------------------------------------

def share_opportunity(actor, *, partner=None, name, customer_name, customer=None, enterprise=None,
                      contact_name="", contact_phone="", product="", amount=None, expected_close=None, notes="",
                      partner_id=None, customer_id=None) -> Opportunity:
    """Huawei Cloud shares an opportunity with `partner` (HO): PENDING until accepted, rejected or recalled at
    its deadline (3 working days, Asia/Shanghai: `deadline_for`). The partner is told.

    The API names the partner and the customer by their account IDs (`partner_id`, `customer_id`): unknown
    ones are refused here, in the operation log. A customer account actively associated with another partner
    is refused (CUSTOMER_OF_ANOTHER_PARTNER): it is that partner's customer."""
    if partner is None and partner_id:
        partner = partner_to_share_with(partner_id)
    with operation(actor, "expansion.opportunity_share", partner=partner,
                   detail={"name": str(name or "")[:200], "customer_name": str(customer_name or "")[:200]}) as entry:
        require_cloud(actor)
        if partner is None:
            if not partner_id:
                raise DomainError(Codes.PARAMETER, _("Name the partner to share the opportunity with."))
            entry.detail["partner_id"] = str(partner_id)[:64]
            raise DomainError(Codes.NOT_FOUND)
        if partner.status != PartnerStatus.ACTIVE:
            raise DomainError(OpportunityCodes.PARTNER_INACTIVE)
        texts = _texts(name=name, customer_name=customer_name, contact_name=contact_name,
                       contact_phone=contact_phone, product=product, notes=notes)
        if customer is None and customer_id:
            entry.detail["customer_id"] = str(customer_id)[:64]
            customer = customer_to_share(customer_id)
            if customer is None:
                raise DomainError(Codes.NOT_FOUND, _("The customer does not exist."))
        if customer is not None:
            entry.detail["customer_id"] = customer.domain_id
            if associated_elsewhere(customer, partner):
                raise DomainError(OpportunityCodes.CUSTOMER_OF_ANOTHER_PARTNER)
        now = timezone.now()
        opportunity = Opportunity.objects.create(
            partner=partner, origin=Origin.HO, customer=customer, enterprise=enterprise, amount=clean_amount(amount),
            expected_close=expected_close or None, status=OpportunityStatus.PENDING, shared_at=now,
            deadline=deadline_for(now), created_by=actor.label, updated_at=now, **texts)
        entry.target = opportunity
        entry.detail["deadline"] = wire_time(opportunity.deadline)
        _announce(OPPORTUNITY_SHARED, opportunity, actor)
    return opportunity


def _require_decidable(row, now) -> None:
    if row.origin != Origin.HO:
        raise DomainError(OpportunityCodes.NOT_HO)
    if row.status == OpportunityStatus.RECALLED or (row.status == OpportunityStatus.PENDING and now > row.deadline):
        raise DomainError(OpportunityCodes.DEADLINE_PASSED)
    if row.status != OpportunityStatus.PENDING:
        raise DomainError(OpportunityCodes.NOT_PENDING)


def _decide(actor, row, now, status, reason="") -> Opportunity:
    """Move a locked PENDING HO to `status` if its deadline has not passed (a conditional UPDATE: the
    expiry task moves only rows whose deadline has passed, so the two never both succeed)."""
    moved = Opportunity.objects.filter(pk=row.pk, status=OpportunityStatus.PENDING, deadline__gte=now).update(
        status=status, decided_at=now, decided_by=actor.label[:150], reason=reason, updated_at=now)
    if not moved:  # only if the lock did not hold (it always does where locks exist)
        raise DomainError(OpportunityCodes.DEADLINE_PASSED)
    row.status, row.decided_at, row.decided_by, row.reason, row.updated_at = status, now, actor.label[:150], reason, now
    return row


def accept(actor, *, opportunity) -> Opportunity:
    """接收机会点: the partner accepts an HO shared with it, at the latest at its deadline."""
    with operation(actor, "expansion.opportunity_accept", target=_target(opportunity),
                   detail={"opportunity": str(getattr(opportunity, "pk", opportunity))[:32]}) as entry:
        require_manager(actor)
        row = locked_own(actor, opportunity)
        entry.target = row
        now = timezone.now()  # read once the row is locked
        _require_decidable(row, now)
        row = _decide(actor, row, now, OpportunityStatus.ACCEPTED)
        entry.detail.update(_detail(row))
        row.partner = actor.partner
        _announce(OPPORTUNITY_ACCEPTED, row, actor)
    return row


def reject(actor, *, opportunity, reason) -> Opportunity:
    """拒绝机会点: the partner rejects an HO shared with it, with a reason; Huawei Cloud takes it back."""
    with operation(actor, "expansion.opportunity_reject", target=_target(opportunity),
                   detail={"opportunity": str(getattr(opportunity, "pk", opportunity))[:32]}) as entry:
        require_manager(actor)
        reason = clean_text(_("Reason"), reason, max_length=500)
        if not reason:
            raise DomainError(OpportunityCodes.REASON_REQUIRED)
        row = locked_own(actor, opportunity)
        entry.target = row
        now = timezone.now()
        _require_decidable(row, now)
        row = _decide(actor, row, now, OpportunityStatus.REJECTED, reason)
        entry.detail.update(_detail(row), reason=reason)
        row.partner = actor.partner
        _announce(OPPORTUNITY_REJECTED, row, actor, reason=reason)
    return row


# ---------------------------------------------------------------------------------------------
# PO: registered by the partner, decided by Huawei Cloud
# ---------------------------------------------------------------------------------------------

def register_opportunity(actor, *, name, customer_name, customer=None, enterprise=None, contact_name="",
                         contact_phone="", product="", amount=None, expected_close=None, notes="",
                         lead=None, customer_id=None, no_account_acknowledged=None, partner_id=None) -> Opportunity:
    """报备机会点 (PO): PENDING until Huawei Cloud approves, rejects or releases it. `customer` (or `customer_id`,
    its account ID, as the API names it) must be one of the customers the actor sees (its partner's; an
    account manager's team's): an unknown `customer_id` is not found, another one CUSTOMER_NOT_ASSOCIATED.
    Without one (无账号报备) the CRM may release it to the public pool: a caller that asked the partner passes
    `no_account_acknowledged` (False is refused, NO_ACCOUNT_NOT_ACKNOWLEDGED); leads converted by
    expansion.leads leave it None. `partner_id`, when given, must be the actor's partner's account ID.
    `lead` (the partner's own) is the lead it was converted from."""
    with operation(actor, "expansion.opportunity_register",
                   detail={"name": str(name or "")[:200], "customer_name": str(customer_name or "")[:200],
                           "no_account": customer is None and not customer_id}) as entry:
        require_manager(actor)
        partner = actor.partner
        if partner_id and partner_id != partner.domain_id:
            raise DomainError(Codes.NOT_FOUND)
        if customer is None and customer_id:
            entry.detail["customer_id"] = str(customer_id)[:64]
            customer = customer_for(actor, str(customer_id))
            if customer is None:
                raise DomainError(Codes.NOT_FOUND, _("The customer does not exist."))
        if customer is None and no_account_acknowledged is False:
            raise DomainError(OpportunityCodes.NO_ACCOUNT_NOT_ACKNOWLEDGED)
        texts = _texts(name=name, customer_name=customer_name, contact_name=contact_name,
                       contact_phone=contact_phone, product=product, notes=notes)
        if customer is not None and not associations_for(actor).filter(customer_id=customer.pk).exists():
            raise DomainError(OpportunityCodes.CUSTOMER_NOT_ASSOCIATED)
        entry.detail["no_account"] = customer is None
        if lead is not None:
            if lead.partner_id != partner.pk:
                raise DomainError(Codes.NOT_FOUND)
            entry.detail["lead"] = lead.pk
        now = timezone.now()
        opportunity = Opportunity.objects.create(
            partner=partner, origin=Origin.PO, customer=customer, enterprise=enterprise, amount=clean_amount(amount),
            expected_close=expected_close or None, status=OpportunityStatus.PENDING, shared_at=now,
            created_by=actor.label[:150], updated_at=now, **texts)
        entry.target = opportunity
    return opportunity


def _decide_registration(actor, opportunity, action, status, decision, allowed, reason="") -> Opportunity:
    with operation(actor, action, target=_target(opportunity),
                   partner=getattr(opportunity, "partner", None), detail={"reason": reason or ""}) as entry:
        require_cloud(actor)
        row = locked_any(opportunity)
        entry.target = row
        if row.origin != Origin.PO:
            raise DomainError(OpportunityCodes.NOT_PO)
        if row.status not in allowed:
            raise DomainError(OpportunityCodes.NOT_RELEASABLE if decision == "released"
                              else OpportunityCodes.NOT_PENDING)
        now = timezone.now()
        Opportunity.objects.filter(pk=row.pk, status__in=allowed).update(
            status=status, decided_at=now, decided_by=actor.label[:150], reason=reason, updated_at=now)
        row.status, row.decided_at, row.decided_by, row.reason = status, now, actor.label[:150], reason
        entry.detail.update(_detail(row))
        _announce(OPPORTUNITY_DECIDED, row, actor, decision=decision, reason=reason)
    return row


def approve_registration(actor, *, opportunity) -> Opportunity:
    """Operators approve a pending PO: it then takes updates from both sides."""
    return _decide_registration(actor, opportunity, "expansion.opportunity_approve", OpportunityStatus.APPROVED,
                                "approved", (OpportunityStatus.PENDING,))


def reject_registration(actor, *, opportunity, reason) -> Opportunity:
    """Operators reject a pending PO, with a reason the partner reads."""
    reason = clean_text(_("Reason"), reason, max_length=500)
    if not reason:
        with operation(actor, "expansion.opportunity_reject_registration",
                       target=_target(opportunity),
                       partner=getattr(opportunity, "partner", None)):
            raise DomainError(OpportunityCodes.REASON_REQUIRED)
    return _decide_registration(actor, opportunity, "expansion.opportunity_reject_registration",
                                OpportunityStatus.REJECTED, "rejected", (OpportunityStatus.PENDING,), reason)


def release(actor, *, opportunity, reason="") -> Opportunity:
    """Operators release a PO to the public pool (公海池), e.g. one registered without an account."""
    reason = clean_text(_("Reason"), reason, max_length=500)
    return _decide_registration(actor, opportunity, "expansion.opportunity_release", OpportunityStatus.RELEASED,
                                "released", (OpportunityStatus.PENDING, OpportunityStatus.APPROVED), reason)
