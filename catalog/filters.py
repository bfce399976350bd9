"""FilterSets of the catalogue's lists (ARCHITECTURE.md rule 7), applied by the CBC endpoints with
`from_wire`: the wire's field names map to the filters here."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from partnercenter.filters import ListFilterSet

from .choices import ChargeMode
from .models import Conversion, Product, ResourceType, ServiceType, UsageType

__all__ = ["ServiceTypeFilter", "ResourceTypeFilter", "UsageTypeFilter", "ConversionFilter", "ResourceSpecFilter"]


class ServiceTypeFilter(ListFilterSet):
    """GET /v2/products/service-types: `service_type_name` matches anywhere in the Chinese or English name."""

    service_type_name = django_filters.CharFilter(label=_("Service type name"), method="by_name", max_length=128)

    class Meta:
        model = ServiceType
        fields = []

    def by_name(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(name_en__icontains=value)) if value else queryset


class ResourceTypeFilter(ListFilterSet):
    """GET /v2/products/resource-types and /v2/products/service-resources (by `service_type_code`)."""

    service_type_code = django_filters.CharFilter(label=_("Service type"), field_name="service_type__code",
                                                  max_length=64)

    class Meta:
        model = ResourceType
        fields = []


class UsageTypeFilter(ListFilterSet):
    """GET /v2/products/usage-types (the view makes an empty `resource_type_code` match nothing, as Huawei's
    documentation says; from_wire takes an empty value for no filter)."""

    resource_type_code = django_filters.CharFilter(label=_("Resource type"), field_name="resource_type__code",
                                                   max_length=64)

    class Meta:
        model = UsageType
        fields = []


class ConversionFilter(ListFilterSet):
    """GET /v2/bases/conversions."""

    measure_type = django_filters.NumberFilter(label=_("Measure type"), field_name="measure_type")

    class Meta:
        model = Conversion
        fields = []


class ResourceSpecFilter(ListFilterSet):
    """POST /v2/products/resource-specs-query: the service type, resource type, region and charging mode
    (all required by the serializer), a RESOURCE_SPEC filter (anywhere in the spec code), and the marker
    (the last spec of the previous page)."""

    cloud_service_type = django_filters.CharFilter(field_name="service_type__code", max_length=64)
    resource_type = django_filters.CharFilter(field_name="resource_type__code", max_length=64)
    region_code = django_filters.CharFilter(field_name="region__code", max_length=32)
    charge_mode = django_filters.TypedChoiceFilter(choices=ChargeMode.choices, coerce=int)
    resource_spec = django_filters.CharFilter(label=_("Resource spec"), lookup_expr="icontains", max_length=64)
    after = django_filters.CharFilter(field_name="resource_spec", lookup_expr="gt", max_length=256)

    wire = {"marker": "after"}

    class Meta:
        model = Product
        fields = []
