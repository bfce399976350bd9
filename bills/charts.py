"""Charts drawn on the server as SVG (pygal), with no script and nothing from a CDN, and the numbers behind
each chart as a table (templates/bills/_chart.html shows both: the table under a <details>).

Labels are translated by the caller; the font list puts a CJK font first so zh-hans renders.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from decimal import Decimal

import pygal
from django.utils.safestring import SafeString, mark_safe
from pygal.style import Style

__all__ = ["Chart", "bar_chart", "line_chart", "horizontal_bar_chart"]

# pygal always writes an inline <script> with its configuration for its JavaScript, which we do not serve:
# the chart is static SVG, and the page runs no script it did not ship.
_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.DOTALL)

_STYLE = Style(
    background="transparent", plot_background="transparent", foreground="#252b3a", foreground_strong="#252b3a",
    foreground_subtle="#8a8e99", opacity=".85", opacity_hover=".95", transition="0ms",
    colors=("#5e7ce0", "#50d4ab", "#fac20a", "#f66f6a", "#beccfa", "#a6dd82", "#fa9841", "#3ac295"),
    font_family='"WenQuanYi Micro Hei", "Microsoft YaHei", "PingFang SC", sans-serif',
    label_font_size=11, major_label_font_size=11, legend_font_size=12, title_font_size=14, value_font_size=10,
)


@dataclass
class Chart:
    """An SVG chart and its data: `labels` along one axis, one list of values per series."""

    title: str
    labels: list[str]
    series: list[tuple[str, list[Decimal]]] = field(default_factory=list)
    svg: SafeString = mark_safe("")

    @property
    def rows(self) -> list[tuple[str, list[Decimal]]]:
        """The table under the chart: one row per label, one column per series."""
        return [(label, [values[i] for _, values in self.series]) for i, label in enumerate(self.labels)]

    @property
    def is_empty(self) -> bool:
        return not self.labels or all(not any(values) for _, values in self.series)


def _step(span: float, ticks: int = 5) -> float:
    """A round tick step (1, 2, 2.5 or 5 times a power of ten) that covers `span` in about `ticks` steps."""
    raw = span / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    return next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)


def _value_axis(chart: Chart, stacked: bool) -> dict:
    """The value axis from 0 (or the lowest value) to a round number at or above the tallest bar: pygal's own
    scale may stop below it, leaving the top of the tallest bar unlabelled."""
    columns = list(zip(*(values for _, values in chart.series)))
    if stacked:
        highs = [sum(v for v in column if v > 0) for column in columns]
        lows = [sum(v for v in column if v < 0) for column in columns]
    else:
        highs = lows = [v for column in columns for v in column]
    high, low = float(max(0, *highs)), float(min(0, *lows))
    step = _step(high - low)
    top, bottom = math.ceil(high / step) * step, math.floor(low / step) * step
    labels = [bottom + i * step for i in range(round((top - bottom) / step) + 1)]
    return {"range": (bottom, top), "y_labels": labels}


def _render(chart_class, title, labels, series, *, height=320, stacked=False, **options) -> Chart:
    chart = Chart(title=title, labels=list(labels), series=[(name, list(values)) for name, values in series])
    if chart.is_empty:
        return chart
    options.update(_value_axis(chart, stacked))
    graph = chart_class(
        style=_STYLE, height=height, width=800, js=(), disable_xml_declaration=True, explicit_size=False,
        show_legend=len(chart.series) > 1, legend_at_bottom=True, print_values=False, margin=12,
        value_formatter=lambda value: f"{value:,.2f}", x_label_rotation=0 if len(chart.labels) <= 8 else 30,
        truncate_label=24, **options,
    )
    drawn = slice(None, None, -1 if chart_class is pygal.HorizontalBar else None)
    graph.x_labels = chart.labels[drawn]  # pygal's horizontal bars go up from the first: the first drawn on top
    for name, values in chart.series:
        graph.add(name, [float(v) for v in values[drawn]])
    chart.svg = mark_safe(_SCRIPT.sub("", graph.render(is_unicode=True)))
    return chart


def bar_chart(title, labels, series, *, stacked=False) -> Chart:
    return _render(pygal.StackedBar if stacked else pygal.Bar, title, labels, series, stacked=stacked)


def line_chart(title, labels, series) -> Chart:
    return _render(pygal.Line, title, labels, series, dots_size=3, fill=False)


def horizontal_bar_chart(title, labels, series) -> Chart:
    return _render(pygal.HorizontalBar, title, labels, series, height=max(200, 40 + 28 * len(labels)))
