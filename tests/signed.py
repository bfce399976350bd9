"""Signing test requests with the official SDK's own signer (huaweicloudsdkcore), so the gateway is
tested against what real clients send, not against our reading of the algorithm."""

import gc
import json as jsonlib
from datetime import datetime, timedelta, timezone
from urllib.parse import urlencode

from django.test import Client
from huaweicloudsdkcore.auth.credentials import GlobalCredentials
from huaweicloudsdkcore.http.http_config import HttpConfig
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer

HOST = "testserver"


def sdk_date(delta: timedelta = timedelta(0)) -> str:
    return (datetime.now(timezone.utc) + delta).strftime("%Y%m%dT%H%M%SZ")


class Credentials:
    def __init__(self, ak, sk):
        self.ak, self.sk = ak, sk


def signed_headers(method, path, *, ak, sk, query=(), body=b"", date=None, domain_id=None, host=HOST, extra=None):
    """Headers the SDK would send (Authorization included) for this request."""
    headers = {"Content-Type": "application/json", "X-Sdk-Date": date or sdk_date()}
    if domain_id:
        headers["X-Domain-Id"] = domain_id
    headers.update(extra or {})
    request = SdkRequest(method=method, schema="http", host=host, resource_path=path,
                         query_params=list(query), header_params=headers, body=body)
    Signer(Credentials(ak, sk)).sign(request)
    return dict(request.header_params)


def call(client: Client, method, path, *, ak, sk, json=None, body=None, query=(), date=None, domain_id=None,
         tamper=None, extra=None):
    """Sign a request with the SDK signer and send it through Django's test client.

    `tamper(parts)` may change the method, path, query, headers or body after signing."""
    raw = body if body is not None else (jsonlib.dumps(json).encode() if json is not None else b"")
    headers = signed_headers(method, path, ak=ak, sk=sk, query=query, body=raw, date=date, domain_id=domain_id, extra=extra)
    parts = {"method": method, "path": path, "query": list(query), "headers": headers, "body": raw}
    if tamper:
        tamper(parts)
    meta = {}
    for name, value in parts["headers"].items():
        key = name.upper().replace("-", "_")
        if key in ("CONTENT_TYPE", "HOST"):
            meta["HTTP_HOST" if key == "HOST" else key] = value
        else:
            meta[f"HTTP_{key}"] = value
    content_type = meta.pop("CONTENT_TYPE", "application/json")
    if not parts["body"]:
        meta["CONTENT_TYPE"] = content_type  # a real client sends it even without a body
    url = parts["path"] + ("?" + urlencode(parts["query"]) if parts["query"] else "")
    return client.generic(parts["method"], url, data=parts["body"], content_type=content_type, **meta)


_open_clients = []


def close_clients():
    """Close the SDK's keep-alive sessions so no live-server thread is left waiting on a socket."""
    while _open_clients:
        _open_clients.pop().close()
    # A `pytest.raises` around an SDK call keeps the failed response (and its socket) alive until collected;
    # collect now, so no live-server thread keeps its database connection open past the test.
    gc.collect()


def bss_client(base_url, *, ak, sk, domain_id):
    """The official BSS client pointed at a live test server (closed after the test by conftest)."""
    from huaweicloudsdkbss.v2 import BssClient

    config = HttpConfig.get_default_config()
    config.ignore_ssl_verification = True
    config.retry_times = 0
    client = (
        BssClient.new_builder()
        .with_credentials(GlobalCredentials(ak, sk, domain_id))
        .with_endpoints([base_url])
        .with_http_config(config)
        .build()
    )
    _open_clients.append(client)
    return client
