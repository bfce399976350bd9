"""Wire shapes of the subscription endpoints, named after the official SDK's models
(huaweicloudsdkbss.v2.model): field names, types and which fields are required as the SDK sends them.

Requests are parsed here and nothing more: which resources may be renewed, switched or unsubscribed is
the services' to decide. Amounts are JSON numbers with 2 decimals; ids are strings of 1–64 characters.
"""

from django.utils.translation import gettext as _
from rest_framework import serializers

from partnercenter.api.fields import OptionalCharField
from trade.api.rating import FailResourceInfo  # noqa: F401  (the same component as renew-rate's)
from vouchers.api.serializers import ErrorDetail  # noqa: F401  (the same component as the coupon endpoints')

from ..choices import AutoRenewPeriod, RenewConfigName, UnsubscribeReason, UnsubscribeType

__all__ = [
    "MAX_RENEW", "MAX_UNSUBSCRIBE", "MAX_TO_ON_DEMAND", "MAX_INSTANTLY", "FailResourceInfo", "ErrorDetail",
    "RenewalResourcesReq", "RenewalResourcesResponse", "RenewResourceConfigReq", "SetResourcesRenewConfigResponse",
    "AutoRenewalResourcesReq", "UnsubscribeResourcesReq", "CancelResourcesSubscriptionResponse",
    "PeriodToOnDemandReq", "UpdatePeriodToOnDemandResponse", "PeriodToOnDemandInstantlyReq",
    "ToOndemandServiceResult", "UpdatePeriodToOnDemandInstantlyResponse", "RefundOrdersQuery", "OrderRefundInfoV2",
    "ShowRefundOrderDetailsResponse", "failure_rows",
]

Money = lambda **kw: serializers.DecimalField(max_digits=18, decimal_places=2, coerce_to_string=False, **kw)  # noqa: E731

MAX_RENEW = 10          # 最多10个资源ID
MAX_UNSUBSCRIBE = 10    # 最大支持1次性输入10个资源ID
MAX_TO_ON_DEMAND = 100  # 最多可设置100个资源ID
MAX_INSTANTLY = 10      # 数组范围限制:1-10
PERIOD_TYPES = {2: "months", 3: "years"}  # renew: 2 月, 3 年
PERIOD_NUMS = {2: range(1, 12), 3: range(1, 4)}  # 如果是月，目前支持1-11；如果是年，目前支持1-3


class ResourceIdsField(serializers.ListField):
    """1–`max_length` resource ids of 1–64 characters, each named once."""

    def __init__(self, *, max_length, **kwargs):
        super().__init__(child=serializers.CharField(min_length=1, max_length=64), min_length=1,
                         max_length=max_length, **kwargs)

    def to_internal_value(self, data):
        ids = super().to_internal_value(data)
        if len(set(ids)) != len(ids):
            raise serializers.ValidationError(_("A resource is named twice."))
        return ids


def failure_rows(failures) -> list[dict]:
    """FailResourceInfo rows of the services' Failures (subscriptions.outcomes.Failure)."""
    return [{"error_code": failure.code, "error_msg": str(failure.message), "resource_id": failure.resource_id}
            for failure in failures]


# -------------------------------------------------------------------------------------------------
# POST /v2/orders/subscriptions/resources/renew
# -------------------------------------------------------------------------------------------------

class RenewalResourcesReq(serializers.Serializer):
    resource_ids = ResourceIdsField(max_length=MAX_RENEW, help_text="Main resource ids only, at most 10.")
    period_type = serializers.ChoiceField(choices=list(PERIOD_TYPES), help_text="2: months, 3: years.")
    period_num = serializers.IntegerField(min_value=1, max_value=11, help_text="Months 1–11, years 1–3.")
    is_auto_pay = serializers.IntegerField(min_value=0, max_value=1, required=False, allow_null=True,
                                           help_text="1: pay from the balance at once; 0 or absent: do not.")

    def validate(self, data):
        if data["period_num"] not in PERIOD_NUMS[data["period_type"]]:
            raise serializers.ValidationError({"period_num": _("Months are 1–11, years 1–3.")})
        return data


class RenewalResourcesResponse(serializers.Serializer):
    order_ids = serializers.ListField(child=serializers.CharField())
    fail_resource_infos = FailResourceInfo(many=True)


