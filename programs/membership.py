"""Joining programmes, raising the level (提升等级), and advancing on a development path.

Partner side (a member with `programs.manage`; both are applications, so they take the verification code
when the partner has 验证码验证 on):
- `join`: an APPLYING membership of a programme applied for here (not the 总经销商计划, applied for
  offline, nor the 云经销商 programme, entered through a distributor). Refused with every reason that
  applies (programs.eligibility.join_refusals, plus "already in this programme" for the others), checked
  again after the partner's row is locked, so two applications at once make one membership.
- `request_level`: a LevelRequest for the next level of a joined programme. Refused with its reasons
  (`level_refusals`, the 查看原因 list): not joined, already at the highest level, a request already
  waiting, the partner frozen, not on the path of the level's `min_stage` (then 注册新账号 helps) or
  not yet at that stage.

Operator side (the admin, an OPERATOR actor; logged under the partner):
- `decide_membership`: approve (JOINED at the programme's lowest level; the join reasons are checked
  again) or reject with a reason.
- `decide_level_request`: approve (the stage is checked again) or reject with a reason.
- `advance_stage`: the enrolment moves to the next stage only when every requirement of that stage is met
  (programs.standing), read under the partner's lock; the move is a conditional UPDATE on the stage.
- `enrol`: puts a partner on a path at its first stage; `confirm_requirement` / `revoke_confirmation`:
  a CONFIRMED requirement for a partner.

Every write here takes the partner's row first, then the application, the membership and the enrolments
(programs/locks.py); the re-checks read under those locks.

Decisions and stage moves are events the partner's members hear of (programs/event_types_standing.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from events import outbox
from partnercenter.choices import ActorKind, PartnerStatus
from partnercenter.errors import Codes, DomainError
from partnercenter.models import Partner
from partnercenter.oplog import operation

from .choices import ApplicationStatus, MembershipStatus, ProgramKind, RequirementKind
from .eligibility import JOIN, AccountFacts, Refusal, account_facts, join_refusals_for
from .errors_standing import StandingCodes
from .event_types_standing import LEVEL_DECIDED, MEMBERSHIP_DECIDED, STAGE_ADVANCED
from .locks import lock_enrolment, lock_enrolments, lock_membership, lock_partner
from .models import (
    OPEN_MEMBERSHIP, LevelRequest, Membership, Path, PathEnrolment, Program, ProgramLevel, Requirement,
    RequirementConfirmation,
)
from .standing import path_standing

__all__ = [
    "PERMISSION", "LevelRefusal", "LEVEL", "ALREADY_MEMBER", "joinable", "refusals_to_join", "next_level_of",
    "level_refusals", "join", "decide_membership", "request_level", "decide_level_request", "advance_stage",
    "enrol", "confirm_requirement", "revoke_confirmation",
]

PERMISSION = "programs.manage"

ALREADY_MEMBER = _("Your account has joined or is joining this programme.")

# 查看原因: why the level cannot be raised (all that apply, in this order).
LEVEL = {
    "not_joined": _("Your account has not joined this programme."),
    "highest_level": _("Your account is already at the highest level of this programme."),
    "request_pending": _("A request to raise your level is already waiting for a decision."),
    "frozen": _("Your account is frozen."),
    "not_on_path": _("Your company has not joined the development path %(path)s. Register a new account to join "
                     "the path, reach the %(stage)s stage and then ask for the higher level."),
    "stage_too_low": _("Your company has not reached the %(stage)s stage on the development path %(path)s."),
}


@dataclass(frozen=True)
class LevelRefusal:
    code: str
    message: str
    path: Path | None = None       # not_on_path / stage_too_low: the path the level needs


# ---------------------------------------------------------------------------------------------
# Reads the pages and the services share
# ---------------------------------------------------------------------------------------------

def joinable(program: Program) -> bool:
    """Applied for on this page (not offline, not through a distributor) and open."""
    return program.is_active and not program.apply_offline and program.kind != ProgramKind.RESELLER


def refusals_to_join(partner, program, *, exclude_membership=None, facts: AccountFacts | None = None,
                     open_program_ids=None) -> list[Refusal]:
    """Every documented reason `partner` cannot join `program` (programs.eligibility), plus being in this
    programme already for programmes other than the solution-provider plan (whose reason is documented).

    A page listing programmes passes what it read once: `facts` (eligibility.account_facts) and
    `open_program_ids`, the programmes the partner has an open membership of; then no statement is run."""
    if exclude_membership is not None:  # an operator approving: the application itself is not a reason
        others = Membership.objects.filter(OPEN_MEMBERSHIP, partner=partner).exclude(pk=exclude_membership.pk)
        # The application is not a reason, nor the partner's type: approving records the plan's membership.
        refusals = join_refusals_for(account_facts(partner, in_plan=False), program)
        if program.kind == ProgramKind.SOLUTION_PROVIDER and others.filter(
                program__kind=ProgramKind.SOLUTION_PROVIDER).exists():
            refusals.insert(0, Refusal("already_in_plan", JOIN["already_in_plan"]))
        elif others.filter(program=program).exists():
            refusals.insert(0, Refusal("already_member", ALREADY_MEMBER))
        return refusals
    refusals = join_refusals_for(facts if facts is not None else account_facts(partner), program)
    if program.kind != ProgramKind.SOLUTION_PROVIDER:
        if open_program_ids is not None:
            member = program.pk in open_program_ids
        else:
            member = Membership.objects.filter(OPEN_MEMBERSHIP, partner=partner, program=program).exists()
        if member:
            refusals.insert(0, Refusal("already_member", ALREADY_MEMBER))
    return refusals


def next_level_of(membership, levels=None) -> ProgramLevel | None:
    """The level above the membership's (the lowest when it has none)."""
    levels = list(levels if levels is not None else
                  ProgramLevel.objects.filter(program_id=membership.program_id).select_related("min_stage__path"))
    current = membership.level.rank if membership.level_id else 0
    return min((lv for lv in levels if lv.rank > current), key=lambda lv: lv.rank, default=None)


