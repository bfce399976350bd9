"""Enterprise files: reading the CSV or Excel (.xlsx) table operators import into the directory (企业百科),
and writing rows back as CSV or Excel (the failure file). Which columns exist and what their cells mean is
decided by expansion.directory_import; this module only carries rows in and out of files.

- CSV is read as UTF-8 (with or without a byte-order mark) or, failing that, GB18030 (Excel in Chinese saves
  CSV as GBK) and written as UTF-8 with a byte-order mark, so Excel opens it as UTF-8.
- Excel: the first sheet; dates are read as dates, numbers as written (1, not 1.0). A workbook that is damaged
  anywhere (a part that is not XML, a cell naming a shared string that does not exist …), whether openpyxl
  finds it on opening the file or while reading the rows, is a FileError, never an exception of openpyxl's.
- `max_rows`: at most that many rows (and one more, so the caller sees there were too many) are read, so a
  huge file is not turned into a list whole before its size is refused.
- A text a spreadsheet would take for a formula (`= + - @`, a tab, a carriage return) is written as text: in
  CSV with a leading apostrophe, which the reader takes off again; in Excel as a text cell with the quote
  prefix.
"""

import csv
import io
from datetime import date, datetime
from decimal import Decimal
from itertools import islice

from django.utils.translation import gettext as _

__all__ = ["FileError", "read_rows", "write_csv", "write_xlsx", "is_xlsx"]

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class FileError(Exception):
    """The file as a whole cannot be read (neither CSV nor .xlsx, no header row …)."""


def is_xlsx(data: bytes, filename: str) -> bool:
    return (filename or "").lower().endswith(".xlsx") or data[:2] == b"PK"


def read_rows(data: bytes, filename: str, *, max_rows: int | None = None
              ) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """(header, [(line, cells)]) of a CSV or .xlsx file: the header's cells as written (stripped), every
    later row's cells as text, with the spreadsheet's line numbers (the header is line 1). Rows whose cells
    are all empty are left out. With `max_rows`, reading stops at max_rows + 1 rows (more than max_rows
    says the file is too long; the rest is never read)."""
    name = (filename or "").lower()
    if is_xlsx(data, filename):
        return _read_xlsx(data, max_rows)
    if name.endswith((".csv", ".txt")) or not name:
        return _read_csv(data, max_rows)
    raise FileError(_("Upload a .csv or .xlsx file."))


def _table(rows, max_rows, convert=lambda value: value):
    """(header, [(line, cells)]) from an iterator of rows (the first is the header): the non-empty rows as
    text (each cell through `convert` first), at most max_rows + 1 of them. Reading `rows` may raise; the caller
    says what that means."""
    first = next(rows, None)
    if first is None:
        raise FileError(_("The file has no header row."))
    header = [_text(cell) for cell in first]
    while header and not header[-1]:
        header.pop()
    if not header:
        raise FileError(_("The file has no header row."))
    texts = ((line, [_text(convert(value)) for value in cells]) for line, cells in enumerate(rows, start=2))
    kept = ((line, cells) for line, cells in texts if any(cells))
    if max_rows is not None:
        kept = islice(kept, max_rows + 1)
    return header, list(kept)


def _read_csv(data: bytes, max_rows=None):
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
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        return _table(reader, max_rows, _unquote)
    except csv.Error as exc:
        raise FileError(_("The CSV file cannot be read: %(error)s") % {"error": exc}) from None


def _unquote(cell: str) -> str:
    """A CSV cell the failure file protected against formula injection ('=… → =…)."""
    if cell.startswith("'") and cell[1:].startswith(_FORMULA_STARTS):
        return cell[1:]
    return cell


def _read_xlsx(data: bytes, max_rows=None):
    from openpyxl import load_workbook

    book = None
    try:
        # Anything may be wrong in a workbook (a zip that is not one, a part that is not XML, a shared string
        # or a style that does not exist, a number that is no date …) and openpyxl may notice it on opening
        # the file or on reading any row: each is the operator's file, to refuse, never a server error.
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        if not book.worksheets:
            raise FileError(_("The file has no header row."))
        return _table(book.worksheets[0].iter_rows(values_only=True), max_rows)
    except FileError:
        raise
    except Exception as exc:  # noqa: BLE001  (see above)
        raise FileError(_("The Excel file cannot be read: it is damaged or is not an .xlsx workbook. Save it "
                          "again as .xlsx (or as CSV) and upload it again. (%(error)s)")
                        % {"error": _error_text(exc)}) from None
    finally:
        if book is not None:
            book.close()


def _error_text(exc) -> str:
    text = " ".join(str(exc).split())[:200]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


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
