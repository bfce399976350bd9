"""Forms and list filters of 费用中心 ▸ 续费管理 / 退订管理 (subscriptions/fee_center_views.py).

The forms only parse what was typed; the services decide (a resource of someone else, a subordinate, a
released one are refused there). Resource ids travel in the POST body, never in a URL: a single one as
`resource`, several (a batch chosen with checkboxes) as repeated `resources`. Their choices (periods,
policies, reasons) are the documented values of the renew, autorenew, to-on-demand and unsubscribe
endpoints, so a page cannot ask for anything the API would not.
"""

from datetime import timedelta

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, ngettext, npgettext
from django.utils.translation import gettext_lazy as _

from catalog import selectors as catalog_selectors
from customers.choices import PeriodStatus
from customers.models import Resource
from partnercenter.filters import ALL, ListFilterSet
from partnercenter.pages import chosen_ids
from trade.forms import PERIODS, period_label

from .choices import SETTABLE_POLICIES, AutoRenewPeriod, ExpirePolicy, UnsubscribeReason, UnsubscribeType

__all__ = [
    "MAX_RENEW", "MAX_TO_ON_DEMAND", "ResourceIdsField", "ResourceForm", "RenewForm", "AutoRenewForm",
    "ExpiryForm", "ToOnDemandForm", "RenewConfigForm", "UnsubscribeForm", "RenewalFilter", "UnsubscribeFilter",
    "EXPIRY_CHOICES", "WITHIN_DAYS",
]

MAX_RENEW = 10          # renew: 最多10个资源ID
MAX_TO_ON_DEMAND = 100  # to-on-demand: 最多可设置100个资源ID
MAX_REASON = 500

# 到期后: what a customer picks for a resource that is not auto-renewed (auto-renew has its own form).
EXPIRY_CHOICES = [(ExpirePolicy.TO_ON_DEMAND.value, ExpirePolicy.TO_ON_DEMAND.label),
                  *[(policy.value, policy.label) for policy in SETTABLE_POLICIES]]
WITHIN_DAYS = (7, 15, 30, 60, 90)


class ResourceIdsField(forms.Field):
    """Resource ids posted as repeated values (checkboxes on the list, hidden inputs afterwards): trimmed,
    each once, at least one and at most `max_ids`."""

    widget = forms.MultipleHiddenInput
    hidden_widget = forms.MultipleHiddenInput

    def __init__(self, *, max_ids, **kwargs):
        self.max_ids = max_ids
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in (None, ""):
            return []
        return chosen_ids(value if isinstance(value, (list, tuple)) else [value])

    def validate(self, value):
        if not value:
            raise forms.ValidationError(_("Choose at least one resource."), code="required")
        if len(value) > self.max_ids:
            raise forms.ValidationError(ngettext(
                "Choose at most %(n)d resource at a time.", "Choose at most %(n)d resources at a time.", self.max_ids)
                % {"n": self.max_ids}, code="max")


def _resource_field():
    return forms.CharField(widget=forms.HiddenInput, max_length=64)


class ResourceForm(forms.Form):
    """One resource (cancel auto-renew, switch to pay-per-use now)."""

    resource = _resource_field()


class RenewForm(forms.Form):
    """续费: the chosen main resources (their subordinates follow them) for a number of months or years."""

    resources = ResourceIdsField(max_ids=MAX_RENEW)
    period = forms.ChoiceField(label=_("Renewal period"),
                               choices=lambda: [(f"{t}:{n}", period_label(t, n)) for t, n in PERIODS], initial="2:1")

    def chosen_period(self) -> tuple[int, int]:
        period_type, period_num = self.cleaned_data["period"].split(":")
        return int(period_type), int(period_num)


class AutoRenewForm(forms.Form):
    """开通 / 修改自动续费: each renewal one month or one year, a number of times (0: until cancelled)."""

    resource = _resource_field()
    period_type = forms.ChoiceField(label=_("Renewal period"), choices=AutoRenewPeriod.choices,
                                    initial=AutoRenewPeriod.MONTH, widget=forms.RadioSelect)
    times = forms.IntegerField(label=_("Number of renewals"), min_value=0, max_value=99, initial=0,
                               help_text=_("0: renew every time until auto-renew is cancelled."))


