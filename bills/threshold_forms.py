"""Forms of the low-balance pages (bills:thresholds): the setting form (the partner's default, a customer's
own) and the list's FilterSet. Amounts go through the project's one parser (partnercenter.money.parse_amount),
so the page refuses exactly what the service refuses, as a form error under the field."""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from customers.models import Customer
from partnercenter.errors import DomainError
from partnercenter.filters import ListFilterSet
from partnercenter.money import parse_amount

from .choices import ZeroBalancePolicy

__all__ = ["ThresholdForm", "ThresholdFilter", "SHOW_BELOW", "SHOW_OWN", "SHOW_ALL"]

SHOW_BELOW, SHOW_OWN, SHOW_ALL = "below", "own", "all"


class MoneyOrZeroField(forms.CharField):
    """An amount in yuan, zero allowed, at most two decimals, never rounded."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 24)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return None
        if str(value).strip().startswith("-"):
            raise ValidationError(_("The amount may not be negative."), code="negative")
        try:
            return parse_amount(value, allow_zero=True)
        except DomainError as exc:
            raise ValidationError(str(exc.message), code=exc.code) from None


class ThresholdForm(forms.Form):
    threshold = MoneyOrZeroField(
        label=_("Low-balance threshold (CNY)"),
        help_text=_("The customer and its account manager are told once each time the balance falls below it. "
                    "0 turns the notice off."))
    zero_balance_policy = forms.ChoiceField(label=_("At zero balance"), choices=ZeroBalancePolicy.choices,
                                            widget=forms.RadioSelect)
    arrears_limit = MoneyOrZeroField(
        label=_("Arrears limit (CNY)"), required=False,
        help_text=_("How far consumption may run into arrears when it continues at zero balance."))

    def clean(self):
        data = super().clean()
        policy, limit = data.get("zero_balance_policy"), data.get("arrears_limit")
        if policy == ZeroBalancePolicy.ARREARS and limit is None and "arrears_limit" not in self.errors:
            self.add_error("arrears_limit", _("Give the arrears limit (0 for none)."))
        if policy == ZeroBalancePolicy.STOP_PURCHASES and limit:
            self.add_error("arrears_limit", _("No arrears are allowed when purchases stop at zero balance: "
                                              "leave the limit empty."))
        return data


class ThresholdFilter(ListFilterSet):
    """余额预警: which customers (below their threshold — the default —, with their own setting, or every
    resale customer) and the customer (account ID, account name or real name)."""

    show = django_filters.ChoiceFilter(
        label=_("Show"), empty_label=None, method="shown",
        choices=[(SHOW_BELOW, _("Below threshold")), (SHOW_OWN, _("With their own setting")),
                 (SHOW_ALL, _("All resale customers"))])
    customer = django_filters.CharFilter(label=_("Customer (account ID or name)"), method="customer_matches",
                                         max_length=64)

    class Meta:
        model = Customer
        fields = []

    def shown(self, queryset, name, value):
        if value == SHOW_OWN:
            return queryset.filter(own_threshold__isnull=False)
        if value == SHOW_ALL:
            return queryset
        return queryset.filter(threshold__isnull=False, balance__lt=F("threshold"))

    def customer_matches(self, queryset, name, value):
        return queryset.filter(Q(domain_id=value) | Q(domain_name__icontains=value) | Q(real_name__icontains=value))


def bind(query):
    """The page's query with the default choice (below threshold): the filter is always bound."""
    data = query.copy()
    if not data.get("show"):
        data["show"] = SHOW_BELOW
    return data


__all__ += ["bind"]
