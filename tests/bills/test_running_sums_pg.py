"""The running monthly sums (bills.models.RunningSum), kept by PostgreSQL's triggers on the fee records: the
same groups and amounts as the month close computes, moved by every insert, update, delete and TRUNCATE of
fee records, and what an open month's lists read (bills.selectors)."""

from decimal import Decimal

import pytest
from django.db import connection

from bills import running_sums, selectors
from bills.choices import FeeStatus
from bills.models import CustomerMonthlySum, FeeRecord, RunningSum

from ..conftest import actor_of
from .closing_helpers import fee
from .test_closing import MARCH, World, close

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(connection.vendor != "postgresql", reason="the triggers are PostgreSQL's")]

GROUP = ("bill_cycle", "customer_id", "association_id", "partner_id", "service_type_id", "resource_type_id",
         "charging_mode", "bill_type", "records", "official_amount", "discount_amount", "erase_amount",
         "consume_amount", "coupon_amount", "flexipurchase_coupon_amount", "cash_amount", "debt_amount",
         "writeoff_amount", "partner_cash_amount")


@pytest.fixture
def w():
    return World()


def test_the_running_sums_are_what_the_month_close_computes(w):
    assert running_sums.differences() == []
    close()
    closed = sorted(CustomerMonthlySum.objects.filter(bill_cycle=MARCH).values_list(*GROUP))
    running = sorted(RunningSum.objects.filter(bill_cycle=MARCH, records__gt=0).values_list(*GROUP))
    assert running == closed and len(closed) >= 8  # a customer without a partner (NULL keys) among them


def test_updates_deletes_and_truncate_move_the_sums(w):
    record = fee(w.r, cycle="2026-05", association=w.ra, official="8.00", debt="3.00")
    FeeRecord.objects.filter(pk=record.pk).update(debt_amount=Decimal("0.00"), writeoff_amount=Decimal("3.00"),
                                                  status=FeeStatus.PAID)  # as bills.arrears writes it off
    assert running_sums.differences() == []
    group = RunningSum.objects.get(bill_cycle="2026-05", customer=w.r)
    assert (group.records, group.debt_amount, group.writeoff_amount) == (1, 0, 3)
    FeeRecord.objects.filter(pk=record.pk).delete()
    assert running_sums.differences() == []
    assert RunningSum.objects.get(pk=group.pk).records == 0
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # (TRUNCATE refuses pending deferred checks)
        cursor.execute(f"TRUNCATE {FeeRecord._meta.db_table} CASCADE")
    assert not RunningSum.objects.exists()


def test_an_open_month_is_read_from_the_running_sums(w, django_assert_max_num_queries):
    RunningSum.objects.filter(bill_cycle=MARCH, customer=w.r).update(consume_amount=Decimal("12345.00"))  # marked
    rows, closed = selectors.cycle_rows(actor_of(w.a.admin), MARCH, whole=True)
    assert not closed and rows.model is RunningSum
    total = sum(row["consume_amount"] for row in selectors.summed(rows, "customer__domain_id")
                if row["customer__domain_id"] == w.r.domain_id)
    assert total >= Decimal("12345.00")
    assert w.r.domain_id in [row["customer__domain_id"]
                             for row in selectors.consuming_customers(actor_of(w.a.admin), MARCH)]


def test_a_customers_month_is_counted_from_the_running_sums_until_something_else_filters_it(w):
    from django.test.utils import CaptureQueriesContext

    from bills.choices import BillType
    from partnercenter.api.pagination import count

    admin = actor_of(w.a.admin)
    records = selectors.customer_month_records(admin, MARCH, w.r.domain_id)
    real = FeeRecord.objects.filter(bill_cycle=MARCH, customer=w.r, partner=w.a.partner).count()
    with CaptureQueriesContext(connection) as queries:
        assert count(selectors.with_display(records)) == real >= 5
    assert len(queries) == 1 and "bills_runningsum" in queries[0]["sql"]
    refunds = records.filter(bill_type=BillType.REFUND)
    with CaptureQueriesContext(connection) as queries:
        assert count(refunds) == 1
    assert "bills_feerecord" in queries[0]["sql"]  # filtered further: the records are counted
    assert count(selectors.customer_month_records(actor_of(w.c.admin), MARCH, w.r.domain_id)) == 0  # not theirs


def test_the_verify_command_finds_a_wrong_sum_and_a_disabled_trigger(w):
    from io import StringIO

    from django.core.management import CommandError, call_command

    out = StringIO()
    call_command("verify_running_sums", stdout=out)
    assert "Running sums verified" in out.getvalue()
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # (ALTER TABLE refuses pending deferred checks)
        cursor.execute("ALTER TABLE bills_feerecord DISABLE TRIGGER bills_running_sums_ins")
    with pytest.raises(CommandError, match="0 differences, 1 triggers missing"):
        call_command("verify_running_sums", "--cycle", MARCH, stderr=StringIO())
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE bills_feerecord ENABLE TRIGGER bills_running_sums_ins")
    RunningSum.objects.filter(bill_cycle=MARCH, customer=w.r).update(records=99)
    with pytest.raises(CommandError, match="differences, 0 triggers"):
        call_command("verify_running_sums", "--cycle", MARCH, stderr=StringIO())
