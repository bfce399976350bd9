"""Operator screens: incentive policies (激励政策), with their service-type rules and tiers inline.

- Months: `valid_from` / `valid_until` are months; any day an operator picks is stored as the first of its month.
- At most one policy applies per partner, month and association type: an active policy may not share a month
  with another active one of the same programme (or another general one) and association type.
- A rule: 特定产品 (1) needs both rates; the other codes take none (非特定产品 earns the policy's general rates,
  无业绩无返点 and 有业绩无返点 earn no rebate). Rates are shares: 0.0350 is 3.5 %.
- Saving or deleting a policy marks the incentive run of every closed month in its validity — before and after
  the change — STALE (incentives.policies.policy_changed, logged): the next run replaces those months' drafts.
  A policy that statements name cannot be deleted (deactivate it, or end its validity).
"""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from partnercenter.actors import actor_for_user
from partnercenter.errors import MESSAGES

from . import policies
from .choices import PolicyCode
from .errors_policies import PolicyCodes
from .models import IncentivePolicy, PolicyServiceRule, PolicyTier

__all__ = ["IncentivePolicyAdmin", "PolicyForm", "RuleForm", "TierForm"]

RATE_HELP = _("A share: 0.0350 is 3.5 %.")
RATE_RANGE = _("A rate is a share from 0 up to 1 (0.0350 is 3.5 %).")


def _check_rates(form, data, names):
    for name in names:
        value = data.get(name)
        if value is not None and not 0 <= value < 1:
            form.add_error(name, RATE_RANGE)


def _actor(request):
    return actor_for_user(request.user, ip=request.META.get("REMOTE_ADDR"))


class PolicyForm(forms.ModelForm):
    class Meta:
        model = IncentivePolicy
        fields = ["code", "name", "program", "association_type", "valid_from", "valid_until", "period_rate",
                  "on_demand_rate", "first_order_rate", "description", "is_active"]
        help_texts = {"valid_from": _("A month: the day is ignored."),
                      "valid_until": _("A month, included; empty: until further notice."),
                      "period_rate": RATE_HELP, "on_demand_rate": RATE_HELP, "first_order_rate": RATE_HELP}

    def clean(self):
        data = super().clean()
        _check_rates(self, data, ("period_rate", "on_demand_rate", "first_order_rate"))
        start, end = data.get("valid_from"), data.get("valid_until")
        if start:
            data["valid_from"] = start = start.replace(day=1)
        if end:
            data["valid_until"] = end = end.replace(day=1)
        if start and end and end < start:
            self.add_error("valid_until", _("The last month cannot be before the first."))
        elif start and data.get("is_active") and data.get("association_type"):
            clash = policies.overlapping(program=data.get("program"), association_type=data["association_type"],
                                         valid_from=start, valid_until=end, exclude=self.instance.pk).first()
            if clash is not None:
                self.add_error(None, f"{MESSAGES[PolicyCodes.POLICY_OVERLAP]} ({clash.code})")
        return data


class RuleForm(forms.ModelForm):
    class Meta:
        model = PolicyServiceRule
        fields = ["service_type", "incentive_policy", "period_rate", "on_demand_rate"]

    def clean(self):
        data = super().clean()
        _check_rates(self, data, ("period_rate", "on_demand_rate"))
        code = data.get("incentive_policy")
        rates = (data.get("period_rate"), data.get("on_demand_rate"))
        if code == PolicyCode.SPECIFIC and None in rates:
            self.add_error(None, _("A specific product needs both rates."))
        elif code is not None and code != PolicyCode.SPECIFIC and any(rate is not None for rate in rates):
            self.add_error(None, _("Only a specific product has rates of its own: leave them empty."))
        return data


class RuleInline(admin.TabularInline):
    model = PolicyServiceRule
    form = RuleForm
    extra = 0
    autocomplete_fields = ["service_type"]


class TierForm(forms.ModelForm):
    class Meta:
        model = PolicyTier
        fields = ["min_performance", "extra_rate"]

    def clean(self):
        data = super().clean()
        _check_rates(self, data, ("extra_rate",))
        if data.get("min_performance") is not None and data["min_performance"] <= 0:
            self.add_error("min_performance", _("A tier starts above 0."))
        return data


class TierInline(admin.TabularInline):
    model = PolicyTier
    form = TierForm
    extra = 0


@admin.register(IncentivePolicy)
class IncentivePolicyAdmin(admin.ModelAdmin):
    form = PolicyForm
    list_display = ["code", "name", "program", "association_type", "valid_from", "valid_until", "period_rate",
                    "on_demand_rate", "first_order_rate", "is_active", "updated_at"]
    list_filter = ["association_type", "is_active", "program"]
    list_select_related = ["program"]
    search_fields = ["code", "name"]
    inlines = [RuleInline, TierInline]
    date_hierarchy = "valid_from"

    def save_model(self, request, obj, form, change):
        before = None
        if change:
            before = IncentivePolicy.objects.filter(pk=obj.pk).values_list("valid_from", "valid_until").first()
        request._incentive_policy_before = before
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)  # the rules and tiers first: then the months
        policies.policy_changed(_actor(request), form.instance,
                                before=getattr(request, "_incentive_policy_before", None))

    def delete_model(self, request, obj):
        span = (obj.valid_from, obj.valid_until)
        super().delete_model(request, obj)
        policies.policy_changed(_actor(request), obj, before=span, deleted=True)

    def delete_queryset(self, request, queryset):
        for policy in queryset:
            self.delete_model(request, policy)
