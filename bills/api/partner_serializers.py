"""Wire shapes of the partner's bill endpoints, named after the official SDK's models
(huaweicloudsdkbss.v2.model): ListConsumeSubCustomersReq/Response, ListSubcustomerMonthlyBills*
(BillSumInfoV2, BalanceTypeDeductSumV2) and ListSubCustomerBillDetail* (SubCustomerMonthlyBillDetail).

Amounts are JSON numbers with 2 decimals (usage with up to 6); times are UTC `YYYY-MM-DDTHH:MM:SSZ`;
service type, resource type, region and product names come from the catalogue in the request's language
(X-Language). The validation Huawei documents is here: a cycle is `YYYY-MM`; `bill_date_begin` and
`bill_date_end` are `YYYY-MM-DD` days of `bill_cycle`'s month with begin ≤ end — and when only one of them
is sent, the query is by `bill_cycle` alone (两个参数必须同时出现，否则仅按照bill_cycle进行查询); parameters
Huawei says may not be an empty string (不支持携带值为空串) are CBC.0100 when they are.
"""

from decimal import Decimal

from django.utils.translation import gettext as _
from rest_framework import serializers

from catalog.choices import ChargeMode, PeriodType
from catalog.selectors import name_of_resource_type, name_of_service_type
from partnercenter.api.fields import CbcDateTimeField, OptionalCharField
from partnercenter.api.pagination import OffsetLimitSerializer

from .. import periods
from ..choices import BillSumType, BillType
from ..filters import BILL_DETAIL_TYPES

__all__ = [
    "CycleField", "ListConsumeSubCustomersReq", "SubCustomerInfoV3", "ListConsumeSubCustomersResponse",
    "SubcustomerMonthlyBillsQuery", "BillSumInfoV2", "ListSubcustomerMonthlyBillsResponse", "sum_row",
    "SubCustomerBillDetailQuery", "SubCustomerMonthlyBillDetail", "ListSubCustomerBillDetailResponse",
]

Money = lambda **kw: serializers.DecimalField(max_digits=18, decimal_places=2, coerce_to_string=False, **kw)  # noqa: E731
Usage = lambda **kw: serializers.DecimalField(max_digits=24, decimal_places=6, coerce_to_string=False, **kw)  # noqa: E731
ZERO = Decimal("0.00")
CURRENCY = "CNY"

# The wire's bill_type of a monthly sum (0 消费, 1 退订, 2 华为核销) for our BillSumType.
SUM_BILL_TYPES = {BillSumType.CONSUMPTION: "0", BillSumType.REFUND: "1", BillSumType.ADJUSTMENT: "2"}
# period_type of a fee record on the wire: 19 年, 20 月, 24 天, 25 小时, 5 一次性
WIRE_PERIOD_TYPES = {PeriodType.YEAR: 19, PeriodType.MONTH: 20, PeriodType.DAY: 24, PeriodType.HOUR: 25,
                     PeriodType.ONE_OFF: 5}
# order_type of a fee record: 1 开通, 2 续订, 3 变更, 4 退订, 10 包年/包月转按需
ORDER_TYPES = {BillType.NEW: 1, BillType.RENEW: 2, BillType.AUTO_RENEW: 2, BillType.CHANGE: 3, BillType.REFUND: 4,
               BillType.TO_ON_DEMAND_REFUND: 10}


class CycleField(serializers.CharField):
    """A billing cycle, `YYYY-MM`."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 7)
        kwargs.setdefault("help_text", "YYYY-MM")
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if not periods.is_cycle(value):
            raise serializers.ValidationError(_("The format is YYYY-MM."), code="invalid")
        return value


class _NotBlank(serializers.CharField):
    """A filter that is ignored when absent but may not be an empty string (不支持携带值为空串: see
    SubCustomerBillDetailQuery.NOT_BLANK)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)


