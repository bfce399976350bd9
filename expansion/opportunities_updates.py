"""机会点更新: after an HO is accepted (“接收机会点”通过后，该“机会点更新”生效) or a PO approved, both sides update it
— stage, estimated amount, expected close, notes — and name who works on it (collaborators), 信息协同、联合销售.

- The partner's side: a member or key holding `opportunities.manage`, on its own opportunity (pages, API) —
  an account manager only on those it sees (expansion.selectors_opportunities.scoped, under the row lock).
- Huawei Cloud's side: operators in the admin.
- Each change is one OpportunityUpdate row (side, {field: [old, new]}, note, who, when) written with the change
  under the opportunity's row lock: the history both sides read. A change from Huawei Cloud is announced to
  the partner (expansion.opportunity_updated); the partner's own are not.
- Stage won or lost closes the opportunity (CLOSED): it takes no more updates.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from events import outbox
from partnercenter.errors import Codes, DomainError
from partnercenter.oplog import operation

from .choices import OpportunityStage, OpportunityStatus, Side
from .errors_opportunities import OpportunityCodes
from .event_types_opportunities import OPPORTUNITY_UPDATED
from .models import Collaborator, Opportunity, OpportunityUpdate
from .opportunities import _target, audiences, clean_amount, clean_text, event_data, locked_any, locked_own, \
    require_cloud, require_manager

__all__ = ["UNSET", "OPEN", "MAX_COLLABORATORS", "UPDATABLE", "is_open", "update_opportunity", "add_collaborator",
           "remove_collaborator"]

UNSET = object()
OPEN = (OpportunityStatus.ACCEPTED, OpportunityStatus.APPROVED)
MAX_COLLABORATORS = 20
UPDATABLE = ("stage", "amount", "expected_close", "notes")
CLOSING_STAGES = (OpportunityStage.WON, OpportunityStage.LOST)


def is_open(opportunity) -> bool:
    return opportunity.status in OPEN


def _side(actor) -> str:
    return Side.PARTNER if actor.is_partner else Side.CLOUD


def _locked_for(actor, opportunity) -> Opportunity:
    """The opportunity locked for an update by `actor`: the partner's own one, or any for the cloud."""
    if actor.is_partner:
        require_manager(actor)
        row = locked_own(actor, opportunity)
        row.partner = actor.partner
        return row
    require_cloud(actor)
    return locked_any(opportunity)


def _wire(value):
    """A value as the history stores it (JSON)."""
    if value is None:
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _cleaned(stage, amount, expected_close, notes) -> dict:
    values = {}
    if stage is not UNSET:
        if stage not in OpportunityStage.values:
            raise DomainError(Codes.PARAMETER, _("Select a valid stage."))
        values["stage"] = stage
    if amount is not UNSET:
        values["amount"] = clean_amount(amount)
    if expected_close is not UNSET:
        values["expected_close"] = expected_close or None
    if notes is not UNSET:
        values["notes"] = clean_text(_("Notes"), notes, max_length=4000)
    return values


def _record(actor, row, changes: dict, note: str) -> OpportunityUpdate:
    update = OpportunityUpdate.objects.create(opportunity=row, side=_side(actor), changes=changes, note=note,
                                              created_by=actor.label[:150])
    if update.side == Side.CLOUD:
        outbox.record(OPPORTUNITY_UPDATED, partner=row.partner, actor=actor,
                      data=event_data(row, changes=changes, note=note, update_id=update.pk),
                      **audiences([row]).get(row.pk, {}))
    return update


