"""业绩管理's charts: the last 12 periods' performance, and their incentives by kind — static SVG drawn on the
server the way bills/charts.py draws every chart (no script, nothing from a CDN), each with the numbers behind
it as a table (templates/bills/_chart.html; the page also shows the whole table)."""

from django.utils.translation import gettext as _

from bills import charts

from .choices import IncentiveKind

__all__ = ["performance_chart", "incentives_chart"]


def performance_chart(totals) -> charts.Chart:
    """Performance (业绩) per period, `totals` being selectors_statements.period_totals()."""
    return charts.bar_chart(_("Performance over the last 12 months (CNY)"), [t.cycle for t in totals],
                            [(_("Performance"), [t.performance for t in totals])])


def incentives_chart(totals) -> charts.Chart:
    """The incentives per period, stacked by kind (base, tier, new customer's first order)."""
    return charts.bar_chart(_("Incentives over the last 12 months (CNY)"), [t.cycle for t in totals],
                            [(str(label), [t.amounts[kind] for t in totals]) for kind, label in IncentiveKind.choices],
                            stacked=True)
