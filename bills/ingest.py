"""Usage in: the one way usage records (资源详单) enter the partner center, shared by the signed ingestion
endpoint (bills.api.ingest_views), the operators' file import (bills.importing) and the usage generator
(bills.generator).

`ingest(records, source=…)` takes up to MAX_RECORDS raw records (dicts of the wire's fields, as JSON or a
CSV row gave them) and answers one result per record, in their order: `created`, `duplicate` (a record
already stored with the same content: not an error) or `failed` with an error code and message. One bad
record never fails the others.

**Set-based.** Each record is parsed in Python; then one lookup serves the whole batch (customers by domain
id, the catalogue's service/resource/usage type triples, regions, units, and — only for records without a
spec — the pay-per-use resources whose spec rating will use: one statement on PostgreSQL); then one
`INSERT … ON CONFLICT (record_id) DO NOTHING RETURNING` stores the new records, queues them for the rating
(bills.models.UsageWaiting) and says which ones this call stored; then one read compares the rest with what
is stored (bills/ingest_sql.py: on PostgreSQL one statement from one array per column, no model instance). At
most eight statements per batch, whatever its size (tests/bills/test_ingest_queries.py).

**Idempotent by `record_id`.** The unique index on `record_id` decides: the same batch sent twice, or by
two clients at once, stores each record once; the call whose INSERT stored a record answers `created`,
every other one `duplicate` (same content) or USAGE_CONFLICT (other content, naming the fields that
differ).

**Stored in the order the rating reads.** A batch's rows are inserted by (customer, record_id): the rating
claims each customer's waiting records together (bills/rating.py), while metering sends every customer's hour
at once, so in arrival order a page of the usage table (and of the rating queue) held some 36 records of 36
customers and the rating read one page per record — mostly from outside shared buffers, evicting dirty pages to
make room. In customer order a customer's records of a batch share a page (bench/README.md, `bench/metering.py`:
usage-table reads from outside shared buffers 818,000 → 58,000 over a million records, rating about −20 %).
The order is total over (customer, record_id), so two overlapping batches wait on each other's unique-index
entries in one order and never deadlock — but for a record_id sent for two customers at once, a conflict one of
them is refused for: should PostgreSQL break such a deadlock, `receive` runs the batch again, and the second
try answers the conflict.

A dry run (`dry_run=True`) answers what a real run would, and writes nothing; `seen` carries what earlier
chunks of the same dry run would have stored (a file is checked a chunk at a time).
"""

import functools
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone as dt_timezone
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partnercenter.api.parsers import UNSTORABLE
from partnercenter.errors import MESSAGES, Codes, DomainError
from partnercenter.oplog import operation, register_actions
from partnercenter.transactions import retry_on_deadlock

from . import ingest_sql
from .choices import UsageSource
from .errors import BillCodes
from .models import UsageRecord

__all__ = ["FIELDS", "REQUIRED", "MAX_RECORDS", "MAX_WINDOW", "CREATED", "DUPLICATE", "FAILED", "Result", "Outcome",
           "ingest", "receive", "wire_result"]

FIELDS = ("record_id", "customer_id", "resource_id", "cloud_service_type", "resource_type", "resource_spec_code",
          "usage_type", "region", "usage", "usage_measure_id", "resource_size", "begin_time", "end_time")
OPTIONAL = frozenset({"resource_spec_code", "resource_size"})
REQUIRED = tuple(name for name in FIELDS if name not in OPTIONAL)
_FIELD_SET = frozenset(FIELDS)
MAX_RECORDS = 1000
MAX_WINDOW = timedelta(hours=24)
# how old usage may be: a year — older metering is an operator's correction, not a record to bill now (and a
# month that never existed here would be opened and closed for it)
MAX_AGE = timedelta(days=366)
CREATED, DUPLICATE, FAILED = "created", "duplicate", "failed"

_LENGTHS = {"record_id": 64, "customer_id": 64, "resource_id": 64, "cloud_service_type": 64, "resource_type": 64,
            "resource_spec_code": 64, "usage_type": 64, "region": 32}
