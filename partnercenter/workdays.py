"""China's working-day calendar, used by every SLA (Asia/Shanghai wall clock).

A day is a working day when:
1. an operator's `WorkdayOverride` row says so (it always wins: a late notice, or a year not yet known);
2. otherwise, for a year the `chinese-calendar` package knows, when the package says so (official holidays
   and their adjusted working days, 调休);
3. otherwise (a year the package does not know yet), when it is Monday to Friday.

Nothing here raises for an unknown year: a deadline computed on 31 December for the next January falls back to
weekends (plus overrides) and the operators are warned by a system check and a banner on the overrides admin.

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
    "SHANGHAI", "WorkdayCalendar", "add_working_days", "is_working_day", "known_years", "local_date",
    "package_is_working_day", "unknown_years", "working_days_left", "year_is_known",
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


def package_is_working_day(day: dt.date) -> bool:
    """What the calendar says without the operators' overrides (the package, or weekends past its years)."""
    if year_is_known(day.year):
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:  # the package's own range is narrower than known_years() thinks
            pass
    return day.weekday() < 5


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

    def next_working_day(self, day: dt.date) -> dt.date:
        """`day` itself when it is a working day, else the first working day after it."""
        while not self.is_working_day(day):
            day += dt.timedelta(days=1)
        return day


def is_working_day(day: dt.date) -> bool:
    return WorkdayCalendar().is_working_day(day)


def add_working_days(start: dt.datetime, n: int) -> dt.datetime:
    return WorkdayCalendar().add_working_days(start, n)


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

