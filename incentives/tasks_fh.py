"""Celery tasks of the FH staff incentive (incentives.fh_generation). Idempotent: each selects only what is due by
state, and a second, concurrent or late run changes nothing more (partnercenter/celery.py)."""

from celery import shared_task

from partnercenter.actors import SCHEDULER

from . import fh_generation

__all__ = ["generate_lists", "lapse_overdue"]


@shared_task
def generate_lists() -> int:
    """月初生成激励人员名单: the previous month's FH lists of the qualified partners that have none yet."""
    return fh_generation.generate_lists(SCHEDULER)


@shared_task
def lapse_overdue() -> dict:
    """超出时间未核对系统将默认激励失效: open lists past their 14 working days lapse; then the lists due within one
    working day are reminded (once each)."""
    lapsed = fh_generation.lapse_overdue(SCHEDULER)
    reminded = fh_generation.remind_due(SCHEDULER)
    return {"lapsed": lapsed, "reminded": reminded}
