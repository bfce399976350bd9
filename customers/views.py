"""Pages of the customers domain: 客户管理 (list, register, detail, account manager, requests,
resources, export), 关联关系操作记录, and the customer's 费用中心."""


from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from partnercenter.api import throttling
from partnercenter.confirmation import posted
from partnercenter.errors import DomainError
from partnercenter.forms import VerificationForm
from partnercenter.exports import EXPORT_LIMIT, local_time, xlsx_response
from partnercenter.pages import customer_page, form_error, member_page, paginate
from partnercenter.selectors import account_managers_for, resellers_for

from . import extensions, selectors, services
from .choices import ChargingMode, EventStatus, OnDemandStatus, PeriodStatus
from .filters import CustomerFilter, EventFilter, ResourceFilter
from .forms import DecisionForm, ManagerForm, ReasonForm, RegisterCustomerForm
from .reveal import reveal_customers

__all__ = [
    "customer_list", "customer_export", "customer_register", "customer_detail", "customer_manager",
    "customer_request", "ops_revoke", "customer_resources", "register_resource_rows", "register_overview_panel",
    "events", "event_decide",
    "fee_center", "fee_center_leave", "fee_center_decide", "fee_center_ops",
]

# What a higher app shows on the resources page of one billing mode (ARCHITECTURE rule 11: customers import
# none of them): subscriptions registers, for yearly/monthly resources, each row's expiry, state and what
# happens at expiry, and the partner's renew/unsubscribe actions (subscriptions/pages.py).
_RESOURCE_ROWS = {}


def register_resource_rows(mode, describe) -> None:
    """`describe(request, customer, rows) -> dict`: called with the page's rows (a list it may annotate)
    for the resources page of billing mode `mode`; what it returns is added to the page's context. It
    must read a constant number of statements, whatever the page holds."""
    _RESOURCE_ROWS[mode] = describe


# What a higher app adds to the fee center's overview page (rule 11 again): bills registers the customer's
# spendable figure (bills/fee_center_pages.py).
_OVERVIEW_PANELS = {}


def register_overview_panel(template, describe) -> None:
    """`describe(request) -> dict | None`: the context of `template`, included on 费用中心 ▸ 总览 (None: left
    out). It must read a constant number of statements."""
    _OVERVIEW_PANELS[template] = describe


def _overview_panels(request) -> list[dict]:
    panels = []
    for template, describe in _OVERVIEW_PANELS.items():
        context = describe(request)
        if context is not None:
            panels.append({"template": template, "context": context})
    return panels


def _customer_or_404(actor, domain_id):
    customer = selectors.customer_for(actor, domain_id)
    if customer is None:
        raise Http404
    customer.association = customer.active_associations[0]
    return customer


def _filtered_customers(request):
    filters = CustomerFilter(request.GET or None, queryset=selectors.customers_for(request.actor), request=request)
    return filters.form, filters.qs


# ---------------------------------------------------------------------------------------------
# 我的客户
# ---------------------------------------------------------------------------------------------

@member_page("customers.view")
def customer_list(request):
    form, queryset = _filtered_customers(request)
    page = paginate(request, queryset)
    for customer in page:
        customer.association = customer.active_associations[0]
    reveal = reveal_customers(request, page, "account", "name")
    return render(request, "customers/customer_list.html", {"form": form, "page": page, "reveal": reveal})


@member_page("customers.view")
def customer_export(request):
    """The filtered list as Excel (at most EXPORT_LIMIT rows), unmasked; the export is logged."""
    form, queryset = _filtered_customers(request)
    rows = (
        [customer.domain_name, customer.real_name, customer.domain_id,
         str(customer.active_associations[0].get_association_type_display()),
         local_time(customer.active_associations[0].associated_on), customer.active_associations[0].label,
         str(customer.active_associations[0].account_manager or ""), customer.mobile_phone, customer.email,
         customer.xaccount_id]
        for customer in queryset[:EXPORT_LIMIT]
    )
    return xlsx_response(request, action="customer.export", name="customers", title=_("Customers"), rows=rows, header=[
        _("Account name"), _("Real-name name"), _("Account ID"), _("Association type"), _("Associated on"), _("Label"),
        _("Account manager"), _("Mobile number"), _("E-mail"), _("Sales platform user ID")])


