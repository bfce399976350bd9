"""Pages of 线索管理 (leads).

- leads/                     the list: filters (company or contact, status, source, owner, created), the
                             next follow-up, exports (expansion.view)
- leads/export.xlsx|.csv     the filtered list (at most EXPORT_LIMIT rows), logged (expansion.view)
- leads/new/                 新建线索 (expansion.manage)
- leads/<pk>/                a lead: details, follow-ups (paged), calls, and the forms to follow up, change the
                             status, assign and call (外呼) (expansion.view; the forms expansion.manage)
- leads/<pk>/edit/           change it (expansion.manage)
- leads/<pk>/follow-up/, status/, owner/, call/   POST the forms of the detail page (expansion.manage)
- leads/<pk>/convert/        convert to a customer or an opportunity (expansion.manage)

For partners in marketing plan 2.0 (expansion.masking) the phone and e-mail are masked on every page and
export, and never put in a form's initial values.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from partnercenter.errors import DomainError
from partnercenter.exports import EXPORT_LIMIT, csv_response, local_time, xlsx_response
from partnercenter.pages import form_error, member_page, paginate, posted

from . import leads as services
from . import leads_calls, leads_conversion
from . import selectors_leads as selectors
from .choices import LeadStatus
from .filters_leads import LeadFilter
from .forms_leads import (
    CallForm, ConvertCustomerForm, ConvertOpportunityForm, FollowUpForm, LeadForm, OwnerForm, StatusForm,
)
from .masking import contacts_masked, shown_contacts

__all__ = ["leads", "lead_export", "lead_export_csv", "lead_new", "lead_detail", "lead_edit", "lead_follow_up",
           "lead_status", "lead_owner", "lead_call", "lead_convert"]

VIEW, MANAGE = selectors.VIEW, selectors.MANAGE


def _show(rows, masked):
    """Give each lead the contacts its partner may see (`shown_phone`, `shown_email`)."""
    for lead in rows:
        lead.shown_phone, lead.shown_email = shown_contacts(lead, masked)
    return rows


def _lead_or_404(request, pk):
    lead = selectors.lead_for(request.actor, pk)
    if lead is None:
        raise Http404
    return lead


def _filtered(request):
    filters = LeadFilter(request.GET or None, queryset=selectors.leads_for(request.actor), request=request)
    return filters.form, filters.qs


# ---------------------------------------------------------------------------------------------------------
# The list and its exports
# ---------------------------------------------------------------------------------------------------------

@member_page(VIEW)
def leads(request):
    form, queryset = _filtered(request)
    page = paginate(request, queryset)
    masked = contacts_masked(request.actor.partner)
    _show(page, masked)
    return render(request, "expansion/leads_list.html", {
        "current": "leads", "form": form, "page": page, "masked": masked,
        "can_manage": request.actor.has_perm(MANAGE)})


def _export_rows(request):
    _form, queryset = _filtered(request)
    masked = contacts_masked(request.actor.partner)
    for lead in queryset[:EXPORT_LIMIT]:
        phone, email = shown_contacts(lead, masked)
        yield [lead.pk, lead.company_name, lead.contact_name, phone, email, lead.region, lead.industry,
               lead.get_source_display(), lead.get_status_display(), str(lead.owner or ""),
               local_time(lead.next_follow_up), lead.customer.domain_id if lead.customer else "",
               lead.opportunity_id or "", local_time(lead.created_at), lead.requirement]


def _export_header():
    return [_("Lead ID"), _("Company"), _("Contact"), _("Phone"), _("E-mail"), _("Region"), _("Industry"),
            _("Source"), _("Status"), pgettext("lead", "Owner"), _("Next follow-up"), _("Customer account ID"),
            _("Opportunity ID"), _("Created"), pgettext("lead", "Requirement")]


@member_page(VIEW)
def lead_export(request):
    return xlsx_response(request, action="expansion.lead_export", name="leads", title=_("Leads"),
                         header=_export_header(), rows=_export_rows(request))


@member_page(VIEW)
def lead_export_csv(request):
    return csv_response(request, action="expansion.lead_export", name="leads", header=_export_header(),
                        rows=_export_rows(request))


# ---------------------------------------------------------------------------------------------------------
# Creating and changing a lead
# ---------------------------------------------------------------------------------------------------------

@member_page(MANAGE)
def lead_new(request):
    actor = request.actor
    form = LeadForm(posted(request), owners=selectors.owners_for(actor), creating=True)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            lead = services.create_lead(
                actor, company_name=data["company_name"], contact_name=data["contact_name"], phone=data["phone"],
                email=data["email"], region=data["region"], industry=data["industry"],
                requirement=data["requirement"], owner=data["owner"])
        except DomainError as exc:
            form_error(request, form, exc)
        else:
            messages.success(request, _("Lead %(name)s created.") % {"name": lead.company_name})
            return redirect("expansion:lead", pk=lead.pk)
    return render(request, "expansion/leads_form.html", {"current": "leads", "form": form, "lead": None})


@member_page(MANAGE)
def lead_edit(request, pk):
    actor = request.actor
    lead = _lead_or_404(request, pk)
    masked = contacts_masked(actor.partner)
    initial = {name: getattr(lead, name) for name in services.EDITABLE_FIELDS
               if not (masked and name in ("phone", "email"))}
    form = LeadForm(posted(request), initial=initial, masked=masked, creating=False)
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in services.EDITABLE_FIELDS if name in form.cleaned_data}
        try:
            services.update_lead(actor, lead=lead, **changes)
        except DomainError as exc:
            form_error(request, form, exc)
        else:
            messages.success(request, _("The lead was saved."))
            return redirect("expansion:lead", pk=lead.pk)
    return render(request, "expansion/leads_form.html", {"current": "leads", "form": form, "lead": lead,
                                                         "masked": masked})


# ---------------------------------------------------------------------------------------------------------
# The detail page and its forms
# ---------------------------------------------------------------------------------------------------------

def _detail(request, lead, **forms):
    actor = request.actor
    masked = contacts_masked(actor.partner)
    _show([lead], masked)
    can_manage = actor.has_perm(MANAGE)
    statuses = services.allowed_statuses(lead)
    context = {
        "current": "leads", "lead": lead, "masked": masked, "can_manage": can_manage,
        "open": lead.status in services.OPEN,
        "follow_ups": paginate(request, selectors.follow_ups_of(lead)),
        "calls": list(selectors.calls_of(lead)[:20]),
        "may_call": leads_calls.may_call(actor, lead),
        "may_convert": can_manage and lead.status != LeadStatus.INVALID
        and (lead.customer_id is None or lead.opportunity_id is None),
        "follow_up_form": forms.get("follow_up_form") or FollowUpForm(),
        "status_form": forms.get("status_form") or (StatusForm(statuses=statuses) if statuses else None),
        "owner_form": forms.get("owner_form") or OwnerForm(initial={"owner": lead.owner_id},
                                                           owners=selectors.owners_for(actor)),
        "call_form": forms.get("call_form") or CallForm(),
    }
    return render(request, "expansion/leads_detail.html", context)


@member_page(VIEW)
def lead_detail(request, pk):
    return _detail(request, _lead_or_404(request, pk))


def _post_form(request, pk, form_class, name, act, done, form_kwargs=None):
    """A detail-page form: GET shows the page, POST runs `act(lead, cleaned_data)`; a refusal shows the page
    with the form's error."""
    lead = _lead_or_404(request, pk)
    if request.method != "POST":
        return redirect("expansion:lead", pk=lead.pk)
    kwargs = form_kwargs(lead) if callable(form_kwargs) else (form_kwargs or {})
    form = form_class(request.POST, **kwargs)
    if form.is_valid():
        try:
            act(lead, form.cleaned_data)
        except DomainError as exc:
            form_error(request, form, exc)
        else:
            messages.success(request, done)
            return redirect("expansion:lead", pk=lead.pk)
    return _detail(request, lead, **{name: form})


