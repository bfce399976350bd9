"""The platform operator grants partners coupon quotas and reads the coupons and records."""

from django.contrib import admin

from partnercenter.admin import OperatorAdmin

from .models import Coupon, CouponQuota, CouponRecord, QuotaRecord


@admin.register(CouponQuota)
class CouponQuotaAdmin(OperatorAdmin):
    """Granting: value and balance start equal; after that the balance moves only through services."""

    list_display = ["quota_id", "partner", "quota_type", "quota_value", "balance", "status", "effective_time", "expire_time"]
    list_filter = ["quota_type", "status"]
    search_fields = ["quota_id", "partner__name"]
    raw_id_fields = ["partner", "parent"]

    def get_readonly_fields(self, request, obj=None):
        return ["quota_id", "balance", "parent"] if obj else ["quota_id", "balance", "parent"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.balance = obj.quota_value
        super().save_model(request, obj, form, change)


@admin.register(Coupon)
class CouponAdmin(admin.ModelAdmin):
    list_display = ["coupon_id", "partner", "customer", "coupon_type", "face_value", "balance", "status", "expire_time"]
    list_filter = ["status", "coupon_type"]
    search_fields = ["coupon_id", "customer__domain_name", "partner__name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CouponRecord)
class CouponRecordAdmin(admin.ModelAdmin):
    list_display = ["created_at", "partner", "operation_type", "coupon", "customer", "amount", "result"]
    list_filter = ["operation_type"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(QuotaRecord)
class QuotaRecordAdmin(CouponRecordAdmin):
    list_display = ["created_at", "distributor", "reseller", "operation_type", "quota", "amount"]
