"""Becoming a cloud reseller (成为云经销商)."""


from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from customers.models import Customer
from partnercenter.models import Partner

from ..choices import ResellerRequestStatus


class ResellerRequest(models.Model):
    """A customer account asks to become a cloud reseller under a distributor; the distributor accepts,
    and the reseller partner is created (its administrator joins through a member invitation)."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="reseller_requests")
    distributor = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="reseller_requests")
    company_name = models.CharField(_("company name"), max_length=128)
    contact_email = models.EmailField(_("administrator e-mail"))
    lapse_acknowledged = models.BooleanField(_("coupons, discounts and stored-value cards lapse"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=ResellerRequestStatus.choices,
                              default=ResellerRequestStatus.APPLYING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    reseller = models.OneToOneField(Partner, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("cloud reseller request")
        verbose_name_plural = _("cloud reseller requests")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["customer"], condition=Q(status=ResellerRequestStatus.APPLYING),
                                    name="reseller_request_open_once"),
            models.CheckConstraint(name="reseller_request_acknowledged", condition=Q(lapse_acknowledged=True)),
        ]
