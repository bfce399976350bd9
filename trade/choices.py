"""Enumerations of trade, with Huawei's wire values."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

__all__ = ["OrderType", "OrderStatus", "SourceType", "DiscountType", "Payer", "PaymentRequestStatus",
           "OrderAction"]


class OrderType(models.IntegerChoices):
    NEW = 1, pgettext_lazy("order type", "new purchase")
    RENEW = 2, pgettext_lazy("order type", "renewal")
    CHANGE = 3, pgettext_lazy("order type", "change")
    UNSUBSCRIBE = 4, pgettext_lazy("order type", "unsubscription")
    TO_ON_DEMAND = 10, pgettext_lazy("order type", "yearly/monthly to pay-per-use")
    TO_PERIOD = 11, pgettext_lazy("order type", "pay-per-use to yearly/monthly")


class OrderStatus(models.IntegerChoices):
    PROCESSING = 3, pgettext_lazy("order status", "processing")
    CANCELLED = 4, pgettext_lazy("order status", "cancelled")
    COMPLETED = 5, pgettext_lazy("order status", "completed")
    PENDING_PAYMENT = 6, pgettext_lazy("order status", "pending payment")


class SourceType(models.IntegerChoices):
    """客户订单来源类型: who placed the order."""

    CUSTOMER = 1, pgettext_lazy("order source", "customer")
    AGENT = 2, pgettext_lazy("order source", "partner on the customer's behalf")
    SYSTEM = 8, pgettext_lazy("order source", "created by the system")


class DiscountType(models.IntegerChoices):
    """Discount rows of an order or a rating result (the ones this product grants)."""

    PARTNER = 607, _("partner discount")
    PRICE_ADJUSTMENT = 609, _("order price adjustment")


class Payer(models.TextChoices):
    CUSTOMER = "customer", pgettext_lazy("payer", "customer")
    PARTNER = "partner", pgettext_lazy("payer", "partner")


class PaymentRequestStatus(models.TextChoices):
    """A customer's request that its partner pay an order (余额支付)."""

    PENDING = "pending", pgettext_lazy("request status", "pending")
    APPROVED = "approved", pgettext_lazy("request status", "approved")
    DECLINED = "declined", pgettext_lazy("request status", "declined")
    WITHDRAWN = "withdrawn", pgettext_lazy("request status", "withdrawn")


class OrderAction(models.TextChoices):
    """What the order does to resources when it is paid."""

    CREATE = "create", _("create resources")
    EXTEND = "extend", _("extend resources")
