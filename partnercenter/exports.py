"""Excel exports of list pages: one builder, one row limit, and every export is logged (who took
which data out, with which filters)."""

from io import BytesIO

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook

from .oplog import operation

__all__ = ["EXPORT_LIMIT", "local_time", "xlsx_response"]

EXPORT_LIMIT = 10_000  # rows in one export; narrow the filters for more


def local_time(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S") if value else ""


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
    filters = {key: value for key, value in request.GET.items() if value}
    with operation(request.actor, action, detail={"count": count, "filters": filters}):
        pass
    buffer = BytesIO()
    book.save(buffer)
    response = HttpResponse(buffer.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{name}-{timezone.localdate():%Y%m%d}.xlsx"'
    return response
