"""Reads of the standing pages, scoped to the actor's partner: the programmes with the partner's memberships,
levels and what it may do, and one membership of the partner (another partner's is not found).

`programme_rows` runs a constant number of statements whatever the number of programmes, memberships and
level requests: the programmes with their levels, the memberships with their requests, the partner's
enrolments, and the account facts the join reasons need (programs.eligibility.account_facts), each once.

A solution provider (its partner type) is in the solution-provider plan without a membership row: its row
shows it joined by type, with neither "Apply to join" nor reasons (eligibility refuses an application with
"already in the plan"). Once an operator ended its membership of that plan, the row shows the membership that
ended, as for any partner, and it may apply again (eligibility.in_solution_provider_plan)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from partnercenter.choices import PartnerType

from .choices import ApplicationStatus, MembershipStatus, ProgramKind
from .eligibility import account_facts
from .membership import joinable, level_refusals, refusals_to_join
from .models import LevelRequest, Membership, Program, ProgramLevel
from .standing import enrolments_of

__all__ = ["ProgrammeRow", "programme_rows", "membership_of", "joinable_program", "STATUS_LABELS"]

# The programmes the partner is in first, then the solution-provider plan, the distributor and reseller ones.
KIND_ORDER = {ProgramKind.SOLUTION_PROVIDER: 0, ProgramKind.DISTRIBUTOR: 1, ProgramKind.RESELLER: 2}
# How the page names a membership's status (the choice labels are shared with other screens).
STATUS_LABELS = {
    MembershipStatus.APPLYING: _("Application waiting"),
    MembershipStatus.JOINED: _("Joined the programme"),
    MembershipStatus.REJECTED: _("Application rejected"),
    MembershipStatus.LEFT: _("Left the programme"),
}
BY_TYPE_LABEL = _("Joined as a solution provider")


@dataclass
class ProgrammeRow:
    program: Program
    membership: Membership | None = None        # open (applying / joined), else the latest decided one
    pending_level: LevelRequest | None = None
    last_level_request: LevelRequest | None = None
    join_refusals: list = field(default_factory=list)
    next_level: ProgramLevel | None = None
    level_refusals: list = field(default_factory=list)
    by_type: bool = False                       # in the solution-provider plan by the partner's type, no row

    @property
    def status_label(self):
        if self.by_type:
            return BY_TYPE_LABEL
        return STATUS_LABELS.get(self.membership.status, "") if self.membership else ""

    @property
    def joined(self) -> bool:
        return self.membership is not None and self.membership.status == MembershipStatus.JOINED

    @property
    def applying(self) -> bool:
        return self.membership is not None and self.membership.status == MembershipStatus.APPLYING

    @property
    def is_open(self) -> bool:
        return self.joined or self.applying or self.by_type

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


def _is_open(membership) -> bool:
    return membership.status in (MembershipStatus.APPLYING, MembershipStatus.JOINED)


def programme_rows(actor) -> list[ProgrammeRow]:
    partner = actor.partner
    programs = list(Program.objects.filter(is_active=True).prefetch_related(
        Prefetch("levels", queryset=ProgramLevel.objects.select_related("min_stage__path").order_by("rank"))))
    memberships = Membership.objects.filter(partner=partner).select_related("program", "level").prefetch_related(
        Prefetch("level_requests", queryset=LevelRequest.objects.select_related("level").order_by(
            "-requested_at", "-id"))).order_by("-applied_at", "-id")
    chosen = {}
    for membership in memberships:
        current = chosen.get(membership.program_id)
        if current is None or (_is_open(membership) and not _is_open(current)):
            chosen[membership.program_id] = membership
    open_ids = {pid for pid, m in chosen.items() if _is_open(m)}
    by_type = partner.partner_type == PartnerType.SOLUTION_PROVIDER and not any(
        m.program.kind == ProgramKind.SOLUTION_PROVIDER and m.status == MembershipStatus.LEFT
        for pid, m in chosen.items() if pid not in open_ids)
    in_plan = by_type or any(m.program.kind == ProgramKind.SOLUTION_PROVIDER for pid, m in chosen.items()
                             if pid in open_ids)
    facts = enrolments = None
    rows = []
    for program in sorted(programs, key=lambda p: (p.pk not in chosen and not (
            by_type and p.kind == ProgramKind.SOLUTION_PROVIDER), KIND_ORDER.get(p.kind, 9), p.code)):
        row = ProgrammeRow(program, chosen.get(program.pk))
        pending = False
        if row.membership is not None:
            requests = list(row.membership.level_requests.all())
            row.pending_level = next((r for r in requests if r.status == ApplicationStatus.APPLYING), None)
            row.last_level_request = requests[0] if requests else None
            pending = row.pending_level is not None
        if by_type and program.kind == ProgramKind.SOLUTION_PROVIDER and not row.is_open:
            row.by_type = True
        if joinable(program) and not row.is_open:
            if facts is None:
                facts = account_facts(partner, in_plan=in_plan)
            row.join_refusals = refusals_to_join(partner, program, facts=facts, open_program_ids=open_ids)
        if row.joined:
            if enrolments is None:
                enrolments = enrolments_of(partner)
            row.membership.program = program
            row.next_level, row.level_refusals = level_refusals(
                partner, row.membership, levels=program.levels.all(), pending=pending, enrolments=enrolments)
        rows.append(row)
    return rows


def joinable_program(code) -> Program | None:
    """The programme 加入计划 applies for (open, applied for on this page), by its code; None otherwise."""
    program = Program.objects.filter(code=str(code or "")[:32], is_active=True).first()
    return program if program is not None and joinable(program) else None


def membership_of(actor, pk) -> Membership | None:
    return Membership.objects.select_related("program", "level").filter(partner=actor.partner, pk=pk).first()
