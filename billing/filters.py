"""The filters of the money lists — one FilterSet per list, shared by the page, its export and its CBC
endpoint (see partnercenter/filters.py)."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from customers.models import Customer
from partnercenter.filters import ALL, ListFilterSet, MomentFilter, ValuesFilter
from partnercenter.models import Partner

from .choices import BalanceType, OperationType, RechargeMethod, RechargeStatus, TradeType
from .models import Adjustment, LedgerEntry, Recharge

__all__ = ["AdjustmentFilter", "LedgerFilter", "RechargeFilter"]


class AdjustmentFilter(ListFilterSet):
    """调账记录 and `GET /v3/accounts/partner-accounts/adjust-records`."""

    operation_type = django_filters.ChoiceFilter(label=_("Type"), choices=OperationType.choices, empty_label=ALL)
    customer_id = django_filters.CharFilter(label=_("Customer or reseller ID"), method="counterparty", max_length=64)
    date_from = MomentFilter(label=_("From"), field_name="created_at")
    date_to = MomentFilter(label=_("To"), field_name="created_at", end=True)
    trans_id = django_filters.CharFilter(label=_("Transaction ID"), max_length=64)

    wire = {"operation_time_begin": "date_from", "operation_time_end": "date_to"}

    class Meta:
        model = Adjustment
        fields = []

    def counterparty(self, queryset, name, value):
        # Resolve the id first: an OR across two joined tables cannot use an index (bench/README.md).
        condition = Q()
        customer_pk = Customer.objects.filter(domain_id=value).values_list("pk", flat=True).first()
        reseller_pk = Partner.objects.filter(domain_id=value).values_list("pk", flat=True).first()
        if customer_pk:
            condition |= Q(customer_id=customer_pk)
        if reseller_pk:
            condition |= Q(reseller_id=reseller_pk)
        return queryset.filter(condition) if condition else queryset.none()


# The rebate account's balance and trade types: its entries are not in 收支明细 (billing.selectors.LEDGER_BALANCES),
# so its filter does not offer them.
REBATE_TRADES = (TradeType.INCENTIVE, TradeType.WITHDRAW, TradeType.WITHDRAW_RETURN)


class LedgerFilter(ListFilterSet):
    """收支明细 and its endpoint; days are whole days in China time (the API's YYYY-MM-DD)."""

    balance_type = ValuesFilter(label=_("Account"), choices=[
        (value, label) for value, label in BalanceType.choices if value != BalanceType.REBATE])
    trade_type = django_filters.ChoiceFilter(label=_("Trade type"), empty_label=ALL, choices=[
        (value, label) for value, label in TradeType.choices if value not in REBATE_TRADES])
    date_from = MomentFilter(label=_("From"), field_name="created_at")
    date_to = MomentFilter(label=_("To"), field_name="created_at", end=True)
    trade_id = django_filters.CharFilter(label=_("Transaction ID"), field_name="trans_id", max_length=64)
    # The API takes any of Huawei's trade types, also those no entry here has yet (REFUND, TRANS, …): they
    # match nothing rather than being refused.
    any_trade_type = django_filters.CharFilter(field_name="trade_type", max_length=32)

    page_filters = ("balance_type", "trade_type", "date_from", "date_to", "trade_id")
    wire = {"trade_time_begin": "date_from", "trade_time_end": "date_to", "trade_type": "any_trade_type"}
    wire_values = {"balance_type": {"BALANCE_TYPE_DEBIT": [BalanceType.CASH, BalanceType.ALLOCATED],
                                    "BALANCE_TYPE_CREDIT": [BalanceType.CREDIT]}}

    class Meta:
        model = LedgerEntry
        fields = []


class RechargeFilter(ListFilterSet):
    """充值记录 on the recharge page."""

    method = django_filters.ChoiceFilter(label=_("Method"), choices=RechargeMethod.choices, empty_label=ALL)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=RechargeStatus.choices, empty_label=ALL)

    class Meta:
        model = Recharge
        fields = []
