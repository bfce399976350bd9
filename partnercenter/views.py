"""Pages of the core: sign-in, home, menu sections, cloud resellers, error pages. The organization's pages
(members, roles, operation log, security settings) are in views_org.py; the signed-in person's own second
factors and access keys in views_account.py."""

import time

from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import devices_for_user
from django_otp import login as otp_login

from . import dashboard, panels, selectors, services, signin, verification
from .api.errors import json_error
from .errors import Codes, DomainError
from .filters import ResellerFilter
from .forms import LoginForm, ManagerForm, TokenForm
from .models import EmailCodeDevice
from .middleware import API_PREFIXES
from .navigation import menu_for
from .pages import form_error, member_page, paginate, posted

_PENDING_KEY = "pc_pending_login"
_PENDING_SECONDS = 300


# ---------------------------------------------------------------------------------------------
# Sign-in: password (django-axes locks a username + IP after repeated failures), then a second
# factor when the user has a confirmed django-otp device.
# ---------------------------------------------------------------------------------------------

def _home_for(user) -> str:
    if hasattr(user, "member"):
        return reverse("home")
    if hasattr(user, "customer_user"):
        return reverse("fee_center")
    if user.is_staff:
        return reverse("admin:index")
    return reverse("login")


def _next_url(request, user) -> str:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return _home_for(user)


def login_view(request):
    if request.user.is_authenticated:
        return redirect(_home_for(request.user))
    form = LoginForm(posted(request))
    if request.method == "POST" and form.is_valid():
        user = authenticate(request, username=form.cleaned_data["username"], password=form.cleaned_data["password"])
        if user is None:
            form.add_error(None, _("Wrong username or password."))
        elif list(devices_for_user(user, confirmed=True)):
            request.session[_PENDING_KEY] = {
                "user": user.pk, "backend": user.backend, "at": time.time(), "next": _next_url(request, user)
            }
            return redirect("login_verify")
        else:
            login(request, user)
            return redirect(_next_url(request, user))
    return render(request, "registration/login.html", {"form": form, "next": request.GET.get("next", "")})


def login_verify(request):
    pending = request.session.get(_PENDING_KEY)
    user = signin.pending_user(pending["user"]) if pending else None
    if user is None or time.time() - pending["at"] > _PENDING_SECONDS:
        request.session.pop(_PENDING_KEY, None)
        messages.info(request, _("Please sign in again."))
        return redirect("login")
    devices = list(devices_for_user(user, confirmed=True))
    email_device = next((d for d in devices if isinstance(d, EmailCodeDevice)), None)
    form = TokenForm(posted(request))
    if request.method == "POST" and "send_code" in request.POST and email_device is not None:
        verification.mail_code(email_device)
        messages.info(request, _("A code has been sent to your e-mail."))
        return redirect("login_verify")
    if request.method == "POST" and form.is_valid():
        try:
            device = signin.verify_second_factor(devices, form.cleaned_data["token"])
        except DomainError as exc:
            form_error(request, form, exc)
        else:
            if device is None:
                form.add_error(None, _("Wrong code."))
            else:
                request.session.pop(_PENDING_KEY, None)
                login(request, user, backend=pending["backend"])
                otp_login(request, device)
                return redirect(pending["next"])
    return render(request, "registration/login_verify.html", {"form": form, "email_device": email_device})


@require_POST
def logout_view(request):
    logout(request)
    return redirect("login")


# ---------------------------------------------------------------------------------------------
# 伙伴中心: home and menu sections
# ---------------------------------------------------------------------------------------------

def home(request):
    """主页: what needs doing, as the tiles the apps registered (partnercenter/dashboard.py) show it to
    this viewer — each a number scoped to the viewer that links to the list of exactly those rows. The site's
    root: a customer's user goes on to the 费用中心 and an operator to the admin (signing in from `/` comes back
    here)."""
    if request.user.is_authenticated and not request.actor.is_partner:
        target = _home_for(request.user)
        if target not in (request.path, reverse("login")):  # (a user with no home: the 403 below)
            return redirect(target)
    return _partner_home(request)


@member_page()
def _partner_home(request):
    return render(request, "partnercenter/home.html", {
        "sections": dashboard.tiles_for(request.actor), "panels": panels.home_panels_for(request.actor)})


@member_page()
def menu_section(request, name):
    """The no-JavaScript landing page of a menu group (销售, 组织): its entries as links."""
    group = next((item for item in menu_for(request.actor) if item.url_name == name and item.children), None)
    if group is None:
        raise PermissionDenied
    return render(request, "partnercenter/menu_section.html", {"group": group})


@member_page("resellers.view")
def resellers(request):
    filters = ResellerFilter(request.GET or None, queryset=selectors.resellers_for(request.actor))
    return render(request, "partnercenter/resellers.html", {
        "form": filters.form, "page": paginate(request, filters.qs),
        "can_manage": request.actor.has_perm("resellers.manage"),
    })


@member_page("resellers.manage")
def reseller_manager(request, domain_id):
    """分配客户经理 for one cloud reseller."""
    actor = request.actor
    reseller = selectors.reseller_for(actor, domain_id)
    if reseller is None:
        raise Http404
    form = ManagerForm(posted(request), members=selectors.account_managers_for(actor),
                       initial={"manager": reseller.reseller_account_manager})
    if request.method == "POST" and form.is_valid():
        manager = form.cleaned_data["manager"]
        try:
            services.assign_reseller_account_manager(actor, indirect_partner_id=reseller.domain_id,
                                                     member_id=manager.pk if manager else None)
        except DomainError as exc:
            form_error(request, form, exc)
        else:
            messages.success(request, _("Account manager saved."))
            return redirect("resellers")
    return render(request, "partnercenter/reseller_manager.html", {"form": form, "reseller": reseller})

# ---------------------------------------------------------------------------------------------
# Error pages
# ---------------------------------------------------------------------------------------------

def healthz(request):
    """For load balancers and compose health checks: the database answers."""
    from django.db import connection
    from django.http import HttpResponse

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")


def api_aware_404(request, exception=None):
    """JSON for API paths (Huawei's error shape), the page otherwise."""
    if request.path.startswith(API_PREFIXES):
        return json_error(Codes.NOT_FOUND)
    return render(request, "404.html", status=404)


def api_aware_500(request):
    if request.path.startswith(API_PREFIXES):
        return json_error(Codes.INTERNAL)
    return render(request, "500.html", status=500)
