"""Signed webhooks against a real HTTP receiver on loopback (WEBHOOK_ALLOW_PRIVATE_TARGETS is on for the
tests): the README's snippet verifies what was sent and refuses a tampered body or a stale timestamp;
failures are retried with backoff (time is driven by `now`, no sleeps), each attempt logged; a manual
redelivery; a rotated secret signs alongside the new one for its overlap window only; an endpoint failing
for 24 hours is disabled and its administrators are told."""

import json
import threading
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone, translation

from events import outbox, types, webhooks
from events.choices import Audience
from events.dispatch import dispatch_all
from events.models import Event, Notification, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from events.types import EventType
from events.webhook_services import redeliver, rotate_secret, send_test, set_endpoint_enabled
from partnercenter.models import OperationLog

from ..conftest import actor_of
from .webhook_helpers import Receiver, readme_verifier, register

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Attempt errors are written in the active language; these tests read them in English."""
    with translation.override("en"):
        yield

THING = EventType("test.thing_happened", "Thing happened", audience=Audience.PARTNER, notify=False)
OTHER = EventType("test.other_thing", "Other thing", audience=Audience.PARTNER, notify=False)


@contextmanager
def registered(*event_types):
    types.register(*event_types)
    try:
        yield
    finally:
        for event_type in event_types:
            types._TYPES.pop(event_type.code, None)


@pytest.fixture(autouse=True)
def thing_types():
    with registered(THING, OTHER):
        yield


@pytest.fixture
def receiver():
    with Receiver() as running:
        yield running


def happened(partner, type_code=THING.code, **data) -> Event:
    with transaction.atomic():
        return outbox.record(type_code, partner=partner, data=data or {"customer_id": "c0ffee"})


def fanned(event, now):
    webhooks.fan_out([Event.objects.select_related("partner").get(pk=event.pk)], now=now)
    return WebhookDelivery.objects.get(event=event)


def fanned_all(event, now):
    webhooks.fan_out([Event.objects.select_related("partner").get(pk=event.pk)], now=now)


def signature(headers) -> str:
    return headers["X-Webhook-Signature"]


def timestamp(headers) -> int:
    return int(signature(headers).split(",")[0].removeprefix("t="))


# -------------------------------------------------------------------------------------------------
# What a delivery carries, and the README's snippet
# -------------------------------------------------------------------------------------------------

def test_a_delivery_is_the_signed_event_and_the_readme_snippet_verifies_it(tenant_a, receiver):
    verify = readme_verifier()
    endpoint, secret = register(actor_of(tenant_a.admin), receiver.url, types=[THING.code])
    event = happened(tenant_a.partner, account_name="客户一")
    now = timezone.now()
    fanned(event, now)

    assert webhooks.deliver_due(now=now) == 1

    [(headers, body)] = receiver.requests
    assert json.loads(body) == {"id": str(event.uid), "type": THING.code, "created": int(event.created_at.timestamp()),
                                "partner_id": tenant_a.partner.domain_id, "data": {"account_name": "客户一"}}
    assert headers["Content-Type"] == "application/json"
    assert headers["X-Webhook-Id"] == str(event.uid)
    assert headers["User-Agent"].startswith("PartnerCenter-Webhooks/")
    assert signature(headers).count("v1=") == 1
    t = timestamp(headers)
    assert verify(secret, body, signature(headers))
    assert verify(secret, body, signature(headers), now=t + 299)
    assert not verify(secret, body, signature(headers), now=t + 301)  # a replay five minutes later
    assert not verify(secret, body.replace("客户一".encode(), "客户二".encode()), signature(headers))
    assert not verify(secret, body + b" ", signature(headers))
    assert not verify("whsec_" + "0" * 48, body, signature(headers))
    assert not verify(secret, body, signature(headers).replace(f"t={t}", f"t={t + 1}"))
    delivery = WebhookDelivery.objects.get(event=event)
    assert (delivery.state, delivery.attempts, delivery.next_attempt_at) == ("succeeded", 1, None)
    [attempt] = delivery.attempt_log.all()
    assert (attempt.number, attempt.status_code, attempt.succeeded, attempt.response_excerpt) == (1, 200, True, "ok")
    assert attempt.latency_ms is not None
    assert secret not in body.decode() and secret not in json.dumps(event.data)


def test_the_dispatcher_fans_out_and_sends_within_one_run(tenant_a, receiver):
    register(actor_of(tenant_a.admin), receiver.url, types=[THING.code])
    event = happened(tenant_a.partner)

    dispatch_all()

    assert [headers["X-Webhook-Id"] for headers, _body in receiver.requests] == [str(event.uid)]


def test_fan_out_reaches_enabled_endpoints_that_want_the_type_once_and_never_for_ping(tenant_a, tenant_b, receiver):
    wants = register(actor_of(tenant_a.admin), receiver.url, types=[THING.code])[0]
    register(actor_of(tenant_a.admin), receiver.url + "/other", types=[OTHER.code])
    off = register(actor_of(tenant_a.admin), receiver.url + "/off", types=[THING.code])[0]
    WebhookEndpoint.objects.filter(pk=off.pk).update(is_enabled=False)
    register(actor_of(tenant_b.admin), receiver.url + "/b", types=[THING.code])
    event = Event.objects.select_related("partner").get(pk=happened(tenant_a.partner).pk)
    with transaction.atomic():
        ping = Event.objects.create(type="ping", partner=tenant_a.partner, data={})
    now = timezone.now()

    webhooks.fan_out([event, ping], now=now)
    webhooks.fan_out([event, ping], now=now)  # dispatched again: nothing new

    assert list(WebhookDelivery.objects.values_list("endpoint", "event")) == [(wants.pk, event.pk)]


# -------------------------------------------------------------------------------------------------
# Retries, the log, redelivery
# -------------------------------------------------------------------------------------------------

def test_failing_three_times_then_succeeding_delivers_once_per_attempt_and_logs_four(tenant_a):
    verify = readme_verifier()
    with Receiver(statuses=[500, 503, 404, 200], body=b"not yet") as receiver:
        endpoint, secret = register(actor_of(tenant_a.admin), receiver.url, types=[THING.code])
        t0 = timezone.now()
        delivery = fanned(happened(tenant_a.partner), t0)
        now, gaps = t0, []
        for _attempt in range(4):
            assert webhooks.deliver_due(now=now) == 1
            assert webhooks.deliver_due(now=now) == 0  # the next attempt is not due yet
            delivery.refresh_from_db()
            if delivery.next_attempt_at:
                gaps.append(delivery.next_attempt_at - now)
                now = delivery.next_attempt_at
            if len(gaps) == 1:
                assert WebhookEndpoint.objects.get(pk=endpoint.pk).failing_since == t0
        assert webhooks.deliver_due(now=now + timedelta(days=2)) == 0

    assert gaps == [timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30)]
    assert len(receiver.requests) == 4
    assert {headers["X-Webhook-Id"] for headers, _body in receiver.requests} == {str(delivery.event.uid)}
    assert len({body for _headers, body in receiver.requests}) == 1
    assert all(verify(secret, body, signature(headers)) for headers, body in receiver.requests)
    log = list(delivery.attempt_log.order_by("number").values_list("number", "status_code", "succeeded", "manual"))
    assert log == [(1, 500, False, False), (2, 503, False, False), (3, 404, False, False), (4, 200, True, False)]
    assert (delivery.state, delivery.attempts) == ("succeeded", 4)
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).failing_since is None  # a success ends the failing period


def test_a_refused_connection_a_redirect_and_a_timeout_are_failed_attempts(tenant_a, settings):
    settings.WEBHOOK_READ_TIMEOUT = 0.5
    actor = actor_of(tenant_a.admin)
    hold = threading.Event()
    elsewhere = Receiver()
    closed = Receiver()
    closed.server.server_close()  # nothing listens on its port any more
    with elsewhere, Receiver(statuses=[302], headers={"Location": elsewhere.url}) as redirector, \
            Receiver(hold=hold) as hanging:
        targets = {"refused": closed.url, "redirect": redirector.url, "timeout": hanging.url}
        endpoints = {name: register(actor, url, types=[THING.code])[0] for name, url in targets.items()}
        now = timezone.now()
        fanned_all(happened(tenant_a.partner), now)
        try:
            assert webhooks.deliver_due(now=now) == 3
        finally:
            hold.set()

    attempts = {a.delivery.endpoint_id: a for a in WebhookAttempt.objects.select_related("delivery")}
    refused, redirect, timeout = (attempts[endpoints[name].pk] for name in ("refused", "redirect", "timeout"))
    assert (refused.status_code, refused.succeeded) == (None, False) and refused.error.startswith("Could not connect")
    assert (redirect.status_code, redirect.succeeded) == (302, False) and elsewhere.url in redirect.error
    assert elsewhere.requests == []  # the redirect was not followed
    assert (timeout.status_code, timeout.succeeded, timeout.error) == (None, False, "Timed out.")
    assert set(WebhookDelivery.objects.values_list("state", "attempts")) == {("pending", 1)}


def test_an_unreachable_endpoint_costs_one_attempt_per_run_and_holds_up_no_other(tenant_a):
    actor = actor_of(tenant_a.admin)
    closed = Receiver()
    closed.server.server_close()
    with Receiver() as healthy:
        dead, _secret = register(actor, closed.url, types=[THING.code])
        register(actor, healthy.url, types=[THING.code])
        now = timezone.now()
        for _ in range(3):
            fanned_all(happened(tenant_a.partner), now)

        made = webhooks.deliver_due(now=now)
        then = webhooks.deliver_due(now=now + timedelta(seconds=30))

    assert (made, len(healthy.requests)) == (4, 3)  # one try at the dead endpoint, every delivery to the other
    assert then == 1  # the next run tries the next one (the first waits for its backoff)
    assert sorted(WebhookDelivery.objects.filter(endpoint=dead).values_list("attempts", flat=True)) == [0, 1, 1]


def test_an_endpoint_deleted_while_its_deliveries_are_sent_leaves_the_others_recorded(tenant_a, monkeypatch):
    """The outcomes of a claimed batch are written together; an endpoint deleted meanwhile (its deliveries
    cascade) must not take the other deliveries' records down with it."""
    actor = actor_of(tenant_a.admin)
    with Receiver() as first, Receiver() as second:
        doomed, _secret = register(actor, first.url, types=[THING.code])
        kept, _secret = register(actor, second.url, types=[THING.code])
        fanned_all(happened(tenant_a.partner), timezone.now())
        post = webhooks.Sender.post

        def post_then_delete(self, url, body, headers):
            result = post(self, url, body, headers)
            if url == doomed.url:
                WebhookEndpoint.objects.filter(pk=doomed.pk).delete()  # as a member deleting it now
            return result

        monkeypatch.setattr(webhooks.Sender, "post", post_then_delete)
        webhooks.deliver_due()

    assert len(first.requests) == len(second.requests) == 1
    delivery = WebhookDelivery.objects.get(endpoint=kept)
    assert delivery.state == "succeeded" and delivery.attempt_log.count() == 1
    assert not WebhookDelivery.objects.filter(endpoint_id=doomed.pk).exists()


