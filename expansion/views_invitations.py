"""Pages of the invitations area (线下拓展): the partner's links with their registration counts and QR codes,
one link's page, and the public page where a prospective customer registers through a link. Thin: the
services (expansion/invitations.py) decide."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from partnercenter.errors import DomainError
from partnercenter.pages import form_error, member_page, paginate, posted

from . import invitations, invitations_qr
from .filters_invitations import InvitationLinkFilter
from .forms_invitations import JoinCodeForm, JoinForm, LinkForm
from .selectors_invitations import MANAGE, link_for, links_for, registrations_of

__all__ = ["invitations_list", "invitation", "invitation_revoke", "invitation_qr_png", "invitation_qr_svg", "join"]


def _ip(request):
    return request.META.get("REMOTE_ADDR")


# ---------------------------------------------------------------------------------------------
# The partner's side
# ---------------------------------------------------------------------------------------------

@member_page("expansion.view")
def invitations_list(request):
    actor = request.actor
    refusal = invitations.invite_refusal(actor.partner)
    can_manage = actor.has_perm(MANAGE)
    form = LinkForm(posted(request)) if can_manage and not refusal else None
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        if form is None:
            messages.error(request, refusal)
            return redirect("expansion:invitations")
        if form.is_valid():
            data = form.cleaned_data
            try:
                link = invitations.create_link(actor, name=data["name"], association_type=data["association_type"],
                                               valid_until=data["valid_until"])
            except DomainError as exc:
                form_error(request, form, exc)
            else:
                messages.success(request, _("The invitation link was created. Share it or its QR code."))
                return redirect("expansion:invitation", pk=link.pk)
    filterset = InvitationLinkFilter(request.GET or None, queryset=links_for(actor), request=request)
    return render(request, "expansion/invitations_list.html", {
        "current": "invitations", "page": paginate(request, filterset.qs), "form": filterset.form,
        "link_form": form, "refusal": refusal, "can_manage": can_manage, "now": timezone.now(),
    })


def _link_or_404(request, pk):
    link = link_for(request.actor, pk)
    if link is None:
        raise Http404
    return link


@member_page("expansion.view")
def invitation(request, pk):
    actor = request.actor
    link = _link_or_404(request, pk)
    return render(request, "expansion/invitations_detail.html", {
        "current": "invitations", "link": link, "url": invitations.join_url(link),
        "usable": link.is_usable(), "refusal": invitations.invite_refusal(actor.partner),
        "can_manage": actor.has_perm(MANAGE), "page": paginate(request, registrations_of(actor, link)),
    })


@member_page(MANAGE)
@require_POST
def invitation_revoke(request, pk):
    link = _link_or_404(request, pk)
    try:
        invitations.revoke_link(request.actor, link_id=link.pk)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The link was revoked: nobody can register through it any more."))
    return redirect("expansion:invitation", pk=link.pk)


def _qr(request, pk, *, content_type, extension, render_qr):
    link = _link_or_404(request, pk)
    response = HttpResponse(render_qr(invitations.join_url(link)), content_type=content_type)
    if request.GET.get("download"):
        response["Content-Disposition"] = f'attachment; filename="invitation-{link.pk}.{extension}"'
    response["Cache-Control"] = "private, max-age=300"
    return response


@member_page("expansion.view")
def invitation_qr_png(request, pk):
    return _qr(request, pk, content_type="image/png", extension="png", render_qr=invitations_qr.png)


@member_page("expansion.view")
def invitation_qr_svg(request, pk):
    return _qr(request, pk, content_type="image/svg+xml", extension="svg", render_qr=invitations_qr.svg)


# ---------------------------------------------------------------------------------------------
# The public page: no sign-in, the token is the address
# ---------------------------------------------------------------------------------------------

_KEPT = ("domain_name", "mobile_phone", "email")


def join(request, token):
    """A prospective customer registers through a link. Unknown link: 404; revoked, expired, or its partner
    may no longer invite: 410, and nothing is created. Every register POST spends the visitor address's
    budget (invitations.spend_join_attempt), valid form or not."""
    state, link = invitations.link_state(token)
    if state != invitations.USABLE:
        return _refused(request, state)
    action = request.POST.get("action") if request.method == "POST" else None
    form = JoinForm(posted(request) if action == "register" else None)
    if action == "send":
        form = JoinForm(initial={name: request.POST.get(name, "")[:256] for name in _KEPT})
        code_form = JoinCodeForm(request.POST)
        if code_form.is_valid():
            try:
                invitations.send_join_code(token=token, mobile_phone=code_form.cleaned_data["mobile_phone"],
                                           ip=_ip(request), lang="zh-cn" if request.LANGUAGE_CODE == "zh-hans"
                                           else "en-us")
            except DomainError as exc:
                if "state" in exc.context:
                    return _refused(request, exc.context["state"])
                messages.error(request, str(exc.message))
            else:
                messages.success(request, _("A verification code was sent to your mobile. It is valid for 10 minutes."))
        else:
            messages.error(request, _("Enter your mobile number to get a code."))
    elif action == "register" and not form.is_valid():
        try:  # an invalid form spends the address's budget too (register_through_link spends it otherwise)
            invitations.spend_join_attempt(_ip(request))
        except DomainError as exc:
            form_error(request, form, exc)
    elif action == "register":
        data = form.cleaned_data
        try:
            customer = invitations.register_through_link(
                token=token, domain_name=data["domain_name"], password=data["password1"],
                mobile_phone=data["mobile_phone"], verification_code=data["code"].strip(), email=data["email"],
                ip=_ip(request))
        except DomainError as exc:
            if "state" in exc.context:
                return _refused(request, exc.context["state"])
            form_error(request, form, exc)
        else:
            response = render(request, "expansion/invitations_join_done.html", {
                "customer": customer, "partner": link.partner, "login_url": reverse("login")})
            return _private(response)
    return _private(render(request, "expansion/invitations_join.html", {"form": form, "link": link}))


def _refused(request, state):
    status = 404 if state == invitations.UNKNOWN else 410
    return _private(render(request, "expansion/invitations_join_refused.html", {"state": state}, status=status))


def _private(response):
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response