# -------------------------------------------------------------------------------------------------
# POST /v2/bills/subcustomer-bills/res-fee-records/sub-customers/query
# -------------------------------------------------------------------------------------------------

class ListConsumeSubCustomersReq(OffsetLimitSerializer):
    bill_cycle = CycleField()


class SubCustomerInfoV3(serializers.Serializer):
    customer_id = serializers.CharField(source="customer__domain_id")


class ListConsumeSubCustomersResponse(serializers.Serializer):
    sub_customers = SubCustomerInfoV3(many=True)
    total_count = serializers.IntegerField()


# -------------------------------------------------------------------------------------------------
# GET /v2/bills/partner-bills/subcustomer-bills/monthly-sum
# -------------------------------------------------------------------------------------------------

class SubcustomerMonthlyBillsQuery(OffsetLimitSerializer):
    customer_id = OptionalCharField(max_length=64)
    cycle = CycleField()
    cloud_service_type = OptionalCharField(max_length=64)
    charge_mode = serializers.ChoiceField(choices=["1", "3", "11"], help_text="1: yearly/monthly, 3: pay-per-use, "
                                                                                 "11: savings plan.")
    bill_type = serializers.ChoiceField(choices=["0", "1", "2"], required=False, allow_blank=True, allow_null=True,
                                        help_text="0: consumption, 1: unsubscription, 2: write-off.")
    indirect_partner_id = OptionalCharField(max_length=64)


class BalanceTypeDeductSumV2(serializers.Serializer):
    balance_type = serializers.CharField()
    amount = Money()
    bill_type = serializers.CharField()


class BillSumInfoV2(serializers.Serializer):
    customer_id = serializers.CharField()
    cloud_service_type = serializers.CharField()
    cloud_service_type_name = serializers.CharField()
    bill_type = serializers.CharField()
    charge_mode = serializers.CharField()
    amount = Money()
    debt_amount = Money()
    adjustment_amount = Money()
    discount_amount = Money()
    measure_id = serializers.IntegerField()
    account_details = BalanceTypeDeductSumV2(many=True)
    resource_type_code = serializers.CharField(allow_null=True)
    resource_type_name = serializers.CharField(allow_null=True)


class ListSubcustomerMonthlyBillsResponse(serializers.Serializer):
    bill_sums = BillSumInfoV2(many=True)
    count = serializers.IntegerField()
    currency = serializers.CharField()


def sum_row(row: dict) -> dict:
    """A BillSumInfoV2 of one summed row (bills.selectors.summed over customer, service type, resource type,
    charging mode and kind), with the catalogue's names (its process cache: no query per row)."""
    bill_type = SUM_BILL_TYPES[row["kind"]]
    details = [{"balance_type": balance_type, "amount": row[field], "bill_type": bill_type}
               for balance_type, field in (("BALANCE_TYPE_DEBIT", "cash_amount"), ("BALANCE_TYPE_COUPON", "coupon_amount"),
                                           ("BALANCE_TYPE_RCASH_COUPON", "flexipurchase_coupon_amount"))
               if row[field] or balance_type == "BALANCE_TYPE_DEBIT"]
    resource_type = row["resource_type__code"]
    return {
        "customer_id": row["customer__domain_id"], "cloud_service_type": row["service_type__code"],
        "cloud_service_type_name": name_of_service_type(row["service_type__code"]), "bill_type": bill_type,
        "charge_mode": str(row["charging_mode"]), "amount": row["consume_amount"], "debt_amount": row["debt_amount"],
        "adjustment_amount": row["writeoff_amount"], "discount_amount": row["discount_amount"], "measure_id": 1,
        "account_details": details, "resource_type_code": resource_type,
        "resource_type_name": name_of_resource_type(resource_type) if resource_type else None,
    }


# -------------------------------------------------------------------------------------------------
# GET /v2/bills/subcustomer-bills/res-fee-records
# -------------------------------------------------------------------------------------------------

