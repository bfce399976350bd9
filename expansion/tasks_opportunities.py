"""Celery tasks of the opportunities area: the HO SLA (expansion.opportunities_sla). Idempotent: each selects
only what is due by state and moves it with a conditional UPDATE, so a second, concurrent or late run changes
nothing more (partnercenter/celery.py)."""

from celery import shared_task

from partnercenter.actors import SCHEDULER

from . import opportunities_sla

__all__ = ["recall_overdue", "remind_due"]


@shared_task
def recall_overdue() -> int:
    """逾期默认拒绝，HO将回收: pending HO past their deadline are rejected by default and recalled."""
    return opportunities_sla.recall_overdue(SCHEDULER)


@shared_task
def remind_due() -> int:
    """One working day before its deadline, the partner of a pending HO is reminded, once."""
    return opportunities_sla.remind_due(SCHEDULER)
