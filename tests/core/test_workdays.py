"""China's working-day calendar (partnercenter/workdays.py).

The 2026 values were checked against the State Council's notice (国办发明电〔2025〕7号) AND against the installed
chinese-calendar 1.11.0 (both agree, asserted below): Spring Festival 15–23 February off, Saturdays 14 and
28 February worked; National Day and Mid-Autumn 1–7 October off, Sunday 20 September and Saturday 10 October
worked."""

import datetime as dt
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest
import time_machine
from django.core import checks
from django.urls import reverse

from partnercenter import workdays
from partnercenter.checks import workday_calendar_years
from partnercenter.models import WorkdayOverride
from partnercenter.workdays import (
    SHANGHAI, WorkdayCalendar, add_working_days, is_working_day, known_years, sla_deadline, working_days_left,
    year_is_known,
)

pytestmark = pytest.mark.django_db
D = dt.date


def sh(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


@pytest.mark.parametrize("day,working", [
    (D(2026, 2, 13), True), (D(2026, 2, 14), True),     # Fri; Sat worked (调休)
    (D(2026, 2, 15), False), (D(2026, 2, 23), False),   # 春节 15–23 Feb
    (D(2026, 2, 24), True), (D(2026, 2, 28), True),     # back on Tue; Sat 28 worked
    (D(2026, 9, 20), True),                             # Sun worked
    (D(2026, 10, 1), False), (D(2026, 10, 7), False),   # 国庆 + 中秋 1–7 Oct
    (D(2026, 10, 8), True), (D(2026, 10, 10), True),    # Thu; Sat 10 worked
    (D(2026, 10, 11), False),                           # an ordinary Sunday
])
def test_2026_official_days_agree_with_the_package(day, working):
    assert chinese_calendar.is_workday(day) is working  # the package says what the notice says
    assert is_working_day(day) is working


def test_spring_festival_2026():
    # Friday 13 Feb 10:00 + 1 → Saturday 14 (worked); + 2 → Tuesday 24 (after 15–23 off)
    assert add_working_days(sh("2026-02-13T10:00"), 1) == sh("2026-02-14T10:00")
    assert add_working_days(sh("2026-02-13T10:00"), 2) == sh("2026-02-24T10:00")
    assert add_working_days(sh("2026-02-13T10:00"), 3) == sh("2026-02-25T10:00")
    # Thu 26, Fri 27, Sat 28 (worked), Mon 2 March
    assert add_working_days(sh("2026-02-25T09:30"), 3) == sh("2026-02-28T09:30")
    assert add_working_days(sh("2026-02-25T09:30"), 4) == sh("2026-03-02T09:30")
    # Shared on a holiday: counted from the next working day
    assert add_working_days(sh("2026-02-18T12:00"), 1) == sh("2026-02-24T12:00")


def test_national_day_2026():
    # Fri 18 Sep → Sun 20 (worked; Sat 19 off) → Mon 21
    assert add_working_days(sh("2026-09-18T15:00"), 1) == sh("2026-09-20T15:00")
    assert add_working_days(sh("2026-09-18T15:00"), 2) == sh("2026-09-21T15:00")
    # Tue 29, Wed 30, then 1–7 October off, Thu 8, Fri 9, Sat 10 (worked), Mon 12
    assert add_working_days(sh("2026-09-29T10:00"), 1) == sh("2026-09-30T10:00")
    assert add_working_days(sh("2026-09-29T10:00"), 2) == sh("2026-10-08T10:00")
    assert add_working_days(sh("2026-09-29T10:00"), 3) == sh("2026-10-09T10:00")
    assert add_working_days(sh("2026-09-29T10:00"), 4) == sh("2026-10-10T10:00")
    assert add_working_days(sh("2026-09-29T10:00"), 5) == sh("2026-10-12T10:00")
    # The contract's example: shared Monday 10:00, n=3 → Thursday 10:00
    assert add_working_days(sh("2026-10-12T10:00"), 3) == sh("2026-10-15T10:00")
    assert add_working_days(sh("2026-10-12T10:00"), 0) == sh("2026-10-12T10:00")
    assert add_working_days(sh("2026-10-08T10:00"), -1) == sh("2026-09-30T10:00")


def test_working_days_left_across_national_day():
    deadline = sh("2026-10-09T10:00")
    assert working_days_left(deadline, now=sh("2026-09-29T08:00")) == 3   # 30 Sep, 8 Oct, 9 Oct
    assert working_days_left(deadline, now=sh("2026-10-03T08:00")) == 2
    assert working_days_left(deadline, now=sh("2026-10-08T23:59")) == 1
    assert working_days_left(deadline, now=sh("2026-10-09T09:00")) == 0   # due today
    assert working_days_left(deadline, now=sh("2026-10-12T09:00")) == 0   # overdue
    with time_machine.travel(sh("2026-10-08T12:00"), tick=False):
        assert working_days_left(deadline) == 1


def test_an_override_always_wins():
    monday = D(2026, 11, 16)
    saturday = D(2026, 11, 21)
    assert is_working_day(monday) and not is_working_day(saturday)
    WorkdayOverride.objects.create(date=monday, is_working_day=False, note="typhoon")
    WorkdayOverride.objects.create(date=saturday, is_working_day=True, note="make-up day")
    assert not is_working_day(monday)
    assert is_working_day(saturday)
    # Fri 13 → (Mon 16 off) Tue 17
    assert add_working_days(sh("2026-11-13T10:00"), 1) == sh("2026-11-17T10:00")
    # Overrides also win over the package's holidays
    WorkdayOverride.objects.create(date=D(2026, 10, 2), is_working_day=True)
    assert add_working_days(sh("2026-09-30T10:00"), 1) == sh("2026-10-02T10:00")
    # Tue 17 … Fri 20 + Sat 21: 5 working days left from Mon 16 to Sat 21
    assert working_days_left(sh("2026-11-21T18:00"), now=sh("2026-11-16T09:00")) == 5


def test_a_saved_override_is_seen_by_the_next_call():
    assert is_working_day(D(2026, 12, 1))
    WorkdayOverride.objects.create(date=D(2026, 12, 1), is_working_day=False)
    assert not is_working_day(D(2026, 12, 1))
    WorkdayOverride.objects.filter(date=D(2026, 12, 1)).delete()
    assert is_working_day(D(2026, 12, 1))


def test_a_year_the_package_does_not_know():
    assert list(known_years())[:1] == [2004] and 2026 in known_years()
    assert not year_is_known(2027)
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(D(2027, 1, 1))
    # Weekends plus the fixed-date statutory holidays: 1 Jan 2027 is a Friday, off
    assert not is_working_day(D(2027, 1, 1))
    assert not is_working_day(D(2027, 1, 2))
    # A deadline set in the last days of December 2026 falls in 2027: no crash on New Year
    assert add_working_days(sh("2026-12-30T16:00"), 3) == sh("2027-01-05T16:00")   # Thu 31, Mon 4, Tue 5
    with time_machine.travel(sh("2027-01-01T00:00:01"), tick=False):
        assert working_days_left(sh("2027-01-05T16:00")) == 2
        assert add_working_days(dt.datetime.now(tz=SHANGHAI), 1).date() == D(2027, 1, 4)
    # … and the operators' overrides fill it in, and win over the fixed-date rule
    WorkdayOverride.objects.create(date=D(2027, 1, 4), is_working_day=False, note="adjusted")
    assert add_working_days(sh("2026-12-30T16:00"), 3) == sh("2027-01-06T16:00")
    WorkdayOverride.objects.create(date=D(2027, 1, 1), is_working_day=True, note="worked after all")
    assert is_working_day(D(2027, 1, 1))
    assert add_working_days(sh("2026-12-30T16:00"), 3) == sh("2027-01-05T16:00")   # Thu 31, Fri 1, Tue 5
    assert add_working_days(sh("2030-06-28T10:00"), 1) == sh("2030-07-01T10:00")


@pytest.mark.parametrize("day,working", [
    (D(2027, 1, 1), False),                                              # 元旦 (Fri)
    (D(2027, 4, 30), True), (D(2027, 5, 3), True),                       # Fri, Mon around 劳动节
    (D(2028, 5, 1), False), (D(2028, 5, 2), False), (D(2028, 5, 3), True),   # Mon, Tue off; Wed worked
    (D(2027, 10, 1), False), (D(2028, 10, 2), False), (D(2028, 10, 3), False),   # 国庆 1–3 Oct
    (D(2028, 10, 4), True), (D(2028, 9, 29), True),
    (D(2031, 1, 1), False), (D(2031, 1, 2), True),
])
def test_fixed_date_statutory_holidays_in_unknown_years(day, working):
    assert not year_is_known(day.year)
    assert workdays.package_is_working_day(day) is working
    assert is_working_day(day) is working


def test_fixed_date_rule_is_not_applied_to_known_years():
    # The package's word stands for the years it knows (its 调休 included)
    for day in (D(2026, 1, 1), D(2026, 5, 1), D(2026, 10, 1), D(2026, 5, 6), D(2026, 10, 10)):
        assert is_working_day(day) is chinese_calendar.is_workday(day)


def test_sla_deadline_starting_on_a_working_day_is_add_working_days():
    for start in ("2026-10-12T10:00", "2026-09-29T10:00", "2026-02-14T08:00", "2026-11-16T23:59"):
        assert sla_deadline(sh(start), 3) == add_working_days(sh(start), 3)
    assert sla_deadline(sh("2026-10-12T10:00"), 3) == sh("2026-10-15T10:00")   # Mon 10:00 → Thu 10:00
    assert sla_deadline(sh("2026-02-14T08:00"), 1) == sh("2026-02-24T08:00")   # worked Sat → Tue


def test_sla_deadline_starting_on_a_day_off_gives_full_working_days():
    # Shared Saturday 10:00: the clock starts Monday 00:00; Mon, Tue, Wed in full → Thursday 00:00
    assert sla_deadline(sh("2026-10-17T10:00"), 3) == sh("2026-10-22T00:00")
    assert sla_deadline(sh("2026-10-18T23:59"), 3) == sh("2026-10-22T00:00")   # Sunday, same
    # add_working_days alone would give Wednesday 10:00 (less than 3 full working days): kept as it is
    assert add_working_days(sh("2026-10-17T10:00"), 3) == sh("2026-10-21T10:00")
    # Shared during the Spring Festival (Wed 18 Feb): the clock starts Tue 24 00:00 → Fri 27 00:00
    assert sla_deadline(sh("2026-02-18T12:00"), 3) == sh("2026-02-27T00:00")
    # Shared on 1 October: 8, 9 and 10 (a worked Saturday) in full → Monday 12 00:00
    assert sla_deadline(sh("2026-10-01T09:00"), 3) == sh("2026-10-12T00:00")
    # The input zone does not matter: 17:00 UTC on Friday 16 Oct is Saturday 01:00 in Shanghai
    start = dt.datetime(2026, 10, 16, 17, 0, tzinfo=dt.timezone.utc)
    assert sla_deadline(start, 3) == sh("2026-10-22T00:00")
    assert sla_deadline(start, 3).utcoffset() == dt.timedelta(hours=8)
    # Three full working days are left when the clock starts
    assert working_days_left(sla_deadline(sh("2026-10-17T10:00"), 3), now=sh("2026-10-17T10:00")) == 4
    assert working_days_left(sh("2026-10-22T00:00"), now=sh("2026-10-19T00:00")) == 3


def test_sla_deadline_sees_overrides_and_unknown_years():
    WorkdayOverride.objects.create(date=D(2026, 10, 19), is_working_day=False, note="typhoon")
    assert sla_deadline(sh("2026-10-17T10:00"), 3) == sh("2026-10-23T00:00")   # Tue, Wed, Thu
    WorkdayOverride.objects.create(date=D(2026, 10, 17), is_working_day=True, note="make-up day")
    assert sla_deadline(sh("2026-10-17T10:00"), 3) == sh("2026-10-22T10:00")   # Sat worked: Tue, Wed, Thu
    # Thursday 31 Dec 2026 + New Year 2027 (fixed-date holiday, unknown year): Thu 31 working → Tue 5 Jan
    assert sla_deadline(sh("2026-12-31T10:00"), 2) == sh("2027-01-05T10:00")
    # Shared on 1 Jan 2027 (off): clock starts Mon 4 00:00 → Thu 7 00:00
    assert sla_deadline(sh("2027-01-01T10:00"), 3) == sh("2027-01-07T00:00")


def test_shanghai_wall_clock_whatever_the_input_zone():
    # 17:00 UTC on Sunday 1 March is 01:00 on Monday 2 March in Shanghai: counted from Monday
    start = dt.datetime(2026, 3, 1, 17, 0, tzinfo=dt.timezone.utc)
    result = add_working_days(start, 3)
    assert result == sh("2026-03-05T01:00")
    assert result.utcoffset() == dt.timedelta(hours=8)
    # Across the European and American DST changes (29 March, 8 March 2026) Shanghai's clock does not move
    berlin = dt.datetime(2026, 3, 27, 3, 0, tzinfo=ZoneInfo("Europe/Berlin"))       # Fri 10:00 in Shanghai
    assert add_working_days(berlin, 1) == sh("2026-03-30T10:00")
    assert add_working_days(berlin, 1).astimezone(dt.timezone.utc).hour == 2
    new_york = dt.datetime(2026, 3, 6, 21, 0, tzinfo=ZoneInfo("America/New_York"))   # Sat 10:00 in Shanghai
    assert add_working_days(new_york, 1) == sh("2026-03-09T10:00")
    # A naive datetime is read as Shanghai wall clock; microseconds are kept
    assert add_working_days(dt.datetime(2026, 3, 2, 10, 0, 0, 123), 1) == sh("2026-03-03T10:00:00.000123")
    # "Today" is Shanghai's: 23:30 UTC on Thursday 8 Oct is Friday 9 Oct in Shanghai
    assert working_days_left(sh("2026-10-12T10:00"), now=dt.datetime(2026, 10, 8, 23, 30, tzinfo=dt.timezone.utc)) == 2


def test_queries_do_not_grow_with_the_span(django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        add_working_days(sh("2026-01-05T10:00"), 200)
    with django_assert_max_num_queries(2):  # two calendar years
        add_working_days(sh("2026-12-01T10:00"), 40)
    with django_assert_max_num_queries(1):
        working_days_left(sh("2029-12-31T10:00"), now=sh("2026-01-01T10:00"))
    calendar = WorkdayCalendar()
    with django_assert_max_num_queries(1):  # many deadlines, one calendar: one query per year touched
        for day in range(1, 29):
            calendar.add_working_days(sh(f"2026-02-{day:02d}T10:00"), 3)
            calendar.working_days_left(sh("2026-03-31T10:00"), now=sh(f"2026-02-{day:02d}T10:00"))


def test_unknown_years_are_warned_about(admin_client):
    with time_machine.travel(sh("2026-10-31T23:59"), tick=False):  # next year is warned about from November
        assert workdays.unknown_years() == []
        assert workday_calendar_years(None) == []
    with time_machine.travel(sh("2026-12-01T12:00"), tick=False):
        assert workdays.unknown_years() == [2027]
        warnings = workday_calendar_years(None)
        assert [w.id for w in warnings] == ["partnercenter.W002"] and warnings[0].level == checks.WARNING
        assert "2027" in warnings[0].msg
        response = admin_client.get(reverse("admin:partnercenter_workdayoverride_changelist"))
        assert response.status_code == 200
        assert "chinese-calendar" in response.content.decode().lower() and "2027" in response.content.decode()
    with time_machine.travel(sh("2027-03-01T12:00"), tick=False):
        assert workdays.unknown_years() == [2027]
    with time_machine.travel(sh("2027-11-01T00:00"), tick=False):
        assert workdays.unknown_years() == [2027, 2028]


def test_the_override_admin_says_stored_deadlines_are_not_recomputed(admin_client):
    from django.utils import translation

    from partnercenter.admin import NOT_RECOMPUTED

    with translation.override("zh-hans"):
        notice = str(NOT_RECOMPUTED)
    changelist = admin_client.get(reverse("admin:partnercenter_workdayoverride_changelist"))
    assert notice in changelist.content.decode()
    add = admin_client.get(reverse("admin:partnercenter_workdayoverride_add"))
    assert notice in add.content.decode()
    # The banner of an unknown year names the fixed-date holidays the fallback keeps
    with time_machine.travel(sh("2026-12-01T12:00"), tick=False), translation.override("en"):
        response = admin_client.get(reverse("admin:partnercenter_workdayoverride_changelist"), HTTP_ACCEPT_LANGUAGE="en")
        assert "1–3 October" in response.content.decode()
