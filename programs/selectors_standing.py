"""Reads of the standing pages, scoped to the actor's partner: the programmes with the partner's memberships,
levels and what it may do, and one membership of the partner (another partner's is not found)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from .choices import ApplicationStatus, MembershipStatus, ProgramKind
from .membership import joinable, level_refusals, refusals_to_join
from .models import LevelRequest, Membership, Program, ProgramLevel

__all__ = ["ProgrammeRow", "programme_rows", "membership_of", "STATUS_LABELS"]

# The programmes the partner is in first, then the solution-provider plan, the distributor and reseller ones.
KIND_ORDER = {ProgramKind.SOLUTION_PROVIDER: 0, ProgramKind.DISTRIBUTOR: 1, ProgramKind.RESELLER: 2}
# How the page names a membership's status (the choice labels are shared with other screens).
STATUS_LABELS = {
    MembershipStatus.APPLYING: _("Application waiting"),
    MembershipStatus.JOINED: _("Joined the programme"),
    MembershipStatus.REJECTED: _("Application rejected"),
    MembershipStatus.LEFT: _("Left the programme"),
}


@dataclass
class ProgrammeRow:
    program: Program
    membership: Membership | None = None        # open (applying / joined), else the latest decided one
    pending_level: LevelRequest | None = None
    last_level_request: LevelRequest | None = None
    join_refusals: list = field(default_factory=list)
    next_level: ProgramLevel | None = None
    level_refusals: list = field(default_factory=list)

    @property
    def status_label(self):
        return STATUS_LABELS.get(self.membership.status, "") if self.membership else ""

    @property
    def joined(self) -> bool:
        return self.membership is not None and self.membership.status == MembershipStatus.JOINED

    @property
    def applying(self) -> bool:
        return self.membership is not None and self.membership.status == MembershipStatus.APPLYING

    @property
    def is_open(self) -> bool:
        return self.joined or self.applying

    @property
    def offline(self) -> bool:
        return self.program.apply_offline

    @property
    def through_distributor(self) -> bool:
        return self.program.kind == ProgramKind.RESELLER

    @property
    def can_join(self) -> bool:
        return joinable(self.program) and not self.is_open and not self.join_refusals

    @property
    def can_upgrade(self) -> bool:
        return self.joined and self.next_level is not None and not self.level_refusals


def programme_rows(actor) -> list[ProgrammeRow]:
    partner = actor.partner
    programs = Program.objects.filter(is_active=True).prefetch_related(
        Prefetch("levels", queryset=ProgramLevel.objects.select_related("min_stage__path").order_by("rank")))
    memberships = Membership.objects.filter(partner=partner).select_related("level").prefetch_related(
        Prefetch("level_requests", queryset=LevelRequest.objects.select_related("level").order_by(
            "-requested_at", "-id"))).order_by("-applied_at", "-id")
    chosen = {}
    for membership in memberships:
        current = chosen.get(membership.program_id)
        is_open = membership.status in (MembershipStatus.APPLYING, MembershipStatus.JOINED)
        if current is None or (is_open and current.status not in (MembershipStatus.APPLYING, MembershipStatus.JOINED)):
            chosen[membership.program_id] = membership
    rows = []
    for program in sorted(programs, key=lambda p: (p.pk not in chosen, KIND_ORDER.get(p.kind, 9), p.code)):
        row = ProgrammeRow(program, chosen.get(program.pk))
        if row.membership is not None:
            requests = list(row.membership.level_requests.all())
            row.pending_level = next((r for r in requests if r.status == ApplicationStatus.APPLYING), None)
            row.last_level_request = requests[0] if requests else None
        if joinable(program) and not row.is_open:
            row.join_refusals = refusals_to_join(partner, program)
        if row.joined:
            row.membership.program = program
            row.next_level, row.level_refusals = level_refusals(partner, row.membership, levels=program.levels.all())
        rows.append(row)
    return rows


def membership_of(actor, pk) -> Membership | None:
    return Membership.objects.select_related("program", "level").filter(partner=actor.partner, pk=pk).first()
