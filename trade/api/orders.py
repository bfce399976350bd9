"""CBC order endpoints: customer orders, details, usable coupons and discounts, pay, cancel. (The refund
details of an unsubscription order, refund-orders, are subscriptions': subscriptions/api/views.py.)

Thin: parse the wire, resolve the actor's scope (a distributor's named reseller through `named_owner`),
call a selector or a service, render. Reads are open to partner keys holding orders.view (a distributor
naming `indirect_partner_id` reads that reseller's) and to customer keys (their own orders); paying and
cancelling are the customer's own acts: customer keys only (a partner key gets CBC.0151, as for every
customer-key endpoint — a partner pays a customer's order through 余额支付, not here).
"""

from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from partnercenter.api.pagination import page
from partnercenter.api.permissions import IsCustomer, IsPartnerOrCustomer
from partnercenter.api.serializers import cbc_responses
from partnercenter.api.views import named_owner
from partnercenter.errors import Codes, DomainError

from .. import selectors, services
from ..choices import DiscountType
from ..errors import TradeCodes
from ..filters import OrderFilterSet
from .serializers import (
    COUPON_PAY_TYPES, CancelCustomerOrderReq, CouponInfoV2, CustomerOrderV2, CustomerOrderV3, DiscountInfoV3,
    ListCustomerOrdersQuery, ListCustomerOrdersResponse, ListOrderCouponsByOrderIdResponse,
    ListOrderDiscountsResponse, MAX_COUPONS, OrderDetailsQuery, OrderIdQuery, OrderLineItemEntityV2,
    PayCustomerOrderV3Req, ShowCustomerOrderDetailsResponse,
)

__all__ = [
    "CustomerOrdersApi", "CustomerOrderDetailsApi", "OrderCouponsApi", "OrderDiscountsApi", "PayOrderApi",
    "CancelOrderApi", "urlpatterns",
]


def _valid(serializer_class, data) -> dict:
    params = serializer_class(data=data)
    params.is_valid(raise_exception=True)
    return params.validated_data


def _book(actor, indirect_partner_id):
    """The reseller a partner key names must be one of its own (CBC.0156 otherwise, as everywhere); a
    customer key reads its own orders and the parameter means nothing to it (Huawei: 此参数不做处理)."""
    if actor.is_customer:
        return None
    named_owner(actor, indirect_partner_id)
    return indirect_partner_id or None


def _order(request, order_id, indirect_partner_id=None):
    actor = request.auth
    return selectors.order_for(actor, order_id, indirect_partner_id=_book(actor, indirect_partner_id))


class _OrderReadApi(APIView):
    permission_classes = [IsPartnerOrCustomer]
    required_permission = selectors.ORDER_RIGHTS  # for partner keys; a customer key reads its own orders


class CustomerOrdersApi(_OrderReadApi):
    """GET /v2/orders/customer-orders — 查询订单列表."""

    @extend_schema(parameters=[ListCustomerOrdersQuery], responses=cbc_responses(ListCustomerOrdersResponse),
                   operation_id="list_customer_orders")
    def get(self, request):
        actor = request.auth
        data = _valid(ListCustomerOrdersQuery, request.query_params)
        indirect_partner_id = _book(actor, data.get("indirect_partner_id"))
        queryset = selectors.orders_for(actor, indirect_partner_id=indirect_partner_id)
        if data.get("method") == "sub_customer":  # orders a customer pays for its enterprise's members: none here
            queryset = queryset.none()
        queryset = selectors.with_discount_rows(OrderFilterSet.from_wire(data, queryset))
        count, rows = page(queryset, data)
        return Response({"total_count": count, "order_infos": CustomerOrderV2(rows, many=True).data})


class CustomerOrderDetailsApi(_OrderReadApi):
    """GET /v2/orders/customer-orders/details/{order_id} — 查询订单详情: the order and a page of its lines."""

    @extend_schema(parameters=[OrderDetailsQuery], responses=cbc_responses(ShowCustomerOrderDetailsResponse),
                   operation_id="show_customer_order_details")
    def get(self, request, order_id):
        data = _valid(OrderDetailsQuery, request.query_params)
        order = _order(request, order_id, data.get("indirect_partner_id"))
        lines = selectors.order_lines_of(order)
        count, rows = page(lines, data)
        return Response({
            "total_count": count, "order_info": CustomerOrderV3(selectors.with_discount_rows(order)).data,
            "order_line_items": OrderLineItemEntityV2(rows, many=True, context={"order": order}).data,
        })


