"""The filters of the directory area's lists (see partnercenter/filters.py): the 企业百科 search and
报备客户 › 我的报备."""

import django_filters
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from partnercenter.filters import ALL, ListFilterSet, MomentFilter

from .choices import EnterpriseStatus, ReportStatus
from .models import Enterprise, Report
from .selectors_directory import MAX_QUERY, effective_status_q, matching

__all__ = ["EnterpriseFilter", "ReportFilter"]


class EnterpriseFilter(ListFilterSet):
    """企业百科: `q` is the search (selectors_directory.matching: no query, no rows); the others narrow it."""

    # no max_length: a longer query is cut to MAX_QUERY characters (selectors_directory.normalize_query), never
    # dropped as invalid, which would leave the whole directory unfiltered
    q = django_filters.CharFilter(label=_("Enterprise name or credit code"), method="searched")
    region = django_filters.CharFilter(label=_("Region"), lookup_expr="startswith", max_length=64)
    status = django_filters.ChoiceFilter(label=pgettext_lazy("enterprise", "Status"),
                                         choices=EnterpriseStatus.choices, empty_label=ALL)

    class Meta:
        model = Enterprise
        fields = []

    def searched(self, queryset, name, value):
        return matching(queryset, value)


class ReportFilter(ListFilterSet):
    """我的报备: an ACTIVE report past its protected_until counts as expired (selectors_directory)."""

    enterprise = django_filters.CharFilter(label=_("Enterprise name"), field_name="enterprise__name",
                                           lookup_expr="icontains", max_length=MAX_QUERY)
    status = django_filters.ChoiceFilter(label=pgettext_lazy("report", "Status"), choices=ReportStatus.choices,
                                         method="in_status", empty_label=ALL)
    reported_from = MomentFilter(label=_("Reported from"), field_name="created_at")
    reported_to = MomentFilter(label=_("Reported to"), field_name="created_at", end=True)

    class Meta:
        model = Report
        fields = []

    def in_status(self, queryset, name, value):
        return queryset.filter(effective_status_q(value)) if value else queryset