def update_opportunity(actor, *, opportunity, stage=UNSET, amount=UNSET, expected_close=UNSET, notes=UNSET,
                       note: str = "") -> OpportunityUpdate | None:
    """Change an open (accepted or approved) opportunity from the actor's side; fields left UNSET keep their
    value. Won or lost closes it. A note alone is an update too (a message to the other side).
    None when nothing differs and there is no note (the form saved unchanged): nothing is written, not even
    the operation log's row — nothing happened, and nothing was refused."""
    with operation(actor, "expansion.opportunity_update", target=_target(opportunity),
                   partner=getattr(opportunity, "partner", None) if not actor.is_partner else None) as entry:
        values = _cleaned(stage, amount, expected_close, notes)
        note = clean_text(_("Note"), note, max_length=1000)
        row = _locked_for(actor, opportunity)
        entry.target = row
        if not is_open(row):
            raise DomainError(OpportunityCodes.NOT_OPEN)
        changes = {name: [_wire(getattr(row, name)), _wire(value)] for name, value in values.items()
                   if getattr(row, name) != value}
        if not changes and not note:
            entry.nothing_done()
            return None
        now = timezone.now()
        fields = {name: values[name] for name in changes}
        if fields.get("stage") in CLOSING_STAGES:
            fields["status"] = OpportunityStatus.CLOSED
            changes["status"] = [row.status, OpportunityStatus.CLOSED.value]
        Opportunity.objects.filter(pk=row.pk).update(updated_at=now, **fields)
        for name, value in fields.items():
            setattr(row, name, value)
        entry.detail.update(changes=changes, side=_side(actor))
        return _record(actor, row, changes, note)


def _collaborator_label(collaborator) -> str:
    return " · ".join(part for part in (collaborator.name, collaborator.role) if part)


def add_collaborator(actor, *, opportunity, name, role="", contact="", member=None) -> Collaborator:
    """Name someone who works on an open opportunity, on the actor's side (a partner's member, optionally)."""
    with operation(actor, "expansion.collaborator_add", target=_target(opportunity),
                   partner=getattr(opportunity, "partner", None) if not actor.is_partner else None) as entry:
        name = clean_text(_("Name"), name, max_length=64, required=True)
        role = clean_text(_("Role"), role, max_length=64)
        contact = clean_text(_("Contact"), contact, max_length=128)
        row = _locked_for(actor, opportunity)
        entry.target = row
        if not is_open(row):
            raise DomainError(OpportunityCodes.NOT_OPEN)
        if member is not None and (not actor.is_partner or member.partner_id != actor.partner.pk):
            raise DomainError(Codes.NOT_FOUND)
        if row.collaborators.count() >= MAX_COLLABORATORS:
            raise DomainError(OpportunityCodes.TOO_MANY_COLLABORATORS)
        collaborator = Collaborator.objects.create(opportunity=row, side=_side(actor), member=member, name=name,
                                                   role=role, contact=contact)
        entry.detail.update(collaborator=collaborator.pk, name=name, side=collaborator.side)
        _record(actor, row, {"collaborator": [None, _collaborator_label(collaborator)]}, "")
    return collaborator


def remove_collaborator(actor, *, opportunity, collaborator_pk) -> None:
    """Remove a collaborator of the actor's own side from an open opportunity."""
    with operation(actor, "expansion.collaborator_remove", target=_target(opportunity),
                   partner=getattr(opportunity, "partner", None) if not actor.is_partner else None,
                   detail={"collaborator": str(collaborator_pk)[:32]}) as entry:
        row = _locked_for(actor, opportunity)
        entry.target = row
        try:
            collaborator_pk = int(collaborator_pk)
        except (TypeError, ValueError):
            raise DomainError(Codes.NOT_FOUND) from None
        collaborator = Collaborator.objects.filter(opportunity=row, pk=collaborator_pk, side=_side(actor)).first() \
            if 0 < collaborator_pk < 2 ** 63 else None
        if collaborator is None:
            raise DomainError(Codes.NOT_FOUND)
        if not is_open(row):
            raise DomainError(OpportunityCodes.NOT_OPEN)
        label = _collaborator_label(collaborator)
        collaborator.delete()
        entry.detail["name"] = collaborator.name
        _record(actor, row, {"collaborator": [label, None]}, "")