_TEXT_LIMITS = tuple(_LENGTHS.items())
_PLAIN_DECIMAL = re.compile(r"[0-9]+(?:\.[0-9]*)?|\.[0-9]+")
_WIRE_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")
_USAGE = (6, 18)   # decimals, integer digits: UsageRecord.usage_amount (24, 6)
_SIZE = (4, 16)    # UsageRecord.resource_size (20, 4)
# what two records of one record_id must agree on: (wire field, model column)
_CONTENT = (("customer_id", "customer_id"), ("resource_id", "resource_id"),
            ("cloud_service_type", "service_type_code"), ("resource_type", "resource_type_code"),
            ("resource_spec_code", "resource_spec_code"), ("usage_type", "usage_type_code"), ("region", "region_code"),
            ("usage", "usage_amount"), ("usage_measure_id", "usage_measure_id"), ("resource_size", "resource_size"),
            ("begin_time", "begin_time"), ("end_time", "end_time"))
_COLUMNS = [column for _wire, column in _CONTENT]

register_actions({"usage.ingest": gettext_lazy("Send usage records")})


class Result(NamedTuple):  # (a tuple: a batch makes a thousand of them)
    record_id: str | None
    status: str
    error_code: str = ""
    error_msg: str = ""


@dataclass
class Outcome:
    results: list = field(default_factory=list)

    def count(self, status) -> int:
        return sum(1 for result in self.results if result.status == status)

    @property
    def accepted(self) -> int:
        return self.count(CREATED)

    @property
    def duplicates(self) -> int:
        return self.count(DUPLICATE)

    @property
    def failed(self) -> int:
        return self.count(FAILED)


def wire_result(result: Result) -> dict:
    failed = result.status == FAILED
    return {"record_id": result.record_id, "status": result.status,
            "error_code": result.error_code if failed else None, "error_msg": result.error_msg if failed else None}


class _Invalid(Exception):
    def __init__(self, code, message=None):
        super().__init__(code)
        self.code, self.message = code, str(message if message is not None else MESSAGES.get(code, code))


# -------------------------------------------------------------------------------------------------
# One record, in Python
# -------------------------------------------------------------------------------------------------

def _parameter(name, problem) -> _Invalid:
    return _Invalid(Codes.PARAMETER, f"{MESSAGES[Codes.PARAMETER]} {name}: {problem}")


def _texts(raw) -> dict | None:
    """The text fields of a record whose texts are all fine (the common case, in one pass and one search for
    unstorable characters), else None: `_text` then finds the first problem."""
    try:
        values = {name: raw[name].strip() for name in _LENGTHS}
    except (KeyError, AttributeError, TypeError):  # an optional one left out, or not a text
        return None
    for (name, limit), value in zip(_TEXT_LIMITS, values.values()):
        if type(value) is not str or len(value) > limit or (not value and name not in OPTIONAL):
            return None
    if UNSTORABLE.search("".join(values.values())):  # (one character class: joining makes no new match)
        return None
    return values


def _text(raw, name) -> str:
    value = raw.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        if name in OPTIONAL:
            return ""
        raise _parameter(name, _("This field is required."))
    if not isinstance(value, str):
        raise _parameter(name, _("Not a string."))
    value = value.strip()
    if UNSTORABLE.search(value):  # a NUL or another control character (a file's cell; JSON bodies are checked before)
        raise _parameter(name, _("Contains characters that are not allowed."))
    if len(value) > _LENGTHS[name]:
        raise _parameter(name, _("At most %(count)d characters.") % {"count": _LENGTHS[name]})
    return value


