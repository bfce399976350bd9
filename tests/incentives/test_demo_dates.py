"""`manage.py seed_demo` (the incentives demo runs last, on every other app's demo) at dates across the year —
turns of the year and of quarters, a national holiday, a year chinese-calendar does not know — completes and
leaves what issue 17 item 7 promises: policies in force this month and the last three, three closed months with
statements in every state, a dispute, a withdrawal paid and one pending, last quarter's FH payment applied for
(all its months final, invoice entered) and a quarter in progress whose previous month's list is open, due."""

import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command

from bills.choices import PeriodStatus
from bills.models import BillingPeriod, PartnerBill
from bills.selectors import HISTORY_MONTHS
from incentives import fh_payments, policies
from incentives.choices import FhMonthStatus, FhPaymentStatus, StatementStatus, WithdrawalStatus
from incentives.models import FhMonth, FhPayment, IncentiveStatement, RebateWithdrawal
from incentives.selectors_fh import month_start, previous_month
from partnercenter import workdays
from partnercenter.models import Partner

SHANGHAI = workdays.SHANGHAI

DATES = [
    dt.datetime(2026, 1, 15, 10, 0),   # Q1: last quarter's final month (December) is the list due; year wraps
    dt.datetime(2026, 2, 20, 10, 0),   # during the Spring Festival holiday
    dt.datetime(2026, 4, 10, 10, 0),   # Q2: March is the list due
    dt.datetime(2026, 7, 15, 10, 0),
    dt.datetime(2026, 10, 1, 10, 0),   # National Day: the list generated today, its clock starts after it
    dt.datetime(2026, 12, 15, 10, 0),  # the month after is next year's
    dt.datetime(2027, 1, 15, 10, 0),   # beyond the chinese-calendar package's years
]


def _months_back(month: dt.date, n: int) -> dt.date:
    for _ in range(n):
        month = previous_month(month)
    return month


@pytest.mark.parametrize("at", DATES, ids=[f"{d:%Y-%m-%d}" for d in DATES])
def test_the_demo_seeds_at_any_date_and_shows_every_promised_state(db, at):
    now = at.replace(tzinfo=SHANGHAI)
    with time_machine.travel(now, tick=True):
        call_command("seed_demo", stdout=io.StringIO())
        call_command("seed_demo", stdout=io.StringIO())      # idempotent on the same day
        today = workdays.local_date(now)
        this_month = month_start(today)
        bj = Partner.objects.get(account_name="bj-zhiyun")

        # policies in force this month and the last three: the programme's for bj, a general one otherwise
        for back in range(4):
            found = policies.policies_for(bj, _months_back(this_month, back))
            assert {code: p.code for code, p in found.items()} == {"1": "sp-referral", "2": "sp-resale"}

        # three closed months, statements in every state, a dispute open and one answered
        cycles = sorted(BillingPeriod.objects.filter(status=PeriodStatus.CLOSED).values_list("bill_cycle", flat=True))
        assert cycles[-3:] == [f"{_months_back(this_month, n):%Y-%m}" for n in (3, 2, 1)]
        # … and every older month the pages list (HISTORY_MONTHS, the current one open): none reads 未出账
        assert cycles == [f"{_months_back(this_month, n):%Y-%m}" for n in range(HISTORY_MONTHS - 1, 0, -1)]
        # bj was funded before them (billing.demo): each closed month's bill shows the credit account it had
        bills = PartnerBill.objects.filter(partner=bj, bill_cycle__in=cycles[-3:])
        assert sorted((b.bill_cycle, b.credit_limit) for b in bills) == [(c, Decimal("20000.00")) for c in cycles[-3:]]
        mine = IncentiveStatement.objects.filter(partner=bj)
        assert set(mine.values_list("status", flat=True)) == set(StatementStatus.values)
        assert set(mine.values_list("bill_cycle", flat=True)) == set(cycles[-3:])
        assert mine.filter(status=StatementStatus.DISPUTED).exclude(dispute_reason="").exists()
        assert mine.filter(status=StatementStatus.FINAL).exclude(dispute_reason="").exclude(answer="").exists()

        # the rebate: one withdrawal paid, one pending
        withdrawals = sorted(RebateWithdrawal.objects.filter(partner=bj).values_list("status", flat=True))
        assert withdrawals == sorted([WithdrawalStatus.PAID, WithdrawalStatus.PENDING])

        # FH: the previous month's list is open and due within its 14 working days
        due_month = previous_month(this_month)
        due = FhMonth.objects.get(partner=bj, month=due_month)
        assert due.status == FhMonthStatus.GENERATED
        assert now < due.deadline <= workdays.sla_deadline(now, settings.FH_CHECK_WORKING_DAYS)
        # … in a quarter in progress: nothing applied for, the months before the due one final
        in_progress = fh_payments.quarter_of(due_month)
        assert not FhPayment.objects.filter(partner=bj, year=in_progress[0], quarter=in_progress[1]).exists()
        for month in fh_payments.quarter_months(*in_progress):
            if month < due_month:
                assert FhMonth.objects.get(partner=bj, month=month).status == FhMonthStatus.FINAL
        # the quarter before it: every month final, the payment approved with its invoice number
        last_year, last_quarter = fh_payments.quarter_of(_months_back(fh_payments.quarter_months(*in_progress)[0], 1))
        months = FhMonth.objects.filter(partner=bj, month__in=fh_payments.quarter_months(last_year, last_quarter))
        assert sorted(months.values_list("status", flat=True)) == [FhMonthStatus.FINAL] * 3
        payment = FhPayment.objects.get(partner=bj, year=last_year, quarter=last_quarter)
        assert payment.status == FhPaymentStatus.INVOICED and payment.invoice_number