class OrderCouponsApi(_OrderReadApi):
    """GET /v2/orders/customer-orders/order-coupons — 查询订单可用优惠券: the coupons of the order's customer
    usable on it (its service types and products, valid now, with a balance), and how many may be used."""

    @extend_schema(parameters=[OrderIdQuery], responses=cbc_responses(ListOrderCouponsByOrderIdResponse),
                   operation_id="list_order_coupons_by_order_id")
    def get(self, request):
        data = _valid(OrderIdQuery, request.query_params)
        order = _order(request, data["order_id"])
        coupons = services.usable_coupons(order)
        types = sorted({coupon_type for coupon_type in COUPON_PAY_TYPES.values() if coupon_type is not None})
        return Response({
            "count": len(coupons), "user_coupons": CouponInfoV2(coupons, many=True).data,
            "coupon_max_use_quantity": [{"coupon_type": coupon_type, "coupon_group": 0, "use_quantity_value": MAX_COUPONS}
                                        for coupon_type in types],
        })


class OrderDiscountsApi(_OrderReadApi):
    """GET /v2/orders/customer-orders/order-discounts — 查询订单可用折扣: the order's partner discount (3 合作伙伴
    授予折扣, from the 607 rows) and price adjustment (609 订单调价折扣), per merged line item."""

    @extend_schema(parameters=[OrderIdQuery], responses=cbc_responses(ListOrderDiscountsResponse),
                   operation_id="list_order_discounts")
    def get(self, request):
        data = _valid(OrderIdQuery, request.query_params)
        order = _order(request, data["order_id"])
        return Response({"discounts": DiscountInfoV3(selectors.usable_discounts(order), many=True).data})


def _check_discount(order, data) -> None:
    """The discount named must be one of the order's (order-discounts); an order with a price adjustment
    (609) is paid with it (Huawei: 如果包含609折扣，则必须使用，不能再更换折扣类型)."""
    discounts = selectors.usable_discounts(order)
    named = (data.get("discount_infos") or [None])[0]
    if named is not None and not any(d["discount_id"] == named["id"] and d["discount_type"] == named["type"]
                                     for d in discounts):
        raise DomainError(Codes.PARAMETER, _("discount_infos: the order has no such discount."))
    adjusted = [d for d in discounts if d["kind"] == DiscountType.PRICE_ADJUSTMENT]
    if adjusted and (named is None or named["type"] != 609):
        raise DomainError(Codes.PARAMETER, _("discount_infos: the order's price adjustment (609) must be used."))


def _check_coupon_types(order, data) -> list[str]:
    """The coupon ids to spend; a coupon of the customer named with another type than its own (301 代金券,
    302 现金券) cannot be used on the order (CBC.99008005); which coupons are usable the service decides."""
    infos = data.get("coupon_infos") or []
    types = selectors.coupon_types_of(order, [info["id"] for info in infos]) if infos else {}
    for info in infos:
        if info["id"] in types and COUPON_PAY_TYPES[info["type"]] != types[info["id"]]:
            raise DomainError(TradeCodes.COUPON_NOT_USABLE)
    return [info["id"] for info in infos]


class PayOrderApi(APIView):
    """POST /v3/orders/customer-orders/pay — 支付包年/包月产品订单: the customer pays a pending order with the
    coupons it names and then its balance, in one transaction (trade.services.pay_order)."""

    permission_classes = [IsCustomer]
    required_permission = None  # the customer's own order

    @extend_schema(request=PayCustomerOrderV3Req, responses={**cbc_responses(None), 204: None},
                   operation_id="pay_orders")
    def post(self, request):
        data = _valid(PayCustomerOrderV3Req, request.data)
        order = _order(request, data["order_id"])
        _check_discount(order, data)
        coupon_ids = _check_coupon_types(order, data)
        services.pay_order(request.auth, order_id=order.order_id, coupon_ids=coupon_ids)
        return Response(status=204)


class CancelOrderApi(APIView):
    """PUT /v2/orders/customer-orders/cancel — 取消待支付订单."""

    permission_classes = [IsCustomer]
    required_permission = None  # the customer's own order

    @extend_schema(request=CancelCustomerOrderReq, responses={**cbc_responses(None), 204: None},
                   operation_id="cancel_customer_order")
    def put(self, request):
        data = _valid(CancelCustomerOrderReq, request.data)
        order = _order(request, data["order_id"])
        services.cancel_order(request.auth, order_id=order.order_id)
        return Response(status=204)


urlpatterns = [
    path("v2/orders/customer-orders", CustomerOrdersApi.as_view(), name="cbc-list-customer-orders"),
    path("v2/orders/customer-orders/details/<str:order_id>", CustomerOrderDetailsApi.as_view(),
         name="cbc-show-customer-order-details"),
    path("v2/orders/customer-orders/order-coupons", OrderCouponsApi.as_view(), name="cbc-list-order-coupons"),
    path("v2/orders/customer-orders/order-discounts", OrderDiscountsApi.as_view(), name="cbc-list-order-discounts"),
    path("v3/orders/customer-orders/pay", PayOrderApi.as_view(), name="cbc-pay-orders"),
    path("v2/orders/customer-orders/cancel", CancelOrderApi.as_view(), name="cbc-cancel-customer-order"),
]
