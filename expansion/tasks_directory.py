"""Celery tasks of the directory area. Idempotent (ARCHITECTURE rule 6): a run selects what is due by its
state and moves it with a conditional update, so a second or late run changes nothing."""

from celery import shared_task

from partnercenter.actors import SCHEDULER

from . import directory_reports

__all__ = ["expire_reports"]


@shared_task(name="expansion.tasks_directory.expire_reports")
def expire_reports() -> int:
    """报备: the reports past their protection period expire, each once, with an event to the partner
    (expansion.directory_reports.expire_due). Returns how many this run moved."""
    return directory_reports.expire_due(SCHEDULER)
