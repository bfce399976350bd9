"""Pages of the access area: 注册新账号 (the member's two steps and the public registration page), and
成为云经销商 (the customer's page in 费用中心 and the distributor's requests). Thin: the services decide."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from partnercenter import services as core
from partnercenter.confirmation import two_step
from partnercenter.errors import DomainError
from partnercenter.pages import customer_page, form_error, member_page, paginate, posted

from . import registration, reseller
from .choices import ResellerRequestStatus
from .errors_access import AccessCodes
from .forms_access import AcceptForm, LinkCodeForm, RegisterAccountForm, RejectForm, ResellerRequestForm, SendCodeForm
from .models import RegistrationLink
from .selectors_access import own_reseller_requests, registration_links_for, reseller_requests_for

__all__ = ["new_account", "register", "fee_center_reseller", "fee_center_reseller_withdraw", "reseller_requests",
           "reseller_request", "reseller_request_reject"]


def _ip(request):
    return request.META.get("REMOTE_ADDR")


# ---------------------------------------------------------------------------------------------
# 注册新账号
# ---------------------------------------------------------------------------------------------

@member_page("programs.manage")
def new_account(request, code):
    actor = request.actor
    path = registration.path_for(code)
    if path is None:
        raise Http404
    contacts = registration.contacts_of(actor.partner)
    action = request.POST.get("action") if request.method == "POST" else None
    send_form = SendCodeForm(posted(request) if action == "send" else None, contacts=contacts)
    code_form = LinkCodeForm(posted(request) if action == "verify" else None)
    if action == "send" and send_form.is_valid():
        try:
            to = registration.send_code(actor, path_code=path.code, channel=send_form.cleaned_data["channel"])
        except DomainError as exc:
            form_error(request, send_form, exc)
        else:
            messages.success(request, _("A verification code was sent to %(to)s. It is valid for 10 minutes.") % {
                "to": to})
            return redirect("programs:new_account", code=path.code)
    elif action == "verify" and code_form.is_valid():
        try:
            link, token = registration.create_link(actor, path_code=path.code, code=code_form.cleaned_data["code"])
        except DomainError as exc:
            form_error(request, code_form, exc)
        else:
            url = request.build_absolute_uri(reverse("programs:register", args=[token]))
            registration.mail_link(link, url=url)
            # Shown once, in this response only (no redirect: the token is in no URL the browser keeps).
            response = render(request, "programs/access_link_created.html", {"path": path, "link": link, "url": url})
            response["Cache-Control"] = "no-store"
            return response
    links = registration_links_for(actor).filter(path=path)[:10]
    return render(request, "programs/access_new_account.html", {
        "path": path, "contacts": contacts, "send_form": send_form, "code_form": code_form, "links": links,
        "validity_hours": RegistrationLink.VALID_FOR_HOURS, "now": timezone.now(),
    })


def register(request, token):
    """Public: no sign-in. An unknown link is not found (404); an expired or used one is gone (410)."""
    state, link = registration.link_state(token)
    if state != registration.USABLE:
        return _link_refused(request, state)
    form = RegisterAccountForm(posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            partner = registration.register_account(
                token=token, company_name=data["company_name"], account_name=data["account_name"],
                admin_name=data["admin_name"], admin_email=data["admin_email"], username=data["username"],
                password=data["password1"], ip=_ip(request))
        except DomainError as exc:
            if exc.code in (AccessCodes.LINK_UNKNOWN, AccessCodes.LINK_EXPIRED, AccessCodes.LINK_USED):
                return _link_refused(request, registration.link_state(token)[0])
            form_error(request, form, exc)
        else:
            return render(request, "programs/access_register_done.html", {"partner": partner, "path": link.path})
    response = render(request, "programs/access_register.html", {"form": form, "link": link})
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _link_refused(request, state):
    status = 404 if state == registration.UNKNOWN else 410
    return render(request, "programs/access_register_invalid.html", {"state": state}, status=status)


# ---------------------------------------------------------------------------------------------
# 成为云经销商: the customer's page (费用中心)
# ---------------------------------------------------------------------------------------------

@customer_page
def fee_center_reseller(request):
    actor = request.actor
    customer = actor.customer
    requests = list(own_reseller_requests(actor)[:20])
    open_request = next((r for r in requests if r.status == ResellerRequestStatus.APPLYING), None)
    customer_user = getattr(request.user, "customer_user", None)
    is_owner = bool(customer_user and customer_user.is_owner)
    form = ResellerRequestForm(posted(request)) if open_request is None and is_owner else None
    refusals = []
    if form is not None and request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            reseller.request_reseller(actor, distributor=data["distributor"], company_name=data["company_name"],
                                      contact_email=data["contact_email"], acknowledged=data["acknowledged"])
        except DomainError as exc:
            refusals = exc.context.get("refusals") or []
            if not refusals:
                form_error(request, form, exc)
        else:
            messages.success(request, _("Your request was sent to the distributor."))
            return redirect("fee_center_reseller")
    conditions = reseller.conditions_of(customer, open_request.distributor if open_request else None)
    return render(request, "programs/access_fee_center_reseller.html", {
        "conditions": conditions, "all_met": all(c["met"] for c in conditions),
        "lapsing": reseller.lapsing_benefits(customer), "form": form, "refusals": refusals,
        "open_request": open_request, "requests": requests, "is_owner": is_owner,
    })


@customer_page
@require_POST
def fee_center_reseller_withdraw(request, pk):
    try:
        reseller.withdraw_request(request.actor, request_id=pk)
    except DomainError as exc:
        if exc.status == 404:
            raise Http404 from exc
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Your request was withdrawn."))
    return redirect("fee_center_reseller")


# ---------------------------------------------------------------------------------------------
# 成为云经销商: the distributor's side
# ---------------------------------------------------------------------------------------------

_TABS = (("applying", ResellerRequestStatus.APPLYING), ("all", None))


@member_page("resellers.manage")
def reseller_requests(request):
    show = request.GET.get("show") if request.GET.get("show") in dict(_TABS) else "applying"
    rows = reseller_requests_for(request.actor)
    if dict(_TABS)[show]:
        rows = rows.filter(status=dict(_TABS)[show])
    return render(request, "programs/access_reseller_requests.html", {"page": paginate(request, rows), "show": show})


def _request_or_404(request, pk):
    found = reseller_requests_for(request.actor).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


@member_page("resellers.manage")
def reseller_request(request, pk):
    """One request: the conditions checked live, what lapses, accept (two steps) or reject."""
    actor = request.actor
    found = _request_or_404(request, pk)
    form = AcceptForm(posted(request))
    context = {"req": found, "reject_form": RejectForm()}
    if found.status == ResellerRequestStatus.APPLYING:
        def run(_code):
            return reseller.accept_request(actor, request_id=found.pk)

        step = two_step(request, form, run)
        if step.done:
            new_reseller, invitation, token = step.result
            link = request.build_absolute_uri(reverse("accept_invitation", args=[token]))
            core.send_invitation(invitation, link=link)
            messages.success(request, _("%(name)s is now your cloud reseller. Its administrator was invited at "
                                        "%(email)s.") % {"name": new_reseller.name, "email": invitation.email})
            return redirect("programs:reseller_request", pk=found.pk)
        context.update(step.context)
    return render(request, "programs/access_reseller_request.html", {**context, "form": form, **_live(actor, found)})


@member_page("resellers.manage")
@require_POST
def reseller_request_reject(request, pk):
    found = _request_or_404(request, pk)
    form = RejectForm(request.POST)
    if form.is_valid():
        try:
            reseller.reject_request(request.actor, request_id=found.pk, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("The request was rejected."))
        return redirect("programs:reseller_request", pk=found.pk)
    return render(request, "programs/access_reseller_request.html", {
        "req": found, "reject_form": form, "form": AcceptForm(), **_live(request.actor, found)})


def _live(actor, found) -> dict:
    """The conditions checked now and what would lapse, while the request waits."""
    if found.status != ResellerRequestStatus.APPLYING:
        return {"conditions": [], "lapsing": None}
    return {"conditions": reseller.conditions_of(found.customer, actor.partner),
            "lapsing": reseller.lapsing_benefits(found.customer)}
