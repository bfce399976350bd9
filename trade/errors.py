"""Error codes of trade: Huawei's where its documentation names one (询价, 续费询价), ours in the CBC range
otherwise (CBC.0100 stays Huawei's parameter error)."""

from django.utils.translation import gettext_lazy as _

from partnercenter.errors import register

__all__ = ["TradeCodes"]


class TradeCodes:
    # rating (Huawei's)
    PRODUCT_NOT_FOUND = "CBC.99006006"
    WRONG_USAGE_UNIT = "CBC.99006050"
    NOT_MAIN_RESOURCE = "CBC.30050007"
    NO_SUCH_PERIOD = "CBC.30050008"
    # orders and payment (ours)
    ORDER_NOT_FOUND = "CBC.99008001"
    ORDER_NOT_PENDING = "CBC.99008002"
    BALANCE_NOT_POSITIVE = "CBC.99008003"
    BALANCE_NOT_ENOUGH = "CBC.99008004"
    COUPON_NOT_USABLE = "CBC.99008005"
    NOT_AUTHORIZED_TO_ORDER = "CBC.99008006"
    PARTNER_PAY_NOT_ALLOWED = "CBC.99008007"
    PARTNER_BALANCE_NOT_ENOUGH = "CBC.99008008"
    REQUEST_NOT_PENDING = "CBC.99008009"
    REQUEST_ALREADY_OPEN = "CBC.99008010"
    ADJUSTMENT_NOT_ALLOWED = "CBC.99008011"
    ADJUSTMENT_OUT_OF_BOUNDS = "CBC.99008012"
    DISCOUNT_NOT_ALLOWED = "CBC.99008013"
    DISCOUNT_OVER_LIMIT = "CBC.99008014"
    INVOICED = "CBC.99008015"
    RESOURCE_RELEASED = "CBC.99008016"
    CUSTOMER_IN_ARREARS = "CBC.99008017"


register({
    TradeCodes.PRODUCT_NOT_FOUND: (400, _("Product not found.")),
    TradeCodes.WRONG_USAGE_UNIT: (400, _("Wrong usage unit.")),
    TradeCodes.NOT_MAIN_RESOURCE: (200, _("The resource is not a main resource; its renewal cannot be rated.")),
    TradeCodes.NO_SUCH_PERIOD: (200, _("The resource has no such period type or number of periods.")),
    TradeCodes.ORDER_NOT_FOUND: (404, _("Order not found.")),
    TradeCodes.ORDER_NOT_PENDING: (400, _("The order is not waiting for payment.")),
    TradeCodes.BALANCE_NOT_POSITIVE: (400, _(
        "The account balance is zero or less: the customer cannot buy or renew resources.")),
    TradeCodes.BALANCE_NOT_ENOUGH: (400, _("The balance and coupons chosen do not cover the order.")),
    TradeCodes.COUPON_NOT_USABLE: (400, _("A chosen coupon cannot be used on this order.")),
    TradeCodes.NOT_AUTHORIZED_TO_ORDER: (403, _(
        "The customer has not authorized you to place orders on its behalf, or the authorization has expired.")),
    TradeCodes.PARTNER_PAY_NOT_ALLOWED: (400, _("The partner cannot pay this order.")),
    TradeCodes.PARTNER_BALANCE_NOT_ENOUGH: (400, _("The partner's account balance does not cover the order.")),
    TradeCodes.REQUEST_NOT_PENDING: (400, _("This payment request has already been decided.")),
    TradeCodes.REQUEST_ALREADY_OPEN: (400, _("A payment request for this order is already waiting for the partner.")),
    TradeCodes.ADJUSTMENT_NOT_ALLOWED: (400, _("The price of this order cannot be adjusted by you.")),
    TradeCodes.ADJUSTMENT_OUT_OF_BOUNDS: (400, _("The adjusted price is outside the allowed range.")),
    TradeCodes.DISCOUNT_NOT_ALLOWED: (400, _("Partner discounts are not allowed for this service type.")),
    TradeCodes.DISCOUNT_OVER_LIMIT: (400, _("The discount is larger than the catalogue allows for this service type.")),
    TradeCodes.RESOURCE_RELEASED: (400, _(
        "The resource was released or is no longer billed yearly/monthly: it cannot be renewed.")),
    # Huawei: 客户欠费 — a customer in arrears (bills' deduction) buys nothing until the arrears are paid
    TradeCodes.CUSTOMER_IN_ARREARS: (400, _("The customer is in arrears.")),
    TradeCodes.INVOICED: (400, _("A VAT invoice was issued for this order: it can no longer be unsubscribed.")),
})
