"""Wire shapes of the core's CBC endpoints, named after the official SDK's models."""

from rest_framework import serializers

from .fields import CbcDateTimeField, OptionalCharField
from .pagination import OffsetLimitSerializer

__all__ = [
    "ErrorResponse", "cbc_responses", "QueryIndirectPartnersReq", "IndirectPartnerInfo", "ListIndirectPartnersResponse",
    "WhoAmIResponse",
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


class WhoAmIPartner(serializers.Serializer):
    domain_id = serializers.CharField()
    account_name = serializers.CharField()
    name = serializers.CharField()
    partner_type = serializers.CharField()


class WhoAmICustomer(serializers.Serializer):
    customer_id = serializers.CharField(source="domain_id")
    account_name = serializers.CharField(source="domain_name")
    name = serializers.CharField(source="real_name")


class WhoAmIResponse(serializers.Serializer):
    """Who a signed call acts as (GET /v1/whoami), read from the actor the gateway built: no query of its own.
    Exactly one of `partner` and `customer` is set; `permissions` are the key owner's rights at that partner
    (empty for a customer key, which the customer endpoints admit without a partner right)."""

    domain_id = serializers.SerializerMethodField()
    access_key = serializers.CharField(source="access_key.ak")
    user_name = serializers.CharField(source="user.username")
    partner = WhoAmIPartner(allow_null=True)
    customer = WhoAmICustomer(allow_null=True)
    permissions = serializers.SerializerMethodField()

    def get_domain_id(self, actor) -> str:
        return (actor.partner or actor.customer).domain_id

    def get_permissions(self, actor) -> list[str]:
        return sorted(actor.permissions)
