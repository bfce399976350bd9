"""Enumerations of the core app; wire values follow Huawei where Huawei has one."""

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["PartnerType", "PartnerStatus", "AccessKeyStatus", "OperationResult", "InvitationStatus", "ActorKind"]


class PartnerType(models.TextChoices):
    SOLUTION_PROVIDER = "solution_provider", _("solution provider")
    DISTRIBUTOR = "distributor", _("distributor")
    RESELLER = "reseller", _("cloud reseller")


class PartnerStatus(models.TextChoices):
    ACTIVE = "active", _("active")
    SUSPENDED = "suspended", _("suspended")
    # 摘牌退出: a distributor that left the programme. It signs in no more, and its cloud resellers may not
    # invite customers (expansion.invitations).
    DELISTED = "delisted", _("delisted")


class AccessKeyStatus(models.TextChoices):
    ACTIVE = "active", _("enabled")
    DISABLED = "disabled", _("disabled")


class OperationResult(models.TextChoices):
    SUCCESS = "success", _("succeeded")
    FAILURE = "failure", _("failed")


class InvitationStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    ACCEPTED = "accepted", _("accepted")
    REVOKED = "revoked", _("revoked")
    EXPIRED = "expired", _("expired")


class ActorKind(models.TextChoices):
    MEMBER = "member", _("member")
    ACCESS_KEY = "access_key", _("access key")
    CUSTOMER_USER = "customer_user", _("customer user")
    OPERATOR = "operator", _("platform operator")
    PLATFORM = "platform", _("platform key")
    SCHEDULER = "scheduler", _("scheduler")
    ANONYMOUS = "anonymous", _("anonymous")
