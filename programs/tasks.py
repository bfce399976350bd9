"""Scheduled work of programs. Idempotent (ARCHITECTURE rule 6): each run selects what is due by its state
and moves it with a conditional update, so a second or late run changes nothing."""

from celery import shared_task

from partnercenter.actors import SCHEDULER

from . import agreements

__all__ = ["apply_contracting_entities"]


@shared_task
def apply_contracting_entities() -> int:
    """签约主体: signed agreements whose effective time has come write their contracting entity to the
    partner, once per signature (programs.agreements.apply_due). Returns how many partners switched."""
    return agreements.apply_due(SCHEDULER)