def _stage_refusal(partner, level, enrolments=None) -> LevelRefusal | None:
    stage = level.min_stage
    if stage is None:
        return None
    from .standing import stage_reached

    reached, enrolment = stage_reached(partner, stage, enrolments=enrolments)
    if reached:
        return None
    params = {"path": stage.path.name, "stage": stage.name}
    code = "not_on_path" if enrolment is None else "stage_too_low"
    return LevelRefusal(code, str(LEVEL[code]) % params, stage.path)


def level_refusals(partner, membership, *, levels=None, pending: bool | None = None,
                   enrolments=None) -> tuple[ProgramLevel | None, list[LevelRefusal]]:
    """(the level 提升等级 would ask for, every reason it cannot now). What the caller already read, so that a
    page of many memberships runs no statement per membership: `levels` the programme's levels, `pending`
    whether a level request waits, `enrolments` the partner's enrolments by path id."""
    refusals = []
    if pending is None:
        pending = membership.level_requests.filter(status=ApplicationStatus.APPLYING).exists()
    level = next_level_of(membership, levels) if membership.status == MembershipStatus.JOINED else None
    if membership.status != MembershipStatus.JOINED:
        refusals.append(LevelRefusal("not_joined", str(LEVEL["not_joined"])))
    elif level is None:
        refusals.append(LevelRefusal("highest_level", str(LEVEL["highest_level"])))
    if pending:
        refusals.append(LevelRefusal("request_pending", str(LEVEL["request_pending"])))
    if partner.status != PartnerStatus.ACTIVE:
        refusals.append(LevelRefusal("frozen", str(LEVEL["frozen"])))
    if level is not None:
        refusal = _stage_refusal(partner, level, enrolments)
        if refusal is not None:
            refusals.append(refusal)
    return level, refusals


# ---------------------------------------------------------------------------------------------
# Guards
# ---------------------------------------------------------------------------------------------

def _require_manager(actor):
    if not actor.is_partner or not actor.has_perm(PERMISSION):
        raise DomainError(Codes.FORBIDDEN)


