"""X-Idempotency-Key for money-moving endpoints (Stripe's rule): the first result is stored and replayed
for 24 hours; the same key with a different request is refused (422); a retry while the first is
still running gets 409. The key row is inserted in its own committed transaction before the work, so
the UNIQUE constraint makes concurrent retries wait or fail instead of moving money twice.

A key belongs to the access key that sent it, and is looked at only after authorization: this wraps
the view's handler, which DRF calls after the signature and the view's permission classes (the kind
of key and its `required_permission`) have passed. A key without the right gets its own refusal; a
stored response is never served to another access key, even of the same partner."""

import hashlib
from datetime import timedelta
from functools import wraps

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.response import Response

from partnercenter.api.errors import error_body
from partnercenter.errors import Codes, DomainError

from ..errors import BillingCodes
from ..models import IdempotencyKey

__all__ = ["idempotent", "REPLAY_WINDOW"]

REPLAY_WINDOW = timedelta(hours=24)
KEY_LENGTH = 128  # IdempotencyKey.key; a longer key is refused, never cut (two keys would become one)


def idempotent(method):
    @wraps(method)
    def wrapper(view, request, *args, **kwargs):
        key = request.META.get("HTTP_X_IDEMPOTENCY_KEY", "").strip()
        if not key:
            return method(view, request, *args, **kwargs)
        if len(key) > KEY_LENGTH:
            raise DomainError(Codes.PARAMETER, _("X-Idempotency-Key may be at most %(length)d characters.")
                              % {"length": KEY_LENGTH})
        access_key = request.auth.access_key
        fingerprint = hashlib.sha256(request.method.encode() + request.path.encode() + b"\n" + request.body).hexdigest()
        mine = IdempotencyKey.objects.filter(access_key=access_key, key=key)
        mine.filter(created_at__lt=timezone.now() - REPLAY_WINDOW).delete()
        try:
            with transaction.atomic():
                record = IdempotencyKey.objects.create(access_key=access_key, key=key, request_hash=fingerprint)
        except IntegrityError:
            record = mine.first()
            if record is not None and record.request_hash != fingerprint:
                raise DomainError(BillingCodes.IDEMPOTENCY_MISMATCH) from None
            if record is None or record.status_code is None:
                raise DomainError(BillingCodes.IDEMPOTENCY_IN_PROGRESS) from None
            response = Response(record.response, status=record.status_code)
            response["Idempotent-Replayed"] = "true"
            return response
        try:
            response = method(view, request, *args, **kwargs)
        except DomainError as exc:
            IdempotencyKey.objects.filter(pk=record.pk).update(
                status_code=exc.status, response={**error_body(exc.code, exc.message), **exc.extra})
            raise
        except BaseException:
            IdempotencyKey.objects.filter(pk=record.pk).delete()  # nothing happened: let a retry run
            raise
        IdempotencyKey.objects.filter(pk=record.pk).update(status_code=response.status_code, response=response.data)
        return response

    return wrapper