class SubCustomerBillDetailQuery(OffsetLimitSerializer):
    bill_cycle = CycleField()
    customer_id = serializers.CharField(max_length=64)
    # An empty string is a condition here (携带值为空串…时，作为筛选条件): no service type, no region.
    service_type_code = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=64)
    region_code = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=32)
    charging_mode = serializers.ChoiceField(choices=[1, 3, 10, 11], required=False, allow_null=True,
                                            help_text="1: yearly/monthly, 3: pay-per-use, 10: reserved instance, "
                                                      "11: savings plan.")
    bill_detail_type = serializers.ChoiceField(choices=[value for value, _label in BILL_DETAIL_TYPES],
                                               required=False, allow_null=True)
    resource_id = _NotBlank(max_length=64)
    resource_name = _NotBlank(max_length=128)
    trade_id = _NotBlank(max_length=64)
    account_manager_id = _NotBlank(max_length=150)
    association_type = serializers.ChoiceField(choices=["1", "2"], required=False, help_text="1: referral, 2: resale.")
    indirect_partner_id = OptionalCharField(max_length=64)
    bill_date_begin = serializers.DateField(required=False, input_formats=["%Y-%m-%d"], help_text="YYYY-MM-DD")
    bill_date_end = serializers.DateField(required=False, input_formats=["%Y-%m-%d"], help_text="YYYY-MM-DD")

    # 不支持携带值为空串: sent empty, these are refused (a query string's empty value would otherwise read
    # as absent)
    NOT_BLANK = ("charging_mode", "bill_detail_type", "resource_id", "resource_name", "trade_id",
                 "account_manager_id", "association_type", "bill_date_begin", "bill_date_end")

    def validate(self, data):
        for name in self.NOT_BLANK:
            if name in self.initial_data and self.initial_data.get(name) == "":
                raise serializers.ValidationError({name: _("It may not be an empty string.")})
        begin, end = data.get("bill_date_begin"), data.get("bill_date_end")
        cycle = data["bill_cycle"]
        for name, day in (("bill_date_begin", begin), ("bill_date_end", end)):
            if day is not None and f"{day:%Y-%m}" != cycle:
                raise serializers.ValidationError({name: _("The day must be in the month of bill_cycle.")})
        if begin is not None and end is not None and begin > end:
            raise serializers.ValidationError({"bill_date_begin": _("bill_date_begin must not be after "
                                                                    "bill_date_end.")})
        if (begin is None) != (end is None):
            # Only one of the two: the query is by bill_cycle alone, as documented.
            data.pop("bill_date_begin", None)
            data.pop("bill_date_end", None)
        return data


