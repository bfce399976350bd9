"""Wire shapes of the vouchers endpoints, named after the official SDK's models."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from partnercenter.api.fields import AmountField, CbcDateTimeField, OptionalCharField
from partnercenter.api.pagination import OffsetLimitSerializer

from ..choices import CouponOperation, CouponStatus, CouponType, QuotaStatus

__all__ = [
    "QueryCouponQuotasReqExt", "CouponQuotaV2", "ListQuotaCouponsResponse", "CreatePartnerCouponsReq",
    "ErrorDetail", "CouponSimpleInfo", "CreatePartnerCouponsResponse", "ReclaimPartnerCouponsReq",
    "IssuedCouponsQuery", "IQueryUserPartnerCouponsResultV2", "ListIssuedPartnerCouponsResponse",
    "CouponRecordsQuery", "CouponRecordV2", "ListPartnerCouponsRecordResponse", "CustomerCouponsQuery",
    "IQueryUserCouponsResultV2", "ListSubCustomerCouponsResponse", "AdjustCouponQuotasReq", "QuotaSimpleInfo",
    "UpdateCouponQuotasResponse", "ReclaimCouponQuotasReq", "QuotaReclaim", "ReclaimCouponQuotasResponse",
    "IssuedQuotasQuery", "IssuedCouponQuota", "ListIssuedCouponQuotasResponse", "QuotaRecordsQuery", "QuotaRecord",
    "ListCouponQuotasRecordsResponse",
]

Money = lambda **kw: serializers.DecimalField(max_digits=18, decimal_places=2, coerce_to_string=False, **kw)  # noqa: E731


class LimitValue(serializers.Serializer):
    value1 = serializers.CharField()
    value2 = serializers.CharField(allow_blank=True, default="")


class QuotaLimitInfo(serializers.Serializer):
    limit_key = serializers.CharField()
    limit_values = LimitValue(many=True)


def limit_infos(obj) -> list[dict]:
    infos = []
    if obj.cloud_service_types:
        infos.append({"limit_key": "CLOUD_SERVICE_TYPE", "limit_values": [{"value1": v, "value2": ""}
                                                                           for v in obj.cloud_service_types]})
    if obj.product_ids:
        infos.append({"limit_key": "PRODUCT_ID", "limit_values": [{"value1": v, "value2": ""} for v in obj.product_ids]})
    return infos


class QueryCouponQuotasReqExt(OffsetLimitSerializer):
    quota_ids = serializers.ListField(child=serializers.CharField(max_length=64), required=False, allow_null=True)
    quota_status_list = serializers.ListField(child=serializers.ChoiceField(choices=QuotaStatus.values), required=False,
                                              allow_null=True)
    quota_type = serializers.IntegerField(min_value=0, max_value=1, required=False, allow_null=True)
    create_time_begin = CbcDateTimeField(required=False, allow_null=True)
    create_time_end = CbcDateTimeField(required=False, allow_null=True)
    effective_time_begin = CbcDateTimeField(required=False, allow_null=True)
    effective_time_end = CbcDateTimeField(required=False, allow_null=True)
    expire_time_begin = CbcDateTimeField(required=False, allow_null=True)
    expire_time_end = CbcDateTimeField(required=False, allow_null=True)
    indirect_partner_id = OptionalCharField(max_length=64)


class CouponQuotaV2(serializers.Serializer):
    quota_id = serializers.CharField()
    quota_type = serializers.IntegerField()
    create_time = CbcDateTimeField(source="created_at")
    last_update_time = CbcDateTimeField(source="updated_at")
    quota_value = Money()
    quota_status = serializers.IntegerField(source="status")
    balance = Money()
    measure_id = serializers.IntegerField(default=1)
    currency = serializers.CharField(default="CNY")
    effective_time = CbcDateTimeField()
    expire_time = CbcDateTimeField()
    limit_infos = serializers.SerializerMethodField()

    @extend_schema_field(QuotaLimitInfo(many=True))
    def get_limit_infos(self, quota):
        return limit_infos(quota)


class ListQuotaCouponsResponse(serializers.Serializer):
    total_count = serializers.IntegerField()
    quotas = CouponQuotaV2(many=True)


class CreatePartnerCouponsReq(serializers.Serializer):
    quota_id = serializers.CharField(max_length=64)
    customer_ids = serializers.ListField(child=serializers.CharField(max_length=64), min_length=1, max_length=100)
    face_value = AmountField()
    valid_time = CbcDateTimeField(required=False, allow_null=True)
    expire_time = CbcDateTimeField(required=False, allow_null=True)
    cloud_service_types = serializers.ListField(child=serializers.CharField(max_length=64), required=False,
                                                allow_null=True)
    product_ids = serializers.ListField(child=serializers.CharField(max_length=64), required=False, allow_null=True)
    memo = serializers.CharField(max_length=255, required=False, allow_null=True, allow_blank=True)
    indirect_partner_id = OptionalCharField(max_length=64)


class ErrorDetail(serializers.Serializer):
    error_code = serializers.CharField()
    error_msg = serializers.CharField()
    id = serializers.CharField()


class CouponSimpleInfo(serializers.Serializer):
    id = serializers.CharField()
    coupon_id = serializers.CharField()


class CreatePartnerCouponsResponse(serializers.Serializer):
    error_details = ErrorDetail(many=True)
    coupon_infos = CouponSimpleInfo(many=True)


class ReclaimPartnerCouponsReq(serializers.Serializer):
    coupon_id = serializers.CharField(max_length=64)
    indirect_partner_id = OptionalCharField(max_length=64)


class IssuedCouponsQuery(OffsetLimitSerializer):
    coupon_id = OptionalCharField(max_length=64)
    customer_id = OptionalCharField(max_length=64)
    order_id = OptionalCharField(max_length=64)
    coupon_type = serializers.ChoiceField(choices=CouponType.values, required=False, allow_null=True)
    status = serializers.ChoiceField(choices=CouponStatus.values, required=False, allow_null=True)
    create_time_begin = CbcDateTimeField(required=False, allow_null=True)
    create_time_end = CbcDateTimeField(required=False, allow_null=True)
    effective_time_begin = CbcDateTimeField(required=False, allow_null=True)
    effective_time_end = CbcDateTimeField(required=False, allow_null=True)
    expire_time_begin = CbcDateTimeField(required=False, allow_null=True)
    expire_time_end = CbcDateTimeField(required=False, allow_null=True)
    indirect_partner_id = OptionalCharField(max_length=64)


class ICouponUseLimitInfoV2(serializers.Serializer):
    use_limiti_info_id = serializers.CharField()
    limit_key = serializers.CharField()
    value1 = serializers.CharField()
    value2 = serializers.CharField()
    value_unit = serializers.CharField()
    limit_type = serializers.CharField()
    promotion_plan_id = serializers.CharField()


def use_limits(coupon) -> list[dict]:
    limits = [("CLOUD_SERVICE_TYPE", v) for v in coupon.cloud_service_types] + [("PRODUCT_ID", v) for v in coupon.product_ids]
    return [{"use_limiti_info_id": f"{coupon.coupon_id[:8]}-{n}", "limit_key": key, "value1": value, "value2": "",
             "value_unit": "", "limit_type": "", "promotion_plan_id": ""} for n, (key, value) in enumerate(limits)]


class _CouponBase(serializers.Serializer):
    coupon_id = serializers.CharField()
    status = serializers.IntegerField()
    customer_id = serializers.CharField(source="customer.domain_id")
    coupon_type = serializers.IntegerField()
    measure_id = serializers.IntegerField(default=1)
    face_value = Money()
    expire_time = CbcDateTimeField()
    order_id = serializers.CharField(default="")
    promotion_plan_id = serializers.CharField(default="")
    media_type = serializers.IntegerField(default=1)
    fetch_method = serializers.IntegerField(default=3)
    use_limits = serializers.SerializerMethodField()
    create_time = CbcDateTimeField(source="created_at")
    balance = Money()
    lock_order_id = serializers.CharField(default="")
    is_frozen = serializers.CharField(default="0")

    @extend_schema_field(ICouponUseLimitInfoV2(many=True))
    def get_use_limits(self, coupon):
        return use_limits(coupon)


class IQueryUserPartnerCouponsResultV2(_CouponBase):
    effective_time = CbcDateTimeField(source="valid_time")
    promotion_plan_name = serializers.CharField(default="")
    promotion_plan_desc = serializers.CharField(source="remark")  # the issuer's own remark, partners only
    active_time = CbcDateTimeField(source="valid_time")
    last_used_time = CbcDateTimeField(source="last_used_at", allow_null=True)
    promotion_id = serializers.CharField(default="")


class ListIssuedPartnerCouponsResponse(serializers.Serializer):
    total_count = serializers.IntegerField()
    user_coupons = IQueryUserPartnerCouponsResultV2(many=True)


class CouponRecordsQuery(OffsetLimitSerializer):
    operation_types = serializers.ListField(child=serializers.ChoiceField(choices=CouponOperation.values),
                                            required=False)
    quota_id = OptionalCharField(max_length=64)
    quota_type = serializers.IntegerField(min_value=0, max_value=1, required=False, allow_null=True)
    coupon_ids = serializers.ListField(child=serializers.CharField(max_length=64), required=False)
    customer_id = OptionalCharField(max_length=64)
    operation_time_begin = CbcDateTimeField(required=False)
    operation_time_end = CbcDateTimeField(required=False)
    result = OptionalCharField(max_length=2)
    indirect_partner_id = OptionalCharField(max_length=64)


class CouponRecordV2(serializers.Serializer):
    id = serializers.CharField(source="pk")
    operation_type = serializers.CharField()
    quota_id = serializers.CharField(source="quota.quota_id", allow_null=True)
    quota_type = serializers.IntegerField(source="quota.quota_type", allow_null=True)
    coupon_id = serializers.CharField(source="coupon.coupon_id", allow_null=True)
    customer_id = serializers.CharField(source="customer.domain_id", allow_null=True)
    operation_amount = Money(source="amount")
    operation_time = CbcDateTimeField(source="created_at")
    result = serializers.CharField()
    remark = serializers.CharField()


class ListPartnerCouponsRecordResponse(serializers.Serializer):
    total_count = serializers.IntegerField()
    records = CouponRecordV2(many=True)


class CustomerCouponsQuery(OffsetLimitSerializer):
    coupon_id = OptionalCharField(max_length=64)
    coupon_type = serializers.ChoiceField(choices=[1, 2, 3, 4], required=False, allow_null=True)
    status = serializers.ChoiceField(choices=CouponStatus.values, required=False, allow_null=True)
    source_id = OptionalCharField(max_length=64)


class IQueryUserCouponsResultV2(_CouponBase):
    """What a customer sees of a coupon: never the issuer's remark."""

    coupon_code = serializers.CharField(source="coupon_id")
    valid_time = CbcDateTimeField()
    plan_name = serializers.CharField(default="")
    plan_desc = serializers.CharField(default="")
    active_time = CbcDateTimeField(source="valid_time")
    coupon_version = serializers.IntegerField(default=2)
    currency = serializers.CharField(default="CNY")
    source_id = serializers.CharField(source="partner.domain_id")


