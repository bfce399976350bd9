"""The platform operator's screens (Django admin).

Every add, change and delete an operator makes here is also written to the operation log of the
partner it concerns (`OperatorAdmin`), so a partner's 操作记录 shows what the platform did to its
account next to what its own people did. Admin screens of the domain apps derive from it.
"""

import secrets
import string

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.template import engines
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import secretbox
from .actors import PLATFORM_DOMAIN_ID, actor_for_user
from .models import (
    AccessKey, Invitation, Member, OperationLog, Partner, PlatformAccessKey, Role, User, WorkdayOverride,
)
from .oplog import operation, register_actions
from .services import MAX_KEYS_PER_USER
from .workdays import package_is_working_day, known_years, unknown_years

__all__ = ["OperatorAdmin", "partner_of"]

# The operators' console: named as the product (not "Django administration"), and no "view site" link — the
# partner and customer pages are not an operator's (they answer 403).
admin.site.site_header = _("Partner Center administration")
admin.site.site_title = _("Partner Center")
admin.site.site_url = None

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

    list_display = ["ak", "user", "partner", "is_platform", "status", "created_at", "last_used_at"]
    list_filter = ["status", "is_platform"]
    search_fields = ["ak", "user__username", "partner__name"]
    exclude = ["sk_encrypted"]
    readonly_fields = ["ak", "user", "partner", "is_platform", "created_at", "last_used_at"]

    def has_add_permission(self, request):
        return False


# -------------------------------------------------------------------------------------------------
# Platform keys: an operator's AK/SK for the cloud's metering (POST /v1/metering/usage-records only)
# -------------------------------------------------------------------------------------------------

_AK_ALPHABET = string.ascii_uppercase + string.digits
_SK_ALPHABET = string.ascii_letters + string.digits


def platform_key_owners():
    """Who may own a platform key: an active operator (staff), nobody's member or customer user."""
    return User.objects.filter(is_staff=True, is_active=True, member__isnull=True, customer_user__isnull=True)


