"""Enumerations of the customers domain, with Huawei's wire values."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

__all__ = [
    "AssociationType", "VerifiedStatus", "CustomerType", "EventKind", "EventInitiator", "EventStatus", "FailCheckItem",
    "ChargingMode", "OnDemandStatus", "PeriodStatus", "OpsStatus",
]


class AssociationType(models.TextChoices):
    REFERRAL = "1", _("referral")
    RESALE = "2", _("resale")


class VerifiedStatus(models.TextChoices):
    NOT_VERIFIED = "-1", _("not verified")
    IN_REVIEW = "0", _("under review")
    REJECTED = "1", _("rejected")
    VERIFIED = "2", _("verified")


class CustomerType(models.IntegerChoices):
    NONE = -1, _("no type")
    PERSON = 0, _("individual")
    ENTERPRISE = 1, _("enterprise")


class EventKind(models.TextChoices):
    ASSOCIATE = "associate", pgettext_lazy("association event", "association")
    DISASSOCIATE = "disassociate", _("disassociation")
    TYPE_SWITCH = "type_switch", _("association type switch")


class EventInitiator(models.TextChoices):
    PARTNER = "partner", _("partner")
    CUSTOMER = "customer", _("customer")
    PLATFORM = "platform", _("platform")


class EventStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("request status", "pending")
    APPROVED = "approved", pgettext_lazy("request status", "approved")
    REJECTED = "rejected", pgettext_lazy("request status", "rejected")
    CANCELLED = "cancelled", pgettext_lazy("request status", "withdrawn")
    COMPLETED = "completed", pgettext_lazy("request status", "completed")


class FailCheckItem(models.TextChoices):
    """Eligibility checks a request can fail (Huawei's failCheckItems, error CBC.99007004)."""

    IS_DEBT = "IS_DEBT", _("The customer is in arrears.")
    IS_CREDIT_ACCOUNT = "IS_CREDIT_ACCOUNT", _("The customer has a credit account with credit debt.")
    IS_ORG_ACCOUNT = "IS_ORG_ACCOUNT", _("The customer is an enterprise master or member account.")
    MEM_OF_ORG = "MEM_OF_ORG", _("The customer is a member account of an enterprise organisation.")


class ChargingMode(models.TextChoices):
    ON_DEMAND = "on_demand", _("pay-per-use")
    PERIOD = "period", _("yearly/monthly")


class OnDemandStatus(models.IntegerChoices):
    NORMAL = 1, pgettext_lazy("resource status", "normal")
    GRACE = 2, pgettext_lazy("resource status", "grace period")
    FROZEN = 3, pgettext_lazy("resource status", "frozen")
    CHANGING = 4, pgettext_lazy("resource status", "changing")
    CLOSING = 5, pgettext_lazy("resource status", "closing")
    CLOSED = 6, pgettext_lazy("resource status", "closed")


class PeriodStatus(models.IntegerChoices):
    IN_USE = 2, pgettext_lazy("resource status", "in use")
    CLOSED = 3, pgettext_lazy("resource status", "closed")
    FROZEN = 4, pgettext_lazy("resource status", "frozen")
    EXPIRED = 5, pgettext_lazy("resource status", "expired")


class OpsStatus(models.TextChoices):
    PENDING = "pending", _("waiting for the customer")
    AUTHORIZED = "authorized", _("authorized")
    CANCELLED = "cancelled", _("cancelled by the customer")
    REVOKED = "revoked", _("withdrawn by the partner")
