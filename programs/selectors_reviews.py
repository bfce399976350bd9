"""Reads of annual reviews, scoped to the acting member's partner.

A partner sees the reviews of the paths it is on (PathEnrolment) once they have opened; any other review
(another path's, one not yet open) is "not found". Its submission and materials are its own.
The requirements shown are the partner's checklist (programs.standing): the current stage's (what the
review checks it still meets) and the next stage's (what is missing to advance).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import OuterRef, Prefetch, Subquery
from django.utils import timezone

from . import standing
from .choices import Metric, RequirementKind
from .models import Material, PathEnrolment, Requirement, RequirementConfirmation, Review, ReviewSubmission

__all__ = ["reviews_for", "review_for", "submission_for", "enrolment_for", "checklists_for", "StageChecklist"]


def reviews_for(actor):
    """The opened reviews of the actor's paths, newest first, each with the partner's submission status
    (`submission_status`, None before its first material) and its stage (`current_stage_name`)."""
    partner_id = actor.partner.pk
    submissions = ReviewSubmission.objects.filter(review=OuterRef("pk"), partner_id=partner_id)
    enrolments = PathEnrolment.objects.filter(path=OuterRef("path_id"), partner_id=partner_id)
    return (Review.objects.filter(path__enrolments__partner_id=partner_id, opens_at__lte=timezone.now())
            .select_related("path")
            .annotate(submission_status=Subquery(submissions.values("status")[:1]),
                      submission_reason=Subquery(submissions.values("reason")[:1]),
                      current_stage_name=Subquery(enrolments.values("stage__name")[:1]))
            .order_by("-year", "path__rank", "-pk"))


def review_for(actor, pk) -> Review | None:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    if not 0 < pk < 2 ** 63:
        return None
    return reviews_for(actor).filter(pk=pk).first()


def submission_for(actor, review) -> ReviewSubmission | None:
    return (ReviewSubmission.objects.filter(review=review, partner_id=actor.partner.pk)
            .select_related("result_stage")
            .prefetch_related(Prefetch("materials", queryset=Material.objects.order_by("uploaded_at", "pk")))
            .first())


def enrolment_for(actor, review) -> PathEnrolment | None:
    return (PathEnrolment.objects.filter(partner_id=actor.partner.pk, path_id=review.path_id)
            .select_related("stage", "path").first())


@dataclass
class StageChecklist:
    stage: object
    checks: list          # standing.Check
    role: str             # "current" | "next"

    @property
    def met(self) -> bool:
        return all(check.met for check in self.checks)


def _checks(partner, stage, requirements) -> list:
    """The standing checklist of `stage` for the partner (as programs.standing computes the next stage's)."""
    metrics = {r.metric for r in requirements if r.kind == RequirementKind.COMPUTED}
    values = standing.metric_values(partner, metrics, [stage.path_id] if Metric.PROJECT_SPECIALISTS in metrics else [])
    confirmable = [r.pk for r in requirements if r.kind == RequirementKind.CONFIRMED]
    confirmed = dict(RequirementConfirmation.objects.filter(
        partner=partner, requirement_id__in=confirmable).values_list("requirement_id", "confirmed_at")) \
        if confirmable else {}
    checks = []
    for requirement in requirements:
        if requirement.kind == RequirementKind.CONFIRMED:
            at = confirmed.get(requirement.pk)
            checks.append(standing.Check(requirement, 1 if at else 0, 1, at is not None, confirmed_at=at))
        else:
            scope = stage.path_id if requirement.metric == Metric.PROJECT_SPECIALISTS else None
            value = values.get((requirement.metric, scope), 0)
            checks.append(standing.Check(requirement, value, requirement.threshold, value >= requirement.threshold))
    return checks


def checklists_for(enrolment) -> list[StageChecklist]:
    """The current stage's checklist (when it has requirements) and the next stage's (when there is one)."""
    result = []
    current = enrolment.stage
    requirements = list(Requirement.objects.filter(stage=current).order_by("rank", "id"))
    if requirements:
        result.append(StageChecklist(current, _checks(enrolment.partner, current, requirements), "current"))
    path = standing.path_standing(enrolment)
    if path.next_stage is not None:
        result.append(StageChecklist(path.next_stage, path.checklist, "next"))
    return result
