"""Wire shapes of the money endpoints, named after the official SDK's models."""

from rest_framework import serializers

from partnercenter.api.fields import AmountField, CbcDateTimeField, OptionalCharField
from partnercenter.api.pagination import OffsetLimitSerializer

from ..choices import OperationType
from ..selectors import available_after, available_change

__all__ = [
    "AmountField", "ListPartnerBalancesQuery", "AccountBalanceV2", "ListPartnerBalancesResponse", "AdjustAccountReq",
    "TransferResponse", "ReclaimToPartnerAccountBalancesReq", "TransIdResponse", "AdjustRecordsQuery",
    "AdjustRecordV3", "ListPartnerAdjustRecordsResponse", "AccountChangeRecordsQuery", "AccountChangeRecord",
    "ListPartnerAccountChangeRecordsResponse", "QueryCustomersBalancesReq", "CustomerBalancesV2",
    "ListCustomersBalancesDetailResponse", "AccountBalanceV3", "ShowCustomerAccountBalancesResponse",
    "AdjustToIndirectPartnerReq", "ReclaimIndirectPartnerAccountReq",
]


class ListPartnerBalancesQuery(serializers.Serializer):
    indirect_partner_id = OptionalCharField(max_length=64)


class AccountBalanceV2(serializers.Serializer):
    account_id = serializers.CharField()
    account_type = serializers.IntegerField()
    amount = serializers.DecimalField(max_digits=18, decimal_places=2, coerce_to_string=False)
    currency = serializers.CharField(default="CNY")
    designated_amount = serializers.DecimalField(max_digits=18, decimal_places=2, coerce_to_string=False)
    credit_amount = serializers.DecimalField(max_digits=18, decimal_places=2, coerce_to_string=False, allow_null=True)
    measure_id = serializers.IntegerField(default=1)
    memo = serializers.CharField(allow_blank=True)


class ListPartnerBalancesResponse(serializers.Serializer):
    account_balances = AccountBalanceV2(many=True)


class AdjustAccountReq(serializers.Serializer):
    customer_id = serializers.CharField(max_length=64)
    amount = AmountField()
    indirect_partner_id = OptionalCharField(max_length=64)


class TransferResponse(serializers.Serializer):
    transfer_id = serializers.CharField()


class ReclaimToPartnerAccountBalancesReq(AdjustAccountReq):
    pass


class TransIdResponse(serializers.Serializer):
    trans_id = serializers.CharField()


class AdjustRecordsQuery(OffsetLimitSerializer):
    customer_id = OptionalCharField(max_length=64)
    operation_type = serializers.ChoiceField(choices=OperationType.values + [""], required=False, allow_blank=True)
    operation_time_begin = CbcDateTimeField(required=False, allow_null=True)
    operation_time_end = CbcDateTimeField(required=False, allow_null=True)
    trans_id = OptionalCharField(max_length=64)
    indirect_partner_id = OptionalCharField(max_length=64)


class AdjustRecordV3(serializers.Serializer):
    customer_id = serializers.SerializerMethodField()
    customer_name = serializers.SerializerMethodField()
    operation_type = serializers.CharField()
    amount = serializers.CharField()
    currency = serializers.CharField(default="CNY")
    apply_scene = serializers.CharField(default="")
    operation_time = CbcDateTimeField(source="created_at")
    measure_id = serializers.IntegerField(default=1)
    trans_id = serializers.CharField()
    memo = serializers.CharField()

    def get_customer_id(self, adjustment) -> str:
        return (adjustment.customer or adjustment.reseller).domain_id

    def get_customer_name(self, adjustment) -> str:
        counterparty = adjustment.customer or adjustment.reseller
        return getattr(counterparty, "real_name", "") or getattr(counterparty, "name", "") or ""


class ListPartnerAdjustRecordsResponse(serializers.Serializer):
    records = AdjustRecordV3(many=True)
    total_count = serializers.IntegerField()


