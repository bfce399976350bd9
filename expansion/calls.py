"""外呼: placing a call to a lead's contact through a pluggable backend (settings.EXPANSION_CALL_BACKEND),
as SMS goes through partnercenter.sms.

A backend is a `CallBackend` subclass: `place(number=…, caller=…, reference_hint=…)` dials the real number
(the partner never sees it) and returns a `CallResult` — the outcome (expansion.choices.CallOutcome), the
provider's call ID and the duration. A backend that cannot reach its provider raises `CallUnavailable`.

- `ConsoleCallBackend` (the default) writes the call to the log and answers "connected": a development
  double; a system check warns about it with DEBUG off (expansion.checks_leads).
- `OutboxCallBackend` keeps the calls in `outbox` and answers `OutboxCallBackend.outcome` (tests).
"""

import logging
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

from .choices import CallOutcome

__all__ = ["CallResult", "CallBackend", "CallUnavailable", "ConsoleCallBackend", "OutboxCallBackend", "outbox",
           "backend", "backend_path"]

logger = logging.getLogger("expansion.calls")
outbox: list[dict] = []


class CallUnavailable(Exception):
    """The backend could not place the call at all (its provider is down or not configured)."""


@dataclass(frozen=True)
class CallResult:
    outcome: str                 # a CallOutcome value
    reference: str = ""          # the provider's call ID
    duration_seconds: int = 0


class CallBackend:
    """Places one call. Subclasses implement `place`."""

    def place(self, *, number: str, caller: str, reference_hint: str = "") -> CallResult:
        raise NotImplementedError


class ConsoleCallBackend(CallBackend):
    def place(self, *, number, caller, reference_hint=""):
        reference = f"console-{uuid.uuid4().hex[:12]}"
        logger.warning("Outbound call %s by %s to %s (%s)", reference, caller, number, reference_hint)
        return CallResult(CallOutcome.CONNECTED, reference, 0)


class OutboxCallBackend(CallBackend):
    outcome = CallOutcome.CONNECTED
    duration_seconds = 42

    def place(self, *, number, caller, reference_hint=""):
        reference = f"outbox-{len(outbox) + 1}"
        outbox.append({"number": number, "caller": caller, "reference": reference, "hint": reference_hint})
        return CallResult(self.outcome, reference, self.duration_seconds if self.outcome == CallOutcome.CONNECTED else 0)


def backend_path() -> str:
    return settings.EXPANSION_CALL_BACKEND


def backend() -> CallBackend:
    """The configured backend, or CallUnavailable when it cannot be loaded."""
    try:
        return import_string(backend_path())()
    except (ImportError, TypeError) as exc:
        raise CallUnavailable(str(exc)) from exc
