"""CBC endpoints of the customers domain (the customers issue adds registration and the rest)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from partnercenter.api.fields import CbcDateTimeField, OptionalCharField
from partnercenter.api.pagination import OffsetLimitSerializer, page
from partnercenter.errors import Codes, DomainError
from partnercenter.selectors import reseller_for

from .. import selectors
from ..choices import AssociationType

__all__ = ["SubCustomerQueryApi"]


class SubCustomerQueryApi(APIView):
    """POST /v2/partners/sub-customers/query — 查询客户列表."""

    class Input(OffsetLimitSerializer):
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
                    raise serializers.ValidationError({name: "must not contain spaces."})
            return data

    class AccountManager(serializers.Serializer):
        account_name = serializers.CharField()

    class Output(serializers.Serializer):
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

        def get_account_managers(self, customer) -> list[dict]:
            manager = customer.association.account_manager
            return [{"account_name": manager.user.username}] if manager else []

    class Response(serializers.Serializer):
        customer_infos = serializers.ListField(child=serializers.DictField())
        count = serializers.IntegerField()

    @extend_schema(request=Input, responses={200: Response}, operation_id="list_sub_customers")
    def post(self, request):
        actor = request.auth
        params = self.Input(data=request.data)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        indirect_partner_id = data.get("indirect_partner_id")
        if indirect_partner_id and reseller_for(actor, indirect_partner_id) is None:
            raise DomainError(Codes.NOT_FOUND, "The indirect partner does not exist.")
        queryset = selectors.filter_customers(
            selectors.customers_for(actor, indirect_partner_id=indirect_partner_id),
            account_name=data.get("account_name"),
            real_name=data.get("customer"),
            customer_id=data.get("customer_id"),
            label=data.get("label"),
            association_type=data.get("association_type"),
            associated_from=data.get("associated_on_begin"),
            associated_to=data.get("associated_on_end"),
        )
        count, rows = page(queryset, data)
        for customer in rows:
            customer.association = customer.active_associations[0]
        return Response({"customer_infos": self.Output(rows, many=True).data, "count": count})
