"""The one domain exception and the catalogue of error codes.

Services raise `DomainError(code, ...)`; the API turns it into Huawei's `{"error_code", "error_msg"}`
body with the code's HTTP status, pages into a form error or message. Codes Huawei documents keep
Huawei's value (CBC.0100; its API gateway's APIGW.0301 with 401 and APIGW.0308, throttled, with 429);
where Huawei publishes none we chose one in the CBC.015x range and list it here, so tests and clients
have one place to look.
"""

from django.utils.translation import gettext_lazy as _

__all__ = ["DomainError", "Codes", "STATUS", "MESSAGES", "register"]


class Codes:
    PARAMETER = "CBC.0100"
    FORBIDDEN = "CBC.0151"
    NOT_FOUND = "CBC.0156"
    VERIFICATION_REQUIRED = "CBC.0157"
    VERIFICATION_FAILED = "CBC.0158"
    VERIFICATION_THROTTLED = "CBC.0159"
    VERIFICATION_NO_DEVICE = "CBC.0160"
    LIMIT_REACHED = "CBC.0161"
    CONFLICT = "CBC.0162"
    INTERNAL = "CBC.0999"
    UNAUTHENTICATED = "APIGW.0301"
    THROTTLED = "APIGW.0308"


STATUS = {
    Codes.PARAMETER: 400,
    Codes.FORBIDDEN: 403,
    Codes.NOT_FOUND: 404,
    Codes.VERIFICATION_REQUIRED: 400,
    Codes.VERIFICATION_FAILED: 400,
    Codes.VERIFICATION_THROTTLED: 429,
    Codes.VERIFICATION_NO_DEVICE: 400,
    Codes.LIMIT_REACHED: 400,
    Codes.CONFLICT: 409,
    Codes.INTERNAL: 500,
    Codes.UNAUTHENTICATED: 401,
    Codes.THROTTLED: 429,
}

MESSAGES = {
    Codes.PARAMETER: _("Invalid parameter."),
    Codes.FORBIDDEN: _("Access denied."),
    Codes.NOT_FOUND: _("The object does not exist."),
    Codes.VERIFICATION_REQUIRED: _("This operation needs a verification code."),
    Codes.VERIFICATION_FAILED: _("The verification code is wrong or has expired."),
    Codes.VERIFICATION_THROTTLED: _("Too many wrong verification codes. Try again later."),
    Codes.VERIFICATION_NO_DEVICE: _(
        "Verification codes are on for your partner, but you have no verification device. "
        "Add an authenticator app or e-mail device under Security first."
    ),
    Codes.LIMIT_REACHED: _("A limit has been reached."),
    Codes.CONFLICT: _("The object is in use."),
    Codes.INTERNAL: _("Internal error."),
    Codes.UNAUTHENTICATED: _("Incorrect IAM authentication information."),
    Codes.THROTTLED: _("The throttling threshold has been reached."),
}


def register(codes: dict) -> None:
    """A domain app adds its own codes: {code: (http status, default message)}."""
    for code, (status, message) in codes.items():
        STATUS[code] = status
        MESSAGES[code] = message


class DomainError(Exception):
    """A business rule said no. `code` is a CBC code from `Codes` (or a domain's); `message` is shown
    to the user; `extra` are fields the API adds to the error body (e.g. failCheckItems)."""

    def __init__(self, code: str, message=None, *, extra=None, **context):
        self.code = code
        self.message = message if message is not None else MESSAGES.get(code, code)
        self.extra = dict(extra or {})
        self.context = context
        super().__init__(f"{code}: {self.message}")

    @property
    def status(self) -> int:
        return STATUS.get(self.code, 400)
