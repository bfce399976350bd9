"""The daily run (bills.tasks_closing.close_months) and `manage.py close_month`: every month before the current
Asia/Shanghai month that is not closed and had fee records or partner ledger movements is closed, oldest first,
and the previous month even when empty; a second run closes nothing."""

from io import StringIO

import pytest
from django.utils import translation
from django.core.management import CommandError, call_command

from billing.rebates import credit_rebate
from bills import closing
from bills.choices import PeriodStatus
from bills.models import BillingPeriod, CustomerMonthlySum, PartnerBill
from bills.tasks_closing import close_months
from customers.models import Association
from partnercenter.actors import SCHEDULER

from ..billing_helpers import fund
from ..conftest import build_tenant
from .closing_helpers import at, fee

pytestmark = pytest.mark.django_db


@pytest.fixture
def tenant(db):
    with at("2025-11-20 10:00"):
        tenant = build_tenant("a")
    association = Association.objects.get(customer=tenant.resale, ended_on__isnull=True)
    fee(tenant.resale, cycle="2025-12", association=association, official="5.00")
    with at("2026-01-15 10:00"):
        fund(tenant.partner, "50.00")  # January: ledger movements only
    fee(tenant.resale, cycle="2026-02", association=association, official="7.00")
    return tenant


def closed():
    return list(BillingPeriod.objects.filter(status=PeriodStatus.CLOSED).order_by("closed_at", "id")
                .values_list("bill_cycle", flat=True))


def test_the_run_closes_every_missed_month_oldest_first_and_the_empty_previous_one(tenant):
    with at("2026-04-01 00:30"):
        assert closing.due_cycles() == ["2025-12", "2026-01", "2026-02", "2026-03"]
        assert close_months() == ["2025-12", "2026-01", "2026-02", "2026-03"]
    # November (the tenant was built then, but no partner money moved) had nothing; oldest closed first
    assert [p.bill_cycle for p in BillingPeriod.objects.order_by("id")] == ["2025-12", "2026-01", "2026-02",
                                                                             "2026-03"]
    assert closed() == ["2025-12", "2026-01", "2026-02", "2026-03"]
    assert set(PartnerBill.objects.values_list("bill_cycle", flat=True)) == {"2025-12", "2026-01", "2026-02"}
    assert CustomerMonthlySum.objects.filter(bill_cycle="2026-02").get().consume_amount == 7
    with at("2026-04-02 00:30"):
        assert close_months() == []
        assert closing.due_cycles() == []


def test_a_month_whose_only_partner_movement_is_the_rebate_account_is_not_closed(tenant):
    with at("2026-03-10 10:00"):
        credit_rebate(tenant.partner, "3.00", trans_id="incentive-2026-02")  # an incentive credited in March
    with at("2026-05-01 00:30"):
        assert closing.due_cycles() == ["2025-12", "2026-01", "2026-02", "2026-04"]


def test_months_already_closed_are_skipped_and_the_current_month_is_never_closed(tenant):
    with at("2026-02-01 00:30"):
        closing.close_month(SCHEDULER, bill_cycle="2026-01")
    with at("2026-02-20 12:00"):
        assert close_months() == ["2025-12"]  # January was closed; February is the current month
    assert BillingPeriod.objects.filter(bill_cycle="2026-02").exists() is False


def test_with_nothing_at_all_the_previous_month_is_closed_empty(db):
    with at("2026-04-01 00:30"):
        assert close_months() == ["2026-03"]
    assert BillingPeriod.objects.get().fee_records == 0


def test_the_command_closes_one_cycle_or_every_due_one(tenant):
    out = StringIO()
    with at("2026-04-01 00:30"):
        call_command("close_month", "--cycle", "2026-02", stdout=out)
        assert "2026-02 closed: 1 fee records of 1 customers, 1 monthly sums, 1 partner bills." in out.getvalue()
        call_command("close_month", "--cycle", "2026-02", stdout=out)
        assert "2026-02 was already closed; nothing changed." in out.getvalue()
        call_command("close_month", stdout=out)
        assert closed() == ["2026-02", "2025-12", "2026-01", "2026-03"]
        with pytest.raises(CommandError):
            call_command("close_month", "--cycle", "2026/02", stdout=out)
        with pytest.raises(CommandError, match="after it has ended"), translation.override("en"):
            call_command("close_month", "--cycle", "2026-04", stdout=out)
