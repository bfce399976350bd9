"""Two-step confirmations for pages that move money or vouchers (是否确定调整): one helper, one include.

Step one validates the page's own form; `two_step` then shows the confirmation (the page's template
with `partnercenter/_confirm.html`), which carries a one-time token, and step two posts everything
back (its "send a code" button too, so the page keeps what was typed). The token is a ConfirmationToken
row, claimed with a conditional UPDATE *before* the operation runs: of N concurrent or repeated submits
(a double click, a refreshed result page) exactly one runs, the others are refused on the form. When the
service refuses (a wrong verification code, a balance too small) nothing happened, so the token is released
and the user can correct and confirm again.
"""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.utils import timezone
from django.utils.translation import gettext as _

from .choices import ActorKind
from .errors import Codes, DomainError
from .forms import VerificationForm
from .models import ConfirmationToken
from .pages import posted
from .verification import is_required, send_email_code

__all__ = ["ConfirmForm", "Step", "TOKEN_LIFETIME", "two_step", "confirming", "posted"]

TOKEN_LIFETIME = timedelta(minutes=30)

# Refusals that concern the confirmation itself (the code, the right to act) are shown on it; anything
# else the service says concerns what was typed on the first step, which comes back with the message.
CONFIRMATION_CODES = {
    Codes.VERIFICATION_REQUIRED, Codes.VERIFICATION_FAILED, Codes.VERIFICATION_THROTTLED,
    Codes.VERIFICATION_NO_DEVICE, Codes.FORBIDDEN,
}


class ConfirmForm(VerificationForm):
    """The second step: the hidden marker, the one-time token and, when asked for, the verification code."""

    confirm = forms.CharField(widget=forms.HiddenInput, initial="1")
    token = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)  # claimed by two_step


@dataclass
class Step:
    """Where a confirmation stands after this request: the first step (again), the confirmation page
    (`confirm` is its form), or done (`result` is what the operation returned)."""

    needs_code: bool
    confirm: ConfirmForm | None = None
    done: bool = False
    result: Any = None

    @property
    def context(self) -> dict:
        """For the page's template: `step`, and `confirm` while the confirmation is shown."""
        return {"step": self, "confirm": self.confirm} if self.confirm is not None else {"step": self}


def confirming(request) -> bool:
    """Whether this request is the second step (the confirmation posted back)."""
    return request.method == "POST" and request.POST.get("confirm") == "1"


def two_step(request, form, run, *, always_code: bool = False) -> Step:
    """Amount (or choice) → confirmation → one call of `run(verification_code)`, the page's service.

    `form` is the page's first-step form, bound to the POST (or unbound on a GET). A DomainError of
    the service becomes a form error: on the confirmation when it concerns the confirmation itself,
    else on `form`. Any other exception leaves the token spent: better one refusal too many than a
    second movement. `always_code`: the confirmation asks every member for the code, whatever the
    partner's switch says (the service must then call verification.require(…, always=True)).
    """
    actor = request.actor
    needs_code = is_required(actor) or (always_code and actor.kind == ActorKind.MEMBER)
    if request.method != "POST" or not form.is_valid():
        return Step(needs_code=needs_code)
    if request.POST.get("back") == "1":  # 返回: the first step again, with what was typed (its token left to expire)
        return Step(needs_code=needs_code)
    if not confirming(request):
        return Step(needs_code=needs_code, confirm=ConfirmForm(actor=actor, always=always_code, initial={
            "confirm": "1", "token": _new_token(request)}))
    if request.POST.get("send_code") == "1":  # the code button of the confirmation: it stays on the page
        _send_code(request)
        return Step(needs_code=needs_code, confirm=ConfirmForm(actor=actor, always=always_code, initial={
            "confirm": "1", "token": request.POST.get("token", "")[:64]}))
    confirm = ConfirmForm(request.POST, actor=actor, always=always_code)
    if not confirm.is_valid():
        return Step(needs_code=confirm.needs_code, confirm=confirm)
    token = confirm.cleaned_data["token"]
    if not _claim(request, token):
        confirm.add_error(None, _("This confirmation was already submitted or has expired. Check the records before "
                                  "trying again."))
        return Step(needs_code=confirm.needs_code, confirm=confirm)
    try:
        result = run(confirm.code)
    except DomainError as exc:  # nothing happened: the same confirmation may be corrected and sent again
        _release(request, token)
        if exc.code in CONFIRMATION_CODES:
            confirm.add_error(None, str(exc.message))
            return Step(needs_code=confirm.needs_code, confirm=confirm)
        form.add_error(None, str(exc.message))
        return Step(needs_code=confirm.needs_code)
    return Step(needs_code=confirm.needs_code, done=True, result=result)


def _send_code(request) -> None:
    """E-mail a code from the confirmation itself: a button of its form, so what was typed on the first step
    comes back with it (the separate send-code form redirects to the page, which starts again empty)."""
    if send_email_code(request.actor):
        messages.info(request, _("A verification code has been sent to your e-mail."))
    else:
        messages.error(request, _("You have no e-mail device. Add one under Security."))


# ---------------------------------------------------------------------------------------------
# The one-time token
# ---------------------------------------------------------------------------------------------

def _new_token(request) -> str:
    now = timezone.now()
    ConfirmationToken.objects.filter(created_at__lt=now - TOKEN_LIFETIME).delete()  # the expired ones (indexed)
    return ConfirmationToken.objects.create(user=request.user, path=request.path[:255], created_at=now).token


def _claim(request, token: str) -> bool:
    """Spend the token for this person and page: True for exactly one of any number of concurrent claims
    (the UPDATE's row lock and re-check of `used_at IS NULL` under Read Committed; SQLite writes one at a time)."""
    now = timezone.now()
    return ConfirmationToken.objects.filter(
        token=token, user=request.user, path=request.path[:255], used_at=None, created_at__gte=now - TOKEN_LIFETIME,
    ).update(used_at=now) == 1


def _release(request, token: str) -> None:
    ConfirmationToken.objects.filter(token=token, user=request.user).update(used_at=None)
