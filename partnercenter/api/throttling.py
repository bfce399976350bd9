"""Throttles of the CBC gateway: a fixed-window counter per scope and caller in the Django cache (Redis
when REDIS_URL is set, so every web process counts together): one counter per window, raised with the
cache's atomic `incr`, so concurrent calls never undercount (DRF's own throttles rewrite a list).

- "cbc.key": every authenticated call, per access key.
- "cbc.anon": every call without valid credentials (none, or a wrong signature), per client address;
  counted by the authentication class (partnercenter/api/authentication.py), since DRF would refuse such a
  call with 401 before its throttles run.
- tighter scopes for single endpoints: "cbc.identity" (check-identity, which tells whether an e-mail or
  mobile is registered) and "cbc.code" (sending SMS codes), per partner (or customer), so that more
  keys do not buy more calls. A view names its scope with `throttle_scope`, or
  settings.CBC_THROTTLE_SCOPES maps its class name to one.

Rates are REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] ("600/min", "100/hour"); a scope without a rate is
not throttled. A throttled call is HTTP 429 APIGW.0308 with Retry-After (partnercenter/api/errors.py).
"""

import time

from django.conf import settings
from django.core.cache import cache
from rest_framework.exceptions import Throttled
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

from ..errors import Codes, DomainError

__all__ = ["AccessKeyThrottle", "EndpointThrottle", "count_unauthenticated", "hit", "spend"]

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def hit(scope: str, ident: str) -> float | None:
    """Count one call of `ident` in `scope`: None while within the rate, else the seconds to wait."""
    rate = api_settings.DEFAULT_THROTTLE_RATES.get(scope)
    if not rate:
        return None
    number, period = rate.split("/")
    limit, seconds = int(number), _PERIODS[period[0]]
    now = time.time()
    window = int(now // seconds)
    key = f"throttle:{scope}:{ident}:{window}"
    try:
        count = cache.incr(key)
    except ValueError:  # the window's first call (or another process's, a moment ago)
        count = 1 if cache.add(key, 1, seconds + 1) else cache.incr(key)
    return None if count <= limit else (window + 1) * seconds - now


def spend(scope: str, ident: str) -> None:
    """The same budget for a page that does what a throttled endpoint does (the register page sends SMS
    codes as `verificationcode/send` does): DomainError THROTTLED when it is spent."""
    if hit(scope, ident) is not None:
        raise DomainError(Codes.THROTTLED)


def count_unauthenticated(django_request) -> None:
    """Count a call without valid credentials against its address ("cbc.anon"); raise Throttled when over."""
    wait = hit("cbc.anon", django_request.META.get("REMOTE_ADDR") or "unknown")
    if wait is not None:
        raise Throttled(wait)


class _Throttle(BaseThrottle):
    _wait = None

    def allow_request(self, request, view):
        scope, ident = self.scope_and_ident(request, view)
        self._wait = hit(scope, ident) if scope and ident else None
        return self._wait is None

    def wait(self):
        return self._wait


class AccessKeyThrottle(_Throttle):
    """Every authenticated call, per access key ("cbc.key")."""

    def scope_and_ident(self, request, view):
        actor = request.auth
        return ("cbc.key", actor.access_key.ak) if actor is not None else (None, None)


class EndpointThrottle(_Throttle):
    """An endpoint's own, tighter scope, per partner or customer (per address for anonymous calls)."""

    def scope_and_ident(self, request, view):
        scope = getattr(view, "throttle_scope", None) or settings.CBC_THROTTLE_SCOPES.get(type(view).__name__)
        actor = request.auth
        if actor is None:
            return scope, request._request.META.get("REMOTE_ADDR") or "unknown"
        tenant = actor.partner if actor.partner is not None else actor.customer
        return scope, tenant.domain_id
