"""The notification list's filter bar (消息通知): read or unread, event type, time range."""

import django_filters
from django.utils.translation import gettext_lazy as _

from partnercenter.filters import ALL, ListFilterSet, MomentFilter

from . import selectors
from .models import Notification

__all__ = ["NotificationFilter"]

STATES = (("unread", _("Unread")), ("read", _("Read")))


class NotificationFilter(ListFilterSet):
    state = django_filters.ChoiceFilter(label=_("Status"), choices=STATES, method="filter_state",
                                       empty_label=ALL)
    type = django_filters.ChoiceFilter(label=_("Event type"), field_name="event__type", choices=(),
                                      empty_label=ALL)
    created_from = MomentFilter(label=_("From"), field_name="event__created_at")
    created_to = MomentFilter(label=_("To"), field_name="event__created_at", end=True)

    class Meta:
        model = Notification
        fields = []

    def __init__(self, data=None, queryset=None, *, request=None, **kwargs):
        super().__init__(data, queryset, request=request, **kwargs)
        actor = getattr(request, "actor", None)
        choices = [(t.code, str(t.label)) for t in selectors.types_for(actor)] if actor is not None else []
        self.filters["type"].extra["choices"] = sorted(choices, key=lambda choice: choice[1])

    def filter_state(self, queryset, name, value):
        if value == "unread":
            return queryset.filter(read_at__isnull=True)
        if value == "read":
            return queryset.filter(read_at__isnull=False)
        return queryset
