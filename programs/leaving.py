"""退出伙伴计划: an operator ends a partner's programme membership (the partner asked to leave, or was delisted —
摘牌) with a reason. The membership goes from JOINED to LEFT with `left_at`; a request to raise its level still
waiting is rejected with the same reason; the partner's members are told (MEMBERSHIP_ENDED). A LEFT membership is
not open (models.OPEN_MEMBERSHIP): the partner may apply to join again.

The months it was held stay held: the incentive run pays a programme's policy for every month the partner held
it — joined before the month's end and not left before its start (incentives.policies.held_in) — so re-running a
month before the leaving still pays it, and the month of the leaving too.

Locks (programs/locks.py): the partner, the level requests, then the membership; the status is re-read under
them, so two operators ending it at once end it once.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy

from events import outbox
from partnercenter.choices import ActorKind
from partnercenter.errors import Codes, DomainError
from partnercenter.oplog import operation, register_actions

from .choices import ApplicationStatus, MembershipStatus
from .errors_standing import StandingCodes
from .event_types_standing import MEMBERSHIP_ENDED
from .locks import lock_membership, lock_partner
from .models import LevelRequest, Membership

__all__ = ["end_membership"]

register_actions({"programs.end_membership": gettext_lazy("Programme membership ended by the platform")})


def end_membership(actor, *, membership_id, reason: str, now=None) -> Membership:
    """JOINED → LEFT since `now`, with the operator's reason (required)."""
    if actor.kind not in (ActorKind.OPERATOR, ActorKind.SCHEDULER):
        raise DomainError(Codes.FORBIDDEN)
    membership = Membership.objects.select_related("partner", "program").filter(pk=membership_id).first()
    if membership is None:
        raise DomainError(Codes.NOT_FOUND)
    reason = (reason or "").strip()[:500]
    if not reason:
        raise DomainError(StandingCodes.REASON_REQUIRED)
    now = now or timezone.now()
    with operation(actor, "programs.end_membership", target=membership, partner=membership.partner,
                   detail={"program": membership.program.code, "reason": reason}):
        partner = lock_partner(membership.partner_id)
        waiting = list(LevelRequest.objects.select_for_update(no_key=True).filter(
            membership_id=membership.pk, status=ApplicationStatus.APPLYING).order_by("pk"))
        locked = lock_membership(membership.pk)
        if locked.status != MembershipStatus.JOINED:
            raise DomainError(StandingCodes.NOT_JOINED)
        LevelRequest.objects.filter(pk__in=[r.pk for r in waiting]).update(
            status=ApplicationStatus.REJECTED, reason=reason, decided_at=now)
        locked.status, locked.left_at, locked.reason = MembershipStatus.LEFT, now, reason
        locked.save(update_fields=["status", "left_at", "reason"])
        outbox.record(MEMBERSHIP_ENDED, partner=partner, actor=actor, data={
            "program": membership.program.name, "program_code": membership.program.code, "reason": reason})
    return locked
