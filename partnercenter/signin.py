"""Sign-in rules beyond django-axes' per username + IP lockout.

Axes locks a username at one IP after AXES_FAILURE_LIMIT failures for AXES_COOLOFF_TIME. An attacker
with many addresses could still try one account without end, so an account that collected
SIGNIN_MAX_FAILURES_PER_ACCOUNT_HOUR failures in the last hour, from anywhere, is refused until the
oldest of them is an hour old.
"""

from datetime import timedelta

from axes.models import AccessFailureLog
from django.conf import settings
from django.utils import timezone

__all__ = ["account_throttled", "verify_second_factor"]


def account_throttled(username: str) -> bool:
    since = timezone.now() - timedelta(hours=1)
    failures = AccessFailureLog.objects.filter(username=username, attempt_time__gte=since).count()
    return failures >= settings.SIGNIN_MAX_FAILURES_PER_ACCOUNT_HOUR


def verify_second_factor(devices, token: str):
    """The device that accepts `token`, or None. Raises DomainError(VERIFICATION_THROTTLED) when every
    device is still in its back-off after earlier failures (django-otp's ThrottlingMixin)."""
    from .errors import Codes, DomainError

    throttled = True
    for device in devices:
        allowed, _info = device.verify_is_allowed()
        if not allowed:
            continue
        throttled = False
        if device.verify_token(token):
            return device
    if throttled:
        raise DomainError(Codes.VERIFICATION_THROTTLED)
    return None