class ExpiryForm(forms.Form):
    """到期后: what happens to a resource that is not renewed."""

    resource = _resource_field()
    policy = forms.TypedChoiceField(label=_("At expiry"), choices=EXPIRY_CHOICES, coerce=int,
                                    widget=forms.RadioSelect)


class ToOnDemandForm(forms.Form):
    """到期转按需, set or cancelled for a batch of main resources."""

    resources = ResourceIdsField(max_ids=MAX_TO_ON_DEMAND)
    operation = forms.ChoiceField(choices=[("SET_UP", _("set")), ("CANCEL", _("cancel"))])


class RenewConfigForm(forms.Form):
    """续费设置: the auto-renew deduction day and the unified expiry day after a renewal (renew/config)."""

    deduction_days = forms.TypedChoiceField(
        label=_("Auto-renew deduction day"), coerce=int,
        choices=lambda: [(n, ngettext("%(n)d day before expiry", "%(n)d days before expiry", n) % {"n": n})
                         for n in range(2, 8)],
        help_text=_("Auto-renewals are paid from your balance this many days before the resource expires."))
    expire_day = forms.TypedChoiceField(
        label=_("Unified expiry day"), coerce=int, required=False, empty_value=None,
        choices=lambda: [("", gettext("Not set")),
                         *[(n, gettext("Day %(n)d of the month") % {"n": n}) for n in range(1, 29)],
                         (-1, gettext("Last day of the month"))],
        help_text=_("Renewed resources expire on this day of the month, so their expiry dates line up."))


class UnsubscribeForm(forms.Form):
    """退订: what is returned, and why (the reason types of the unsubscribe endpoint)."""

    resource = _resource_field()
    unsubscribe_type = forms.TypedChoiceField(label=_("Unsubscribe"), choices=UnsubscribeType.choices, coerce=int,
                                              initial=UnsubscribeType.RESOURCE, widget=forms.RadioSelect)
    reason_type = forms.TypedChoiceField(label=_("Reason"), coerce=int,
                                         choices=[("", "---------"), *UnsubscribeReason.choices])
    reason = forms.CharField(label=_("Tell us more"), max_length=MAX_REASON, required=False,
                             widget=forms.Textarea(attrs={"rows": 3}))


# ---------------------------------------------------------------------------------------------
# The filters of the two lists (main resources the customer sees, through subscriptions.selectors)
# ---------------------------------------------------------------------------------------------

def _service_types():
    return sorted(((code, row.display_name) for code, row in catalog_selectors.service_type_names().items()),
                  key=lambda choice: str(choice[1]))


def _name_or_id(queryset, name, value):
    return queryset.filter(Q(resource_name__icontains=value) | Q(resource_id__icontains=value)) if value else queryset


class _ResourceFilter(ListFilterSet):
    search = django_filters.CharFilter(label=_("Resource name or ID"), method=_name_or_id, max_length=64)
    service_type = django_filters.ChoiceFilter(label=_("Service type"), field_name="service_type_code",
                                               choices=_service_types, empty_label=ALL)

    class Meta:
        model = Resource
        fields = []


class RenewalFilter(_ResourceFilter):
    """续费管理: by service type, state, and expiring within N days (from now; expired ones are in the
    grace or retention state)."""

    status = django_filters.ChoiceFilter(
        label=_("Status"), empty_label=ALL,
        choices=[(s.value, s.label) for s in (PeriodStatus.IN_USE, PeriodStatus.EXPIRED, PeriodStatus.FROZEN)])
    within = django_filters.ChoiceFilter(
        label=_("Expiring within"), empty_label=ALL, method="expiring_within",
        choices=lambda: [(n, npgettext("expiring within", "%(n)d day", "%(n)d days", n) % {"n": n}) for n in WITHIN_DAYS])

    def expiring_within(self, queryset, name, value):
        if not value:
            return queryset
        now = timezone.now()
        return queryset.filter(expire_time__gte=now, expire_time__lte=now + timedelta(days=int(value)))


class UnsubscribeFilter(_ResourceFilter):
    """退订管理 ▸ the resources that can be returned."""
