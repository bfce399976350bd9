"""Sign-in rules beyond django-axes' per username + address lockout.

1. Axes locks a username at one address after AXES_FAILURE_LIMIT failures, for AXES_COOLOFF_TIME.
   While that pair is locked the password is not checked and the attempt is not recorded
   (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False): hammering a locked pair neither prolongs
   its lock nor counts against the account.
2. A "failure" is a password that was checked and was wrong (axes' AccessFailureLog). Once an
   account has SIGNIN_MAX_FAILURES_PER_ACCOUNT_HOUR of them in the last hour, it is under attack,
   and every address that failed for it in that hour (since its last successful sign-in there) is
   refused, with the right password too, until the hour has passed. An address that has not failed
   signs in as always: password, then the second factor if the user has one. So an attacker can lock
   only the addresses it uses, never the user everywhere, and once the account is under attack each
   further guess costs the attacker a fresh address (one guess per address per hour instead of
   AXES_FAILURE_LIMIT per cool-off).

The rules live in an axes handler (settings.AXES_HANDLER), so they apply to every authenticate()
call: the sign-in page and the admin's.
"""

from datetime import timedelta

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessFailureLog, AccessLog
from django.conf import settings
from django.db.models import Max
from django.utils import timezone

__all__ = ["SignInHandler", "address_refused", "under_attack", "pending_user", "verify_second_factor"]

WINDOW = timedelta(hours=1)


def under_attack(username: str) -> bool:
    """Whether the account has had the maximum of checked wrong passwords in the last hour."""
    since = timezone.now() - WINDOW
    failures = AccessFailureLog.objects.filter(username=username, attempt_time__gte=since)
    return failures.count() >= settings.SIGNIN_MAX_FAILURES_PER_ACCOUNT_HOUR


def address_refused(username: str, ip_address: str | None) -> bool:
    """Whether sign-in to `username` from `ip_address` is refused by the account-wide rule: the account
    is under attack and this address has failed for it in the last hour, since it last signed in there."""
    since = timezone.now() - WINDOW
    here = {"username": username, "ip_address": ip_address, "attempt_time__gte": since}
    last_failure = AccessFailureLog.objects.filter(**here).aggregate(at=Max("attempt_time"))["at"]
    if last_failure is None:
        return False
    last_success = AccessLog.objects.filter(**here).aggregate(at=Max("attempt_time"))["at"]
    if last_success is not None and last_success >= last_failure:
        return False
    return under_attack(username)


class SignInHandler(AxesDatabaseHandler):
    """Axes' database handler plus the account-wide rule; its failure log always keeps the newest rows."""

    def is_locked(self, request, credentials=None) -> bool:
        if super().is_locked(request, credentials):
            return True
        username = get_client_username(request, credentials)
        return bool(username) and address_refused(username, request.axes_ip_address)

    def remove_out_of_limit_failure_logs(self, *, username: str, limit=None) -> int:
        # Axes trims a user's failure log to AXES_ACCESS_FAILURE_LOG_PER_USER_LIMIT rows (never pruned by
        # age) by deleting the first rows of an unordered query (AccessFailureLog has no ordering): which
        # rows go is up to the database, and if it were the newest, the account-wide count above would
        # miss them. Delete the oldest, always.
        if limit is None:
            limit = settings.AXES_ACCESS_FAILURE_LOG_PER_USER_LIMIT
        stale = list(
            AccessFailureLog.objects.filter(username=username).order_by("-attempt_time", "-pk")
            .values_list("pk", flat=True)[limit:]
        )
        if stale:
            AccessFailureLog.objects.filter(pk__in=stale).delete()
        return len(stale)


def pending_user(pk):
    """The user half signed in (password checked, second factor to come), or None when it is gone or was
    deactivated since: the sign-in starts again."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(pk=pk, is_active=True).first()


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