def _require_platform(actor):
    if actor.kind not in (ActorKind.OPERATOR, ActorKind.SCHEDULER):
        raise DomainError(Codes.FORBIDDEN)


def _refused(code, title, refusals):
    message = " ".join([str(title), *(str(r.message) for r in refusals)])
    return DomainError(code, message, extra={"reasons": [r.code for r in refusals]},
                       refusals=list(refusals))


def _user(actor):
    return actor.user if getattr(actor.user, "pk", None) else None


def _reason(approve, reason) -> str:
    reason = (reason or "").strip()[:500]
    if not approve and not reason:
        raise DomainError(StandingCodes.REASON_REQUIRED)
    return reason


# ---------------------------------------------------------------------------------------------
# Joining a programme
# ---------------------------------------------------------------------------------------------

def join(actor, *, program_code, verification_code=None) -> Membership:
    """加入计划: an application to join `program_code`; a DomainError listing every reason when refused."""
    _require_manager(actor)
    program = Program.objects.filter(code=str(program_code or "")[:32], is_active=True).first()
    if program is None:
        raise DomainError(Codes.NOT_FOUND)
    with operation(actor, "programs.join", target=program, verification_code=verification_code,
                   detail={"program": program.code}) as entry:
        if not joinable(program):
            raise DomainError(StandingCodes.NOT_APPLICABLE)
        partner = lock_partner(actor.partner.pk)
        refusals = refusals_to_join(partner, program)
        if refusals:
            entry.detail["reasons"] = [r.code for r in refusals]
            raise _refused(StandingCodes.JOIN_REFUSED, gettext("Your account cannot join this programme:"),
                           refusals)
        membership = Membership.objects.create(partner=partner, program=program, status=MembershipStatus.APPLYING)
        entry.target = membership
    return membership


def decide_membership(actor, *, membership_id, approve: bool, reason: str = "") -> Membership:
    """An operator approves (JOINED at the lowest level) or rejects (with a reason) an application."""
    _require_platform(actor)
    membership = Membership.objects.select_related("partner", "program").filter(pk=membership_id).first()
    if membership is None:
        raise DomainError(Codes.NOT_FOUND)
    with operation(actor, "programs.decide_membership", target=membership, partner=membership.partner,
                   detail={"program": membership.program.code, "approve": bool(approve)}) as entry:
        reason = _reason(approve, reason)
        partner = lock_partner(membership.partner_id)
        locked = lock_membership(membership.pk)
        if locked.status != MembershipStatus.APPLYING:
            raise DomainError(StandingCodes.NOT_PENDING)
        level = None
        if approve:
            refusals = refusals_to_join(partner, membership.program, exclude_membership=locked)
            if refusals:
                entry.detail["reasons"] = [r.code for r in refusals]
                raise _refused(StandingCodes.JOIN_REFUSED, gettext("The partner cannot join this programme:"),
                               refusals)
            level = ProgramLevel.objects.filter(program_id=membership.program_id).order_by("rank").first()
        locked.status = MembershipStatus.JOINED if approve else MembershipStatus.REJECTED
        locked.level = level
        locked.reason = reason
        locked.decided_at = timezone.now()
        locked.decided_by = _user(actor)
        locked.save(update_fields=["status", "level", "reason", "decided_at", "decided_by"])
        outbox.record(MEMBERSHIP_DECIDED, partner=partner, actor=actor, data={
            "program": membership.program.name, "program_code": membership.program.code,
            "decision": "approved" if approve else "rejected", "level": level.name if level else "",
            "reason": reason})
    return locked


# ---------------------------------------------------------------------------------------------
# 提升等级
# ---------------------------------------------------------------------------------------------

def _membership_of(actor, membership_id) -> Membership:
    membership = Membership.objects.select_related("program", "level").filter(
        partner=actor.partner, pk=membership_id).first() if str(membership_id or "").isdigit() else None
    if membership is None:
        raise DomainError(Codes.NOT_FOUND)
    return membership


