"""The FH list's 14-working-day check (您须在激励生成后14个工作日内核对激励，超出时间未核对系统将默认激励失效), with a frozen
clock across a real holiday: September 2026's list is generated on 1 October, in the National Day holiday
(1–7 October off, Saturday 10 October an adjusted working day), so its clock starts on Thursday 8 October and the
14th full working day is Monday 26 October — due at 00:00 on the 27th. The day before, it can be submitted; the
day after, it is refused and the task lapses it; the lapse and the reminder happen once."""

from datetime import date, timedelta

import pytest
import time_machine
from django.utils import translation

from events import types as events_types
from events.models import Event
from incentives import fh_generation, fh_months
from incentives.choices import FhMonthStatus
from incentives.errors_fh import FhCodes
from incentives.event_types_fh import FH_LIST_DUE_SOON, FH_LIST_GENERATED, FH_LIST_LAPSED, FH_LIST_REVIEWED
from incentives.models_fh import FhMonth
from partnercenter.errors import DomainError
from partnercenter.models import OperationLog

from ..conftest import actor_of
from .fh_fixtures import EACH, fh_partner, generate_at, make_operator, pdf, shanghai

pytestmark = pytest.mark.django_db

NATIONAL_DAY = shanghai(2026, 10, 1, 0, 15)       # the beat's first run of October
DEADLINE = shanghai(2026, 10, 27, 0, 0)           # after 8–10, 12–16, 19–23 and 26 October (14 working days)


@pytest.fixture
def world(tenant_a, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path)
    return fh_partner(tenant_a)


@pytest.fixture
def september(world):
    assert generate_at(NATIONAL_DAY) == 1
    return FhMonth.objects.get(partner=world.partner)


def _status(row):
    row.refresh_from_db()
    return row.status


def _check_and_submit(world, row, at):
    actor = actor_of(world.tenant.admin)
    with time_machine.travel(at, tick=False):
        fh_months.check_lines(actor, fh_month=row, kept=[line.pk for line in row.lines.all()])
        fh_months.upload_materials(actor, fh_month=row, files=[pdf()])
        return fh_months.submit(actor, fh_month=row)


def test_the_list_generated_in_the_holiday_is_due_after_14_full_working_days(world, september):
    assert september.month == date(2026, 9, 1)
    assert september.generated_at == NATIONAL_DAY
    assert september.deadline == DEADLINE
    assert september.status == FhMonthStatus.GENERATED
    assert september.amount == 2 * EACH and september.lines.count() == 2
    event = Event.objects.get(type=FH_LIST_GENERATED, partner=world.partner)
    assert event.data["deadline"] == "2026-10-26T16:00:00Z" and event.data["month"] == "2026-09"
    assert event.key == f"{FH_LIST_GENERATED}:{september.pk}"
    with translation.override("en"):   # the notification names the deadline in China time and the amount
        text = events_types.get(FH_LIST_GENERATED).text(event.data)
    assert "2026-10-27 00:00:00" in text and "¥16,000.00" in text and "2026-09" in text, text


def test_on_an_ordinary_working_day_the_deadline_is_14_working_days_later_at_the_same_time(world):
    # Monday 1 June 2026; Dragon Boat Festival Friday 19 June is a day off
    generate_at(shanghai(2026, 6, 1, 9, 15))
    assert FhMonth.objects.get(month=date(2026, 5, 1)).deadline == shanghai(2026, 6, 22, 9, 15)


def test_the_day_before_the_deadline_it_can_be_submitted(world, september):
    submitted = _check_and_submit(world, september, shanghai(2026, 10, 26, 23, 59))   # the last minute of the 26th

    assert submitted.status == FhMonthStatus.SUBMITTED
    assert submitted.submitted_at == shanghai(2026, 10, 26, 23, 59)
    assert fh_generation.lapse_overdue(now=DEADLINE + timedelta(days=1)) == 0
    assert _status(september) == FhMonthStatus.SUBMITTED


