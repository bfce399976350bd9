"""The platform operator's screens of consumption and bills: read-only lists of usage records, fee records,
resource packages, billing cycles, monthly sums and partner bills (filters, search by ids; nothing is added,
changed or deleted here: usage comes in through the ingestion endpoint, the import below or the generator, and
everything else is written by rating and the month close), and the usage import.

**Usage import** (the usage records' list ▸ Import usage): upload a CSV file of usage records; a dry run
shows how many rows would be created, are duplicates or fail, with the first errors and a failure file; the
import then stores the same file (kept for an hour in the cache between the two steps, for this operator only)
through bills.importing, a chunk at a time. It takes the permission to add usage records. The lists can be
long: they show no full count, and search matches ids exactly (so the indexes answer).
"""

import io
import secrets

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import importing
from .choices import UsageStatus
from .models import (BillingPeriod, CustomerMonthlySum, FeeRecord, PartnerBill, ResourcePackage, UsageRecord,
                     UsageWaiting)

IMPORT_PERMISSION = "bills.add_usagerecord"
KEPT_FOR = 3600  # seconds an uploaded file and a failure file stay in the cache


class ReadOnlyAdmin(admin.ModelAdmin):
    """A list and a detail view, nothing else; no full count of a long table."""

    show_full_result_count = False
    list_per_page = 50

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class UsageStatusFilter(admin.SimpleListFilter):
    """A usage record's status is not stored (bills.models.UsageRecord): waiting (a UsageWaiting row), rated
    (its fee record), not rated (an error code)."""

    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [(str(value), label) for value, label in UsageStatus.choices]

    def queryset(self, request, queryset):
        if self.value() == str(UsageStatus.NEW):
            return queryset.filter(Exists(UsageWaiting.objects.filter(customer_id=OuterRef("customer_id"),
                                                                      usage_record_id=OuterRef("pk"))))
        if self.value() == str(UsageStatus.RATED):
            return queryset.filter(fee_record__isnull=False)
        if self.value() == str(UsageStatus.FAILED):
            return queryset.exclude(error_code="").filter(fee_record__isnull=True)
        return queryset


class UsageFileForm(forms.Form):
    file = forms.FileField(label=_("Usage file (.csv)"))


def _cache_key(kind, user, token) -> str:
    return f"bills:usage-import:{kind}:{user.pk}:{token}"


