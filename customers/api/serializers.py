"""Wire shapes of the customers domain's CBC endpoints, named after the official SDK's models."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from partnercenter.api.fields import CbcDateTimeField, OptionalCharField
from partnercenter.api.pagination import OffsetLimitSerializer

from ..choices import AssociationType

__all__ = ["QuerySubCustomerListReq", "CustomerInformation", "ListSubCustomersResponse"]


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
        manager = customer.association.account_manager
        return [{"account_name": manager.user.username}] if manager else []

class ListSubCustomersResponse(serializers.Serializer):
    customer_infos = CustomerInformation(many=True)
    count = serializers.IntegerField()