def request_level(actor, *, membership_id, verification_code=None) -> LevelRequest:
    """提升等级: ask for the next level; a DomainError listing every reason (查看原因) when refused."""
    _require_manager(actor)
    membership = _membership_of(actor, membership_id)
    with operation(actor, "programs.request_level", target=membership, verification_code=verification_code,
                   detail={"program": membership.program.code}) as entry:
        partner = lock_partner(actor.partner.pk)         # programs/locks.py: partner, membership, enrolments
        locked = lock_membership(membership.pk)
        level, refusals = level_refusals(partner, locked, enrolments=lock_enrolments(partner.pk))
        if refusals:
            entry.detail["reasons"] = [r.code for r in refusals]
            raise _refused(StandingCodes.LEVEL_REFUSED, gettext("Your partner level cannot be raised:"), refusals)
        request = LevelRequest.objects.create(membership=locked, level=level, requested_by=_user(actor))
        entry.detail["level"] = level.code
    return request


def decide_level_request(actor, *, request_id, approve: bool, reason: str = "") -> LevelRequest:
    """An operator approves (the stage the level needs is checked again) or rejects a level request."""
    _require_platform(actor)
    request = LevelRequest.objects.select_related("membership__partner", "membership__program", "level").filter(
        pk=request_id).first()
    if request is None:
        raise DomainError(Codes.NOT_FOUND)
    membership = request.membership
    with operation(actor, "programs.decide_level", target=membership, partner=membership.partner,
                   detail={"program": membership.program.code, "level": request.level.code,
                           "approve": bool(approve)}) as entry:
        reason = _reason(approve, reason)
        # programs/locks.py: the partner, the request, the membership, then the enrolments the stage is read from
        partner = lock_partner(membership.partner_id)
        locked = LevelRequest.objects.select_for_update(no_key=True).get(pk=request.pk)
        if locked.status != ApplicationStatus.APPLYING:
            raise DomainError(StandingCodes.NOT_PENDING)
        if approve:
            current = lock_membership(membership.pk)
            refusals = []
            if current.status != MembershipStatus.JOINED:
                refusals.append(LevelRefusal("not_joined", str(LEVEL["not_joined"])))
            elif current.level_id and current.level.rank >= request.level.rank:
                refusals.append(LevelRefusal("highest_level", str(LEVEL["highest_level"])))
            if partner.status != PartnerStatus.ACTIVE:
                refusals.append(LevelRefusal("frozen", str(LEVEL["frozen"])))
            stage_refusal = _stage_refusal(partner, request.level, lock_enrolments(partner.pk))
            if stage_refusal is not None:
                refusals.append(stage_refusal)
            if refusals:
                entry.detail["reasons"] = [r.code for r in refusals]
                raise _refused(StandingCodes.LEVEL_REFUSED, gettext("The level cannot be granted:"), refusals)
            current.level = request.level
            current.save(update_fields=["level"])
        locked.status = ApplicationStatus.APPROVED if approve else ApplicationStatus.REJECTED
        locked.reason = reason
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "reason", "decided_at"])
        outbox.record(LEVEL_DECIDED, partner=partner, actor=actor, data={
            "program": membership.program.name, "program_code": membership.program.code,
            "level": request.level.name, "decision": "approved" if approve else "rejected", "reason": reason})
    return locked


# ---------------------------------------------------------------------------------------------
# Paths and stages
# ---------------------------------------------------------------------------------------------

