"""事件推送 pages: the list (with its empty state), registration showing the secret once, an endpoint's page with
its delivery log (filtered, paged, a constant number of queries), the buttons (test event, redelivery) and
the two-step rotation and deletion; another partner's endpoint is not found; writes ask for the
verification code when the partner has codes on and are in the operation log."""

import re
from datetime import datetime, timezone as dt_timezone

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from events import types, webhooks
from events.choices import Audience
from events.models import Event, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from events.types import EventType
from events.webhook_services import create_endpoint, delete_endpoint, rotate_secret, set_endpoint_enabled
from partnercenter.errors import Codes, DomainError
from partnercenter.models import OperationLog

from ..conftest import actor_of, login_client
from .webhook_helpers import Receiver, register, secret_of

pytestmark = pytest.mark.django_db

THING = EventType("test.page_thing", "Page thing", audience=Audience.PARTNER, notify=False)


@pytest.fixture(autouse=True)
def thing_type():
    types.register(THING)
    yield
    types._TYPES.pop(THING.code, None)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def english_client(user):
    """A signed-in browser asking for English pages (the texts below are the English ones)."""
    client = login_client(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def admin(tenant_a):
    return english_client(tenant_a.admin.user)


def text(response) -> str:
    return response.content.decode()


def test_the_list_starts_empty_and_members_without_the_right_are_refused(admin, tenant_a):
    page = admin.get(reverse("webhooks:list"))
    assert page.status_code == 200
    assert "No webhook endpoints yet" in text(page)
    assert reverse("webhooks:list") in text(admin.get(reverse("home")))  # in the Organization menu
    member = english_client(tenant_a.member.user)  # customers.view only
    assert member.get(reverse("webhooks:list")).status_code == 403
    assert reverse("webhooks:list") not in text(member.get(reverse("home")))


def test_registering_shows_the_secret_once(admin, tenant_a):
    form = admin.get(reverse("webhooks:create"))
    assert f'value="{THING.code}"' in text(form)

    created = admin.post(reverse("webhooks:create"), {"url": "http://127.0.0.1:9/in", "types": [THING.code],
                                                       "description": "ERP"})

    endpoint = WebhookEndpoint.objects.get()
    secret = secret_of(endpoint)
    assert created.status_code == 200 and created["Cache-Control"] == "no-store"
    assert secret in text(created) and secret.startswith("whsec_")
    assert (endpoint.partner, endpoint.url, endpoint.types, endpoint.description) == (
        tenant_a.partner, "http://127.0.0.1:9/in", [THING.code], "ERP")
    for url in (reverse("webhooks:list"), reverse("webhooks:detail", args=[endpoint.uid])):
        page = admin.get(url)
        assert page.status_code == 200 and secret not in text(page) and endpoint.url in text(page)
    assert OperationLog.objects.filter(partner=tenant_a.partner, action="webhook.create", result="success").exists()


def test_a_refused_url_is_a_form_error(admin, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False
    page = admin.post(reverse("webhooks:create"), {"url": "https://169.254.169.254/latest", "types": [THING.code]})
    assert page.status_code == 200 and "not a public address" in text(page)
    assert not WebhookEndpoint.objects.exists()


def test_another_partners_endpoint_is_not_found_on_every_page(tenant_a, tenant_b):
    endpoint, secret = register(actor_of(tenant_a.admin), "http://127.0.0.1:9/a", types=[THING.code])
    event = Event.objects.create(type=THING.code, partner=tenant_a.partner, data={})
    delivery = WebhookDelivery.objects.create(endpoint=endpoint, event=event, next_attempt_at=timezone.now())
    other = login_client(tenant_b.admin.user)
    names = ["detail", "edit", "enable", "disable", "rotate", "delete", "test"]
    urls = [reverse(f"webhooks:{name}", args=[endpoint.uid]) for name in names]
    urls.append(reverse("webhooks:redeliver", args=[endpoint.uid, delivery.pk]))
    for url in urls:
        for method in (other.get, other.post):
            response = method(url)
            assert response.status_code in (404, 405), url
            assert endpoint.url not in text(response) and secret not in text(response)
    own, _secret = register(actor_of(tenant_b.admin), "http://127.0.0.1:9/b", types=[THING.code])
    assert other.post(reverse("webhooks:redeliver", args=[own.uid, delivery.pk])).status_code == 404  # A's delivery
    endpoint.refresh_from_db()
    assert endpoint.is_enabled and not WebhookAttempt.objects.exists()


def test_the_delivery_log_shows_each_attempt_filters_by_status_and_redelivers(admin, tenant_a):
    with Receiver(statuses=[500, 200, 200], body=b'{"received": true}') as receiver:
        endpoint, _secret = register(actor_of(tenant_a.admin), receiver.url, types=[THING.code])
        now = timezone.now()
        events = [Event.objects.create(type=THING.code, partner=tenant_a.partner, data={"n": n}) for n in range(2)]
        webhooks.fan_out(list(Event.objects.filter(pk__in=[e.pk for e in events])), now=now)
        webhooks.deliver_due(now=now)  # the first answer is a 500, the second a 200
        failed = WebhookDelivery.objects.get(attempts=1, attempt_log__status_code=500)

        page = admin.get(reverse("webhooks:detail", args=[endpoint.uid]))
        pending_only = admin.get(reverse("webhooks:detail", args=[endpoint.uid]) + "?state=pending")
        redelivered = admin.post(reverse("webhooks:redeliver", args=[endpoint.uid, failed.pk]), follow=True)

    assert "HTTP 500" in text(page) and "HTTP 200" in text(page) and "{&quot;received&quot;: true}" in text(page)
    assert text(page).count('class="delivery"') == 2
    assert text(pending_only).count('class="delivery"') == 1 and str(failed.event.uid) in text(pending_only)
    assert "delivered, HTTP 200" in text(redelivered)
    attempt = failed.attempt_log.get(number=2)
    assert (attempt.manual, attempt.succeeded) == (True, True) and len(receiver.requests) == 3


def test_the_delivery_log_runs_the_same_queries_for_few_and_many_deliveries(admin, tenant_a):
    endpoint, _secret = register(actor_of(tenant_a.admin), "http://127.0.0.1:9/a", types=[THING.code])
    url = reverse("webhooks:detail", args=[endpoint.uid])

    def grow(n):
        for _ in range(n):
            event = Event.objects.create(type=THING.code, partner=tenant_a.partner, data={})
            delivery = WebhookDelivery.objects.create(endpoint=endpoint, event=event, attempts=2)
            WebhookAttempt.objects.create(delivery=delivery, number=1, status_code=500)
            WebhookAttempt.objects.create(delivery=delivery, number=2, status_code=502, error="bad gateway")

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert admin.get(url).status_code == 200
        return len(captured)

    grow(2)
    few = queries()
    grow(30)
    assert queries() == few


def test_send_test_event_button(admin, tenant_a):
    with Receiver() as receiver:
        endpoint, _secret = register(actor_of(tenant_a.admin), receiver.url, types=[THING.code])
        page = admin.post(reverse("webhooks:test", args=[endpoint.uid]), follow=True)

    assert "Test event: delivered, HTTP 200" in text(page)
    assert len(receiver.requests) == 1 and "ping" in text(page)


def _two_steps(client, url):
    """The question (GET), the confirmation (POST), then the confirmation posted back with its token."""
    assert client.get(url).status_code == 200
    confirmation = client.post(url, {})
    token = re.search(r'name="token" value="([^"]+)"', text(confirmation)).group(1)
    return client.post(url, {"confirm": "1", "token": token}), token


def test_rotating_takes_two_steps_and_shows_the_new_secret_once(admin, tenant_a):
    endpoint, old = register(actor_of(tenant_a.admin), "http://127.0.0.1:9/a", types=[THING.code])
    url = reverse("webhooks:rotate", args=[endpoint.uid])

    done, token = _two_steps(admin, url)
    again = admin.post(url, {"confirm": "1", "token": token})  # a double submit

    endpoint.refresh_from_db()
    new = secret_of(endpoint)
    assert new != old and new in text(done) and done["Cache-Control"] == "no-store"
    assert new not in text(again) and "already submitted" in text(again)
    assert endpoint.previous_secret_until is not None


def test_deleting_takes_two_steps(admin, tenant_a):
    endpoint, _secret = register(actor_of(tenant_a.admin), "http://127.0.0.1:9/a", types=[THING.code])
    done, _token = _two_steps(admin, reverse("webhooks:delete", args=[endpoint.uid]))
    assert done.status_code == 302 and done["Location"] == reverse("webhooks:list")
    assert not WebhookEndpoint.objects.exists()


def test_disable_enable_and_edit(admin, tenant_a):
    endpoint, _secret = register(actor_of(tenant_a.admin), "http://127.0.0.1:9/a", types=[THING.code])
    admin.post(reverse("webhooks:disable", args=[endpoint.uid]))
    endpoint.refresh_from_db()
    assert (endpoint.is_enabled, endpoint.disabled_reason) == (False, "manual")
    admin.post(reverse("webhooks:enable", args=[endpoint.uid]))
    admin.post(reverse("webhooks:edit", args=[endpoint.uid]), {"types": [THING.code], "description": "new"})
    endpoint.refresh_from_db()
    assert (endpoint.is_enabled, endpoint.description) == (True, "new")
    actions = list(OperationLog.objects.filter(partner=tenant_a.partner).values_list("action", flat=True))
    assert {"webhook.disable", "webhook.enable", "webhook.update"} <= set(actions)


# -------------------------------------------------------------------------------------------------
# Verification codes
# -------------------------------------------------------------------------------------------------

T0 = datetime(2026, 11, 22, 8, 0, 0, tzinfo=dt_timezone.utc)  # the start of a TOTP step


def test_writes_to_endpoints_ask_for_the_verification_code_when_it_is_on(tenant_a):
    tenant_a.partner.verification_enabled = True
    tenant_a.partner.save()
    device = TOTPDevice.objects.create(user=tenant_a.admin.user, name="app", confirmed=True)
    actor = actor_of(tenant_a.admin)
    with pytest.raises(DomainError) as refused:
        create_endpoint(actor, url="http://127.0.0.1:9/a", types=[THING.code])
    assert refused.value.code == Codes.VERIFICATION_REQUIRED and not WebhookEndpoint.objects.exists()

    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = T0.timestamp()
    with time_machine.travel(T0, tick=False):
        endpoint, _secret = create_endpoint(actor, url="http://127.0.0.1:9/a", types=[THING.code],
                                            verification_code=f"{totp.token():06d}")
    for write in (lambda: rotate_secret(actor, webhook_id=endpoint.uid),
                  lambda: set_endpoint_enabled(actor, webhook_id=endpoint.uid, enabled=False),
                  lambda: delete_endpoint(actor, webhook_id=endpoint.uid)):
        with pytest.raises(DomainError) as refused:
            write()
        assert refused.value.code == Codes.VERIFICATION_REQUIRED
    assert WebhookEndpoint.objects.get().is_enabled
    assert OperationLog.objects.filter(action="webhook.delete", result="failure").exists()
