"""Wire shapes of the core's CBC endpoints, named after the official SDK's models."""

from rest_framework import serializers

from .fields import CbcDateTimeField, OptionalCharField
from .pagination import OffsetLimitSerializer

__all__ = [
    "ErrorResponse", "cbc_responses", "QueryIndirectPartnersReq", "IndirectPartnerInfo", "ListIndirectPartnersResponse",
]


class ErrorResponse(serializers.Serializer):
    """Huawei's error body."""

    error_code = serializers.CharField()
    error_msg = serializers.CharField()


def cbc_responses(ok) -> dict:
    """The responses every CBC endpoint documents: its own 200 and the gateway's errors."""
    return {200: ok, 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse}


class QueryIndirectPartnersReq(OffsetLimitSerializer):
    account_name = OptionalCharField(max_length=64)
    associated_on_begin = CbcDateTimeField(required=False, allow_null=True)
    associated_on_end = CbcDateTimeField(required=False, allow_null=True)
    indirect_partner_id = OptionalCharField(max_length=64)


class IndirectPartnerInfo(serializers.Serializer):
    indirect_partner_id = serializers.CharField(source="domain_id")
    mobile_phone = serializers.CharField()
    email = serializers.CharField()
    account_name = serializers.CharField()
    name = serializers.CharField()
    associated_on = CbcDateTimeField(allow_null=True)
    account_manager_id = serializers.SerializerMethodField()
    account_manager_name = serializers.SerializerMethodField()

    def get_account_manager_id(self, partner) -> str | None:
        manager = partner.reseller_account_manager
        return manager.user.username if manager else None

    def get_account_manager_name(self, partner) -> str | None:
        manager = partner.reseller_account_manager
        return manager.display_name if manager else None


class ListIndirectPartnersResponse(serializers.Serializer):
    count = serializers.IntegerField()
    indirect_partners = IndirectPartnerInfo(many=True)