def test_a_long_answer_is_kept_to_its_first_kilobyte(tenant_a):
    with Receiver(body=b"x" * 5000) as receiver:
        register(actor_of(tenant_a.admin), receiver.url, types=[THING.code])
        now = timezone.now()
        fanned(happened(tenant_a.partner), now)
        webhooks.deliver_due(now=now)

    assert WebhookAttempt.objects.get().response_excerpt == "x" * 1024


def test_manual_redelivery_sends_the_same_event_again_and_is_logged(tenant_a):
    verify = readme_verifier()
    with Receiver(statuses=[500, 200, 200]) as receiver:
        endpoint, secret = register(actor_of(tenant_a.admin), receiver.url, types=[THING.code])
        now = timezone.now()
        delivery = fanned(happened(tenant_a.partner), now)
        webhooks.deliver_due(now=now)

        fixed = redeliver(actor_of(tenant_a.admin), webhook_id=endpoint.uid, delivery_id=delivery.pk)
        again = redeliver(actor_of(tenant_a.admin), webhook_id=str(endpoint.uid), delivery_id=delivery.pk)

    assert (fixed.number, fixed.manual, fixed.succeeded, again.number, again.succeeded) == (2, True, True, 3, True)
    assert [h["X-Webhook-Id"] for h, _b in receiver.requests] == [str(delivery.event.uid)] * 3
    assert len({body for _h, body in receiver.requests}) == 1
    assert all(verify(secret, body, signature(headers)) for headers, body in receiver.requests)
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.next_attempt_at) == ("succeeded", 3, None)
    assert OperationLog.objects.filter(partner=tenant_a.partner, action="webhook.redeliver").count() == 2


