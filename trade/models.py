"""Trade: partner discounts, orders with their line items, discount rows and coupon uses, partner
payment requests and marketplace price adjustments.

Amounts on orders are money (2 decimals): `trade.pricing` rates at up to 10 decimals and quantizes
each line once, half up, to the fen; the order's amounts are the sums of its lines. What the order
costs the payer is `amount_after_discount`; it is paid by coupons (`coupon_amount` 代金券 +
`flexipurchase_coupon_amount` 现金券) and then cash from the payer's balance (`cash_amount`), every
movement on the ledger (billing) or in the coupon records (vouchers), in the paying transaction.
"""

import secrets
import string

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import MeasureUnit, Product, ServiceType
from customers.models import Customer
from partnercenter.models import Partner
from partnercenter.money import fen
from vouchers.models import Coupon

from .choices import DiscountType, OrderStatus, OrderType, Payer, PaymentRequestStatus, SourceType

__all__ = ["new_order_id", "PartnerDiscount", "Order", "OrderLine", "OrderDiscount", "OrderCoupon",
           "PaymentRequest", "PriceAdjustment"]

MONEY = {"max_digits": 18, "decimal_places": 2}
RATE = {"max_digits": 5, "decimal_places": 4}

_ID_CHARS = string.ascii_uppercase + string.digits


def _fen(expression):
    """A sum or difference of money columns, rounded to the fen inside the constraint (partnercenter.money.fen)."""
    return fen(expression)


def new_order_id() -> str:
    """A Huawei-style order id: CS + yymmddHHMM (UTC) + 5 random characters, e.g. CS2611301705K3Q9Z."""
    return "CS" + timezone.now().strftime("%y%m%d%H%M") + "".join(secrets.choice(_ID_CHARS) for _ in range(5))


