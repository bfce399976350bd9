"""CBC endpoints of the customers domain: thin — parse the wire, call a selector or service, render."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from partnercenter.api.pagination import page, page_rows
from partnercenter.api.permissions import IsPartnerOrCustomer
from partnercenter.api.serializers import cbc_responses
from partnercenter.api.views import named_owner
from partnercenter.errors import Codes, DomainError

from .. import selectors, services
from ..choices import ChargingMode, OnDemandStatus
from ..errors import CustomerCodes
from ..filters import CustomerFilter, ResourceFilter
from .serializers import (
    CheckSubcustomerUserReq, CheckUserIdentityResponse, CreateCustomerV2Req, CreateSubCustomerResponse,
    CustomerInformation, CustomerOnDemandResource, ListCustomerOnDemandResourcesResponse,
    ListPayPerUseCustomerResourcesResponse, ListSubCustomerNewTagReq, ListSubCustomerNewTagResponse,
    ListSubCustomersResponse, NewCustomerTagItem, OrderInstanceV2, QueryCustomerOnDemandResourcesReq,
    QueryResourcesReq, QuerySubCustomerListReq, SendVerificationCodeV2Req,
)

__all__ = [
    "SubCustomerQueryApi", "CheckIdentityApi", "SendVerificationCodeApi", "CreateSubCustomerApi",
    "OnDemandResourcesApi", "PeriodResourcesApi", "NewCustomerTagsApi",
]


def _valid(serializer_class, request) -> dict:
    params = serializer_class(data=request.data)
    params.is_valid(raise_exception=True)
    return params.validated_data


class SubCustomerQueryApi(APIView):
    """POST /v2/partners/sub-customers/query — 查询客户列表."""

    required_permission = "customers.view"

    @extend_schema(request=QuerySubCustomerListReq, responses=cbc_responses(ListSubCustomersResponse),
                   operation_id="list_sub_customers")
    def post(self, request):
        actor = request.auth
        data = _valid(QuerySubCustomerListReq, request)
        indirect_partner_id = data.get("indirect_partner_id")
        named_owner(actor, indirect_partner_id)
        queryset = CustomerFilter.from_wire(
            data, selectors.customers_on_the_wire(actor, indirect_partner_id=indirect_partner_id))
        count, rows = page(queryset, data)
        rows = [selectors.with_association(customer) for customer in rows]
        return Response({"customer_infos": CustomerInformation(rows, many=True).data, "count": count})


class CheckIdentityApi(APIView):
    """POST /v2/partners/sub-customers/users/check-identity — 校验客户注册信息."""

    required_permission = "customers.manage"
    throttle_scope = "cbc.identity"

    @extend_schema(request=CheckSubcustomerUserReq, responses=cbc_responses(CheckUserIdentityResponse),
                   operation_id="check_user_identity")
    def post(self, request):
        data = _valid(CheckSubcustomerUserReq, request)
        return Response(services.check_identity(request.auth, search_type=data["search_type"],
                                                search_value=data["search_value"]))


class SendVerificationCodeApi(APIView):
    """POST /v2/bases/verificationcode/send — 发送验证码 (an SMS code for registration)."""

    required_permission = "customers.manage"
    throttle_scope = "cbc.code"

    @extend_schema(request=SendVerificationCodeV2Req, responses=cbc_responses(None),
                   operation_id="send_verification_message_code")
    def post(self, request):
        data = _valid(SendVerificationCodeV2Req, request)
        services.send_registration_code(
            request.auth, mobile_phone=data["mobile_phone"], timeout=data.get("timeout"),
            lang=data.get("lang") or "zh-cn", scene=data.get("scene") or 29, customer_id=data.get("customer_id"),
        )
        return Response(status=204)


class CreateSubCustomerApi(APIView):
    """POST /v2/partners/sub-customers — 创建客户."""

    required_permission = "customers.manage"

    @extend_schema(request=CreateCustomerV2Req, responses=cbc_responses(CreateSubCustomerResponse),
                   operation_id="create_sub_customer")
    def post(self, request):
        data = _valid(CreateCustomerV2Req, request)
        named_owner(request.auth, data.get("indirect_partner_id"))
        customer = services.create_customer(
            request.auth, xaccount_id=data["xaccount_id"], xaccount_type=data["xaccount_type"],
            domain_name=data.get("domain_name") or "", mobile_phone=data.get("mobile_phone") or "",
            verification_code=data.get("verification_code") or "", password=data.get("password"),
            cooperation_type=data.get("cooperation_type"), indirect_partner_id=data.get("indirect_partner_id"),
            is_close_market_ms=(data.get("is_close_market_ms") or "").lower() == "true",
        )
        return Response({"domain_id": customer.domain_id, "domain_name": customer.domain_name})


class OnDemandResourcesApi(APIView):
    """POST /v2/partners/sub-customers/on-demand-resources/query — a resale customer's pay-per-use resources."""

    required_permission = "customers.view"

    @extend_schema(request=QueryCustomerOnDemandResourcesReq,
                   responses=cbc_responses(ListCustomerOnDemandResourcesResponse),
                   operation_id="list_customer_on_demand_resources")
    def post(self, request):
        actor = request.auth
        data = _valid(QueryCustomerOnDemandResourcesReq, request)
        indirect_partner_id = data.get("indirect_partner_id")
        named_owner(actor, indirect_partner_id)
        customer = selectors.customer_for(actor, data["customer_id"], indirect_partner_id=indirect_partner_id)
        if customer is None:
            raise DomainError(Codes.NOT_FOUND)
        if not services.is_resale(customer.active_associations[0]):
            raise DomainError(CustomerCodes.NOT_RESALE)
        queryset = ResourceFilter.from_wire(
            data, selectors.resources_for(actor, customer, ChargingMode.ON_DEMAND).select_related("customer"),
            statuses=OnDemandStatus.choices,
        )
        count, rows = page(queryset, data)
        return Response({"resources": CustomerOnDemandResource(rows, many=True).data, "total_count": count})


