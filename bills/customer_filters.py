"""The filters of the customer's own bill lists — one FilterSet per list, shared by its fee-center page, its
export and its CBC endpoint (see partnercenter/filters.py). The querysets they narrow come from
bills.customer_selectors, already scoped to the customer.

A fee record's *bill date* is the Asia/Shanghai day it was consumed: the start of the usage window for
pay-per-use, the payment (deduction) time otherwise (customer_selectors.CONSUMED_AT).

Huawei's endpoints differ on an empty string: for some parameters ("携带值为空串时，作为筛选条件") it
asks for the rows whose field is empty, for the others it is no filter. `from_wire(…, empty_matches=…)`
names the parameters of the first kind for one endpoint.
"""

from datetime import datetime, time, timedelta

import django_filters
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from catalog.choices import ChargeMode
from partnercenter.filters import ALL, ListFilterSet, MomentFilter
from partnercenter.widgets import DatePicker

from .choices import FeeStatus, PackageStatus
from .filters import BILL_DETAIL_TYPES
from .models import FeeRecord, PackageUse, ResourcePackage, UsageRecord
from .periods import SHANGHAI

__all__ = ["FeeRecordFilter", "ResourceRecordFilter", "PackageFilter", "PackageUseFilter", "UsageRecordFilter",
           "WIRE_BILL_TYPES", "WIRE_CHARGING_MODES", "DEFAULT_PROJECT", "day_bounds"]

# The values Huawei documents for bill_type and charging_mode (we issue a subset; the others match nothing).
WIRE_BILL_TYPES = (1, 2, 3, 4, 5, 8, 9, 14, 16, 18, 20, 23, 24, 25, 103)
WIRE_CHARGING_MODES = (1, 3, 10, 11)
# No enterprise projects here: everything is in the default one ("0"); any other project has nothing.
DEFAULT_PROJECT = "0"
# Fee status 3 (未出账, not billed yet) is documented; no record of ours is in it.
NOT_BILLED = 3


def _typed(label, choices, **kwargs):
    return django_filters.TypedChoiceFilter(label=label, coerce=int, empty_value=None,
                                            choices=[("", ALL), *choices], **kwargs)


def day_bounds(first, last) -> tuple[datetime, datetime]:
    """[start of `first`, start of the day after `last`) in Asia/Shanghai."""
    return (datetime.combine(first, time.min, tzinfo=SHANGHAI),
            datetime.combine(last + timedelta(days=1), time.min, tzinfo=SHANGHAI))


def _bill_type_choices():
    known = dict(BILL_DETAIL_TYPES)  # every documented type named, as on the partner's pages
    return [(value, known.get(value, str(value))) for value in WIRE_BILL_TYPES]


# The documented charging modes we sell nothing in: named all the same (a filter on them finds nothing).
_OTHER_MODES = {10: _("reserved instance"), 11: _("savings plan")}


def _charging_mode_choices():
    return [(mode, ChargeMode(mode).label if mode in ChargeMode.values else _OTHER_MODES.get(mode, str(mode)))
            for mode in WIRE_CHARGING_MODES]


def _not_blank(value):
    return value not in (None, "", [])


# What an empty string asks for, per filter: the rows whose field is empty.
_EMPTY = {
    "service_type_code": Q(pk__in=[]),  # every fee record has a service type
    "resource_type_code": Q(resource_type__isnull=True),
    "region_code": Q(region__isnull=True),
    "resource_id": Q(resource_id=""),
    "trade_id": Q(trade_id=""),
    "enterprise_project_id": Q(pk__in=[]),
}


class FeeRecordFilter(ListFilterSet):
    """费用中心 ▸ 账单 ▸ 流水 (fee records), its exports and `GET /v2/bills/customer-bills/fee-records`. The
    billing cycle is the page's picker and the endpoint's required parameter, applied by the view."""

    service_type_code = django_filters.CharFilter(label=_("Service type"), field_name="service_type__code",
                                                  max_length=64)
    resource_type_code = django_filters.CharFilter(label=_("Resource type"), field_name="resource_type__code",
                                                   max_length=64)
    region_code = django_filters.CharFilter(label=_("Region"), field_name="region__code", max_length=32)
    charging_mode = _typed(_("Billing mode"), _charging_mode_choices())
    bill_type = _typed(_("Bill type"), _bill_type_choices())
    status = django_filters.TypedChoiceFilter(label=_("Payment status"), coerce=int, empty_value=None,
                                              choices=[("", ALL), *FeeStatus.choices, (NOT_BILLED, _("not billed"))])
    trade_id = django_filters.CharFilter(label=_("Order or transaction ID"), max_length=64)
    resource_id = django_filters.CharFilter(label=_("Resource ID"), max_length=64)
    provider_type = django_filters.TypedChoiceFilter(coerce=int, empty_value=None, method="by_provider",
                                                     choices=[(1, "1"), (2, "2")])
    include_zero_record = django_filters.BooleanFilter(method="with_zero")
    enterprise_project_id = django_filters.CharFilter(method="in_project", max_length=64)
    bill_date_from = django_filters.DateFilter(label=_("From"), method="consumed_from",
                                               widget=DatePicker())
    bill_date_to = django_filters.DateFilter(label=_("To"), method="consumed_to",
                                             widget=DatePicker())

    page_filters = ("service_type_code", "charging_mode", "bill_type", "status", "resource_id", "trade_id",
                    "bill_date_from", "bill_date_to")
    wire = {"bill_date_begin": "bill_date_from", "bill_date_end": "bill_date_to"}

    class Meta:
        model = FeeRecord
        fields = []

    @classmethod
    def from_wire(cls, data, queryset, *, empty_matches=(), **kwargs):
        """As ListFilterSet.from_wire; a parameter of `empty_matches` sent as "" asks for the rows whose
        field is empty."""
        for name in empty_matches:
            if data.get(name) == "":
                queryset = queryset.filter(_EMPTY[cls.wire.get(name, name)])
        return super().from_wire(data, queryset, **kwargs)

    def by_provider(self, queryset, name, value):
        if value == 2:
            return queryset.filter(product__is_marketplace=True)
        if value == 1:
            return queryset.filter(Q(product__isnull=True) | Q(product__is_marketplace=False))
        return queryset

    def with_zero(self, queryset, name, value):
        return queryset.exclude(consume_amount=0) if value is False else queryset

    def in_project(self, queryset, name, value):
        return queryset if not _not_blank(value) or value == DEFAULT_PROJECT else queryset.none()

    def consumed_from(self, queryset, name, value):
        return queryset.filter(consumed_at__gte=day_bounds(value, value)[0]) if value else queryset

    def consumed_to(self, queryset, name, value):
        return queryset.filter(consumed_at__lt=day_bounds(value, value)[1]) if value else queryset


