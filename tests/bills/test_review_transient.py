"""Regression found by the review of issue 14 (it failed before its fix): a database error that is not the
record's fault (locked, a lost connection) leaves the usage waiting for the next run — never FAILED for good,
which would leave it unbilled."""

import pytest
from django.db import OperationalError

from bills import deduction, rating
from bills.choices import UsageStatus

from .rating_helpers import ECS, World, usage

pytestmark = pytest.mark.django_db


def test_a_transient_database_error_leaves_the_usage_waiting(monkeypatch):
    w = World()
    w.allocate("10.00")
    record = usage(w.resale, ECS)
    real, calls = deduction.settle, {"n": 0}

    def flaky(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] <= 2:
            raise OperationalError("database is locked")
        return real(*args, **kwargs)

    monkeypatch.setattr(deduction, "settle", flaky)
    rating.rate_pending(sql=False)
    record.refresh_from_db()
    assert record.status == UsageStatus.NEW and not record.error_code
    for _ in range(2):  # the database fails once more, then is fine again
        rating.rate_pending(sql=False)
    record.refresh_from_db()
    assert record.status == UsageStatus.RATED
