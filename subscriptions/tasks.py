"""Scheduled work of subscriptions (Celery beat, partnercenter/settings.py). Idempotent: see
partnercenter/celery.py — each selects what is due by state and moves it with conditional UPDATEs or a
unique row, so a second, late or overlapping run has the effect of one."""

from celery import shared_task

from partnercenter.actors import SCHEDULER

from . import autorenew, lifecycle

__all__ = ["advance", "warn_expiring", "auto_renew"]


@shared_task
def advance() -> dict:
    """Expired yearly/monthly resources move on — grace → retention → released, or switched to pay-per-use or
    released/frozen at expiry by their policy; a late run walks every step missed, a second run nothing."""
    return lifecycle.advance(SCHEDULER)


@shared_task
def warn_expiring() -> int:
    """subscription.expiring 7 days and 1 day before expiry, once per resource, expiry and notice."""
    return lifecycle.warn_expiring(SCHEDULER)


@shared_task
def auto_renew() -> dict:
    """Auto-renewals due within the customers' deduction days are ordered and paid from the balance, once
    per resource and expiry however the runs overlap."""
    return autorenew.run_due(SCHEDULER)
