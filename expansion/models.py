"""How partners win customers (拓新): invitation links, the enterprise directory (企业百科) and reports (报备),
leads (线索), opportunities shared by the cloud (HO) or registered by the partner (PO), sales tasks and the
entrustment of a cloud reseller's customers to its distributor (委托).

Rules the tables keep:
- An invitation link's token is unique and public (it is printed as a QR code); a link stops working when
  revoked or past `valid_until`. `registrations` counts the customers who registered through it, kept in
  the registering transaction.
- An enterprise is listed once per unified social credit code.
- An enterprise is protected by at most one ACTIVE report at a time (报备, first come first served): a
  partial unique index, so two partners reporting at once leave one report.
- A pending HO opportunity has a `deadline` (3 working days after it was shared, Asia/Shanghai); the
  partial index on it lets the expiry task read only the due ones.
- A cloud reseller has at most one ACTIVE entrustment.
"""

import secrets

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from customers.choices import AssociationType
from customers.models import Customer
from partnercenter.models import Member, Partner

from .choices import (
    CallOutcome, EnterpriseSize, EnterpriseStatus, EntrustmentStatus, FollowUpMethod, LeadSource, LeadStatus,
    OpportunityStage, OpportunityStatus, Origin, ReportStatus, Side, TaskKind, TaskStatus,
)

MONEY = {"max_digits": 18, "decimal_places": 2}


def new_link_token() -> str:
    return secrets.token_urlsafe(12)


# ---------------------------------------------------------------------------------------------------------
# 线下拓展: invitation links


