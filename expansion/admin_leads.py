"""The operator screens of the leads area.

- Expansion profiles: 营销计划2.0 per partner (expansion.leads.set_marketing_plan, logged under the partner):
  its leads' phone and e-mail are masked for it and 外呼 is offered.
- Leads: every partner's leads, searchable, read-only with their follow-ups and calls; adding one dispatches
  it to the chosen partner (派发线索, expansion.leads.dispatch_lead: the partner must be active and is told).
  Leads are not changed or deleted here: they are the partner's to work.
"""

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.utils.translation import gettext_lazy as _

from partnercenter.actors import actor_for_user
from partnercenter.choices import PartnerStatus
from partnercenter.errors import DomainError
from partnercenter.models import Member, Partner

from . import leads
from .models import Call, ExpansionProfile, FollowUp, Lead


def _actor(request):
    return actor_for_user(request.user, ip=request.META.get("REMOTE_ADDR"))


class _AddOnly:
    """Save through a service; when it refuses, show why and stay on the add form."""

    def log_addition(self, request, obj, message):
        if obj.pk is not None:
            return super().log_addition(request, obj, message)

    def response_add(self, request, obj, post_url_continue=None):
        if obj.pk is None:
            return HttpResponseRedirect(request.path)
        return super().response_add(request, obj, post_url_continue)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ExpansionProfile)
class ExpansionProfileAdmin(_AddOnly, admin.ModelAdmin):
    list_display = ["partner", "marketing_plan_v2"]
    list_filter = ["marketing_plan_v2"]
    list_select_related = ["partner"]
    search_fields = ["partner__name", "partner__account_name", "partner__domain_id"]
    autocomplete_fields = ["partner"]
    fields = ["partner", "marketing_plan_v2"]

    def get_readonly_fields(self, request, obj=None):
        return ["partner"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        try:
            profile = leads.set_marketing_plan(_actor(request), partner=obj.partner,
                                               on=form.cleaned_data["marketing_plan_v2"])
        except DomainError as exc:
            self.message_user(request, str(exc.message), messages.ERROR)
        else:
            obj.pk = profile.pk


class DispatchForm(forms.ModelForm):
    """派发线索: the partner and what the lead says; the owner is optional (one of the partner's members). Both
    are picked by search (LeadAdmin.autocomplete_fields), never listed whole; only an active partner and an
    active member are accepted."""

    class Meta:
        model = Lead
        fields = ["partner", "company_name", "contact_name", "phone", "email", "region", "industry", "requirement",
                  "owner"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "partner" in self.fields:
            self.fields["partner"].queryset = Partner.objects.filter(status=PartnerStatus.ACTIVE).order_by("name")
        if "owner" in self.fields:
            self.fields["owner"].queryset = Member.objects.filter(user__is_active=True).select_related("user", "partner")
            self.fields["owner"].help_text = _("Optional: a member of the chosen partner.")

    def clean(self):
        data = super().clean()
        owner, partner = data.get("owner"), data.get("partner")
        if owner is not None and partner is not None and owner.partner_id != partner.pk:
            self.add_error("owner", _("The owner must be a member of the chosen partner."))
        return data


class FollowUpInline(admin.TabularInline):
    model = FollowUp
    extra = 0
    fields = ["created_at", "method", "note", "next_at", "created_by"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class CallInline(admin.TabularInline):
    model = Call
    extra = 0
    fields = ["created_at", "member", "backend", "reference", "outcome", "duration_seconds"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


READ_ONLY = ["partner", "source", "company_name", "contact_name", "phone", "email", "region", "industry",
             "requirement", "status", "owner", "customer", "opportunity", "created_by", "created_at", "updated_at"]


@admin.register(Lead)
class LeadAdmin(_AddOnly, admin.ModelAdmin):
    list_display = ["id", "company_name", "partner", "source", "status", "owner", "created_at"]
    list_filter = ["source", "status"]
    list_select_related = ["partner", "owner__user"]
    search_fields = ["company_name", "contact_name", "partner__name", "partner__account_name", "partner__domain_id"]
    # every partner's leads: no COUNT(*) of the whole table beside a search's, no date drill-down over it
    show_full_result_count = False
    autocomplete_fields = ["partner", "owner"]  # searched (PartnerAdmin, MemberAdmin), not whole tables
    form = DispatchForm

    def get_inlines(self, request, obj):
        return [FollowUpInline, CallInline] if obj is not None else []

    def get_fields(self, request, obj=None):
        return READ_ONLY if obj is not None else DispatchForm.Meta.fields

    def get_readonly_fields(self, request, obj=None):
        return READ_ONLY if obj is not None else []

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if change:
            return
        data = form.cleaned_data
        try:
            lead = leads.dispatch_lead(
                _actor(request), partner=data["partner"], company_name=data["company_name"],
                contact_name=data.get("contact_name", ""), phone=data.get("phone", ""),
                email=data.get("email", ""), region=data.get("region", ""), industry=data.get("industry", ""),
                requirement=data.get("requirement", ""), owner=data.get("owner"))
        except DomainError as exc:
            self.message_user(request, str(exc.message), messages.ERROR)
        else:
            obj.pk = lead.pk

    def save_related(self, request, form, formsets, change):
        pass  # no related rows are written from the admin
