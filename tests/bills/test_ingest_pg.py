"""Two clients sending the same usage batch at once, on PostgreSQL (real unique-index waits): each record is
stored once, exactly one of the calls answers `created` for it and the others `duplicate`; the same set sent
in opposite orders too; one set of record_ids sent for two customers at once: stored once, for one of them, and
the other call answers the conflicts. (The two store that set in opposite orders; should the database break a
deadlock between them, `receive` runs the aborted call again — the interleaving that deadlocks is not forced here.)"""

import pytest
from django.db import IntegrityError, connection, transaction

from bills import ingest
from bills.errors import BillCodes
from bills.models import UsageRecord
from partnercenter.actors import actor_for_access_key
from partnercenter.models import AccessKey

from ..trade.test_concurrency_pg import at_once
from .ingest_helpers import records, usage_world

needs_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL")
pytestmark = [needs_postgres, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _platform_actor(world):
    return actor_for_access_key(AccessKey.objects.select_related("user").get(pk=world.key.pk))


def test_the_same_batch_from_two_clients_at_once_is_stored_once():
    world = usage_world()
    actor = _platform_actor(world)
    batch = records(world.customer, 500)

    outcomes = at_once([lambda: ingest.receive(actor, records=batch)] * 4)

    assert all(isinstance(o, ingest.Outcome) for o in outcomes), outcomes
    assert UsageRecord.objects.count() == 500
    assert sum(o.accepted for o in outcomes) == 500 and sum(o.duplicates for o in outcomes) == 3 * 500
    assert sum(o.failed for o in outcomes) == 0
    for index in range(500):  # each record: created by exactly one call
        assert sorted(o.results[index].status for o in outcomes) == ["created", "duplicate", "duplicate", "duplicate"]


def test_batches_of_one_set_in_opposite_orders_store_each_record_once():
    world = usage_world()
    actor = _platform_actor(world)
    batch = records(world.customer, 1000)
    # ingest inserts by (customer, record_id) whatever the order sent, so the two never wait on each other in a cycle
    forwards, backwards = batch, list(reversed(batch))

    outcomes = at_once([lambda: ingest.receive(actor, records=forwards), lambda: ingest.receive(actor, records=backwards)])

    assert all(isinstance(o, ingest.Outcome) for o in outcomes), outcomes
    assert UsageRecord.objects.count() == 1000
    assert sum(o.accepted for o in outcomes) == 1000 and sum(o.duplicates for o in outcomes) == 1000


def test_one_set_of_record_ids_sent_for_two_customers_at_once_is_stored_once_and_the_rest_conflicts():
    world = usage_world()
    actor = _platform_actor(world)
    low, high = sorted([world.customer, world.tenant.referral], key=lambda customer: customer.pk)
    # stored by (customer, record_id): the first call takes r-* then s-*, the second s-* then r-*
    first = records(low, 400, prefix="r") + records(high, 400, prefix="s")
    second = records(high, 400, prefix="r") + records(low, 400, prefix="s")

    outcomes = at_once([lambda: ingest.receive(actor, records=first), lambda: ingest.receive(actor, records=second)])

    assert all(isinstance(o, ingest.Outcome) for o in outcomes), outcomes  # no deadlock reaches the caller
    assert UsageRecord.objects.count() == 800
    assert sorted((o.accepted, o.failed) for o in outcomes) in ([(0, 800), (800, 0)], [(400, 400), (400, 400)])
    assert all(r.error_code == BillCodes.USAGE_CONFLICT for o in outcomes for r in o.results if r.status == "failed")


def test_the_usage_tables_foreign_keys_are_checked_at_each_statement():
    """The stored record's customer and unit are enforced when the statement that writes it ends, not at COMMIT
    (migration 0010: no event queued per record); a record naming a customer that does not exist fails that
    statement."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT conname, condeferrable FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f'",
                       [UsageRecord._meta.db_table])
        keys = cursor.fetchall()
    assert len(keys) == 2 and not any(deferrable for _name, deferrable in keys), keys
    world = usage_world()
    ingest.receive(_platform_actor(world), records=records(world.customer, 1))
    stored = UsageRecord.objects.get()
    with transaction.atomic():
        with pytest.raises(IntegrityError), transaction.atomic():  # refused by the UPDATE itself
            UsageRecord.objects.filter(pk=stored.pk).update(customer_id=stored.customer_id + 100000)
        with pytest.raises(IntegrityError), transaction.atomic():
            UsageRecord.objects.filter(pk=stored.pk).update(usage_measure_id=987654)
