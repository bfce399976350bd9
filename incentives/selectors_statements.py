"""Reads of 激励明细, 业绩管理 and 激励对账, scoped to the actor. Reading needs `incentives.view`.

- **Details** (激励明细) are the partner's lines; a member (or key) without `customers.view_all` — an account
  manager — sees only the lines of associations its team manages (the association's account manager, as
  bills.selectors scopes consumption), so it never reads another manager's customers through its incentives.
- **Statements** (激励汇总) and **performance** (业绩管理: per-period totals) are the partner's own figures, as the
  partner bill is: whoever holds `incentives.view` reads all of them.

Another partner's statement or line is absent everywhere (None / no rows), exactly as a made-up id.
Lists are read in one statement per page (the joined names in the same statement); the count of a list is
capped (`CappedPaginator`: COUNT over LIMIT cap + 1), so a partner with millions of lines pays the same per page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from django.utils.functional import cached_property

from bills import periods
from partnercenter.money import ZERO

from .choices import IncentiveKind, StatementStatus
from .models import IncentiveDetail, IncentiveStatement

__all__ = ["VIEW", "HISTORY_MONTHS", "TREND_MONTHS", "COUNT_CAP", "can_view", "details_for", "with_display",
           "detail_totals", "statements_for", "statement_for", "cycle_choices", "latest_cycle", "trend_cycles", "PeriodTotals",
           "period_totals", "CappedPaginator", "paginate"]

VIEW = "incentives.view"
HISTORY_MONTHS = 18   # the periods a page offers, as bills keeps fee records readable
TREND_MONTHS = 12     # 业绩管理's chart and table
COUNT_CAP = 10_000    # rows a list counts (500 pages of 20): past it, narrow the filters

_DETAIL_DISPLAY = ("customer", "service_type")
_DETAIL_FIELDS = (
    "pk", "statement_id", "bill_cycle", "partner_id", "kind", "association_id", "association_type", "customer_id",
    "customer__domain_id", "customer__domain_name", "service_type_id", "service_type__code", "service_type__name",
    "service_type__name_en", "charging_mode", "incentive_policy", "fee_records", "consumption", "performance",
    "rate", "rebate",
)


def can_view(actor) -> bool:
    return actor.is_partner and actor.has_perm(VIEW)


def details_for(actor):
    """The detail lines the actor may read (see the module), newest period first. Filter by `bill_cycle`
    early: the index detail_partner_cycle serves a partner's period."""
    if not can_view(actor):
        return IncentiveDetail.objects.none()
    queryset = IncentiveDetail.objects.filter(partner_id=actor.partner.pk)
    if not actor.sees_all_customers:
        queryset = queryset.filter(association__account_manager_id__in=actor.team_member_ids)
    return queryset.order_by("-bill_cycle", "-id")


def with_display(queryset):
    """Lines with the customer and the service type joined (one statement per page)."""
    return queryset.select_related(*_DETAIL_DISPLAY).only(*_DETAIL_FIELDS)


def detail_totals(queryset) -> dict:
    """{lines, consumption, performance, rebate} of the filtered lines, in one statement."""
    totals = queryset.order_by().aggregate(
        lines=Count("pk"), consumption=Coalesce(Sum("consumption"), ZERO),
        performance=Coalesce(Sum("performance"), ZERO), rebate=Coalesce(Sum("rebate"), ZERO))
    return totals


def statements_for(actor):
    """The actor's partner's statements (激励汇总), newest period first."""
    if not can_view(actor):
        return IncentiveStatement.objects.none()
    return IncentiveStatement.objects.filter(partner_id=actor.partner.pk).order_by("-bill_cycle", "-id")


def statement_for(actor, pk) -> IncentiveStatement | None:
    """One of the actor's partner's statements (with its policy), or None."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    if not 0 < pk < 2 ** 63:
        return None
    return statements_for(actor).filter(pk=pk).select_related("policy", "confirmed_by", "disputed_by").first()


# ---------------------------------------------------------------------------------------------
# Periods and 业绩管理
# ---------------------------------------------------------------------------------------------

def cycle_choices(now=None, months: int = HISTORY_MONTHS) -> list[str]:
    """The periods the pages offer, newest first: the `months` months before the running one (a month earns
    incentives once it is closed and run, so the running month has none)."""
    cycle = periods.previous_cycle(periods.current_cycle(now))
    cycles = []
    for _i in range(months):
        cycles.append(cycle)
        cycle = periods.previous_cycle(cycle)
    return cycles


def latest_cycle(actor, choices) -> str:
    """The newest offered period in which the actor's partner has statements (the first of `choices`
    when it has none): where 激励明细 opens."""
    latest = statements_for(actor).filter(bill_cycle__in=list(choices)).values_list("bill_cycle", flat=True).first()
    return latest or choices[0]


def trend_cycles(last: str, months: int = TREND_MONTHS) -> list[str]:
    """`months` periods ending with `last`, oldest first."""
    cycles = [last]
    while len(cycles) < months:
        cycles.insert(0, periods.previous_cycle(cycles[0]))
    return cycles


@dataclass
class PeriodTotals:
    """One period of 业绩管理: the performance (业绩, of the base incentives' lines), the incentives by kind,
    their total and how much of it is final (已定稿, credited to the rebate account)."""

    cycle: str
    performance: Decimal = ZERO
    amounts: dict = field(default_factory=lambda: {kind: ZERO for kind in IncentiveKind.values})
    final: Decimal = ZERO
    statements: int = 0

    @property
    def total(self) -> Decimal:
        return sum(self.amounts.values(), ZERO)

    @property
    def by_kind(self) -> list[Decimal]:
        return [self.amounts[kind] for kind in IncentiveKind.values]


def period_totals(actor, cycles) -> list[PeriodTotals]:
    """The totals of each of `cycles` (in their order), from the partner's statements in one statement.
    Performance is the BASE statements' (a tier's is the same figure again, a first order's a part of it)."""
    totals = {cycle: PeriodTotals(cycle) for cycle in cycles}
    rows = statements_for(actor).filter(bill_cycle__in=list(cycles)).order_by().values("bill_cycle", "kind").annotate(
        sum_performance=Coalesce(Sum("performance"), ZERO), sum_amount=Coalesce(Sum("amount"), ZERO),
        sum_final=Coalesce(Sum("amount", filter=Q(status=StatementStatus.FINAL)), ZERO), count=Count("pk"))
    for row in rows:
        period = totals[row["bill_cycle"]]
        if row["kind"] == IncentiveKind.BASE:
            period.performance += row["sum_performance"]
        period.amounts[row["kind"]] = period.amounts.get(row["kind"], ZERO) + row["sum_amount"]
        period.final += row["sum_final"]
        period.statements += row["count"]
    return [totals[cycle] for cycle in cycles]


# ---------------------------------------------------------------------------------------------
# Paging
# ---------------------------------------------------------------------------------------------

class CappedPaginator(Paginator):
    """Counts at most `cap` rows (`COUNT(*)` over `LIMIT cap + 1`; `capped` says there were more): pages past
    the cap do not exist."""

    cap = COUNT_CAP
    capped = False

    @cached_property
    def count(self):
        counted = self.object_list.order_by()[:self.cap + 1].count()
        self.capped = counted > self.cap
        return min(counted, self.cap)


def paginate(request, queryset, per_page=20):
    return CappedPaginator(queryset, per_page).get_page(request.GET.get("page"))
