"""What the webhook tests share: a real HTTP receiver on loopback, the README's verification snippet, and an
endpoint registered through the service."""

import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from events import webhook_services
from partnercenter import secretbox

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_verifier():
    """`verify_webhook` as the README documents it: the Python block between the marker comments, executed."""
    text = README.read_text()
    block = re.search(r"<!-- webhook-verify:begin -->\s*```python\n(.*?)```\s*<!-- webhook-verify:end -->", text, re.S)
    assert block, "README.md has no webhook verification snippet between its markers"
    namespace = {}
    exec(compile(block.group(1), "README.md#webhook-verify", "exec"), namespace)  # noqa: S102 — our own README
    return namespace["verify_webhook"]


class Receiver:
    """An HTTP server on 127.0.0.1 in a thread. It answers each request with the next status of `statuses`
    (the last one repeats), `body` and `headers`, and keeps every request it got: (headers, raw body)."""

    def __init__(self, statuses=(200,), body=b"ok", headers=None, hold=None):
        self.statuses, self.body, self.extra_headers = list(statuses), body, dict(headers or {})
        self.hold = hold  # a threading.Event: when given, each answer waits for it (a receiver that hangs)
        self.requests = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as real receivers do

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                with receiver._lock:
                    receiver.requests.append((dict(self.headers.items()), raw))
                    index = min(len(receiver.requests), len(receiver.statuses)) - 1
                    status = receiver.statuses[index]
                if receiver.hold is not None:
                    receiver.hold.wait(10)
                self.send_response(status)
                for name, value in receiver.extra_headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(receiver.body)))
                self.end_headers()
                self.wfile.write(receiver.body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.handle_error = lambda request, address: None  # a client that gave up (timeout) is no news
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/partner-center"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def register(actor, url, types=("customer.associated",), description=""):
    """(endpoint, secret) registered through the service, as the page and the API do."""
    return webhook_services.create_endpoint(actor, url=url, types=list(types), description=description)


def secret_of(endpoint) -> str:
    """The endpoint's current signing secret, as stored (encrypted)."""
    return secretbox.decrypt(endpoint.secret_encrypted)