@member_page(MANAGE)
def lead_follow_up(request, pk):
    return _post_form(request, pk, FollowUpForm, "follow_up_form", lambda lead, data: services.add_follow_up(
        request.actor, lead=lead, method=data["method"], note=data["note"], next_at=data["next_at"]),
        _("The follow-up was recorded."))


@member_page(MANAGE)
def lead_status(request, pk):
    return _post_form(request, pk, StatusForm, "status_form", lambda lead, data: services.change_status(
        request.actor, lead=lead, status=data["status"], reason=data["reason"]),
        _("The lead's status was changed."), lambda lead: {"statuses": services.allowed_statuses(lead)})


@member_page(MANAGE)
def lead_owner(request, pk):
    return _post_form(request, pk, OwnerForm, "owner_form", lambda lead, data: services.assign_owner(
        request.actor, lead=lead, owner=data["owner"]),
        _("The lead's owner was changed."), {"owners": selectors.owners_for(request.actor)})


@member_page(MANAGE)
def lead_call(request, pk):
    def act(lead, data):
        call = leads_calls.place_call(request.actor, lead=lead, note=data["note"])
        messages.info(request, _("Call result: %(outcome)s.") % {"outcome": call.get_outcome_display()})

    return _post_form(request, pk, CallForm, "call_form", act, _("The call was recorded."))


@member_page(MANAGE)
def lead_convert(request, pk):
    actor = request.actor
    lead = _lead_or_404(request, pk)
    customer_form = ConvertCustomerForm(request.POST if request.POST.get("to") == "customer" else None)
    opportunity_form = ConvertOpportunityForm(
        request.POST if request.POST.get("to") == "opportunity" else None,
        initial={"name": lead.company_name, "notes": lead.requirement})
    if request.method == "POST":
        form = customer_form if request.POST.get("to") == "customer" else opportunity_form
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            try:
                if form is customer_form:
                    leads_conversion.convert_to_customer(actor, lead=lead, customer_id=data["customer_id"])
                    messages.success(request, _("The lead was converted to a customer."))
                else:
                    leads_conversion.convert_to_opportunity(
                        actor, lead=lead, name=data["name"], product=data["product"], amount=data["amount"],
                        expected_close=data["expected_close"], notes=data["notes"])
                    messages.success(request, _("The lead was registered as an opportunity."))
            except DomainError as exc:
                form_error(request, form, exc)
            else:
                return redirect("expansion:lead", pk=lead.pk)
    return render(request, "expansion/leads_convert.html", {
        "current": "leads", "lead": lead, "customer_form": customer_form, "opportunity_form": opportunity_form,
        "may_register": actor.has_perm("customers.manage"),
        "may_opportunity": actor.has_perm("opportunities.manage")})
