"""Scheduled work of trade. Idempotent: see partnercenter/celery.py."""

from celery import shared_task

from partnercenter.actors import SCHEDULER

from . import services

__all__ = ["cancel_overdue_orders"]


@shared_task
def cancel_overdue_orders() -> int:
    """Orders still waiting for payment after their pending_payment_end_time are cancelled once (a re-run,
    a concurrent or a late run changes nothing more); their pending payment requests end with them."""
    return services.cancel_overdue(SCHEDULER)
