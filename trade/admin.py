"""The platform operator's trade screens: orders with their lines, discount rows, coupon uses, payment
requests and price adjustments; partner discounts. Everything is read-only — orders move only through
trade.services — except the one thing operators record: the date the cloud issued the VAT invoice of an
invoiceable (partner-paid referral) order, after which the order can no longer be unsubscribed. Recording
it takes the model permission `trade.change_order` and goes through `services.record_vat_invoice`, so it
is in the operation log."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from partnercenter.actors import actor_for_user
from partnercenter.errors import DomainError

from . import services
from .choices import OrderStatus
from .models import (Order, OrderCoupon, OrderDiscount, OrderLine, PartnerDiscount, PaymentRequest,
                     PriceAdjustment)

RECORD_PERMISSION = "trade.change_order"


def _actor(request):
    return actor_for_user(request.user, ip=request.META.get("REMOTE_ADDR"))


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class LineInline(ReadOnlyInline):
    model = OrderLine
    fk_name = "order"
    fields = ["line_id", "product", "service_type", "charge_mode", "period_type", "period_num", "subscription_num",
              "resource_size", "resource_id", "parent_line", "official_amount", "discount_amount",
              "amount_after_discount", "effective_time", "expire_time"]
    readonly_fields = fields


class DiscountInline(ReadOnlyInline):
    model = OrderDiscount
    fields = ["line", "discount_type", "discount_id", "name", "amount"]
    readonly_fields = fields


class CouponUseInline(ReadOnlyInline):
    model = OrderCoupon
    fields = ["coupon", "amount", "created_at"]
    readonly_fields = fields


class RequestInline(ReadOnlyInline):
    model = PaymentRequest
    fields = ["partner", "status", "message", "decision_note", "decided_by", "created_at", "decided_at"]
    readonly_fields = fields


class AdjustmentInline(ReadOnlyInline):
    model = PriceAdjustment
    fields = ["partner", "amount_before", "amount_after", "reason", "operator", "created_at"]
    readonly_fields = fields


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ["order_id", "customer", "partner", "order_type", "status", "source_type", "amount_after_discount",
                    "payer", "invoiceable", "vat_invoice_issued_at", "create_time", "payment_time"]
    list_filter = ["status", "order_type", "source_type", "payer", "invoiceable", "is_marketplace", "is_stored_card"]
    list_select_related = ["customer", "partner"]
    search_fields = ["order_id", "customer__domain_name", "customer__domain_id"]
    date_hierarchy = "create_time"
    inlines = [LineInline, DiscountInline, CouponUseInline, RequestInline, AdjustmentInline]
    actions = ["record_vat_invoice_today"]
    # What an operator may still write: the VAT invoice date of an invoiceable order that has none yet.
    RECORDABLE = ["vat_invoice_issued_at"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_record_permission(self, request):
        return request.user.has_perm(RECORD_PERMISSION)

    def _recordable(self, obj) -> bool:
        return (obj is not None and obj.status == OrderStatus.COMPLETED and obj.invoiceable
                and obj.vat_invoice_issued_at is None)

    def get_readonly_fields(self, request, obj=None):
        names = [f.name for f in self.model._meta.fields]
        if self._recordable(obj) and self.has_record_permission(request):
            return [name for name in names if name not in self.RECORDABLE]
        return names

    def save_model(self, request, obj, form, change):
        """Only the VAT invoice date is ever written here, and through the service."""
        if "vat_invoice_issued_at" not in form.changed_data or obj.vat_invoice_issued_at is None:
            return
        if not self.has_record_permission(request):
            raise PermissionDenied
        try:
            services.record_vat_invoice(_actor(request), order_id=obj.order_id, issued_at=obj.vat_invoice_issued_at)
        except DomainError as exc:
            self.message_user(request, str(exc.message), messages.ERROR)

    @admin.action(description=_("Record the VAT invoice of the selected orders as issued now"),
                  permissions=["record"])
    def record_vat_invoice_today(self, request, queryset):
        if not self.has_record_permission(request):  # the action list already hides it; a forged post too
            raise PermissionDenied
        actor, done = _actor(request), 0
        for order in queryset:
            try:
                services.record_vat_invoice(actor, order_id=order.order_id)
                done += 1
            except DomainError as exc:
                self.message_user(request, f"{order.order_id}: {exc.message}", messages.ERROR)
        self.message_user(request, _("%(count)d VAT invoice(s) recorded.") % {"count": done})


@admin.register(PaymentRequest)
class PaymentRequestAdmin(ReadOnly):
    list_display = ["created_at", "order", "customer", "partner", "status", "decided_by", "decided_at"]
    list_filter = ["status"]
    list_select_related = ["order", "customer", "partner"]
    search_fields = ["order__order_id", "customer__domain_name"]


@admin.register(PriceAdjustment)
class PriceAdjustmentAdmin(ReadOnly):
    list_display = ["created_at", "order", "partner", "amount_before", "amount_after", "reason", "operator"]
    list_select_related = ["order", "partner"]
    search_fields = ["order__order_id", "partner__name"]


@admin.register(PartnerDiscount)
class PartnerDiscountAdmin(ReadOnly):
    list_display = ["partner", "customer", "service_type", "rate", "updated_by", "updated_at"]
    list_select_related = ["partner", "customer", "service_type"]
    search_fields = ["partner__name", "customer__domain_name", "customer__domain_id"]