class ListSubCustomerCouponsResponse(serializers.Serializer):
    count = serializers.IntegerField()
    user_coupons = IQueryUserCouponsResultV2(many=True)


class AdjustCouponQuotasReq(serializers.Serializer):
    quota_id = serializers.CharField(max_length=64)
    indirect_partner_ids = serializers.ListField(child=serializers.CharField(max_length=64), min_length=1,
                                                 max_length=100)
    quota_amount = AmountField()


class QuotaSimpleInfo(serializers.Serializer):
    id = serializers.CharField()
    quota_id = serializers.CharField()


class UpdateCouponQuotasResponse(serializers.Serializer):
    error_details = ErrorDetail(many=True)
    simple_quota_infos = QuotaSimpleInfo(many=True)


class ReclaimCouponQuotasReq(serializers.Serializer):
    quota_ids = serializers.ListField(child=serializers.CharField(max_length=64), min_length=1, max_length=100)
    remark = serializers.CharField(max_length=255, required=False, allow_null=True, allow_blank=True)


class QuotaReclaim(serializers.Serializer):
    quota_id = serializers.CharField()
    quota_balance = Money()


class ReclaimCouponQuotasResponse(serializers.Serializer):
    error_details = ErrorDetail(many=True)
    simple_quota_infos = QuotaReclaim(many=True)


