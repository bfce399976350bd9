"""A customer's answer reaches its partner, in real Chromium against the live server.

The partner's administrator has registered a webhook endpoint (a real HTTP receiver on loopback) and asks
to end the association with a customer; the customer approves in 费用中心. The change's commit starts the
dispatcher (Celery runs eagerly in the tests), so by the time the customer sees the result: the partner's
bell shows the unread notification, the notification opens and links to the association event in
关联关系操作记录, and the receiver holds the `association.request_decided` event with a signature that
verifies with the endpoint's secret.

Assertions go by element ids, classes and hrefs; texts accept the English msgid too (the catalogue may not
be compiled while the suite runs). Screenshots of the bell and the list (zh-CN browser) go to test-artifacts/.
"""

import hashlib
import hmac
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import expect

from customers.choices import EventStatus
from customers.models import Association, AssociationEvent
from events import webhook_services
from events.models import Event, Notification

from ..conftest import actor_of, build_tenant
from ..factories import PASSWORD, CustomerUserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REASON = "合作结束，解除关联"


class Receiver:
    """A webhook receiver on 127.0.0.1 that answers 200 and keeps (headers, raw body) of every POST."""

    def __init__(self):
        self.requests = []
        received = self.requests

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}/partner-center/events"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def signature_verifies(secret: str, headers: dict, body: bytes, *, max_age=300) -> bool:
    """What a receiver does (README): t and v1 from X-Webhook-Signature, HMAC-SHA256 over "<t>." + body,
    compared in constant time; a timestamp older than five minutes is a replay."""
    pairs = [part.split("=", 1) for part in headers["x-webhook-signature"].split(",")]
    timestamp = int(dict(pairs)["t"])
    if abs(time.time() - timestamp) > max_age:
        return False
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return any(name == "v1" and hmac.compare_digest(expected, value) for name, value in pairs)


def sign_in(page, live_server, username, landing):
    page.goto(f"{live_server.url}/login/")
    form = page.locator("form:has(#id_username)")
    form.locator("#id_username").fill(username)
    form.locator("#id_password").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}{landing}")


def sign_out(page, live_server):
    page.locator('header.topbar form[action="/logout/"] button[type=submit]').click()
    page.wait_for_url(f"{live_server.url}/login/")


def text_re(*alternatives):
    return re.compile("|".join(re.escape(a) for a in alternatives))


@pytest.fixture
def receiver():
    with Receiver() as running:
        yield running


