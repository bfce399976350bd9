"""Month close at once, on PostgreSQL (real row locks): six closes of one month in six threads close it once;
a writer of fee records that holds the cycle's landing lock (closing.lock_landing) makes the close wait, so its
record is in the sums; a writer that comes after the close lands in the next cycle as an adjustment."""

import threading

import pytest
from django.db import connection, connections, transaction

from bills import closing
from bills.choices import PeriodStatus
from bills.models import BillingPeriod, CustomerMonthlySum, FeeRecord, PartnerBill
from customers.models import Association
from events.models import Event
from partnercenter.actors import SCHEDULER
from partnercenter.models import OperationLog

from ..conftest import build_tenant
from ..trade.test_concurrency_pg import at_once
from .closing_helpers import D, at, fee

needs_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL")
pytestmark = [needs_postgres, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

MARCH = "2026-03"


@pytest.fixture
def world():
    with at("2026-02-10 10:00"):
        tenants = [build_tenant(tag) for tag in "ab"]
    for tenant in tenants:
        for customer in (tenant.resale, tenant.referral):
            association = Association.objects.get(customer=customer, ended_on__isnull=True)
            for amount in ("1.00", "2.50", "3.25"):
                fee(customer, cycle=MARCH, association=association, official=amount)
    return tenants


def _close():
    with at("2026-04-01 00:30"):
        return closing.close_month(SCHEDULER, bill_cycle=MARCH)


def test_six_closes_at_once_close_the_month_once(world):
    outcomes = at_once([_close] * 6)
    assert all(not isinstance(o, Exception) for o in outcomes), outcomes
    assert sorted(o.closed for o in outcomes) == [False] * 5 + [True]
    assert CustomerMonthlySum.objects.count() == 4
    assert sum(CustomerMonthlySum.objects.values_list("consume_amount", flat=True)) == D("27.00")
    assert PartnerBill.objects.count() == 2
    assert Event.objects.filter(type="bill.closed").count() == 2
    assert OperationLog.objects.filter(action="bills.close_month").count() == 1
    assert BillingPeriod.objects.get(bill_cycle=MARCH).fee_records == 12


def _wait_until_someone_waits_for_a_lock(done):
    with connection.cursor() as cursor:
        while not done.is_set():
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                           "AND datname = current_database()")
            if cursor.fetchone()[0]:
                return True
    return False


def test_a_writer_holding_the_landing_lock_is_in_the_sums_a_later_one_lands_in_april(world):
    tenant = world[0]
    association = Association.objects.get(customer=tenant.resale, ended_on__isnull=True)
    BillingPeriod.objects.create(bill_cycle=MARCH)  # an earlier writer made it: only the row lock can hold the close
    locked, closed, results = threading.Event(), threading.Event(), {}

    def writer():
        try:
            with transaction.atomic():
                results["landing"] = closing.lock_landing([MARCH])
                fee(tenant.resale, cycle=MARCH, association=association, official="100.00")
                locked.set()
                results["close_waited"] = _wait_until_someone_waits_for_a_lock(closed)
        finally:
            connections.close_all()

    def closer():
        try:
            locked.wait(30)
            results["close"] = _close()
        finally:
            closed.set()
            connections.close_all()

    threads = [threading.Thread(target=writer), threading.Thread(target=closer)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert results["landing"] == {MARCH: (MARCH, False)}
    assert results["close_waited"] is True and results["close"].closed
    assert BillingPeriod.objects.get(bill_cycle=MARCH).status == PeriodStatus.CLOSED
    assert sum(CustomerMonthlySum.objects.values_list("consume_amount", flat=True)) == D("127.00")
    with transaction.atomic():
        assert closing.lock_landing([MARCH]) == {MARCH: ("2026-04", True)}
    assert FeeRecord.objects.filter(bill_cycle=MARCH).count() == 13
