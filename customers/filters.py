"""The filters of the customers lists — one FilterSet per list, shared by the page, its export and
its CBC endpoint (see partnercenter/filters.py)."""

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from partnercenter.filters import ALL, ListFilterSet, MomentFilter, ValuesFilter, grouped
from partnercenter.models import Member
from partnercenter.selectors import account_managers_for

from .choices import AssociationType, EventInitiator, EventKind, EventStatus, OpsStatus
from .models import AssociationEvent, Customer, OpsAuthorization, Resource

__all__ = ["CustomerFilter", "EventFilter", "ResourceFilter"]


def _managers(request):
    actor = getattr(request, "actor", None)  # an endpoint's FilterSet has no page request: no manager to choose
    return account_managers_for(actor) if actor is not None else Member.objects.none()


class CustomerFilter(ListFilterSet):
    """我的客户 and `POST /v2/partners/sub-customers/query` (plus the account manager on the page)."""

    account_name = django_filters.CharFilter(label=_("Account name"), field_name="domain_name",
                                             lookup_expr="icontains", max_length=64)
    real_name = django_filters.CharFilter(label=_("Real-name name"), lookup_expr="icontains", max_length=128)
    customer_id = django_filters.CharFilter(label=_("Account ID"), field_name="domain_id", max_length=64)
    # Conditions on the association match the same, active, row (one filter() call).
    label = grouped(django_filters.CharFilter(label=_("Label"), field_name="associations__label",
                                              lookup_expr="contains", max_length=64), "association")
    association_type = grouped(django_filters.ChoiceFilter(
        label=_("Association type"), field_name="associations__association_type", lookup_expr="exact",
        choices=AssociationType.choices, empty_label=ALL), "association")
    associated_from = grouped(MomentFilter(label=_("Associated from"), field_name="associations__associated_on"),
                              "association")
    associated_to = grouped(MomentFilter(label=_("Associated to"), field_name="associations__associated_on",
                                         end=True), "association")
    account_manager = grouped(django_filters.ModelChoiceFilter(
        label=_("Account manager"), field_name="associations__account_manager", lookup_expr="exact",
        queryset=_managers, empty_label=ALL), "association")
    # The home page's "delegated-operations requests waiting" links here (customers/dashboard.py).
    ops = django_filters.ChoiceFilter(
        label=_("Delegated operations"), method="ops_matches", empty_label=ALL,
        choices=[(OpsStatus.PENDING, OpsStatus.PENDING.label), (OpsStatus.AUTHORIZED, OpsStatus.AUTHORIZED.label)])

    wire = {"customer": "real_name", "associated_on_begin": "associated_from", "associated_on_end": "associated_to"}

    class Meta:
        model = Customer
        fields = []

    def group_conditions(self, group):
        return {"associations__ended_on__isnull": True}

    def ops_matches(self, queryset, name, value):
        """Customers whose delegated-operations authorization with the partner they are associated with
        now is in this state (served by the partial unique index of open authorizations)."""
        return queryset.filter(Exists(OpsAuthorization.objects.filter(
            customer_id=OuterRef("pk"), status=value, partner__associations__customer_id=OuterRef("pk"),
            partner__associations__ended_on__isnull=True)))


class EventFilter(ListFilterSet):
    """关联关系操作记录."""

    customer = django_filters.CharFilter(label=_("Customer"), method="customer_matches", max_length=64)
    kind = django_filters.ChoiceFilter(label=_("Event"), choices=EventKind.choices, empty_label=ALL)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=EventStatus.choices, empty_label=ALL)
    initiator = django_filters.ChoiceFilter(label=_("Initiated by"), choices=EventInitiator.choices, empty_label=ALL)
    created_from = MomentFilter(label=_("From"), field_name="created_at")
    created_to = MomentFilter(label=_("To"), field_name="created_at", end=True)

    class Meta:
        model = AssociationEvent
        fields = []

    def customer_matches(self, queryset, name, value):
        return queryset.filter(Q(customer__domain_name__icontains=value) | Q(customer__real_name__icontains=value)
                               | Q(customer__domain_id=value))


class ResourceFilter(ListFilterSet):
    """A customer's resources (page) and the two CBC resource queries."""

    region_code = django_filters.CharFilter(label=_("Region"), max_length=32)
    service_type_code = django_filters.CharFilter(label=_("Service type"), max_length=64)
    resource_id = django_filters.CharFilter(label=_("Resource ID"), max_length=64)
    resource_ids = ValuesFilter(field_name="resource_id")
    status = django_filters.TypedChoiceFilter(label=_("Status"), coerce=int, empty_value=None, choices=())
    status_list = ValuesFilter(field_name="status")
    effective_from = MomentFilter(field_name="effective_time")
    effective_to = MomentFilter(field_name="effective_time", end=True)
    expire_from = MomentFilter(field_name="expire_time")
    expire_to = MomentFilter(field_name="expire_time", end=True)
    order_id = django_filters.CharFilter()
    only_main_resource = django_filters.BooleanFilter(field_name="is_main_resource", method="main_only")

    class Meta:
        model = Resource
        fields = []

    page_filters = ("region_code", "service_type_code", "resource_id", "status")
    wire = {"effective_time_begin": "effective_from", "effective_time_end": "effective_to",
            "expire_time_begin": "expire_from", "expire_time_end": "expire_to"}

    def __init__(self, *args, statuses=(), **kwargs):
        super().__init__(*args, **kwargs)
        if "status" in self.filters:
            self.filters["status"].extra["choices"] = [("", ALL), *statuses]

    def main_only(self, queryset, name, value):
        """Only main resources — unless resources are named by id (Huawei: the flag does not apply then)."""
        if not value or self.form.cleaned_data.get("resource_ids"):
            return queryset
        return queryset.filter(is_main_resource=True)
