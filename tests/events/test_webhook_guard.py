"""The SSRF guard: with WEBHOOK_ALLOW_PRIVATE_TARGETS off, no webhook goes to loopback, private, link-local
(the metadata address among them) or other non-public addresses, nor over plain http — at registration
and again at every send, whatever DNS answers later. A POST connects to the address that was checked and
verifies the certificate against the host name (TLS SNI), and never follows a redirect."""

import datetime
import socket
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.utils import timezone, translation

from events import webhooks
from events.errors import WebhookCodes
from events.models import Event, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from events.webhook_http import UnsafeTarget, check_url, is_public
from partnercenter.errors import DomainError

from ..conftest import actor_of
from .webhook_helpers import Receiver, register

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Attempt errors are written in the active language; these tests read them in English."""
    with translation.override("en"):
        yield

REFUSED = [
    "https://127.0.0.1/hook",
    "https://127.1.2.3/hook",
    "https://10.0.0.1/hook",
    "https://172.16.5.4/hook",
    "https://192.168.1.10/hook",
    "https://169.254.169.254/latest/meta-data/",
    "https://100.64.0.1/hook",
    "https://0.0.0.0/hook",
    "https://224.0.0.1/hook",
    "https://240.0.0.1/hook",
    "https://[::1]/hook",
    "https://[::]/hook",
    "https://[::ffff:127.0.0.1]/hook",
    "https://[::ffff:169.254.169.254]/hook",
    "https://[2002:7f00:1::1]/hook",  # 6to4 wrapping 127.0.0.1
    "https://[fe80::1]/hook",
    "https://[fc00::1]/hook",
    "https://[ff02::1]/hook",
    "https://localhost/hook",
    "https://2130706433/hook",  # 127.0.0.1 spelled as one number
    "https://0x7f.1/hook",
    "http://example.com/hook",
    "ftp://example.com/hook",
    "https://user:secret@example.com/hook",
    "not a url",
    "https:///no-host",
]


@pytest.fixture
def guarded(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False


@pytest.fixture
def dns(monkeypatch):
    """Fake DNS answers for names under .example.test; every other name resolves as usual."""
    answers = {}
    real = socket.getaddrinfo

    def fake(host, port, *args, **kwargs):
        if isinstance(host, str) and host in answers:
            return [(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "",
                     (a, port, 0, 0) if ":" in a else (a, port)) for a in answers[host]]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    return answers


@pytest.mark.parametrize("url", REFUSED)
def test_the_guard_refuses_what_is_not_a_public_https_address(guarded, url):
    with pytest.raises(UnsafeTarget):
        check_url(url)


@pytest.mark.parametrize("address", ["127.0.0.1", "10.1.2.3", "169.254.169.254", "::1", "::ffff:10.0.0.1", "fd00::1",
                                     "100.64.1.1", "198.18.0.1", "192.0.2.1", "2001:db8::1", "fe80::1%eth0"])
def test_non_public_addresses(address):
    assert not is_public(address)


@pytest.mark.parametrize("address", ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "114.114.114.114"])
def test_public_addresses(address):
    assert is_public(address)


def test_registration_refuses_each_with_a_clear_error_and_stores_nothing(guarded, tenant_a):
    for url in ("https://127.0.0.1/hook", "https://10.0.0.1/hook", "https://169.254.169.254/", "https://[::1]/",
                "http://example.com/", "https://localhost/"):
        with pytest.raises(DomainError) as refused:
            register(actor_of(tenant_a.admin), url)
        assert refused.value.code == WebhookCodes.TARGET_REFUSED, url
        assert str(refused.value.message)
    assert not WebhookEndpoint.objects.exists()


def test_a_name_with_any_private_answer_is_refused_and_a_public_one_accepted(guarded, tenant_a, dns):
    dns["mixed.example.test"] = ["93.184.216.34", "10.0.0.7"]
    dns["public.example.test"] = ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"]

    with pytest.raises(DomainError) as refused:
        register(actor_of(tenant_a.admin), "https://mixed.example.test/hook")
    endpoint, _secret = register(actor_of(tenant_a.admin), "https://public.example.test/hook")

    assert refused.value.code == WebhookCodes.TARGET_REFUSED and "10.0.0.7" in str(refused.value.message)
    assert endpoint.url == "https://public.example.test/hook"


def _owed(endpoint, now):
    event = Event.objects.create(type="ping", partner=endpoint.partner, data={})
    return WebhookDelivery.objects.create(endpoint=endpoint, event=event, next_attempt_at=now, created_at=now)


def test_a_name_that_rebinds_to_loopback_after_registration_is_refused_at_send(guarded, tenant_a, dns):
    with Receiver() as receiver:
        port = receiver.server.server_address[1]
        dns["rebind.example.test"] = ["93.184.216.34"]
        endpoint, _secret = register(actor_of(tenant_a.admin), f"https://rebind.example.test:{port}/hook")
        dns["rebind.example.test"] = ["127.0.0.1"]  # the attacker's DNS now answers loopback
        now = timezone.now()
        _owed(endpoint, now)

        assert webhooks.deliver_due(now=now) == 1

    assert receiver.requests == []
    attempt = WebhookAttempt.objects.get()
    assert (attempt.status_code, attempt.succeeded) == (None, False)
    assert "127.0.0.1" in attempt.error


def test_an_endpoint_on_loopback_gets_nothing_once_the_setting_is_off(settings, tenant_a):
    with Receiver() as receiver:
        endpoint, _secret = register(actor_of(tenant_a.admin), receiver.url)  # allowed while the setting is on
        settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False
        now = timezone.now()
        _owed(endpoint, now)
        webhooks.deliver_due(now=now)

    assert receiver.requests == []
    assert WebhookAttempt.objects.get().error == "The URL must start with https://."


def test_the_post_goes_to_the_checked_address_with_the_host_name_as_host_header(tenant_a, dns):
    with Receiver() as receiver:
        port = receiver.server.server_address[1]
        dns["hooks.example.test"] = ["127.0.0.1"]
        endpoint, _secret = register(actor_of(tenant_a.admin), f"http://hooks.example.test:{port}/in?x=1")
        now = timezone.now()
        _owed(endpoint, now)
        webhooks.deliver_due(now=now)

    [(headers, _body)] = receiver.requests
    assert headers["Host"] == f"hooks.example.test:{port}"
    assert WebhookAttempt.objects.get().succeeded


# -------------------------------------------------------------------------------------------------
# TLS: connected by address, verified by name
# -------------------------------------------------------------------------------------------------

def _certificates(tmp_path, name):
    """A test CA (its PEM path) and a server certificate for `name` signed by it (cert and key paths)."""
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Webhook test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
          .not_valid_after(now + datetime.timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    leaf = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .sign(ca_key, hashes.SHA256()))
    paths = {"ca": tmp_path / "ca.pem", "cert": tmp_path / "cert.pem", "key": tmp_path / "key.pem"}
    paths["ca"].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths["cert"].write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    paths["key"].write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption()))
    return paths


class TlsReceiver:
    """An HTTPS server on 127.0.0.1 presenting a certificate for one name; records the SNI names it was asked for."""

    def __init__(self, paths):
        self.server_names, self.requests = [], []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                outer.requests.append(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(paths["cert"], paths["key"])
        context.sni_callback = lambda sock, name, ctx: outer.server_names.append(name)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.handle_error = lambda request, address: None
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def test_https_is_verified_against_the_host_name_while_connecting_to_the_checked_address(tenant_a, dns, tmp_path,
                                                                                       monkeypatch):
    paths = _certificates(tmp_path, "hooks.example.test")
    monkeypatch.setenv("SSL_CERT_FILE", str(paths["ca"]))  # the test CA is the only one trusted
    dns["hooks.example.test"] = dns["impostor.example.test"] = ["127.0.0.1"]
    actor = actor_of(tenant_a.admin)
    with TlsReceiver(paths) as receiver:
        good, _secret = register(actor, f"https://hooks.example.test:{receiver.port}/hook")
        wrong, _secret = register(actor, f"https://impostor.example.test:{receiver.port}/hook")
        now = timezone.now()
        _owed(good, now), _owed(wrong, now)
        webhooks.deliver_due(now=now)

    attempts = {a.delivery.endpoint_id: a for a in WebhookAttempt.objects.select_related("delivery")}
    assert (attempts[good.pk].status_code, attempts[good.pk].succeeded) == (204, True)
    assert (attempts[wrong.pk].status_code, attempts[wrong.pk].succeeded) == (None, False)
    assert attempts[wrong.pk].error.startswith("TLS error")  # the certificate names another host
    assert "hooks.example.test" in receiver.server_names and len(receiver.requests) == 1