def advance_stage(actor, *, enrolment_id) -> PathEnrolment:
    """An operator moves a partner to the next stage of its path — only when every requirement of that
    stage is met."""
    _require_platform(actor)
    enrolment = PathEnrolment.objects.select_related("partner", "path", "stage").filter(pk=enrolment_id).first()
    if enrolment is None:
        raise DomainError(Codes.NOT_FOUND)
    with operation(actor, "programs.advance_stage", target=enrolment, partner=enrolment.partner,
                   detail={"path": enrolment.path.code, "from": enrolment.stage.code}) as entry:
        # programs/locks.py: the partner first — confirmations, certified solutions and the review's approval
        # take it too, so what the requirements read cannot change before this commits — then the enrolment.
        lock_partner(enrolment.partner_id)
        locked = lock_enrolment(partner_id=enrolment.partner_id, enrolment_id=enrolment.pk)
        if locked is None:  # pragma: no cover - deleted while we waited
            raise DomainError(Codes.NOT_FOUND)
        standing = path_standing(locked)
        target = standing.next_stage
        if target is None:
            raise DomainError(StandingCodes.LAST_STAGE)
        if standing.missing:
            entry.detail["missing"] = [check.requirement.pk for check in standing.missing]
            raise DomainError(StandingCodes.REQUIREMENTS_NOT_MET, gettext(
                "The requirements of the stage %(stage)s are not all met: %(missing)s") % {
                "stage": target.name, "missing": "; ".join(check.label for check in standing.missing)})
        moved = PathEnrolment.objects.filter(pk=locked.pk, stage_id=locked.stage_id).update(
            stage=target, since=timezone.now())
        if not moved:  # pragma: no cover - the row is locked; kept for databases without row locks
            raise DomainError(Codes.CONFLICT)
        entry.detail["to"] = target.code
        outbox.record(STAGE_ADVANCED, partner=locked.partner, actor=actor, data={
            "path": enrolment.path.name, "path_code": enrolment.path.code, "stage": target.name,
            "stage_code": target.code})
    locked.refresh_from_db()
    return locked


def enrol(actor, *, partner_id, path_code) -> PathEnrolment:
    """An operator puts a partner on a development path, at the path's first stage."""
    _require_platform(actor)
    partner = Partner.objects.filter(pk=partner_id).first()
    path = Path.objects.filter(code=path_code).first()
    if partner is None or path is None:
        raise DomainError(Codes.NOT_FOUND)
    with operation(actor, "programs.enrol", target=path, partner=partner, detail={"path": path.code}) as entry:
        lock_partner(partner.pk)
        if PathEnrolment.objects.filter(partner=partner, path=path).exists():
            raise DomainError(StandingCodes.ALREADY_ON_PATH)
        first = path.stages.order_by("rank").first()
        if first is None:
            raise DomainError(Codes.PARAMETER, _("The path has no stages."))
        enrolment = PathEnrolment.objects.create(partner=partner, path=path, stage=first)
        entry.target = enrolment
    return enrolment


def confirm_requirement(actor, *, partner_id, requirement_id, note: str = "") -> RequirementConfirmation:
    """An operator confirms that a partner meets a CONFIRMED requirement (once; again is the same)."""
    _require_platform(actor)
    partner = Partner.objects.filter(pk=partner_id).first()
    requirement = Requirement.objects.select_related("stage__path").filter(pk=requirement_id).first()
    if partner is None or requirement is None:
        raise DomainError(Codes.NOT_FOUND)
    with operation(actor, "programs.confirm_requirement", target=partner, partner=partner,
                   detail={"requirement": requirement.pk, "label": requirement.label[:100]}):
        if requirement.kind != RequirementKind.CONFIRMED:
            raise DomainError(StandingCodes.NOT_CONFIRMABLE)
        lock_partner(partner.pk)          # programs/locks.py: a stage advance reads confirmations under it
        confirmation, _created = RequirementConfirmation.objects.get_or_create(
            partner=partner, requirement=requirement,
            defaults={"confirmed_by": _user(actor), "note": (note or "")[:200]})
    return confirmation


def revoke_confirmation(actor, *, confirmation_id) -> None:
    _require_platform(actor)
    confirmation = RequirementConfirmation.objects.select_related("partner", "requirement").filter(
        pk=confirmation_id).first()
    if confirmation is None:
        raise DomainError(Codes.NOT_FOUND)
    with operation(actor, "programs.revoke_confirmation", target=confirmation.partner, partner=confirmation.partner,
                   detail={"requirement": confirmation.requirement_id}):
        lock_partner(confirmation.partner_id)   # programs/locks.py: not while a stage advance reads it
        RequirementConfirmation.objects.filter(pk=confirmation.pk).delete()

