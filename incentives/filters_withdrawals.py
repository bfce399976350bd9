"""The filters of the rebate account's lists: the withdrawals (提现记录) and the rebate ledger (返点明细).
Days are whole days in China time, as on every page."""

import django_filters
from django.utils.translation import gettext_lazy as _

from billing.choices import TradeType
from billing.models import LedgerEntry
from partnercenter.filters import ALL, ListFilterSet, MomentFilter

from .choices import WithdrawalStatus
from .models import RebateWithdrawal
from .selectors_withdrawals import REBATE_TRADES

__all__ = ["WithdrawalFilter", "RebateLedgerFilter"]


class WithdrawalFilter(ListFilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=WithdrawalStatus.choices, empty_label=ALL)
    date_from = MomentFilter(label=_("From"), field_name="requested_at")
    date_to = MomentFilter(label=_("To"), field_name="requested_at", end=True)
    withdrawal_no = django_filters.CharFilter(label=_("Withdrawal number"), max_length=20)

    class Meta:
        model = RebateWithdrawal
        fields = []


class RebateLedgerFilter(ListFilterSet):
    trade_type = django_filters.ChoiceFilter(
        label=_("Trade type"), empty_label=ALL,
        choices=[(value, label) for value, label in TradeType.choices if value in REBATE_TRADES])
    date_from = MomentFilter(label=_("From"), field_name="created_at")
    date_to = MomentFilter(label=_("To"), field_name="created_at", end=True)

    class Meta:
        model = LedgerEntry
        fields = []
