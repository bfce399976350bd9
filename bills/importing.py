"""Usage files: the operators' import of usage records from a CSV file (bills/admin.py carries the file; the work
is here and in bills.ingest, the same check and store as the ingestion endpoint's).

The file has a header row naming the endpoint's fields (`record_id, customer_id, resource_id, cloud_service_type,
resource_type, resource_spec_code, usage_type, region, usage, usage_measure_id, resource_size, begin_time,
end_time`; the two optional ones may be left out), then one record per row. It is read as UTF-8 (with or without
a byte-order mark) or, failing that, GB18030 (Excel in Chinese saves CSV as GBK), and streamed: rows go to
`bills.ingest.ingest` a chunk of CHUNK at a time, each chunk in its own transaction, so a large file never
sits in one transaction or in memory as records. Importing the same file again stores nothing new.

A dry run checks every row as the import would (the records a file names twice, across chunks too) and writes
nothing. Both answer the counts, the first errors, and a failure file: the failed rows as CSV with their
line, error code and message, each cell that a spreadsheet would take for a formula (`= + - @`, tab, CR)
quoted with a leading apostrophe — which this reader takes off again (and it ignores the line and error
columns), so a corrected failure file can be imported as it is.
"""

import codecs
import csv
import io
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from partnercenter.exports import is_formula_like

from . import ingest
from .choices import UsageSource

__all__ = ["COLUMNS", "REQUIRED_COLUMNS", "CHUNK", "FIRST_ERRORS", "MAX_ROWS", "UsageFileError", "ImportReport",
           "run_import", "read_rows"]

COLUMNS = list(ingest.FIELDS)
REQUIRED_COLUMNS = list(ingest.REQUIRED)
CHUNK = ingest.MAX_RECORDS
FIRST_ERRORS = 20
MAX_ROWS = 1_000_000
FAILURE_COLUMNS = ["line", *COLUMNS, "error_code", "error_msg"]
FAILURE_ONLY = frozenset(FAILURE_COLUMNS) - set(COLUMNS)  # a failure file, corrected, imports as it is
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class UsageFileError(Exception):
    """The file as a whole cannot be read: not CSV text, no header, a column missing, unknown or twice."""


@dataclass
class RowError:
    line: int
    record_id: str | None
    code: str
    message: str


@dataclass
class ImportReport:
    dry_run: bool
    rows: int = 0
    created: int = 0
    duplicates: int = 0
    failed: int = 0
    first_errors: list = field(default_factory=list)
    _failures: io.StringIO = field(default_factory=io.StringIO, repr=False)
    _writer: object = field(default=None, repr=False)

    def _fail(self, line, row, result):
        self.failed += 1
        if len(self.first_errors) < FIRST_ERRORS:
            self.first_errors.append(RowError(line, result.record_id, result.error_code, result.error_msg))
        if self._writer is None:
            self._writer = csv.writer(self._failures)
            self._writer.writerow(FAILURE_COLUMNS)
        cells = [line, *(row.get(column, "") for column in COLUMNS), result.error_code, result.error_msg]
        self._writer.writerow([_protect(cell) for cell in cells])

    def failure_csv(self) -> bytes:
        """The failed rows as CSV (UTF-8 with a byte-order mark, so Excel opens it as UTF-8); empty when none."""
        text = self._failures.getvalue()
        return ("\ufeff" + text).encode() if text else b""

    def counts(self) -> dict:
        return {"rows": self.rows, "created": self.created, "duplicates": self.duplicates, "failed": self.failed}


def _protect(value):
    """A cell a spreadsheet would run as a formula is written as text with a leading apostrophe."""
    return "'" + value if is_formula_like(value) else value


def _unprotect(cell: str) -> str:
    if cell.startswith("'") and cell[1:].startswith(_FORMULA_STARTS):
        return cell[1:]
    return cell


# -------------------------------------------------------------------------------------------------
# Reading
# -------------------------------------------------------------------------------------------------

