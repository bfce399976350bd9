"""Every API error in Huawei's shape: {"error_code": "...", "error_msg": "..."} — never HTML, never a 500
for anything a client can send."""

import logging
import math

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, JsonResponse
from rest_framework import exceptions
from rest_framework.response import Response

from ..errors import MESSAGES, STATUS, Codes, DomainError

__all__ = ["exception_handler", "error_body", "json_error", "first_error"]

logger = logging.getLogger(__name__)


def error_body(code: str, message=None) -> dict:
    return {"error_code": code, "error_msg": str(message if message is not None else MESSAGES[code])}


def json_error(code: str, message=None, status=None) -> JsonResponse:
    return JsonResponse(error_body(code, message), status=status or STATUS.get(code, 400))


def first_error(detail, prefix="") -> str:
    """The first field error of a DRF ValidationError detail, as `field: message`."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = prefix if key == "non_field_errors" else (f"{prefix}.{key}" if prefix else str(key))
            return first_error(value, name)
    if isinstance(detail, list) and detail:
        return first_error(detail[0], prefix)
    return f"{prefix}: {detail}" if prefix else str(detail)


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return Response({**error_body(exc.code, exc.message), **exc.extra}, status=exc.status)
    if isinstance(exc, (exceptions.NotAuthenticated, exceptions.AuthenticationFailed)):
        response = Response(error_body(Codes.UNAUTHENTICATED), status=401)
        response["WWW-Authenticate"] = "SDK-HMAC-SHA256"
        return response
    if isinstance(exc, (exceptions.PermissionDenied, DjangoPermissionDenied)):
        return Response(error_body(Codes.FORBIDDEN), status=403)
    if isinstance(exc, (exceptions.NotFound, Http404)):
        return Response(error_body(Codes.NOT_FOUND), status=404)
    if isinstance(exc, exceptions.ValidationError):
        return Response(error_body(Codes.PARAMETER, f"{MESSAGES[Codes.PARAMETER]} {first_error(exc.detail)}"), status=400)
    if isinstance(exc, exceptions.Throttled):
        response = Response(error_body(Codes.THROTTLED), status=429)
        response["Retry-After"] = str(math.ceil(exc.wait or 1))
        return response
    if isinstance(exc, SuspiciousOperation):  # e.g. RequestDataTooBig while a body is read
        return Response(error_body(Codes.PARAMETER), status=400)
    if isinstance(exc, exceptions.APIException):
        return Response(error_body(Codes.PARAMETER, exc.detail), status=exc.status_code)
    logger.exception("Unhandled API error", exc_info=exc)
    return Response(error_body(Codes.INTERNAL), status=500)
