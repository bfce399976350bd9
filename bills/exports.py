"""Exports of the partner's bill pages: 伙伴账单 as an Excel workbook of several sheets (the bill, its
breakdowns, the top customers) and 客户消费 as Excel or CSV — the same numbers as the pages, built the way
partnercenter/exports.py builds every export: amounts are numbers (two decimals, the column says CNY), a
text that a spreadsheet could run as a formula stays text, and every export is logged (who took which
data out, with which filters)."""

from decimal import Decimal
from io import BytesIO

from django.http import HttpResponse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook

from partnercenter.exports import AMOUNT_FORMAT, EXPORT_LIMIT, csv_response, is_formula_like
from partnercenter.oplog import operation, register_actions
from partnercenter.templatetags.display import CHINA

__all__ = ["EXPORT_LIMIT", "workbook_response", "csv_response", "EXPORT_BILL", "EXPORT_CONSUMPTION"]

EXPORT_BILL = "bills.export_partner_bill"
EXPORT_CONSUMPTION = "bills.export_consumption"

register_actions({
    EXPORT_BILL: _("Export partner bill"),
    EXPORT_CONSUMPTION: _("Export customer consumption"),
})

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _plain(value):
    """A lazily translated label as its text; anything else as it is."""
    return str(value) if isinstance(value, Promise) else value


def _log(request, action, detail):
    filters = {key: value for key, value in request.GET.items() if value}
    with operation(request.actor, action, detail={**detail, "filters": filters}):
        pass


def _attachment(response, name, extension):
    day = timezone.localdate(timezone=CHINA)
    response["Content-Disposition"] = f'attachment; filename="{name}-{day:%Y%m%d}.{extension}"'
    return response


def workbook_response(request, *, action: str, name: str, sheets) -> HttpResponse:
    """`sheets` is a list of (title, header, rows); rows are lists (the caller limits them to EXPORT_LIMIT)."""
    book = Workbook()
    book.remove(book.active)
    count = 0
    for title, header, rows in sheets:
        sheet = book.create_sheet(str(title)[:31])
        sheet.append([str(label) for label in header])
        for row in rows:
            sheet.append([_plain(value) for value in row])
            count += 1
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, Decimal):
                    cell.number_format = AMOUNT_FORMAT
                elif is_formula_like(cell.value):
                    cell.data_type = "s"  # openpyxl took it for a formula; store the text as text
                    cell.quotePrefix = True
    _log(request, action, {"count": count})
    buffer = BytesIO()
    book.save(buffer)
    return _attachment(HttpResponse(buffer.getvalue(), content_type=XLSX), name, "xlsx")
