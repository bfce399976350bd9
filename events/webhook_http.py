"""One webhook POST, safely: the SSRF guard, the signature and the connection.

The guard (`check_url`) runs when an endpoint is registered and again before every POST. It accepts only
https, resolves the host itself and refuses the URL if ANY address it resolves to is loopback, private,
link-local (169.254.0.0/16, the cloud metadata address among them), shared (100.64.0.0/10), multicast,
reserved or unspecified — IPv6 too, and IPv4 addresses wrapped in IPv6 (::ffff:127.0.0.1, 6to4, Teredo).
The POST then connects to the address that was checked, never to a second DNS answer (a rebinding name
cannot swap in 127.0.0.1 between the check and the connection), with the hostname as Host header, TLS SNI
and the name the certificate must carry. Redirects are not followed: a 3xx answer is a failed attempt, so
a redirect cannot lead anywhere the guard did not check. `settings.WEBHOOK_ALLOW_PRIVATE_TARGETS` (tests,
`make run`) also admits plain http and private addresses.
"""

import hashlib
import hmac
import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import urllib3
from django.conf import settings
from django.utils.translation import gettext as _

__all__ = ["UnsafeTarget", "Target", "check_url", "is_public", "signature_header", "Result", "Sender",
           "EXCERPT_BYTES", "USER_AGENT"]

EXCERPT_BYTES = 1024  # of each response body, kept in the delivery log
USER_AGENT = "PartnerCenter-Webhooks/1.0"
MAX_ADDRESSES = 3  # tried in order when one does not connect


class UnsafeTarget(Exception):
    """The URL may not be called; the message says why, for the form or the delivery log."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str                  # the hostname (IDNA) or IP literal, without brackets
    port: int
    path: str                  # path and query, what the request line carries
    addresses: tuple[str, ...]  # what `host` resolved to, every one checked

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        default = 443 if self.scheme == "https" else 80
        return host if self.port == default else f"{host}:{self.port}"


def _allow_private() -> bool:
    return bool(getattr(settings, "WEBHOOK_ALLOW_PRIVATE_TARGETS", False))


def _embedded_ipv4(address: ipaddress.IPv6Address):
    """The IPv4 address an IPv6 one carries (IPv4-mapped, 6to4, Teredo client, IPv4-compatible), or None."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if int(address) >> 32 == 0 and int(address) > 1:  # ::a.b.c.d (deprecated IPv4-compatible)
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def is_public(text: str) -> bool:
    """Whether a webhook may connect to this address: a globally routed unicast address and nothing else."""
    try:
        address = ipaddress.ip_address(text.split("%", 1)[0])  # an IPv6 zone (fe80::1%eth0) is link-local anyway
    except ValueError:
        return False
    if address.version == 6:
        inner = _embedded_ipv4(address)
        if inner is not None and not is_public(str(inner)):
            return False
    return address.is_global and not (
        address.is_private or address.is_loopback or address.is_link_local or address.is_multicast
        or address.is_reserved or address.is_unspecified
    )


def _parse(url: str):
    if not isinstance(url, str) or not url or len(url) > 2000 or any(ord(c) < 33 for c in url):
        raise UnsafeTarget(_("Enter a valid URL."))
    try:
        parts = urlsplit(url)
        port = parts.port
        hostname = parts.hostname
    except ValueError:
        raise UnsafeTarget(_("Enter a valid URL.")) from None
    scheme = parts.scheme.lower()
    if scheme != "https" and not (scheme == "http" and _allow_private()):
        raise UnsafeTarget(_("The URL must start with https://."))
    if parts.username is not None or parts.password is not None:
        raise UnsafeTarget(_("The URL may not contain a user name or password."))
    if not hostname:
        raise UnsafeTarget(_("Enter a valid URL."))
    if parts.fragment:
        raise UnsafeTarget(_("The URL may not contain a fragment (#…)."))
    try:
        host = hostname.encode("idna").decode("ascii") if not _is_ip(hostname) else hostname
    except UnicodeError:
        raise UnsafeTarget(_("Enter a valid URL.")) from None
    if port == 0:
        raise UnsafeTarget(_("Enter a valid URL."))
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return scheme, host, port or (443 if scheme == "https" else 80), path


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
        return True
    except ValueError:
        return False


def _resolve(host: str, port: int) -> tuple[str, ...]:
    try:
        answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError):
        raise UnsafeTarget(_("The host name %(host)s could not be resolved.") % {"host": host}) from None
    addresses = []
    for _family, _type, _proto, _name, sockaddr in answers:
        if sockaddr[0] not in addresses:
            addresses.append(sockaddr[0])
    if not addresses:
        raise UnsafeTarget(_("The host name %(host)s could not be resolved.") % {"host": host})
    return tuple(addresses)


