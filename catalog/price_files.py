"""Price-list files: reading a CSV or Excel (.xlsx) table into rows of text, and writing rows back as
CSV or Excel. The columns and what they mean are described in catalog.importing, which checks and imports
the rows; this module only carries them in and out of files.

CSV is read as UTF-8 (with or without a byte-order mark) or, failing that, GBK (Excel in Chinese saves
CSV so) and written as UTF-8 with a byte-order mark. A text that a spreadsheet would take for a formula
(`= + - @`, a tab, a carriage return) is written as text: in CSV with a leading apostrophe, which the
reader takes off again; in Excel as a text cell with the quote prefix.
"""

import csv
import io
import zipfile
from decimal import Decimal

from django.utils.translation import gettext as _

__all__ = ["COLUMNS", "REQUIRED_COLUMNS", "MAX_ROWS", "PriceListError", "read_table", "write_csv", "write_xlsx"]

COLUMNS = [
    "service_type_code", "resource_type_code", "resource_spec", "spec_name", "spec_name_en", "region_code",
    "charge_mode", "period_type", "price", "is_linear", "size_measure_id", "min_size", "max_size",
    "usage_type_code", "usage_measure_id", "is_package", "package_quota", "package_reset", "is_marketplace",
    "is_stored_card", "is_active", "product_id",
]
REQUIRED_COLUMNS = ["service_type_code", "resource_type_code", "resource_spec", "region_code", "charge_mode", "price"]
MAX_ROWS = 20_000
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class PriceListError(Exception):
    """The file as a whole cannot be read (not CSV or .xlsx, no header, a required column missing …)."""


# -------------------------------------------------------------------------------------------------
# Reading a file
# -------------------------------------------------------------------------------------------------

def read_table(data: bytes, filename: str) -> list[tuple[int, dict]]:
    """(line, {column: text}) of every non-empty row of a CSV or .xlsx file; PriceListError when the
    file cannot be read or its header lacks a required column or names an unknown one."""
    name = (filename or "").lower()
    if name.endswith(".xlsx") or data[:2] == b"PK":
        header, rows = _read_xlsx(data)
    elif name.endswith((".csv", ".txt")) or not name:
        header, rows = _read_csv(data)
    else:
        raise PriceListError(_("Upload a .csv or .xlsx file."))
    header = [str(column or "").strip().lower() for column in header]
    while header and not header[-1]:
        header.pop()
    if not header:
        raise PriceListError(_("The file has no header row."))
    unknown = [column for column in header if column not in COLUMNS]
    if unknown:
        raise PriceListError(_("Unknown columns: %(columns)s.") % {"columns": ", ".join(c or '""' for c in unknown)})
    duplicated = sorted({column for column in header if header.count(column) > 1})
    if duplicated:
        raise PriceListError(_("Columns named twice: %(columns)s.") % {"columns": ", ".join(duplicated)})
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        raise PriceListError(_("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)})
    table = []
    for line, cells in rows:
        values = {column: _text(cells[index]) if index < len(cells) else "" for index, column in enumerate(header)}
        if any(values.values()):
            table.append((line, values))
        if len(table) > MAX_ROWS:
            raise PriceListError(_("The file has more than %(max)d rows; split it.") % {"max": MAX_ROWS})
    return table


def _read_csv(data: bytes):
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in Chinese saves CSV as GBK
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise PriceListError(_("The CSV file is neither UTF-8 nor GBK text."))
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise PriceListError(_("The CSV file cannot be read: %(error)s") % {"error": exc}) from None
    if not rows:
        raise PriceListError(_("The file has no header row."))
    return rows[0], [(line, [_unquote(cell) for cell in cells]) for line, cells in enumerate(rows[1:], start=2)]


def _unquote(cell: str) -> str:
    """A CSV cell the export protected against formula injection ('=… → =…)."""
    if cell.startswith("'") and cell[1:].startswith(_FORMULA_STARTS):
        return cell[1:]
    return cell


def _read_xlsx(data: bytes):
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        raise PriceListError(_("The Excel file cannot be read: %(error)s") % {"error": exc}) from None
    try:
        sheet = book.worksheets[0]
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()
    if not rows:
        raise PriceListError(_("The file has no header row."))
    return rows[0], list(enumerate(rows[1:], start=2))


def _text(value) -> str:
    """A cell as text: numbers as written (1, not 1.0; 0.22, not 0.22000000000000001)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return format(Decimal(repr(value)), "f")
    if isinstance(value, (int, Decimal)):
        return format(value, "f") if isinstance(value, Decimal) else str(value)
    return str(value).strip()


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def write_csv(rows: list[dict]) -> bytes:
    """UTF-8 with a byte-order mark (so Excel opens it as UTF-8); a text that would be a formula in a
    spreadsheet is quoted with a leading apostrophe (read back without it)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        cells = [_cell_text(row.get(column)) for column in COLUMNS]
        writer.writerow(["'" + cell if cell.startswith(_FORMULA_STARTS) else cell for cell in cells])
    return buffer.getvalue().encode("utf-8-sig")


def write_xlsx(rows: list[dict], *, title="price list") -> bytes:
    """Numbers as numbers (a price as a number when a spreadsheet's float keeps it exact, else as text),
    texts as texts (a formula-like text stays text)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = str(title)[:31]
    sheet.append(COLUMNS)
    for row in rows:
        cells = []
        for column in COLUMNS:
            value = row.get(column)
            if isinstance(value, Decimal):
                value = float(value) if Decimal(repr(float(value))) == value else format(value, "f")
            cells.append(value)
        sheet.append(cells)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith(_FORMULA_STARTS):
                cell.data_type = "s"
                cell.quotePrefix = True
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()

