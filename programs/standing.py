"""Where a partner stands on its development paths (发展路径) and what is missing to advance.

For each path the partner is on (PathEnrolment): its stage, the next stage, and the next stage's
requirements as a checklist — each line with the partner's value, the threshold and met / not met.

- A COMPUTED requirement counts `metric` for the partner and is met when the count reaches `threshold`:
  CERTIFIED_SOLUTIONS  certified applications and solutions (CertifiedSolution rows of the partner);
  PROJECT_SPECIALISTS  approved project specialists on that path among the partner's active members;
  CUSTOMERS            the partner's active associations (customers it serves now);
  BUSINESS_CERTIFIED   1 when its 商业信息认证 is VERIFIED, else 0;
  AGREEMENTS_SIGNED    its signatures of published agreements.
- A CONFIRMED requirement is met when an operator confirmed it for the partner (RequirementConfirmation).

The reads are a constant number of statements whatever the number of paths, stages or requirements: the
enrolments, the paths' stages and their requirements (prefetched), the confirmations, one statement for
every partner-wide metric (a subquery each) and one grouped count for the per-path specialists.

`standing_of(partner)` is what the pages, the home panel (`home_summary`) and the services read;
`stage_reached(partner, stage)` answers "is the partner on stage's path at that stage or later" (levels).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import NoReverseMatch, reverse

from customers.models import Association

from .choices import CertificationStatus, Metric, RequirementKind, SpecialistStatus
from .models import (
    AgreementSignature, BusinessCertification, CertifiedSolution, Path, PathEnrolment, ProjectSpecialist,
    Requirement, RequirementConfirmation, Stage,
)

__all__ = ["Check", "PathStanding", "Standing", "standing_of", "path_standing", "enrolments_of", "stage_reached",
           "home_summary", "restrict_links", "METRIC_PAGES", "BOOLEAN_METRICS", "PAGE_PERMISSIONS"]

# Where a partner acts on a metric when the requirement names no page of its own (URL names; a page that
# is not mounted is simply not linked).
METRIC_PAGES = {
    Metric.BUSINESS_CERTIFIED: "programs:certification",
    Metric.AGREEMENTS_SIGNED: "programs:agreements",
    Metric.PROJECT_SPECIALISTS: "programs:specialists",
    Metric.CUSTOMERS: "customers:list",
}
BOOLEAN_METRICS = {Metric.BUSINESS_CERTIFIED}
# The permission each linked page takes: a member without it is shown the requirement without the link.
PAGE_PERMISSIONS = {
    "programs:certification": "programs.view",
    "programs:agreements": "programs.view",
    "programs:specialists": "benefits.view",
    "customers:list": "customers.view",
}


def _url(name_or_path: str) -> str:
    if not name_or_path:
        return ""
    if name_or_path.startswith("/"):
        return name_or_path
    try:
        return reverse(name_or_path)
    except NoReverseMatch:
        return ""


@dataclass
class Check:
    """One line of a checklist."""

    requirement: Requirement
    value: int
    threshold: int
    met: bool
    confirmed_at: object = None
    linked: bool = True             # False when the member may not open the page (restrict_links)

    @property
    def label(self) -> str:
        return self.requirement.label

    @property
    def is_confirmed_kind(self) -> bool:
        return self.requirement.kind == RequirementKind.CONFIRMED

    @property
    def is_yes_no(self) -> bool:
        """Shown as done / not done rather than as a count."""
        return self.is_confirmed_kind or self.requirement.metric in BOOLEAN_METRICS

    @property
    def page(self) -> str:
        """The URL name (or path) of the page where the partner acts on it."""
        return self.requirement.link if _url(self.requirement.link) else METRIC_PAGES.get(self.requirement.metric, "")

    @property
    def permission(self) -> str:
        return PAGE_PERMISSIONS.get(self.page, "")

    @property
    def url(self) -> str:
        return _url(self.page) if self.linked else ""


@dataclass
class PathStanding:
    path: Path
    stages: list[Stage]
    enrolment: PathEnrolment | None = None
    checklist: list[Check] = field(default_factory=list)

    @property
    def enrolled(self) -> bool:
        return self.enrolment is not None

    @property
    def stage(self) -> Stage | None:
        return self.enrolment.stage if self.enrolment else None

    @property
    def next_stage(self) -> Stage | None:
        if self.enrolment is None:
            return None
        return next((s for s in self.stages if s.rank > self.enrolment.stage.rank), None)

    @property
    def is_last_stage(self) -> bool:
        return self.enrolled and self.next_stage is None

    @property
    def missing(self) -> list[Check]:
        return [check for check in self.checklist if not check.met]

    @property
    def met_count(self) -> int:
        return sum(1 for check in self.checklist if check.met)

    @property
    def ready(self) -> bool:
        """Every requirement of the next stage is met (an operator may advance the partner)."""
        return self.next_stage is not None and not self.missing

    def stage_rows(self):
        """(stage, "done" | "current" | "next" | "later") for a progress line."""
        current = self.stage.rank if self.stage else None
        rows = []
        for stage in self.stages:
            if current is None:
                state = "later"
            elif stage.rank < current:
                state = "done"
            elif stage.rank == current:
                state = "current"
            elif self.next_stage is not None and stage.pk == self.next_stage.pk:
                state = "next"
            else:
                state = "later"
            rows.append((stage, state))
        return rows


@dataclass
class Standing:
    partner: object
    paths: list[PathStanding]

    @property
    def enrolled(self) -> list[PathStanding]:
        return [p for p in self.paths if p.enrolled]

    def on(self, path_code: str) -> PathStanding | None:
        return next((p for p in self.paths if p.path.code == path_code), None)


# ---------------------------------------------------------------------------------------------
# Metrics
# ---------------------------------------------------------------------------------------------

def _count(queryset, partner_field="partner"):
    """A subquery counting `queryset`'s rows of the outer partner (0 when none)."""
    counted = queryset.filter(**{partner_field: OuterRef("pk")}).order_by().values(partner_field).annotate(
        n=Count("pk")).values("n")[:1]
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _partner_wide():
    return {
        Metric.CERTIFIED_SOLUTIONS: lambda: _count(CertifiedSolution.objects.all()),
        Metric.CUSTOMERS: lambda: _count(Association.objects.filter(ended_on__isnull=True)),
        Metric.BUSINESS_CERTIFIED: lambda: Exists(BusinessCertification.objects.filter(
            partner=OuterRef("pk"), status=CertificationStatus.VERIFIED)),
        Metric.AGREEMENTS_SIGNED: lambda: _count(AgreementSignature.objects.filter(
            agreement__published_at__isnull=False)),
    }


