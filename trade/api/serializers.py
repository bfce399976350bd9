"""Wire shapes of the order endpoints, named after the official SDK's models (huaweicloudsdkbss.v2.model).

Amounts are the order's money (2 decimals) as JSON numbers; times are UTC `YYYY-MM-DDTHH:MM:SSZ`;
service type, resource type and spec names come from the catalogue in the request's language
(X-Language, partnercenter.middleware.ApiLanguageMiddleware)."""

from decimal import Decimal

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from partnercenter.api.fields import CbcDateTimeField, OptionalCharField
from partnercenter.api.pagination import OffsetLimitSerializer
from vouchers.api.serializers import ICouponUseLimitInfoV2, use_limits

from ..choices import Payer
from ..filters import ORDER_BY

__all__ = [
    "ListCustomerOrdersQuery", "CustomerOrderV2", "ListCustomerOrdersResponse", "OrderDetailsQuery",
    "CustomerOrderV3", "OrderLineItemEntityV2", "ShowCustomerOrderDetailsResponse", "OrderIdQuery",
    "CouponInfoV2", "ListOrderCouponsByOrderIdResponse", "DiscountInfoV3", "ListOrderDiscountsResponse",
    "PayCustomerOrderV3Req", "CancelCustomerOrderReq", "amount_info", "MAX_COUPONS", "COUPON_PAY_TYPES", "DISCOUNT_PAY_TYPES",
]

Money = lambda **kw: serializers.DecimalField(max_digits=18, decimal_places=2, coerce_to_string=False, **kw)  # noqa: E731
ZERO = Decimal("0.00")

MAX_COUPONS = 3  # 目前支持传递最多三个优惠券ID
# coupon_infos[].type: 300 折扣券, 301 促销代金券, 302 促销现金券, 303 促销储值卡 → our coupon type (1 代金券,
# 4 现金券; the partner center issues no discount coupons or stored-value cards).
COUPON_PAY_TYPES = {300: None, 301: 1, 302: 4, 303: None}
# discount_infos[].type: 0 促销折扣, 2 商务优惠, 3 合作伙伴授予折扣, and 609 订单调价折扣 (which must be used).
DISCOUNT_PAY_TYPES = (0, 2, 3, 609)