class IssuedQuotasQuery(OffsetLimitSerializer):
    quota_id = OptionalCharField(max_length=64)
    indirect_partner_id = OptionalCharField(max_length=64)
    parent_quota_id = OptionalCharField(max_length=64)


class IssuedCouponQuota(CouponQuotaV2):
    indirect_partner_id = serializers.CharField(source="partner.domain_id")
    indirect_partner_account_name = serializers.CharField(source="partner.account_name")
    indirect_partner_name = serializers.CharField(source="partner.name")
    parent_quota_id = serializers.CharField(source="parent.quota_id")


class ListIssuedCouponQuotasResponse(serializers.Serializer):
    total_count = serializers.IntegerField()
    quotas = IssuedCouponQuota(many=True)


class QuotaRecordsQuery(OffsetLimitSerializer):
    indirect_partner_id = OptionalCharField(max_length=64)
    quota_id = OptionalCharField(max_length=64)
    parent_quota_id = OptionalCharField(max_length=64)
    operation_time_begin = CbcDateTimeField(required=False)
    operation_time_end = CbcDateTimeField(required=False)
    operation_type = OptionalCharField(max_length=2)


class QuotaRecord(serializers.Serializer):
    id = serializers.CharField(source="pk")
    operator = serializers.CharField()
    operation_type = serializers.CharField()
    quota_id = serializers.CharField(source="quota.quota_id")
    parent_quota_id = serializers.CharField(source="parent_quota.quota_id")
    amount = Money()
    operation_time = CbcDateTimeField(source="created_at")
    result = serializers.CharField()
    indirect_partner_account_name = serializers.CharField(source="reseller.account_name")
    indirect_partner_id = serializers.CharField(source="reseller.domain_id")
    indirect_partner_name = serializers.CharField(source="reseller.name")
    remark = serializers.CharField()


class ListCouponQuotasRecordsResponse(serializers.Serializer):
    total_count = serializers.IntegerField()
    records = QuotaRecord(many=True)
