"""Enumerations of programmes, paths and benefits."""

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = [
    "ProgramKind", "MembershipStatus", "RequirementKind", "Metric", "ReviewStatus", "CertificationStatus",
    "SpecialistStatus", "ApplicationStatus", "ExamLevel", "ExamStatus", "ResellerRequestStatus",
]


class ProgramKind(models.TextChoices):
    SOLUTION_PROVIDER = "solution_provider", _("Solution provider programme")
    DISTRIBUTOR = "distributor", _("Distributor programme")          # applied for offline (线下申请)
    RESELLER = "reseller", _("Cloud reseller programme")             # under a distributor


class MembershipStatus(models.TextChoices):
    APPLYING = "applying", _("applying")
    JOINED = "joined", _("joined")
    REJECTED = "rejected", _("rejected")
    LEFT = "left", _("left")


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
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    APPROVED = "approved", _("approved")
    RETURNED = "returned", _("returned")


class CertificationStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    VERIFIED = "verified", _("verified")
    RETURNED = "returned", _("returned")


class SpecialistStatus(models.TextChoices):
    APPLYING = "applying", _("applying")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")
    CANCELLED = "cancelled", _("cancelled")


class ApplicationStatus(models.TextChoices):
    APPLYING = "applying", _("applying")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")


class ExamLevel(models.TextChoices):
    HCIA = "HCIA", "HCIA"
    HCIP = "HCIP", "HCIP"


class ExamStatus(models.TextChoices):
    APPLYING = "applying", _("applying")
    ISSUED = "issued", _("issued")
    REJECTED = "rejected", _("rejected")


class ResellerRequestStatus(models.TextChoices):
    APPLYING = "applying", _("waiting for the distributor")
    ACCEPTED = "accepted", _("accepted")
    REJECTED = "rejected", _("rejected")
    WITHDRAWN = "withdrawn", _("withdrawn")
