"""bills.charts: the value axis reaches a round number at or above the tallest (stacked) bar, and the table
under a chart shows amounts as money, with thousands separators in every language."""

import re
from decimal import Decimal

from django.template.loader import render_to_string
from django.utils import translation

from bills import charts


def axis_labels(chart) -> list[float]:
    return [float(t.replace(",", "")) for t in re.findall(r'<text[^>]*>(-?[0-9,]+\.[0-9]{2})</text>', chart.svg)]


def test_the_axis_of_a_stacked_chart_reaches_above_the_tallest_stack():
    chart = charts.bar_chart("t", ["2026-01", "2026-02"], [("a", [Decimal("1234.50"), Decimal("80")]),
                                                           ("b", [Decimal("300"), Decimal("0")])], stacked=True)
    labels = axis_labels(chart)
    assert labels[0] == 0 and labels[-1] == 2000 >= 1534.50  # the stack, not its tallest part


def test_negative_values_get_an_axis_below_zero_and_a_horizontal_chart_its_round_top():
    assert axis_labels(charts.line_chart("t", ["a", "b"], [("x", [Decimal("-5"), Decimal("33")])]))[::5] == [-10, 40]
    assert axis_labels(charts.horizontal_bar_chart("t", ["a", "b"], [("x", [Decimal("97"), Decimal("3")])]))[-1] == 100


def test_the_numbers_under_a_chart_have_thousands_separators_in_chinese_too():
    chart = charts.bar_chart("t", ["2026-01"], [("a", [Decimal("1234567.5")])])
    with translation.override("zh-hans"):
        html = render_to_string("bills/_chart.html", {"chart": chart})
    assert '<td class="num">1,234,567.50</td>' in html


def test_a_horizontal_chart_draws_its_first_label_on_top_and_its_table_keeps_the_order():
    chart = charts.horizontal_bar_chart("top", ["first", "second", "third"],
                                        [("x", [Decimal("30"), Decimal("20"), Decimal("10")])])
    heights = {name: float(y) for y, name in re.findall(r'<text[^>]*\by="([0-9.]+)"[^>]*>(first|second|third)</text>',
                                                        chart.svg)}
    assert heights["first"] < heights["second"] < heights["third"], heights  # SVG's y grows downwards
    assert [label for label, _values in chart.rows] == ["first", "second", "third"]