def check_url(url: str) -> Target:
    """The target of `url`, resolved now, or UnsafeTarget. Every resolved address must be public (unless
    private targets are allowed), not just the one we would use: a name that also answers 127.0.0.1 is
    refused rather than raced."""
    scheme, host, port, path = _parse(url)
    addresses = _resolve(host, port)
    if not _allow_private():
        refused = [address for address in addresses if not is_public(address)]
        if refused:
            raise UnsafeTarget(_("%(host)s resolves to %(address)s, which is not a public address.")
                               % {"host": host, "address": refused[0]})
    return Target(scheme, host, port, path, addresses)


def signature_header(secrets: list[str], body: bytes, timestamp: int) -> str:
    """`t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>." + body)>`, one v1 per secret (two while a
    rotated secret's overlap lasts; receivers accept the request when any v1 matches)."""
    signed = f"{timestamp}.".encode() + body
    parts = [f"t={timestamp}"]
    parts += [f"v1={hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()}" for secret in secrets]
    return ",".join(parts)


@dataclass
class Result:
    status_code: int | None = None
    latency_ms: int | None = None
    excerpt: str = ""
    error: str = ""

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300 and not self.error


class Sender:
    """POSTs for one run, keeping a connection pool per checked address (keep-alive between deliveries to
    the same receiver). Use as a context manager so the pools are closed at the end."""

    def __init__(self):
        self._pools: dict[tuple, urllib3.HTTPConnectionPool] = {}
        self._timeout = urllib3.Timeout(connect=settings.WEBHOOK_CONNECT_TIMEOUT, read=settings.WEBHOOK_READ_TIMEOUT)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        while self._pools:
            self._pools.popitem()[1].close()

    def _pool(self, target: Target, address: str):
        key = (target.scheme, address, target.port, target.host)
        pool = self._pools.get(key)
        if pool is None:
            common = {"port": target.port, "timeout": self._timeout, "retries": False, "maxsize": 1, "block": False}
            if target.scheme == "https":
                pool = urllib3.HTTPSConnectionPool(
                    address, server_hostname=target.host, assert_hostname=target.host, cert_reqs="CERT_REQUIRED",
                    **common)
            else:
                pool = urllib3.HTTPConnectionPool(address, **common)
            self._pools[key] = pool
        return pool

    def post(self, url: str, body: bytes, headers: dict) -> Result:
        """Check `url` again, then POST `body` to the first address that connects. Never raises for what
        the receiver or the network does: the Result says it."""
        started = time.monotonic()
        try:
            target = check_url(url)
        except UnsafeTarget as exc:
            return Result(error=str(exc)[:500])
        headers = {**headers, "Host": target.host_header, "User-Agent": USER_AGENT, "Accept-Encoding": "identity"}
        error = ""
        for address in target.addresses[:MAX_ADDRESSES]:
            try:
                response = self._pool(target, address).urlopen(
                    "POST", target.path, body=body, headers=headers, redirect=False, retries=False,
                    preload_content=False, assert_same_host=False)
            except (urllib3.exceptions.NewConnectionError, urllib3.exceptions.ConnectTimeoutError) as exc:
                error = _describe(exc)
                continue  # the next address, if any
            except (urllib3.exceptions.HTTPError, OSError) as exc:
                return Result(latency_ms=_ms(started), error=_describe(exc))
            return self._read(response, started)
        return Result(latency_ms=_ms(started), error=error)

    @staticmethod
    def _read(response, started) -> Result:
        try:
            data = response.read(EXCERPT_BYTES + 1)
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            response.close()
            response.release_conn()
            return Result(status_code=response.status, latency_ms=_ms(started), error=_describe(exc))
        if len(data) > EXCERPT_BYTES:  # a long body is not read to its end: drop the connection instead
            response.close()
        response.release_conn()
        result = Result(status_code=response.status, latency_ms=_ms(started),
                        excerpt=data[:EXCERPT_BYTES].decode("utf-8", errors="replace"))
        if 300 <= response.status < 400:
            result.error = _("Redirects are not followed (to %(location)s).") % {
                "location": (response.headers.get("Location") or "?")[:300]}
        return result


def _ms(started) -> int:
    return max(0, round((time.monotonic() - started) * 1000))


def _describe(exc) -> str:
    if isinstance(exc, urllib3.exceptions.NewConnectionError):  # before timeouts: urllib3 2 makes it a subclass
        return _("Could not connect: %(reason)s") % {"reason": str(exc).rsplit(":", 1)[-1].strip()[:200]}
    if isinstance(exc, (urllib3.exceptions.ConnectTimeoutError, urllib3.exceptions.ReadTimeoutError)):
        return _("Timed out.")
    if isinstance(exc, urllib3.exceptions.SSLError):
        return _("TLS error: %(reason)s") % {"reason": str(exc)[:300]}
    return f"{type(exc).__name__}: {exc}"[:500]