class SubCustomerMonthlyBillDetail(serializers.Serializer):
    """One fee record as the partner reads it. Fields we have nothing for (reserved instances, credit,
    stored-value cards, sub-services of a whole machine, tags, enterprise projects) are null or zero."""

    bill_cycle = serializers.CharField()
    customer_id = serializers.CharField(source="customer.domain_id")
    association_type = serializers.CharField(source="association.association_type", allow_null=True)
    service_type_code = serializers.CharField(source="service_type.code")
    resource_type_code = serializers.SerializerMethodField()
    service_type_name = serializers.CharField(source="service_type.display_name")
    resource_type_name = serializers.SerializerMethodField()
    charging_mode = serializers.IntegerField()
    trade_time = CbcDateTimeField()
    trade_id = serializers.CharField()
    id = serializers.CharField(source="record_id")
    bill_detail_type = serializers.IntegerField(source="bill_type")
    resource_id = serializers.CharField()
    resource_name = serializers.CharField()
    product_spec_desc = serializers.CharField()
    region_code = serializers.SerializerMethodField()
    product_id = serializers.SerializerMethodField()
    product_name = serializers.SerializerMethodField()
    resource_tag = serializers.SerializerMethodField()
    consume_time = serializers.SerializerMethodField()
    usage_type = serializers.SerializerMethodField()
    usage_amount = Usage(allow_null=True)
    usage_measure_id = serializers.IntegerField(allow_null=True)
    free_resource_usage = Usage()
    free_resource_measure_id = serializers.SerializerMethodField()
    ri_usage = Usage(default=None, allow_null=True, read_only=True)
    ri_usage_measure_id = serializers.IntegerField(default=None, allow_null=True, read_only=True)
    official_amount = Money()
    official_discount_amount = Money(source="discount_amount")
    payment_amount = Money(source="consume_amount")
    cash_amount = Money()
    credit_amount = serializers.SerializerMethodField()
    coupon_amount = Money()
    flexipurchase_coupon_amount = Money()
    stored_value_card_amount = serializers.SerializerMethodField()
    debt_amount = Money()
    writeoff_amount = Money()
    period_type = serializers.SerializerMethodField()
    account_manager_id = serializers.SerializerMethodField()
    partner_id = serializers.CharField(source="partner.domain_id", allow_null=True)
    region_name = serializers.SerializerMethodField()
    sub_service_type_code = serializers.CharField(default=None, allow_null=True, read_only=True)
    sub_service_type_name = serializers.CharField(default=None, allow_null=True, read_only=True)
    sub_resource_type_code = serializers.CharField(default=None, allow_null=True, read_only=True)
    sub_resource_type_name = serializers.CharField(default=None, allow_null=True, read_only=True)
    sub_resource_id = serializers.CharField(default=None, allow_null=True, read_only=True)
    sub_resource_name = serializers.CharField(default=None, allow_null=True, read_only=True)
    period_num = serializers.IntegerField(allow_null=True)
    enterprise_project_id = serializers.CharField(default=None, allow_null=True, read_only=True)
    order_type = serializers.SerializerMethodField()
    payment_type = serializers.CharField(default=None, allow_null=True, read_only=True)

    def get_resource_type_code(self, fee) -> str | None:
        return fee.resource_type.code if fee.resource_type_id else None

    def get_resource_type_name(self, fee) -> str | None:
        return fee.resource_type.display_name if fee.resource_type_id else None

    def get_region_code(self, fee) -> str | None:
        return fee.region.code if fee.region_id else None

    def get_region_name(self, fee) -> str | None:
        return fee.region.display_name if fee.region_id else None

    def get_product_id(self, fee) -> str | None:
        return fee.product.product_id if fee.product_id else None

    def get_product_name(self, fee) -> str | None:
        return fee.product.spec_display if fee.product_id else None

    def get_resource_tag(self, fee) -> str | None:
        return None

    def get_consume_time(self, fee) -> str:
        # 包周期…为订单支付时间；按需场景下为话单生失效时间
        moment = fee.trade_time if fee.charging_mode == ChargeMode.PERIOD else fee.effective_time
        return CbcDateTimeField().to_representation(moment)

    def get_usage_type(self, fee) -> str | None:
        return fee.usage_type.code if fee.usage_type_id else None

    def get_free_resource_measure_id(self, fee) -> int | None:
        return fee.usage_measure_id if fee.free_resource_usage else None

    def get_credit_amount(self, fee) -> Decimal:
        return ZERO

    def get_stored_value_card_amount(self, fee) -> Decimal:
        return ZERO

    def get_period_type(self, fee) -> int | None:
        return WIRE_PERIOD_TYPES.get(fee.period_type)

    def get_account_manager_id(self, fee) -> str | None:
        manager = fee.association.account_manager if fee.association_id else None
        return manager.user.username if manager is not None else None

    def get_order_type(self, fee) -> int | None:
        return ORDER_TYPES.get(fee.bill_type)


class ListSubCustomerBillDetailResponse(serializers.Serializer):
    total_count = serializers.IntegerField()
    currency = serializers.CharField()
    fee_records = SubCustomerMonthlyBillDetail(many=True)
