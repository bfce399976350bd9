"""Enumerations of expansion (拓新): invitations, the enterprise directory, reports, leads, opportunities and
sales tasks. Statuses are translated in the "expansion status" context."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

__all__ = [
    "EnterpriseStatus", "EnterpriseSize", "ReportStatus", "LeadSource", "LeadStatus", "FollowUpMethod",
    "CallOutcome", "Origin", "OpportunityStatus", "OpportunityStage", "Side", "TaskKind", "TaskStatus",
    "EntrustmentStatus",
]


class EnterpriseStatus(models.TextChoices):
    OPERATING = "operating", pgettext_lazy("enterprise status", "operating")        # 存续 / 在业
    CANCELLED = "cancelled", pgettext_lazy("enterprise status", "deregistered")     # 注销
    REVOKED = "revoked", pgettext_lazy("enterprise status", "licence revoked")      # 吊销


class EnterpriseSize(models.TextChoices):
    MICRO = "micro", _("micro (under 10 staff)")
    SMALL = "small", _("small (10–99 staff)")
    MEDIUM = "medium", _("medium (100–999 staff)")
    LARGE = "large", _("large (1,000 staff or more)")


class ReportStatus(models.TextChoices):
    """报备: ACTIVE protects the prospect for the partner until `protected_until`; one ACTIVE report per
    enterprise (a database constraint)."""

    ACTIVE = "active", pgettext_lazy("expansion status", "protected")
    EXPIRED = "expired", pgettext_lazy("expansion status", "expired")
    WITHDRAWN = "withdrawn", pgettext_lazy("expansion status", "withdrawn")


class LeadSource(models.TextChoices):
    PARTNER = "partner", _("created by the partner")
    DISPATCHED = "dispatched", _("dispatched by Huawei Cloud")


class LeadStatus(models.TextChoices):
    NEW = "new", pgettext_lazy("expansion status", "new")
    FOLLOWING = "following", pgettext_lazy("expansion status", "following up")
    CONVERTED = "converted", pgettext_lazy("expansion status", "converted")
    INVALID = "invalid", pgettext_lazy("expansion status", "invalid")


class FollowUpMethod(models.TextChoices):
    PHONE = "phone", _("phone")
    CALL = "call", _("outbound call (外呼)")
    VISIT = "visit", _("visit")
    EMAIL = "email", _("e-mail")
    OTHER = "other", _("other")


class CallOutcome(models.TextChoices):
    CONNECTED = "connected", _("connected")
    NO_ANSWER = "no_answer", _("no answer")
    BUSY = "busy", _("busy")
    FAILED = "failed", _("failed")


class Origin(models.TextChoices):
    HO = "HO", _("shared by Huawei Cloud (HO)")
    PO = "PO", _("registered by the partner (PO)")


class OpportunityStatus(models.TextChoices):
    """HO: PENDING (to accept within 3 working days) → ACCEPTED | REJECTED | RECALLED (overdue: rejected by
    default and taken back). PO: PENDING (to approve) → APPROVED | REJECTED | RELEASED (to the public pool).
    ACCEPTED and APPROVED take updates until CLOSED (won or lost, see `stage`)."""

    PENDING = "pending", pgettext_lazy("expansion status", "pending")
    ACCEPTED = "accepted", pgettext_lazy("expansion status", "accepted")
    APPROVED = "approved", pgettext_lazy("expansion status", "approved")
    REJECTED = "rejected", pgettext_lazy("expansion status", "rejected")
    RECALLED = "recalled", pgettext_lazy("expansion status", "overdue, recalled")
    RELEASED = "released", pgettext_lazy("expansion status", "released to the public pool")
    CLOSED = "closed", pgettext_lazy("expansion status", "closed")


class OpportunityStage(models.TextChoices):
    DISCOVERY = "discovery", _("discovery")
    QUALIFIED = "qualified", _("qualified")
    PROPOSAL = "proposal", _("proposal")
    NEGOTIATION = "negotiation", _("negotiation")
    WON = "won", _("won")
    LOST = "lost", _("lost")


class Side(models.TextChoices):
    PARTNER = "partner", _("partner")
    CLOUD = "cloud", _("Huawei Cloud")


class TaskKind(models.TextChoices):
    RENEWAL = "renewal", _("renewal reminder")
    UPGRADE = "upgrade", _("upgrade")
    FOLLOW_UP = "follow_up", _("follow-up")


class TaskStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("expansion status", "open")
    IN_PROGRESS = "in_progress", pgettext_lazy("expansion status", "in progress")
    CLOSED = "closed", pgettext_lazy("expansion status", "closed")


class EntrustmentStatus(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("expansion status", "entrusted")
    CANCELLED = "cancelled", pgettext_lazy("expansion status", "cancelled")
