"""Enumerations of subscriptions, with Huawei's wire values."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

__all__ = ["ExpirePolicy", "SETTABLE_POLICIES", "UnsubscribeType", "UnsubscribeReason", "PayoutDestination",
           "RenewConfigName", "AutoRenewPeriod", "AttemptOutcome"]


class ExpirePolicy(models.IntegerChoices):
    """expire_policy of a yearly/monthly resource (查询客户包年/包月资源列表): what happens at its expiry.
    Only 3 means auto-renew; the others are what happens when it is not renewed."""

    GRACE = 0, _("enter the grace period")
    TO_ON_DEMAND = 1, _("switch to pay-per-use")
    RELEASE = 2, _("release at expiry")
    AUTO_RENEW = 3, _("renew automatically")
    FREEZE = 4, _("freeze at expiry (retention period)")
    RELEASE_FROM_RETENTION = 5, _("release after the retention period")


# What a customer (or its authorized partner) picks in 续费管理 for a resource that is not auto-renewed
# or switched: the other two have their own operations (autorenew, to-on-demand).
SETTABLE_POLICIES = (ExpirePolicy.GRACE, ExpirePolicy.RELEASE, ExpirePolicy.FREEZE)


class UnsubscribeType(models.IntegerChoices):
    RESOURCE = 1, _("the resource and its renewals")
    RENEWALS = 2, _("only the renewals not yet started")


class UnsubscribeReason(models.IntegerChoices):
    HARD_TO_USE = 1, _("the product is hard to use")
    MISSING_FEATURES = 2, _("the product does not meet my needs")
    TOO_COMPLEX = 3, _("I do not know how to use it / too complex")
    UNSATISFIED = 4, _("not satisfied with the service")
    OTHER = 5, _("other")


class PayoutDestination(models.TextChoices):
    """Where a part of a refund went."""

    CUSTOMER_BALANCE = "customer_balance", _("customer's balance")
    PARTNER_CASH = "partner_cash", _("partner's account")
    COUPON = "coupon", _("coupon")
    FORFEITED = "forfeited", _("not refunded (the coupon expired, was reclaimed, or its association ended)")


class RenewConfigName(models.TextChoices):
    DEDUCTION_DATE = "DEDUCTION_DATE", _("auto-renew deduction day")
    EXPIRE_DATE = "EXPIRE_DATE", _("unified expiry day after renewal")


class AutoRenewPeriod(models.TextChoices):
    MONTH = "MONTH", pgettext_lazy("period", "month")
    YEAR = "YEAR", pgettext_lazy("period", "year")


class AttemptOutcome(models.TextChoices):
    PAID = "paid", pgettext_lazy("auto-renew outcome", "paid")
    UNPAID = "unpaid", pgettext_lazy("auto-renew outcome", "order left unpaid")
    FAILED = "failed", pgettext_lazy("auto-renew outcome", "could not be ordered")
