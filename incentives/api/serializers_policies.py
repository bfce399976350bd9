"""Wire shapes of GET /v2/products/incentive-discount-policies, named after the official SDK's models
(ListIncentiveDiscountPoliciesRequest / …Response, IncentiveAndDiscountPolicy)."""

from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from bills.periods import CYCLE_RE
from catalog.api.serializers import NameField
from partnercenter.api.pagination import OffsetLimitSerializer

__all__ = ["ListIncentiveDiscountPoliciesQuery", "IncentiveAndDiscountPolicy", "ListIncentiveDiscountPoliciesResponse"]


class ListIncentiveDiscountPoliciesQuery(OffsetLimitSerializer):
    # 东八区时间 YYYY-MM: the policies in force at the end of that month (a policy is in force for whole months)
    time = serializers.CharField(max_length=7, validators=[RegexValidator(CYCLE_RE, _("Use the format YYYY-MM."))])
    # absent or null: no filter; an empty string filters (Huawei: 携带值为空串时，作为筛选条件)
    service_type_code = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=64)


class IncentiveAndDiscountPolicy(serializers.Serializer):
    service_type_code = serializers.CharField(source="code")
    service_type_name = NameField()
    incentive_policy = serializers.SerializerMethodField()
    allow_discount = serializers.SerializerMethodField()

    def get_incentive_policy(self, service_type) -> str:
        codes, otherwise = self.context["codes"]
        return str(codes.get(service_type.pk, otherwise))

    def get_allow_discount(self, service_type) -> str:
        return "YES" if service_type.allow_discount else "NO"


class ListIncentiveDiscountPoliciesResponse(serializers.Serializer):
    policies = IncentiveAndDiscountPolicy(many=True)
    total_count = serializers.IntegerField()