class PeriodResourcesApi(APIView):
    """POST /v2/orders/suscriptions/resources/query — yearly/monthly resources of a partner's customer
    (customer_id required) or, with a customer's key, of that customer."""

    permission_classes = [IsPartnerOrCustomer]
    required_permission = "customers.view"  # for partner keys; a customer key reads its own

    @extend_schema(request=QueryResourcesReq, responses=cbc_responses(ListPayPerUseCustomerResourcesResponse),
                   operation_id="list_pay_per_use_customer_resources")
    def post(self, request):
        actor = request.auth
        data = _valid(QueryResourcesReq, request)
        if actor.is_customer:
            customer = actor.customer
        else:
            if not data.get("customer_id"):
                raise DomainError(Codes.PARAMETER, _("customer_id is required when a partner queries."))
            customer = selectors.customer_for(actor, data["customer_id"])
            if customer is None:
                raise DomainError(Codes.NOT_FOUND)
        if data.get("service_type_code") == "":
            raise DomainError(Codes.PARAMETER, _("service_type_code must not be empty."))
        queryset = ResourceFilter.from_wire(data, selectors.resources_for(actor, customer, ChargingMode.PERIOD))
        count, rows = page(queryset, data)
        return Response({"data": OrderInstanceV2(rows, many=True).data, "total_count": count})


class NewCustomerTagsApi(APIView):
    """POST /v2/partners/sub-customers/new-customers-tags/batch-query — 查询客户新客标签."""

    required_permission = "customers.view"

    @extend_schema(request=ListSubCustomerNewTagReq, responses=cbc_responses(ListSubCustomerNewTagResponse),
                   operation_id="list_sub_customer_new_tag")
    def post(self, request):
        actor = request.auth
        data = _valid(ListSubCustomerNewTagReq, request)
        indirect_partner_id = data.get("indirect_partner_id")
        named_owner(actor, indirect_partner_id)
        tags = selectors.new_customer_tags_for(actor, customer_ids=data.get("customer_ids"),
                                               indirect_partner_id=indirect_partner_id)
        rows = page_rows(tags, data)  # the answer has no count: none is run
        return Response({"new_customer_tags": NewCustomerTagItem(rows, many=True).data})