@admin.register(UsageRecord)
class UsageRecordAdmin(ReadOnlyAdmin):
    change_list_template = "admin/bills/usagerecord/change_list.html"
    list_display = ["record_id", "customer", "resource_id", "service_type_code", "usage_type_code", "usage_amount",
                    "usage_measure", "begin_time", "end_time", "source", "status_label", "error_code", "received_at"]
    list_filter = ["source", UsageStatusFilter]
    list_select_related = ["customer", "usage_measure", "fee_record"]
    search_fields = ["=record_id", "=resource_id", "=customer__domain_id"]

    @admin.display(description=_("status"))
    def status_label(self, record):
        return record.get_status_display()

    def get_urls(self):
        urls = [
            path("import/", self.admin_site.admin_view(self.import_view), name="bills_usagerecord_import"),
            path("import/failures/<str:token>/", self.admin_site.admin_view(self.failures_view),
                 name="bills_usagerecord_import_failures"),
        ]
        return urls + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_import": request.user.has_perm(IMPORT_PERMISSION)}
        return super().changelist_view(request, extra_context)

    def import_view(self, request):
        """Upload and dry run (POST with a file), then import (POST `apply` with the dry run's token)."""
        if not request.user.has_perm(IMPORT_PERMISSION):
            raise PermissionDenied
        form = UsageFileForm(request.POST or None, request.FILES or None)
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "form": form,
                   "title": gettext("Import usage records"), "columns": importing.COLUMNS,
                   "required": importing.REQUIRED_COLUMNS, "chunk": importing.CHUNK}
        if request.method != "POST":
            return TemplateResponse(request, "admin/bills/usagerecord/import.html", context)
        apply = "apply" in request.POST
        if apply:
            token = request.POST.get("token", "")
            stored = cache.get(_cache_key("file", request.user, token)) if token.isalnum() else None
            if stored is None:
                self.message_user(request, gettext("The checked file is no longer kept: upload it again."),
                                  messages.ERROR)
                return TemplateResponse(request, "admin/bills/usagerecord/import.html", context)
            data, filename = stored
        elif form.is_valid():
            upload = form.cleaned_data["file"]
            data, filename = b"".join(upload.chunks()), upload.name
            token = secrets.token_hex(16)
        else:
            return TemplateResponse(request, "admin/bills/usagerecord/import.html", context)
        try:
            report = importing.run_import(io.BytesIO(data), dry_run=not apply)
        except importing.UsageFileError as exc:
            context.update(form=UsageFileForm(), file_error=str(exc), filename=filename)
            return TemplateResponse(request, "admin/bills/usagerecord/import.html", context)
        if apply:
            cache.delete(_cache_key("file", request.user, token))
            self._log_import(request, filename, report)
        else:
            cache.set(_cache_key("file", request.user, token), (data, filename), KEPT_FOR)
        failures = report.failure_csv()
        failure_token = None
        if failures:
            failure_token = secrets.token_hex(16)
            cache.set(_cache_key("failures", request.user, failure_token), (failures, filename), KEPT_FOR)
        context.update(report=report, filename=filename, token=token, form=UsageFileForm(),
                       failures_url=reverse("admin:bills_usagerecord_import_failures", args=[failure_token])
                       if failure_token else None)
        return TemplateResponse(request, "admin/bills/usagerecord/import.html", context)

    def failures_view(self, request, token):
        if not request.user.has_perm(IMPORT_PERMISSION):
            raise PermissionDenied
        stored = cache.get(_cache_key("failures", request.user, token)) if token.isalnum() else None
        if stored is None:
            raise Http404
        data, filename = stored
        stem = (filename or "usage").rsplit(".", 1)[0]
        safe = "".join(c for c in stem if c.isascii() and (c.isalnum() or c in "-_"))[:60] or "usage"
        response = HttpResponse(data, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{safe}-failed-{timezone.localdate():%Y%m%d}.csv"'
        return response

    def _log_import(self, request, filename, report):
        LogEntry.objects.create(
            user_id=request.user.pk, content_type=ContentType.objects.get_for_model(UsageRecord), object_id="",
            object_repr=f"usage file {filename}"[:200], action_flag=ADDITION, change_message=str(report.counts()))


@admin.register(FeeRecord)
class FeeRecordAdmin(ReadOnlyAdmin):
    list_display = ["record_id", "bill_cycle", "customer", "partner", "bill_type", "charging_mode", "service_type",
                    "official_amount", "consume_amount", "cash_amount", "debt_amount", "status", "is_adjustment",
                    "trade_time"]
    list_filter = ["bill_type", "charging_mode", "status", "is_adjustment"]
    list_select_related = ["customer", "partner", "service_type"]
    search_fields = ["=record_id", "=bill_cycle", "=trade_id", "=resource_id", "=customer__domain_id",
                     "=partner__domain_id", "=usage_record__record_id"]


@admin.register(ResourcePackage)
class ResourcePackageAdmin(ReadOnlyAdmin):
    list_display = ["order_instance_id", "customer", "product", "usage_type", "region", "original_amount", "remaining",
                    "measure", "reset", "status", "effective_time", "expire_time"]
    list_filter = ["status", "reset"]
    list_select_related = ["customer", "product__region", "usage_type", "region", "measure"]
    search_fields = ["=order_instance_id", "=order_id", "=customer__domain_id"]


@admin.register(BillingPeriod)
class BillingPeriodAdmin(ReadOnlyAdmin):
    list_display = ["bill_cycle", "status", "closed_at", "fee_records", "customers"]
    list_filter = ["status"]
    search_fields = ["=bill_cycle"]


@admin.register(CustomerMonthlySum)
class CustomerMonthlySumAdmin(ReadOnlyAdmin):
    list_display = ["bill_cycle", "customer", "partner", "service_type", "resource_type", "charging_mode", "bill_type",
                    "records", "official_amount", "consume_amount", "cash_amount", "debt_amount"]
    list_filter = ["bill_type", "charging_mode"]
    list_select_related = ["customer", "partner", "service_type", "resource_type"]
    search_fields = ["=bill_cycle", "=customer__domain_id", "=partner__domain_id"]


@admin.register(PartnerBill)
class PartnerBillAdmin(ReadOnlyAdmin):
    list_display = ["bill_cycle", "partner", "customers", "consumption_amount", "resale_cash_amount", "coupon_amount",
                    "debt_amount", "partner_paid_amount", "refund_amount", "credit_used", "amount_due", "closed_at"]
    list_select_related = ["partner"]
    search_fields = ["=bill_cycle", "=partner__domain_id", "partner__name"]
