"""The filters of 到期资源 (subscriptions:expiring) — one FilterSet shared by the page and its exports.

The list is the customers' main yearly/monthly resources that need a renewal soon: in use and expiring
within N days (7, 15, 30, 60 or 90; 30 when not chosen — an expiry already passed that the expiry run has
not moved on yet counts too), and those already in the grace period or the retention period (they are
lost unless renewed). Released resources are not listed (subscriptions.selectors.main_resources_for).
"""

from datetime import timedelta

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import npgettext_lazy

from catalog import selectors as catalog_selectors
from customers.choices import PeriodStatus
from customers.models import Resource
from partnercenter.filters import ALL, ListFilterSet, grouped
from partnercenter.models import Member
from partnercenter.selectors import account_managers_for

__all__ = ["ExpiringFilter", "WITHIN_DAYS", "DEFAULT_WITHIN", "STATES", "bind"]

WITHIN_DAYS = (7, 15, 30, 60, 90)
DEFAULT_WITHIN = 30
# The states the list shows: 正常 (expiring), 宽限期, 保留期.
STATES = (PeriodStatus.IN_USE, PeriodStatus.EXPIRED, PeriodStatus.FROZEN)
STATE_LABELS = {PeriodStatus.IN_USE: _("In use"), PeriodStatus.EXPIRED: _("Grace period"),
                PeriodStatus.FROZEN: _("Retention period (frozen)")}


def _service_types():
    return sorted(((code, row.display_name) for code, row in catalog_selectors.service_type_names().items()),
                  key=lambda choice: str(choice[1]))


def _managers(request):
    actor = getattr(request, "actor", None)
    return account_managers_for(actor) if actor is not None else Member.objects.none()


def bind(query):
    """The page's query with the default window (30 days) when none was chosen: the filter is always bound,
    so the page and its exports show the same rows."""
    data = query.copy()
    if not data.get("within"):
        data["within"] = str(DEFAULT_WITHIN)
    return data


class ExpiringFilter(ListFilterSet):
    """到期资源: the window (`within` days), the customer (account ID, account name or real name), the
    service type, the state, and — for a member who sees every customer — the account manager."""

    within = django_filters.ChoiceFilter(
        label=_("Expiring within"), empty_label=None, method="in_window",
        choices=[(n, npgettext_lazy("expiring within", "%(n)d day", "%(n)d days", "n") % {"n": n}) for n in WITHIN_DAYS])
    customer = django_filters.CharFilter(label=_("Customer (account ID or name)"), method="customer_matches",
                                         max_length=64)
    service_type = django_filters.ChoiceFilter(label=_("Service type"), field_name="service_type_code",
                                               choices=_service_types, empty_label=ALL)
    status = django_filters.ChoiceFilter(label=_("State"), empty_label=ALL,
                                              choices=[(s.value, STATE_LABELS[s]) for s in STATES])
    # The customer's active association's manager (one filter() call with its condition: grouped).
    account_manager = grouped(django_filters.ModelChoiceFilter(
        label=_("Account manager"), field_name="customer__associations__account_manager", lookup_expr="exact",
        queryset=_managers, empty_label=ALL), "association")

    class Meta:
        model = Resource
        fields = []

    def __init__(self, data=None, queryset=None, *, request=None, **kwargs):
        super().__init__(data, queryset, request=request, **kwargs)
        actor = getattr(request, "actor", None)
        if actor is None or not actor.sees_all_customers:  # an account manager's list is its own customers
            self.filters.pop("account_manager", None)

    def filter_queryset(self, queryset):
        # The window applies even when its field was refused (a value not offered): the default one.
        queryset = super().filter_queryset(queryset)
        if "within" in self.form.errors:
            queryset = self.in_window(queryset, "within", DEFAULT_WITHIN)
        return queryset.order_by("expire_time", "id")

    def in_window(self, queryset, name, value):
        until = timezone.now() + timedelta(days=int(value or DEFAULT_WITHIN))
        return queryset.filter(Q(status=PeriodStatus.IN_USE, expire_time__lte=until)
                               | Q(status__in=[PeriodStatus.EXPIRED, PeriodStatus.FROZEN]))

    def customer_matches(self, queryset, name, value):
        return queryset.filter(Q(customer__domain_id=value) | Q(customer__domain_name__icontains=value)
                               | Q(customer__real_name__icontains=value))

    def group_conditions(self, group):
        return {"customer__associations__ended_on__isnull": True}
