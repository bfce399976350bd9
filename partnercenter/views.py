"""Pages of the core: sign-in, home, organization (members, roles, operation log, security), credentials."""

import base64
import csv
import io
import time

import qrcode
import qrcode.image.svg
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
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import dashboard, selectors, services, signin, verification
from .api.errors import json_error
from .errors import Codes, DomainError
from .filters import OperationLogFilter, ResellerFilter
from .forms import (
    AcceptInvitationForm, AccessKeyForm, EmailDeviceForm, InviteForm, LoginForm, ManagerForm, MemberForm, RoleForm,
    SwitchForm, TokenForm, VerificationForm,
)
from .models import EmailCodeDevice, User
from .middleware import API_PREFIXES
from .navigation import PARTNER_MENU, menu_for
from .pages import form_error, member_page, paginate, posted, signed_in_page

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
    if not pending or time.time() - pending["at"] > _PENDING_SECONDS:
        request.session.pop(_PENDING_KEY, None)
        messages.info(request, _("Please sign in again."))
        return redirect("login")
    user = User.objects.get(pk=pending["user"])
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
# 伙伴中心: home, menu sections and the placeholder sections later issues fill
# ---------------------------------------------------------------------------------------------

@member_page()
def home(request):
    """主页: what needs doing, as the tiles the apps registered (partnercenter/dashboard.py) show it to
    this viewer — each a number scoped to the viewer that links to the list of exactly those rows."""
    return render(request, "partnercenter/home.html", {"sections": dashboard.tiles_for(request.actor)})


@member_page()
def menu_section(request, name):
    """The no-JavaScript landing page of a menu group (销售, 组织): its entries as links."""
    group = next((item for item in menu_for(request.actor) if item.url_name == name and item.children), None)
    if group is None:
        raise PermissionDenied
    return render(request, "partnercenter/menu_section.html", {"group": group})


@member_page()
def section(request, section):
    permissions = {"expansion": "expansion.view", "incentives": "incentives.view", "benefits": "benefits.view"}
    if section not in permissions:
        raise Http404
    if not request.actor.has_perm(permissions[section]):
        raise PermissionDenied
    items = [i for group in PARTNER_MENU for i in (group.children or (group,)) if i.kwargs.get("section") == section]
    return render(request, "partnercenter/section.html", {"section": section, "title": items[0].label})


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
# 组织 ▸ 人员
# ---------------------------------------------------------------------------------------------

@member_page("org.view_members")
def members(request):
    actor = request.actor
    queryset = selectors.members_for(actor)
    invite_form = None
    if actor.has_perm("org.manage_members"):
        invite_form = InviteForm(posted(request), members=queryset, roles=selectors.roles_for(actor))
        if request.method == "POST" and invite_form.is_valid():
            data = invite_form.cleaned_data
            try:
                invitation, token = services.invite_member(
                    actor, email=data["email"], display_name=data["display_name"],
                    role_ids=[r.pk for r in data["roles"]], supervisor_id=data["supervisor"].pk if data["supervisor"] else None,
                )
            except DomainError as exc:
                form_error(request, invite_form, exc)
            else:
                link = request.build_absolute_uri(reverse("accept_invitation", args=[token]))
                services.send_invitation(invitation, link=link)
                messages.success(request, _("Invitation sent to %(email)s. The link: %(link)s") % {"email": invitation.email, "link": link})
                return redirect("members")
    elif request.method == "POST":
        raise PermissionDenied
    return render(request, "partnercenter/members.html", {
        "page": paginate(request, queryset.order_by("display_name")),
        "invite_form": invite_form,
        "invitations": selectors.invitations_for(actor).filter(status="pending")[:50],
    })


