"""Pages of 权益 ▸ 专职人员激励(FH), every one for a partner's member holding `incentives.fh`, in three tabs:

资格申请
- fh/                                     the FH qualification: where the partner stands against the threshold
                                          (a clear reason when it may not apply), its application and decision
- fh/apply/                               the FH agreement (from a template) and signing it
月度激励
- fh/months/?status=&year=&page=          the monthly lists, each with its 14-working-day countdown
- fh/months/<pk>/                         a list: specialists and amounts (untick, save), materials, submit
- fh/months/<pk>/lines/                   POST: save the check
- fh/months/<pk>/upload/                  POST: add materials
- fh/months/<pk>/materials/<m>/remove/    confirm, then remove a material
- fh/months/<pk>/submit/                  提交 (the verification code when the partner asks for codes)
- fh/materials/<pk>/                      a material as an attachment: its partner (incentives.fh) or operators
付款申请
- fh/payments/?status=&page=              the quarters (why each cannot be applied for yet) and the applications
- fh/payments/apply/?year=&quarter=       季度付款申请 with a confirmation
- fh/payments/<pk>/                       an application: payment progress as steps, the invoice number
- fh/payments/<pk>/invoice-list/          the printable 开票清单 (approved and later)
- fh/payments/<pk>/invoice/               POST: the invoice number
Another partner's list, material or payment is 404; reads come from selectors_fh, writes from the services.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from partnercenter.confirmation import posted, two_step
from partnercenter.downloads import stored_file_response
from partnercenter.errors import DomainError
from partnercenter.pages import form_error, member_page, paginate
from programs import uploads

from . import fh_materials, fh_months, fh_payments, fh_qualification
from . import selectors_fh as selectors
from .choices import FhPaymentStatus, FhQualificationStatus
from .forms_fh import (
    InvoiceForm, LinesForm, MaterialsForm, MonthFilter, PaymentApplyForm, PaymentFilter, QualificationForm,
    SubmitForm,
)

__all__ = ["qualification", "apply", "months", "month_detail", "month_lines", "month_upload", "material_remove",
           "month_submit", "material", "payments", "payment_apply", "payment_detail", "invoice_list",
           "payment_invoice"]

FH = "incentives.fh"
PRINTABLE = (FhPaymentStatus.APPROVED, FhPaymentStatus.INVOICED, FhPaymentStatus.PAID)


# ---------------------------------------------------------------------------------------------
# 资格申请
# ---------------------------------------------------------------------------------------------

def _standing(actor):
    current = selectors.qualification_of(actor.partner)
    standing = selectors.eligibility(actor.partner)
    may_apply = standing.eligible and actor.member is not None and (
        current is None or current.status == FhQualificationStatus.REJECTED)
    return current, standing, may_apply


@member_page(FH)
def qualification(request):
    current, standing, may_apply = _standing(request.actor)
    return render(request, "incentives/fh_qualification.html", {
        "tab": "qualification", "qualification": current, "standing": standing, "may_apply": may_apply,
        "version": settings.FH_AGREEMENT_VERSION})


@member_page(FH)
def apply(request):
    actor = request.actor
    current, standing, may_apply = _standing(actor)
    form = QualificationForm(posted(request), actor=actor, initial={
        "signer_name": actor.member.display_name if actor.member else ""})
    if request.method == "POST" and form.is_valid():
        try:
            fh_qualification.apply(actor, signer_name=form.cleaned_data["signer_name"],
                                   accepted=form.cleaned_data["accepted"], verification_code=form.code)
        except DomainError as exc:
            form_error(request, form, exc)
        else:
            messages.success(request, _("The FH agreement was signed and your application sent; an operator will "
                                        "decide on it."))
            return redirect("incentives:fh")
    return render(request, "incentives/fh_apply.html", {
        "tab": "qualification", "form": form, "qualification": current, "standing": standing,
        "may_apply": may_apply, "agreement": fh_qualification.agreement_text(actor.partner),
        "version": settings.FH_AGREEMENT_VERSION})


# ---------------------------------------------------------------------------------------------
# 月度激励
# ---------------------------------------------------------------------------------------------

@member_page(FH)
def months(request):
    filters = MonthFilter(request.GET or None, queryset=selectors.months_for(request.actor), request=request)
    page = paginate(request, filters.qs)
    page.object_list = selectors.with_countdown(page.object_list)
    return render(request, "incentives/fh_months.html", {"tab": "months", "form": filters.form, "page": page})


def _month_or_404(request, pk):
    found = selectors.month_for(request.actor, pk)
    if found is None:
        raise Http404
    return found


def _month_context(request, found, **extra):
    lines = list(found.lines.order_by("member_name", "pk"))
    editable = fh_months.may_edit(found)
    return {
        "tab": "months", "month": found, "lines": lines, "materials": list(selectors.materials_of(found)),
        "editable": editable, "countdown": selectors.countdown_of(found),
        "kept_count": sum(1 for line in lines if line.included), "max_files": uploads.MAX_FILES,
        "max_size": uploads._megabytes(uploads.max_bytes()), **extra}


@member_page(FH)
def month_detail(request, pk):
    found = _month_or_404(request, pk)
    context = _month_context(request, found)
    context["lines_form"] = LinesForm(lines=context["lines"], initial={
        "kept": [str(line.pk) for line in context["lines"] if line.included]})
    context["form"] = MaterialsForm()
    return render(request, "incentives/fh_month_detail.html", context)


@require_POST
@member_page(FH)
def month_lines(request, pk):
    found = _month_or_404(request, pk)
    form = LinesForm(request.POST, lines=list(found.lines.all()))
    if form.is_valid():
        try:
            saved = fh_months.check_lines(request.actor, fh_month=found, kept=form.cleaned_data["kept"])
        except DomainError as exc:
            form_error(request, None, exc)
        else:
            messages.success(request, _("The check was saved: %(amount)s.") % {"amount": f"¥{saved.amount:,.2f}"})
    else:
        messages.error(request, _("Choose specialists of this list."))
    return redirect("incentives:fh_month", pk=found.pk)


@require_POST
@member_page(FH)
def month_upload(request, pk):
    found = _month_or_404(request, pk)
    form = MaterialsForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            stored = fh_months.upload_materials(request.actor, fh_month=found, files=form.cleaned_data["files"])
        except DomainError as exc:
            form_error(request, None, exc)
        else:
            messages.success(request, _("%(count)d file(s) uploaded.") % {"count": len(stored)})
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("incentives:fh_month", pk=found.pk)


@member_page(FH)
def material_remove(request, pk, material_pk):
    found = _month_or_404(request, pk)
    item = selectors.materials_of(found).filter(pk=material_pk).first()
    if item is None:
        raise Http404
    if request.method == "POST":
        try:
            fh_months.remove_material(request.actor, fh_month=found, material_pk=item.pk)
        except DomainError as exc:
            form_error(request, None, exc)
        else:
            messages.success(request, _("%(name)s was removed.") % {"name": item.original_name})
        return redirect("incentives:fh_month", pk=found.pk)
    return render(request, "incentives/fh_material_remove.html", {
        "tab": "months", "month": found, "material": item, "editable": fh_months.may_edit(found)})


@member_page(FH)
def month_submit(request, pk):
    found = _month_or_404(request, pk)
    form = SubmitForm(posted(request), actor=request.actor)
    if request.method == "POST" and form.is_valid():
        try:
            fh_months.submit(request.actor, fh_month=found, verification_code=form.code)
        except DomainError as exc:
            form_error(request, form, exc)
        else:
            messages.success(request, _("The list was submitted for review."))
            return redirect("incentives:fh_month", pk=found.pk)
        found.refresh_from_db()
    return render(request, "incentives/fh_month_submit.html", _month_context(request, found, form=form))


@require_GET
def material(request, pk):
    """A stored material (partnercenter.downloads); 404 for anyone who may not read it (another partner's id
    is as absent as a made-up one)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    found = fh_materials.material_for(request.actor, pk)
    if found is None:
        raise Http404
    return stored_file_response(lambda: fh_materials.open_material(found), filename=found.original_name,
                                content_type=found.content_type)


