"""The operator screens of the directory area.

- Enterprise directory (企业百科): searchable by name (the trigram index on PostgreSQL) or credit code; edited
  one by one, or imported from a CSV or Excel file (expansion.directory_import: a dry run first, idempotent
  by credit code, row by row with a failure file of the rows that failed and why). The file of a check is
  kept in the cache for an hour under a random token bound to the operator, so "import these rows" and
  "download the failure file" need no second upload. The directory belongs to no partner: imports are in
  Django's admin log, not in a partner's 操作记录.
- The list never counts the whole directory: the count stops at ADMIN_COUNT_CAP (a capped COUNT, as the
  partners' search counts; pages past it do not exist and the list says "more than"), Django's full count
  and the filters' facet counts are off.
- Reports (报备): every partner's reports, read-only (they are the partners' to make and withdraw; the beat
  task expires them).
"""

import secrets

from django.contrib import admin, messages
from django.contrib.admin import ShowFacets
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import directory_import
from .forms_directory import EnterpriseAdminForm, EnterpriseImportForm
from .models import Enterprise, Report
from .selectors_directory import CountCappedPaginator, matching, search_kind

IMPORT_PERMISSIONS = ("expansion.add_enterprise", "expansion.change_enterprise")
KEPT_FOR = 3600
SHOWN_FAILURES = 100
ADMIN_COUNT_CAP = 10_000  # 100 pages of 100: past that, an operator searches or filters


class EnterpriseAdminPaginator(CountCappedPaginator):
    """The changelist's paginator: `COUNT(*)` over `LIMIT ADMIN_COUNT_CAP + 1`, never over the directory; the
    admin's own ordering is kept."""

    cap = ADMIN_COUNT_CAP


def _key(token) -> str:
    return f"expansion:enterprise-import:{token}"


def _keep(request, data, filename) -> str:
    token = secrets.token_urlsafe(16)
    cache.set(_key(token), {"user": request.user.pk, "data": data, "filename": filename}, KEPT_FOR)
    return token


