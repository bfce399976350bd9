"""The operator screens of the invitations area (线下拓展): every partner's invitation links, read-only except
that an operator may revoke them (an admin action, logged in the partner's 操作记录)."""

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from partnercenter.admin import OperatorAdmin

from .models import InvitationLink, LinkRegistration


class LinkRegistrationInline(admin.TabularInline):
    model = LinkRegistration
    fields = ["customer", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False
    max_num = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("customer")


@admin.register(InvitationLink)
class InvitationLinkAdmin(OperatorAdmin):
    list_display = ["__str__", "partner", "association_type", "valid_until", "revoked_at", "registrations",
                    "created_at"]
    list_filter = ["association_type"]
    search_fields = ["name", "token", "partner__name", "partner__account_name"]
    list_select_related = ["partner"]
    readonly_fields = ["partner", "token", "name", "association_type", "valid_until", "revoked_at", "registrations",
                       "created_by", "created_at"]
    inlines = [LinkRegistrationInline]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Revoke the selected links"))
    def revoke(self, request, queryset):
        revoked = 0
        for link in queryset.filter(revoked_at__isnull=True).select_related("partner"):
            if InvitationLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(revoked_at=timezone.now()):
                revoked += 1
                self.log_change(request, link, "revoked")
        self.message_user(request, ngettext("%(count)d link revoked.", "%(count)d links revoked.", revoked)
                          % {"count": revoked}, messages.SUCCESS)
