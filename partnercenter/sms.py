"""Sending text messages through a pluggable backend (settings.SMS_BACKEND), like Django's e-mail.

The default console backend writes the message to the log; `OutboxSmsBackend` keeps messages in
`outbox` for tests; a real gateway is a class with `send(mobile, text)` named in SMS_BACKEND.
"""

import logging

from django.conf import settings
from django.utils.module_loading import import_string

__all__ = ["send_sms", "ConsoleSmsBackend", "OutboxSmsBackend", "outbox"]

logger = logging.getLogger("partnercenter.sms")
outbox: list[tuple[str, str]] = []


class ConsoleSmsBackend:
    def send(self, mobile: str, text: str) -> None:
        logger.warning("SMS to %s: %s", mobile, text)


class OutboxSmsBackend:
    def send(self, mobile: str, text: str) -> None:
        outbox.append((mobile, text))


def send_sms(mobile: str, text: str) -> None:
    import_string(settings.SMS_BACKEND)().send(mobile, text)
