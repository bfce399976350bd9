"""Requests signed by the official SDK (huaweicloudsdkbss / huaweicloudsdkcore), sent cheaply.

The SDK's own client builds and signs each request — its `_<operation>_http_info` for the path, query
and body, and `build_future_request`, which serializes the body and signs with the credentials'
SDK-HMAC-SHA256 signer, X-Domain-Id included — with a fresh X-Sdk-Date every time. Only the sending is
ours: `http.client` instead of `requests`, and no deserializing of the answer into SDK models, so the
client costs little of the CPU the server shares with it. `bss_client` gives the SDK client itself for
the end-to-end check that each operation deserializes (`BssClient.list_sub_customers(…)` etc.).

`to_wsgi_environ` turns the same signed request into a WSGI environ for in-process measurements.
"""

import http.client
import io
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from huaweicloudsdkbss.v2 import BssClient
from huaweicloudsdkcore.auth.credentials import GlobalCredentials
from huaweicloudsdkcore.http.http_config import HttpConfig

__all__ = ["Call", "bss_client", "sign", "send", "to_wsgi_environ"]


@dataclass
class Call:
    """One API operation: `operation` names the SDK's `_<operation>_http_info` (None for paths the SDK does
    not know, e.g. GET /v1/whoami, given by method and path), `request` the SDK request object."""

    name: str
    operation: str | None = None
    request: object = None
    method: str = "GET"
    path: str = ""
    query: list = field(default_factory=list)

    def http_info(self, client):
        if self.operation:
            return getattr(client, f"_{self.operation}_http_info")(self.request)
        return {"method": self.method, "resource_path": self.path, "path_params": {}, "query_params": list(self.query),
                "header_params": {"Content-Type": "application/json"}, "body": None, "post_params": {},
                "cname": None, "response_type": None, "collection_formats": {}}


def bss_client(base_url, ak, sk, domain_id) -> BssClient:
    config = HttpConfig.get_default_config()
    config.retry_times = 0
    config.timeout = (10, 120)
    return (BssClient.new_builder().with_credentials(GlobalCredentials(ak, sk, domain_id))
            .with_endpoints([base_url]).with_http_config(config).build())


def sign(client, call: Call):
    """A freshly signed SdkRequest (method, uri, header_params, body) made by the SDK."""
    info = call.http_info(client)
    return client.build_future_request(
        info["method"], info["resource_path"], info.get("path_params"), info.get("query_params"),
        dict(info.get("header_params") or {}), info.get("body"), info.get("post_params"), info.get("cname"),
        info.get("response_type"), info.get("collection_formats"), None,
    ).result()


def send(client, call: Call, *, timeout=120):
    """Sign and send one request to the client's endpoint; (status, body bytes)."""
    request = sign(client, call)
    parts = urlsplit(request.url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        conn.request(request.method, request.uri, body=request.body, headers=request.header_params)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def to_wsgi_environ(request) -> dict:
    """A WSGI environ for a signed SdkRequest (as a WSGI server would build it)."""
    parts = urlsplit(request.url)
    body = request.body or b""
    if isinstance(body, str):
        body = body.encode()
    environ = {
        "REQUEST_METHOD": request.method, "PATH_INFO": parts.path, "QUERY_STRING": parts.query,
        "SERVER_NAME": parts.hostname, "SERVER_PORT": str(parts.port or 80), "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1", "SCRIPT_NAME": "", "wsgi.version": (1, 0), "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body), "wsgi.errors": io.StringIO(), "wsgi.multithread": False,
        "wsgi.multiprocess": True, "wsgi.run_once": False, "CONTENT_LENGTH": str(len(body)),
    }
    for name, value in request.header_params.items():
        key = name.upper().replace("-", "_")
        if key == "CONTENT_TYPE":
            environ["CONTENT_TYPE"] = value
        elif key != "CONTENT_LENGTH":
            environ[f"HTTP_{key}"] = value
    return environ