def _text_stream(stream):
    """The binary `stream` as text: UTF-8 (a byte-order mark skipped) when its first block decodes as UTF-8,
    else GB18030. Decoded as it is read."""
    head = stream.read(65536)
    encoding = "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8-sig")().decode(head, final=False)
    except UnicodeDecodeError:
        encoding = "gb18030"
    rest = io.BufferedReader(_Chain(head, stream))
    return io.TextIOWrapper(rest, encoding=encoding, newline="")


class _Chain(io.RawIOBase):
    """`head` then the rest of `stream`, as one raw binary stream."""

    def __init__(self, head: bytes, stream):
        self.head, self.stream = head, stream

    def readable(self):
        return True

    def readinto(self, buffer):
        if self.head:
            size = min(len(buffer), len(self.head))
            buffer[:size], self.head = self.head[:size], self.head[size:]
            return size
        data = self.stream.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)


def read_rows(stream):
    """(line, {column: text}) of every non-empty row of a CSV stream (binary), checked header first;
    UsageFileError when the file cannot be read."""
    reader = csv.reader(_text_stream(stream))
    try:
        header = next(reader, None)
        if header is None:
            raise UsageFileError(_("The file has no header row."))
        header = [column.strip().lstrip("\ufeff").lower() for column in header]
        while header and not header[-1]:
            header.pop()
        unknown = [column for column in header if column not in COLUMNS and column not in FAILURE_ONLY]
        if unknown:
            raise UsageFileError(_("Unknown columns: %(columns)s.") % {"columns": ", ".join(c or '""' for c in unknown)})
        twice = sorted({column for column in header if header.count(column) > 1})
        if twice:
            raise UsageFileError(_("Columns named twice: %(columns)s.") % {"columns": ", ".join(twice)})
        missing = [column for column in REQUIRED_COLUMNS if column not in header]
        if missing:
            raise UsageFileError(_("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)})
        for cells in reader:
            values = {column: _unprotect(cells[index].strip()) if index < len(cells) else ""
                      for index, column in enumerate(header) if column not in FAILURE_ONLY}
            if any(values.values()):
                yield reader.line_num, values
    except UnicodeDecodeError:
        raise UsageFileError(_("The file is neither UTF-8 nor GBK text.")) from None
    except csv.Error as exc:
        raise UsageFileError(_("The CSV file cannot be read: %(error)s") % {"error": exc}) from None


def _record(values: dict) -> dict:
    """A row as the ingestion endpoint's record: empty optional cells are left out."""
    return {column: value for column, value in values.items() if value != "" or column not in ingest.OPTIONAL}


# -------------------------------------------------------------------------------------------------
# Importing
# -------------------------------------------------------------------------------------------------

def run_import(stream, *, dry_run: bool) -> ImportReport:
    """Check (dry run) or import the CSV `stream` a chunk of CHUNK rows at a time through bills.ingest.
    UsageFileError when the file cannot be read (a real run keeps the chunks stored before the bad part)."""
    report = ImportReport(dry_run=dry_run)
    seen = {} if dry_run else None  # what earlier chunks of a dry run would have stored
    chunk = []
    for line, values in read_rows(stream):
        report.rows += 1
        if report.rows > MAX_ROWS:
            raise UsageFileError(_("The file has more than %(max)d rows; split it.") % {"max": MAX_ROWS})
        chunk.append((line, values))
        if len(chunk) == CHUNK:
            _run_chunk(chunk, report, seen)
            chunk = []
    if chunk:
        _run_chunk(chunk, report, seen)
    if not report.rows:
        raise UsageFileError(_("The file has no usage records."))
    return report


def _run_chunk(chunk, report, seen):
    records = [_record(values) for _line, values in chunk]
    with transaction.atomic():
        outcome = ingest.ingest(records, source=UsageSource.FILE, dry_run=report.dry_run, seen=seen)
    for (line, values), result in zip(chunk, outcome.results):
        if result.status == ingest.CREATED:
            report.created += 1
        elif result.status == ingest.DUPLICATE:
            report.duplicates += 1
        else:
            report._fail(line, values, result)