def _decimal(raw, name, places_and_digits, *, positive=False) -> Decimal | None:
    value = raw.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        if name in OPTIONAL:
            return None
        raise _parameter(name, _("This field is required."))
    if isinstance(value, bool):
        text = None
    elif isinstance(value, str):
        text = value.strip()
    elif isinstance(value, int):
        text = str(value)
    elif isinstance(value, float):  # a JSON number: read by the text it arrived as (partnercenter.api.parsers)
        text = getattr(value, "text", None) or repr(value)
    else:
        text = None
    places, digits = places_and_digits
    number = _NOT_PLAIN if text is None else (_known_number if len(text) <= 40 else _number)(
        text, places, digits, positive)
    if number is _NOT_PLAIN:
        raise _parameter(name, _("Not a plain decimal number of at least zero."))
    if number is _TOO_PRECISE:
        raise _parameter(name, _("At most %(places)d decimals.") % {"places": places})
    if number is _TOO_LARGE:
        raise _parameter(name, _("Too large."))
    if number is _NOT_POSITIVE:
        raise _parameter(name, _("Must be greater than zero."))
    return number


_NOT_PLAIN, _TOO_PRECISE, _TOO_LARGE, _NOT_POSITIVE = (object() for _i in range(4))


def _number(text, places, digits, positive):
    """A plain decimal `text` as a Decimal, or which of the problems above it has."""
    if not _PLAIN_DECIMAL.fullmatch(text):
        return _NOT_PLAIN
    try:
        number = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only plain decimals
        return _NOT_PLAIN
    if number != number.quantize(Decimal(1).scaleb(-places)):
        return _TOO_PRECISE
    if number >= Decimal(10) ** digits:
        return _TOO_LARGE
    if positive and number <= 0:
        return _NOT_POSITIVE
    return number


# metering repeats a handful of amounts and sizes (Decimals are immutable: one can serve every record)
_known_number = functools.lru_cache(maxsize=4096)(_number)


def _measure(raw) -> int:
    value = raw.get("usage_measure_id")
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int):
        raise _parameter("usage_measure_id", _("Not a whole number."))
    if not 0 < value < 2**31:
        raise _parameter("usage_measure_id", _("Out of range."))
    return value


def _time(raw, name) -> datetime:
    value = raw.get(name)
    if isinstance(value, str):
        value = value.strip()
    moment = _wire_time(value) if isinstance(value, str) and len(value) == 20 else None
    if moment is None:
        raise _parameter(name, _("Not a UTC time as YYYY-MM-DDTHH:MM:SSZ."))
    return moment


@functools.lru_cache(maxsize=4096)  # hourly metering: a batch names a few hours (datetimes are immutable)
def _wire_time(value: str) -> datetime | None:
    if not _WIRE_TIME.fullmatch(value):
        return None
    try:  # the pattern fixed every position: cheaper than strptime
        return datetime(int(value[0:4]), int(value[5:7]), int(value[8:10]), int(value[11:13]), int(value[14:16]),
                        int(value[17:19]), tzinfo=dt_timezone.utc)
    except ValueError:
        return None


def _plain(raw, now) -> dict | None:
    """The record's values when it is what metering sends — every text fine, amounts and sizes as plain
    decimal texts, the unit as a whole number, times as YYYY-MM-DDTHH:MM:SSZ, a sound window — else None:
    `_parse` then reads it field by field and names the first problem. The same values as `_parse` for every
    record it accepts, in a fraction of the calls."""
    if type(raw) is not dict or not _FIELD_SET.issuperset(raw):
        return None
    values = _texts(raw)
    usage, measure, size = raw.get("usage"), raw.get("usage_measure_id"), raw.get("resource_size")
    begin, end = raw.get("begin_time"), raw.get("end_time")
    if (values is None or type(usage) is not str or len(usage) > 40 or type(begin) is not str or len(begin) != 20
            or type(end) is not str or len(end) != 20):
        return None
    values["usage"] = usage = _known_number(usage.strip(), *_USAGE, False)
    if type(usage) is not Decimal:
        return None
    if type(measure) is not int or not 0 < measure < 2**31:
        return None
    values["usage_measure_id"] = measure
    if size is None or size == "":
        values["resource_size"] = None
    elif type(size) is str and len(size) <= 40 and type(size := _known_number(size.strip(), *_SIZE, True)) is Decimal:
        values["resource_size"] = size
    else:
        return None
    values["begin_time"], values["end_time"] = begin, end = _wire_time(begin), _wire_time(end)
    if (begin is None or end is None or not begin < end or end - begin > MAX_WINDOW or end > now
            or begin < now - MAX_AGE):
        return None
    return values


