"""Pages of 机会点 (HO shared by Huawei Cloud, PO registered by the partner).

- opportunities/                         the list, tabs HO / PO (?origin=), filters, the working-days countdown of
                                         pending HO (expansion.view)
- opportunities/export.xlsx              the filtered tab as Excel (expansion.view; logged)
- opportunities/register/                报备机会点, a PO (opportunities.manage)
- opportunities/<pk>/                    one opportunity: its fields, countdown, collaborators and history
- opportunities/<pk>/accept/             POST: accept an HO (opportunities.manage)
- opportunities/<pk>/reject/             the reason, then reject an HO (opportunities.manage)
- opportunities/<pk>/update/             POST: 机会点更新 (opportunities.manage)
- opportunities/<pk>/collaborators/      POST: add a collaborator (opportunities.manage)
- opportunities/<pk>/collaborators/<c>/remove/   POST: remove one of the partner's collaborators
Another partner's opportunity is 404 everywhere, and so is, for an account manager (no customers.view_all),
one naming a customer of another account manager (selectors_opportunities.scoped). The list applies every
valid filter (an invalid one shows its error and filters nothing); the detail's history is paged.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from customers import selectors as customer_selectors
from partnercenter.errors import DomainError
from partnercenter.exports import EXPORT_LIMIT, local_time, xlsx_response
from partnercenter.pages import form_error, member_page, paginate, posted
from partnercenter.templatetags.display import label_colon

from . import opportunities, opportunities_updates, selectors_opportunities as selectors
from .choices import OpportunityStage, OpportunityStatus, Origin
from .errors_opportunities import NO_ACCOUNT_WARNING, NOTHING_CHANGED
from .filters_opportunities import OpportunityFilter
from .forms_opportunities import CollaboratorForm, RegisterForm, RejectForm, UpdateForm

__all__ = ["opportunities_list", "opportunity_export", "opportunity_register", "opportunity_detail",
           "opportunity_accept", "opportunity_reject", "opportunity_update", "collaborator_add",
           "collaborator_remove"]

VIEW = "expansion.view"
MANAGE = opportunities.MANAGE
PER_PAGE = 20
HISTORY_PER_PAGE = 20


def _origin(request) -> str:
    origin = request.GET.get("origin", "").upper()
    return origin if origin in Origin.values else Origin.HO


def _filtered(request):
    origin = _origin(request)
    queryset = selectors.opportunities_for(request.actor).filter(origin=origin)
    filters = OpportunityFilter(request.GET or None, queryset=queryset, request=request)
    # .qs applies the fields that are valid (an invalid one shows its error on the form): ListFilterSet
    return origin, filters, filters.qs


def _opportunity_or_404(request, pk):
    opportunity = selectors.opportunity_for(request.actor, pk)
    if opportunity is None:
        raise Http404
    return opportunity


def _back(opportunity):
    return redirect("expansion:opportunity", pk=opportunity.pk)


def _export_query(request, origin) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    query["origin"] = origin
    return query.urlencode()


@member_page(VIEW)
def opportunities_list(request):
    origin, filters, rows = _filtered(request)
    page = paginate(request, rows, PER_PAGE)
    page.object_list = selectors.with_countdown(page.object_list)
    return render(request, "expansion/opportunities_list.html", {
        "current": "opportunities", "origin": origin, "filter": filters, "page": page,
        "can_manage": request.actor.has_perm(MANAGE), "origins": Origin,
        "export_query": _export_query(request, origin),
    })


@member_page(VIEW)
def opportunity_export(request):
    """The filtered tab as Excel (at most EXPORT_LIMIT rows); HO contacts masked for 营销计划2.0 partners."""
    origin, _filters, rows = _filtered(request)
    masked = selectors.contacts_masked_for(request.actor.partner)
    rows = selectors.with_countdown(rows[:EXPORT_LIMIT])
    statuses, stages = dict(OpportunityStatus.choices), dict(OpportunityStage.choices)

    def countdown(row):
        if row.countdown is None:
            return ""
        if row.countdown.state == "overdue":
            return str(_("overdue"))
        if row.countdown.state == "due_today":
            return str(_("due today"))
        return row.countdown.working_days_left

    return xlsx_response(
        request, action="expansion.opportunity_export", name=f"opportunities-{origin.lower()}",
        title=_("Opportunities"),
        header=[_("ID"), _("Origin"), _("Opportunity"), _("Customer"), _("Customer account ID"), _("Contact"),
                _("Contact phone"), _("Products and services"), _("Stage"), _("Estimated amount (CNY)"),
                _("Expected close"), _("Status"), _("Shared / registered at"), _("Accept by"),
                _("Working days left"), _("Reason")],
        rows=([row.pk, row.origin, row.name, row.customer_name, row.customer.domain_id if row.customer else "",
               row.contact_name, selectors.shown_phone(row, masked), row.product, str(stages.get(row.stage, "")),
               row.amount, row.expected_close.isoformat() if row.expected_close else "",
               str(statuses.get(row.status, "")), local_time(row.shared_at), local_time(row.deadline),
               countdown(row), row.reason] for row in rows))


@member_page(MANAGE)
def opportunity_register(request):
    actor = request.actor
    form = RegisterForm(posted(request),
                        find_customer=lambda customer_id: customer_selectors.customer_for(actor, customer_id))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            opportunity = opportunities.register_opportunity(
                actor, name=data["name"], customer_name=data["customer_name"], customer=form.customer,
                contact_name=data["contact_name"], contact_phone=data["contact_phone"], product=data["product"],
                amount=data["amount"], expected_close=data["expected_close"], notes=data["notes"],
                no_account_acknowledged=data["no_account_acknowledged"])
        except DomainError as exc:
            form_error(request, form, exc)
        else:
            messages.success(request, _("The opportunity was registered. Huawei Cloud will review it."))
            return _back(opportunity)
    return render(request, "expansion/opportunities_register.html", {
        "current": "opportunities", "form": form, "warning": NO_ACCOUNT_WARNING})


@member_page(VIEW)
def opportunity_detail(request, pk):
    opportunity = _opportunity_or_404(request, pk)
    actor = request.actor
    masked = selectors.contacts_masked_for(actor.partner)
    [opportunity] = selectors.with_countdown([opportunity])
    can_manage = actor.has_perm(MANAGE)
    is_open = opportunities_updates.is_open(opportunity)
    return render(request, "expansion/opportunities_detail.html", {
        "current": "opportunities", "opportunity": opportunity, "contact_phone": selectors.shown_phone(opportunity, masked),
        "can_manage": can_manage, "is_open": is_open,
        "decidable": can_manage and opportunity.countdown is not None and opportunity.countdown.state != "overdue",
        "collaborators": list(selectors.collaborators_for(opportunity)),
        "history": _readable(paginate(request, selectors.history_for(opportunity), HISTORY_PER_PAGE)),
        "update_form": UpdateForm.for_opportunity(opportunity) if can_manage and is_open else None,
        "collaborator_form": CollaboratorForm() if can_manage and is_open else None,
        "reject_form": RejectForm(),
    })


def _readable(page):
    """The page of updates, each with `rows`: (field label, old, new) as the page shows them (stages and
    statuses by name)."""
    labels = {"stage": _("Stage"), "amount": _("Estimated amount (CNY)"), "expected_close": _("Expected close"),
              "notes": _("Notes"), "status": _("Status"), "collaborator": _("Collaborator")}
    names = {"stage": dict(OpportunityStage.choices), "status": dict(OpportunityStatus.choices)}
    page.object_list = updates = list(page.object_list)
    for update in updates:
        update.rows = []
        for field, change in (update.changes or {}).items():
            old, new = (list(change) + [None, None])[:2] if isinstance(change, (list, tuple)) else (None, change)
            shown = names.get(field, {})
            update.rows.append((labels.get(field, field), shown.get(old, old), shown.get(new, new)))
    return page


@member_page(MANAGE)
@require_POST
def opportunity_accept(request, pk):
    opportunity = _opportunity_or_404(request, pk)
    try:
        opportunities.accept(request.actor, opportunity=opportunity)
    except DomainError as exc:
        form_error(request, None, exc)
    else:
        messages.success(request, _("You accepted the opportunity. Updates from both sides now take effect."))
    if request.POST.get("from") == "list":  # accepted from the HO tab: back to it
        return redirect(reverse("expansion:opportunities") + "?origin=HO")
    return _back(opportunity)


@member_page(MANAGE)
def opportunity_reject(request, pk):
    opportunity = _opportunity_or_404(request, pk)
    form = RejectForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            opportunities.reject(request.actor, opportunity=opportunity, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            form_error(request, form, exc)
        else:
            messages.success(request, _("You rejected the opportunity: Huawei Cloud takes it back."))
            return _back(opportunity)
    [opportunity] = selectors.with_countdown([opportunity])
    return render(request, "expansion/opportunities_reject.html", {
        "current": "opportunities", "opportunity": opportunity, "form": form})


@member_page(MANAGE)
@require_POST
def opportunity_update(request, pk):
    opportunity = _opportunity_or_404(request, pk)
    form = UpdateForm.for_opportunity(opportunity, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            update = opportunities_updates.update_opportunity(
                request.actor, opportunity=opportunity, stage=data["stage"], amount=data["amount"],
                expected_close=data["expected_close"], notes=data["notes"], note=data["note"])
        except DomainError as exc:
            form_error(request, None, exc)
        else:
            if update is None:  # saved unchanged: nothing written, nothing logged
                messages.info(request, NOTHING_CHANGED)
            else:
                messages.success(request, _("The opportunity was updated."))
    else:
        _form_messages(request, form)
    return _back(opportunity)


def _form_messages(request, form):
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}{label_colon()}{error}" if label else error)


@member_page(MANAGE)
@require_POST
def collaborator_add(request, pk):
    opportunity = _opportunity_or_404(request, pk)
    form = CollaboratorForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            opportunities_updates.add_collaborator(request.actor, opportunity=opportunity, name=data["name"],
                                                   role=data["role"], contact=data["contact"])
        except DomainError as exc:
            form_error(request, None, exc)
        else:
            messages.success(request, _("The collaborator was added."))
    else:
        _form_messages(request, form)
    return _back(opportunity)


@member_page(MANAGE)
@require_POST
def collaborator_remove(request, pk, collaborator_pk):
    opportunity = _opportunity_or_404(request, pk)
    try:
        opportunities_updates.remove_collaborator(request.actor, opportunity=opportunity,
                                                  collaborator_pk=collaborator_pk)
    except DomainError as exc:
        if exc.code == "CBC.0156":
            raise Http404 from None
        form_error(request, None, exc)
    else:
        messages.success(request, _("The collaborator was removed."))
    return _back(opportunity)
