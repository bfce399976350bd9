"""Wire shapes of the customer's own bill endpoints, named after the official SDK's models
(huaweicloudsdkbss.v2.model): the requests as serializers that validate (a value they refuse is CBC.0100),
the answers as serializers that document the schema and render the rows customer_views.py builds.

The answer shapes are long lists of Huawei's fields; `shape()` declares them compactly by kind (text, integer,
money, usage). Every field may be null: Huawei keeps many of them "预留" (reserved) and so do we.
"""

from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from partnercenter.api.fields import OptionalCharField
from partnercenter.api.pagination import OffsetLimitSerializer

from ..choices import PackageStatus
from ..customer_costs import DIMENSIONS, FILTER_KEYS
from ..customer_filters import WIRE_BILL_TYPES, WIRE_CHARGING_MODES
from ..periods import CYCLE_RE

__all__ = [
    "shape", "CycleField", "DayField", "MonthlySumQuery", "FeeRecordsQuery", "ResFeeRecordsQuery", "ResRecordsReq",
    "UsageSummaryQuery", "UsageDetailsQuery", "FreeResourcesReq", "FreeResourceUsagesReq", "FreeResourceRecordsQuery",
    "MonthlyBreakdownQuery", "ListCostsReq", "METHODS", "SUPPORTED_95",
    "ShowCustomerMonthlySumResponse", "ListCustomerBillsFeeRecordsResponse", "ListCustomerselfResourceRecordsResponse",
    "ListCustomerselfResourceRecordDetailsResponse", "ListResourceUsageSummaryResponse", "ListResourceUsageResponse",
    "ListFreeResourceInfosResponse", "ListFreeResourceUsagesResponse", "ListFreeResourcesUsageRecordsResponse",
    "ListCustomerBillsMonthlyBreakDownResponse", "ListCostsResponse",
]

METHODS = ("oneself", "sub_customer", "all")
# 95 billing (95计费): what the usage endpoints support, as Huawei lists it
SUPPORTED_95 = {
    "service_type_code": ("hws.service.type.cdn", "hws.service.type.obs", "hws.service.type.vpc",
                          "hws.service.type.iec"),
    "resource_type_code": ("hws.resource.type.cdn", "hws.resource.type.obs", "hws.resource.type.bandwidth",
                           "hws.resource.type.edgebandwidth"),
    "usage_type": ("95Peak", "95peak_1000", "bandwidth95peak", "95peak_plus"),
}
MAX_LIMIT = 1000  # Huawei's largest page for the bill lists


class CycleField(serializers.CharField):
    """A billing cycle, "YYYY-MM" (Asia/Shanghai)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 7)
        super().__init__(validators=[RegexValidator(CYCLE_RE, _("Use the format YYYY-MM."))], **kwargs)


class DayField(serializers.DateField):
    """A day, "YYYY-MM-DD" (Asia/Shanghai)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_null", True)
        super().__init__(input_formats=["%Y-%m-%d"], format="%Y-%m-%d", **kwargs)

    def to_internal_value(self, value):
        return None if value == "" else super().to_internal_value(value)


def _choice(values, **kwargs):
    kwargs.setdefault("required", False)
    kwargs.setdefault("allow_null", True)
    return serializers.ChoiceField(choices=list(values), **kwargs)


class _Page(OffsetLimitSerializer):
    MAX_LIMIT = MAX_LIMIT


class _Method(serializers.Serializer):
    method = _choice(METHODS, allow_blank=True)
    sub_customer_id = OptionalCharField(max_length=64)


# -------------------------------------------------------------------------------------------------
# Requests
# -------------------------------------------------------------------------------------------------

class MonthlySumQuery(_Page, _Method):
    bill_cycle = CycleField()
    service_type_code = OptionalCharField(max_length=64)
    enterprise_project_id = OptionalCharField(max_length=64)


class FeeRecordsQuery(_Page, _Method):
    bill_cycle = CycleField()
    provider_type = _choice((1, 2))
    service_type_code = OptionalCharField(max_length=64)
    resource_type_code = OptionalCharField(max_length=64)
    region_code = OptionalCharField(max_length=64)
    charging_mode = _choice(WIRE_CHARGING_MODES)
    bill_type = _choice(WIRE_BILL_TYPES)
    trade_id = OptionalCharField(max_length=64)
    enterprise_project_id = OptionalCharField(max_length=64)
    include_zero_record = serializers.BooleanField(required=False, allow_null=True, default=None)
    status = _choice((1, 2, 3))
    bill_date_begin = DayField()
    bill_date_end = DayField()