def metric_values(partner, metrics, path_ids) -> dict:
    """{(metric, path id or None): value} for the metrics asked: the partner-wide ones in one statement,
    the project specialists per path in one grouped count."""
    from partnercenter.models import Partner

    values = {}
    wide = _partner_wide()
    asked = [m for m in metrics if m in wide]
    if asked:
        row = Partner.objects.filter(pk=partner.pk).annotate(
            **{f"m_{m}": wide[m]() for m in asked}).values(*[f"m_{m}" for m in asked]).first() or {}
        for metric in asked:
            values[metric, None] = int(row.get(f"m_{metric}") or 0)
    if Metric.PROJECT_SPECIALISTS in metrics and path_ids:
        counts = dict(ProjectSpecialist.objects.filter(
            member__partner=partner, member__user__is_active=True, status=SpecialistStatus.APPROVED,
            path_id__in=list(path_ids)).order_by().values("path_id").annotate(n=Count("pk")).values_list(
            "path_id", "n"))
        for path_id in path_ids:
            values[Metric.PROJECT_SPECIALISTS, path_id] = counts.get(path_id, 0)
    return values


# ---------------------------------------------------------------------------------------------
# Standing
# ---------------------------------------------------------------------------------------------

def _stages_prefetch():
    return Prefetch("stages", queryset=Stage.objects.order_by("rank").prefetch_related(
        Prefetch("requirements", queryset=Requirement.objects.order_by("rank", "id"))))