def test_send_test_posts_a_ping_to_that_endpoint_only(tenant_a, receiver):
    actor = actor_of(tenant_a.admin)
    endpoint, secret = register(actor, receiver.url, types=[THING.code])
    register(actor, receiver.url + "/not-this-one", types=[THING.code])

    delivery, attempt = send_test(actor, webhook_id=endpoint.uid)

    [(headers, body)] = receiver.requests
    assert headers["X-Webhook-Id"] == str(delivery.event.uid)
    assert json.loads(body)["type"] == "ping" and json.loads(body)["data"]["webhook_id"] == str(endpoint.uid)
    assert readme_verifier()(secret, body, signature(headers))
    assert (attempt.succeeded, attempt.number) == (True, 1)
    assert dispatch_all(send=False) == 0  # the ping is no event for the dispatcher


# -------------------------------------------------------------------------------------------------
# Rotation, giving up, disabling
# -------------------------------------------------------------------------------------------------

def test_a_rotated_secret_signs_alongside_the_new_one_for_its_overlap_window_only(tenant_a, receiver):
    verify = readme_verifier()
    actor = actor_of(tenant_a.admin)
    endpoint, old = register(actor, receiver.url, types=[THING.code])
    endpoint, new = rotate_secret(actor, webhook_id=endpoint.uid)
    assert new != old and new.startswith("whsec_")
    during = timezone.now()
    after = endpoint.previous_secret_until + timedelta(seconds=1)

    fanned(happened(tenant_a.partner), during)
    webhooks.deliver_due(now=during)
    fanned(happened(tenant_a.partner), after)
    webhooks.deliver_due(now=after)

    (first_headers, first_body), (second_headers, second_body) = receiver.requests
    assert signature(first_headers).count("v1=") == 2
    assert verify(old, first_body, signature(first_headers)) and verify(new, first_body, signature(first_headers))
    assert signature(second_headers).count("v1=") == 1
    assert verify(new, second_body, signature(second_headers))
    assert not verify(old, second_body, signature(second_headers))
    assert endpoint.previous_secret_until - during < timedelta(hours=24, minutes=1)