class PlatformKeyForm(forms.ModelForm):
    class Meta:
        model = PlatformAccessKey
        fields = ["user", "description", "status"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "user" in self.fields:
            self.fields["user"].queryset = platform_key_owners().order_by("username")
            self.fields["user"].help_text = _("An operator (staff user) who is no partner's member or customer user.")

    def clean_user(self):
        user = self.cleaned_data["user"]
        if AccessKey.objects.filter(user=user).count() >= MAX_KEYS_PER_USER:
            raise forms.ValidationError(gettext("This user already has %(count)d access keys; delete one first.")
                                        % {"count": MAX_KEYS_PER_USER})
        return user


def _created_page():
    """The page that shows a new platform key's SK, once (compiled when first shown)."""
    return engines["django"].from_string(_CREATED_PAGE)


_CREATED_PAGE = ("""{% extends "admin/base_site.html" %}{% load i18n %}
{% block content %}<div id="content-main">
<p><strong>{% translate "Copy the secret access key now: it is never shown again." %}</strong></p>
<table id="platform-key-created">
<tr><th>{% translate "Access key ID" %}</th><td><code id="platform-key-ak">{{ key.ak }}</code></td></tr>
<tr><th>{% translate "Secret access key" %}</th><td><code id="platform-key-sk">{{ secret }}</code></td></tr>
<tr><th>X-Domain-Id</th><td><code>{{ domain_id }}</code></td></tr>
<tr><th>{% translate "Owner" %}</th><td>{{ key.user }}</td></tr>
</table>
<p>{% blocktranslate %}The key signs <code>POST /v1/metering/usage-records</code> like any CBC call (SDK-HMAC-SHA256); every other endpoint refuses it. Disable it here and it stops at once.{% endblocktranslate %}</p>
<p><a href="{{ changelist }}">{% translate "Back to the platform keys" %}</a></p>
</div>{% endblock %}""")


@admin.register(PlatformAccessKey)
class PlatformAccessKeyAdmin(OperatorAdmin):
    """Operators create platform keys for an operator (a staff user), see, disable and delete them; the SK is
    shown once, on the page that answers the creation, and never stored in plain text."""

    form = PlatformKeyForm
    list_display = ["ak", "user", "description", "status", "created_at", "last_used_at"]
    list_filter = ["status"]
    search_fields = ["ak", "user__username", "description"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(is_platform=True).select_related("user")

    def get_readonly_fields(self, request, obj=None):
        return ["ak", "user", "created_at", "last_used_at"] if obj is not None else []

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["user", "description"]
        return ["ak", "user", "description", "status", "created_at", "last_used_at"]

    def save_model(self, request, obj, form, change):
        if not change:  # the form checked the owner and its number of keys
            request.platform_secret = "".join(secrets.choice(_SK_ALPHABET) for _i in range(40))
            obj.ak = "".join(secrets.choice(_AK_ALPHABET) for _i in range(20))
            obj.sk_encrypted = secretbox.encrypt(request.platform_secret)
            obj.is_platform = True
            obj.partner = None
        super().save_model(request, obj, form, change)

    def response_add(self, request, obj, post_url_continue=None):
        context = {**self.admin_site.each_context(request), "title": gettext("Platform key created"),
                   "key": obj, "secret": request.platform_secret, "domain_id": PLATFORM_DOMAIN_ID,
                   "changelist": reverse("admin:partnercenter_platformaccesskey_changelist")}
        response = TemplateResponse(request, _created_page(), context)
        add_never_cache_headers(response)
        return response


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


NOT_RECOMPUTED = _(
    "Deadlines already stored (for example the acceptance deadlines of opportunities) are NOT recomputed when an "
    "override is saved, changed or deleted: only deadlines computed afterwards and the working-days-left "
    "countdowns see it. Adjust an affected deadline by hand."
)


class WorkdayOverrideForm(forms.ModelForm):
    class Meta:
        model = WorkdayOverride
        fields = ["date", "is_working_day", "note"]
        help_texts = {
            "date": NOT_RECOMPUTED,
            "is_working_day": _(
                "Ticked: a working day (e.g. an adjusted working day, 调休, on a weekend). Not ticked: a day off."
            ),
        }


@admin.register(WorkdayOverride)
class WorkdayOverrideAdmin(OperatorAdmin):
    """China's working-day calendar (partnercenter/workdays.py) corrected by operators: a row always wins over
    the chinese-calendar package. The list warns when the current or next year is unknown to the package (its
    SLAs then count weekends and the fixed-date statutory holidays only, plus these rows), and always says that
    deadlines already stored are not recomputed when a row is saved."""

    form = WorkdayOverrideForm
    list_display = ["date", "weekday", "is_working_day", "calendar_says", "note"]
    list_filter = ["is_working_day"]
    search_fields = ["note"]
    date_hierarchy = "date"

    @admin.display(description=_("weekday"))
    def weekday(self, obj):
        from django.utils.dateformat import format as date_format

        return date_format(obj.date, "l")

    @admin.display(description=_("without this row"), boolean=True)
    def calendar_says(self, obj):
        return package_is_working_day(obj.date)

    def changelist_view(self, request, extra_context=None):
        known = known_years()
        for year in unknown_years():
            entered = WorkdayOverride.objects.filter(date__year=year).count()
            messages.warning(request, gettext(
                "The chinese-calendar package knows the years %(first)d–%(last)d only: in %(year)d, working days "
                "are Monday to Friday except 1 January, 1–2 May and 1–3 October, plus the overrides below "
                "(%(count)d entered for %(year)d). Enter the State Council's holidays and adjusted working days "
                "of %(year)d here, or upgrade the package."
            ) % {"first": known.start, "last": known.stop - 1, "year": year, "count": entered})
        if request.method == "GET":
            messages.info(request, NOT_RECOMPUTED)
        return super().changelist_view(request, extra_context)
