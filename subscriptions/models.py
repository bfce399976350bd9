"""Subscriptions: the auto-renew setting of a resource and the customer's renew configuration, the
auto-renew attempts (one per resource and expiry), and unsubscriptions with their refunds.

The resource itself (customers.Resource) carries its state (`status`: 2 in use, 5 expired = grace
period, 4 frozen = retention period, 3 closed = released), its `expire_time` and its `expire_policy`
(subscriptions.choices.ExpirePolicy); the grace and retention periods are measured from `expire_time`
(settings.SUBSCRIPTION_GRACE_PERIOD, SUBSCRIPTION_RETENTION_PERIOD), so no second clock is kept.

A refund is the sum of RefundItems — each one paid order line's share for one resource: what was paid,
what was used until the unsubscription, the handling fee, the rest refunded — and is paid out as
RefundPayouts, the way the base order was paid: to the coupons it used, to the customer's balance, or
to a partner's account. `(base_line, resource_id)` is unique: a line's share is refunded once, whatever
runs concurrently.
"""

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from catalog.models import ServiceType
from customers.models import Customer, Resource
from partnercenter.models import Partner
from partnercenter.money import fen
from trade.models import Order, OrderLine
from vouchers.models import Coupon

from .choices import (AttemptOutcome, AutoRenewPeriod, PayoutDestination, UnsubscribeReason, UnsubscribeType)

__all__ = ["AutoRenewal", "RenewConfig", "AutoRenewAttempt", "Unsubscription", "RefundItem", "RefundPayout"]

MONEY = {"max_digits": 18, "decimal_places": 2}


class AutoRenewal(models.Model):
    """自动续费 of a main resource (its subordinates renew with it): `times` renewals (0: no limit), each
    of one month or one year. The resource's expire_policy is 3 while this row exists."""

    resource = models.OneToOneField(Resource, on_delete=models.CASCADE, related_name="auto_renewal")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    period_type = models.CharField(_("renewal period"), max_length=5, choices=AutoRenewPeriod.choices)
    times = models.PositiveSmallIntegerField(_("renewals"), default=0, help_text=_("0: no limit"))
    renewed = models.PositiveIntegerField(_("renewals made"), default=0)
    created_at = models.DateTimeField(_("set on"), default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("auto-renewal")
        verbose_name_plural = _("auto-renewals")
        ordering = ["-updated_at", "-id"]
        constraints = [models.CheckConstraint(name="auto_renew_times_range", condition=Q(times__lte=99))]

    def __str__(self):
        return str(self.resource)

    @property
    def exhausted(self) -> bool:
        return bool(self.times) and self.renewed >= self.times


class RenewConfig(models.Model):
    """The customer's renew settings (renew/config): auto-renew pays `deduction_days` (2–7) before expiry;
    a renewal's new expiry moves on to `expire_day` of its month (1–28, or -1: the month's last day)."""

    customer = models.OneToOneField(Customer, on_delete=models.CASCADE, related_name="renew_config")
    deduction_days = models.PositiveSmallIntegerField(_("auto-renew days before expiry"), default=7)
    expire_day = models.SmallIntegerField(_("unified expiry day"), null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("renew configuration")
        verbose_name_plural = _("renew configurations")
        constraints = [
            models.CheckConstraint(name="renew_config_deduction_days", condition=Q(deduction_days__gte=2,
                                                                                   deduction_days__lte=7)),
            models.CheckConstraint(name="renew_config_expire_day",
                                   condition=Q(expire_day__isnull=True) | Q(expire_day=-1)
                                   | Q(expire_day__gte=1, expire_day__lte=28)),
        ]


class AutoRenewAttempt(models.Model):
    """The scheduler renewed (or tried to renew) `resource` past `for_expiry`: once per resource and expiry,
    however often or concurrently the task runs."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="+")
    for_expiry = models.DateTimeField()
    order = models.ForeignKey(Order, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(_("outcome"), max_length=10, choices=AttemptOutcome.choices)
    error_code = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("auto-renew attempt")
        verbose_name_plural = _("auto-renew attempts")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["resource", "for_expiry"], name="auto_renew_once_per_expiry")]


class Unsubscription(models.Model):
    """退订 (or 即时转按需): the order that records it, the main resource, the type and the reason."""

    order = models.OneToOneField(Order, on_delete=models.PROTECT, related_name="unsubscription")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+")
    resource_id = models.CharField(_("resource ID"), max_length=64)
    resource_name = models.CharField(_("resource name"), max_length=128, blank=True)
    unsubscribe_type = models.PositiveSmallIntegerField(_("unsubscribe type"), choices=UnsubscribeType.choices,
                                                        null=True, blank=True)
    reason_type = models.PositiveSmallIntegerField(_("reason"), choices=UnsubscribeReason.choices, null=True,
                                                   blank=True)
    reason = models.CharField(_("reason text"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("unsubscription")
        verbose_name_plural = _("unsubscriptions")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["customer", "-created_at"], name="unsubscription_customer")]


class RefundItem(models.Model):
    """One paid line's share for one resource, as refunded: refund = paid − used − fee."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="refund_items")
    base_order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="+")
    base_line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="refund_items")
    resource_id = models.CharField(_("resource ID"), max_length=64)
    service_type = models.ForeignKey(ServiceType, on_delete=models.PROTECT, related_name="+")
    period_start = models.DateTimeField(_("from"))
    period_end = models.DateTimeField(_("until"))
    paid = models.DecimalField(pgettext_lazy("amount", "paid"), **MONEY)
    used = models.DecimalField(_("used"), **MONEY)
    fee = models.DecimalField(_("handling fee"), **MONEY)
    refund = models.DecimalField(_("refund"), **MONEY)

    class Meta:
        verbose_name = _("refund item")
        verbose_name_plural = _("refund items")
        ordering = ["order_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["base_line", "resource_id"], name="refund_once_per_line_and_resource"),
            models.CheckConstraint(name="refund_item_adds_up",
                                   condition=Q(refund=fen(F("paid") - F("used") - F("fee")), paid__gte=0, used__gte=0,
                                               fee__gte=0, refund__gte=0)),
        ]


class RefundPayout(models.Model):
    """Where a part of a refund went: a coupon it was paid with, the customer's balance, a partner's
    account — or nowhere, for the part of a coupon that expired or was reclaimed meanwhile, or whose
    association ended (refunds.py)."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="refund_payouts")
    base_order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="+")
    destination = models.CharField(_("refunded to"), max_length=20, choices=PayoutDestination.choices)
    partner = models.ForeignKey(Partner, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    coupon = models.ForeignKey(Coupon, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(_("amount"), **MONEY)

    class Meta:
        verbose_name = _("refund payout")
        verbose_name_plural = _("refund payouts")
        ordering = ["order_id", "id"]
        constraints = [
            models.CheckConstraint(name="refund_payout_positive", condition=Q(amount__gt=0)),
            models.CheckConstraint(name="refund_payout_partner_named",
                                   condition=~Q(destination=PayoutDestination.PARTNER_CASH) | Q(partner__isnull=False)),
            models.CheckConstraint(name="refund_payout_coupon_named",
                                   condition=~Q(destination=PayoutDestination.COUPON) | Q(coupon__isnull=False)),
        ]