class ResFeeRecordsQuery(_Page, _Method):
    cycle = CycleField()
    cloud_service_type = OptionalCharField(max_length=64)
    region = OptionalCharField(max_length=64)
    charge_mode = serializers.ChoiceField(choices=[str(mode) for mode in WIRE_CHARGING_MODES], required=False)
    bill_type = _choice(WIRE_BILL_TYPES)
    resource_id = OptionalCharField(max_length=64)
    enterprise_project_id = OptionalCharField(max_length=64)
    include_zero_record = serializers.BooleanField(required=False, allow_null=True, default=None)
    trade_id = OptionalCharField(max_length=64)
    bill_date_begin = DayField()
    bill_date_end = DayField()
    statistic_type = _choice((1, 2, 3))


class ResRecordsReq(_Page, _Method):
    cycle = CycleField()
    cloud_service_type = OptionalCharField(max_length=64)
    resource_type = OptionalCharField(max_length=64)
    region = OptionalCharField(max_length=64)
    res_instance_id = OptionalCharField(max_length=64)
    charge_mode = _choice(WIRE_CHARGING_MODES)
    bill_type = _choice(WIRE_BILL_TYPES)
    enterprise_project_id = OptionalCharField(max_length=64)
    include_zero_record = serializers.BooleanField(required=False, allow_null=True, default=None)
    statistic_type = _choice((1, 2, 3))
    query_type = _choice(("BILLCYCLE", "DAILY"), allow_blank=True)
    bill_cycle_begin = DayField()
    bill_cycle_end = DayField()
    payer_account_id = OptionalCharField(max_length=64)


class UsageSummaryQuery(OffsetLimitSerializer):
    MAX_LIMIT = MAX_LIMIT

    bill_cycle = CycleField()
    service_type_code = serializers.ChoiceField(choices=SUPPORTED_95["service_type_code"])
    resource_type_code = serializers.ChoiceField(choices=SUPPORTED_95["resource_type_code"])
    usage_type = serializers.ChoiceField(choices=SUPPORTED_95["usage_type"])


class UsageDetailsQuery(UsageSummaryQuery):
    resource_id = serializers.CharField(max_length=64)


class FreeResourcesReq(OffsetLimitSerializer):
    region_code = OptionalCharField(max_length=64)
    order_id = OptionalCharField(max_length=64)
    product_id = OptionalCharField(max_length=64)
    product_name = OptionalCharField(max_length=255)
    enterprise_project_id = OptionalCharField(max_length=64)
    status = _choice(PackageStatus.values)
    service_type_code_list = serializers.ListField(child=serializers.CharField(max_length=64), required=False,
                                                   allow_null=True, max_length=100)


class FreeResourceUsagesReq(serializers.Serializer):
    free_resource_ids = serializers.ListField(child=serializers.CharField(max_length=64), min_length=1,
                                              max_length=100)


class FreeResourceRecordsQuery(_Page):
    free_resource_id = OptionalCharField(max_length=64)
    product_id = OptionalCharField(max_length=64)
    resource_type_code = OptionalCharField(max_length=64)
    deduct_time_begin = DayField(required=True, allow_null=False)
    deduct_time_end = DayField(required=True, allow_null=False)


class MonthlyBreakdownQuery(_Page, _Method):
    shared_month = CycleField()
    service_type_code = OptionalCharField(max_length=64)
    resource_type_code = OptionalCharField(max_length=64)
    region_code = OptionalCharField(max_length=64)
    charging_mode = _choice(WIRE_CHARGING_MODES)
    bill_type = _choice(WIRE_BILL_TYPES)
    resource_id = OptionalCharField(max_length=64)
    resource_name = OptionalCharField(max_length=128)
    enterprise_project_id = OptionalCharField(max_length=64)


class TimeCondition(serializers.Serializer):
    time_measure_id = _choice((1, 2))
    begin_time = serializers.CharField(max_length=10)
    end_time = serializers.CharField(max_length=10)


class GroupBy(serializers.Serializer):
    type = _choice(("tag", "cost_unit", "dimension"))
    key = serializers.CharField(max_length=64)


class FilterFactor(serializers.Serializer):
    key = serializers.ChoiceField(choices=FILTER_KEYS)
    value = serializers.ListField(child=serializers.CharField(max_length=128, allow_blank=True), max_length=100)


class FilterV2(serializers.Serializer):
    operator = _choice((0, 1))
    filter_factor = FilterFactor(required=False, allow_null=True)


class ListCostsReq(_Page):
    time_condition = TimeCondition()
    groupby = serializers.ListField(child=GroupBy(), required=False, allow_null=True, max_length=5)
    cost_type = _choice(("ORIGINAL_COST", "AMORTIZED_COST"))
    amount_type = _choice(("PAYMENT_AMOUNT", "NET_AMOUNT"))
    filters = serializers.ListField(child=FilterV2(), required=False, allow_null=True, max_length=20)

    def validate_groupby(self, value):
        for group in value or ():
            if (group.get("type") or "dimension") == "dimension" and group["key"] not in (
                    *DIMENSIONS, "ASSOCIATED_ACCOUNT", "PAYER_ACCOUNT_ID", "AZ_CODE", "ENTERPRISE_PROJECT_ID", "BE_ID"):
                raise serializers.ValidationError(_("Unknown dimension %(key)s.") % {"key": group["key"]})
        return value


