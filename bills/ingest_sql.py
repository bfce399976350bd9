"""How bills.ingest reads what a batch names (`lookup`: customers, catalogue codes, resources — one statement on
PostgreSQL) and writes a batch's new usage records and queues them for the rating (bills.models.UsageWaiting),
in one INSERT … ON CONFLICT (record_id) DO NOTHING RETURNING: the record_ids it stored — a record already stored,
or stored meanwhile by a concurrent call, is not returned, so two clients sending one batch at once never both
answer `created`. The records come in bills.ingest's storage order, by (customer, record_id): the rating reads
a customer's records together, and so they share pages (bills/ingest.py's docstring says why, and about locks).

On PostgreSQL the statement takes the batch's validated values as one array per column (`unnest`) and queues
the stored records in the same statement (a data-modifying CTE): no model instance, no per-value preparation.
Elsewhere (SQLite) the ORM inserts the records and a second INSERT queues them.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.db.models.constants import OnConflict

from catalog.models import MeasureUnit, Region, ResourceType, ServiceType, UsageType
from customers.choices import ChargingMode
from customers.models import Customer, Resource

from .models import UsageRecord, UsageWaiting

__all__ = ["store", "lookup", "Named"]


@dataclass
class Named:
    """What a batch's records name, as the catalogue and the customers know it: {domain id: customer pk}, the
    (service type, resource type, usage type) code triples, region codes, unit ids, and the (resource id,
    customer pk) pairs of the pay-per-use resources among `unspecified`."""

    customers: dict
    types: set
    regions: set
    measures: set
    resources: set


def lookup(*, customers, usage_types, resource_types, regions, measures, unspecified) -> Named:
    """Read what the batch names (each argument a set of what its records say). On PostgreSQL one statement,
    each set as one array parameter (`= ANY`: an IN list of a batch's thousand ids costs Django and the driver
    more than the database's answer); elsewhere one ORM query per kind."""
    if connection.vendor != "postgresql":
        return Named(
            customers=dict(Customer.objects.filter(domain_id__in=customers).values_list("domain_id", "pk")),
            types=set(UsageType.objects.filter(code__in=usage_types, resource_type__code__in=resource_types)
                      .values_list("resource_type__service_type__code", "resource_type__code", "code")),
            regions=set(Region.objects.filter(code__in=regions).values_list("code", flat=True)),
            measures=set(MeasureUnit.objects.filter(measure_id__in=measures).values_list("measure_id", flat=True)),
            resources=set(Resource.objects.filter(charging_mode=ChargingMode.ON_DEMAND, resource_id__in=unspecified)
                          .values_list("resource_id", "customer_id")) if unspecified else set())
    named = Named({}, set(), set(), set(), set())
    with connection.cursor() as cursor:
        cursor.execute(f"""
            SELECT 'c', domain_id, id::text, NULL FROM {Customer._meta.db_table}
            WHERE domain_id = ANY(%(customers)s::varchar[])
            UNION ALL
            SELECT 't', st.code, rt.code, ut.code FROM {UsageType._meta.db_table} ut
                JOIN {ResourceType._meta.db_table} rt ON rt.id = ut.resource_type_id
                JOIN {ServiceType._meta.db_table} st ON st.id = rt.service_type_id
            WHERE ut.code = ANY(%(usage_types)s::varchar[]) AND rt.code = ANY(%(resource_types)s::varchar[])
            UNION ALL
            SELECT 'r', code, NULL, NULL FROM {Region._meta.db_table} WHERE code = ANY(%(regions)s::varchar[])
            UNION ALL
            SELECT 'm', measure_id::text, NULL, NULL FROM {MeasureUnit._meta.db_table}
            WHERE measure_id = ANY(%(measures)s::integer[])
            UNION ALL
            SELECT 'p', resource_id, customer_id::text, NULL FROM {Resource._meta.db_table}
            WHERE charging_mode = %(on_demand)s AND resource_id = ANY(%(unspecified)s::varchar[])""", {
            "customers": _array_text(sorted(customers), "varchar"),
            "usage_types": _array_text(sorted(usage_types), "varchar"),
            "resource_types": _array_text(sorted(resource_types), "varchar"),
            "regions": _array_text(sorted(regions), "varchar"), "measures": _array_text(sorted(measures), "integer"),
            "unspecified": _array_text(sorted(unspecified), "varchar"), "on_demand": ChargingMode.ON_DEMAND.value})
        for kind, a, b, c in cursor.fetchall():
            if kind == "c":
                named.customers[a] = int(b)
            elif kind == "t":
                named.types.add((a, b, c))
            elif kind == "r":
                named.regions.add(a)
            elif kind == "m":
                named.measures.add(int(a))
            else:
                named.resources.add((a, int(b)))
    return named


def store(ordered: list[tuple[str, dict]], source, now) -> set[str]:
    """Store and queue the records (record_id, parsed values — bills.ingest's), in this order; the record_ids
    stored by this call."""
    return (_insert_arrays if connection.vendor == "postgresql" else _insert_new)(ordered, source, now)


def _insert_fields():
    return [f for f in UsageRecord._meta.concrete_fields if not f.primary_key]


# (column, SQL array type, the key of its value in a parsed record — None: the record_id) of what a record
# brings; source, error_code and received_at are the batch's
_ARRAYS = (
    ("record_id", "varchar", None), ("customer_id", "bigint", "customer_pk"), ("resource_id", "varchar", "resource_id"),
    ("service_type_code", "varchar", "cloud_service_type"), ("resource_type_code", "varchar", "resource_type"),
    ("resource_spec_code", "varchar", "resource_spec_code"), ("usage_type_code", "varchar", "usage_type"),
    ("region_code", "varchar", "region"), ("usage_amount", "numeric", "usage"),
    ("usage_measure_id", "integer", "usage_measure_id"), ("resource_size", "numeric", "resource_size"),
    ("begin_time", "timestamptz", "begin_time"), ("end_time", "timestamptz", "end_time"),
)


def _array_text(values, kind: str) -> str:
    """PostgreSQL's text form of a one-dimensional array of `kind`: one parameter the server reads with its array
    parser — a list parameter would become a 1,000-term ARRAY[…] expression to parse and plan, several
    milliseconds a batch. Texts are quoted (escaped where they hold a quote or a backslash), numbers and times
    (ISO 8601, no blank) are not; None is NULL."""
    if not values:
        return "{}"
    if kind == "varchar":
        if '"' in "".join(values) or "\\" in "".join(values):
            return "{" + ",".join('"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values) + "}"
        return '{"' + '","'.join(values) + '"}'
    # metering repeats a few hours and amounts in a batch: each distinct value is spelled once
    spelled = {None: "NULL"}
    spell = datetime.isoformat if kind == "timestamptz" else str
    for value in set(values).difference(spelled):
        spelled[value] = spell(value)
    return "{" + ",".join(map(spelled.__getitem__, values)) + "}"


def _insert_arrays(ordered: list[tuple[str, dict]], source, now) -> set[str]:
    """PostgreSQL: the records (in the order given) stored and queued by one statement from one array per
    column; the record_ids it stored (ON CONFLICT DO NOTHING: a record already stored, or stored meanwhile by
    a concurrent call, is not returned)."""
    columns = [column for column, _type, _key in _ARRAYS]
    if {f.column for f in _insert_fields()} != {*columns, "source", "error_code", "received_at"}:
        raise RuntimeError("bills.ingest: UsageRecord's columns changed; update _ARRAYS")  # pragma: no cover
    arrays = [_array_text([record_id for record_id, _values in ordered] if key is None
                          else [values[key] for _record_id, values in ordered], kind) for _column, kind, key in _ARRAYS]
    table, waiting = UsageRecord._meta.db_table, UsageWaiting._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"""
            WITH stored AS (
                INSERT INTO {table} ({", ".join(columns)}, source, error_code, received_at)
                SELECT v.*, %s, '', %s
                FROM unnest({", ".join(f"%s::{kind}[]" for _column, kind, _key in _ARRAYS)}) AS v
                ON CONFLICT (record_id) DO NOTHING
                RETURNING id, record_id, customer_id, begin_time),
            queued AS (INSERT INTO {waiting} (usage_record_id, customer_id, begin_time)
                       SELECT id, customer_id, begin_time FROM stored)
            SELECT record_id FROM stored""", [source, now, *arrays])
        return {row[0] for row in cursor.fetchall()}


def _max_parameters() -> int:
    if connection.vendor == "sqlite":
        import sqlite3

        connection.ensure_connection()
        try:
            return connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        except AttributeError:  # Python < 3.11
            return connection.features.max_query_params
    if connection.vendor == "postgresql":
        return 65535
    return connection.features.max_query_params or 999


def _insert_new(ordered: list[tuple[str, dict]], source, now) -> set[str]:
    """Elsewhere than PostgreSQL: INSERT … ON CONFLICT DO NOTHING RETURNING through the ORM, then the stored
    records queued. (Django's bulk_create(ignore_conflicts=True) runs the same INSERT but cannot say which rows it
    stored, and two clients sending one batch at once must not both answer `created`.) One statement for a whole
    batch where the database takes that many parameters (SQLite 3.32+ takes 32,766)."""
    rows = [UsageRecord(
        record_id=record_id, customer_id=values["customer_pk"], resource_id=values["resource_id"],
        service_type_code=values["cloud_service_type"], resource_type_code=values["resource_type"],
        resource_spec_code=values["resource_spec_code"], usage_type_code=values["usage_type"],
        region_code=values["region"], usage_amount=values["usage"], usage_measure_id=values["usage_measure_id"],
        resource_size=values["resource_size"], begin_time=values["begin_time"], end_time=values["end_time"],
        source=source, received_at=now,
    ) for record_id, values in ordered]
    fields = _insert_fields()
    per_statement = max(1, _max_parameters() // len(fields))
    returning = [UsageRecord._meta.pk, UsageRecord._meta.get_field("record_id")]
    stored = {}
    for start in range(0, len(rows), per_statement):
        returned = UsageRecord.objects._insert(rows[start:start + per_statement], fields=fields,
                                               returning_fields=returning, on_conflict=OnConflict.IGNORE)
        stored.update((row[1], row[0]) for row in returned if row)  # one row and a conflict: nothing comes back
    wanted = dict(ordered)
    queued = [UsageWaiting(usage_record_id=pk, customer_id=wanted[record_id]["customer_pk"],
                           begin_time=wanted[record_id]["begin_time"])
              for record_id, pk in sorted(stored.items(), key=lambda item: item[1])]
    queue_fields = [UsageWaiting._meta.get_field(name) for name in ("usage_record", "customer", "begin_time")]
    limit = _max_parameters() // len(queue_fields)  # (bulk_create would cut them into SQLite's old 999 parameters)
    for start in range(0, len(queued), limit):
        UsageWaiting.objects._insert(queued[start:start + limit], fields=queue_fields)
    return set(stored)
