"""Excel exports of list pages: one builder, one row limit, and every export is logged (who took
which data out, with which filters).

Amounts are numbers (two decimals, no currency sign: the column says CNY) so a spreadsheet can sum them;
times are China's (Asia/Shanghai), as on the pages, whatever time zone is active.

Exports are data, not code: a text that begins with `= + - @`, a tab or a carriage return (a customer
name `=HYPERLINK(…)`, a coupon remark) would become a live formula in a spreadsheet. Every such cell is
written as a text cell with Excel's quote prefix, so it shows exactly what was typed and stays text even
when someone edits it.
"""

import csv
import re
from decimal import Decimal
from io import BytesIO, StringIO

from django.http import HttpResponse
from django.utils import timezone
from django.utils.functional import Promise
from openpyxl import Workbook

from .oplog import operation
from .templatetags.display import CHINA

__all__ = ["EXPORT_LIMIT", "local_time", "xlsx_response", "is_formula_like"]

EXPORT_LIMIT = 10_000  # rows in one export; narrow the filters for more


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value) -> bool:
    """A text a spreadsheet could read as a formula (OWASP's CSV-injection list)."""
    return isinstance(value, str) and value.startswith(_FORMULA_STARTS)


AMOUNT_FORMAT = "#,##0.00"


def local_time(value) -> str:
    return timezone.localtime(value, CHINA).strftime("%Y-%m-%d %H:%M:%S") if value else ""


def xlsx_response(request, *, action: str, name: str, title, header, rows) -> HttpResponse:
    """`rows` is an iterable of lists (the caller slices its queryset to EXPORT_LIMIT)."""
    book = Workbook()
    sheet = book.active
    sheet.title = str(title)[:31]
    sheet.append([str(label) for label in header])
    count = 0
    for row in rows:
        sheet.append(row)
        count += 1
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, Decimal):
                cell.number_format = AMOUNT_FORMAT
            elif is_formula_like(cell.value):
                cell.data_type = "s"  # openpyxl took it for a formula; store the text as text
                cell.quotePrefix = True
    filters = {key: value for key, value in request.GET.items() if value}
    with operation(request.actor, action, detail={"count": count, "filters": filters}):
        pass
    buffer = BytesIO()
    book.save(buffer)
    response = HttpResponse(buffer.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{_file_name(name)}-{timezone.localdate(timezone=CHINA):%Y%m%d}.xlsx"'
    return response


def _file_name(name: str) -> str:
    """A download's name as a header can carry it: letters, digits, '.', '_' and '-' only (a name built from a
    query parameter cannot end the quoted filename or break the header)."""
    return re.sub(r"[^0-9A-Za-z._-]+", "_", str(name))[:100] or "export"


def _csv_cell(value):
    if isinstance(value, Promise):  # a lazily translated label
        value = str(value)
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if is_formula_like(value):  # a spreadsheet would run it: keep it text, as the Excel exports do
        return "'" + value
    return "" if value is None else value


def csv_response(request, *, action: str, name: str, header, rows, detail=None) -> HttpResponse:
    """`rows` as CSV (UTF-8 with a byte-order mark, so a spreadsheet reads the Chinese names), logged like
    `xlsx_response` (with `detail` added to the log row)."""
    buffer = StringIO()
    writer = csv.writer(buffer)
    writer.writerow([str(label) for label in header])
    count = 0
    for row in rows:
        writer.writerow([_csv_cell(value) for value in row])
        count += 1
    filters = {key: value for key, value in request.GET.items() if value}
    with operation(request.actor, action, detail={**(detail or {}), "count": count, "filters": filters,
                                                  "format": "csv"}):
        pass
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_file_name(name)}-{timezone.localdate(timezone=CHINA):%Y%m%d}.csv"'
    return response
