"""Billing cycles (账期): the Asia/Shanghai month a moment falls in, and the month a new fee record lands in.

A fee record lands in the month it was consumed in while that month is open; once the month is closed
(BillingPeriod CLOSED), a late record lands in the first open month after it, marked as an adjustment —
so a closed month's sums never change.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from .choices import PeriodStatus

__all__ = ["SHANGHAI", "CYCLE_RE", "cycle_of", "cycle_bounds", "next_cycle", "previous_cycle", "landing",
           "closed_cycles", "is_cycle"]

SHANGHAI = ZoneInfo("Asia/Shanghai")
# a month of the years 2000–2998: a bill of another millennium is a typo, and the next month must exist
CYCLE_RE = re.compile(r"(2[0-9]{3})-(0[1-9]|1[0-2])")
FIRST_YEAR, LAST_YEAR = 2000, 2998


def is_cycle(text) -> bool:
    return isinstance(text, str) and CYCLE_RE.fullmatch(text) is not None


def cycle_of(moment: datetime) -> str:
    """"YYYY-MM" of `moment` in Asia/Shanghai."""
    return moment.astimezone(SHANGHAI).strftime("%Y-%m")


def cycle_bounds(cycle: str) -> tuple[datetime, datetime]:
    """[start, end) of the month, as aware datetimes (Asia/Shanghai midnight)."""
    year, month = int(cycle[:4]), int(cycle[5:7])
    start = datetime.combine(datetime(year, month, 1).date(), time.min, tzinfo=SHANGHAI)
    return start, datetime.combine(datetime.strptime(next_cycle(cycle), "%Y-%m").date(), time.min, tzinfo=SHANGHAI)


def next_cycle(cycle: str) -> str:
    year, month = int(cycle[:4]), int(cycle[5:7])
    return f"{year + month // 12:04d}-{month % 12 + 1:02d}"


def previous_cycle(cycle: str) -> str:
    year, month = int(cycle[:4]), int(cycle[5:7])
    return f"{year - (month == 1):04d}-{(month - 2) % 12 + 1:02d}"


def closed_cycles() -> set[str]:
    from .models import BillingPeriod

    return set(BillingPeriod.objects.filter(status=PeriodStatus.CLOSED).values_list("bill_cycle", flat=True))


def landing(moment: datetime, closed: set[str] | None = None) -> tuple[str, bool]:
    """(cycle, is_adjustment): the month a fee record consumed at `moment` lands in. `closed` is the set of
    closed months (read once per run by the caller; read here when not given)."""
    closed = closed_cycles() if closed is None else closed
    cycle = cycle_of(moment)
    if cycle not in closed:
        return cycle, False
    while cycle in closed:
        cycle = next_cycle(cycle)
    return cycle, True


def current_cycle(now: datetime | None = None) -> str:
    return cycle_of(now or timezone.now())


def month_start(now: datetime | None = None) -> datetime:
    return cycle_bounds(current_cycle(now))[0]


def days_in(cycle: str) -> int:
    start, end = cycle_bounds(cycle)
    return (end - start) // timedelta(days=1)


__all__ += ["current_cycle", "month_start", "days_in"]
