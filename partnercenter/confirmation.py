"""Two-step confirmations for pages that move money or vouchers (是否确定调整).

Step one validates and renders a confirmation page with a ConfirmForm; step two posts it back. Each
confirmation carries a one-time token kept in the session: it is spent when the operation ran, so a
refreshed or repeated POST is refused on the form instead of moving money twice. A refusal by the
service keeps the token, so the user can correct (e.g. the verification code) and retry.
"""

import secrets

from django import forms
from django.utils.translation import gettext as _

from .forms import VerificationForm
from .pages import posted

__all__ = ["ConfirmForm", "posted", "confirming", "new_confirm", "token_unused", "spend_token"]

_TOKENS_KEY = "pc_confirm_tokens"
_KEEP = 20


class ConfirmForm(VerificationForm):
    """The second step: the hidden marker, the one-time token and, when asked for, the verification code."""

    confirm = forms.CharField(widget=forms.HiddenInput, initial="1")
    token = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)  # checked by token_unused


def confirming(request) -> bool:
    return request.method == "POST" and request.POST.get("confirm") == "1"


def new_confirm(request) -> ConfirmForm:
    token = secrets.token_urlsafe(16)
    request.session[_TOKENS_KEY] = request.session.get(_TOKENS_KEY, [])[-(_KEEP - 1):] + [token]
    return ConfirmForm(actor=request.actor, initial={"confirm": "1", "token": token})


def token_unused(request, confirm) -> bool:
    if confirm.cleaned_data["token"] and confirm.cleaned_data["token"] in request.session.get(_TOKENS_KEY, []):
        return True
    confirm.add_error(None, _("This confirmation was already submitted or has expired. Check the records before "
                              "trying again."))
    return False


def spend_token(request, confirm) -> None:
    token = confirm.cleaned_data["token"]
    request.session[_TOKENS_KEY] = [t for t in request.session.get(_TOKENS_KEY, []) if t != token]
