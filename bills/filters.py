"""The filters of the partner's consumption lists — one FilterSet per list, shared by its page, its exports
and its CBC endpoint (partnercenter/filters.py explains `wire`, `wire_values` and `page_filters`).

- `ConsumptionFilter`: 客户消费 (a month's sums per customer, service type and charging mode) and
  `GET /v2/bills/partner-bills/subcustomer-bills/monthly-sum`. It filters the rows a month's sums are
  taken from (bills.selectors.cycle_rows: CustomerMonthlySum of a closed month, RunningSum of an open one —
  FeeRecord on SQLite),
  whose columns are named alike.
- `FeeRecordFilter`: a customer's fee records (客户消费 ▸ 明细) and
  `GET /v2/bills/subcustomer-bills/res-fee-records`.

The month itself (`cycle`) is chosen by the view before the rows are read (it picks the source); the
filter shows it on the page and keeps the page's exports on the same month.
"""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from catalog import selectors as catalog_selectors
from catalog.choices import ChargeMode
from customers.choices import AssociationType
from partnercenter.filters import ALL, ListFilterSet, MomentFilter

from .choices import BillSumType, BillType
from .models import FeeRecord

__all__ = ["ConsumptionFilter", "FeeRecordFilter", "BILL_DETAIL_TYPES", "bill_type_label", "cycle_labels",
           "STILL_ASSOCIATED", "LEFT"]

# Every bill type Huawei documents for a fee record (bill_detail_type); ours are a subset of them.
BILL_DETAIL_TYPES = [
    (BillType.NEW.value, BillType.NEW.label), (BillType.RENEW.value, BillType.RENEW.label),
    (BillType.CHANGE.value, BillType.CHANGE.label), (BillType.REFUND.value, BillType.REFUND.label),
    (BillType.USAGE.value, BillType.USAGE.label), (BillType.AUTO_RENEW.value, BillType.AUTO_RENEW.label),
    (BillType.COMPENSATION.value, BillType.COMPENSATION.label),
    (14, _("Consumption - support plan month-end deduction")),
    (BillType.ADJUST_DEDUCT.value, BillType.ADJUST_DEDUCT.label), (18, _("Consumption - monthly payment")),
    (20, _("Refund - change")), (23, _("Consumption - savings plan deduction")),
    (BillType.TO_ON_DEMAND_REFUND.value, BillType.TO_ON_DEMAND_REFUND.label),
    (25, _("Consumption - rounding make-up")), (103, _("Consumption - yearly payment")),
]
_BILL_TYPE_LABELS = dict(BILL_DETAIL_TYPES)

STILL_ASSOCIATED, LEFT = "current", "left"


def bill_type_label(value) -> str:
    return str(_BILL_TYPE_LABELS.get(value, value))


def _service_types():
    return sorted(((code, row.display_name) for code, row in catalog_selectors.service_type_names().items()),
                  key=lambda choice: str(choice[1]))


def cycle_labels(choices) -> list[tuple[str, str]]:
    """The month picker's options of bills.selectors.bill_cycle_choices(): a month not closed says so."""
    return [(cycle, cycle if closed else f"{cycle} · {_('not closed')}") for cycle, closed in choices]


def _cycles():
    from .selectors import bill_cycle_choices

    return cycle_labels(bill_cycle_choices())