# ---------------------------------------------------------------------------------------------
# 付款申请
# ---------------------------------------------------------------------------------------------

@member_page(FH)
def payments(request):
    actor = request.actor
    filters = PaymentFilter(request.GET or None, queryset=selectors.payments_for(actor), request=request)
    return render(request, "incentives/fh_payments.html", {
        "tab": "payments", "form": filters.form, "page": paginate(request, filters.qs),
        "quarters": fh_payments.quarter_rows(actor.partner)})


@member_page(FH)
def payment_apply(request):
    actor = request.actor
    source = request.POST if request.method == "POST" else request.GET
    form = PaymentApplyForm({"year": source.get("year"), "quarter": source.get("quarter")})
    if not form.is_valid():
        raise Http404
    year, quarter = form.cleaned_data["year"], form.cleaned_data["quarter"]
    refused = fh_payments.refusal(actor.partner, year, quarter)
    final_months = [m for m in selectors.months_for(actor).filter(
        month__in=fh_payments.quarter_months(year, quarter)).order_by("month") if m.status == "final"]
    step = two_step(request, form, lambda code: fh_payments.apply(actor, year=year, quarter=quarter,
                                                                  verification_code=code))
    if step.done:
        messages.success(request, _("The payment application of %(year)s Q%(quarter)s was sent; an operator will "
                                    "review it.") % {"year": year, "quarter": quarter})
        return redirect("incentives:fh_payment", pk=step.result.pk)
    return render(request, "incentives/fh_payment_apply.html", {
        "tab": "payments", "form": form, "year": year, "quarter": quarter, "refusal": refused,
        "final_months": final_months, "total": sum(m.amount for m in final_months), **step.context})


