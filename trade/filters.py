"""The filters of the order list — one FilterSet shared by 订单管理 (page and Excel export) and
`GET /v2/orders/customer-orders` (see partnercenter/filters.py)."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from partnercenter.filters import ALL, ListFilterSet, MomentFilter

from .choices import OrderStatus, OrderType
from .models import Order

__all__ = ["OrderFilterSet", "ORDER_BY", "one_year_after"]


def one_year_after(moment):
    """The same moment a calendar year later (29 February → 1 March): Huawei's 间隔不能超过1年."""
    try:
        return moment.replace(year=moment.year + 1)
    except ValueError:
        return moment.replace(year=moment.year + 1, month=3, day=1)

# order_by on the wire (大小写不敏感) → the ordering; `id` breaks ties so pages never overlap. The index
# order_partner_created (or order_customer_created) serves both directions.
ORDER_BY = {
    "createtime": ("create_time", "id"),
    "-createtime": ("-create_time", "-id"),
}

# The time ranges the form checks: (begin, end) filter names.
_RANGES = (("create_time_begin", "create_time_end"), ("payment_time_begin", "payment_time_end"))


def _service_type_choices():
    from catalog.models import ServiceType

    return [(code, f"{name} ({code})") for code, name in ServiceType.objects.values_list("code", "name")]


class OrderFilterForm(forms.Form):
    """A time range may span a year at most (its end may not come before its beginning either)."""

    def clean(self):
        cleaned = super().clean()
        for begin_name, end_name in _RANGES:
            begin, end = cleaned.get(begin_name), cleaned.get(end_name)
            if begin is None or end is None:
                continue
            if end < begin:
                self.add_error(end_name, _("The end of the time range is before its beginning."))
            elif end > one_year_after(begin):
                self.add_error(end_name, _("The time range may span one year at most."))
        return cleaned


class OrderFilterSet(ListFilterSet):
    """订单管理 and `GET /v2/orders/customer-orders`.

    The API names the filters as Huawei does (order_id, customer_id, create_time_begin … order_by); its
    status, order type and service type take any value Huawei documents (one no order has — 待审核,
    试用 … — matches none), the page offers ours in selects."""

    order_id = django_filters.CharFilter(label=_("Order ID"), method="order_id_matches", max_length=64)
    customer_id = django_filters.CharFilter(label=_("Customer account ID"), field_name="customer__domain_id",
                                            max_length=64)
    service_type = django_filters.ChoiceFilter(label=_("Service type"), field_name="service_type__code",
                                               choices=_service_type_choices, empty_label=ALL)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=OrderStatus.choices, empty_label=ALL)
    order_type = django_filters.ChoiceFilter(label=_("Order type"), choices=OrderType.choices, empty_label=ALL)
    create_time_begin = MomentFilter(label=_("Created from"), field_name="create_time")
    create_time_end = MomentFilter(label=_("Created to"), field_name="create_time", end=True)
    payment_time_begin = MomentFilter(label=_("Paid from"), field_name="payment_time")
    payment_time_end = MomentFilter(label=_("Paid to"), field_name="payment_time", end=True)
    # The API's: any documented value, and the order of the rows.
    any_service_type = django_filters.CharFilter(method="service_type_matches", max_length=64)
    any_status = django_filters.NumberFilter(field_name="status")
    any_order_type = django_filters.NumberFilter(field_name="order_type")
    order_by = django_filters.ChoiceFilter(choices=[(key, key) for key in ORDER_BY], method="ordered")

    page_filters = ("order_id", "customer_id", "service_type", "status", "order_type", "create_time_begin",
                    "create_time_end", "payment_time_begin", "payment_time_end")
    wire = {"service_type_code": "any_service_type", "status": "any_status", "order_type": "any_order_type"}

    class Meta:
        model = Order
        fields = []
        form = OrderFilterForm

    def order_id_matches(self, queryset, name, value):
        # Huawei: 大小写不敏感. Order ids are upper case; both spellings go through the unique index.
        return queryset.filter(order_id__in={value, value.upper()})

    def service_type_matches(self, queryset, name, value):
        # Huawei: 大小写不敏感. Service type codes are lower case (hws.service.type.ec2).
        return queryset.filter(service_type__code__in={value, value.lower()})

    def ordered(self, queryset, name, value):
        return queryset.order_by(*ORDER_BY[value.lower()]) if value else queryset
