"""The platform operator's screens (Django admin).

Every add, change and delete an operator makes here is also written to the operation log of the
partner it concerns (`OperatorAdmin`), so a partner's 操作记录 shows what the platform did to its
account next to what its own people did. Admin screens of the domain apps derive from it.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from .actors import actor_for_user
from .models import AccessKey, Invitation, Member, OperationLog, Partner, Role, User
from .oplog import operation, register_actions

__all__ = ["OperatorAdmin", "partner_of"]

register_actions({
    "operator.add": _("Added by the platform"),
    "operator.change": _("Changed by the platform"),
    "operator.delete": _("Deleted by the platform"),
})


def partner_of(obj):
    """The partner an admin object belongs to (itself, its `partner`, or a customer's current partner)."""
    if isinstance(obj, Partner):
        return obj
    if isinstance(obj, User):  # a person's login: the partner it is a member of, if any
        member = getattr(obj, "member", None)
        return member.partner if member is not None else None
    partner = getattr(obj, "partner", None)
    if partner is None and getattr(obj, "customer", None) is not None:  # a customer's user or account
        return partner_of(obj.customer)
    if partner is None and hasattr(obj, "associations"):  # a customer: its active association's partner
        association = obj.associations.filter(ended_on__isnull=True).select_related("partner").first()
        partner = association.partner if association else None
    return partner


class OperatorAdmin(admin.ModelAdmin):
    """Django's admin log, plus the partner's operation log for every write."""

    def save_model(self, request, obj, form, change):
        # Whose object it is before the inlines change it (a customer whose association an inline ends).
        request.operator_partner = partner_of(obj) if change else None
        super().save_model(request, obj, form, change)

    def _record(self, request, action, obj, message=""):
        partner = partner_of(obj) or getattr(request, "operator_partner", None)
        if partner is None:
            return
        actor = actor_for_user(request.user, ip=request.META.get("REMOTE_ADDR"))
        detail = {"model": obj._meta.label, "change": str(message)[:500]} if message else {"model": obj._meta.label}
        with operation(actor, action, target=obj, partner=partner, detail=detail):
            pass

    def log_addition(self, request, obj, message):
        self._record(request, "operator.add", obj, message)
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        self._record(request, "operator.change", obj, message)
        return super().log_change(request, obj, message)

    def log_deletions(self, request, queryset):
        for obj in queryset:
            if not isinstance(obj, Partner):  # a deleted partner takes its log with it (and the log row would block it)
                self._record(request, "operator.delete", obj)
        return super().log_deletions(request, queryset)


@admin.register(User)
class PartnerCenterUserAdmin(OperatorAdmin, UserAdmin):
    pass


class MemberInline(admin.TabularInline):
    model = Member
    fields = ["user", "display_name", "title", "supervisor"]
    raw_id_fields = ["user", "supervisor"]
    extra = 0


@admin.register(Partner)
class PartnerAdmin(OperatorAdmin):
    list_display = ["name", "account_name", "partner_type", "status", "distributor", "contracting_entity", "verification_enabled"]
    list_filter = ["partner_type", "status", "verification_enabled", "marketplace_service_provider"]
    search_fields = ["name", "account_name", "domain_id"]
    readonly_fields = ["domain_id", "created_at"]
    inlines = [MemberInline]


@admin.register(Role)
class RoleAdmin(OperatorAdmin):
    list_display = ["name", "partner", "is_administrator"]
    list_filter = ["is_administrator"]
    search_fields = ["name", "partner__name"]


@admin.register(Member)
class MemberAdmin(OperatorAdmin):
    list_display = ["display_name", "user", "partner", "supervisor"]
    search_fields = ["display_name", "user__username", "partner__name"]
    raw_id_fields = ["user", "supervisor"]
    filter_horizontal = ["roles"]


@admin.register(Invitation)
class InvitationAdmin(OperatorAdmin):
    list_display = ["email", "partner", "status", "created_at", "expires_at"]
    list_filter = ["status"]
    exclude = ["token_hash"]
    readonly_fields = ["member"]


@admin.register(AccessKey)
class AccessKeyAdmin(OperatorAdmin):
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
