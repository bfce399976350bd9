"""CBC subscription endpoints: renew, renew settings, auto-renew, unsubscribe, switch to pay-per-use (at
expiry and at once), and the refund details of an unsubscription order.

Thin: parse the wire (serializers.py, the official SDK's models), call a service, render. Each service
decides which resources may be acted on and raises a DomainError for a refusal of the whole request;
a refusal of one resource of a batch comes back as a `Failure` row and is rendered in the endpoint's
per-row list (`fail_resource_infos`, `error_details`, `to_ondemand_service_results`), the other resources
still proceeding.

**Who calls.** Every write here is the customer's own act on its own resources, as Huawei documents it
(客户可以…): customer keys only — a partner key gets CBC.0151 (a partner acts for a customer holding its
代客运维 grant from the partner pages). A resource of anyone else is not found (CBC.0156 in its row, or
for the whole request where there is no row). `refund-orders` is a read open to partner keys holding
orders.view (a distributor naming `indirect_partner_id` reads that reseller's) and to customer keys.

**Answers.** renew and unsubscribe answer 200 with the orders made and the refused resources; auto-renew
set/cancel answer 204 (no body: the SDK's responses have no field); renew/config answers 200 with
`error_code` CBC.0000 and `error_msg` (the SDK's model of it has these two fields only).

**Unsubscribe refused as a whole (decided).** Huawei documents unsubscribe's refusals as HTTP 400 errors of
the request (400 CBC.0100 参数错误, 400 CBC.30000053 资源计费模式是节省计划，不支持退订) and its
`fail_resource_infos` as a reserved field (该字段为预留字段). So when nothing was unsubscribed and every
resource named was refused for one same reason, the request fails with that code and its HTTP status (400
for CBC.30000053 and every other refusal of a resource; 404 CBC.0156 for resources that are not the
customer's; 409 when the refund kept changing under us) — what the official SDK raises as a
ClientRequestException. A batch where some resources were unsubscribed, or refused for different reasons,
still answers 200 with the orders made and one `fail_resource_infos` row per refused resource (each
resource is done in its own transaction, so the done ones stay done). renew (whose `fail_resource_infos`
is documented) and the to-on-demand endpoints (documented per row) keep their rows.
"""

from decimal import Decimal

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from billing.api.idempotency import idempotent
from partnercenter.api.permissions import IsCustomer, IsPartnerOrCustomer
from partnercenter.api.serializers import cbc_responses
from partnercenter.api.views import named_owner
from partnercenter.errors import DomainError
from trade import selectors as trade_selectors
from trade.errors import TradeCodes

from .. import selectors, services
from .serializers import (
    AutoRenewalResourcesReq, CancelResourcesSubscriptionResponse, OrderRefundInfoV2, PeriodToOnDemandInstantlyReq,
    PeriodToOnDemandReq, RefundOrdersQuery, RenewalResourcesReq, RenewalResourcesResponse, RenewResourceConfigReq,
    SetResourcesRenewConfigResponse, ShowRefundOrderDetailsResponse, UnsubscribeResourcesReq,
    UpdatePeriodToOnDemandInstantlyResponse, UpdatePeriodToOnDemandResponse, failure_rows,
)

__all__ = ["RenewApi", "RenewConfigApi", "AutoRenewApi", "UnsubscribeApi", "ToOnDemandApi", "ToOnDemandInstantlyApi",
           "RefundOrdersApi", "SUCCESS_CODE"]

SUCCESS_CODE = "CBC.0000"
ZERO = Decimal("0.00")
RESOURCE_ID = OpenApiParameter("resource_id", str, OpenApiParameter.PATH,
                               description="The main resource's id (its subordinates follow it).")


def _valid(serializer_class, data) -> dict:
    params = serializer_class(data=data)
    params.is_valid(raise_exception=True)
    return params.validated_data


class _CustomerApi(APIView):
    """The customer's own act on its own resources: customer keys only."""

    permission_classes = [IsCustomer]
    required_permission = None  # no partner right governs it: a partner key is refused (CBC.0151)