def _payment_or_404(request, pk):
    found = selectors.payment_for(request.actor, pk)
    if found is None:
        raise Http404
    return found


@member_page(FH)
def payment_detail(request, pk):
    found = _payment_or_404(request, pk)
    return render(request, "incentives/fh_payment_detail.html", {
        "tab": "payments", "payment": found, "steps": fh_payments.progress(found),
        "printable": found.status in PRINTABLE, "form": InvoiceForm(),
        "may_invoice": found.status == FhPaymentStatus.APPROVED})


@require_POST
@member_page(FH)
def payment_invoice(request, pk):
    found = _payment_or_404(request, pk)
    form = InvoiceForm(request.POST)
    if form.is_valid():
        try:
            fh_payments.enter_invoice(request.actor, payment=found, invoice_number=form.cleaned_data["invoice_number"])
        except DomainError as exc:
            form_error(request, form, exc)
        else:
            messages.success(request, _("The invoice number was saved: mail the invoice list and the invoice to "
                                        "Huawei."))
            return redirect("incentives:fh_payment", pk=found.pk)
    return render(request, "incentives/fh_payment_detail.html", {
        "tab": "payments", "payment": found, "steps": fh_payments.progress(found),
        "printable": found.status in PRINTABLE, "form": form,
        "may_invoice": found.status == FhPaymentStatus.APPROVED})


@member_page(FH)
def invoice_list(request, pk):
    found = _payment_or_404(request, pk)
    if found.status not in PRINTABLE:
        raise Http404
    return render(request, "incentives/fh_invoice_list.html", {
        "payment": found, "certification": selectors.certification_of(request.actor.partner),
        "partner": request.actor.partner, "printed_at": timezone.now(), **fh_payments.invoice_list(found)})