class _Common(ListFilterSet):
    """What both lists filter by: the month, the customer, its association, the service and the mode."""

    cycle = django_filters.ChoiceFilter(label=_("Billing cycle"), field_name="bill_cycle", choices=_cycles,
                                        empty_label=None)
    service_type = django_filters.ChoiceFilter(label=_("Service type"), field_name="service_type__code",
                                               choices=_service_types, empty_label=ALL)
    charging_mode = django_filters.ChoiceFilter(label=_("Billing mode"), choices=ChargeMode.choices, empty_label=ALL)
    association_type = django_filters.ChoiceFilter(label=_("Association type"), empty_label=ALL,
                                                   field_name="association__association_type",
                                                   choices=AssociationType.choices)
    # The API's forms of the same filters: any value (one no row has finds nothing rather than failing)
    customer_id = django_filters.CharFilter(field_name="customer__domain_id", max_length=64)
    any_service_type = django_filters.CharFilter(field_name="service_type__code", max_length=64)
    any_charging_mode = django_filters.NumberFilter(field_name="charging_mode")

    class Meta:
        model = FeeRecord
        fields = []

    def __init__(self, data=None, queryset=None, *, cycles=None, **kwargs):
        """`cycles`: the month picker's choices (bills.selectors.bill_cycle_choices) when the view has read
        them already — else they are read when the form is built."""
        super().__init__(data, queryset, **kwargs)
        if cycles is not None and "cycle" in self.filters:
            self.filters["cycle"].extra["choices"] = cycle_labels(cycles)

    def month_only(self) -> bool:
        """True when the month is the only value given (a valid form): the list is then a customer's whole month,
        which bills.selectors.customer_month_records counts from the running sums."""
        return self.is_valid() and not any(value not in (None, "") for name, value in self.form.cleaned_data.items()
                                           if name != "cycle")


class ConsumptionFilter(_Common):
    """客户消费: which customers (account ID or name, association type, still associated or left), which
    service type, charging mode and kind of sum."""

    customer = django_filters.CharFilter(label=_("Customer (account ID or name)"), method="customer_matches",
                                         max_length=64)
    status = django_filters.ChoiceFilter(
        label=_("Association status"), method="association_status", empty_label=_("All, including those that left"),
        choices=[(STILL_ASSOCIATED, _("Still associated")), (LEFT, _("Left since"))])
    kind = django_filters.ChoiceFilter(label=_("Bill kind"), choices=BillSumType.choices, empty_label=ALL)

    page_filters = ("cycle", "customer", "service_type", "charging_mode", "association_type", "status", "kind")
    wire = {"cloud_service_type": "any_service_type", "charge_mode": "any_charging_mode", "bill_type": "kind"}
    # monthly-sum's bill_type: 0 消费, 1 退订, 2 华为核销 → consumption, refund, adjustment
    wire_values = {"bill_type": {"0": BillSumType.CONSUMPTION, "1": BillSumType.REFUND,
                                 "2": BillSumType.ADJUSTMENT}}

    def customer_matches(self, queryset, name, value):
        return queryset.filter(Q(customer__domain_id=value) | Q(customer__domain_name__icontains=value)
                               | Q(customer__real_name__icontains=value))

    def association_status(self, queryset, name, value):
        if value == STILL_ASSOCIATED:
            return queryset.filter(association__ended_on__isnull=True)
        if value == LEFT:
            return queryset.filter(association__ended_on__isnull=False)
        return queryset


class FeeRecordFilter(_Common):
    """A customer's fee records: the bill type (every documented one), the resource, the order or
    transaction, the days consumed (China time), and for the API the region and the account manager."""

    bill_detail_type = django_filters.ChoiceFilter(label=_("Bill type"), field_name="bill_type",
                                                   choices=BILL_DETAIL_TYPES, empty_label=ALL)
    resource_name = django_filters.CharFilter(label=_("Resource name"), lookup_expr="icontains", max_length=128)
    trade_id = django_filters.CharFilter(label=_("Order or transaction ID"), max_length=64)
    date_from = MomentFilter(label=_("Consumed from"), field_name="effective_time")
    date_to = MomentFilter(label=_("Consumed to"), field_name="effective_time", end=True)
    resource_id = django_filters.CharFilter(field_name="resource_id", max_length=64)
    region_code = django_filters.CharFilter(field_name="region__code", max_length=32)
    account_manager_id = django_filters.CharFilter(field_name="association__account_manager__user__username",
                                                   max_length=150)

    page_filters = ("cycle", "bill_detail_type", "service_type", "charging_mode", "resource_name", "trade_id",
                    "date_from", "date_to")
    wire = {"service_type_code": "any_service_type", "charging_mode": "any_charging_mode",
            "bill_date_begin": "date_from", "bill_date_end": "date_to"}