class RenewApi(_CustomerApi):
    """POST /v2/orders/subscriptions/resources/renew — 续订包年/包月资源: one renewal order for the accepted
    main resources and their subordinates, paid at once from the balance when `is_auto_pay` is 1."""

    @extend_schema(request=RenewalResourcesReq, responses=cbc_responses(RenewalResourcesResponse),
                   operation_id="renewal_resources")
    @idempotent  # money moves: a retried request is replayed, never done twice (X-Idempotency-Key)
    def post(self, request):
        data = _valid(RenewalResourcesReq, request.data)
        outcome = services.renew(request.auth, resource_ids=data["resource_ids"], period_type=data["period_type"],
                                 period_num=data["period_num"], auto_pay=data.get("is_auto_pay") == 1)
        return Response({"order_ids": [outcome.order.order_id] if outcome.order is not None else [],
                         "fail_resource_infos": failure_rows(outcome.failures)})


class RenewConfigApi(_CustomerApi):
    """POST /v2/orders/subscriptions/resources/renew/config — 设置自动续费扣款日和续费后资源统一到期日."""

    @extend_schema(request=RenewResourceConfigReq, responses=cbc_responses(SetResourcesRenewConfigResponse),
                   operation_id="set_resources_renew_config")
    def post(self, request):
        data = _valid(RenewResourceConfigReq, request.data)
        services.set_renew_config(request.auth, name=data["config_name"], value=data["config_value"])
        return Response({"error_code": SUCCESS_CODE, "error_msg": _("Success.")})


class AutoRenewApi(_CustomerApi):
    """POST /v2/orders/subscriptions/resources/autorenew/{resource_id} — 设置包年/包月资源自动续费 (its
    subordinates with it); DELETE — 取消自动续费."""

    @extend_schema(parameters=[RESOURCE_ID], request=AutoRenewalResourcesReq,
                   responses={**cbc_responses(None), 204: None}, operation_id="auto_renewal_resources")
    def post(self, request, resource_id):
        data = _valid(AutoRenewalResourcesReq, request.data or {})  # the SDK may send no body at all
        services.set_auto_renew(request.auth, resource_id=resource_id, times=data.get("auto_renew_times"),
                                period_type=data.get("period_type"))
        return Response(status=204)

    @extend_schema(parameters=[RESOURCE_ID], request=None, responses={**cbc_responses(None), 204: None},
                   operation_id="cancel_auto_renewal_resources")
    def delete(self, request, resource_id):
        services.cancel_auto_renew(request.auth, resource_id=resource_id)
        return Response(status=204)


class UnsubscribeApi(_CustomerApi):
    """POST /v2/orders/subscriptions/resources/unsubscribe — 退订包年/包月资源: one unsubscription order per
    main resource (one per partner whose orders it refunds: unsubscribing.py "Whose refund"), its refund paid
    out the way the resource was paid; every resource refused for one reason is the request's error."""

    @extend_schema(request=UnsubscribeResourcesReq, responses=cbc_responses(CancelResourcesSubscriptionResponse),
                   operation_id="cancel_resources_subscription")
    @idempotent  # money moves: a retried request is replayed, never done twice (X-Idempotency-Key)
    def post(self, request):
        data = _valid(UnsubscribeResourcesReq, request.data)
        outcome = services.unsubscribe(request.auth, resource_ids=data["resource_ids"],
                                       unsubscribe_type=data["unsubscribe_type"],
                                       reason_type=data.get("unsubscribe_reason_type"),
                                       reason=data.get("unsubscribe_reason") or "")
        refused_as_a_whole(outcome)
        return Response({"order_ids": [order.order_id for order in outcome.orders],
                         "fail_resource_infos": failure_rows(outcome.failures)})


def refused_as_a_whole(outcome) -> None:
    """Nothing unsubscribed and every resource refused for one same reason: that refusal is the request's
    error (see the module's "Unsubscribe refused as a whole")."""
    codes = {failure.code for failure in outcome.failures}
    if not outcome.orders and len(codes) == 1:
        first = outcome.failures[0]
        raise DomainError(first.code, first.message)