# -------------------------------------------------------------------------------------------------
# POST /v2/orders/subscriptions/resources/renew/config
# -------------------------------------------------------------------------------------------------

class RenewResourceConfigReq(serializers.Serializer):
    config_name = serializers.ChoiceField(choices=RenewConfigName.values)
    config_value = serializers.CharField(max_length=8, help_text="DEDUCTION_DATE: 2–7; EXPIRE_DATE: 1–28 or -1.")


class SetResourcesRenewConfigResponse(serializers.Serializer):
    error_code = serializers.CharField()
    error_msg = serializers.CharField()


# -------------------------------------------------------------------------------------------------
# POST / DELETE /v2/orders/subscriptions/resources/autorenew/{resource_id}
# -------------------------------------------------------------------------------------------------

class AutoRenewalResourcesReq(serializers.Serializer):
    auto_renew_times = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=99,
                                                help_text="0: no limit. Absent: keep (0 when first set).")
    period_type = serializers.ChoiceField(choices=AutoRenewPeriod.values, required=False, allow_null=True,
                                          help_text="MONTH or YEAR. Absent: keep (or the last order's period).")


# -------------------------------------------------------------------------------------------------
# POST /v2/orders/subscriptions/resources/unsubscribe
# -------------------------------------------------------------------------------------------------

class UnsubscribeResourcesReq(serializers.Serializer):
    resource_ids = ResourceIdsField(max_length=MAX_UNSUBSCRIBE, help_text="Main resource ids only, at most 10.")
    unsubscribe_type = serializers.ChoiceField(choices=UnsubscribeType.values,
                                               help_text="1: the resource and its renewals; 2: only the renewals.")
    unsubscribe_reason_type = serializers.ChoiceField(choices=UnsubscribeReason.values, required=False,
                                                      allow_null=True)
    unsubscribe_reason = serializers.CharField(max_length=500, required=False, allow_null=True, allow_blank=True)


class CancelResourcesSubscriptionResponse(serializers.Serializer):
    order_ids = serializers.ListField(child=serializers.CharField())
    fail_resource_infos = FailResourceInfo(many=True)


# -------------------------------------------------------------------------------------------------
# POST /v2/orders/subscriptions/resources/to-on-demand (and /instantly)
# -------------------------------------------------------------------------------------------------

class PeriodToOnDemandReq(serializers.Serializer):
    operation = serializers.ChoiceField(choices=["SET_UP", "CANCEL"])
    resource_ids = ResourceIdsField(max_length=MAX_TO_ON_DEMAND, help_text="Main resource ids only, at most 100.")


class UpdatePeriodToOnDemandResponse(serializers.Serializer):
    error_details = ErrorDetail(many=True)


class PeriodToOnDemandInstantlyReq(serializers.Serializer):
    resource_ids = ResourceIdsField(max_length=MAX_INSTANTLY)


class ToOndemandServiceResult(serializers.Serializer):
    resource_id = serializers.CharField()
    result = serializers.ChoiceField(choices=["SUCCESS", "AUDIT", "FAIL"])
    error_code = serializers.CharField(allow_null=True)
    error_msg = serializers.CharField(allow_null=True)
    order_id = serializers.CharField(allow_null=True)


class UpdatePeriodToOnDemandInstantlyResponse(serializers.Serializer):
    to_ondemand_service_results = ToOndemandServiceResult(many=True)


# -------------------------------------------------------------------------------------------------
# GET /v2/orders/customer-orders/refund-orders
# -------------------------------------------------------------------------------------------------

class RefundOrdersQuery(serializers.Serializer):
    order_id = serializers.CharField(max_length=64)
    customer_id = OptionalCharField(max_length=64)
    indirect_partner_id = OptionalCharField(max_length=64)


class OrderRefundInfoV2(serializers.Serializer):
    id = serializers.CharField()
    amount = Money()
    measure_id = serializers.CharField(default="1")
    customer_id = serializers.CharField()
    resource_type_code = serializers.CharField()
    service_type_code = serializers.CharField()
    resource_type_name = serializers.CharField()
    service_type_name = serializers.CharField()
    region_code = serializers.CharField()
    base_order_id = serializers.CharField(allow_null=True)


class ShowRefundOrderDetailsResponse(serializers.Serializer):
    total_count = serializers.IntegerField()
    refund_infos = OrderRefundInfoV2(many=True)