class PartnerDiscount(models.Model):
    """伙伴设置折扣 (607): the share of the official price a customer pays for one service type, set by
    its partner within the catalogue's ceiling (`rate` 0.85 = 15% off)."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="customer_discounts")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="partner_discounts")
    service_type = models.ForeignKey(ServiceType, on_delete=models.PROTECT, related_name="+")
    rate = models.DecimalField(_("discount rate"), **RATE)
    updated_by = models.CharField(_("set by"), max_length=150, blank=True)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("partner discount")
        verbose_name_plural = _("partner discounts")
        ordering = ["customer_id", "service_type_id"]
        constraints = [
            models.UniqueConstraint(fields=["partner", "customer", "service_type"], name="partner_discount_unique"),
            models.CheckConstraint(name="partner_discount_rate_range", condition=Q(rate__gt=0, rate__lte=1)),
        ]

    def __str__(self):
        return f"{self.customer} {self.service_type} {self.rate}"


class Order(models.Model):
    order_id = models.CharField(_("order ID"), max_length=32, unique=True, default=new_order_id)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="orders")
    # the partner associated with the customer when the order was placed: whose 订单管理 lists it
    partner = models.ForeignKey(Partner, null=True, blank=True, on_delete=models.PROTECT, related_name="orders")
    order_type = models.PositiveSmallIntegerField(_("order type"), choices=OrderType.choices)
    status = models.PositiveSmallIntegerField(_("status"), choices=OrderStatus.choices,
                                              default=OrderStatus.PENDING_PAYMENT)
    source_type = models.PositiveSmallIntegerField(_("source"), choices=SourceType.choices)
    service_type = models.ForeignKey(ServiceType, on_delete=models.PROTECT, related_name="+")
    official_amount = models.DecimalField(_("official price"), **MONEY)
    discount_amount = models.DecimalField(_("discount"), default=0, **MONEY)
    amount_after_discount = models.DecimalField(_("amount after discount"), **MONEY)
    # how it was paid (all zero until it is)
    payer = models.CharField(_("paid by"), max_length=10, choices=Payer.choices, blank=True)
    paying_partner = models.ForeignKey(Partner, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    coupon_amount = models.DecimalField(_("cash coupons"), default=0, **MONEY)
    flexipurchase_coupon_amount = models.DecimalField(_("flexi-purchase coupons"), default=0, **MONEY)
    cash_amount = models.DecimalField(_("paid from balance"), default=0, **MONEY)
    is_marketplace = models.BooleanField(_("marketplace order"), default=False)
    sales_partner = models.ForeignKey(Partner, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                      verbose_name=_("selected sales account"))
    is_stored_card = models.BooleanField(_("stored-value card purchase"), default=False)
    # 顾问销售 (referral) customer's order paid by the partner: counts toward the customer's invoiceable amount
    invoiceable = models.BooleanField(_("invoiced to the customer by the cloud"), default=False)
    vat_invoice_issued_at = models.DateTimeField(_("VAT invoice issued"), null=True, blank=True)
    base_order = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("original order"))
    user_name = models.CharField(_("placed by"), max_length=150, blank=True)
    create_time = models.DateTimeField(_("created"), default=timezone.now)
    pending_payment_end_time = models.DateTimeField(_("pay before"), null=True, blank=True)
    payment_time = models.DateTimeField(_("paid"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-create_time", "-id"]
        indexes = [
            models.Index(fields=["partner", "-create_time"], name="order_partner_created"),
            models.Index(fields=["customer", "-create_time"], name="order_customer_created"),
            models.Index(fields=["status", "pending_payment_end_time"], name="order_due"),
        ]
        constraints = [
            models.CheckConstraint(name="order_amounts_not_negative",
                                   condition=Q(official_amount__gte=0, discount_amount__gte=0,
                                               amount_after_discount__gte=0, coupon_amount__gte=0,
                                               flexipurchase_coupon_amount__gte=0, cash_amount__gte=0)),
            models.CheckConstraint(name="order_discount_adds_up",
                                   condition=Q(amount_after_discount=_fen(F("official_amount") - F("discount_amount")))),
            # a completed order is paid in full, by coupons and cash; an unpaid one has paid nothing
            models.CheckConstraint(
                name="order_paid_in_full",
                condition=~Q(status=OrderStatus.COMPLETED) | Q(amount_after_discount=_fen(
                    F("coupon_amount") + F("flexipurchase_coupon_amount") + F("cash_amount")))),
            models.CheckConstraint(
                name="order_unpaid_paid_nothing",
                condition=~Q(status__in=[OrderStatus.PENDING_PAYMENT, OrderStatus.CANCELLED])
                | Q(coupon_amount=0, flexipurchase_coupon_amount=0, cash_amount=0)),
            models.CheckConstraint(name="order_partner_payer_named",
                                   condition=~Q(payer=Payer.PARTNER) | Q(paying_partner__isnull=False)),
            models.CheckConstraint(name="order_stored_card_not_partner_paid",
                                   condition=~Q(payer=Payer.PARTNER, is_stored_card=True)),
        ]

    def __str__(self):
        return self.order_id

    @property
    def is_pending_payment(self) -> bool:
        return self.status == OrderStatus.PENDING_PAYMENT


class OrderLine(models.Model):
    """订单项: one product of an order (a server, its disk …), with its rated amounts. For a renewal,
    `resource_id` names the resource it extends; on payment a new-purchase line creates its resources."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    line_id = models.CharField(_("order line ID"), max_length=40, unique=True)
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    service_type = models.ForeignKey(ServiceType, on_delete=models.PROTECT, related_name="+")
    charge_mode = models.PositiveSmallIntegerField(_("charging mode"))
    period_type = models.PositiveSmallIntegerField(_("period type"), null=True, blank=True)
    period_num = models.PositiveIntegerField(_("periods"), null=True, blank=True)
    subscription_num = models.PositiveIntegerField(_("quantity"), default=1)
    resource_size = models.PositiveIntegerField(_("size"), null=True, blank=True)
    size_measure = models.ForeignKey(MeasureUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    resource_id = models.CharField(_("resource ID"), max_length=64, blank=True)
    parent_line = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children",
                                    help_text=_("A subordinate product (a server's disk) names its main line."))
    official_amount = models.DecimalField(_("official price"), **MONEY)
    discount_amount = models.DecimalField(_("discount"), default=0, **MONEY)
    amount_after_discount = models.DecimalField(_("amount after discount"), **MONEY)
    effective_time = models.DateTimeField(_("effective"), null=True, blank=True)
    expire_time = models.DateTimeField(_("expires"), null=True, blank=True)
    extra_days = models.PositiveSmallIntegerField(
        _("extra days"), default=0,
        help_text=_("A renewal's days beyond its periods, to reach the customer's unified expiry day."))

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["order_id", "id"]
        constraints = [
            models.CheckConstraint(name="order_line_discount_adds_up",
                                   condition=Q(amount_after_discount=_fen(F("official_amount") - F("discount_amount")),
                                               discount_amount__gte=0, amount_after_discount__gte=0)),
            models.CheckConstraint(name="order_line_quantity_positive", condition=Q(subscription_num__gt=0)),
        ]

    def __str__(self):
        return self.line_id


