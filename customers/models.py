"""Customers: cloud accounts, the people who sign in to them, and their association with a partner."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partnercenter.models import Member, Partner, new_domain_id

from .choices import (
    AssociationType, ChargingMode, CustomerType, EventInitiator, EventKind, EventStatus, OpsStatus, VerifiedStatus,
)

__all__ = ["Customer", "CustomerUser", "Association", "AssociationEvent", "RegistrationCode", "Resource",
           "OpsAuthorization", "NewCustomerTag"]


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
    # Standing facts the platform knows about the account, read by the eligibility checks.
    in_debt = models.BooleanField(_("in arrears"), default=False)
    has_credit_debt = models.BooleanField(_("credit account with debt"), default=False)
    is_org_account = models.BooleanField(_("enterprise master or member account"), default=False)
    is_org_member = models.BooleanField(_("member of an enterprise organisation"), default=False)
    # read when the account asks to become a cloud reseller (programs/eligibility.py)
    is_postpaid = models.BooleanField(_("postpaid (后付费) enabled"), default=False)
    has_special_contract = models.BooleanField(
        _("special contract with the cloud"), default=False,
        help_text=_("Offline direct contract, telesales discount contract or direct special price."))
    created_by_partner = models.ForeignKey(
        Partner, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text=_("The partner that registered the account, if one did."),
    )
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
            # (id, partner) is unique as id is: the key a fee record names its association and partner by, so
            # that one reference check says both exist and belong together (bills.models.FeeRecord)
            models.UniqueConstraint(fields=["id", "partner"], name="association_id_partner"),
        ]

    def __str__(self):
        return f"{self.partner} – {self.customer}"

    @property
    def is_resale(self) -> bool:
        """代售: the partner pays for the customer, so it allocates funds and flexi-purchase coupons to it."""
        return self.association_type == AssociationType.RESALE


class AssociationEvent(models.Model):
    """One event of an association (关联关系操作记录): an association made, a disassociation or a type
    switch requested by one side and decided by the other. At most one is pending per association."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="association_events")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="association_events")
    association = models.ForeignKey(Association, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("event"), max_length=16, choices=EventKind.choices)
    initiator = models.CharField(_("initiated by"), max_length=10, choices=EventInitiator.choices)
    status = models.CharField(_("status"), max_length=10, choices=EventStatus.choices)
    from_type = models.CharField(_("from type"), max_length=1, choices=AssociationType.choices, blank=True)
    to_type = models.CharField(_("to type"), max_length=1, choices=AssociationType.choices, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    decision_note = models.CharField(_("reply"), max_length=500, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("requested at"), default=timezone.now, db_index=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("association event")
        verbose_name_plural = _("association events")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["association"], condition=Q(status=EventStatus.PENDING), name="one_pending_event_per_association"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.customer}"

    @property
    def is_pending(self) -> bool:
        return self.status == EventStatus.PENDING

    @property
    def awaits_partner(self) -> bool:
        """Asked by the customer: the partner's side decides."""
        return self.initiator == EventInitiator.CUSTOMER


class RegistrationCode(models.Model):
    """An SMS code sent to a mobile number before a customer is registered with it. Only the hash is
    kept; it expires, works once, and dies after a few wrong tries."""

    mobile_phone = models.CharField(max_length=32, db_index=True)
    code_hash = models.CharField(max_length=64)
    scene = models.PositiveSmallIntegerField(default=29)
    partner = models.ForeignKey(Partner, null=True, on_delete=models.CASCADE, related_name="+")
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]


