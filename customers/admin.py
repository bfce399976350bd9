"""The platform operator's screens for customers."""

from django.contrib import admin

from partnercenter.admin import OperatorAdmin

from .models import Association, Customer, CustomerUser


class AssociationInline(admin.TabularInline):
    model = Association
    extra = 0
    raw_id_fields = ["partner", "account_manager"]


@admin.register(Customer)
class CustomerAdmin(OperatorAdmin):
    list_display = ["domain_name", "real_name", "domain_id", "verified_status", "created_at"]
    search_fields = ["domain_name", "real_name", "domain_id", "xaccount_id"]
    inlines = [AssociationInline]


@admin.register(CustomerUser)
class CustomerUserAdmin(OperatorAdmin):
    list_display = ["user", "customer", "is_owner"]
    raw_id_fields = ["user", "customer"]