class ToOnDemandApi(_CustomerApi):
    """POST /v2/orders/subscriptions/resources/to-on-demand — 设置或取消包年/包月资源到期转按需. Only the
    refused resources are listed (an empty list: all done)."""

    @extend_schema(request=PeriodToOnDemandReq, responses=cbc_responses(UpdatePeriodToOnDemandResponse),
                   operation_id="update_period_to_on_demand")
    def post(self, request):
        data = _valid(PeriodToOnDemandReq, request.data)
        failures = services.set_to_on_demand(request.auth, resource_ids=data["resource_ids"],
                                             operation=data["operation"])
        return Response({"error_details": [{"error_code": failure.code, "error_msg": str(failure.message),
                                            "id": failure.resource_id} for failure in failures]})


class ToOnDemandInstantlyApi(_CustomerApi):
    """POST /v2/orders/subscriptions/resources/to-on-demand/instantly — 设置包年/包月资源即时转按需: one
    result per resource, SUCCESS with the order of the refund, or FAIL with the code."""

    @extend_schema(request=PeriodToOnDemandInstantlyReq,
                   responses=cbc_responses(UpdatePeriodToOnDemandInstantlyResponse),
                   operation_id="update_period_to_on_demand_instantly")
    @idempotent  # money moves: a retried request is replayed, never done twice (X-Idempotency-Key)
    def post(self, request):
        data = _valid(PeriodToOnDemandInstantlyReq, request.data)
        results = services.to_on_demand_instantly(request.auth, resource_ids=data["resource_ids"])
        return Response({"to_ondemand_service_results": [{
            "resource_id": result.resource_id, "result": result.result, "order_id": result.order_id or None,
            "error_code": result.code or None, "error_msg": str(result.message) if result.code else None,
        } for result in results]})


# -------------------------------------------------------------------------------------------------
# Refund details (moved here from trade: the rows are subscriptions' RefundItems)
# -------------------------------------------------------------------------------------------------

def _refund_rows(order) -> list[dict]:
    """Per refund item: the refund (negative), and what was used and the handling fee (positive) where
    more than zero — each naming the order the money came from (Huawei: 金额为负数，表示退订金额。金额为正数，
    表示已消费金额或收取的退订手续费)."""
    rows = []
    for item in selectors.refund_items_of(order):
        product = item.base_line.product
        common = {
            "measure_id": "1", "customer_id": order.customer.domain_id,
            "resource_type_code": product.resource_type.code, "service_type_code": item.service_type.code,
            "resource_type_name": product.resource_type.display_name,
            "service_type_name": item.service_type.display_name, "region_code": product.region.code,
            "base_order_id": item.base_order.order_id,
        }
        rows.append({"id": f"{item.pk}-refund", "amount": ZERO - item.refund, **common})
        rows += [{"id": f"{item.pk}-{kind}", "amount": amount, **common}
                 for kind, amount in (("used", item.used), ("fee", item.fee)) if amount > 0]
    return rows


class RefundOrdersApi(APIView):
    """GET /v2/orders/customer-orders/refund-orders — 查询退款订单的金额详情: what an unsubscription (or an
    instant switch to pay-per-use) gave back, per resource and paid order line, with the order each amount
    came from; no rows for any other order."""

    permission_classes = [IsPartnerOrCustomer]
    required_permission = trade_selectors.ORDER_RIGHTS  # for partner keys; a customer key reads its own orders

    @extend_schema(parameters=[RefundOrdersQuery], responses=cbc_responses(ShowRefundOrderDetailsResponse),
                   operation_id="show_refund_order_details")
    def get(self, request):
        actor = request.auth
        data = _valid(RefundOrdersQuery, request.query_params)
        indirect_partner_id = None
        if actor.is_partner:  # a customer key reads its own orders: the parameter means nothing to it
            named_owner(actor, data.get("indirect_partner_id"))
            indirect_partner_id = data.get("indirect_partner_id") or None
        order = trade_selectors.order_for(actor, data["order_id"], indirect_partner_id=indirect_partner_id)
        customer_id = data.get("customer_id")
        if customer_id and customer_id != order.customer.domain_id:
            raise DomainError(TradeCodes.ORDER_NOT_FOUND)
        rows = _refund_rows(order)
        return Response({"total_count": len(rows), "refund_infos": OrderRefundInfoV2(rows, many=True).data})

