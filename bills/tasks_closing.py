"""Tasks of month close and low balance (see bills/tasks.py). Both are idempotent: a second, late or
overlapping run has the effect of one.

Beat (partnercenter/settings.py, CELERY_TIMEZONE is Asia/Shanghai):

    "close-months": {"task": "bills.tasks_closing.close_months", "schedule": crontab(minute=30, hour=0)},
    "check-low-balances": {"task": "bills.tasks_closing.check_low_balances", "schedule": timedelta(minutes=10)},
"""

import logging

from celery import shared_task

from partnercenter.actors import SCHEDULER

from . import closing, thresholds

__all__ = ["close_months", "check_low_balances"]

logger = logging.getLogger("bills.closing")


@shared_task
def close_months() -> list[str]:
    """Close every month before the current one (Asia/Shanghai) that is not closed and has fee records or
    ledger movements, and the previous month even if it is empty — oldest first. Returns the cycles closed
    by this run (a cycle another run closed meanwhile is skipped)."""
    closed = []
    for cycle in closing.due_cycles():
        if closing.close_month(SCHEDULER, bill_cycle=cycle).closed:
            closed.append(cycle)
    return closed


@shared_task
def check_low_balances(customer_ids=None) -> dict:
    """Low-balance notices: every resale customer with a setting, or only `customer_ids` (customer pks —
    e.g. those a rating batch just charged: `check_low_balances.delay(sorted(pks))`)."""
    return thresholds.check_low_balances(SCHEDULER, customers=customer_ids)
