"""Tasks: see bills/tasks.py. Rating and deduction, every 5 minutes (beat entry `rate-usage`)."""

import time

from celery import shared_task
from django.utils import timezone

from . import order_fees, packages, rating

__all__ = ["rate_usage", "BUDGET_SECONDS"]

BUDGET_SECONDS = 240  # below the 5-minute beat interval: a run ends before the next one is due


def run(*, budget_seconds: float = BUDGET_SECONDS, batch_size: int = rating.BATCH_SIZE) -> dict:
    """One run: paid orders and refunds not yet recorded become fee records (and bought packages); packages
    that became effective, expired or reached a new cycle move on; then waiting usage is rated and deducted,
    batch after batch, until nothing waits or the time budget is spent (the next run goes on). Idempotent: a
    second or concurrent run finds nothing more to do, or other records (SKIP LOCKED)."""
    started = time.monotonic()
    now = timezone.now()
    orders = order_fees.record_missing(up_to=now, now=now)
    refreshed = packages.refresh(now=now)
    result = rating.rate_pending(batch_size=batch_size, deadline=started + budget_seconds)
    return {"claimed": result.claimed, "rated": result.rated, "failed": result.failed,
            "errors": dict(result.errors), "orders": orders, "packages": refreshed}


@shared_task
def rate_usage(budget_seconds: float = BUDGET_SECONDS) -> dict:
    """Rate the waiting usage records (bills/rating.py) and record paid orders as fee records; see `run`."""
    return run(budget_seconds=budget_seconds)