def _parse(raw, now) -> dict:
    """The record's values (wire names), or _Invalid: the first problem, in field order."""
    plain = _plain(raw, now)
    return plain if plain is not None else _careful(raw, now)


def _careful(raw, now) -> dict:
    """`_parse` field by field: the values, or the first problem."""
    if not isinstance(raw, dict):
        problem = _("A record is not an object.")
        raise _Invalid(Codes.PARAMETER, f"{MESSAGES[Codes.PARAMETER]} {problem}")
    if not _FIELD_SET.issuperset(raw):
        unknown = sorted(set(raw) - _FIELD_SET, key=str)
        raise _parameter(unknown[0], _("Unknown field."))
    values = _texts(raw) or {name: _text(raw, name) for name in _LENGTHS}
    values["usage"] = _decimal(raw, "usage", _USAGE)
    values["usage_measure_id"] = _measure(raw)
    values["resource_size"] = _decimal(raw, "resource_size", _SIZE, positive=True)
    values["begin_time"] = _time(raw, "begin_time")
    values["end_time"] = _time(raw, "end_time")
    begin, end = values["begin_time"], values["end_time"]
    if not begin < end or end - begin > MAX_WINDOW or end > now or begin < now - MAX_AGE:
        raise _Invalid(BillCodes.USAGE_BAD_WINDOW)
    return values


def _sent_id(raw) -> str | None:
    value = raw.get("record_id") if isinstance(raw, dict) else None
    return value.strip()[:64] if isinstance(value, str) else None


# -------------------------------------------------------------------------------------------------
# The batch, set-based
# -------------------------------------------------------------------------------------------------

class _Catalogue:
    """What the batch's records name, each kind read once."""

    def __init__(self, parsed: list[dict]):
        def distinct(name):
            return {values[name] for values in parsed}

        named = ingest_sql.lookup(
            customers=distinct("customer_id"), usage_types=distinct("usage_type"),
            resource_types=distinct("resource_type"), regions=distinct("region"),
            measures=distinct("usage_measure_id"),
            unspecified={values["resource_id"] for values in parsed if not values["resource_spec_code"]})
        self.customers, self.types, self.regions = named.customers, named.types, named.regions
        self.measures, self.resources = named.measures, named.resources

    def check(self, values) -> None:
        customer = self.customers.get(values["customer_id"])
        if customer is None:
            raise _Invalid(BillCodes.USAGE_UNKNOWN_CUSTOMER)
        if (values["cloud_service_type"], values["resource_type"], values["usage_type"]) not in self.types:
            raise _Invalid(BillCodes.USAGE_UNKNOWN_TYPE)
        if values["region"] not in self.regions:
            raise _Invalid(BillCodes.USAGE_UNKNOWN_REGION)
        if values["usage_measure_id"] not in self.measures:
            raise _Invalid(BillCodes.USAGE_UNKNOWN_MEASURE)
        if not values["resource_spec_code"] and (values["resource_id"], customer) not in self.resources:
            raise _Invalid(BillCodes.USAGE_NO_SPEC)
        values["customer_pk"] = customer


def _content(values) -> tuple:
    return (values["customer_pk"],) + tuple(values[wire] for wire, _column in _CONTENT[1:])


def _differences(mine: tuple, stored: tuple) -> list[str]:
    return [wire for (wire, _column), a, b in zip(_CONTENT, mine, stored) if a != b]


def _conflict(record_id, mine, stored) -> Result:
    message = str(MESSAGES[BillCodes.USAGE_CONFLICT])
    if stored is not None:
        message += f" ({', '.join(_differences(mine, stored))})"
    return Result(record_id, FAILED, BillCodes.USAGE_CONFLICT, message)


