"""Certified applications and solutions (先进云软件认证): operators record, correct and remove a partner's
CertifiedSolution rows, which the CERTIFIED_SOLUTIONS requirement counts (programs/standing.py).

Each write is an operation logged under the partner, made under the partner's lock (programs/locks.py), so a
stage advance that counts the partner's solutions sees them before or after the change, never in between.
A solution stays with the partner it was recorded for: to move it, remove it and record it again.
"""

from __future__ import annotations

from datetime import date

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partnercenter.choices import ActorKind
from partnercenter.errors import Codes, DomainError
from partnercenter.models import Partner
from partnercenter.oplog import operation

from .locks import lock_partner
from .models import CertifiedSolution

__all__ = ["record_solution", "update_solution", "remove_solution"]


def _require_platform(actor):
    if actor.kind not in (ActorKind.OPERATOR, ActorKind.SCHEDULER):
        raise DomainError(Codes.FORBIDDEN)


def _clean(name, certification, certified_on) -> dict:
    name, certification = (name or "").strip(), (certification or "").strip()
    if not name or len(name) > 128:
        raise DomainError(Codes.PARAMETER, _("Give the solution's name (at most 128 characters)."))
    if not certification or len(certification) > 64:
        raise DomainError(Codes.PARAMETER, _("Give the certification (at most 64 characters)."))
    if not isinstance(certified_on, date) or certified_on > timezone.localdate():
        raise DomainError(Codes.PARAMETER, _("Give the date of the certification (not in the future)."))
    return {"name": name, "certification": certification, "certified_on": certified_on}


def _detail(solution) -> dict:
    return {"solution": solution.pk, "name": solution.name, "certification": solution.certification,
            "certified_on": solution.certified_on.isoformat()}


def record_solution(actor, *, partner_id, name, certification, certified_on) -> CertifiedSolution:
    """An operator records a certified solution of a partner."""
    _require_platform(actor)
    partner = Partner.objects.filter(pk=partner_id).first()
    if partner is None:
        raise DomainError(Codes.NOT_FOUND)
    with operation(actor, "programs.solution_record", target=partner, partner=partner,
                   detail={"name": str(name or "")[:128]}) as entry:
        fields = _clean(name, certification, certified_on)
        lock_partner(partner.pk)
        solution = CertifiedSolution.objects.create(partner=partner, **fields)
        entry.detail = _detail(solution)
    return solution


def update_solution(actor, *, solution_id, name, certification, certified_on) -> CertifiedSolution:
    """An operator corrects a certified solution (its partner stays)."""
    _require_platform(actor)
    solution = CertifiedSolution.objects.select_related("partner").filter(pk=solution_id).first()
    if solution is None:
        raise DomainError(Codes.NOT_FOUND)
    with operation(actor, "programs.solution_update", target=solution.partner, partner=solution.partner,
                   detail={"solution": solution.pk}) as entry:
        fields = _clean(name, certification, certified_on)
        lock_partner(solution.partner_id)
        before = _detail(solution)
        updated = CertifiedSolution.objects.filter(pk=solution.pk).update(**fields)
        if not updated:
            raise DomainError(Codes.NOT_FOUND)
        for key, value in fields.items():
            setattr(solution, key, value)
        entry.detail = {**_detail(solution), "before": before}
    return solution


def remove_solution(actor, *, solution_id) -> None:
    """An operator removes a certified solution (it no longer counts)."""
    _require_platform(actor)
    solution = CertifiedSolution.objects.select_related("partner").filter(pk=solution_id).first()
    if solution is None:
        raise DomainError(Codes.NOT_FOUND)
    with operation(actor, "programs.solution_remove", target=solution.partner, partner=solution.partner,
                   detail=_detail(solution)):
        lock_partner(solution.partner_id)
        CertifiedSolution.objects.filter(pk=solution.pk).delete()
