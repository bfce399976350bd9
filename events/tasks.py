"""The outbox's workers. Idempotent and safe to run concurrently (see events/dispatch.py)."""

from celery import shared_task

from . import dispatch as dispatching

__all__ = ["dispatch", "dispatch_soon", "deliver_webhooks", "send_notifications"]


@shared_task(ignore_result=True)
def dispatch() -> int:
    """Fan undispatched events out to notifications and webhook deliveries, then send what is due."""
    return dispatching.dispatch_all()


def dispatch_soon() -> None:
    """After a commit that recorded events: start a dispatch now rather than at the next periodic run.
    A broker that is down only delays the events until then; the change itself has committed."""
    try:
        dispatch.delay()
    except Exception:  # noqa: BLE001 — the periodic run is the fallback; the caller's change stands
        pass


@shared_task(ignore_result=True)
def deliver_webhooks() -> int:
    """POST every webhook delivery that is due (first attempts and retries)."""
    from . import webhooks
    return webhooks.deliver_due()


@shared_task(ignore_result=True)
def send_notifications() -> int:
    """Send the e-mails and SMS that notifications owe."""
    from . import notifications
    return notifications.send_pending()
