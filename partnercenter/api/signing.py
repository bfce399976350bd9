"""SDK-HMAC-SHA256: the request signature of Huawei's API gateway, as the official SDK makes it.

    canonical request = METHOD \n URI/ \n sorted query \n name:value\n… \n signed;headers \n sha256(body)
    string to sign    = "SDK-HMAC-SHA256" \n X-Sdk-Date \n sha256(canonical request)
    signature         = hex(HMAC-SHA256(SK, string to sign))

Pure functions over plain values, so the golden vectors in the tests exercise exactly what the
gateway runs. Comparison is constant-time; the caller decides what a mismatch means.
"""

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import parse_qsl, quote, unquote

__all__ = [
    "ALGORITHM", "DATE_FORMAT", "EMPTY_SHA256", "AuthorizationHeader", "parse_authorization",
    "canonical_uri", "canonical_query", "canonical_request", "string_to_sign", "sign", "signatures_match",
    "parse_sdk_date",
]

ALGORITHM = "SDK-HMAC-SHA256"
DATE_FORMAT = "%Y%m%dT%H%M%SZ"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()

_AUTH_RE = re.compile(
    r"^SDK-HMAC-SHA256\s+Access=(?P<ak>[^,\s]+),\s*SignedHeaders=(?P<headers>[^,\s]+),\s*Signature=(?P<sig>[0-9a-fA-F]+)\s*$"
)


@dataclass(frozen=True)
class AuthorizationHeader:
    access_key: str
    signed_headers: tuple[str, ...]
    signature: str


def parse_authorization(value: str) -> AuthorizationHeader | None:
    match = _AUTH_RE.match(value or "")
    if not match:
        return None
    headers = tuple(h for h in match["headers"].lower().split(";") if h)
    return AuthorizationHeader(match["ak"], headers, match["sig"].lower())


def _encode(text: str) -> str:
    return quote(text, safe="~")


def canonical_uri(path: str) -> str:
    uri = "/".join(_encode(part) for part in unquote(path).split("/"))
    return uri if uri.endswith("/") else uri + "/"


def canonical_query(query_string: str) -> str:
    pairs = sorted(parse_qsl(query_string, keep_blank_values=True))
    return "&".join(f"{_encode(k)}={_encode(v)}" for k, v in pairs)


def canonical_request(method, path, query_string, headers: dict[str, str], signed_headers, payload_hash) -> str:
    """`headers` maps lower-case names to values for every name in `signed_headers`."""
    lines = "".join(f"{name}:{headers[name].strip()}\n" for name in signed_headers)
    return "\n".join(
        [method.upper(), canonical_uri(path), canonical_query(query_string), lines, ";".join(signed_headers), payload_hash]
    )


def string_to_sign(canonical: str, sdk_date: str) -> str:
    return f"{ALGORITHM}\n{sdk_date}\n{hashlib.sha256(canonical.encode()).hexdigest()}"


def sign(secret_key: str, to_sign: str) -> str:
    return hmac.new(secret_key.encode(), to_sign.encode(), hashlib.sha256).hexdigest()


def signatures_match(expected: str, given: str) -> bool:
    return hmac.compare_digest(expected.encode(), given.encode())


def parse_sdk_date(value: str) -> datetime | None:
    try:
        return datetime.strptime(value, DATE_FORMAT).replace(tzinfo=timezone.utc)
    except (TypeError, ValueError):
        return None
