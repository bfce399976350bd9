"""Scheduled work of vouchers. Idempotent: see partnercenter/celery.py."""

from celery import shared_task

from partnercenter.actors import SCHEDULER

from . import services

__all__ = ["expire_vouchers"]


@shared_task
def expire_vouchers() -> dict:
    """Coupons and quotas past their expiry move once (a re-run or a late run changes nothing); a run
    that moved something is in the operation log as the scheduler's."""
    coupons, quotas = services.expire(SCHEDULER)
    return {"coupons": coupons, "quotas": quotas}
