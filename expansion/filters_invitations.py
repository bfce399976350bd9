"""The FilterSet of the invitation links list (线下拓展), shared by its page (and any export or endpoint)."""

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from customers.choices import AssociationType
from partnercenter.filters import ALL, ListFilterSet

__all__ = ["InvitationLinkFilter", "LINK_STATES"]

LINK_STATES = (
    ("usable", pgettext_lazy("expansion status", "valid")),
    ("expired", pgettext_lazy("expansion status", "expired")),
    ("revoked", pgettext_lazy("expansion status", "revoked")),
)


class InvitationLinkFilter(ListFilterSet):
    name = django_filters.CharFilter(label=_("Name"), lookup_expr="icontains", max_length=64)
    association_type = django_filters.ChoiceFilter(label=_("Association type"), choices=AssociationType.choices,
                                                   empty_label=ALL)
    state = django_filters.ChoiceFilter(label=_("Status"), choices=LINK_STATES, empty_label=ALL, method="by_state")

    def by_state(self, queryset, name, value):
        now = timezone.now()
        if value == "usable":
            return queryset.filter(revoked_at__isnull=True, valid_until__gt=now)
        if value == "expired":
            return queryset.filter(revoked_at__isnull=True, valid_until__lte=now)
        if value == "revoked":
            return queryset.filter(~Q(revoked_at=None))
        return queryset
