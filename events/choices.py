"""Enumerations of the events app."""

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["Audience", "DeliveryState"]


class Audience(models.TextChoices):
    """Who hears about an event type: the partner's members (and its webhooks), the customer's users, or both."""

    PARTNER = "partner", _("partner")
    CUSTOMER = "customer", _("customer")
    BOTH = "both", _("partner and customer")


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("pending")
    SUCCEEDED = "succeeded", _("succeeded")
    FAILED = "failed", _("failed")  # gave up after the retry window
