"""China's working-day calendar, used by every SLA (Asia/Shanghai wall clock).

A day is a working day when:
1. an operator's `WorkdayOverride` row says so (it always wins: a late notice, or a year not yet known);
2. otherwise, for a year the `chinese-calendar` package knows, when the package says so (official holidays
   and their adjusted working days, 调休);
3. otherwise (a year the package does not know yet), when it is Monday to Friday and not one of the
   fixed-date statutory holidays of the State Council's 《全国年节及纪念日放假办法》 (as amended in 2024):
   1 January, 1–2 May, 1–3 October (`FIXED_DATE_HOLIDAYS`). The lunar holidays (Spring Festival, Dragon Boat,
   Mid-Autumn), Qingming and the adjusted working days (调休) of such a year are only known from its annual
   notice: operators enter them as overrides.

Nothing here raises for an unknown year: a deadline computed on 31 December for the next January falls back to
the rule above (plus overrides) and the operators are warned by a system check and a banner on the overrides
admin.

SLA semantics (`sla_deadline(start, n)`): an SLA of n working days that starts on a working day ends at the same
Shanghai wall-clock time n working days later (`add_working_days`: shared Monday 10:00, n=3 → Thursday 10:00).
One that starts on a day off (a weekend, a holiday) starts its clock at 00:00 of the next working day, so the
partner gets n full working days: shared Saturday 10:00, n=3 → Thursday 00:00 (the end of Wednesday).

Deadlines are computed once, when the SLA starts, and stored: saving a `WorkdayOverride` later does NOT
recompute the deadlines already stored (only deadlines computed afterwards, and `working_days_left`
countdowns, see it). An operator correcting the calendar after the fact adjusts affected deadlines by hand.

Efficiency: a `WorkdayCalendar` loads the overrides one calendar year at a time (one query per year it
touches) and keeps them for its own lifetime only, so it is always correct after an override is saved: the
module-level functions build a fresh one per call (one query, two across a new year); a caller computing many
deadlines (a list page, a task) builds one `WorkdayCalendar()` and calls its methods.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo

import chinese_calendar

__all__ = [
    "FIXED_DATE_HOLIDAYS", "SHANGHAI", "WorkdayCalendar", "add_working_days", "is_working_day", "known_years", "local_date",
    "package_is_working_day", "sla_deadline", "unknown_years", "working_days_left", "year_is_known",
]

SHANGHAI = ZoneInfo("Asia/Shanghai")

# A guard against overrides that would declare decades of holidays (the search would never end).
_MAX_SEARCH_DAYS = 366 * 50

# From this month on, next year's calendar should be known (see unknown_years).
NEXT_YEAR_WARNING_MONTH = 11


@lru_cache(maxsize=1)
def known_years() -> range:
    """The years the installed `chinese-calendar` knows (1.11.0: 2004–2026)."""
    from chinese_calendar import constants

    years = {day.year for day in constants.holidays} | {day.year for day in constants.workdays}
    return range(min(years), max(years) + 1)


def year_is_known(year: int) -> bool:
    return year in known_years()


# The statutory holidays on fixed Gregorian dates (《全国年节及纪念日放假办法》, State Council, amended 2024):
# 元旦 1 January, 劳动节 1–2 May, 国庆节 1–3 October. Used only for the years the package does not know.
FIXED_DATE_HOLIDAYS = frozenset({(1, 1), (5, 1), (5, 2), (10, 1), (10, 2), (10, 3)})


def package_is_working_day(day: dt.date) -> bool:
    """What the calendar says without the operators' overrides: the package for a year it knows, otherwise
    Monday to Friday except the fixed-date statutory holidays."""
    if year_is_known(day.year):
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:  # the package's own range is narrower than known_years() thinks
            pass
    return day.weekday() < 5 and (day.month, day.day) not in FIXED_DATE_HOLIDAYS


def local_date(moment: dt.datetime) -> dt.date:
    """The Shanghai calendar date of `moment` (a naive datetime is read as Shanghai wall clock)."""
    return _to_shanghai(moment).date()


def _to_shanghai(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=SHANGHAI)
    return moment.astimezone(SHANGHAI)


class WorkdayCalendar:
    """China's working days with the operators' overrides, loaded lazily one year at a time (one query per
    year touched). Keep an instance for one request or one task run, not longer: it does not see overrides
    saved after it loaded a year."""

    def __init__(self):
        self._overrides: dict[dt.date, bool] = {}
        self._loaded_years: set[int] = set()

    def _load(self, year: int) -> None:
        from .models import WorkdayOverride

        rows = WorkdayOverride.objects.filter(date__year=year).values_list("date", "is_working_day")
        self._overrides.update(rows)
        self._loaded_years.add(year)

    def preload(self, first: dt.date, last: dt.date) -> WorkdayCalendar:
        """Load the overrides of every year from `first` to `last` in one query."""
        from .models import WorkdayOverride

        years = set(range(first.year, last.year + 1)) - self._loaded_years
        if years:
            rows = WorkdayOverride.objects.filter(date__year__gte=min(years), date__year__lte=max(years))
            self._overrides.update(rows.values_list("date", "is_working_day"))
            self._loaded_years |= years
        return self

    def is_working_day(self, day: dt.date) -> bool:
        if isinstance(day, dt.datetime):
            day = local_date(day)
        if day.year not in self._loaded_years:
            self._load(day.year)
        override = self._overrides.get(day)
        if override is not None:
            return override
        return package_is_working_day(day)

    def add_working_days(self, start: dt.datetime, n: int) -> dt.datetime:
        """The same Shanghai wall-clock time on the n-th working day after start's Shanghai date (before it
        when n < 0; start itself when n == 0). Shared Monday 10:00, n=3 → Thursday 10:00."""
        local = _to_shanghai(start)
        day = local.date()
        step = 1 if n >= 0 else -1
        remaining = abs(n)
        span = 0
        while remaining:
            day += dt.timedelta(days=step)
            span += 1
            if span > _MAX_SEARCH_DAYS:  # only if overrides declared decades of holidays
                raise ValueError("no working day within 50 years")
            if self.is_working_day(day):
                remaining -= 1
        # Shanghai has had no daylight saving time since 1991: the wall clock is the same instant + 8h.
        return dt.datetime.combine(day, local.time(), tzinfo=SHANGHAI)

    def working_days_left(self, deadline: dt.datetime, now: dt.datetime | None = None) -> int:
        """Working days d with today < d ≤ deadline's date, in Shanghai; 0 when due today or overdue."""
        if now is None:
            from django.utils import timezone

            now = timezone.now()
        today = local_date(now)
        last = local_date(deadline)
        if last <= today:
            return 0
        self.preload(today, last)
        count = 0
        day = today
        while day < last:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count

    def sla_deadline(self, start: dt.datetime, n: int) -> dt.datetime:
        """The deadline of an SLA of `n` working days that starts at `start` (see the module docstring).

        When start's Shanghai date is a working day: `add_working_days(start, n)` (shared Monday 10:00, n=3 →
        Thursday 10:00). Otherwise the clock starts at 00:00 of the next working day and the deadline is
        `add_working_days(that 00:00, n)`, i.e. the end of the n-th full working day: shared Saturday 10:00,
        n=3 → the clock starts Monday 00:00 → Thursday 00:00 (Monday, Tuesday and Wednesday in full)."""
        local = _to_shanghai(start)
        day = local.date()
        if self.is_working_day(day):
            return self.add_working_days(local, n)
        first = self.next_working_day(day)
        return self.add_working_days(dt.datetime.combine(first, dt.time(0, 0), tzinfo=SHANGHAI), n)

    def next_working_day(self, day: dt.date) -> dt.date:
        """`day` itself when it is a working day, else the first working day after it."""
        while not self.is_working_day(day):
            day += dt.timedelta(days=1)
        return day


def is_working_day(day: dt.date) -> bool:
    return WorkdayCalendar().is_working_day(day)


def add_working_days(start: dt.datetime, n: int) -> dt.datetime:
    return WorkdayCalendar().add_working_days(start, n)


def sla_deadline(start: dt.datetime, n: int) -> dt.datetime:
    return WorkdayCalendar().sla_deadline(start, n)


def working_days_left(deadline: dt.datetime, now: dt.datetime | None = None) -> int:
    return WorkdayCalendar().working_days_left(deadline, now)


def unknown_years(today: dt.date | None = None) -> list[int]:
    """The current year, and from 1 November the next year (Shanghai), when the package does not know them:
    what operators are warned about, so they upgrade it or enter the official notice as overrides. The State
    Council publishes next year's notice around November and deadlines reach into January from late December,
    so a warning about next year earlier than November could not be acted on and would only be ignored."""
    if today is None:
        from django.utils import timezone

        today = local_date(timezone.now())
    years = [today.year, today.year + 1] if today.month >= NEXT_YEAR_WARNING_MONTH else [today.year]
    return [year for year in years if not year_is_known(year)]

