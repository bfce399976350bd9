"""The CBC gateway's authentication: verify an SDK-HMAC-SHA256 signature and build the actor.

Every failure — no header, a malformed one, an unknown or disabled AK, a wrong signature, a stale
or missing X-Sdk-Date, an X-Domain-Id that is not the key owner's — raises the same
AuthenticationFailed, which the error handler renders as one identical 401 body, so a caller
learns nothing about which AKs exist. Calls without valid credentials are counted per client address
("cbc.anon", partnercenter/api/throttling.py).

Cost: one statement reads the key with its owner, membership or customer, partner and the owner's roles
(joined, the roles as one JSON list from a correlated subquery); the key's last use is written at most
once a minute. Nothing is cached between requests (tests/security/test_auth_cost.py).

Before anything else, a query string that repeats a parameter is refused (CBC.0100): otherwise one
signed request could mean `customer_id=A` to one reader and `customer_id=B` to another. Only the
parameters Huawei documents as lists on its GET endpoints may repeat.
"""

import hashlib
from datetime import timedelta

from django.conf import settings
from django.db.models import JSONField, OuterRef, Q, Subquery
from django.db.models.functions import JSONObject
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed, ValidationError

from .. import secretbox
from ..aggregates import JSONList
from ..actors import actor_for_access_key
from ..models import AccessKey, Role
from . import signing
from .throttling import count_unauthenticated

__all__ = ["SignatureAuthentication", "client_ip", "LIST_QUERY_PARAMETERS"]

_LAST_USED_GRANULARITY = timedelta(minutes=1)
# Query parameters that CBC GET endpoints take as lists, sent repeated (`?coupon_ids=a&coupon_ids=b`):
# GET /v2/promotions/benefits/partner-coupons/records/query. Every other parameter may appear once.
LIST_QUERY_PARAMETERS = frozenset({"operation_types", "coupon_ids"})


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def _header_value(request, name: str) -> str | None:
    meta = request.META
    if name == "content-type":
        value = meta.get("CONTENT_TYPE")
    elif name == "content-length":
        value = meta.get("CONTENT_LENGTH")
    else:
        value = meta.get("HTTP_" + name.upper().replace("-", "_"))
    if value is None:
        return None
    try:  # WSGI hands headers over as latin-1; the SDK signed the UTF-8 text.
        return value.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return value


def _role_grants():
    """The owner's roles as [{"admin": bool, "permissions": [...]}, …], or None for no role (or a customer)."""
    roles = (Role.objects.filter(members__user=OuterRef("user_id")).order_by().values("members__user")
             .annotate(grants=JSONList(JSONObject(admin="is_administrator", permissions="permissions")))
             .values("grants"))
    return Subquery(roles, output_field=JSONField())


def _key_with_owner(ak: str):
    """The key named by `ak` with everything the actor needs, in one statement: its owner, the owner's
    membership (a partner key) or customer user and customer (a customer key), the partner, and the
    owner's roles (`role_grants`, used by `actor_for_access_key` once the signature has matched). An unknown
    AK and a known one cost the same before the check. Nothing is cached across requests: a key disabled
    or deleted, a role changed, a member deactivated or a partner suspended counts from the very next
    request."""
    return (
        AccessKey.objects.select_related("partner", "user__member", "user__customer_user__customer")
        .annotate(role_grants=_role_grants()).filter(ak=ak).first()
    )


def _note_use(key) -> None:
    """Record when a key was last used, to the minute: a conditional UPDATE that runs only when the
    key's row says its last use is more than a minute old, so a key in steady use writes once a minute
    (and several processes racing for that minute write once), not once per request."""
    now = timezone.now()
    if key.last_used_at is not None and now - key.last_used_at <= _LAST_USED_GRANULARITY:
        return
    stale = Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - _LAST_USED_GRANULARITY)
    AccessKey.objects.filter(stale, pk=key.pk).update(last_used_at=now)


class SignatureAuthentication(BaseAuthentication):
    www_authenticate = signing.ALGORITHM

    def authenticate_header(self, request):
        return self.www_authenticate

    def authenticate(self, request):
        django_request = request._request
        for name, values in django_request.GET.lists():
            if len(values) > 1 and name not in LIST_QUERY_PARAMETERS:
                raise ValidationError({name: _("This parameter may be given only once.")})
        try:
            result = self._verify(django_request)
        except AuthenticationFailed:
            count_unauthenticated(django_request)
            raise
        if result is None:
            count_unauthenticated(django_request)
        return result

    def _verify(self, django_request):
        raw = django_request.META.get("HTTP_AUTHORIZATION")
        if not raw:
            return None  # NotAuthenticated → 401 with the same body
        auth = signing.parse_authorization(raw)
        if auth is None or "x-sdk-date" not in auth.signed_headers:
            raise AuthenticationFailed()

        headers = {}
        for name in auth.signed_headers:
            value = _header_value(django_request, name)
            if value is None:
                raise AuthenticationFailed()
            headers[name] = value

        sent_at = signing.parse_sdk_date(headers["x-sdk-date"])
        if sent_at is None or abs(timezone.now() - sent_at) > settings.SIGNATURE_MAX_SKEW:
            raise AuthenticationFailed()

        body = django_request.body
        payload_hash = hashlib.sha256(body).hexdigest() if body else signing.EMPTY_SHA256
        declared = _header_value(django_request, "x-sdk-content-sha256")
        if body and declared is not None and declared != payload_hash:
            raise AuthenticationFailed()  # UNSIGNED-PAYLOAD is refused: our bodies are always signed

        key = _key_with_owner(auth.access_key)
        # Compute a signature even for an unknown AK so both paths cost the same.
        secret = secretbox.decrypt(key.sk_encrypted) if key is not None else "unknown-access-key"
        canonical = signing.canonical_request(
            django_request.method, django_request.path, django_request.META.get("QUERY_STRING", ""),
            headers, auth.signed_headers, payload_hash,
        )
        expected = signing.sign(secret, signing.string_to_sign(canonical, headers["x-sdk-date"]))
        if not signing.signatures_match(expected, auth.signature) or key is None:
            raise AuthenticationFailed()

        actor = actor_for_access_key(key, ip=client_ip(django_request))
        if actor is None:
            raise AuthenticationFailed()
        owner_domain_id = actor.domain_id  # a partner's, a customer's, or the platform's (a platform key)
        sent_domain_id = django_request.META.get("HTTP_X_DOMAIN_ID")
        if sent_domain_id is not None and sent_domain_id != owner_domain_id:
            raise AuthenticationFailed()

        _note_use(key)
        django_request.actor = actor
        return key.user, actor
