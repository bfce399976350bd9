"""Enumerations of the customers domain, with Huawei's wire values."""

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["AssociationType", "VerifiedStatus", "CustomerType"]


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
