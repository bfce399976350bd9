"""Enterprise files: reading the CSV or Excel (.xlsx) table operators import into the directory (企业百科),
and writing rows back as CSV or Excel (the failure file). Which columns exist and what their cells mean is
decided by expansion.directory_import; this module only carries rows in and out of files.

- CSV is read as UTF-8 (with or without a byte-order mark) or, failing that, GB18030 (Excel in Chinese saves
  CSV as GBK) and written as UTF-8 with a byte-order mark, so Excel opens it as UTF-8.
- Excel: the first sheet; dates are read as dates, numbers as written (1, not 1.0).
- A text a spreadsheet would take for a formula (`= + - @`, a tab, a carriage return) is written as text: in
  CSV with a leading apostrophe, which the reader takes off again; in Excel as a text cell with the quote
  prefix.
"""

import csv
import io
import zipfile
from datetime import date, datetime
from decimal import Decimal

from django.utils.translation import gettext as _

__all__ = ["FileError", "read_rows", "write_csv", "write_xlsx", "is_xlsx"]

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class FileError(Exception):
    """The file as a whole cannot be read (neither CSV nor .xlsx, no header row …)."""


def is_xlsx(data: bytes, filename: str) -> bool:
    return (filename or "").lower().endswith(".xlsx") or data[:2] == b"PK"


def read_rows(data: bytes, filename: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """(header, [(line, cells)]) of a CSV or .xlsx file: the header's cells as written (stripped), every
    later row's cells as text, with the spreadsheet's line numbers (the header is line 1). Rows whose cells
    are all empty are left out."""
    name = (filename or "").lower()
    if is_xlsx(data, filename):
        header, rows = _read_xlsx(data)
    elif name.endswith((".csv", ".txt")) or not name:
        header, rows = _read_csv(data)
    else:
        raise FileError(_("Upload a .csv or .xlsx file."))
    header = [_text(cell) for cell in header]
    while header and not header[-1]:
        header.pop()
    if not header:
        raise FileError(_("The file has no header row."))
    return header, [(line, cells) for line, cells in ((line, [_text(c) for c in cells]) for line, cells in rows)
                    if any(cells)]


def _read_csv(data: bytes):
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise FileError(_("The CSV file is neither UTF-8 nor GBK text."))
    if "\x00" in text:
        raise FileError(_("The CSV file cannot be read: it holds NUL characters."))
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise FileError(_("The CSV file cannot be read: %(error)s") % {"error": exc}) from None
    if not rows:
        raise FileError(_("The file has no header row."))
    return rows[0], [(line, [_unquote(cell) for cell in cells]) for line, cells in enumerate(rows[1:], start=2)]


def _unquote(cell: str) -> str:
    """A CSV cell the failure file protected against formula injection ('=… → =…)."""
    if cell.startswith("'") and cell[1:].startswith(_FORMULA_STARTS):
        return cell[1:]
    return cell


def _read_xlsx(data: bytes):
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        raise FileError(_("The Excel file cannot be read: %(error)s") % {"error": exc}) from None
    try:
        if not book.worksheets:
            raise FileError(_("The file has no header row."))
        rows = [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]
    finally:
        book.close()
    if not rows:
        raise FileError(_("The file has no header row."))
    return rows[0], list(enumerate(rows[1:], start=2))


def _text(value) -> str:
    """A cell as text: numbers as written (1, not 1.0), dates as YYYY-MM-DD."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return format(Decimal(repr(value)), "f")
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value).strip()


def write_csv(header: list[str], rows: list[list[str]]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["'" + cell if str(cell).startswith(_FORMULA_STARTS) else cell for cell in row])
    return buffer.getvalue().encode("utf-8-sig")


def write_xlsx(header: list[str], rows: list[list[str]], *, title="enterprises") -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    book = Workbook()
    sheet = book.active
    sheet.title = str(title)[:31]
    sheet.append(list(header))
    for row in rows:
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", str(cell)) for cell in row])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith(_FORMULA_STARTS):
                cell.data_type = "s"
                cell.quotePrefix = True
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