@member_page("customers.manage")
def customer_register(request):
    actor = request.actor
    resellers = resellers_for(actor) if actor.partner.is_distributor else None
    form = RegisterCustomerForm(posted(request), resellers=resellers)
    if request.method == "POST" and "send_code" in request.POST:
        # Keep what was typed, without judging the fields not filled in yet.
        form = RegisterCustomerForm(initial=request.POST.dict(), resellers=resellers)
        try:
            throttling.spend("cbc.code", actor.partner.domain_id)  # one budget with verificationcode/send
            services.send_registration_code(actor, mobile_phone=request.POST.get("mobile_phone", ""))
        except DomainError as exc:
            form_error(request, None, exc)
        else:
            messages.info(request, _("An SMS code has been sent to the customer's mobile number."))
        return render(request, "customers/register.html", {"form": form})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        reseller = data.get("indirect_partner")
        try:
            customer = services.create_customer(
                actor, xaccount_id=data["xaccount_id"], xaccount_type=data["xaccount_type"],
                domain_name=data["domain_name"], mobile_phone=data["mobile_phone"],
                verification_code=data["verification_code"], password=data["password"] or None, email=data["email"],
                real_name=data["real_name"], cooperation_type="1" if data["association_type"] == "1" else None,
                indirect_partner_id=reseller.domain_id if reseller else None,
            )
        except DomainError as exc:
            form_error(request, form, exc)
        else:
            messages.success(request, _("Customer %(name)s registered.") % {"name": customer.domain_name})
            if reseller:
                return redirect("resellers")
            return redirect("customers:detail", domain_id=customer.domain_id)
    return render(request, "customers/register.html", {"form": form})


@member_page("customers.view")
def customer_detail(request, domain_id):
    actor = request.actor
    customer = _customer_or_404(actor, domain_id)
    history = selectors.events_for(actor).filter(customer=customer)[:50]
    reveal = reveal_customers(request, [customer], "mobile", "email")
    return render(request, "customers/customer_detail.html", {
        "customer": customer, "reveal": reveal,
        "history": history,
        "pending": [e for e in history if e.status == EventStatus.PENDING],
        "ops": selectors.ops_authorizations_for(actor).filter(customer=customer)[:20],
        "can_manage": actor.has_perm("customers.manage"),
        "can_assign": actor.has_perm("customers.assign_manager"),
        "links": extensions.detail_links(request, customer),
    })


@member_page("customers.assign_manager")
def customer_manager(request, domain_id):
    actor = request.actor
    customer = _customer_or_404(actor, domain_id)
    form = ManagerForm(posted(request), members=account_managers_for(actor), initial={"manager": customer.association.account_manager})
    if request.method == "POST" and form.is_valid():
        manager = form.cleaned_data["manager"]
        try:
            services.assign_account_manager(actor, customer_id=customer.domain_id, member_id=manager.pk if manager else None)
        except DomainError as exc:
            form_error(request, form, exc)
        else:
            messages.success(request, _("Account manager saved."))
            return redirect("customers:detail", domain_id=customer.domain_id)
    return render(request, "customers/form_page.html", {
        "form": form, "customer": customer, "title": _("Assign account manager"),
        "cancel_url": reverse("customers:detail", args=[customer.domain_id]),
    })


REQUESTS = {
    "disassociate": (services.request_disassociation, gettext_lazy("Request disassociation"),
                     gettext_lazy("The customer approves or rejects the request in the Billing Center. When it is approved, "
                       "you lose access to the customer and its new data.")),
    "switch-type": (services.request_type_switch, gettext_lazy("Switch association type"),
                    gettext_lazy("The customer must consent in the Billing Center. The switch takes effect when they do.")),
    "ops": (services.request_ops_authorization, gettext_lazy("Request delegated operations"),
            gettext_lazy("The customer agrees or cancels in the Billing Center. Only resale customers can authorize you.")),
}


@member_page("customers.manage")
def customer_request(request, domain_id, action):
    if action not in REQUESTS:
        raise Http404
    actor = request.actor
    customer = _customer_or_404(actor, domain_id)
    service, title, help_text = REQUESTS[action]
    form = ReasonForm(posted(request), actor=actor)
    if request.method == "POST" and form.is_valid():
        try:
            service(actor, customer_id=customer.domain_id, reason=form.cleaned_data["reason"],
                    verification_code=form.code)
        except DomainError as exc:
            form_error(request, form, exc)
        else:
            messages.success(request, _("The request has been sent. You will see the customer's answer here."))
            return redirect("customers:detail", domain_id=customer.domain_id)
    return render(request, "customers/form_page.html", {
        "form": form, "customer": customer, "title": title, "help_text": help_text,
        "cancel_url": reverse("customers:detail", args=[customer.domain_id]),
    })


