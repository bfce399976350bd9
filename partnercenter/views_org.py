"""Pages of 组织: 人员 (members and invitations, and accepting an invitation), 角色, 操作记录 and the partner's
security settings (验证码验证)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import selectors, services
from .errors import DomainError
from .filters import OperationLogFilter
from .forms import AcceptInvitationForm, InviteForm, MemberForm, RoleForm, SwitchForm, VerificationForm
from .pages import form_error, member_page, paginate, posted


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
        "page": paginate(request, queryset),
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
