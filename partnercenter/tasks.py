"""Scheduled work of the core. Idempotent: see partnercenter/celery.py."""

from celery import shared_task
from django.core.mail import send_mail

from . import services

__all__ = ["expire_invitations", "send_email"]


@shared_task
def expire_invitations() -> int:
    """Invitations past their date become expired (a conditional UPDATE: a re-run moves nothing)."""
    return services.expire_invitations()


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_email(subject: str, body: str, recipients: list[str]) -> None:
    """Deliver one e-mail. A retry after a lost ack may send it twice: harmless for a notice."""
    send_mail(subject, body, None, recipients)
