"""项目专员 (project specialists): an administrator (a member with `benefits.apply`) applies for a member of
its own partner to become the project specialist of a development path; operators approve or reject in the
admin; the administrator may cancel an open or approved one, after which the member may be applied for
again.

The documented conditions, all checked by `apply` (and the member's again under its row lock):
- the member is linked to the partner (one of its members, its login active) — another partner's member
  is not found;
- its profile's 工作常驻地 is filled in (MemberProfile.work_location);
- the path takes project specialists (`Path.has_specialists`: not the distribution and solution-provider
  plans) and the partner is on it;
- the member has no APPLYING or APPROVED application on that path (a cancelled or rejected one may apply
  again; the partial unique constraint `specialist_open_once` is the backstop against a race).
"""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from events import outbox
from partnercenter.choices import ActorKind
from partnercenter.errors import Codes, DomainError
from partnercenter.models import Member
from partnercenter.oplog import operation, register_actions

from .choices import SpecialistStatus
from .errors_benefits import BenefitCodes
from .event_types_benefits import SPECIALIST_DECIDED
from .locks import lock_partner
from .models import MemberProfile, Path, PathEnrolment, ProjectSpecialist
from .selectors_benefits import OPEN_SPECIALIST, specialists_for

__all__ = ["PERMISSION", "refusal", "apply", "cancel", "approve", "reject"]

PERMISSION = "benefits.apply"

register_actions({
    "programs.specialist_apply": gettext_lazy("Apply for a project specialist"),
    "programs.specialist_cancel": gettext_lazy("Cancel a project specialist"),
    "programs.specialist_approve": gettext_lazy("Project specialist approved by the platform"),
    "programs.specialist_reject": gettext_lazy("Project specialist rejected by the platform"),
})


def _require_applicant(actor):
    if not actor.is_partner or not actor.has_perm(PERMISSION):
        raise DomainError(Codes.FORBIDDEN)


def _require_operator(actor):
    if actor.kind != ActorKind.OPERATOR:
        raise DomainError(Codes.FORBIDDEN)


def refusal(member, path, *, partner) -> DomainError | None:
    """Why `member` cannot be applied for on `path` now (None: it can). Reads the member's profile, the
    partner's enrolment and the open applications (a few statements; pages call it to explain)."""
    if member.partner_id != partner.pk or not member.user.is_active:
        return DomainError(BenefitCodes.MEMBER_NOT_LINKED)
    if not path.has_specialists:
        return DomainError(BenefitCodes.PATH_WITHOUT_SPECIALISTS)
    if not PathEnrolment.objects.filter(partner=partner, path=path).exists():
        return DomainError(BenefitCodes.NOT_ON_PATH)
    if not MemberProfile.objects.filter(member=member).exclude(work_location="").exists():
        return DomainError(BenefitCodes.NO_WORK_LOCATION)
    if ProjectSpecialist.objects.filter(member=member, path=path, status__in=OPEN_SPECIALIST).exists():
        return DomainError(BenefitCodes.SPECIALIST_OPEN)
    return None


def apply(actor, *, member_id, path_id, verification_code=None) -> ProjectSpecialist:
    """申请项目专员 for one of the partner's members on a path. Sensitive: the partner's 验证码验证 applies."""
    _require_applicant(actor)
    member = Member.objects.filter(pk=member_id, partner=actor.partner).select_related("user").first()
    path = Path.objects.filter(pk=path_id).first()
    if member is None or path is None:
        raise DomainError(Codes.NOT_FOUND)
    detail = {"member": member.display_name, "path": path.code}
    with operation(actor, "programs.specialist_apply", target=member, verification_code=verification_code,
                   detail=detail) as entry:
        # The member's row is locked: two applications for it wait for each other and the second sees the
        # first (the unique constraint is the backstop where the isolation would let both through).
        member = Member.objects.select_for_update().select_related("user").get(pk=member.pk)
        refused = refusal(member, path, partner=actor.partner)
        if refused is not None:
            raise refused
        try:
            with transaction.atomic():
                specialist = ProjectSpecialist.objects.create(member=member, path=path, applied_by=actor.user)
        except IntegrityError:
            raise DomainError(BenefitCodes.SPECIALIST_OPEN) from None
        entry.detail["specialist"] = specialist.pk
    return specialist


def cancel(actor, *, specialist_id, verification_code=None) -> ProjectSpecialist:
    """取消: an open or approved project specialist of the partner becomes cancelled; the member may be
    applied for again."""
    _require_applicant(actor)
    specialist = specialists_for(actor).filter(pk=specialist_id).first()
    if specialist is None:
        raise DomainError(Codes.NOT_FOUND)
    detail = {"member": specialist.member.display_name, "path": specialist.path.code, "specialist": specialist.pk}
    with operation(actor, "programs.specialist_cancel", target=specialist.member, verification_code=verification_code,
                   detail=detail):
        lock_partner(actor.partner.pk)   # the specialists count toward the stage requirements (programs/locks.py)
        now = timezone.now()
        if not ProjectSpecialist.objects.filter(pk=specialist.pk, status__in=OPEN_SPECIALIST).update(
                status=SpecialistStatus.CANCELLED, decided_at=now, decided_by=actor.user):
            raise DomainError(BenefitCodes.NOT_CANCELLABLE)
    specialist.refresh_from_db()
    return specialist


def _decide(actor, specialist_id, *, approved, reason=""):
    _require_operator(actor)
    specialist = ProjectSpecialist.objects.select_related("member", "member__partner", "path").filter(
        pk=specialist_id).first()
    if specialist is None:
        raise DomainError(Codes.NOT_FOUND)
    reason = (reason or "").strip()[:500]
    if not approved and not reason:
        raise DomainError(BenefitCodes.REASON_REQUIRED)
    partner = specialist.member.partner
    action = "programs.specialist_approve" if approved else "programs.specialist_reject"
    detail = {"member": specialist.member.display_name, "path": specialist.path.code, "specialist": specialist.pk}
    if reason:
        detail["reason"] = reason
    with operation(actor, action, target=specialist.member, partner=partner, detail=detail):
        lock_partner(partner.pk)
        locked = ProjectSpecialist.objects.select_for_update().get(pk=specialist.pk)
        if locked.status != SpecialistStatus.APPLYING:
            raise DomainError(BenefitCodes.NOT_PENDING)
        if approved:
            member = Member.objects.select_related("user").get(pk=specialist.member_id)
            if member.partner_id != partner.pk or not member.user.is_active:
                raise DomainError(BenefitCodes.MEMBER_NOT_LINKED)
        locked.status = SpecialistStatus.APPROVED if approved else SpecialistStatus.REJECTED
        locked.decided_at, locked.decided_by, locked.reason = timezone.now(), actor.user, reason
        locked.save(update_fields=["status", "decided_at", "decided_by", "reason"])
        outbox.record(SPECIALIST_DECIDED, partner=partner, actor=actor, data={
            "decision": "approved" if approved else "rejected", "member": specialist.member.display_name,
            "path": specialist.path.name, "reason": reason})
    return locked


def approve(actor, *, specialist_id) -> ProjectSpecialist:
    """An operator approves an open application (the member must still be linked to the partner)."""
    return _decide(actor, specialist_id, approved=True)


def reject(actor, *, specialist_id, reason) -> ProjectSpecialist:
    """An operator rejects an open application, with the reason the partner reads."""
    return _decide(actor, specialist_id, approved=False, reason=reason)

