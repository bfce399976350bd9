"""The signed-in person's own pages, partner member or customer user alike: second factors (TOTP app,
e-mail), the verification-code mail, and 我的凭证 (access keys)."""

import base64
import csv
import io

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import devices_for_user
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import selectors, services, verification
from .errors import DomainError
from .forms import AccessKeyForm, EmailDeviceForm, TokenForm, VerificationForm
from .models import EmailCodeDevice
from .pages import form_error, posted, signed_in_page


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