class InvitationLink(models.Model):
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="invitation_links")
    token = models.CharField(max_length=32, unique=True, default=new_link_token)
    name = models.CharField(_("name"), max_length=64, blank=True)
    association_type = models.CharField(_("association type"), max_length=1, choices=AssociationType.choices)
    valid_until = models.DateTimeField(_("valid until"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    registrations = models.PositiveIntegerField(_("registrations"), default=0)
    created_by = models.ForeignKey(Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["partner", "-id"], name="invitation_link_partner")]
        verbose_name = _("invitation link")
        verbose_name_plural = _("invitation links")

    def __str__(self):
        return self.name or self.token

    def is_usable(self, now=None) -> bool:
        return self.revoked_at is None and (now or timezone.now()) < self.valid_until


class LinkRegistration(models.Model):
    """A customer who registered through an invitation link (one link per customer)."""

    link = models.ForeignKey(InvitationLink, on_delete=models.CASCADE, related_name="registered")
    customer = models.OneToOneField(Customer, on_delete=models.CASCADE, related_name="invitation_registration")
    created_at = models.DateTimeField(_("registered at"), default=timezone.now)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("registration through a link")
        verbose_name_plural = _("registrations through links")


# ---------------------------------------------------------------------------------------------------------
# 企业百科 and 报备


class Enterprise(models.Model):
    name = models.CharField(_("enterprise name"), max_length=200, db_index=True)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    industry = models.CharField(_("industry"), max_length=64, blank=True)
    region = models.CharField(_("region"), max_length=64, blank=True)
    size = models.CharField(_("enterprise size"), max_length=10, choices=EnterpriseSize.choices, blank=True)
    registered_capital = models.DecimalField(_("registered capital (10,000 CNY)"), null=True, blank=True, **MONEY)
    legal_representative = models.CharField(_("legal representative"), max_length=64, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=EnterpriseStatus.choices,
                              default=EnterpriseStatus.OPERATING)
    established_on = models.DateField(_("established on"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprise directory")

    def __str__(self):
        return self.name


class Report(models.Model):
    """报备客户: the partner claims a prospect for `protected_until`."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="reports")
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="reports")
    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    contact_name = models.CharField(_("contact"), max_length=64, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=32, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.ACTIVE)
    protected_until = models.DateTimeField(_("protected until"))
    created_by = models.ForeignKey(Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("reported at"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise"], condition=Q(status=ReportStatus.ACTIVE),
                                    name="report_one_active_per_enterprise"),
        ]
        indexes = [
            models.Index(fields=["partner", "-id"], name="report_partner"),
            models.Index(fields=["protected_until"], condition=Q(status=ReportStatus.ACTIVE), name="report_due"),
        ]
        verbose_name = _("report")
        verbose_name_plural = _("reports")


# ---------------------------------------------------------------------------------------------------------
# 线索管理


class ExpansionProfile(models.Model):
    """What operators set about a partner's expansion: 营销计划2.0 (contacts masked, 外呼 instead)."""

    partner = models.OneToOneField(Partner, on_delete=models.CASCADE, related_name="expansion_profile")
    marketing_plan_v2 = models.BooleanField(_("in marketing plan 2.0"), default=False)

    class Meta:
        verbose_name = _("expansion profile")
        verbose_name_plural = _("expansion profiles")


class Lead(models.Model):
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="leads")
    source = models.CharField(_("source"), max_length=12, choices=LeadSource.choices)
    company_name = models.CharField(_("company"), max_length=200)
    enterprise = models.ForeignKey(Enterprise, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    contact_name = models.CharField(_("contact"), max_length=64, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    region = models.CharField(_("region"), max_length=64, blank=True)
    industry = models.CharField(_("industry"), max_length=64, blank=True)
    requirement = models.TextField(_("customer requirement"), max_length=2000, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=LeadStatus.choices, default=LeadStatus.NEW)
    owner = models.ForeignKey(Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="leads",
                              verbose_name=_("owner"))
    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                 verbose_name=_("converted to customer"))
    opportunity = models.ForeignKey("Opportunity", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("converted to opportunity"))
    created_by = models.CharField(_("created by"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["partner", "status", "-id"], name="lead_partner_status")]
        verbose_name = _("lead")
        verbose_name_plural = _("leads")

    def __str__(self):
        return self.company_name


class FollowUp(models.Model):
    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="follow_ups")
    method = models.CharField(_("follow-up method"), max_length=8, choices=FollowUpMethod.choices)
    note = models.CharField(_("note"), max_length=1000)
    next_at = models.DateTimeField(_("next follow-up"), null=True, blank=True)
    created_by = models.CharField(_("by"), max_length=150)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")


class Call(models.Model):
    """外呼: a call placed to a lead's contact through the call backend (expansion/calls.py)."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="calls")
    member = models.ForeignKey(Member, null=True, on_delete=models.SET_NULL, related_name="+")
    backend = models.CharField(max_length=64)
    reference = models.CharField(_("call ID"), max_length=64, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=CallOutcome.choices)
    duration_seconds = models.PositiveIntegerField(_("duration (s)"), default=0)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("outbound call")
        verbose_name_plural = _("outbound calls")


# ---------------------------------------------------------------------------------------------------------
# 机会点: HO and PO


class Opportunity(models.Model):
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="opportunities")
    origin = models.CharField(_("origin"), max_length=2, choices=Origin.choices)
    name = models.CharField(_("opportunity"), max_length=200)
    customer_name = models.CharField(_("customer"), max_length=200)
    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                 verbose_name=_("customer account"))
    enterprise = models.ForeignKey(Enterprise, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    contact_name = models.CharField(_("contact"), max_length=64, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=32, blank=True)
    product = models.CharField(_("products and services"), max_length=200, blank=True)
    stage = models.CharField(_("stage"), max_length=12, choices=OpportunityStage.choices,
                             default=OpportunityStage.DISCOVERY)
    amount = models.DecimalField(_("estimated amount"), null=True, blank=True, **MONEY)
    expected_close = models.DateField(_("expected close"), null=True, blank=True)
    notes = models.TextField(_("notes"), max_length=4000, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=OpportunityStatus.choices,
                              default=OpportunityStatus.PENDING)
    shared_at = models.DateTimeField(_("shared / registered at"), default=timezone.now)
    deadline = models.DateTimeField(_("accept by"), null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.CharField(_("decided by"), max_length=150, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    created_by = models.CharField(_("created by"), max_length=150, blank=True)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__isnull=True) | Q(amount__gte=0), name="opportunity_amount_gte_0"),
            models.CheckConstraint(condition=~Q(origin=Origin.HO, status=OpportunityStatus.PENDING)
                                   | Q(deadline__isnull=False), name="opportunity_pending_ho_has_deadline"),
        ]
        indexes = [
            models.Index(fields=["partner", "origin", "status", "-id"], name="opportunity_partner"),
            models.Index(fields=["deadline"], condition=Q(origin=Origin.HO, status=OpportunityStatus.PENDING),
                         name="opportunity_ho_due"),
        ]
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")

    def __str__(self):
        return self.name


class Collaborator(models.Model):
    """Who works an accepted opportunity, from either side (信息协同、联合销售)."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="collaborators")
    side = models.CharField(_("side"), max_length=8, choices=Side.choices)
    member = models.ForeignKey(Member, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=64)
    role = models.CharField(_("role"), max_length=64, blank=True)
    contact = models.CharField(_("contact"), max_length=128, blank=True)

    class Meta:
        ordering = ["side", "id"]
        verbose_name = _("collaborator")
        verbose_name_plural = _("collaborators")


class OpportunityUpdate(models.Model):
    """机会点更新: one change from either side — what changed (field: [old, new]) and a note."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="updates")
    side = models.CharField(_("side"), max_length=8, choices=Side.choices)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    note = models.CharField(_("note"), max_length=1000, blank=True)
    created_by = models.CharField(_("by"), max_length=150)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("opportunity update")
        verbose_name_plural = _("opportunity updates")


# ---------------------------------------------------------------------------------------------------------
# 营销任务 › 销售拓展任务, and 委托


class SalesTask(models.Model):
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="sales_tasks")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="sales_tasks")
    kind = models.CharField(_("task type"), max_length=10, choices=TaskKind.choices)
    title = models.CharField(_("task"), max_length=200)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    due_date = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=12, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    result = models.CharField(_("result"), max_length=500, blank=True)
    created_by = models.CharField(_("assigned by"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("assigned at"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["due_date", "id"]
        indexes = [models.Index(fields=["partner", "status", "due_date"], name="sales_task_partner")]
        verbose_name = _("sales task")
        verbose_name_plural = _("sales tasks")

    def __str__(self):
        return self.title


class TaskProgress(models.Model):
    task = models.ForeignKey(SalesTask, on_delete=models.CASCADE, related_name="progress")
    note = models.CharField(_("progress"), max_length=1000)
    created_by = models.CharField(_("by"), max_length=150)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("task progress")
        verbose_name_plural = _("task progress")


class Entrustment(models.Model):
    """销售拓展任务委托: a cloud reseller opens its customers' contacts and sales tasks to its distributor,
    and may cancel at any time."""

    reseller = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="entrustments")
    distributor = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="entrusted")
    status = models.CharField(_("status"), max_length=10, choices=EntrustmentStatus.choices,
                              default=EntrustmentStatus.ACTIVE)
    created_by = models.CharField(_("by"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("entrusted at"), default=timezone.now)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["reseller"], condition=Q(status=EntrustmentStatus.ACTIVE),
                                    name="entrustment_one_active_per_reseller"),
        ]
        verbose_name = _("entrustment")
        verbose_name_plural = _("entrustments")

    def __str__(self):
        return f"{self.reseller} → {self.distributor}"


__all__ = [
    "InvitationLink", "LinkRegistration", "Enterprise", "Report", "ExpansionProfile", "Lead", "FollowUp", "Call",
    "Opportunity", "Collaborator", "OpportunityUpdate", "SalesTask", "TaskProgress", "Entrustment",
]