# -------------------------------------------------------------------------------------------------
# Answers
# -------------------------------------------------------------------------------------------------

def _money():
    return serializers.DecimalField(max_digits=18, decimal_places=2, coerce_to_string=False, required=False,
                                    allow_null=True)


def _usage():
    return serializers.DecimalField(max_digits=24, decimal_places=6, coerce_to_string=False, required=False,
                                    allow_null=True)


def shape(name, *, text="", integers="", money="", usage="", nested=None):
    """A response serializer named like the SDK's model, its fields listed by kind (space-separated)."""
    fields = {}
    for names, make in ((text, lambda: serializers.CharField(required=False, allow_null=True, allow_blank=True)),
                        (integers, lambda: serializers.IntegerField(required=False, allow_null=True)),
                        (money, _money), (usage, _usage)):
        for field in names.split():
            fields[field] = make()
    fields.update(nested or {})
    return type(name, (serializers.Serializer,), fields)


_SUM_MONEY = ("consume_amount debt_amount coupon_amount flexipurchase_coupon_amount stored_value_card_amount "
              "cash_amount credit_amount writeoff_amount")
BillSumRecordInfoV2 = shape(
    "BillSumRecordInfoV2", integers="charging_mode measure_id bill_type",
    text="bill_cycle resource_type_code service_type_code service_type_name resource_type_name customer_id "
         "account_name",
    money="official_amount official_discount_amount truncated_amount " + _SUM_MONEY)
ShowCustomerMonthlySumResponse = shape(
    "ShowCustomerMonthlySumResponse", integers="total_count measure_id", text="currency", money=_SUM_MONEY,
    nested={"bill_sums": BillSumRecordInfoV2(many=True)})

_RECORD_MONEY = ("official_amount erase_amount consume_amount cash_amount credit_amount coupon_amount "
                 "flexipurchase_coupon_amount stored_value_card_amount bonus_amount debt_amount writeoff_amount")
MonthlyBillRecord = shape(
    "MonthlyBillRecord", integers="charging_mode provider_type bill_type status",
    text="bill_cycle customer_id service_type_code resource_type_code service_type_name resource_type_name "
         "region_code enterprise_project_id enterprise_project_name consume_time trade_time trade_id id "
         "region_name account_name",
    money="official_discount_amount " + _RECORD_MONEY)
ListCustomerBillsFeeRecordsResponse = shape("ListCustomerBillsFeeRecordsResponse", integers="total_count",
                                            text="currency", nested={"records": MonthlyBillRecord(many=True)})

_SUB = ("sub_service_type_code sub_service_type_name sub_resource_type_code sub_resource_type_name sub_resource_id "
        "sub_resource_name")
ResFeeRecordV2 = shape(
    "ResFeeRecordV2", integers="bill_type spec_size_measure_id usage_measure_id free_resource_measure_id "
                               "ri_usage_measure_id measure_id",
    text="bill_date customer_id region region_name cloud_service_type resource_type cloud_service_type_name "
         "resource_type_name effective_time expire_time resource_id resource_name resource_tag product_id "
         "product_name product_spec_desc sku_code trade_id id trade_time enterprise_project_id "
         "enterprise_project_name charge_mode order_id period_type usage_type unit formula consume_time "
         "relative_order_id account_name " + _SUB,
    money="official_amount discount_amount amount cash_amount credit_amount coupon_amount "
          "flexipurchase_coupon_amount stored_card_amount bonus_amount debt_amount adjustment_amount",
    usage="spec_size usage free_resource_usage ri_usage unit_price period_num")
ListCustomerselfResourceRecordsResponse = shape(
    "ListCustomerselfResourceRecordsResponse", integers="total_count", text="currency",
    nested={"fee_records": ResFeeRecordV2(many=True)})

AzCodeInfo = shape("AzCodeInfo", text="az_code")
RelationInfo = shape("RelationInfo", text="relative_resource_id relative_type")
ResRelation = shape("ResRelation", text="self_resource_id", nested={"relation_infos": RelationInfo(many=True)})
MonthlyBillRes = shape(
    "MonthlyBillRes", integers="bill_type charge_mode measure_id period_type",
    text="cycle bill_date customer_id region region_name cloud_service_type resource_Type_code "
         "cloud_service_type_name resource_type_name res_instance_id resource_name resource_tag sku_code "
         "enterprise_project_id enterprise_project_name root_resource_id parent_resource_id trade_id id "
         "product_spec_desc pre_order_id payer_account_id effective_time expire_time consume_time be_id "
         "account_name is_spot promotion_type payment_type " + _SUB,
    money="consume_amount cash_amount credit_amount coupon_amount flexipurchase_coupon_amount stored_card_amount "
          "bonus_amount debt_amount adjustment_amount official_amount discount_amount",
    usage="period_num",
    nested={"az_code_infos": AzCodeInfo(many=True, required=False), "extend_params": ResRelation(required=False,
                                                                                                  allow_null=True)})
