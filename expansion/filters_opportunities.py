"""The filters of 机会点 — one FilterSet shared by the list page, its export and `GET /v1/opportunities`."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from partnercenter.filters import ALL, ListFilterSet, MomentFilter

from .choices import OpportunityStage, OpportunityStatus, Origin
from .models import Opportunity

__all__ = ["OpportunityFilter"]


class OpportunityFilter(ListFilterSet):
    """`origin` is the page's HO/PO tab (a filter on the API); the rest is the page's filter bar."""

    origin = django_filters.ChoiceFilter(label=_("Origin"), choices=Origin.choices, empty_label=ALL)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=OpportunityStatus.choices, empty_label=ALL)
    stage = django_filters.ChoiceFilter(label=_("Stage"), choices=OpportunityStage.choices, empty_label=ALL)
    search = django_filters.CharFilter(label=_("Opportunity or customer"), method="filter_search", max_length=64)
    shared_from = MomentFilter(label=_("Shared / registered from"), field_name="shared_at")
    shared_to = MomentFilter(label=_("Shared / registered to"), field_name="shared_at", end=True)

    page_filters = ("status", "stage", "search", "shared_from", "shared_to")

    class Meta:
        model = Opportunity
        fields = []

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(customer_name__icontains=value))