class OptionalTimeField(CbcDateTimeField):
    """A time filter ignored when absent, null or empty (Huawei: 此参数不携带或携带值为空时，不作为筛选条件)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def validate_empty_values(self, data):
        if data == "":
            return True, None
        return super().validate_empty_values(data)


# -------------------------------------------------------------------------------------------------
# Amounts
# -------------------------------------------------------------------------------------------------

class DiscountItemV2(serializers.Serializer):
    discount_type = serializers.CharField()
    discount_amount = Money()


class AmountInfomationV2(serializers.Serializer):
    discounts = DiscountItemV2(many=True)
    flexipurchase_coupon_amount = Money(allow_null=True)
    coupon_amount = Money(allow_null=True)
    stored_card_amount = Money(allow_null=True)
    commission_amount = Money(allow_null=True)
    consumed_amount = Money(allow_null=True)


def _discount_items(rows) -> list[dict]:
    """The discount rows summed per discount type, in the order the types first appear."""
    sums: dict[int, Decimal] = {}
    for row in rows:
        sums[row.discount_type] = sums.get(row.discount_type, ZERO) + row.amount
    return [{"discount_type": str(kind), "discount_amount": amount} for kind, amount in sums.items()]


def amount_info(order=None, *, line=None) -> dict:
    """费用项 of an order (its discount rows — prefetched — and what coupons paid) or of one line (its own
    discount rows; coupons are spent on the order as a whole, so a line shows none)."""
    if line is not None:
        return {"discounts": _discount_items(line.discounts.all()), "flexipurchase_coupon_amount": None,
                "coupon_amount": None, "stored_card_amount": None, "commission_amount": None,
                "consumed_amount": None}
    return {"discounts": _discount_items(order.discounts.all()),
            "flexipurchase_coupon_amount": order.flexipurchase_coupon_amount, "coupon_amount": order.coupon_amount,
            "stored_card_amount": ZERO, "commission_amount": None, "consumed_amount": None}


# -------------------------------------------------------------------------------------------------
# GET /v2/orders/customer-orders
# -------------------------------------------------------------------------------------------------

class ListCustomerOrdersQuery(OffsetLimitSerializer):
    order_id = OptionalCharField(max_length=64)
    customer_id = OptionalCharField(max_length=64)
    create_time_begin = OptionalTimeField()
    create_time_end = OptionalTimeField()
    service_type_code = OptionalCharField(max_length=64)
    status = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=99)
    order_type = OptionalCharField(max_length=4)
    order_by = OptionalCharField(max_length=16)
    payment_time_begin = OptionalTimeField()
    payment_time_end = OptionalTimeField()
    indirect_partner_id = OptionalCharField(max_length=64)
    method = OptionalCharField(max_length=16)

    def validate_order_type(self, value):
        if value and not value.isdigit():
            raise serializers.ValidationError(_("Not an order type."))
        return int(value) if value else None

    def validate_order_by(self, value):
        if value and value.lower() not in ORDER_BY:
            raise serializers.ValidationError(_("Orders can be sorted by createTime or -createTime."))
        return value.lower() if value else None

    def validate_method(self, value):
        if value and value not in ("oneself", "sub_customer"):
            raise serializers.ValidationError(_("The method is oneself or sub_customer."))
        return value or "oneself"


class EnterpriseProject(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()


class AgentPayInfoV2(serializers.Serializer):
    paying_agent_id = serializers.CharField(allow_null=True)
    is_agent_pay = serializers.BooleanField()


class _OrderBase(serializers.Serializer):
    order_id = serializers.CharField()
    customer_id = serializers.CharField(source="customer.domain_id")
    service_type_code = serializers.CharField(source="service_type.code")
    service_type_name = serializers.CharField(source="service_type.display_name")
    source_type = serializers.IntegerField()
    status = serializers.IntegerField()
    order_type = serializers.IntegerField()
    amount_after_discount = Money()
    official_amount = Money()
    measure_id = serializers.IntegerField(default=1)
    create_time = CbcDateTimeField()
    payment_time = CbcDateTimeField(allow_null=True)
    currency = serializers.CharField(default="CNY")
    contract_id = serializers.CharField(default="")
    amount_info = serializers.SerializerMethodField()
    sub_order_infos = serializers.SerializerMethodField()  # no combined orders here: always empty

    @extend_schema_field(AmountInfomationV2)
    def get_amount_info(self, order):
        return amount_info(order)


class SubCustomerOrderV2(serializers.Serializer):
    """(documented for combined orders, which the partner center does not create)"""

    order_id = serializers.CharField()


class CustomerOrderV2(_OrderBase):
    enterprise_projects = serializers.SerializerMethodField()
    agent_pay_info = serializers.SerializerMethodField()

    @extend_schema_field(SubCustomerOrderV2(many=True))
    def get_sub_order_infos(self, order):
        return []

    @extend_schema_field(EnterpriseProject(many=True))
    def get_enterprise_projects(self, order):
        return []

    @extend_schema_field(AgentPayInfoV2)
    def get_agent_pay_info(self, order):
        paid_by_partner = order.payer == Payer.PARTNER
        return {"paying_agent_id": order.paying_partner.domain_id if paid_by_partner else None,
                "is_agent_pay": paid_by_partner}


class ListCustomerOrdersResponse(serializers.Serializer):
    total_count = serializers.IntegerField()
    order_infos = CustomerOrderV2(many=True)


# -------------------------------------------------------------------------------------------------
# GET /v2/orders/customer-orders/details/{order_id}
# -------------------------------------------------------------------------------------------------

class OrderDetailsQuery(OffsetLimitSerializer):
    indirect_partner_id = OptionalCharField(max_length=64)


class SubCustomerOrderV3(serializers.Serializer):
    """(documented for combined orders, which the partner center does not create)"""

    order_id = serializers.CharField()


class CustomerOrderV3(_OrderBase):
    user_name = serializers.CharField()
    pending_payment_end_time = CbcDateTimeField(allow_null=True)

    @extend_schema_field(SubCustomerOrderV3(many=True))
    def get_sub_order_infos(self, order):
        return []


class ProductObject(serializers.Serializer):
    product_id = serializers.CharField()
    product_spec_desc = serializers.CharField()
    category_code = serializers.CharField()
    product_owner_service = serializers.CharField()
    commercial_resource = serializers.CharField()


def _product_object(line) -> dict:
    product = line.product
    return {"product_id": product.product_id, "product_spec_desc": product.spec_display,
            "category_code": line.service_type.code, "product_owner_service": line.service_type.code,
            "commercial_resource": product.resource_type.code}


class OrderLineItemEntityV2(serializers.Serializer):
    order_line_item_id = serializers.CharField(source="line_id")
    service_type_code = serializers.CharField(source="service_type.code")
    service_type_name = serializers.CharField(source="service_type.display_name")
    product_id = serializers.CharField(source="product.product_id")
    product_spec_desc = serializers.CharField(source="product.spec_display")
    period_type = serializers.IntegerField(allow_null=True)
    period_num = serializers.IntegerField(allow_null=True)
    effective_time = CbcDateTimeField(allow_null=True)
    expire_time = CbcDateTimeField(allow_null=True)
    subscription_num = serializers.IntegerField()
    amount_after_discount = Money()
    official_amount = Money()
    amount_info = serializers.SerializerMethodField()
    currency = serializers.CharField(default="CNY")
    category_code = serializers.CharField(source="service_type.code")
    product_owner_service = serializers.CharField(source="service_type.code")
    commercial_resource = serializers.CharField(source="product.resource_type.code")
    base_product_info = serializers.SerializerMethodField()
    order_id = serializers.SerializerMethodField()

    @extend_schema_field(AmountInfomationV2)
    def get_amount_info(self, line):
        return amount_info(line=line)

    @extend_schema_field(ProductObject)
    def get_base_product_info(self, line):
        """The main product a subordinate line (a server's disk) belongs to; a main line's own."""
        return _product_object(line.parent_line or line)

    def get_order_id(self, line) -> str:
        return self.context["order"].order_id


class ShowCustomerOrderDetailsResponse(serializers.Serializer):
    total_count = serializers.IntegerField()
    order_info = CustomerOrderV3()
    order_line_items = OrderLineItemEntityV2(many=True)


# -------------------------------------------------------------------------------------------------
# order-coupons, order-discounts
# -------------------------------------------------------------------------------------------------

class OrderIdQuery(serializers.Serializer):
    order_id = serializers.CharField(max_length=64)


class CouponInfoV2(serializers.Serializer):
    coupon_id = serializers.CharField()
    coupon_code = serializers.CharField(source="coupon_id")
    status = serializers.IntegerField()
    coupon_type = serializers.IntegerField()
    measure_id = serializers.IntegerField(default=1)
    face_value = Money()
    effective_time = CbcDateTimeField(source="valid_time")
    expire_time = CbcDateTimeField()
    plan_name = serializers.CharField(default="")
    plan_desc = serializers.CharField(default="")
    use_limits = serializers.SerializerMethodField()
    active_time = CbcDateTimeField(source="valid_time")
    last_used_time = CbcDateTimeField(source="last_used_at", allow_null=True)
    create_time = CbcDateTimeField(source="created_at")
    coupon_version = serializers.IntegerField(default=2)
    balance = Money()
    used_by_order_id = serializers.CharField(default="")
    coupon_usage = serializers.CharField(default="")
    coupon_group = serializers.IntegerField(default=0)

    @extend_schema_field(ICouponUseLimitInfoV2(many=True))
    def get_use_limits(self, coupon):
        """The coupon's limits (LimitInfoV2): CLOUD_SERVICE_TYPE and PRODUCT_ID, one row per value."""
        return use_limits(coupon)


class CouponMaxUseQuantity(serializers.Serializer):
    coupon_type = serializers.IntegerField()
    coupon_group = serializers.IntegerField()
    use_quantity_value = serializers.IntegerField()


class ListOrderCouponsByOrderIdResponse(serializers.Serializer):
    count = serializers.IntegerField()
    user_coupons = CouponInfoV2(many=True)
    coupon_max_use_quantity = CouponMaxUseQuantity(many=True)


class OrderLineItemV3(serializers.Serializer):
    order_line_item_ids = serializers.ListField(child=serializers.CharField())
    discount_mode = serializers.IntegerField()
    discount_amount = Money()
    discount_ratio = serializers.DecimalField(max_digits=6, decimal_places=4, coerce_to_string=False)


class OrderV3(serializers.Serializer):
    order_id = serializers.CharField()
    order_line_items = OrderLineItemV3(many=True)


class DiscountInfoV3(serializers.Serializer):
    discount_id = serializers.CharField()
    discount_value = serializers.CharField(allow_null=True)
    discount_type = serializers.IntegerField()
    orders = OrderV3(many=True)


class ListOrderDiscountsResponse(serializers.Serializer):
    discounts = DiscountInfoV3(many=True)


# -------------------------------------------------------------------------------------------------
# POST /v3/orders/customer-orders/pay, PUT /v2/orders/customer-orders/cancel
# -------------------------------------------------------------------------------------------------

class CouponSimpleInfoOrderPayV3(serializers.Serializer):
    id = serializers.CharField(max_length=64)
    type = serializers.ChoiceField(choices=list(COUPON_PAY_TYPES))


class DiscountSimpleInfoV3(serializers.Serializer):
    id = serializers.CharField(max_length=64)
    type = serializers.ChoiceField(choices=list(DISCOUNT_PAY_TYPES))


class PayCustomerOrderV3Req(serializers.Serializer):
    """use_coupon YES needs coupon_infos (at most three, each once), NO forbids them; use_discount YES needs
    one discount in discount_infos, NO forbids it (Huawei: 否则报参数错误)."""

    order_id = serializers.CharField(max_length=64)
    use_coupon = serializers.ChoiceField(choices=["YES", "NO"])
    use_discount = serializers.ChoiceField(choices=["YES", "NO"])
    coupon_infos = CouponSimpleInfoOrderPayV3(many=True, required=False, allow_null=True)
    discount_infos = DiscountSimpleInfoV3(many=True, required=False, allow_null=True)

    def validate(self, data):
        coupons, discounts = data.get("coupon_infos"), data.get("discount_infos")
        if data["use_coupon"] == "YES":
            if not coupons:
                raise serializers.ValidationError({"coupon_infos": _("Required when use_coupon is YES.")})
            if len(coupons) > MAX_COUPONS:
                raise serializers.ValidationError(
                    {"coupon_infos": _("At most %(n)d coupons can be used on an order.") % {"n": MAX_COUPONS}})
            if len({coupon["id"] for coupon in coupons}) != len(coupons):
                raise serializers.ValidationError({"coupon_infos": _("A coupon is named twice.")})
        elif coupons is not None:
            raise serializers.ValidationError({"coupon_infos": _("Not allowed when use_coupon is NO.")})
        if data["use_discount"] == "YES":
            if not discounts:
                raise serializers.ValidationError({"discount_infos": _("Required when use_discount is YES.")})
            if len(discounts) > 1:
                raise serializers.ValidationError({"discount_infos": _("Only one discount can be used.")})
        elif discounts is not None:
            raise serializers.ValidationError({"discount_infos": _("Not allowed when use_discount is NO.")})
        return data


class CancelCustomerOrderReq(serializers.Serializer):
    order_id = serializers.CharField(max_length=64)