def ingest(records, *, source, now=None, dry_run=False, seen=None) -> Outcome:
    """Store `records` (at most MAX_RECORDS raw dicts) as usage records from `source` (UsageSource); one
    Result per record, in order. Call it inside a transaction or not: each statement stands on its own."""
    if len(records) > MAX_RECORDS:
        raise ValueError(f"at most {MAX_RECORDS} records per call")
    now = now or timezone.now()
    results: list[Result | None] = [None] * len(records)
    parsed: dict[int, dict] = {}
    for index, raw in enumerate(records):
        try:
            parsed[index] = _parse(raw, now)
        except _Invalid as exc:
            results[index] = Result(_sent_id(raw), FAILED, exc.code, exc.message)
    if parsed:
        catalogue = _Catalogue(list(parsed.values()))
        for index, values in list(parsed.items()):
            try:
                catalogue.check(values)
            except _Invalid as exc:
                results[index] = Result(values["record_id"], FAILED, exc.code, exc.message)
                del parsed[index]

    # The first valid occurrence of each record_id goes to the database; a later one in the batch is
    # compared with it.
    first: dict[str, int] = {}
    for index, values in parsed.items():
        first.setdefault(values["record_id"], index)
    candidates = {record_id: parsed[index] for record_id, index in first.items()}
    prior = dict(seen or {})
    stored_by_us, stored = _store(candidates, prior, source=source, now=now, dry_run=dry_run)

    for index, values in parsed.items():
        record_id = values["record_id"]
        if first[record_id] == index and record_id in stored_by_us:
            results[index] = Result(record_id, CREATED)
            if seen is not None:
                seen[record_id] = _content(values)
            continue
        mine = _content(values)
        if first[record_id] != index:
            theirs = _content(parsed[first[record_id]])
        else:
            theirs = stored.get(record_id, prior.get(record_id))
        results[index] = Result(record_id, DUPLICATE) if theirs == mine else _conflict(record_id, mine, theirs)
    return Outcome(results)


def _store(candidates: dict, prior: dict, *, source, now, dry_run) -> tuple[set, dict]:
    """(the record_ids this call stores, {record_id: content} of those stored before): one INSERT … ON CONFLICT
    DO NOTHING RETURNING and one read of the rest (a dry run: the read only)."""
    if not candidates:
        return set(), {}
    fresh = {record_id: values for record_id, values in candidates.items() if record_id not in prior}
    if dry_run:
        stored = _read(fresh)
        return set(fresh) - set(stored), stored
    inserted = ingest_sql.store(sorted(fresh.items(), key=_storage_order), source, now)
    return inserted, _read({record_id: fresh[record_id] for record_id in fresh if record_id not in inserted})


def _storage_order(item: tuple[str, dict]) -> tuple[int, str]:
    """The order a batch's records are stored in: by customer, then record_id (the module docstring says why)."""
    record_id, values = item
    return values["customer_pk"], record_id


def _read(wanted: dict) -> dict:
    if not wanted:
        return {}
    rows = UsageRecord.objects.filter(record_id__in=list(wanted)).values_list("record_id", *_COLUMNS)
    return {row[0]: tuple(row[1:]) for row in rows}


def receive(actor, *, records) -> Outcome:
    """The ingestion endpoint's write: a platform key's batch, in one transaction with its operation-log row
    (the counts; no partner: the platform's own log)."""
    if not getattr(actor, "is_platform", False):
        raise DomainError(Codes.FORBIDDEN)

    def attempt() -> Outcome:
        with operation(actor, "usage.ingest") as entry:
            outcome = ingest(records, source=UsageSource.API)
            entry.detail = {"records": len(records), "created": outcome.accepted, "duplicates": outcome.duplicates,
                            "failed": outcome.failed}
        return outcome

    return retry_on_deadlock(attempt)  # (a record_id sent for two customers at once: the module docstring)
