"""The filters of 激励明细 and 激励对账 › 激励汇总 — one FilterSet per list, shared by its page and its exports
(partnercenter/filters.py: a value the filter cannot use shows its error and filters nothing, the others
still apply).

- `DetailFilter`: the period (one of the offered months, or `all`; the page picks the latest period with
  statements when none is given, so a page sums one month unless asked for more), 计费模式, the customer (account ID,
  or a part of its name), the service type, the association type and the incentive (base, tier, first order).
- `StatementFilter`: 对账期次 typed in (`2026-03`, `202603`, `2026/03`, or a year `2026`), the status and the
  association type.
"""

import re

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from catalog import selectors as catalog_selectors
from catalog.choices import ChargeMode
from customers.choices import AssociationType
from partnercenter.filters import ALL, ListFilterSet

from .choices import IncentiveKind, StatementStatus
from .models import IncentiveDetail, IncentiveStatement
from .selectors_statements import cycle_choices

__all__ = ["DetailFilter", "StatementFilter", "CycleField", "parse_cycle", "ALL_PERIODS"]

_CYCLE = re.compile(r"(2[0-9]{3})(?:[-/.年]?(0?[1-9]|1[0-2])月?)?")


def parse_cycle(text) -> str | None:
    """A typed 对账期次 as "YYYY-MM" (or "YYYY" for a whole year); None if it is not one."""
    text = re.sub(r"\s+", "", str(text or ""))
    match = _CYCLE.fullmatch(text)
    if match is None:
        return None
    year, month = match.groups()
    return year if month is None else f"{year}-{int(month):02d}"


class CycleField(forms.CharField):
    """对账期次 typed in; cleaned to "YYYY-MM" or "YYYY"."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 16)
        kwargs.setdefault("widget", forms.TextInput(attrs={"placeholder": "YYYY-MM", "inputmode": "numeric",
                                                           "autocomplete": "off", "size": 10}))
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return ""
        cycle = parse_cycle(value)
        if cycle is None:
            raise forms.ValidationError(_("Enter a period as YYYY-MM, e.g. 2026-03."), code="invalid")
        return cycle


class CycleFilter(django_filters.Filter):
    field_class = CycleField

    def filter(self, qs, value):
        if not value:
            return qs
        if len(value) == 4:
            return qs.filter(bill_cycle__startswith=f"{value}-")
        return qs.filter(bill_cycle=value)


def _service_types():
    return sorted(((code, row.display_name) for code, row in catalog_selectors.service_type_names().items()),
                  key=lambda choice: str(choice[1]))


ALL_PERIODS = "all"


def _periods():
    return [(ALL_PERIODS, _("All periods"))] + [(cycle, cycle) for cycle in cycle_choices()]


class DetailFilter(ListFilterSet):
    """激励明细: which period, 计费模式, customer, service type, association type and incentive."""

    cycle = django_filters.ChoiceFilter(label=_("Period"), choices=_periods, empty_label=None, method="in_period")
    charging_mode = django_filters.ChoiceFilter(label=_("Billing mode"), choices=ChargeMode.choices, empty_label=ALL)
    customer = django_filters.CharFilter(label=_("Customer (account ID or name)"), method="customer_matches",
                                         max_length=64)
    service_type = django_filters.ChoiceFilter(label=_("Service type"), field_name="service_type__code",
                                               choices=_service_types, empty_label=ALL)
    association_type = django_filters.ChoiceFilter(label=_("Association type"), choices=AssociationType.choices,
                                                   empty_label=ALL)
    # (a tier incentive is a statement's, on its performance: no detail line is one)
    kind = django_filters.ChoiceFilter(label=_("Incentive"), empty_label=ALL, choices=[
        (kind.value, kind.label) for kind in IncentiveKind if kind != IncentiveKind.TIER])

    class Meta:
        model = IncentiveDetail
        fields = []

    def in_period(self, queryset, name, value):
        return queryset if value in ("", ALL_PERIODS) else queryset.filter(bill_cycle=value)

    def customer_matches(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(customer__domain_id=value) | Q(customer__domain_name__icontains=value)
                               | Q(customer__real_name__icontains=value))


class StatementFilter(ListFilterSet):
    """激励汇总: 对账期次 typed in (可输入"对账期次"直接进行查询), the status and the association type."""

    bill_cycle = CycleFilter(label=_("Reconciliation period"))
    status = django_filters.ChoiceFilter(label=_("Status"), choices=StatementStatus.choices, empty_label=ALL)
    association_type = django_filters.ChoiceFilter(label=_("Association type"), choices=AssociationType.choices,
                                                   empty_label=ALL)

    class Meta:
        model = IncentiveStatement
        fields = []
