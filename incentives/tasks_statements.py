"""Celery tasks of 激励对账 and the operators' run requests.

- `finalise_due` (beat): statements whose objection period has ended become final and are credited to the
  rebate account (incentives.statements.finalise_due). Idempotent: it selects only what is due by state and
  moves each row with a conditional UPDATE, so a second, concurrent or late run changes nothing more.
- `rerun_month` (the runs admin's "run again"): the monthly run of one closed month now, forced
  (incentives.run.run_month: drafts replaced, confirmed and final statements untouched; a concurrent run waits
  on the month's run row)."""

from celery import shared_task

from partnercenter.actors import SCHEDULER

__all__ = ["finalise_due", "rerun_month"]


@shared_task
def finalise_due() -> int:
    """Confirmed statements, and pending ones nobody disputed, become final once their objection period ends."""
    from . import statements

    return statements.finalise_due(SCHEDULER)


@shared_task
def rerun_month(bill_cycle: str) -> bool:
    """Run the month again now (an operator asked for it in the admin)."""
    from . import run

    return run.run_month(SCHEDULER, bill_cycle=bill_cycle, force=True).ran
