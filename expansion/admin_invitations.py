"""The operator screens of the invitations area (线下拓展): every partner's invitation links, read-only except
that an operator may revoke them (an admin action, logged in the partner's 操作记录 and told to the partner as
the event `expansion.link_revoked`), and the registrations through links (read-only; a link's page shows their
count and links to them, so a link with thousands of registrations stays one page)."""

from django.contrib import admin, messages
from django.db import transaction
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from partnercenter.actors import actor_for_user
from partnercenter.admin import OperatorAdmin

from . import invitations
from .models import InvitationLink, LinkRegistration


@admin.register(InvitationLink)
class InvitationLinkAdmin(OperatorAdmin):
    list_display = ["__str__", "partner", "association_type", "valid_until", "revoked_at", "registrations",
                    "created_at"]
    list_filter = ["association_type"]
    search_fields = ["name", "token", "partner__name", "partner__account_name"]
    list_select_related = ["partner"]
    readonly_fields = ["partner", "token", "name", "association_type", "valid_until", "revoked_at", "registrations",
                       "registered_customers", "created_by", "created_at"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("registered customers"))
    def registered_customers(self, obj):
        if obj is None or obj.pk is None:
            return "-"
        count = obj.registered.count()
        url = reverse("admin:expansion_linkregistration_changelist") + f"?link__id__exact={obj.pk}"
        label = gettext("%(count)d registered customers: see them") % {"count": count}
        return format_html('<a href="{}" id="link-registrations">{}</a>', url, label)

    @admin.action(description=_("Revoke the selected links"))
    def revoke(self, request, queryset):
        actor = actor_for_user(request.user, ip=request.META.get("REMOTE_ADDR"))
        revoked = 0
        for link in queryset.filter(revoked_at__isnull=True).select_related("partner"):
            with transaction.atomic():  # the revocation, the partner's event and its 操作记录 row together
                if invitations.revoke_link_as_operator(link, actor=actor):
                    revoked += 1
                    self.log_change(request, link, "revoked")
        self.message_user(request, ngettext("%(count)d link revoked.", "%(count)d links revoked.", revoked)
                          % {"count": revoked}, messages.SUCCESS)


@admin.register(LinkRegistration)
class LinkRegistrationAdmin(admin.ModelAdmin):
    """Read-only: the customers who registered through links (filter by link from the link's page)."""

    list_display = ["customer", "link", "partner", "created_at"]
    list_select_related = ["customer", "link__partner"]
    search_fields = ["customer__domain_name", "customer__domain_id", "link__token", "link__name"]
    raw_id_fields = ["link", "customer"]
    list_per_page = 100

    @admin.display(description=_("partner"))
    def partner(self, obj):
        return obj.link.partner

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
