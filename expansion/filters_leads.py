"""The filter of the leads list, shared by 线索管理, its exports and `GET /v1/leads`.

`text` searches the company and the contact's name — never the phone or e-mail, which partners in marketing
plan 2.0 may not read (a search by digits would reveal them). `owner` picks a member on the page;
`owner_id` (a member's user name, as `account_manager_id` elsewhere) does the same on the wire."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from partnercenter.filters import ALL, ListFilterSet, MomentFilter
from partnercenter.models import Member

from . import selectors_leads
from .choices import LeadSource, LeadStatus
from .models import Lead

__all__ = ["LeadFilter"]


def _owners(request):
    actor = getattr(request, "actor", None)
    return selectors_leads.owners_for(actor) if actor is not None else Member.objects.none()


class LeadFilter(ListFilterSet):
    text = django_filters.CharFilter(label=_("Company or contact"), method="text_matches", max_length=100)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=LeadStatus.choices, empty_label=ALL)
    source = django_filters.ChoiceFilter(label=_("Source"), choices=LeadSource.choices, empty_label=ALL)
    owner = django_filters.ModelChoiceFilter(label=pgettext_lazy("lead", "Owner"), queryset=_owners, empty_label=ALL)
    owner_id = django_filters.CharFilter(field_name="owner__user__username", max_length=150)
    created_from = MomentFilter(label=_("Created from"), field_name="created_at")
    created_to = MomentFilter(label=_("Created to"), field_name="created_at", end=True)

    wire = {"created_begin": "created_from", "created_end": "created_to"}
    page_filters = ("text", "status", "source", "owner", "created_from", "created_to")

    class Meta:
        model = Lead
        fields = []

    def text_matches(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(company_name__icontains=value) | Q(contact_name__icontains=value))
