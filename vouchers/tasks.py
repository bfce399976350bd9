"""Scheduled work of vouchers. Idempotent: see partnercenter/celery.py."""

from celery import shared_task

from . import services

__all__ = ["expire_vouchers"]


@shared_task
def expire_vouchers() -> dict:
    """Coupons and quotas past their expiry move once (a re-run or a late run changes nothing)."""
    coupons, quotas = services.expire()
    return {"coupons": coupons, "quotas": quotas}
