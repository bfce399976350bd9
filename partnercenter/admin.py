"""The platform operator's screens (Django admin)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import AccessKey, Invitation, Member, OperationLog, Partner, Role, User


@admin.register(User)
class PartnerCenterUserAdmin(UserAdmin):
    pass


class MemberInline(admin.TabularInline):
    model = Member
    fields = ["user", "display_name", "title", "supervisor"]
    raw_id_fields = ["user", "supervisor"]
    extra = 0


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ["name", "account_name", "partner_type", "status", "distributor", "contracting_entity", "verification_enabled"]
    list_filter = ["partner_type", "status", "verification_enabled"]
    search_fields = ["name", "account_name", "domain_id"]
    readonly_fields = ["domain_id", "created_at"]
    inlines = [MemberInline]


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ["name", "partner", "is_administrator"]
    list_filter = ["is_administrator"]
    search_fields = ["name", "partner__name"]


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    list_display = ["display_name", "user", "partner", "supervisor"]
    search_fields = ["display_name", "user__username", "partner__name"]
    raw_id_fields = ["user", "supervisor"]
    filter_horizontal = ["roles"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "partner", "status", "created_at", "expires_at"]
    list_filter = ["status"]
    exclude = ["token_hash"]
    readonly_fields = ["member"]


@admin.register(AccessKey)
class AccessKeyAdmin(admin.ModelAdmin):
    """Operators can see and disable keys, never read an SK."""

    list_display = ["ak", "user", "partner", "status", "created_at", "last_used_at"]
    list_filter = ["status"]
    search_fields = ["ak", "user__username", "partner__name"]
    exclude = ["sk_encrypted"]
    readonly_fields = ["ak", "user", "partner", "created_at", "last_used_at"]

    def has_add_permission(self, request):
        return False


@admin.register(OperationLog)
class OperationLogAdmin(admin.ModelAdmin):
    """Read-only: the log is append-only."""

    list_display = ["created_at", "partner", "actor_label", "action", "target_label", "result", "ip"]
    list_filter = ["result", "actor_kind"]
    search_fields = ["action", "actor_label", "target_label", "target_id"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
