"""The platform operator's catalogue screens: regions, service types (and whether partners may discount
them, up to which share), resource types, usage types, measurement units and their conversions, and
products with their prices — edited one by one, or many at once with the price list (import with a dry
run, export of the same format; the work is in catalog.importing, these views only carry the file).

Importing takes the permissions to add and change products and prices; exporting, to view products.
The catalogue belongs to no partner, so changes are in Django's admin log, not in a partner's 操作记录.
"""

import base64
import binascii
import hashlib

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import importing
from .models import Conversion, MeasureUnit, Price, Product, Region, ResourceType, ServiceType, UsageType

IMPORT_PERMISSIONS = ("catalog.add_product", "catalog.change_product", "catalog.add_price", "catalog.change_price")


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en"]
    search_fields = ["code", "name", "name_en"]


class ResourceTypeInline(admin.TabularInline):
    model = ResourceType
    fields = ["code", "name", "name_en", "description"]
    extra = 0
    show_change_link = True


@admin.register(ServiceType)
class ServiceTypeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "abbreviation", "allow_discount", "max_partner_discount"]
    list_editable = ["allow_discount", "max_partner_discount"]
    list_filter = ["allow_discount"]
    search_fields = ["code", "name", "name_en", "abbreviation"]
    fieldsets = [
        (None, {"fields": ["code", "name", "name_en", "abbreviation"]}),
        (_("Partner discounts"), {"fields": ["allow_discount", "max_partner_discount"]}),
    ]
    inlines = [ResourceTypeInline]


class UsageTypeInline(admin.TabularInline):
    model = UsageType
    fields = ["code", "name", "name_en"]
    extra = 0


@admin.register(ResourceType)
class ResourceTypeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "service_type"]
    list_filter = ["service_type"]
    list_select_related = ["service_type"]
    search_fields = ["code", "name", "name_en", "service_type__code"]
    autocomplete_fields = ["service_type"]
    inlines = [UsageTypeInline]


@admin.register(UsageType)
class UsageTypeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "resource_type"]
    list_filter = ["resource_type__service_type"]
    list_select_related = ["resource_type"]
    search_fields = ["code", "name", "name_en", "resource_type__code"]
    autocomplete_fields = ["resource_type"]


@admin.register(MeasureUnit)
class MeasureUnitAdmin(admin.ModelAdmin):
    list_display = ["measure_id", "name", "name_en", "abbreviation", "measure_type"]
    list_filter = ["measure_type"]
    search_fields = ["name", "name_en", "abbreviation"]


@admin.register(Conversion)
class ConversionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "measure", "ref_measure", "ratio", "measure_type"]
    list_filter = ["measure_type"]
    list_select_related = ["measure", "ref_measure"]


class PriceInline(admin.TabularInline):
    model = Price
    fields = ["period_type", "amount"]
    extra = 0


