"""资格申请 of the FH staff incentive (专职人员激励(FH) - 售前专职人员激励).

The documented rule: 达到门槛的数字化转型咨询与系统集成伙伴在申请激励前先进行资格申请，签署FH协议 — a partner on the
development path 数字化转型咨询与系统集成 (programs.catalogue.DTCSI) that reached the stage 能力差异化认证
(DIFFERENTIATED) or a later one (selectors_fh.eligibility) applies by signing the FH agreement.

- `apply`: a member (a person: not an access key) holding `incentives.fh` signs: the agreement text comes from the
  template incentives/fh_agreement_text.html, its version is settings.FH_AGREEMENT_VERSION; the signature keeps
  the signer's name, the user, the time and the IP. With the partner's verification codes on, the code is asked.
  Refused, each with its own code: a partner below the threshold (NOT_ELIGIBLE, the message says where it stands
  and what is needed), one already applying or qualified (ALREADY_QUALIFIED), the agreement not ticked
  (AGREEMENT_NOT_ACCEPTED). A rejected partner may apply again (its one row goes back to APPLYING). Two submits at
  once: the partner row is locked, the second finds the first's application.
- Operators decide in the admin (`approve`, `reject` with a reason) on an APPLYING qualification only (the row
  locked, its status read again); approving re-checks the threshold (a partner that dropped below it is refused).
  The partner is told (incentives.fh_qualification_decided).
Every write goes through partnercenter.oplog.operation (operators' decisions are filed under the partner).
"""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from events import outbox
from partnercenter.choices import ActorKind
from partnercenter.errors import Codes, DomainError
from partnercenter.models import Partner
from partnercenter.oplog import operation

from . import selectors_fh
from .choices import FhQualificationStatus
from .errors_fh import FhCodes
from .event_types_fh import FH_QUALIFICATION_DECIDED
from .models_fh import FhQualification

__all__ = ["ACTION_LABELS", "FH", "agreement_text", "apply", "approve", "reject", "require_member",
           "require_operator", "clean_reason"]

FH = "incentives.fh"

ACTION_LABELS = {
    "incentives.fh_qualify": gettext_lazy("Apply for the FH qualification (sign the FH agreement)"),
    "incentives.fh_qualification_approve": gettext_lazy("Approve an FH qualification"),
    "incentives.fh_qualification_reject": gettext_lazy("Reject an FH qualification"),
}

OPEN = (FhQualificationStatus.APPLYING, FhQualificationStatus.APPROVED)


def require_member(actor) -> None:
    """A member or key of a partner holding incentives.fh."""
    if not (actor.is_partner and actor.has_perm(FH)):
        raise DomainError(Codes.FORBIDDEN)


def require_operator(actor) -> None:
    if actor.kind != ActorKind.OPERATOR:
        raise DomainError(Codes.FORBIDDEN, _("Only Huawei Cloud's operators do this."))


def clean_reason(reason, *, required=True) -> str:
    reason = (reason or "").strip()
    if required and not reason:
        raise DomainError(FhCodes.REASON_REQUIRED)
    if len(reason) > 500 or "\x00" in reason:
        raise DomainError(Codes.PARAMETER, _("The reason is at most 500 characters."))
    return reason


def agreement_text(partner) -> str:
    """The FH agreement the partner signs (the template's text, with the partner's name and the version)."""
    return render_to_string("incentives/fh_agreement_text.html", {
        "partner": partner, "version": settings.FH_AGREEMENT_VERSION})


def _signer(name) -> str:
    name = (name or "").strip()
    if not name or "\x00" in name:
        raise DomainError(Codes.PARAMETER, _("Enter the signer's name."))
    if len(name) > 64:
        raise DomainError(Codes.PARAMETER, _("The signer's name is at most 64 characters."))
    return name


def apply(actor, *, signer_name, accepted: bool, verification_code=None) -> FhQualification:
    """资格申请: sign the FH agreement for the actor's partner (see the module docstring)."""
    require_member(actor)
    if actor.member is None or actor.kind != ActorKind.MEMBER:
        raise DomainError(FhCodes.SIGNER_NOT_A_PERSON)
    with operation(actor, "incentives.fh_qualify", verification_code=verification_code,
                   detail={"version": settings.FH_AGREEMENT_VERSION}) as entry:
        signer = _signer(signer_name)
        entry.detail["signer"] = signer
        Partner.objects.select_for_update().filter(pk=actor.partner.pk).first()   # two submits: one at a time
        standing = selectors_fh.eligibility(actor.partner)
        if not standing.eligible:
            raise DomainError(FhCodes.NOT_ELIGIBLE, standing.reason)
        qualification = FhQualification.objects.select_for_update().filter(partner_id=actor.partner.pk).first()
        if qualification is not None and qualification.status in OPEN:
            raise DomainError(FhCodes.ALREADY_QUALIFIED)
        if not accepted:
            raise DomainError(FhCodes.AGREEMENT_NOT_ACCEPTED)
        qualification = qualification or FhQualification(partner=actor.partner)
        qualification.status = FhQualificationStatus.APPLYING
        qualification.agreement_version = settings.FH_AGREEMENT_VERSION
        qualification.signer_name = signer
        qualification.signed_by = actor.user
        qualification.signed_at = timezone.now()
        qualification.ip_address = actor.ip or None
        qualification.decided_by, qualification.decided_at, qualification.reason = None, None, ""
        qualification.save()
        entry.target = qualification
    return qualification


def _pending(qualification) -> FhQualification:
    row = FhQualification.objects.select_for_update().select_related("partner") \
        .filter(pk=getattr(qualification, "pk", qualification)).first()
    if row is None:
        raise DomainError(Codes.NOT_FOUND)
    if row.status != FhQualificationStatus.APPLYING:
        raise DomainError(FhCodes.QUALIFICATION_NOT_PENDING)
    return row


def _decide(actor, qualification, status, reason, action, *, reason_required):
    with operation(actor, action, target=qualification, partner=qualification.partner,
                   detail={"reason": (reason or "").strip()[:500]}):
        require_operator(actor)
        reason = clean_reason(reason, required=reason_required)
        row = _pending(qualification)
        if status == FhQualificationStatus.APPROVED:
            standing = selectors_fh.eligibility(row.partner)
            if not standing.eligible:
                raise DomainError(FhCodes.NOT_ELIGIBLE, standing.reason)
        row.status, row.reason = status, reason
        row.decided_by, row.decided_at = actor.user, timezone.now()
        row.save(update_fields=["status", "reason", "decided_by", "decided_at"])
        outbox.record(FH_QUALIFICATION_DECIDED, partner=row.partner, actor=actor, data={
            "qualification_id": row.pk, "decision": status, "reason": reason})
    return row


def approve(actor, *, qualification, reason: str = "") -> FhQualification:
    """An operator approves an APPLYING qualification of a partner still at the threshold."""
    return _decide(actor, qualification, FhQualificationStatus.APPROVED, reason,
                   "incentives.fh_qualification_approve", reason_required=False)


def reject(actor, *, qualification, reason: str) -> FhQualification:
    """An operator rejects an APPLYING qualification, with a reason the partner sees."""
    return _decide(actor, qualification, FhQualificationStatus.REJECTED, reason,
                   "incentives.fh_qualification_reject", reason_required=True)
