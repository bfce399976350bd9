"""Fee records as the per-record path of the rating writes them (bills/rating.py): plain rows (`Fee`), their
time-ordered record_ids (`new_ids`) and one COPY for a batch (`write`)."""

from __future__ import annotations

import io
import os
from datetime import datetime

from django.db import connection

from .models import FeeRecord

__all__ = ["Fee", "new_ids", "write"]


_FEE_FIELDS = [f for f in FeeRecord._meta.concrete_fields if not f.primary_key]
_FEE_MADE = [(f.attname, f.default) for f in _FEE_FIELDS if f.has_default() and callable(f.default)]
_FEE_BASE = {f.attname: f.get_default() for f in _FEE_FIELDS if f.attname not in dict(_FEE_MADE)}


class Fee:
    """A fee record being written: FeeRecord's columns as plain attributes (the rating writes a great many;
    a model instance each would cost more than the arithmetic)."""

    __slots__ = ("id", *(f.attname for f in _FEE_FIELDS))

    def __init__(self, **values):
        self.id = None
        for name, value in _FEE_BASE.items():
            setattr(self, name, value)
        for name, make in _FEE_MADE:  # record_id, created_at: one each
            if name not in values:
                setattr(self, name, make())
        for name, value in values.items():
            setattr(self, name, value)


def new_ids(n: int, now) -> list[str]:
    """`n` new fee record_ids: 32 hex digits, `now` in µs since the epoch (14) then 18 random ones (one read of
    the system's randomness) — time-ordered like a UUIDv7, as bills/rating_sql.py makes them in SQL."""
    prefix = f"{int(now.timestamp() * 1_000_000):014x}"
    tails = os.urandom(9 * n).hex()
    return [prefix + tails[18 * i:18 * i + 18] for i in range(n)]


def _copy_text(value) -> str:
    if value is None:
        return "\\N"
    if value is True or value is False:
        return "t" if value else "f"
    if isinstance(value, str):
        return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def write(fees, needing_ids) -> None:
    """One statement for the batch's fee records: COPY on PostgreSQL (the ids of `needing_ids`' records — those
    with package uses — read back in one more), bulk_create elsewhere."""
    if connection.vendor != "postgresql":
        made = FeeRecord.objects.bulk_create([FeeRecord(**{f.attname: getattr(fee, f.attname) for f in _FEE_FIELDS})
                                              for fee in fees])
        for fee, row in zip(fees, made):
            fee.id = row.pk
        return
    text = "".join("\t".join(_copy_text(getattr(fee, f.attname)) for f in _FEE_FIELDS) + "\n" for fee in fees)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in _FEE_FIELDS)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(f"COPY {FeeRecord._meta.db_table} ({columns}) FROM STDIN", io.StringIO(text))
    if needing_ids:
        ids = dict(FeeRecord.objects.filter(usage_record_id__in=list(needing_ids)).values_list("usage_record_id", "id"))
        for fee in fees:
            fee.id = ids.get(fee.usage_record_id)