class PriceListForm(forms.Form):
    file = forms.FileField(label=_("Price list (.csv or .xlsx)"), required=False)
    # after a clean dry run: the same file, carried to the apply step
    content = forms.CharField(widget=forms.HiddenInput, required=False)
    filename = forms.CharField(widget=forms.HiddenInput, required=False, max_length=255)
    digest = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def file_data(self) -> tuple[bytes, str]:
        upload = self.cleaned_data.get("file")
        if upload is not None:
            return upload.read(), upload.name
        content = self.cleaned_data.get("content") or ""
        try:
            data = base64.b64decode(content.encode(), validate=True)
        except (binascii.Error, ValueError):
            data = b""
        if not data or hashlib.sha256(data).hexdigest() != self.cleaned_data.get("digest"):
            raise forms.ValidationError(_("Choose a price list file."))
        return data, self.cleaned_data.get("filename") or ""


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    change_list_template = "admin/catalog/product/change_list.html"
    list_display = ["product_id", "spec_name", "resource_spec", "region", "charge_mode", "prices_summary", "is_active"]
    list_filter = ["service_type", "region", "charge_mode", "is_active", "is_linear", "is_package", "is_marketplace",
                   "is_stored_card"]
    list_select_related = ["region"]
    search_fields = ["product_id", "resource_spec", "spec_name", "spec_name_en", "resource_type__code",
                     "service_type__code"]
    autocomplete_fields = ["service_type", "resource_type", "region", "usage_type"]
    readonly_fields = ["product_id"]
    fieldsets = [
        (None, {"fields": ["product_id", "service_type", "resource_type", "region", "resource_spec", "spec_name",
                           "spec_name_en", "charge_mode", "is_active"]}),
        (_("Priced by size"), {"fields": ["is_linear", "size_measure", "min_size", "max_size"]}),
        (_("Pay-per-use"), {"fields": ["usage_type", "usage_measure"]}),
        (_("Resource package"), {"fields": ["is_package", "package_quota", "package_reset"]}),
        (_("Kind"), {"fields": ["is_marketplace", "is_stored_card"]}),
    ]
    inlines = [PriceInline]
    actions = ["take_off_sale", "put_on_sale"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("prices")

    @admin.display(description=_("Prices"))
    def prices_summary(self, product):
        prices = sorted(product.prices.all(), key=lambda p: -1 if p.period_type is None else p.period_type)
        per_unit = gettext("per usage unit")
        return "; ".join(f"{price.get_period_type_display() or per_unit} "
                         f"{importing.plain_price(price.amount)}" for price in prices) or "—"

    @admin.action(description=_("Take the selected products off sale"), permissions=["change"])
    def take_off_sale(self, request, queryset):
        count = queryset.update(is_active=False)
        self.message_user(request, gettext("%(count)d product(s) taken off sale.") % {"count": count})

    @admin.action(description=_("Put the selected products on sale"), permissions=["change"])
    def put_on_sale(self, request, queryset):
        count = queryset.update(is_active=True)
        self.message_user(request, gettext("%(count)d product(s) put on sale.") % {"count": count})

    # -- the price list ----------------------------------------------------------------------------

    def get_urls(self):
        urls = [
            path("import/", self.admin_site.admin_view(self.import_view), name="catalog_product_import"),
            path("export/", self.admin_site.admin_view(self.export_view), name="catalog_product_export"),
        ]
        return urls + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_import": request.user.has_perms(IMPORT_PERMISSIONS)}
        return super().changelist_view(request, extra_context)

    def import_view(self, request):
        if not request.user.has_perms(IMPORT_PERMISSIONS):
            raise PermissionDenied
        form = PriceListForm(request.POST or None, request.FILES or None)
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "form": form,
                   "title": gettext("Import a price list"), "columns": importing.COLUMNS}
        if request.method == "POST" and form.is_valid():
            try:
                data, filename = form.file_data()
                table = importing.read_table(data, filename)
            except forms.ValidationError as exc:
                form.add_error("file", exc)
                return TemplateResponse(request, "admin/catalog/product/import.html", context)
            except importing.PriceListError as exc:
                form.add_error("file", str(exc))
                return TemplateResponse(request, "admin/catalog/product/import.html", context)
            if "apply" in request.POST:
                plan = importing.apply_import(table)
                if plan.ok:
                    self._log_import(request, filename, plan)
                    counts = plan.counts()
                    self.message_user(request, gettext(
                        "Price list imported: %(products_created)d products created, %(products_updated)d "
                        "changed; %(prices_created)d prices created, %(prices_updated)d changed.") % counts)
                    return HttpResponseRedirect(reverse("admin:catalog_product_changelist"))
                self.message_user(request, gettext("Nothing was imported: the file has errors."), messages.ERROR)
            else:
                plan = importing.plan_import(table)
            context.update(plan=plan, counts=plan.counts(), filename=filename, apply_form=PriceListForm(initial={
                "content": base64.b64encode(data).decode(), "filename": filename,
                "digest": hashlib.sha256(data).hexdigest()}) if plan.ok else None)
        return TemplateResponse(request, "admin/catalog/product/import.html", context)

    def _log_import(self, request, filename, plan):
        LogEntry.objects.create(
            user_id=request.user.pk, content_type=ContentType.objects.get_for_model(Product), object_id="",
            object_repr=f"price list {filename}"[:200], action_flag=CHANGE, change_message=str(plan.counts()))

    def export_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        file_format = request.GET.get("format", "xlsx")
        # the rows the change list shows, with its filters and search (minus the export's own parameter)
        request.GET = request.GET.copy()
        request.GET.pop("format", None)
        products = self.get_changelist_instance(request).get_queryset(request)
        rows = importing.export_rows(products)
        stamp = timezone.localdate().strftime("%Y%m%d")
        if file_format == "csv":
            response = HttpResponse(importing.write_csv(rows), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="price-list-{stamp}.csv"'
            return response
        response = HttpResponse(importing.write_xlsx(rows),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = f'attachment; filename="price-list-{stamp}.xlsx"'
        return response

