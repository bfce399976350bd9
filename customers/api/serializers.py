"""Wire shapes of the customers domain's CBC endpoints, named after the official SDK's models."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from partnercenter.api.fields import CbcDateTimeField, OptionalCharField
from partnercenter.api.pagination import OffsetLimitSerializer

from ..choices import AssociationType

__all__ = [
    "QuerySubCustomerListReq", "CustomerInformation", "ListSubCustomersResponse", "CheckSubcustomerUserReq",
    "CheckUserIdentityResponse", "SendVerificationCodeV2Req", "CreateCustomerV2Req", "CreateSubCustomerResponse",
    "QueryCustomerOnDemandResourcesReq", "CustomerOnDemandResource", "ListCustomerOnDemandResourcesResponse",
    "QueryResourcesReq", "OrderInstanceV2", "ListPayPerUseCustomerResourcesResponse", "ListSubCustomerNewTagReq",
    "NewCustomerTagItem", "ListSubCustomerNewTagResponse",
]


class QuerySubCustomerListReq(OffsetLimitSerializer):
    account_name = OptionalCharField(max_length=64)
    customer = OptionalCharField(max_length=128)
    label = OptionalCharField(max_length=64)
    association_type = serializers.ChoiceField(
        choices=AssociationType.values + [""], required=False, allow_null=True, allow_blank=True
    )
    associated_on_begin = CbcDateTimeField(required=False, allow_null=True)
    associated_on_end = CbcDateTimeField(required=False, allow_null=True)
    customer_id = OptionalCharField(max_length=64)
    indirect_partner_id = OptionalCharField(max_length=64)

    def validate(self, data):
        for name in ("account_name", "customer", "label"):
            if data.get(name) and " " in data[name]:
                raise serializers.ValidationError({name: _("must not contain spaces.")})
        return data

class AccountManager(serializers.Serializer):
    account_name = serializers.CharField()

class CustomerInformation(serializers.Serializer):
    customer = serializers.CharField(source="real_name")
    account_name = serializers.CharField(source="domain_name")
    customer_id = serializers.CharField(source="domain_id")
    associated_on = CbcDateTimeField(source="association.associated_on")
    association_type = serializers.CharField(source="association.association_type")
    label = serializers.CharField(source="association.label")
    telephone = serializers.CharField(source="mobile_phone")
    verified_status = serializers.CharField()
    country_code = serializers.CharField()
    customer_type = serializers.IntegerField()
    is_frozen = serializers.IntegerField()
    account_managers = serializers.SerializerMethodField()
    xaccount_id = serializers.CharField()
    xaccount_type = serializers.CharField()
    customer_level = serializers.CharField()
    email = serializers.CharField()

    @extend_schema_field(AccountManager(many=True))
    def get_account_managers(self, customer):
        name = customer.association.manager_name
        return [{"account_name": name}] if name else []

class ListSubCustomersResponse(serializers.Serializer):
    customer_infos = CustomerInformation(many=True)
    count = serializers.IntegerField()


# ---------------------------------------------------------------------------------------------
# Registration
# ---------------------------------------------------------------------------------------------

class CheckSubcustomerUserReq(serializers.Serializer):
    search_type = serializers.ChoiceField(choices=["email", "mobile", "name"])
    search_value = serializers.CharField(max_length=64)


class CheckUserIdentityResponse(serializers.Serializer):
    check_result = serializers.CharField()
    mobile_remain_available_num = serializers.IntegerField(required=False)


class SendVerificationCodeV2Req(serializers.Serializer):
    receiver_type = serializers.ChoiceField(choices=[1])
    timeout = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    mobile_phone = serializers.CharField(max_length=32)
    lang = serializers.ChoiceField(choices=["zh-cn", "en-us"], required=False, allow_null=True)
    scene = serializers.ChoiceField(choices=[18, 29], required=False, allow_null=True)
    customer_id = OptionalCharField(max_length=64)


class CreateCustomerV2Req(serializers.Serializer):
    domain_name = OptionalCharField(max_length=64)
    mobile_phone = serializers.CharField(max_length=32, required=False, allow_null=True, allow_blank=True)
    verification_code = serializers.CharField(max_length=16, required=False, allow_null=True)
    xaccount_id = serializers.CharField(max_length=64)
    xaccount_type = serializers.CharField(max_length=64)
    password = serializers.CharField(max_length=64, required=False, allow_null=True, trim_whitespace=False)
    is_close_market_ms = OptionalCharField(max_length=5)
    cooperation_type = OptionalCharField(max_length=2)
    indirect_partner_id = OptionalCharField(max_length=64)
    include_association_result = serializers.BooleanField(required=False, allow_null=True)


class CreateSubCustomerResponse(serializers.Serializer):
    domain_id = serializers.CharField()
    domain_name = serializers.CharField()


# ---------------------------------------------------------------------------------------------
# Resources
# ---------------------------------------------------------------------------------------------

class ResourceIdsField(serializers.ListField):
    def __init__(self, **kwargs):
        super().__init__(child=serializers.CharField(max_length=64), max_length=50, required=False, **kwargs)


class QueryCustomerOnDemandResourcesReq(OffsetLimitSerializer):
    customer_id = serializers.CharField(max_length=64)
    region_code = OptionalCharField(max_length=32)
    service_type_code = OptionalCharField(max_length=64)
    resource_ids = ResourceIdsField(allow_null=True)
    effective_time_begin = CbcDateTimeField(required=False, allow_null=True)
    effective_time_end = CbcDateTimeField(required=False, allow_null=True)
    status = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=6)
    indirect_partner_id = OptionalCharField(max_length=64)


class CustomerOnDemandResource(serializers.Serializer):
    customer_id = serializers.CharField(source="customer.domain_id")
    region_code = serializers.CharField()
    availability_zone_code = serializers.CharField()
    service_type_code = serializers.CharField()
    resource_type_code = serializers.CharField()
    service_type_name = serializers.CharField()
    resource_type_name = serializers.CharField()
    resource_id = serializers.CharField()
    resource_name = serializers.CharField()
    effective_time = CbcDateTimeField()
    expire_time = CbcDateTimeField(allow_null=True)
    status = serializers.IntegerField()
    resource_spec_code = serializers.CharField()
    resource_info = serializers.CharField()
    product_spec_desc = serializers.CharField()


class ListCustomerOnDemandResourcesResponse(serializers.Serializer):
    resources = CustomerOnDemandResource(many=True)
    total_count = serializers.IntegerField()


class QueryResourcesReq(OffsetLimitSerializer):
    resource_ids = ResourceIdsField()
    order_id = OptionalCharField(max_length=64)
    only_main_resource = serializers.ChoiceField(choices=[0, 1], required=False, allow_null=True)
    status_list = serializers.ListField(child=serializers.ChoiceField(choices=[2, 3, 4, 5]), required=False)
    expire_time_begin = CbcDateTimeField(required=False, allow_null=True)
    expire_time_end = CbcDateTimeField(required=False, allow_null=True)
    service_type_code = serializers.CharField(max_length=64, required=False, allow_null=True)
    customer_id = OptionalCharField(max_length=64)


class OrderInstanceV2(serializers.Serializer):
    id = serializers.CharField(source="pk")
    resource_id = serializers.CharField()
    resource_name = serializers.CharField()
    region_code = serializers.CharField()
    service_type_code = serializers.CharField()
    resource_type_code = serializers.CharField()
    resource_type_name = serializers.CharField()
    service_type_name = serializers.CharField()
    resource_spec_code = serializers.CharField()
    project_id = serializers.CharField()
    product_id = serializers.CharField()
    parent_resource_id = serializers.CharField()
    is_main_resource = serializers.IntegerField()
    status = serializers.IntegerField()
    effective_time = CbcDateTimeField()
    expire_time = CbcDateTimeField(allow_null=True)
    expire_policy = serializers.IntegerField(allow_null=True)
    product_spec_desc = serializers.CharField()
    update_time = CbcDateTimeField(source="updated_at")


class ListPayPerUseCustomerResourcesResponse(serializers.Serializer):
    data = OrderInstanceV2(many=True)
    total_count = serializers.IntegerField()


# ---------------------------------------------------------------------------------------------
# New-customer tags
# ---------------------------------------------------------------------------------------------

class ListSubCustomerNewTagReq(OffsetLimitSerializer):
    customer_ids = serializers.ListField(child=serializers.CharField(max_length=64), required=False, allow_null=True,
                                         max_length=100)
    indirect_partner_id = OptionalCharField(max_length=64)


class NewCustomerTagItem(serializers.Serializer):
    customer_id = serializers.CharField(source="customer.domain_id")
    customer_tag_type = serializers.CharField(source="tag_type")
    new_customer_tag = serializers.CharField(source="tag")
    effective_time = serializers.CharField(source="effective_month")
    expire_time = serializers.CharField(source="expire_month")


class ListSubCustomerNewTagResponse(serializers.Serializer):
    new_customer_tags = NewCustomerTagItem(many=True)
