"""Enumerations of programmes, paths and benefits."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

__all__ = [
    "ProgramKind", "MembershipStatus", "RequirementKind", "Metric", "ReviewStatus", "CertificationStatus",
    "SpecialistStatus", "ApplicationStatus", "ExamLevel", "ExamStatus", "ResellerRequestStatus",
]


class ProgramKind(models.TextChoices):
    SOLUTION_PROVIDER = "solution_provider", _("Solution provider programme")
    DISTRIBUTOR = "distributor", _("Distributor programme")          # applied for offline (线下申请)
    RESELLER = "reseller", _("Cloud reseller programme")             # under a distributor


class MembershipStatus(models.TextChoices):
    APPLYING = "applying", pgettext_lazy("programme status", "applying")
    JOINED = "joined", pgettext_lazy("programme status", "joined")
    REJECTED = "rejected", pgettext_lazy("programme status", "rejected")
    LEFT = "left", pgettext_lazy("programme status", "left")


class RequirementKind(models.TextChoices):
    COMPUTED = "computed", _("computed from data")
    CONFIRMED = "confirmed", _("confirmed by an operator")


class Metric(models.TextChoices):
    """What a computed requirement counts for the partner (programs/standing.py computes each)."""

    CERTIFIED_SOLUTIONS = "certified_solutions", _("certified applications and solutions")
    PROJECT_SPECIALISTS = "project_specialists", _("approved project specialists on the path")
    CUSTOMERS = "customers", _("associated customers")
    BUSINESS_CERTIFIED = "business_certified", _("business information certified")
    AGREEMENTS_SIGNED = "agreements_signed", _("published agreements signed")


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("programme status", "draft")
    SUBMITTED = "submitted", pgettext_lazy("programme status", "submitted")
    APPROVED = "approved", pgettext_lazy("programme status", "approved")
    RETURNED = "returned", pgettext_lazy("programme status", "returned")


class CertificationStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("programme status", "draft")
    SUBMITTED = "submitted", pgettext_lazy("programme status", "submitted")
    VERIFIED = "verified", pgettext_lazy("programme status", "verified")
    RETURNED = "returned", pgettext_lazy("programme status", "returned")


class SpecialistStatus(models.TextChoices):
    APPLYING = "applying", pgettext_lazy("programme status", "applying")
    APPROVED = "approved", pgettext_lazy("programme status", "approved")
    REJECTED = "rejected", pgettext_lazy("programme status", "rejected")
    CANCELLED = "cancelled", pgettext_lazy("programme status", "cancelled")


class ApplicationStatus(models.TextChoices):
    APPLYING = "applying", pgettext_lazy("programme status", "applying")
    APPROVED = "approved", pgettext_lazy("programme status", "approved")
    REJECTED = "rejected", pgettext_lazy("programme status", "rejected")


class ExamLevel(models.TextChoices):
    HCIA = "HCIA", "HCIA"
    HCIP = "HCIP", "HCIP"


class ExamStatus(models.TextChoices):
    APPLYING = "applying", pgettext_lazy("programme status", "applying")
    ISSUED = "issued", pgettext_lazy("programme status", "issued")
    REJECTED = "rejected", pgettext_lazy("programme status", "rejected")


class ResellerRequestStatus(models.TextChoices):
    APPLYING = "applying", pgettext_lazy("programme status", "waiting for the distributor")
    ACCEPTED = "accepted", pgettext_lazy("programme status", "accepted")
    REJECTED = "rejected", pgettext_lazy("programme status", "rejected")
    WITHDRAWN = "withdrawn", pgettext_lazy("programme status", "withdrawn")