def _kept(request, token):
    kept = cache.get(_key(str(token)[:64])) if token else None
    if not kept or kept.get("user") != request.user.pk:
        return None
    return kept


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    change_list_template = "expansion/directory_admin_changelist.html"
    form = EnterpriseAdminForm
    list_display = ["name", "credit_code", "region", "industry", "size", "status", "updated_at"]
    list_filter = ["status", "size"]
    search_fields = ["name"]  # searched as partners search (get_search_results): the indexes, never a scan
    paginator = EnterpriseAdminPaginator  # a capped count: no COUNT(*) of the directory on each load
    show_full_result_count = False
    show_facets = ShowFacets.NEVER  # a facet is a count over the whole directory
    fieldsets = [
        (None, {"fields": ["name", "credit_code", "status"]}),
        (_("Details"), {"fields": ["industry", "region", "size", "registered_capital", "legal_representative",
                                   "established_on", "address", "updated_at"]}),
    ]
    readonly_fields = ["updated_at"]

    def get_search_results(self, request, queryset, search_term):
        """A credit code finds its enterprise; a name, the names containing it (the trigram index on
        PostgreSQL) — selectors_directory.matching, as the 企业百科 page searches. (Django's own search would
        OR `UPPER(credit_code) = …` into the name search, which no index serves: a scan of the directory.)"""
        if not search_term.strip():
            return queryset, False
        if search_kind(search_term) == "none":
            self.message_user(request, gettext(
                "The search has no letter, digit or Chinese character: punctuation and symbols alone find nothing. "
                "Type part of the enterprise name."), messages.WARNING)
        return matching(queryset, search_term), False

    def has_delete_permission(self, request, obj=None):
        # Reports point at enterprises (PROTECT): an entry ends as deregistered, it is not deleted.
        return False

    def save_model(self, request, obj, form, change):
        obj.updated_at = timezone.now()
        super().save_model(request, obj, form, change)

    # -- import ------------------------------------------------------------------------------------

    def get_urls(self):
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="expansion_enterprise_import"),
            path("import/failures/<str:token>/", self.admin_site.admin_view(self.failures_view),
                 name="expansion_enterprise_import_failures"),
        ] + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_import": request.user.has_perms(IMPORT_PERMISSIONS)}
        return super().changelist_view(request, extra_context)

    def import_view(self, request):
        if not request.user.has_perms(IMPORT_PERMISSIONS):
            raise PermissionDenied
        form = EnterpriseImportForm(request.POST or None, request.FILES or None)
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "form": form,
                   "title": gettext("Import enterprises"), "columns": directory_import.COLUMNS,
                   "required": directory_import.REQUIRED, "max_rows": directory_import.MAX_ROWS}
        if request.method != "POST":
            return TemplateResponse(request, "expansion/directory_admin_import.html", context)
        token = request.POST.get("token")
        if token:  # "import these rows" after a dry run: the file kept then
            kept = _kept(request, token)
            if kept is None:
                self.message_user(request, gettext("The checked file is no longer kept; upload it again."),
                                  messages.ERROR)
                return TemplateResponse(request, "expansion/directory_admin_import.html",
                                        {**context, "form": EnterpriseImportForm()})
            data, filename, apply = kept["data"], kept["filename"], True
        elif form.is_valid():
            upload = form.cleaned_data["file"]
            data, filename, apply = upload.read(), upload.name, "apply" in request.POST
            token = _keep(request, data, filename)
        else:
            return TemplateResponse(request, "expansion/directory_admin_import.html", context)
        try:
            plan = (directory_import.apply_import if apply else directory_import.plan_import)(data, filename)
        except directory_import.FileError as exc:
            form = EnterpriseImportForm()
            context["file_error"] = str(exc)
            return TemplateResponse(request, "expansion/directory_admin_import.html", {**context, "form": form})
        counts = plan.counts()
        if apply:
            self._log_import(request, filename, counts)
            self.message_user(request, gettext(
                "Enterprises imported from %(name)s: %(created)d created, %(updated)d updated, %(unchanged)d "
                "unchanged, %(failed)d failed.") % {"name": filename, **counts},
                messages.WARNING if counts["failed"] else messages.SUCCESS)
        context.update(plan=plan, counts=counts, filename=filename, applied=apply, token=token,
                       failures=plan.failures[:SHOWN_FAILURES], more_failures=max(0, counts["failed"] - SHOWN_FAILURES),
                       failures_url=reverse("admin:expansion_enterprise_import_failures", args=[token])
                       if counts["failed"] else "",
                       form=EnterpriseImportForm())
        return TemplateResponse(request, "expansion/directory_admin_import.html", context)

    def failures_view(self, request, token):
        if not request.user.has_perms(IMPORT_PERMISSIONS):
            raise PermissionDenied
        kept = _kept(request, token)
        if kept is None:
            raise Http404
        try:
            made = directory_import.failure_file(kept["data"], kept["filename"])
        except directory_import.FileError:
            made = None
        if made is None:
            raise Http404
        content, name, content_type = made
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        response["Cache-Control"] = "no-store"
        return response

    def _log_import(self, request, filename, counts):
        LogEntry.objects.create(
            user_id=request.user.pk, content_type=ContentType.objects.get_for_model(Enterprise), object_id="",
            object_repr=f"enterprise import {filename}"[:200], action_flag=CHANGE, change_message=str(counts))


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["enterprise", "partner", "status", "protected_until", "customer", "created_at", "ended_at"]
    list_filter = ["status"]
    list_select_related = ["enterprise", "partner", "customer"]
    search_fields = ["enterprise__name", "=enterprise__credit_code", "partner__name", "partner__account_name"]
    raw_id_fields = ["enterprise", "customer", "partner", "created_by"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
