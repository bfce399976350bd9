"""Rating at once, on PostgreSQL (real row locks, SKIP LOCKED): runs started together rate each record once;
two runs naming the same record rate it once; rating racing allocations to customers in arrears keeps every
balance, arrears and fee record exact."""

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, connections, transaction

from billing import services as billing
from bills import rating
from bills.choices import UsageStatus
from bills.models import FeeRecord, UsageRecord, UsageWaiting

from ..factories import PartnerFactory
from .rating_helpers import ECS, OBS_UPFLOW, D, World, account, check_books, rate, usage

needs_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL")
pytestmark = [needs_postgres, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def at_once(jobs):
    """Every job in its own thread and connection, released together; their outcomes (result or exception)."""
    start = threading.Barrier(len(jobs))

    def run(job):
        try:
            start.wait(30)
            return job()
        except Exception as exc:
            return exc
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        return list(pool.map(run, jobs))


def test_concurrent_runs_rate_every_record_once():
    """600 records of two customers (0.22 and 0.50 each), four runs at once in batches of 50: 600 fee records,
    every record rated once, and the money exact: the resale customer's 30.00 pays 30.00, the rest is arrears."""
    world = World()
    world.allocate("30.00")
    for i in range(300):
        usage(world.resale, ECS if i % 2 else OBS_UPFLOW, amount="1")
        usage(world.referral, ECS)

    outcomes = at_once([lambda: rate(batch_size=50)] * 4)

    assert all(isinstance(o, rating.BatchResult) for o in outcomes), outcomes
    assert sum(o.rated for o in outcomes) == 600 and sum(o.claimed for o in outcomes) == 600
    assert FeeRecord.objects.count() == 600
    assert {u.status for u in UsageRecord.objects.select_related("fee_record")} == {UsageStatus.RATED}
    assert not UsageWaiting.objects.exists()
    resale = account(world.resale)
    assert (resale.balance, resale.arrears) == (D("0.00"), D("150") * D("0.22") + D("150") * D("0.50") - D("30.00"))
    assert account(world.referral).arrears == D("300") * D("0.22")
    check_books()


def test_two_runs_naming_the_same_records_rate_them_once():
    world = World()
    records = [usage(world.resale, ECS).pk for _i in range(20)]
    outcomes = at_once([lambda: rating.rate_batch(ids=records)] * 6)
    assert sum(o.rated for o in outcomes) == 20, outcomes
    assert FeeRecord.objects.count() == 20
    check_books()


def test_rating_racing_allocations_keeps_the_books():
    """A customer in arrears gets ten allocations of 1.00 while two runs rate 100 more hours (22.00): in every
    order the money comes out the same — 10.00 paid, 22.00 + 1.10 owed, less what was paid."""
    world = World()
    for _i in range(5):
        usage(world.resale, ECS)
    rate()  # 1.10 of arrears
    for _i in range(100):
        usage(world.resale, ECS)

    jobs = [lambda: rate(batch_size=10)] * 2 + [lambda: billing.allocate_to_customer(
        world.admin, customer_id=world.resale.domain_id, amount="1.00")] * 10
    outcomes = at_once(jobs)

    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert FeeRecord.objects.count() == 105
    acct = account(world.resale)
    total = D("105") * D("0.22")
    assert acct.arrears - acct.balance == total - D("10.00")
    assert acct.balance == 0 or acct.arrears == 0
    paid = sum(f.cash_amount + f.writeoff_amount for f in FeeRecord.objects.all())
    assert paid == D("10.00") - acct.balance
    assert sum(f.debt_amount for f in FeeRecord.objects.all()) == acct.arrears
    check_books()


def test_the_task_twice_at_once_is_once():
    from bills.tasks_rating import run

    world = World()
    world.allocate("5.00")
    for _i in range(50):
        usage(world.resale, ECS)
    outcomes = at_once([lambda: run(budget_seconds=60, batch_size=7)] * 3)
    assert sum(o["rated"] for o in outcomes) == 50
    assert account(world.resale).arrears == D("50") * D("0.22") - D("5.00")
    assert Decimal(FeeRecord.objects.count()) == 50
    check_books()


def test_the_fee_tables_foreign_keys_are_checked_at_each_statement():
    """The references to whom the money belongs are enforced, none deferred to COMMIT: the customer, and the
    association with its partner as one composite key (the partner must be the association's); the usage
    record and the catalogue rows are references without constraints (bills/models.py's FeeRecord says why),
    the usage record still one fee record's only. A fee record naming a customer that does not exist, or
    another partner than its association's, fails the statement that writes it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT array_agg(a.attname::text ORDER BY k.n), c.condeferrable, c.confrelid::regclass::text "
                       "FROM pg_constraint c CROSS JOIN unnest(c.conkey) WITH ORDINALITY k(attnum, n) "
                       "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum "
                       "WHERE c.conrelid = %s::regclass AND c.contype = 'f' GROUP BY c.oid, c.condeferrable",
                       [FeeRecord._meta.db_table])
        keys = sorted((tuple(columns), deferrable, target) for columns, deferrable, target in cursor.fetchall())
    assert keys == [(("association_id", "partner_id"), False, "customers_association"),
                    (("customer_id",), False, "customers_customer")]
    world = World()
    record = usage(world.resale, ECS)
    rate()
    fee = FeeRecord.objects.get(usage_record=record)
    assert fee.partner_id == world.partner.pk and fee.association.partner_id == world.partner.pk
    other = PartnerFactory()
    with transaction.atomic():  # refused by the UPDATE itself, not at COMMIT
        with pytest.raises(IntegrityError), transaction.atomic():
            FeeRecord.objects.filter(pk=fee.pk).update(customer_id=world.resale.pk + 100000)
        with pytest.raises(IntegrityError), transaction.atomic():  # not the association's partner
            FeeRecord.objects.filter(pk=fee.pk).update(partner_id=other.pk)
    with transaction.atomic():
        with pytest.raises(IntegrityError), transaction.atomic():  # one fee record per usage record
            FeeRecord.objects.create(**{f.attname: getattr(fee, f.attname) for f in FeeRecord._meta.concrete_fields
                                        if not f.primary_key and f.attname != "record_id"})
    assert FeeRecord.objects.get().customer_id == world.resale.pk
