"""Operator screens of the FH staff incentive (专职人员激励). Every screen is read-only; decisions are made on their own
pages, through the services (incentives.fh_qualification, fh_months, fh_payments), logged under the partner and
told to it:

- FH qualifications: approve (the partner must still be at the threshold) or reject with a reason an APPLYING
  one. Needs `incentives.change_fhqualification`.
- FH monthly lists: the specialists and the materials (downloads through the guarded view incentives:fh_material,
  never a media URL); a SUBMITTED list is made final or returned with a reason (the deadline still holds: a list
  returned after its deadline lapses at the next run). Needs `incentives.change_fhmonth`.
- FH quarterly payments: approve or reject (a reason) an APPLIED one, mark an INVOICED one paid (the payment
  reference). Needs `incentives.change_fhpayment`.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from partnercenter.actors import actor_for_user
from partnercenter.errors import DomainError

from . import fh_months, fh_payments, fh_qualification, selectors_fh
from .choices import FhMonthStatus, FhPaymentStatus, FhQualificationStatus
from .forms_fh import NoteForm, PaidForm, ReasonForm
from .models_fh import FhLine, FhMaterial, FhMonth, FhPayment, FhQualification


def _actor(request):
    return actor_for_user(request.user, ip=request.META.get("REMOTE_ADDR"))


class _ReadOnly:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class _Decisions(_ReadOnly):
    """Decision pages: `actions_spec` is {name: (title, form class, call(actor, obj, data), done message,
    allowed status)}; each page needs `decide_permission`."""

    decide_permission = ""
    actions_spec: dict = {}

    def get_urls(self):
        info = self.model._meta.app_label, self.model._meta.model_name
        return [path(f"<int:pk>/{name}/", self.admin_site.admin_view(self._view(name)), name="%s_%s_" % info + name)
                for name in self.actions_spec] + super().get_urls()

    def _links(self, obj):
        info = self.model._meta.app_label, self.model._meta.model_name
        links = [(reverse("admin:%s_%s_" % info + name, args=[obj.pk]), f"fh-{name}", spec[0])
                 for name, spec in self.actions_spec.items() if obj.status in spec[4]]
        return format_html_join(" · ", '<a href="{}" class="{}">{}</a>', links) if links else "—"

    def _view(self, name):
        title, form_class, call, done, allowed = self.actions_spec[name]

        def view(request, pk):
            if not request.user.has_perm(self.decide_permission):
                raise PermissionDenied
            obj = self.model.objects.select_related("partner").filter(pk=pk).first()
            if obj is None:
                raise Http404
            form = form_class(request.POST or None)
            if request.method == "POST" and form.is_valid():
                try:
                    call(_actor(request), obj, form.cleaned_data)
                except DomainError as exc:
                    self.message_user(request, str(exc.message), messages.ERROR)
                else:
                    self.message_user(request, str(done), messages.SUCCESS)
                    return redirect(reverse("admin:%s_%s_change" % (self.model._meta.app_label,
                                                                     self.model._meta.model_name), args=[obj.pk]))
            return TemplateResponse(request, "incentives/fh_admin_action.html", {
                **self.admin_site.each_context(request), "opts": self.model._meta, "title": str(title),
                "form": form, "object": obj, "allowed": obj.status in allowed, "summary": self.summary(obj),
                "change_url": reverse("admin:%s_%s_change" % (self.model._meta.app_label, self.model._meta.model_name),
                                      args=[obj.pk])})
        return view

    def summary(self, obj) -> list:
        return []


@admin.register(FhQualification)
class FhQualificationAdmin(_Decisions, admin.ModelAdmin):
    list_display = ["partner", "status", "agreement_version", "signer_name", "signed_at", "decided_at", "decision"]
    list_filter = ["status", "agreement_version"]
    list_select_related = ["partner"]
    search_fields = ["partner__name", "partner__domain_id"]
    fields = ["partner", "status", "stage_now", "agreement_version", "signer_name", "signed_by", "signed_at",
              "ip_address", "decided_by", "decided_at", "reason", "decision"]
    readonly_fields = fields
    decide_permission = "incentives.change_fhqualification"
    actions_spec = {
        "approve": (_("Approve"), NoteForm, lambda actor, obj, data: fh_qualification.approve(
            actor, qualification=obj, reason=data["reason"]), _("The FH qualification was approved."),
            (FhQualificationStatus.APPLYING,)),
        "reject": (_("Reject"), ReasonForm, lambda actor, obj, data: fh_qualification.reject(
            actor, qualification=obj, reason=data["reason"]), _("The FH qualification was rejected."),
            (FhQualificationStatus.APPLYING,)),
    }

    @admin.display(description=_("stage now"))
    def stage_now(self, obj):
        standing = selectors_fh.eligibility(obj.partner)
        return standing.reason or (standing.enrolment.stage.name if standing.enrolment else "—")

    @admin.display(description=_("decision"))
    def decision(self, obj):
        return self._links(obj)

    def summary(self, obj):
        return [(_("Partner"), obj.partner), (_("Status"), obj.get_status_display()),
                (_("Signed by"), f"{obj.signer_name} · {obj.agreement_version}"), (_("Stage now"), self.stage_now(obj))]


class FhLineInline(_ReadOnly, admin.TabularInline):
    model = FhLine
    extra = 0
    fields = ["member_name", "amount", "included"]
    readonly_fields = fields
    can_delete = False


class FhMaterialInline(_ReadOnly, admin.TabularInline):
    model = FhMaterial
    extra = 0
    fields = ["download", "content_type", "size", "sha256", "uploaded_by", "uploaded_at"]
    readonly_fields = fields
    can_delete = False

    def has_view_permission(self, request, obj=None):
        return any(request.user.has_perm(p) for p in ("incentives.view_fhmonth", "incentives.change_fhmonth",
                                                        "incentives.view_fhmaterial"))

    @admin.display(description=_("file"))
    def download(self, obj):
        return format_html('<a href="{}" class="material-download">{}</a>',
                           reverse("incentives:fh_material", args=[obj.pk]), obj.original_name)


@admin.register(FhMonth)
class FhMonthAdmin(_Decisions, admin.ModelAdmin):
    list_display = ["partner", "month", "status", "amount", "n_lines", "generated_at", "deadline", "submitted_at",
                    "decision"]
    list_filter = ["status", "month"]
    list_select_related = ["partner"]
    search_fields = ["partner__name", "partner__domain_id"]
    date_hierarchy = "month"
    inlines = [FhLineInline, FhMaterialInline]
    fields = ["partner", "month", "status", "amount", "generated_at", "deadline", "submitted_at", "submitted_by",
              "decided_at", "decided_by", "reason", "lapsed_at", "decision"]
    readonly_fields = fields
    decide_permission = "incentives.change_fhmonth"
    actions_spec = {
        "finalise": (_("Make final"), NoteForm, lambda actor, obj, data: fh_months.finalise(
            actor, fh_month=obj, reason=data["reason"]), _("The FH list is final."), (FhMonthStatus.SUBMITTED,)),
        "return": (_("Return"), ReasonForm, lambda actor, obj, data: fh_months.return_list(
            actor, fh_month=obj, reason=data["reason"]), _("The FH list was returned to the partner."),
            (FhMonthStatus.SUBMITTED,)),
    }

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(lines_count=Count("lines", filter=Q(lines__included=True)))

    @admin.display(description=_("specialists kept"), ordering="lines_count")
    def n_lines(self, obj):
        return obj.lines_count

    @admin.display(description=_("decision"))
    def decision(self, obj):
        return self._links(obj)

    def summary(self, obj):
        files = format_html_join(", ", '<a href="{}">{}</a>', [
            (reverse("incentives:fh_material", args=[m.pk]), m.original_name) for m in obj.materials.all()])
        return [(_("Partner"), obj.partner), (_("Month"), f"{obj.month:%Y-%m}"), (_("Status"), obj.get_status_display()),
                (_("Amount"), obj.amount), (_("Check by"), obj.deadline), (_("Materials"), files or "—")]


@admin.register(FhPayment)
class FhPaymentAdmin(_Decisions, admin.ModelAdmin):
    list_display = ["payment_no", "partner", "year", "quarter", "amount", "status", "applied_at", "invoice_number",
                    "decision"]
    list_filter = ["status", "year", "quarter"]
    list_select_related = ["partner"]
    search_fields = ["payment_no", "partner__name", "partner__domain_id", "invoice_number"]
    fields = ["payment_no", "partner", "year", "quarter", "amount", "status", "applied_by", "applied_at",
              "decided_by", "decided_at", "reason", "invoice_number", "invoiced_at", "paid_at", "payment_reference",
              "decision"]
    readonly_fields = fields
    decide_permission = "incentives.change_fhpayment"
    actions_spec = {
        "approve": (_("Approve"), NoteForm, lambda actor, obj, data: fh_payments.approve(
            actor, payment=obj, reason=data["reason"]), _("The payment application was approved."),
            (FhPaymentStatus.APPLIED,)),
        "reject": (_("Reject"), ReasonForm, lambda actor, obj, data: fh_payments.reject(
            actor, payment=obj, reason=data["reason"]), _("The payment application was rejected."),
            (FhPaymentStatus.APPLIED,)),
        "paid": (_("Mark paid"), PaidForm, lambda actor, obj, data: fh_payments.mark_paid(
            actor, payment=obj, reference=data["reference"]), _("The payment was marked paid."),
            (FhPaymentStatus.INVOICED,)),
    }

    @admin.display(description=_("decision"))
    def decision(self, obj):
        return self._links(obj)

    def summary(self, obj):
        return [(_("Partner"), obj.partner), (_("Quarter"), f"{obj.year} Q{obj.quarter}"), (_("Amount"), obj.amount),
                (_("Status"), obj.get_status_display()), (_("Invoice number"), obj.invoice_number or "—")]


__all__ = ["FhQualificationAdmin", "FhMonthAdmin", "FhPaymentAdmin"]