def test_a_customers_approval_rings_the_partners_bell_and_reaches_its_webhook(page, live_server, receiver,
                                                                               artifacts_dir):
    base = live_server.url
    tenant = build_tenant("story")
    customer = tenant.resale
    owner = CustomerUserFactory(customer=customer, user__username="story.customer")
    endpoint, secret = webhook_services.create_endpoint(
        actor_of(tenant.admin), url=receiver.url, types=["association.request_decided", "customer.disassociated"])

    # 1. The administrator asks to end the association with the customer.
    sign_in(page, live_server, tenant.admin.user.username, "/")
    page.goto(f"{base}/customers/{customer.domain_id}/")
    page.locator("#request-disassociation").click()
    page.wait_for_url(f"{base}/customers/{customer.domain_id}/request/disassociate/")
    page.locator("#id_reason").fill(REASON)
    page.locator("#form-submit").click()
    page.wait_for_url(f"{base}/customers/{customer.domain_id}/")
    request = AssociationEvent.objects.get(customer=customer, status=EventStatus.PENDING)
    sign_out(page, live_server)

    # 2. The customer approves in 费用中心; its own bell told it about the request.
    sign_in(page, live_server, owner.user.username, "/fee-center/")
    expect(page.locator("#bell .bell-count")).to_have_text("1")
    page.locator("#bell").click()
    page.wait_for_url(f"{base}/fee-center/notifications/")
    expect(page.locator("tr.notification.unread")).to_have_count(1)
    # written to the customer, not about "customer X"
    expect(page.locator("tr.notification.unread")).to_contain_text(
        text_re("变更您与伙伴关联关系的申请", "association between you and your partner"))
    page.screenshot(path=artifacts_dir / "notification-story-0-fee-center-list.png", full_page=True)
    page.goto(f"{base}/fee-center/")
    page.locator(f'a.approve-link[href="/fee-center/requests/{request.pk}/approve/"]').click()
    page.wait_for_url(f"{base}/fee-center/requests/{request.pk}/approve/")
    page.locator("#confirm-decision").click()
    page.wait_for_url(f"{base}/fee-center/")
    expect(page.locator("ul.messages li.msg-success")).to_be_visible()
    assert not Association.objects.filter(customer=customer, ended_on__isnull=True).exists()
    decided = Event.objects.get(type="association.request_decided", partner=tenant.partner)
    assert decided.dispatched_at is not None  # dispatched at the commit, not at the next periodic run
    sign_out(page, live_server)

    # 3. The partner's bell shows the unread notification.
    sign_in(page, live_server, tenant.admin.user.username, "/")
    notification = Notification.objects.get(user=tenant.admin.user, event=decided)
    unread = Notification.objects.filter(user=tenant.admin.user, read_at__isnull=True).count()
    assert unread >= 1
    bell = page.locator("header.topbar #bell")
    expect(bell.locator(".bell-count")).to_have_text(str(unread))
    page.locator("header .topbar-right").screenshot(path=artifacts_dir / "notification-story-1-bell.png")
    page.screenshot(path=artifacts_dir / "notification-story-2-home-with-bell.png")

    # 4. The bell opens the list; the notification opens, is read, and links to the association event.
    bell.click()
    page.wait_for_url(f"{base}/notifications/")
    row = page.locator(f"tr#notification-{notification.pk}")
    expect(row).to_have_class(re.compile(r"\bunread\b"))
    expect(row).to_contain_text(text_re(f"客户 {customer.domain_name} 的解除关联申请已同意", "was approved"))
    page.screenshot(path=artifacts_dir / "notification-story-3-list.png", full_page=True)
    row.locator("a.notification-link").click()
    page.wait_for_url(f"{base}/notifications/{notification.pk}/")
    notification.refresh_from_db()
    assert notification.read_at is not None
    expect(page.locator("main dl.event-data")).to_contain_text(customer.domain_id)
    link = page.locator("#event-link")
    expect(link).to_have_attribute("href", f"/customers/events/?customer={customer.domain_id}")
    page.screenshot(path=artifacts_dir / "notification-story-4-detail.png", full_page=True)
    link.click()
    page.wait_for_url(re.compile(rf"/customers/events/\?customer={customer.domain_id}$"))
    expect(page.locator("table.table").last).to_contain_text(REASON)
    count = page.locator("header.topbar #bell .bell-count")
    if unread > 1:
        expect(count).to_have_text(str(unread - 1))  # one fewer: the notification was read
    else:
        expect(count).to_have_count(0)

    # 5. The partner's receiver got the decision, signed with the endpoint's secret.
    by_id = {headers["x-webhook-id"]: (headers, body) for headers, body in receiver.requests}
    headers, body = by_id[str(decided.uid)]
    assert signature_verifies(secret, headers, body)
    assert not signature_verifies(secret, headers, body.replace(b"approved", b"rejected"))
    assert not signature_verifies("whsec_not-the-secret", headers, body)
    payload = json.loads(body)
    assert payload["type"] == "association.request_decided" and payload["id"] == str(decided.uid)
    assert payload["partner_id"] == tenant.partner.domain_id
    assert payload["data"]["customer_id"] == customer.domain_id and payload["data"]["decision"] == "approved"
    disassociated = Event.objects.get(type="customer.disassociated", partner=tenant.partner)
    assert str(disassociated.uid) in by_id
    assert endpoint.deliveries.filter(event=decided, state="succeeded").count() == 1
