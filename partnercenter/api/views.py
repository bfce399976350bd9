"""CBC endpoints of the core: a distributor's cloud resellers."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import selectors
from .fields import CbcDateTimeField, OptionalCharField
from .pagination import OffsetLimitSerializer, page
from .permissions import IsDistributor

__all__ = ["IndirectPartnerQueryApi"]


class IndirectPartnerQueryApi(APIView):
    """POST /v2/partners/indirect-partners/query — 查询云经销商列表 (distributors only)."""

    permission_classes = [IsDistributor]

    class Input(OffsetLimitSerializer):
        account_name = OptionalCharField(max_length=64)
        associated_on_begin = CbcDateTimeField(required=False, allow_null=True)
        associated_on_end = CbcDateTimeField(required=False, allow_null=True)
        indirect_partner_id = OptionalCharField(max_length=64)

    class Output(serializers.Serializer):
        indirect_partner_id = serializers.CharField(source="domain_id")
        mobile_phone = serializers.CharField()
        email = serializers.CharField()
        account_name = serializers.CharField()
        name = serializers.CharField()
        associated_on = CbcDateTimeField()
        account_manager_id = serializers.SerializerMethodField()
        account_manager_name = serializers.SerializerMethodField()

        def get_account_manager_id(self, partner) -> str | None:
            manager = partner.reseller_account_manager
            return manager.user.username if manager else None

        def get_account_manager_name(self, partner) -> str | None:
            manager = partner.reseller_account_manager
            return manager.display_name if manager else None

    class Response(serializers.Serializer):
        count = serializers.IntegerField()
        indirect_partners = serializers.ListField(child=serializers.DictField())

    @extend_schema(request=Input, responses={200: Response}, operation_id="list_indirect_partners")
    def post(self, request):
        params = self.Input(data=request.data)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        queryset = selectors.filter_resellers(
            selectors.resellers_for(request.auth),
            account_name=data.get("account_name"),
            associated_from=data.get("associated_on_begin"),
            associated_to=data.get("associated_on_end"),
            indirect_partner_id=data.get("indirect_partner_id"),
        )
        count, rows = page(queryset, data)
        return Response({"count": count, "indirect_partners": self.Output(rows, many=True).data})