def test_failing_for_24_hours_fails_the_delivery_disables_the_endpoint_and_tells_its_administrators(tenant_a):
    with Receiver(statuses=[500]) as receiver:
        endpoint, _secret = register(actor_of(tenant_a.admin), receiver.url, types=[THING.code])
        t0 = timezone.now()
        delivery = fanned(happened(tenant_a.partner), t0)
        now, moments = t0, []
        while delivery.state == "pending":
            assert webhooks.deliver_due(now=now) == 1
            moments.append(now - t0)
            delivery.refresh_from_db()
            now = delivery.next_attempt_at or now
        fanned_all(happened(tenant_a.partner), now)  # a disabled endpoint is owed nothing new …
        WebhookDelivery.objects.create(endpoint=endpoint, event=happened(tenant_a.partner), next_attempt_at=now)
        assert webhooks.deliver_due(now=now + timedelta(hours=1)) == 0  # … and sent nothing it was owed

    assert moments == [timedelta(0), timedelta(minutes=1), timedelta(minutes=6), timedelta(minutes=36),
                       timedelta(hours=2, minutes=36), timedelta(hours=7, minutes=36), timedelta(hours=17, minutes=36),
                       timedelta(hours=24)]
    assert (delivery.state, delivery.attempts, len(receiver.requests)) == ("failed", 8, 8)
    endpoint.refresh_from_db()
    assert (endpoint.is_enabled, endpoint.disabled_reason, endpoint.failing_since) == (False, "failing", t0)
    [disabled] = Event.objects.filter(type="webhook.endpoint_disabled")
    assert disabled.partner == tenant_a.partner
    assert (disabled.data["webhook_id"], disabled.data["url"]) == (str(endpoint.uid), endpoint.url)
    assert WebhookDelivery.objects.count() == 2 and WebhookAttempt.objects.count() == 8
    dispatch_all(send=False)
    told = set(Notification.objects.filter(event=disabled).values_list("user__username", flat=True))
    assert told == {tenant_a.admin.user.username}  # administrators (org.webhooks), not the account manager


def test_an_endpoint_failing_for_less_than_24_hours_stays_enabled(tenant_a):
    with Receiver(statuses=[500]) as receiver:
        endpoint, _secret = register(actor_of(tenant_a.admin), receiver.url, types=[THING.code])
        t0 = timezone.now()
        fanned(happened(tenant_a.partner), t0)
        webhooks.deliver_due(now=t0)
        fanned(happened(tenant_a.partner), t0 + timedelta(hours=23, minutes=59))
        webhooks.deliver_due(now=t0 + timedelta(hours=23, minutes=59))

    endpoint.refresh_from_db()
    assert (endpoint.is_enabled, endpoint.failing_since) == (True, t0)
    assert not Event.objects.filter(type="webhook.endpoint_disabled").exists()


def test_enabling_again_fails_what_ran_out_of_time_while_disabled(tenant_a):
    actor = actor_of(tenant_a.admin)
    endpoint, _secret = register(actor, "http://127.0.0.1:9/off", types=[THING.code])
    set_endpoint_enabled(actor, webhook_id=endpoint.uid, enabled=False)
    now = timezone.now()
    stale = WebhookDelivery.objects.create(endpoint=endpoint, event=happened(tenant_a.partner), next_attempt_at=now,
                                           created_at=now - timedelta(hours=25))
    fresh = WebhookDelivery.objects.create(endpoint=endpoint, event=happened(tenant_a.partner), next_attempt_at=now,
                                           created_at=now - timedelta(hours=1))

    set_endpoint_enabled(actor, webhook_id=endpoint.uid, enabled=True)

    stale.refresh_from_db(), fresh.refresh_from_db()
    assert (stale.state, fresh.state) == ("failed", "pending")
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).disabled_reason == ""
