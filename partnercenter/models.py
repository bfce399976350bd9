"""The core's state: tenants (partners), their people, roles, access keys and the operation log."""

import hashlib
import secrets
import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin

from .choices import AccessKeyStatus, ActorKind, InvitationStatus, OperationResult, PartnerStatus, PartnerType
from .permissions import ALL_CODES

__all__ = [
    "new_domain_id", "User", "Partner", "Role", "Member", "Invitation", "AccessKey", "PlatformAccessKey", "OperationLog",
    "EmailCodeDevice", "ConfirmationToken", "ListCount",
]


def new_domain_id() -> str:
    """A Huawei-style account id: 32 lowercase hex characters."""
    return uuid.uuid4().hex


class User(AbstractUser):
    """A person who signs in: a partner's member or a customer's user (never both)."""

    class Meta:
        db_table = "pc_user"
        verbose_name = _("user")
        verbose_name_plural = _("users")


class Partner(models.Model):
    """The tenant: a company reselling the cloud. Every partner-owned row hangs off one of these."""

    domain_id = models.CharField(_("account ID"), max_length=32, unique=True, default=new_domain_id)
    account_name = models.CharField(_("account name"), max_length=64, unique=True)
    name = models.CharField(_("company name"), max_length=128)
    partner_type = models.CharField(_("partner type"), max_length=20, choices=PartnerType.choices)
    status = models.CharField(_("status"), max_length=20, choices=PartnerStatus.choices, default=PartnerStatus.ACTIVE)
    contracting_entity = models.CharField(_("contracting entity"), max_length=128, blank=True)
    verification_enabled = models.BooleanField(_("verification code for sensitive operations"), default=False)
    # 云商店客户服务商计划: operators record membership; members may adjust the price of marketplace orders
    # whose selected sales account is theirs (云商店交易调价)
    marketplace_service_provider = models.BooleanField(
        _("in the marketplace customer-service programme"), default=False)
    mobile_phone = models.CharField(_("mobile phone"), max_length=32, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    distributor = models.ForeignKey(
        "self", verbose_name=_("distributor"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="resellers", limit_choices_to={"partner_type": PartnerType.DISTRIBUTOR},
    )
    associated_on = models.DateTimeField(_("associated with distributor on"), null=True, blank=True)
    reseller_account_manager = models.ForeignKey(
        "Member", verbose_name=_("account manager at the distributor"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="managed_resellers",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        ordering = ["name"]
        constraints = [
            # A cloud reseller belongs to exactly one distributor; nobody else has one.
            models.CheckConstraint(
                name="partner_reseller_has_distributor",
                condition=(Q(partner_type=PartnerType.RESELLER) & Q(distributor__isnull=False))
                | (~Q(partner_type=PartnerType.RESELLER) & Q(distributor__isnull=True)),
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_distributor(self) -> bool:
        return self.partner_type == PartnerType.DISTRIBUTOR

    @property
    def is_active(self) -> bool:
        return self.status == PartnerStatus.ACTIVE


class Role(models.Model):
    """A named set of permissions from the catalogue, owned by one partner.

    The built-in administrator role always grants the whole catalogue, including rights added later.
    """

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="roles")
    name = models.CharField(_("name"), max_length=64)
    description = models.CharField(_("description"), max_length=255, blank=True)
    permissions = models.JSONField(_("permissions"), default=list, blank=True)
    is_administrator = models.BooleanField(_("built-in administrator"), default=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        ordering = ["-is_administrator", "name"]
        constraints = [
            models.UniqueConstraint(fields=["partner", "name"], name="role_name_unique_per_partner"),
            models.UniqueConstraint(
                fields=["partner"], condition=Q(is_administrator=True), name="one_administrator_role_per_partner"
            ),
        ]

    def __str__(self):
        return str(self.display_name)

    # The built-in role is stored under the name it was created with (管理员) and shown in the viewer's
    # language; a partner's own roles are shown as they named them.
    @property
    def display_name(self):
        return _("Administrator") if self.is_administrator else self.name

    @property
    def display_description(self):
        if self.is_administrator:
            return _("Built-in role with every permission, including ones added later; it cannot be changed "
                     "or deleted.")
        return self.description

    def granted(self) -> frozenset[str]:
        if self.is_administrator:
            return ALL_CODES
        return frozenset(self.permissions) & ALL_CODES


class Member(models.Model):
    """A person working for one partner (组织人员). Roles give rights; `supervisor` gives the team tree
    an account-manager lead uses to see their managers' customers."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="member")
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="members")
    display_name = models.CharField(_("name"), max_length=64)
    title = models.CharField(_("title"), max_length=64, blank=True)
    roles = models.ManyToManyField(Role, verbose_name=_("roles"), blank=True, related_name="members")
    supervisor = models.ForeignKey(
        "self", verbose_name=_("supervisor"), null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    created_at = models.DateTimeField(_("joined"), default=timezone.now)

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["display_name"]

    def __str__(self):
        return self.display_name or self.user.username


class Invitation(models.Model):
    """An invitation by link: the invitee opens it, picks a username and sets a password."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail"))
    display_name = models.CharField(_("name"), max_length=64)
    roles = models.ManyToManyField(Role, verbose_name=_("roles"), blank=True)
    supervisor = models.ForeignKey(Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=16, choices=InvitationStatus.choices, default=InvitationStatus.PENDING)
    invited_by = models.ForeignKey(Member, null=True, on_delete=models.SET_NULL, related_name="invitations_sent")
    member = models.OneToOneField(Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="invitation")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self):
        return self.email

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()


class AccessKey(models.Model):
    """An AK/SK pair (我的凭证). A partner key acts for `partner`; a customer key (partner empty) acts for
    its owner's customer account. A platform key (`is_platform`, partner empty) belongs to an operator
    (a staff user) and acts for the cloud's metering: it may call the usage ingestion endpoint and nothing
    else (partnercenter.actors, bills.api.ingest_views). The SK is kept encrypted: it must be recoverable
    to check HMACs."""

    ak = models.CharField(_("access key ID"), max_length=20, unique=True)
    sk_encrypted = models.TextField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_keys")
    partner = models.ForeignKey(Partner, null=True, blank=True, on_delete=models.CASCADE, related_name="access_keys")
    description = models.CharField(_("description"), max_length=255, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=AccessKeyStatus.choices, default=AccessKeyStatus.ACTIVE)
    is_platform = models.BooleanField(_("platform key"), default=False,
                                      help_text=_("An operator's key for the cloud's metering: it may only send "
                                                  "usage records."))
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("access key")
        verbose_name_plural = _("access keys")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(name="access_key_platform_has_no_partner",
                                   condition=Q(is_platform=False) | Q(partner__isnull=True)),
        ]

    def __str__(self):
        return self.ak

    @property
    def is_active(self) -> bool:
        return self.status == AccessKeyStatus.ACTIVE


class PlatformAccessKey(AccessKey):
    """The platform keys, as the operators' admin lists and creates them (a proxy: the same table)."""

    class Meta:
        proxy = True
        verbose_name = _("platform access key")
        verbose_name_plural = _("platform access keys")


class OperationLogQuerySet(models.QuerySet):
    """The log is append-only: bulk updates and deletes are refused."""

    def update(self, **kwargs):
        raise TypeError("OperationLog is append-only")

    def delete(self):
        raise TypeError("OperationLog is append-only")


class OperationLog(models.Model):
    """One row per write, successful or not (操作记录). Never edited, never deleted."""

    partner = models.ForeignKey(Partner, null=True, blank=True, on_delete=models.PROTECT, related_name="operation_logs")
    actor_kind = models.CharField(_("actor kind"), max_length=20, choices=ActorKind.choices)
    actor_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    access_key = models.CharField(_("access key ID"), max_length=20, blank=True)
    actor_label = models.CharField(_("operator"), max_length=150)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    target_type = models.CharField(_("target type"), max_length=64, blank=True)
    target_id = models.CharField(_("target ID"), max_length=64, blank=True)
    target_label = models.CharField(_("target"), max_length=255, blank=True)
    result = models.CharField(_("result"), max_length=16, choices=OperationResult.choices)
    error_code = models.CharField(_("error code"), max_length=32, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    objects = OperationLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("operation log")
        verbose_name_plural = _("operation logs")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.actor_label} {self.action} {self.target_label}"

    @property
    def succeeded(self) -> bool:
        return self.result == OperationResult.SUCCESS

    @property
    def action_label(self) -> str:
        from .oplog import ACTION_LABELS

        return str(ACTION_LABELS.get(self.action, self.action))

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("OperationLog is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("OperationLog is append-only")


class EmailCodeDevice(ThrottlingMixin, Device):
    """A django-otp device that e-mails a one-time code and keeps only its hash.

    django-otp's own e-mail device stores the code in plain text; this one stores SHA-256 of it,
    lets it be used once (a conditional UPDATE clears it, so concurrent submissions yield one
    success), and expires it after settings.EMAIL_CODE_VALIDITY. Failures back off exponentially.
    """

    email = models.EmailField(_("e-mail"), blank=True)
    token_hash = models.CharField(max_length=64, blank=True)
    valid_until = models.DateTimeField(null=True, blank=True)

    class Meta(Device.Meta):
        verbose_name = _("e-mail code device")

    CODE_DIGITS = 8  # 10**8 ≈ 2**26.6: over the 20 bits of entropy we promise

    def get_throttle_factor(self):
        return getattr(settings, "EMAIL_CODE_THROTTLE_FACTOR", 1)

    # django-otp saves the whole row when it counts a failure; a request still holding the old code
    # would write it back and let it be used twice. Save only the throttling fields.
    _THROTTLE_FIELDS = ["throttling_failure_timestamp", "throttling_failure_count"]

    def throttle_increment(self, commit=True):
        super().throttle_increment(commit=False)
        if commit:
            self.save(update_fields=self._THROTTLE_FIELDS)

    def throttle_reset(self, commit=True):
        super().throttle_reset(commit=False)
        if commit:
            self.save(update_fields=self._THROTTLE_FIELDS)

    @staticmethod
    def _hash(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    def issue_code(self) -> str:
        """Make a new code (replacing any earlier one) and return it for delivery."""
        code = f"{secrets.randbelow(10 ** self.CODE_DIGITS):0{self.CODE_DIGITS}d}"
        self.token_hash = self._hash(code)
        self.valid_until = timezone.now() + settings.EMAIL_CODE_VALIDITY
        self.save(update_fields=["token_hash", "valid_until"])
        return code

    def verify_token(self, token) -> bool:
        allowed, _info = self.verify_is_allowed()
        if not allowed:
            return False
        token = str(token or "").strip()
        now = timezone.now()
        ok = False
        if token and self.token_hash and self.valid_until and now <= self.valid_until:
            if secrets.compare_digest(self._hash(token), self.token_hash):
                # Single use: only the request that clears the hash wins.
                ok = bool(
                    type(self).objects.filter(pk=self.pk, token_hash=self.token_hash).update(token_hash="", valid_until=None)
                )
        if ok:
            self.token_hash, self.valid_until = "", None
            self.throttle_reset()
        else:
            self.throttle_increment()
        return ok


def new_confirmation_token() -> str:
    return secrets.token_urlsafe(24)


class ConfirmationToken(models.Model):
    """The one-time token of a two-step confirmation (是否确定调整, partnercenter/confirmation.py): made
    when the confirmation is shown, claimed by a conditional UPDATE before the operation runs, so of N
    concurrent or repeated submits exactly one runs. Bound to the person and the page it was made for."""

    token = models.CharField(max_length=64, unique=True, default=new_confirmation_token)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    path = models.CharField(max_length=255)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("confirmation token")
        verbose_name_plural = _("confirmation tokens")

    def __str__(self):
        return f"{self.user_id} {self.path}"


class ListCount(models.Model):
    """The number of rows of one partner's list (rule 7: counts that would grow with the table are kept
    as counters), so a list's exact total needs no COUNT over the table.

    Kept by database triggers that the apps' migrations create on the counted tables (see
    partnercenter/migrations/_counting.py), so every write path — services, the admin, bulk_create, raw
    SQL — keeps it exact in the writing transaction, with no Python code. `scope` splits a list where an
    actor sees part of it: 0 is the whole list, otherwise e.g. an account manager's member id. What each
    list counts is declared next to its selector (`partnercenter.api.pagination.CountedList`);
    `manage.py verify_counts` recomputes every counter from the rows."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    list_name = models.CharField(max_length=32)
    scope = models.BigIntegerField(default=0)
    count = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["partner", "list_name", "scope"], name="list_count_unique"),
        ]

    def __str__(self):
        return f"{self.partner_id} {self.list_name}/{self.scope}: {self.count}"


class WorkdayOverride(models.Model):
    """An operator's correction of China's working-day calendar (partnercenter/workdays.py): a day that is a
    holiday although the calendar says it is worked, or a working day (调休) although it is a weekend or
    holiday. Needed for the years the `chinese-calendar` package does not know yet, and for a late notice."""

    date = models.DateField(_("date"), unique=True)
    is_working_day = models.BooleanField(_("working day"))
    note = models.CharField(_("note"), max_length=128, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["date"]
        verbose_name = _("working-day override")
        verbose_name_plural = _("working-day overrides")

    def __str__(self):
        return f"{self.date} {'+' if self.is_working_day else '-'}"
