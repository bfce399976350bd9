"""Days left until a resource's expiry, one rule on the partner's pages and in the fee center: calendar days in
Asia/Shanghai (subscriptions.pages.days_until), 0 on the day itself — "expires today" before the hour, "expired
today" after it."""

from datetime import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from customers.choices import PeriodStatus
from customers.models import Resource
from subscriptions.pages import days_until, life_of

SH = ZoneInfo("Asia/Shanghai")


def sh(text) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SH)


@pytest.mark.parametrize("now, expires, days", [
    ("2026-12-01 23:30", "2026-12-06 12:00", 5),   # late evening: still 5 calendar days (not 6 by the hour)
    ("2026-12-01 00:10", "2026-12-06 23:50", 5),
    ("2026-12-01 08:00", "2026-12-01 20:00", 0),   # later today
    ("2026-12-01 08:00", "2026-12-01 01:00", 0),   # earlier today
    ("2026-12-01 00:30", "2026-11-30 23:30", -1),  # an hour ago, but yesterday
])
def test_days_until_counts_calendar_days_in_china(now, expires, days):
    assert days_until(sh(expires), sh(now)) == days


def both_pages(expires, now) -> tuple[str, str]:
    resource = Resource(status=PeriodStatus.IN_USE, expire_time=sh(expires), expire_policy=0)
    life = life_of(resource, now=sh(now), auto_renewal=None)
    row = SimpleNamespace(days_left=days_until(sh(expires), sh(now)), expired=sh(expires) <= sh(now), days_ago=0)
    with translation.override("en"):
        return (render_to_string("subscriptions/partner/_days_left.html", {"life": life}),
                render_to_string("subscriptions/fee_center/_days_left.html", {"r": row}))


def test_the_partner_and_the_customer_read_the_same_day():
    partner, customer = both_pages("2026-12-01 20:00", "2026-12-01 08:00")
    assert "Expires today" in partner and "Expires today" in customer
    partner, customer = both_pages("2026-12-01 01:00", "2026-12-01 08:00")
    assert "Expired today" in partner and "Expired today" in customer
    partner, customer = both_pages("2026-12-06 12:00", "2026-12-01 23:30")
    assert "5 days left" in partner and "5 days left" in customer