@member_page("org.view_members")
def member_detail(request, pk):
    actor = request.actor
    member = selectors.members_for(actor).filter(pk=pk).first()
    if member is None:
        raise Http404
    can_edit = actor.has_perm("org.manage_members") or actor.has_perm("org.manage_roles")
    initial = {"display_name": member.display_name, "title": member.title, "supervisor": member.supervisor,
               "roles": list(member.roles.all()), "is_active": member.user.is_active}
    form = MemberForm(posted(request), initial=initial, actor=actor,
                      members=selectors.members_for(actor).exclude(pk=member.pk), roles=selectors.roles_for(actor))
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            details = None
            if actor.has_perm("org.manage_members"):
                details = {"display_name": data["display_name"], "title": data["title"], "is_active": data["is_active"],
                           "supervisor_id": data["supervisor"].pk if data["supervisor"] else None}
            new_roles = {r.pk for r in data["roles"]}
            changed_roles = actor.has_perm("org.manage_roles") and new_roles != {r.pk for r in initial["roles"]}
            try:  # both changes in one transaction: all or nothing
                services.save_member(actor, member_id=member.pk, details=details,
                                     role_ids=new_roles if changed_roles else None, verification_code=form.code)
            except DomainError as exc:
                form_error(request, form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("member_detail", pk=member.pk)
    return render(request, "partnercenter/member_detail.html", {"member": member, "form": form, "can_edit": can_edit})


@member_page("org.manage_members")
@require_POST
def revoke_invitation(request, pk):
    try:
        services.revoke_invitation(request.actor, invitation_id=pk)
    except DomainError as exc:
        if exc.status == 404:
            raise Http404 from exc
        form_error(request, None, exc)
    else:
        messages.success(request, _("Invitation revoked."))
    return redirect("members")


def accept_invitation(request, token):
    invitation = services.pending_invitation(token)
    if invitation is None:
        return render(request, "registration/invitation_invalid.html", status=404)
    form = AcceptInvitationForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.accept_invitation(token=token, username=form.cleaned_data["username"],
                                       password=form.cleaned_data["password1"], ip=request.META.get("REMOTE_ADDR"))
        except DomainError as exc:
            form_error(request, form, exc)
        else:
            messages.success(request, _("Welcome! Sign in with your new username and password."))
            return redirect("login")
    return render(request, "registration/accept_invitation.html", {"form": form, "invitation": invitation})


# ---------------------------------------------------------------------------------------------
# 组织 ▸ 角色
# ---------------------------------------------------------------------------------------------

@member_page("org.manage_roles")
def roles(request):
    return render(request, "partnercenter/roles.html", {"roles": selectors.roles_for(request.actor)})


@member_page("org.manage_roles")
def role_edit(request, pk=None):
    actor = request.actor
    role = None
    if pk is not None:
        role = selectors.roles_for(actor).filter(pk=pk).first()
        if role is None:
            raise Http404
    initial = {"name": role.name, "description": role.description, "permissions": sorted(role.granted())} if role else {}
    form = RoleForm(posted(request), initial=initial, actor=actor)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if role is None:
                role = services.create_role(actor, name=data["name"], description=data["description"],
                                            permissions=data["permissions"], verification_code=form.code)
            else:
                services.update_role(actor, role_id=role.pk, name=data["name"], description=data["description"],
                                     permissions=data["permissions"], verification_code=form.code)
        except DomainError as exc:
            form_error(request, form, exc)
        else:
            messages.success(request, _("Role saved."))
            return redirect("roles")
    return render(request, "partnercenter/role_form.html", {"form": form, "role": role})


@member_page("org.manage_roles")
def role_delete(request, pk):
    actor = request.actor
    role = selectors.roles_for(actor).filter(pk=pk).first()
    if role is None:
        raise Http404
    form = VerificationForm(posted(request), actor=actor)
    if request.method == "POST" and form.is_valid():
        try:
            services.delete_role(actor, role_id=role.pk, verification_code=form.code)
        except DomainError as exc:
            form_error(request, form, exc)
        else:
            messages.success(request, _("Role deleted."))
            return redirect("roles")
    return render(request, "partnercenter/confirm.html", {
        "form": form, "title": _("Delete role"), "danger": True, "cancel_url": reverse("roles"),
        "question": _("Delete the role “%(name)s”? This cannot be undone.") % {"name": role.name},
    })


# ---------------------------------------------------------------------------------------------
# 组织 ▸ 操作记录 and security settings
# ---------------------------------------------------------------------------------------------

@member_page("org.view_oplog")
def operation_logs(request):
    log_filter = OperationLogFilter(request.GET or None, queryset=selectors.operation_logs_for(request.actor))
    queryset = log_filter.qs if log_filter.is_bound and log_filter.is_valid() else log_filter.queryset
    return render(request, "partnercenter/operation_logs.html", {"filter": log_filter, "page": paginate(request, queryset, 50)})


@member_page("org.settings")
def partner_security(request):
    actor = request.actor
    form = SwitchForm(posted(request), initial={"enabled": actor.partner.verification_enabled}, actor=actor)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_verification_enabled(actor, enabled=form.cleaned_data["enabled"], verification_code=form.code)
        except DomainError as exc:
            form_error(request, form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("partner_security")
    return render(request, "partnercenter/partner_security.html", {"form": form})


# ---------------------------------------------------------------------------------------------
# The signed-in person's own second factors (TOTP app, e-mail)
# ---------------------------------------------------------------------------------------------

def _totp_qr(device) -> str:
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return image.to_string(encoding="unicode")


@signed_in_page
def account_security(request):
    actor = request.actor
    user = actor.user
    devices = list(devices_for_user(user, confirmed=None))
    pending_totp = next((d for d in devices if isinstance(d, TOTPDevice) and not d.confirmed), None)
    pending_email = next((d for d in devices if isinstance(d, EmailCodeDevice) and not d.confirmed), None)
    email_form = EmailDeviceForm(request.POST if request.POST.get("action") == "add_email" else None,
                                 initial={"email": user.email})
    token_form = TokenForm(request.POST if request.POST.get("action", "").startswith("confirm") else None)
    action = request.POST.get("action")
    if request.method == "POST":
        try:
            if action == "add_totp":
                services.start_totp_device(actor)
                return redirect("account_security")
            if action == "add_email" and email_form.is_valid():
                device = services.add_email_device(actor, email=email_form.cleaned_data["email"])
                messages.info(request, _("A code has been sent to %(email)s.") % {"email": device.email})
                return redirect("account_security")
            if action in ("confirm_totp", "confirm_email") and token_form.is_valid():
                device = pending_totp if action == "confirm_totp" else pending_email
                if device is None:
                    raise Http404
                services.confirm_device(actor, device=device, token=token_form.cleaned_data["token"])
                messages.success(request, _("Device confirmed."))
                return redirect("account_security")
        except DomainError as exc:
            form_error(request, token_form if action and action.startswith("confirm") else email_form, exc)
    return render(request, "partnercenter/account_security.html", {
        "devices": [d for d in devices if d.confirmed], "pending_totp": pending_totp, "pending_email": pending_email,
        "totp_qr": _totp_qr(pending_totp) if pending_totp else "", "email_form": email_form, "token_form": token_form,
    })


@signed_in_page
def device_remove(request, persistent_id):
    actor = request.actor
    device = next((d for d in devices_for_user(actor.user, confirmed=None) if d.persistent_id == persistent_id), None)
    if device is None:
        raise Http404
    form = VerificationForm(posted(request), actor=actor)
    if request.method == "POST" and form.is_valid():
        try:
            services.remove_device(actor, device=device, verification_code=form.code)
        except DomainError as exc:
            form_error(request, form, exc)
        else:
            messages.success(request, _("Device removed."))
            return redirect("account_security")
    return render(request, "partnercenter/confirm.html", {
        "form": form, "title": _("Remove device"), "danger": True, "cancel_url": reverse("account_security"),
        "question": _("Remove “%(name)s”?") % {"name": device.name},
    })


@signed_in_page
@require_POST
def send_verification_code(request):
    """The “send code to my e-mail” button next to every verification-code field."""
    if verification.send_email_code(request.actor):
        messages.info(request, _("A verification code has been sent to your e-mail."))
    else:
        messages.error(request, _("You have no e-mail device. Add one under Security."))
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}):
        back = reverse("home")
    return redirect(back)