@member_page("customers.manage")
@require_POST
def ops_revoke(request, pk):
    try:
        authorization = services.revoke_ops_authorization(request.actor, authorization_id=pk)
    except DomainError as exc:
        if exc.status == 404:
            raise Http404 from exc
        form_error(request, None, exc)
        return redirect("customers:list")
    messages.success(request, _("Delegated operations withdrawn."))
    return redirect("customers:detail", domain_id=authorization.customer.domain_id)


@member_page("customers.view")
def customer_resources(request, domain_id):
    actor = request.actor
    customer = _customer_or_404(actor, domain_id)
    mode = request.GET.get("mode") if request.GET.get("mode") in ChargingMode.values else ChargingMode.ON_DEMAND
    statuses = OnDemandStatus.choices if mode == ChargingMode.ON_DEMAND else PeriodStatus.choices
    filters = ResourceFilter(request.GET or None, queryset=selectors.resources_for(actor, customer, mode),
                             statuses=statuses)
    page = paginate(request, filters.qs)
    context = {"customer": customer, "mode": mode, "modes": ChargingMode.choices, "form": filters.form, "page": page}
    describe = _RESOURCE_ROWS.get(mode)
    if describe is not None:
        context.update(describe(request, customer, list(page)))
    return render(request, "customers/resources.html", context)


# ---------------------------------------------------------------------------------------------
# 关联关系操作记录
# ---------------------------------------------------------------------------------------------

@member_page("customers.view")
def events(request):
    actor = request.actor
    filters = EventFilter(request.GET or None, queryset=selectors.events_for(actor))
    return render(request, "customers/events.html", {
        "form": filters.form, "page": paginate(request, filters.qs),
        "awaiting": selectors.awaiting_decision(actor)[:50], "can_manage": actor.has_perm("customers.manage"),
    })


DECISIONS = {"approve": gettext_lazy("Approve"), "reject": gettext_lazy("Reject"), "cancel": gettext_lazy("Withdraw request")}


def _decide(request, pk, decision, *, back):
    actor = request.actor
    event = selectors.events_for(actor).filter(pk=pk).select_related("customer").first()
    if event is None or decision not in DECISIONS:
        raise Http404
    form = DecisionForm(posted(request), actor=actor) if decision != "cancel" else VerificationForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            if decision == "cancel":
                services.cancel_event(actor, event_id=event.pk)
            else:
                services.decide_event(actor, event_id=event.pk, approve=decision == "approve",
                                      note=form.cleaned_data.get("note", ""), verification_code=form.code)
        except DomainError as exc:
            form_error(request, form, exc)
        else:
            messages.success(request, _("Done."))
            return redirect(back)
    return render(request, "customers/decide.html", {
        "form": form, "event": event, "decision": decision, "title": DECISIONS[decision], "cancel_url": back,
    })


@member_page("customers.manage")
def event_decide(request, pk, decision):
    return _decide(request, pk, decision, back=reverse("customers:events"))


# ---------------------------------------------------------------------------------------------
# 费用中心: the customer's side
# ---------------------------------------------------------------------------------------------

@customer_page
def fee_center(request):
    return render(request, "customers/fee_center.html", {**selectors.fee_center_overview(request.actor),
                                                         "panels": _overview_panels(request)})


@customer_page
def fee_center_decide(request, pk, decision):
    return _decide(request, pk, decision, back=reverse("fee_center"))


@customer_page
def fee_center_leave(request):
    """The customer asks to end the association with its partner."""
    actor = request.actor
    overview = selectors.fee_center_overview(actor)
    if overview["association"] is None:
        raise Http404
    form = ReasonForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.customer_request_disassociation(actor, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            form_error(request, form, exc)
        else:
            messages.success(request, _("Your request has been sent to your partner."))
            return redirect("fee_center")
    return render(request, "customers/form_page.html", {
        "form": form, "title": _("Leave partner"), "cancel_url": reverse("fee_center"),
        "help_text": _("Your partner %(partner)s approves or rejects the request.") % {
            "partner": overview["association"].partner.name},
    })


@customer_page
@require_POST
def fee_center_ops(request, pk, decision):
    if decision not in ("agree", "cancel"):
        raise Http404
    try:
        services.decide_ops_authorization(request.actor, authorization_id=pk, agree=decision == "agree")
    except DomainError as exc:
        if exc.status == 404:
            raise Http404 from exc
        form_error(request, None, exc)
    else:
        messages.success(request, _("Saved."))
    return redirect("fee_center")
