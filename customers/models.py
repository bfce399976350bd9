"""Customers: cloud accounts, the people who sign in to them, and their association with a partner."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partnercenter.models import Member, Partner, new_domain_id

from .choices import AssociationType, CustomerType, VerifiedStatus

__all__ = ["Customer", "CustomerUser", "Association"]


class Customer(models.Model):
    """A cloud account (主账号) served by a partner; `domain_id` is its public id (customer_id on the wire)."""

    domain_id = models.CharField(_("account ID"), max_length=32, unique=True, default=new_domain_id)
    domain_name = models.CharField(_("account name"), max_length=64, unique=True)
    real_name = models.CharField(_("real-name name"), max_length=128, blank=True)
    verified_status = models.CharField(
        _("real-name status"), max_length=2, choices=VerifiedStatus.choices, default=VerifiedStatus.NOT_VERIFIED
    )
    customer_type = models.IntegerField(_("customer type"), choices=CustomerType.choices, default=CustomerType.NONE)
    country_code = models.CharField(_("country code"), max_length=8, blank=True, default="0086")
    mobile_phone = models.CharField(_("mobile phone"), max_length=32, blank=True)
    email = models.EmailField(_("e-mail"), max_length=256, blank=True)
    customer_level = models.CharField(_("customer level"), max_length=4, blank=True)
    is_frozen = models.PositiveSmallIntegerField(_("frozen"), default=0)
    xaccount_id = models.CharField(_("sales platform user ID"), max_length=64, blank=True)
    xaccount_type = models.CharField(_("sales platform ID"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["domain_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["xaccount_type", "xaccount_id"], condition=~Q(xaccount_id=""), name="customer_xaccount_unique"
            ),
        ]

    def __str__(self):
        return self.real_name or self.domain_name


class CustomerUser(models.Model):
    """A person who signs in to a customer account (the account owner or an IAM user); home: 费用中心."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="customer_user")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="users")
    is_owner = models.BooleanField(_("account owner"), default=False)

    class Meta:
        verbose_name = _("customer user")
        verbose_name_plural = _("customer users")

    def __str__(self):
        return self.user.username


class Association(models.Model):
    """A customer's association with a partner (关联). At most one is active per customer; an ended
    one stays as history (`ended_on` set)."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="associations")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="associations")
    association_type = models.CharField(_("association type"), max_length=1, choices=AssociationType.choices)
    associated_on = models.DateTimeField(_("associated on"), default=timezone.now)
    ended_on = models.DateTimeField(_("ended on"), null=True, blank=True)
    label = models.CharField(_("label"), max_length=64, blank=True)
    account_manager = models.ForeignKey(
        Member, verbose_name=_("account manager"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="managed_associations",
    )

    class Meta:
        verbose_name = _("association")
        verbose_name_plural = _("associations")
        ordering = ["-associated_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer"], condition=Q(ended_on__isnull=True), name="one_active_association_per_customer"
            ),
        ]

    def __str__(self):
        return f"{self.partner} – {self.customer}"
