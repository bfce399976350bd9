"""The outbox and what is delivered from it.

Event            one row per thing that happened, written in the transaction of the change (outbox.record)
Notification     an event told to one user (a partner's member or a customer's user), once: unique (user, event)
NotificationPreference   a user's channels per event type (in-app is always on; e-mail and SMS opt-in)
WebhookEndpoint  a partner's HTTPS receiver, the event types it wants and its signing secret(s)
WebhookDelivery  an event owed to one endpoint, once: unique (endpoint, event); retried with backoff
WebhookAttempt   one POST of a delivery: status, latency, response excerpt (the delivery log)
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partnercenter.models import AccessKey, Member, Partner

from . import types
from .choices import DeliveryState

__all__ = ["Event", "Notification", "NotificationPreference", "WebhookEndpoint", "WebhookDelivery", "WebhookAttempt"]


class Event(models.Model):
    """A domain event (事件). `data` uses the CBC field names and never carries a secret. `key`, when
    given, makes recording idempotent for periodic jobs: one event per (type, key).

    `partner` is the partner whose book the event is in — its members and webhooks hear about it. An event
    about a customer that has no partner (a customer never associated, or whose association ended) has none:
    only the customer's users are told (a type whose audience includes the customer; outbox.record refuses
    anything else), and no webhook carries it."""

    uid = models.UUIDField(_("event ID"), default=uuid.uuid4, unique=True, editable=False)
    type = models.CharField(_("type"), max_length=64)
    partner = models.ForeignKey(Partner, null=True, blank=True, on_delete=models.CASCADE, related_name="events")
    # The customer the event is about (customers.Customer pk; the core layer keeps no foreign key to a
    # domain app) and its account manager at the time, for the data scope of who is told.
    customer_pk = models.BigIntegerField(null=True, blank=True)
    account_manager = models.ForeignKey(Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor = models.CharField(_("by"), max_length=255, blank=True)
    # The person who acted, if one did: not told about their own action (they saw it happen).
    actor_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    data = models.JSONField(_("data"), default=dict)
    key = models.CharField(max_length=200, blank=True, default="")
    created_at = models.DateTimeField(_("time"), default=timezone.now)
    dispatched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["type", "key"], condition=~Q(key=""), name="event_unique_key"),
        ]
        indexes = [
            models.Index(fields=["id"], condition=Q(dispatched_at__isnull=True), name="event_undispatched"),
            models.Index(fields=["partner", "-id"], name="event_partner_recent"),
            models.Index(fields=["customer_pk", "-id"], name="event_customer_recent"),
        ]

    def __str__(self):
        return f"{self.type} {self.uid}"

    @property
    def event_type(self):
        return types.get(self.type)

    @property
    def label(self) -> str:
        known = self.event_type
        return str(known.label) if known else self.type

    @property
    def text(self) -> str:
        """What happened, as the partner's members read it."""
        return self.text_for(types.PARTNER_SIDE)

    def text_for(self, side: str) -> str:
        """What happened, as `side` ("partner" or "customer") reads it."""
        known = self.event_type
        return known.text(self.data, side) if known else self.type

    def link(self, side: str = "partner"):
        known = self.event_type
        return known.link(self, side) if known and known.link else None

    def wire(self) -> dict:
        """The JSON body of a webhook delivery and of the API."""
        return {
            "id": str(self.uid),
            "type": self.type,
            "created": int(self.created_at.timestamp()),
            "partner_id": self.partner.domain_id if self.partner_id else None,
            "data": self.data,
        }


