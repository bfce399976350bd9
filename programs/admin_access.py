"""Operator screens of the access area: registration links (read-only; the token is never stored, its hash
never shown) and cloud reseller requests (read; the distributor decides, not the platform)."""

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partnercenter.admin import OperatorAdmin

from .models import RegistrationLink, ResellerRequest


class _ReadOnly(OperatorAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RegistrationLink)
class RegistrationLinkAdmin(_ReadOnly):
    list_display = ["partner", "path", "sent_to", "created_by", "created_at", "expires_at", "used_at", "new_partner",
                    "state"]
    list_filter = ["path", ("used_at", admin.EmptyFieldListFilter)]
    search_fields = ["partner__name", "partner__account_name", "new_partner__account_name", "sent_to"]
    list_select_related = ["partner", "path", "created_by", "new_partner"]
    exclude = ["token_hash"]
    readonly_fields = ["partner", "path", "sent_to", "created_by", "created_at", "expires_at", "used_at", "new_partner"]
    date_hierarchy = "created_at"

    @admin.display(description=_("state"))
    def state(self, obj):
        if obj.used_at:
            return _("used")
        return _("expired") if obj.expires_at <= timezone.now() else _("valid")


@admin.register(ResellerRequest)
class ResellerRequestAdmin(_ReadOnly):
    list_display = ["customer", "distributor", "company_name", "contact_email", "status", "requested_at", "decided_at",
                    "reseller"]
    list_filter = ["status"]
    search_fields = ["customer__domain_name", "customer__domain_id", "distributor__name", "distributor__account_name",
                     "company_name", "contact_email"]
    list_select_related = ["customer", "distributor", "reseller"]
    readonly_fields = ["customer", "distributor", "company_name", "contact_email", "lapse_acknowledged", "status",
                       "requested_by", "requested_at", "decided_at", "decided_by", "reason", "reseller"]
    date_hierarchy = "requested_at"
