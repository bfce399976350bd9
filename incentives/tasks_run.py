"""The monthly incentive run as a Celery beat task (partnercenter/settings.py, CELERY_TIMEZONE Asia/Shanghai):

    "run-incentives": {"task": "incentives.tasks_run.run_incentives", "schedule": crontab(minute=0, hour="*/3")},

Every three hours it runs what is due (incentives.run.due_cycles): from INCENTIVE_RUN_DAY (the 3rd) of each
month the previous month once bills has closed it, and any closed month whose run a policy correction made
STALE or that stopped half-way. Idempotent: a month done is not run again, a second or overlapping task waits on
the month's run row and finds it done (incentives/run.py)."""

from celery import shared_task

from partnercenter.actors import SCHEDULER

from . import run

__all__ = ["run_incentives"]


@shared_task
def run_incentives() -> list[str]:
    """Run every due month, oldest first; returns the months this task finished."""
    finished = []
    for cycle in run.due_cycles():
        if run.run_month(SCHEDULER, bill_cycle=cycle).ran:
            finished.append(cycle)
    return finished