# ---------------------------------------------------------------------------------------------
# 我的凭证: access keys. The SK is shown once, with a credentials.csv download made in the page.
# ---------------------------------------------------------------------------------------------

def _credentials_csv(key, secret) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["User Name", "Access Key Id", "Secret Access Key"])
    writer.writerow([key.user.username, key.ak, secret])
    return "data:text/csv;charset=utf-8;base64," + base64.b64encode(buffer.getvalue().encode()).decode()


def _credentials_allowed(actor) -> bool:
    return actor.is_customer or (actor.is_partner and actor.has_perm("credentials.manage"))


@signed_in_page
def credentials(request):
    actor = request.actor
    if not _credentials_allowed(actor):
        raise PermissionDenied
    form = AccessKeyForm(posted(request), actor=actor)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            key, secret = services.create_access_key(actor, description=form.cleaned_data["description"],
                                                     verification_code=form.code)
        except DomainError as exc:
            form_error(request, form, exc)
        else:
            created = {"key": key, "secret": secret, "csv": _credentials_csv(key, secret)}
            form = AccessKeyForm(actor=actor)
    owner_domain_id = actor.partner.domain_id if actor.is_partner else actor.customer.domain_id
    response = render(request, "partnercenter/credentials.html", {
        "keys": selectors.access_keys_for(actor), "form": form, "created": created,
        "owner_domain_id": owner_domain_id, "max_keys": services.MAX_KEYS_PER_USER,
    })
    response["Cache-Control"] = "no-store"  # the page may hold an SK
    return response


@signed_in_page
def credential_action(request, pk, action):
    actor = request.actor
    if not _credentials_allowed(actor) or action not in ("enable", "disable", "delete"):
        raise Http404
    key = selectors.access_keys_for(actor).filter(pk=pk).first()
    if key is None:
        raise Http404
    form = VerificationForm(posted(request), actor=actor)
    if request.method == "POST" and form.is_valid():
        try:
            if action == "delete":
                services.delete_access_key(actor, key_id=key.pk, verification_code=form.code)
            else:
                services.set_access_key_enabled(actor, key_id=key.pk, enabled=action == "enable",
                                                verification_code=form.code)
        except DomainError as exc:
            form_error(request, form, exc)
        else:
            messages.success(request, _("Access key %(ak)s updated.") % {"ak": key.ak})
            return redirect("credentials")
    questions = {
        "enable": _("Enable access key %(ak)s?"),
        "disable": _("Disable access key %(ak)s? Programs using it will be refused at once."),
        "delete": _("Delete access key %(ak)s? Programs using it will stop working. This cannot be undone."),
    }
    titles = {"enable": _("Enable access key"), "disable": _("Disable access key"), "delete": _("Delete access key")}
    return render(request, "partnercenter/confirm.html", {
        "form": form, "title": titles[action], "danger": action != "enable", "cancel_url": reverse("credentials"), "question": questions[action] % {"ak": key.ak},
    })


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