def test_the_day_after_the_deadline_it_is_refused_and_the_task_lapses_it_once(world, september):
    actor = actor_of(world.tenant.admin)
    assert fh_generation.lapse_overdue(now=DEADLINE - timedelta(minutes=1)) == 0      # 26 October 23:59: in time

    with time_machine.travel(shanghai(2026, 10, 27, 10, 0), tick=False):           # the day after: refused
        with pytest.raises(DomainError) as refused:
            fh_months.upload_materials(actor, fh_month=september, files=[pdf()])
        assert refused.value.code == FhCodes.DEADLINE_PASSED
        with pytest.raises(DomainError) as refused:
            fh_months.submit(actor, fh_month=september)
        assert refused.value.code == FhCodes.DEADLINE_PASSED
        assert _status(september) == FhMonthStatus.GENERATED                        # the task has not run yet

        assert fh_generation.lapse_overdue() == 1
        assert fh_generation.lapse_overdue() == 0                                   # idempotent
    assert fh_generation.lapse_overdue(now=shanghai(2026, 11, 30, 10, 0)) == 0      # and late

    september.refresh_from_db()
    assert september.status == FhMonthStatus.LAPSED and september.lapsed_at == shanghai(2026, 10, 27, 10, 0)
    assert Event.objects.filter(type=FH_LIST_LAPSED, partner=world.partner).count() == 1
    assert OperationLog.objects.filter(action="incentives.fh_lapse", partner=world.partner).count() == 1
    with time_machine.travel(shanghai(2026, 10, 28, 10, 0), tick=False), pytest.raises(DomainError) as refused:
        fh_months.submit(actor, fh_month=september)
    assert refused.value.code == FhCodes.DEADLINE_PASSED


def test_a_returned_list_keeps_its_deadline(world, september, settings):
    operator = actor_of(make_operator())
    _check_and_submit(world, september, shanghai(2026, 10, 20, 10, 0))
    with time_machine.travel(shanghai(2026, 10, 22, 10, 0), tick=False):
        fh_months.return_list(operator, fh_month=september, reason="请补充社保证明")
    assert _status(september) == FhMonthStatus.RETURNED
    assert Event.objects.get(type=FH_LIST_REVIEWED).data["decision"] == "returned"

    with time_machine.travel(shanghai(2026, 10, 26, 15, 0), tick=False):            # still in time
        fh_months.submit(actor_of(world.tenant.admin), fh_month=september)
    assert _status(september) == FhMonthStatus.SUBMITTED

    with time_machine.travel(shanghai(2026, 10, 28, 10, 0), tick=False):
        fh_months.return_list(operator, fh_month=september, reason="再次补充")
        assert fh_generation.lapse_overdue() == 1                                   # returned after its deadline
    assert _status(september) == FhMonthStatus.LAPSED


def test_the_reminder_goes_out_once_one_working_day_before(world, september):
    assert fh_generation.remind_due(now=shanghai(2026, 10, 23, 12, 0)) == 0          # Friday: two working days left
    assert fh_generation.remind_due(now=shanghai(2026, 10, 26, 9, 0)) == 1           # Monday, the last working day
    assert fh_generation.remind_due(now=shanghai(2026, 10, 26, 15, 0)) == 0          # once
    event = Event.objects.get(type=FH_LIST_DUE_SOON)
    assert event.data["fh_month_id"] == september.pk and event.key == f"{FH_LIST_DUE_SOON}:{september.pk}"
    assert fh_generation.remind_due(now=DEADLINE + timedelta(minutes=1)) == 0        # past it: the lapse's business


def test_a_submitted_list_is_not_reminded(world, september):
    _check_and_submit(world, september, shanghai(2026, 10, 20, 10, 0))
    assert fh_generation.remind_due(now=shanghai(2026, 10, 26, 9, 0)) == 0
