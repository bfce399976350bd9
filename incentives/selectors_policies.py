"""What the 激励政策 page and GET /v2/products/incentive-discount-policies read: the policies that apply to the
partner in a month (incentives/policies.py's rule), each with its service-type rules and tiers, in a fixed
number of queries whatever the number of rules or service types.

The endpoint answers per catalogue service type with its policy code under the caller's policy for the month.
A partner has up to two policies a month (referral and resale); the endpoint has one code per service type, so
when both apply **the resale one decides** (代售: the partner sells the service itself, the case the endpoint's
discount flag is about), else the one that applies; with no policy at all every service type is 2 无业绩无返点
(nothing earns). `allow_discount` is the catalogue's partner-discount flag (catalog.ServiceType.allow_discount)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from catalog.models import ServiceType
from customers.choices import AssociationType

from .choices import PolicyCode
from .models import IncentivePolicy, PolicyTier
from .policies import ServiceRule, policies_for, rule_for, rules_of

__all__ = ["PolicySection", "RuleRow", "sections_for", "month_choices", "api_service_types", "api_codes",
           "percent"]


def percent(rate) -> str:
    """0.0350 → '3.5%'."""
    value = (Decimal(rate) * 100).quantize(Decimal("0.01")).normalize()
    return f"{value:f}%"


@dataclass
class RuleRow:
    service_type: ServiceType
    rule: ServiceRule

    @property
    def code_label(self):
        return PolicyCode(self.rule.code).label

    @property
    def period_rate(self) -> str:
        return percent(self.rule.period_rate) if self.rule.earns_rebate else "—"

    @property
    def on_demand_rate(self) -> str:
        return percent(self.rule.on_demand_rate) if self.rule.earns_rebate else "—"


@dataclass
class PolicySection:
    """One association type's policy of the month, as the page shows it (policy None: none applies)."""

    association_type: str
    label: str
    policy: IncentivePolicy | None
    rules: list[RuleRow] = field(default_factory=list)
    tiers: list[tuple[Decimal, str]] = field(default_factory=list)

    @property
    def period_rate(self) -> str:
        return percent(self.policy.period_rate)

    @property
    def on_demand_rate(self) -> str:
        return percent(self.policy.on_demand_rate)

    @property
    def first_order_rate(self) -> str | None:
        return percent(self.policy.first_order_rate) if self.policy.first_order_rate > 0 else None


def sections_for(partner, month: date, search: str = "") -> list[PolicySection]:
    """Referral then resale: the policy that applies in `month`, its rules (service types by code; those matching
    `search` when given) and its tiers (at most 5 queries)."""
    applied = policies_for(partner, month)
    chosen = [policy for policy in applied.values() if policy is not None]
    rules = rules_of(chosen, search)
    service_ids = {service_id for by_service in rules.values() for service_id in by_service}
    services = ServiceType.objects.in_bulk(service_ids) if service_ids else {}
    tiers = {}
    for tier in PolicyTier.objects.filter(policy__in=chosen).order_by("policy_id", "min_performance"):
        tiers.setdefault(tier.policy_id, []).append((tier.min_performance, percent(tier.extra_rate)))
    sections = []
    for value, label in AssociationType.choices:
        policy = applied.get(value)
        section = PolicySection(value, label, policy)
        if policy is not None:
            section.rules = sorted(
                (RuleRow(services[service_id], rule_for(policy, rule))
                 for service_id, rule in rules[policy.pk].items()), key=lambda row: row.service_type.code)
            section.tiers = tiers.get(policy.pk, [])
        sections.append(section)
    return sections


def month_choices(current: date, back: int = 12, ahead: int = 3) -> list[str]:
    """'YYYY-MM' from `ahead` months after `current` back to `back` months before it, newest first."""
    months, year, month = [], current.year, current.month
    index = year * 12 + month - 1 + ahead
    for step in range(back + ahead + 1):
        y, m = divmod(index - step, 12)
        months.append(f"{y:04d}-{m + 1:02d}")
    return months


def api_service_types(service_type_code):
    """The catalogue's service types the endpoint lists, by code: all of them, or those whose code is
    `service_type_code` (an empty string is a filter too, and matches none)."""
    queryset = ServiceType.objects.order_by("code", "id")
    if service_type_code is not None:
        queryset = queryset.filter(code=service_type_code)
    return queryset


def api_codes(partner, month: date) -> tuple[dict[int, int], int]:
    """({service type id: policy code} for the service types with a rule, the code of every other one) under
    the policy that decides for `partner` in `month` (see the module docstring) — 3 queries."""
    applied = policies_for(partner, month)
    deciding = applied.get(AssociationType.RESALE) or applied.get(AssociationType.REFERRAL)
    if deciding is None:
        return {}, int(PolicyCode.NO_PERFORMANCE)
    rules = rules_of([deciding])[deciding.pk]
    return {service_id: int(rule.incentive_policy) for service_id, rule in rules.items()}, int(PolicyCode.NON_SPECIFIC)