class AccountChangeRecordsQuery(OffsetLimitSerializer):
    balance_type = serializers.ChoiceField(choices=["BALANCE_TYPE_DEBIT", "BALANCE_TYPE_CREDIT", ""], required=False,
                                           allow_blank=True)
    trade_type = OptionalCharField(max_length=32)
    trade_time_begin = serializers.DateField(required=False, allow_null=True, input_formats=["%Y-%m-%d"])
    trade_time_end = serializers.DateField(required=False, allow_null=True, input_formats=["%Y-%m-%d"])
    indirect_partner_id = OptionalCharField(max_length=64)


class AccountChangeRecord(serializers.Serializer):
    account_change_id = serializers.CharField(source="pk")
    trade_detail_type = serializers.SerializerMethodField()
    trade_time = CbcDateTimeField(source="created_at")
    trade_id = serializers.CharField(source="trans_id")
    change_amount = serializers.SerializerMethodField()
    balance_after_change = serializers.SerializerMethodField()
    type = serializers.SerializerMethodField()
    customer_id = serializers.SerializerMethodField()
    account_name = serializers.SerializerMethodField()

    DETAIL = {"RECHARGE": "SOURCE_OPERAIION_RECHARGE", "ADJUST": "SOURCE_OPERAIION_ADJUST_CREDIT",
              "BEADJUST": "SOURCE_OPERATION_BEADJUST", "BERETRIEVE": "SOURCE_OPERATION_BERETRIEVE",
              "BEUNBIND": "SOURCE_OPERATION_BEUNBIND", "DEDEUCT": "SOURCE_OPERAIION_DEDEUCT"}

    def get_trade_detail_type(self, entry) -> str:
        return self.DETAIL.get(entry.trade_type, entry.trade_type)

    def get_change_amount(self, entry) -> str:
        return f"{abs(available_change(entry)):.2f}"

    def get_balance_after_change(self, entry) -> str:
        return f"{available_after(entry):.2f}"

    def get_type(self, entry) -> str:
        return "1" if available_change(entry) > 0 else "2"

    def get_customer_id(self, entry) -> str | None:
        adjustment = entry.adjustment
        counterparty = adjustment and (adjustment.customer or adjustment.reseller)
        return counterparty.domain_id if counterparty else None

    def get_account_name(self, entry) -> str | None:
        adjustment = entry.adjustment
        if adjustment and adjustment.customer:
            return adjustment.customer.domain_name
        if adjustment and adjustment.reseller:
            return adjustment.reseller.account_name
        return None


class ListPartnerAccountChangeRecordsResponse(serializers.Serializer):
    total_count = serializers.IntegerField()
    currency = serializers.CharField()
    records = AccountChangeRecord(many=True)


class CustomerInfoV2(serializers.Serializer):
    customer_id = serializers.CharField(max_length=64)


class QueryCustomersBalancesReq(serializers.Serializer):
    customer_infos = CustomerInfoV2(many=True, max_length=100)
    indirect_partner_id = OptionalCharField(max_length=64)


class CustomerBalancesV2(serializers.Serializer):
    customer_id = serializers.CharField()
    debt_amount = serializers.DecimalField(max_digits=18, decimal_places=2, coerce_to_string=False)
    amount = serializers.DecimalField(max_digits=18, decimal_places=2, coerce_to_string=False)
    currency = serializers.CharField(default="CNY")
    measure_id = serializers.IntegerField(default=1)


class ListCustomersBalancesDetailResponse(serializers.Serializer):
    customer_balances = CustomerBalancesV2(many=True)


class AccountBalanceV3(AccountBalanceV2):
    pass


class ShowCustomerAccountBalancesResponse(serializers.Serializer):
    account_balances = AccountBalanceV3(many=True)
    debt_amount = serializers.DecimalField(max_digits=18, decimal_places=2, coerce_to_string=False)
    measure_id = serializers.IntegerField()
    currency = serializers.CharField()


class AdjustToIndirectPartnerReq(serializers.Serializer):
    indirect_partner_id = serializers.CharField(max_length=64)
    amount = AmountField()


class ReclaimIndirectPartnerAccountReq(AdjustToIndirectPartnerReq):
    pass