class OrderDiscount(models.Model):
    """A discount row of an order (607 partner discount, 609 price adjustment), per line."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="discounts")
    line = models.ForeignKey(OrderLine, null=True, blank=True, on_delete=models.CASCADE, related_name="discounts")
    discount_type = models.PositiveIntegerField(_("discount type"), choices=DiscountType.choices)
    discount_id = models.CharField(_("discount ID"), max_length=64, blank=True)
    name = models.CharField(_("discount name"), max_length=128, blank=True)
    amount = models.DecimalField(_("discount amount"), **MONEY)

    class Meta:
        verbose_name = _("order discount")
        verbose_name_plural = _("order discounts")
        ordering = ["order_id", "id"]
        constraints = [models.CheckConstraint(name="order_discount_positive", condition=Q(amount__gt=0))]


class OrderCoupon(models.Model):
    """A coupon spent on an order: how much of its balance the order took."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="coupon_uses")
    coupon = models.ForeignKey(Coupon, on_delete=models.PROTECT, related_name="order_uses")
    amount = models.DecimalField(_("amount used"), **MONEY)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("coupon used on an order")
        verbose_name_plural = _("coupons used on orders")
        constraints = [
            models.UniqueConstraint(fields=["order", "coupon"], name="order_coupon_once"),
            models.CheckConstraint(name="order_coupon_amount_positive", condition=Q(amount__gt=0)),
        ]


class PaymentRequest(models.Model):
    """A customer asks its partner to pay an order (余额支付); the partner approves (and pays) or declines.
    At most one pending request per order."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="payment_requests")
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="payment_requests")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="payment_requests")
    status = models.CharField(_("status"), max_length=10, choices=PaymentRequestStatus.choices,
                              default=PaymentRequestStatus.PENDING)
    message = models.CharField(_("message"), max_length=500, blank=True)
    decision_note = models.CharField(_("reply"), max_length=500, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_by = models.CharField(_("decided by"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("partner payment request")
        verbose_name_plural = _("partner payment requests")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["partner", "status", "-created_at"], name="payment_request_inbox")]
        constraints = [
            models.UniqueConstraint(fields=["order"], condition=Q(status="pending"),
                                    name="one_pending_payment_request"),
        ]


class PriceAdjustment(models.Model):
    """云商店交易调价: a partner lowered the price of a pending marketplace order (recorded as a 609 row)."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="price_adjustments")
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="+")
    amount_before = models.DecimalField(_("amount before"), **MONEY)
    amount_after = models.DecimalField(_("amount after"), **MONEY)
    reason = models.CharField(_("reason"), max_length=500)
    operator = models.CharField(_("operator"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("adjusted at"), default=timezone.now)

    class Meta:
        verbose_name = _("price adjustment")
        verbose_name_plural = _("price adjustments")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(name="price_adjustment_lowers",
                                   condition=Q(amount_after__gte=0, amount_after__lt=F("amount_before"))),
        ]