def _checklists(partner, standings: list[PathStanding]) -> None:
    nexts = {ps.path.pk: ps.next_stage for ps in standings if ps.next_stage is not None}
    requirements = [(path_id, r) for path_id, stage in nexts.items() for r in stage.requirements.all()]
    if not requirements:
        return
    metrics = {r.metric for _, r in requirements if r.kind == RequirementKind.COMPUTED}
    values = metric_values(partner, metrics, [pid for pid, r in requirements
                                              if r.metric == Metric.PROJECT_SPECIALISTS])
    confirmable = [r.pk for _, r in requirements if r.kind == RequirementKind.CONFIRMED]
    confirmed = dict(RequirementConfirmation.objects.filter(
        partner=partner, requirement_id__in=confirmable).values_list("requirement_id", "confirmed_at")) \
        if confirmable else {}
    by_path = {ps.path.pk: ps for ps in standings}
    for path_id, requirement in requirements:
        if requirement.kind == RequirementKind.CONFIRMED:
            at = confirmed.get(requirement.pk)
            check = Check(requirement, 1 if at else 0, 1, at is not None, confirmed_at=at)
        else:
            scope = path_id if requirement.metric == Metric.PROJECT_SPECIALISTS else None
            value = values.get((requirement.metric, scope), 0)
            check = Check(requirement, value, requirement.threshold, value >= requirement.threshold)
        by_path[path_id].checklist.append(check)


def standing_of(partner, *, enrolled_only: bool = False) -> Standing:
    """Every path (or only those the partner is on) with the partner's stage and next-stage checklist."""
    enrolments = enrolments_of(partner)
    if enrolled_only and not enrolments:
        return Standing(partner, [])
    paths = Path.objects.prefetch_related(_stages_prefetch()).order_by("rank", "code")
    if enrolled_only:
        paths = paths.filter(pk__in=list(enrolments))
    standings = [PathStanding(path, list(path.stages.all()), enrolments.get(path.pk)) for path in paths]
    _checklists(partner, standings)
    return Standing(partner, standings)


def path_standing(enrolment: PathEnrolment) -> PathStanding:
    """One enrolment's standing (the stage-advance service reads it after locking the enrolment)."""
    path = Path.objects.prefetch_related(_stages_prefetch()).get(pk=enrolment.path_id)
    standing = PathStanding(path, list(path.stages.all()), enrolment)
    _checklists(enrolment.partner, [standing])
    return standing


def enrolments_of(partner) -> dict:
    """The partner's enrolments by path id, with their stages (one statement)."""
    return {e.path_id: e for e in PathEnrolment.objects.filter(partner=partner).select_related("stage")}


def stage_reached(partner, stage: Stage, *, enrolments=None) -> tuple[bool, PathEnrolment | None]:
    """(the partner is on `stage`'s path at that stage or a later one, its enrolment on that path or None).
    `enrolments`: the partner's, by path id (`enrolments_of`, or locked by the services), if already read."""
    if enrolments is not None:
        enrolment = enrolments.get(stage.path_id)
    else:
        enrolment = PathEnrolment.objects.filter(partner=partner, path_id=stage.path_id).select_related(
            "stage").first()
    return (enrolment is not None and enrolment.stage.rank >= stage.rank), enrolment


def restrict_links(standings, actor) -> None:
    """Unlink the checklist lines whose page `actor` may not open (a member without customers.view is not
    sent to the customer list)."""
    for ps in standings:
        for check in ps.checklist:
            check.linked = not check.permission or actor.has_perm(check.permission)


def home_summary(partner) -> list[PathStanding]:
    """The paths the partner is on, for the home page's 发展路径 panel (a constant number of statements)."""
    return standing_of(partner, enrolled_only=True).enrolled
