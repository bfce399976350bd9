"""Incentive policies (激励政策): which policy applies to a partner in a month, what each service type earns under
it, and what an operator's change to a policy sets in motion.

**Which policy applies.** For a partner, a month and an association type (推荐 referral / 代售 resale): the
active policy of that association type in force that month (`valid_from` ≤ month ≤ `valid_until`, or no end)
whose programme the partner held in that month (`held_in`: a programs.Membership joined — decided — before the
month's end and not left before its start: JOINED, or LEFT at or after the month's first moment; a re-run of an
old month does not pay a programme joined later, and still pays one left since — programs/leaving.py); if
several programmes' policies qualify, the one of the lowest programme (kind, code) order; if none, the general
policy (programme empty).
At most one policy applies per partner, month and association type: the admin refuses two active policies of
the same programme (or two general ones) and association type whose months overlap. The run (incentives/
run_sql.py) applies the same rule in SQL; `policy_for` here is the rule in Python for the pages and the API.

**What a service type earns** (`rule_for`): no rule → 非特定产品 (code 0) at the policy's general rates; code 1
特定产品 → the rule's rates; code 2 无业绩无返点 → nothing at all (no detail line); code 13 有业绩无返点 →
performance counts, rate 0. Rates are per charging mode: yearly/monthly (catalog ChargeMode 1) and
pay-per-use (3).

**A change** (`policy_changed`): saving or deleting a policy marks the IncentiveRun of every closed month in its
validity — before and after the change — STALE; the next `run_incentives` replaces those months' drafts
(待对账 and 有异议 statements) and never touches confirmed or final ones (incentives/run.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bills import periods
from bills.choices import PeriodStatus
from bills.models import BillingPeriod
from catalog.choices import ChargeMode
from customers.choices import AssociationType
from partnercenter.errors import DomainError
from partnercenter.oplog import operation, register_actions
from programs.choices import MembershipStatus
from programs.models import Membership

from .choices import EARNING_CODES, REBATE_CODES, PolicyCode, RunStatus
from .errors_policies import PolicyCodes
from .models import IncentivePolicy, IncentiveRun, PolicyServiceRule

__all__ = ["ServiceRule", "parse_month", "month_of_cycle", "cycle_of_month", "in_force", "policy_for",
           "policies_for", "held_in", "rule_for", "rules_of", "overlapping", "closed_cycles_between", "mark_stale",
           "policy_changed", "current_month", "ACTION_LABELS"]

ACTION_LABELS = {"incentives.policy_changed": _("Change incentive policy")}
register_actions(ACTION_LABELS)

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
ZERO = Decimal("0")


@dataclass(frozen=True)
class ServiceRule:
    """What one service type earns under a policy: its code and the rates per charging mode."""

    code: int
    period_rate: Decimal
    on_demand_rate: Decimal
    explicit: bool  # a PolicyServiceRule says so (else: 非特定产品 by default)

    @property
    def earns_performance(self) -> bool:
        return self.code in EARNING_CODES

    @property
    def earns_rebate(self) -> bool:
        return self.code in REBATE_CODES

    def rate(self, charging_mode) -> Decimal:
        return self.period_rate if int(charging_mode) == ChargeMode.PERIOD else self.on_demand_rate


# ---------------------------------------------------------------------------------------------
# Months
# ---------------------------------------------------------------------------------------------

def parse_month(text) -> date:
    """'2026-03' → date(2026, 3, 1); DomainError(MONTH_INVALID) for anything else."""
    match = _MONTH.match(str(text or "").strip())
    if not match or int(match.group(1)) < 1:   # year 0000 matches the pattern but is no date
        raise DomainError(PolicyCodes.MONTH_INVALID)
    return date(int(match.group(1)), int(match.group(2)), 1)


def month_of_cycle(cycle: str) -> date:
    return parse_month(cycle)


def cycle_of_month(month: date) -> str:
    return month.strftime("%Y-%m")


def in_force(month: date) -> Q:
    """The active policies in force in `month` (its first day)."""
    month = month.replace(day=1)
    return Q(is_active=True, valid_from__lte=month) & (Q(valid_until__isnull=True) | Q(valid_until__gte=month))


# ---------------------------------------------------------------------------------------------
# Which policy applies
# ---------------------------------------------------------------------------------------------

def _order(policy: IncentivePolicy):
    program = policy.program
    return (0, program.kind, program.code, policy.code) if program is not None else (1, "", "", policy.code)


def held_in(month: date) -> Q:
    """The memberships held in `month`: JOINED, or LEFT at or after the month's start (00:00 Asia/Shanghai of its
    first day), and decided (joined) before the month's end, 00:00 of the next month's first day (a row without a
    decision time: its application time). run_sql._policy_map is the same rule in SQL."""
    first = month.replace(day=1)
    start = datetime.combine(first, time.min, tzinfo=periods.SHANGHAI)
    held = Q(status=MembershipStatus.JOINED) | Q(status=MembershipStatus.LEFT, left_at__gte=start)
    if first >= date(9999, 12, 1):     # no month after it to end it
        return held
    end = datetime.combine((first + timedelta(days=31)).replace(day=1), time.min, tzinfo=periods.SHANGHAI)
    return held & (Q(decided_at__lt=end) | Q(decided_at__isnull=True, applied_at__lt=end))


def policies_for(partner, month: date) -> dict[str, IncentivePolicy | None]:
    """{association type: the policy that applies to `partner` in `month`, or None} — two queries."""
    joined = set(Membership.objects.filter(held_in(month), partner=partner).values_list("program_id", flat=True))
    candidates = (IncentivePolicy.objects.filter(in_force(month))
                  .filter(Q(program__isnull=True) | Q(program_id__in=joined)).select_related("program"))
    found = {value: None for value in AssociationType.values}
    for policy in sorted(candidates, key=_order):
        if found.get(policy.association_type) is None:
            found[policy.association_type] = policy
    return found


def policy_for(partner, month: date, association_type: str) -> IncentivePolicy | None:
    return policies_for(partner, month).get(association_type)


def rules_of(policies, search: str = "") -> dict[int, dict[int, PolicyServiceRule]]:
    """{policy id: {service type id: rule}} for the given policies (only service types whose code or name
    contains `search`, when given), in one query."""
    ids = [policy.pk for policy in policies if policy is not None]
    found = {pk: {} for pk in ids}
    queryset = PolicyServiceRule.objects.filter(policy_id__in=ids)
    if search:
        queryset = queryset.filter(Q(service_type__code__icontains=search) | Q(service_type__name__icontains=search)
                                   | Q(service_type__name_en__icontains=search))
    for rule in queryset:
        found[rule.policy_id][rule.service_type_id] = rule
    return found


def rule_for(policy: IncentivePolicy, rule: PolicyServiceRule | None) -> ServiceRule:
    """What a service type earns under `policy`, given its rule (None: no rule → 非特定产品)."""
    if rule is None or rule.incentive_policy == PolicyCode.NON_SPECIFIC:
        return ServiceRule(PolicyCode.NON_SPECIFIC, policy.period_rate, policy.on_demand_rate, rule is not None)
    if rule.incentive_policy == PolicyCode.SPECIFIC:
        return ServiceRule(PolicyCode.SPECIFIC, rule.period_rate, rule.on_demand_rate, True)
    return ServiceRule(int(rule.incentive_policy), ZERO, ZERO, True)


# ---------------------------------------------------------------------------------------------
# Operators' changes
# ---------------------------------------------------------------------------------------------

def overlapping(*, program, association_type, valid_from: date, valid_until: date | None, exclude=None):
    """Active policies of the same programme (or general ones) and association type whose months overlap."""
    queryset = IncentivePolicy.objects.filter(is_active=True, association_type=association_type)
    queryset = queryset.filter(program__isnull=True) if program is None else queryset.filter(program=program)
    queryset = queryset.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=valid_from))
    if valid_until is not None:
        queryset = queryset.filter(valid_from__lte=valid_until)
    if exclude is not None:
        queryset = queryset.exclude(pk=exclude)
    return queryset


def closed_cycles_between(valid_from: date, valid_until: date | None) -> list[str]:
    """The closed billing cycles in [valid_from, valid_until] (no end: every later closed one)."""
    queryset = BillingPeriod.objects.filter(status=PeriodStatus.CLOSED, bill_cycle__gte=cycle_of_month(valid_from))
    if valid_until is not None:
        queryset = queryset.filter(bill_cycle__lte=cycle_of_month(valid_until))
    return sorted(queryset.values_list("bill_cycle", flat=True))


def mark_stale(cycles) -> int:
    """The runs of these (closed) months are to be done again. A month never run gets its run row now, STALE:
    a first run of the month going on meanwhile holds that row chunk by chunk (run.run_month), so it either
    finishes before the correction and is run again, or sees STALE at its next chunk and starts over — it
    cannot end DONE on the policy as it was."""
    cycles = list(cycles)
    have = set(IncentiveRun.objects.filter(bill_cycle__in=cycles).values_list("bill_cycle", flat=True))
    IncentiveRun.objects.bulk_create([IncentiveRun(bill_cycle=cycle, status=RunStatus.STALE)
                                      for cycle in cycles if cycle not in have], ignore_conflicts=True)
    return IncentiveRun.objects.filter(bill_cycle__in=cycles).exclude(status=RunStatus.STALE).update(
        status=RunStatus.STALE) + len(set(cycles) - have)


def policy_changed(actor, policy: IncentivePolicy, *, before: tuple[date, date | None] | None = None,
                   deleted: bool = False) -> list[str]:
    """An operator saved (or deleted) `policy`: the closed months of its validity before and after the change
    are to be run again. Logged. Returns the months marked."""
    spans = [(policy.valid_from, policy.valid_until)] + ([before] if before else [])
    cycles = sorted({cycle for start, end in spans if start for cycle in closed_cycles_between(start, end)})
    with operation(actor, "incentives.policy_changed", target=policy,
                   detail={"policy": policy.code, "deleted": deleted, "stale_cycles": cycles}):
        mark_stale(cycles)
    return cycles


def current_month() -> date:
    return month_of_cycle(periods.current_cycle())