ListCustomerselfResourceRecordDetailsResponse = shape(
    "ListCustomerselfResourceRecordDetailsResponse", integers="total_count", text="currency",
    nested={"monthly_records": MonthlyBillRes(many=True)})

_BAND = "actual_days band_width monthly_guaranteed_band_width monthly_peak_band_width"
StatUsageSummaryInfo = shape("StatUsageSummaryInfo", text="resource_id " + _BAND, integers="band_width_measure_id")
ListResourceUsageSummaryResponse = shape("ListResourceUsageSummaryResponse", integers="total_count",
                                         nested={"summary_usage_info_list": StatUsageSummaryInfo(many=True)})
StatUsageInfo = shape("StatUsageInfo", text="stat_time guaranteed_band_width usage", integers="measure_id")
ListResourceUsageResponse = shape("ListResourceUsageResponse", text=_BAND,
                                  integers="band_width_measure_id total_count",
                                  nested={"usage_info_list": StatUsageInfo(many=True)})

FreeResourceV3 = shape("FreeResourceV3", text="free_resource_id usage_type_name amount original_amount",
                       integers="measure_id")
FreeResourcePackageV3 = shape(
    "FreeResourcePackageV3", integers="enterprise_project_scope status source_type quota_reuse_mode",
    text="order_instance_id order_id product_id product_name enterprise_project_id effective_time expire_time "
         "service_type_code service_type_name region_code bundle_type",
    nested={"free_resources": FreeResourceV3(many=True)})
ListFreeResourceInfosResponse = shape("ListFreeResourceInfosResponse", integers="total_count",
                                      nested={"free_resource_packages": FreeResourcePackageV3(many=True)})
FreeResourceDetail = shape(
    "FreeResourceDetail", integers="quota_reuse_cycle quota_reuse_cycle_type measure_id",
    text="free_resource_id free_resource_type_name usage_type_name start_time end_time",
    usage="amount original_amount")
ListFreeResourceUsagesResponse = shape("ListFreeResourceUsagesResponse",
                                       nested={"free_resources": FreeResourceDetail(many=True)})
FreeResourceRecord = shape(
    "FreeResourceRecord", integers="measure_id",
    text="deduct_time free_resource_id resource_id resource_type_code resource_type_name resource_tag product_id "
         "product_name usage_type_code available_amount remaining_amount used_amount effective_time expire_time")
ListFreeResourcesUsageRecordsResponse = shape(
    "ListFreeResourcesUsageRecordsResponse", integers="total_count",
    nested={"free_resource_records": FreeResourceRecord(many=True)})

TagPair = shape("TagPair", text="tag_key tag_value")
CostUnitPair = shape("CostUnitPair", text="cost_unit_name cost_unit_rule_value")
NvlCostAnalysedBillDetail = shape(
    "NvlCostAnalysedBillDetail",
    integers="bill_type charging_mode period_type usage_measure_id free_resource_measure_id ri_usage_measure_id",
    text="shared_month bill_cycle customer_id region_code region_name service_type_code resource_type_code "
         "service_type_name resource_type_name effective_time expire_time resource_id resource_name resource_tag "
         "product_spec_desc enterprise_project_id enterprise_project_name order_id usage_type " + _SUB,
    money="consume_amount past_months_amortized_amount current_month_amortized_amount "
          "future_months_amortized_amount amortized_cash_amount amortized_credit_amount amortized_coupon_amount "
          "amortized_flexipurchase_coupon_amount amortized_stored_value_card_amount amortized_bonus_amount",
    usage="usage free_resource_usage ri_usage",
    nested={"effective_tag_pairs": TagPair(many=True), "cost_unit_pairs": CostUnitPair(many=True)})
ListCustomerBillsMonthlyBreakDownResponse = shape(
    "ListCustomerBillsMonthlyBreakDownResponse", text="currency", integers="total_count",
    nested={"details": NvlCostAnalysedBillDetail(many=True)})

DimensionGroup = shape("DimensionGroup", text="key value")
Cost = shape("Cost", text="time_dimension_value amount official_amount", integers="time_measure_id")
CostDataByDimension = shape("CostDataByDimension", text="amount_by_costs official_amount_by_costs",
                            nested={"dimensions": DimensionGroup(many=True), "costs": Cost(many=True)})
ListCostsResponse = shape("ListCostsResponse", text="currency", integers="total_count",
                          nested={"cost_data": CostDataByDimension(many=True)})
