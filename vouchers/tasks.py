"""Scheduled work of vouchers. Idempotent: see partnercenter/celery.py."""

from celery import shared_task

from partnercenter.actors import SCHEDULER

from . import services

__all__ = ["expire_vouchers", "warn_expiring_coupons"]


@shared_task
def expire_vouchers() -> dict:
    """Coupons and quotas past their expiry move once (a re-run or a late run changes nothing); a run
    that moved something is in the operation log as the scheduler's."""
    coupons, quotas = services.expire(SCHEDULER)
    return {"coupons": coupons, "quotas": quotas}


@shared_task
def warn_expiring_coupons() -> int:
    """coupon.expiring for coupons that expire within 7 days, once per coupon however often it runs."""
    return services.warn_expiring(SCHEDULER)