class Resource(models.Model):
    """A cloud resource of a customer, pay-per-use or yearly/monthly (查看资源). Demo data creates them
    today; the billing work will create them from orders (order_id, product_id)."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="resources")
    charging_mode = models.CharField(_("billing mode"), max_length=10, choices=ChargingMode.choices)
    resource_id = models.CharField(_("resource ID"), max_length=64)
    resource_name = models.CharField(_("resource name"), max_length=128, blank=True)
    parent_resource_id = models.CharField(max_length=64, blank=True)
    is_main_resource = models.BooleanField(default=True)
    service_type_code = models.CharField(_("service type"), max_length=64)
    service_type_name = models.CharField(max_length=64, blank=True)
    resource_type_code = models.CharField(_("resource type"), max_length=64)
    resource_type_name = models.CharField(max_length=64, blank=True)
    region_code = models.CharField(_("region"), max_length=32)
    availability_zone_code = models.CharField(max_length=32, blank=True)
    resource_spec_code = models.CharField(_("specification"), max_length=64, blank=True)
    product_spec_desc = models.CharField(_("specification description"), max_length=255, blank=True)
    resource_info = models.CharField(max_length=255, blank=True)
    project_id = models.CharField(max_length=64, blank=True)
    product_id = models.CharField(max_length=64, blank=True)
    order_id = models.CharField(_("order"), max_length=64, blank=True, db_index=True)
    # the order line that bought it (trade.OrderLine.line_id): whose paid share an unsubscription refunds
    order_line_id = models.CharField(max_length=40, blank=True)
    status = models.PositiveSmallIntegerField(_("status"))
    expire_policy = models.PositiveSmallIntegerField(null=True, blank=True)
    effective_time = models.DateTimeField(_("effective"))
    expire_time = models.DateTimeField(_("expires"), null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        ordering = ["-effective_time", "-id"]
        indexes = [
            models.Index(fields=["customer", "charging_mode", "status"]),
            # the expiry run (subscriptions.lifecycle) reads only the yearly/monthly rows due in a state
            models.Index(fields=["status", "expire_time"], condition=Q(charging_mode="period"),
                         name="resource_period_due"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["charging_mode", "resource_id"], name="resource_id_unique_per_mode"),
        ]

    def __str__(self):
        return self.resource_name or self.resource_id

    def get_status_display(self):
        from .choices import OnDemandStatus, PeriodStatus

        labels = OnDemandStatus if self.charging_mode == ChargingMode.ON_DEMAND else PeriodStatus
        try:
            return labels(self.status).label
        except ValueError:
            return str(self.status)


class OpsAuthorization(models.Model):
    """Delegated operations (代客运维), including ordering on the customer's behalf (代客下单): a partner
    asks a resale customer to let it operate the account and place orders for it; the customer agrees or
    cancels in the fee center. A grant holds until `valid_until`, and ends with the association. At most
    one open request per pair."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="ops_authorizations")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="ops_authorizations")
    status = models.CharField(_("status"), max_length=12, choices=OpsStatus.choices, default=OpsStatus.PENDING)
    reason = models.CharField(_("purpose"), max_length=500, blank=True)
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("delegated operations authorization")
        verbose_name_plural = _("delegated operations authorizations")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "customer"], condition=Q(status__in=["pending", "authorized"]),
                name="one_open_ops_authorization",
            ),
        ]

    def __str__(self):
        return f"{self.partner} → {self.customer}"

    @property
    def is_pending(self) -> bool:
        return self.status == OpsStatus.PENDING

    @property
    def is_open(self) -> bool:
        """Asked for or granted: the partner may still withdraw it."""
        return self.status in (OpsStatus.PENDING, OpsStatus.AUTHORIZED)


class NewCustomerTag(models.Model):
    """A customer's new-customer tag (新客标签), set by the platform: SMB new-customer status for a
    range of months. Partners read it for their customers (new-customers-tags/batch-query)."""

    class Tag(models.TextChoices):
        QUALIFIED = "Y", _("qualified new customer")
        NOT_NEW = "N", _("not a new customer")
        UNDETERMINED = "UNDETERMINED", _("eligible, not yet qualified")

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="new_customer_tags")
    tag_type = models.CharField(_("tag type"), max_length=16, default="SMB")
    tag = models.CharField(_("new-customer tag"), max_length=16, choices=Tag.choices)
    effective_month = models.CharField(_("effective month"), max_length=7)  # YYYY-MM
    expire_month = models.CharField(_("expiry month"), max_length=7)

    class Meta:
        verbose_name = _("new-customer tag")
        verbose_name_plural = _("new-customer tags")
        ordering = ["customer_id", "-effective_month"]
        constraints = [models.UniqueConstraint(fields=["customer", "tag_type"], name="one_tag_per_customer_and_type")]

    def __str__(self):
        return f"{self.customer} {self.tag_type}={self.tag}"