class Notification(models.Model):
    """An event told to one user (消息通知). `email_pending` / `sms_pending` are set when the user asked
    for that channel. A sender claims a message by setting its lease with a conditional UPDATE (so two
    senders do not both send it), clears the flag once it went out, and a lease left by a sender that died
    runs out, so the message is sent at least once (events/notifications.py)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="notifications")
    created_at = models.DateTimeField(_("time"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    email_pending = models.BooleanField(default=False)
    sms_pending = models.BooleanField(default=False)
    email_lease = models.DateTimeField(null=True, blank=True)  # claimed by a sender until then
    sms_lease = models.DateTimeField(null=True, blank=True)
    send_failures = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["user", "event"], name="notification_once_per_user")]
        indexes = [
            models.Index(fields=["user", "-id"], name="notification_user_recent"),
            models.Index(fields=["user"], condition=Q(read_at__isnull=True), name="notification_unread"),
            # send_pending's look-ups stay small however many notifications there are
            models.Index(fields=["id"], condition=Q(email_pending=True), name="notification_email_pending"),
            models.Index(fields=["id"], condition=Q(sms_pending=True), name="notification_sms_pending"),
        ]

    def __str__(self):
        return f"{self.user_id}: {self.event_id}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationPreference(models.Model):
    """A user's channels for one event type. No row: in-app only."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences")
    type = models.CharField(_("event type"), max_length=64)
    email = models.BooleanField(_("e-mail"), default=False)
    sms = models.BooleanField(_("SMS"), default=False)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [models.UniqueConstraint(fields=["user", "type"], name="preference_once_per_type")]

    def __str__(self):
        return f"{self.user_id}: {self.type}"


class WebhookEndpoint(models.Model):
    """A partner's receiver (事件推送). The secret is kept encrypted (partnercenter.secretbox) and shown
    once; after a rotation the previous secret also signs until `previous_secret_until`."""

    # The id pages and the API show (/v1/webhooks/{webhook_id}): random, so it tells nothing of other tenants.
    uid = models.UUIDField(_("endpoint ID"), default=uuid.uuid4, unique=True, editable=False)
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField(_("URL"), max_length=2000)
    types = models.JSONField(_("event types"), default=list)
    description = models.CharField(_("description"), max_length=255, blank=True)
    secret_encrypted = models.TextField()
    previous_secret_encrypted = models.TextField(blank=True, default="")
    previous_secret_until = models.DateTimeField(null=True, blank=True)
    is_enabled = models.BooleanField(_("enabled"), default=True)
    disabled_reason = models.CharField(_("why disabled"), max_length=255, blank=True)
    failing_since = models.DateTimeField(_("failing since"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_via = models.ForeignKey(AccessKey, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["-id"]

    def __str__(self):
        return self.url

    def wants(self, type_code: str) -> bool:
        return type_code in self.types


class WebhookDelivery(models.Model):
    """An event owed to one endpoint. A worker claims due deliveries by counting the attempt and moving
    `next_attempt_at` forward by a lease, under FOR UPDATE SKIP LOCKED (events/webhooks.py), so two
    workers never send the same attempt."""

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="webhook_deliveries")
    state = models.CharField(_("status"), max_length=16, choices=DeliveryState.choices, default=DeliveryState.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["endpoint", "event"], name="delivery_once_per_endpoint")]
        indexes = [
            models.Index(fields=["next_attempt_at"], condition=Q(state="pending"), name="delivery_due"),
            models.Index(fields=["endpoint", "-id"], name="delivery_endpoint_recent"),
        ]

    def __str__(self):
        return f"{self.endpoint_id}: {self.event_id}"


class WebhookAttempt(models.Model):
    """One POST of a delivery, as the delivery log shows it."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveIntegerField(_("attempt"))
    started_at = models.DateTimeField(_("time"), default=timezone.now)
    status_code = models.PositiveIntegerField(_("HTTP status"), null=True, blank=True)
    latency_ms = models.PositiveIntegerField(_("latency (ms)"), null=True, blank=True)
    response_excerpt = models.TextField(_("response"), blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)
    succeeded = models.BooleanField(_("succeeded"), default=False)
    manual = models.BooleanField(_("manual redelivery"), default=False)

    class Meta:
        verbose_name = _("webhook attempt")
        verbose_name_plural = _("webhook attempts")
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["delivery", "number"], name="attempt_number_once")]

    def __str__(self):
        return f"{self.delivery_id} #{self.number}"