class ResourceRecordFilter(FeeRecordFilter):
    """费用中心 ▸ 账单 ▸ 资源消费 (by resource), `GET /v2/bills/customer-bills/res-fee-records` and
    `POST /v2/bills/customer-bills/res-records/query`: the same filters under those endpoints' names."""

    page_filters = ("service_type_code", "region_code", "charging_mode", "bill_type", "resource_id")
    wire = {"bill_date_begin": "bill_date_from", "bill_date_end": "bill_date_to",
            "cloud_service_type": "service_type_code", "resource_type": "resource_type_code", "region": "region_code",
            "charge_mode": "charging_mode", "res_instance_id": "resource_id"}


class PackageFilter(ListFilterSet):
    """费用中心 ▸ 资源包 and `POST /v3/payments/free-resources/query`. `status` is the package's status as of
    now (customer_selectors.packages_for annotates it)."""

    service_type_code_list = django_filters.Filter(method="in_service_types")
    region_code = django_filters.CharFilter(label=_("Region"), field_name="region__code", max_length=32)
    order_id = django_filters.CharFilter(label=_("Order ID"), max_length=64)
    product_id = django_filters.CharFilter(field_name="product__product_id", max_length=64)
    product_name = django_filters.CharFilter(label=_("Package name"), method="named", max_length=255)
    status = _typed(_("Status"), PackageStatus.choices, field_name="live_status")
    enterprise_project_id = django_filters.CharFilter(method="in_project", max_length=64)

    page_filters = ("product_name", "region_code", "status", "order_id")

    class Meta:
        model = ResourcePackage
        fields = []

    def in_service_types(self, queryset, name, value):
        codes = [str(code).lower() for code in value or () if str(code).strip()]
        if not codes:
            return queryset
        return queryset.annotate(service_code=Lower("product__service_type__code")).filter(service_code__in=codes)

    def named(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(Q(product__spec_name__icontains=value) | Q(product__spec_name_en__icontains=value))

    def in_project(self, queryset, name, value):
        return queryset if not _not_blank(value) or value == DEFAULT_PROJECT else queryset.none()


class PackageUseFilter(ListFilterSet):
    """费用中心 ▸ 资源包 ▸ 使用明细 and `GET /v2/bills/customer-bills/free-resources-usage-records`. The
    deduction dates are Asia/Shanghai days (the time zone of the pages)."""

    free_resource_id = django_filters.CharFilter(label=_("Package ID"), field_name="package__order_instance_id",
                                                 max_length=64)
    product_id = django_filters.CharFilter(field_name="package__product__product_id", max_length=64)
    resource_type_code = django_filters.CharFilter(field_name="fee_record__resource_type__code", max_length=64)
    deducted_from = MomentFilter(label=_("Deducted from"), field_name="deduct_time")
    deducted_to = MomentFilter(label=_("Deducted to"), field_name="deduct_time", end=True)

    page_filters = ("free_resource_id", "deducted_from", "deducted_to")
    wire = {"deduct_time_begin": "deducted_from", "deduct_time_end": "deducted_to"}

    class Meta:
        model = PackageUse
        fields = []


class UsageRecordFilter(ListFilterSet):
    """费用中心 ▸ 账单 ▸ 使用量明细 (the metering records, 资源详单, behind the fee records)."""

    service_type_code = django_filters.CharFilter(label=_("Service type"), max_length=64)
    resource_type_code = django_filters.CharFilter(label=_("Resource type"), max_length=64)
    usage_type_code = django_filters.CharFilter(label=_("Usage type"), max_length=64)
    region_code = django_filters.CharFilter(label=_("Region"), max_length=32)
    resource_id = django_filters.CharFilter(label=_("Resource ID"), max_length=64)

    class Meta:
        model = UsageRecord
        fields = []

