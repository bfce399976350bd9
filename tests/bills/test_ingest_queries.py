"""Usage in is set-based: a batch of 1,000 records runs exactly the statements a batch of 10 runs — one per
kind of lookup, one INSERT, one read of what was stored before — through bills.ingest and through the signed
endpoint (whose authentication stays one statement)."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bills import ingest
from bills.choices import UsageSource
from bills.models import UsageRecord
from partnercenter.models import AccessKey

from .ingest_helpers import record, records, send, usage_world

pytestmark = pytest.mark.django_db

# customers, catalogue types, regions, units, resources (spec-less records), INSERT (PostgreSQL: with the queue
# rows; SQLite: then an INSERT of them), read
MOST_STATEMENTS = 8
INSERTS = 1 if connection.vendor == "postgresql" else 2


@pytest.fixture
def world():
    # SQLite checks once per connection that it has JSON functions; have that done before anything counts.
    connection.ensure_connection()
    assert connection.features.supports_json_field
    return usage_world()


def batch(world, count, prefix):
    """`count` records: one without a spec (its resource is looked up) and one with an unknown customer."""
    rows = records(world.customer, count - 2, prefix=prefix)
    rows.append(record(world.customer, f"{prefix}-spec-less", resource_spec_code=None,
                       resource_id=world.server.resource_id))
    rows.append(record(world.customer, f"{prefix}-stranger", customer_id="f" * 32))
    return rows


def statements(run) -> tuple[list[str], object]:
    with CaptureQueriesContext(connection) as queries:
        result = run()
    return [q["sql"][:150] for q in queries.captured_queries], result


@pytest.mark.parametrize("again", [False, True], ids=["new", "sent again"])
def test_ingest_runs_the_same_statements_for_10_and_1000_records(world, again):
    small, large = batch(world, 10, "s"), batch(world, 1000, "l")
    if again:
        ingest.ingest(small, source=UsageSource.API)
        ingest.ingest(large, source=UsageSource.API)

    few, outcome_few = statements(lambda: ingest.ingest(small, source=UsageSource.API))
    many, outcome_many = statements(lambda: ingest.ingest(large, source=UsageSource.API))

    assert len(few) == len(many) <= MOST_STATEMENTS, "\n".join(many)
    assert sum(s.startswith("INSERT") or " INSERT " in s for s in many) == (1 if again else INSERTS)
    expected = (0, 999, 1) if again else (999, 0, 1)
    assert (outcome_many.accepted, outcome_many.duplicates, outcome_many.failed) == expected
    assert UsageRecord.objects.count() == 9 + 999


def test_a_dry_run_reads_and_writes_nothing(world):
    rows = batch(world, 1000, "d")

    sql, outcome = statements(lambda: ingest.ingest(rows, source=UsageSource.FILE, dry_run=True))

    assert outcome.accepted == 999 and not UsageRecord.objects.exists()
    assert not any(s.startswith(("INSERT", "UPDATE", "DELETE")) for s in sql) and len(sql) <= MOST_STATEMENTS


def test_the_endpoint_runs_the_same_statements_for_10_and_1000_records(world):
    api = Client()
    AccessKey.objects.filter(pk=world.key.pk).update(last_used_at=timezone.now())
    small, large = batch(world, 10, "s"), batch(world, 1000, "l")

    few, response_few = statements(lambda: send(api, world.key, world.secret, {"records": small}))
    many, response_many = statements(lambda: send(api, world.key, world.secret, {"records": large}))

    assert response_few.status_code == response_many.status_code == 200
    assert response_many.json()["accepted"] == 999
    assert len(few) == len(many), "\n".join(many)
    # authentication (one statement), the batch, and its operation-log row (and the savepoints of its transaction)
    writes = [s for s in many if not s.startswith(("SAVEPOINT", "RELEASE"))]
    assert len(writes) <= 1 + MOST_STATEMENTS + 1, "\n".join(writes)
    assert "partnercenter_accesskey" in many[0]
