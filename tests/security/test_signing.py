"""The signature algorithm against the golden vectors of RELIABILITY.md (made by the official signer)."""

import hashlib

import pytest

from partnercenter.api import signing

SK = "GoldenSecretKey0000000000000000000000EXAM"
HEADERS = {
    "content-type": "application/json",
    "host": "127.0.0.1:8000",
    "x-domain-id": "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
    "x-sdk-date": "20261121T080000Z",
}
SIGNED = ("content-type", "host", "x-domain-id", "x-sdk-date")
VECTORS = [
    ("POST", "/v2/partners/sub-customers/query", "", b'{"offset": 0, "limit": 10}',
     "58a4776e557194577370fc6e495ee625ef3c7c04939bc650969892e3cbbeb0a7"),
    ("GET", "/v3/accounts/partner-accounts/adjust-records", "customer_id=c0ffee&limit=10&offset=0", b"",
     "efb85e32b986ed851e53e2e915dd0d6dc2388d2462d8cf31d651d75568364636"),
]


def signature(method, path, query, headers, body):
    payload_hash = hashlib.sha256(body).hexdigest() if body else signing.EMPTY_SHA256
    canonical = signing.canonical_request(method, path, query, headers, SIGNED, payload_hash)
    return signing.sign(SK, signing.string_to_sign(canonical, headers["x-sdk-date"]))


@pytest.mark.parametrize("method,path,query,body,expected", VECTORS)
def test_golden_vector_verifies(method, path, query, body, expected):
    assert signature(method, path, query, HEADERS, body) == expected


def _flip(text: str) -> str:
    """Change one byte (the last character) of a string."""
    return text[:-1] + ("0" if text[-1] != "0" else "1")


@pytest.mark.parametrize("method,path,query,body,expected", VECTORS)
@pytest.mark.parametrize("part", ["method", "path", "query", "body", *SIGNED])
def test_one_changed_byte_breaks_the_signature(method, path, query, body, expected, part):
    headers = dict(HEADERS)
    if part == "method":
        method = "PUT" if method == "POST" else "HEAD"
    elif part == "path":
        path = _flip(path)
    elif part == "query":
        query = _flip(query) if query else "x=1"
    elif part == "body":
        body = body[:-1] + b" " if body else b"{}"
    else:
        headers[part] = _flip(headers[part])
    assert signature(method, path, query, headers, body) != expected


def test_authorization_header_parses_and_requires_the_algorithm():
    parsed = signing.parse_authorization("SDK-HMAC-SHA256 Access=AK1, SignedHeaders=host;x-sdk-date, Signature=ABCDEF")
    assert parsed.access_key == "AK1"
    assert parsed.signed_headers == ("host", "x-sdk-date")
    assert parsed.signature == "abcdef"
    assert signing.parse_authorization("AWS4-HMAC-SHA256 Credential=x") is None
    assert signing.parse_authorization("") is None
