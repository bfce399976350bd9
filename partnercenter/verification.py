"""Verification codes for sensitive operations (验证码验证).

When a partner has `verification_enabled`, a member performing a sensitive operation (access keys,
roles, and later allocations, reclaims, coupons …) must give a fresh code from one of their
confirmed django-otp devices: an authenticator app (TOTP) or a code e-mailed to them. Both kinds
back off exponentially after a failure (django-otp's ThrottlingMixin); an e-mailed code is stored
hashed, expires after settings.EMAIL_CODE_VALIDITY and works once.

API calls signed with an access key are not asked: a machine holds no second factor, and Huawei's
CBC endpoints carry no code field.
"""

from django.conf import settings
from django.core.mail import send_mail
from django.utils.translation import gettext as _
from django_otp import devices_for_user

from .choices import ActorKind
from .errors import Codes, DomainError

__all__ = ["is_required", "require", "send_email_code", "mail_code"]


def is_required(actor) -> bool:
    return actor.kind == ActorKind.MEMBER and actor.partner is not None and actor.partner.verification_enabled


def require(actor, code, *, always: bool = False) -> None:
    """Raise DomainError unless the operation may go ahead for this actor with this code. `always`: the
    code is asked of every member whatever the partner's switch says (激励返点提现)."""
    if not (is_required(actor) or (always and actor.kind == ActorKind.MEMBER)):
        return
    devices = list(devices_for_user(actor.user, confirmed=True))
    if not devices:
        raise DomainError(Codes.VERIFICATION_NO_DEVICE)
    code = (code or "").strip()
    if not code:
        raise DomainError(Codes.VERIFICATION_REQUIRED)
    throttled = 0
    for device in devices:
        allowed, _info = device.verify_is_allowed()
        if not allowed:
            throttled += 1
            continue
        if device.verify_token(code):
            return
    if throttled == len(devices):
        raise DomainError(Codes.VERIFICATION_THROTTLED)
    raise DomainError(Codes.VERIFICATION_FAILED)


def send_email_code(actor) -> bool:
    """E-mail a code to the acting member's confirmed e-mail device; False when they have none."""
    from .models import EmailCodeDevice

    device = EmailCodeDevice.objects.filter(user=actor.user, confirmed=True).first()
    if device is None:
        return False
    mail_code(device)
    return True


def mail_code(device) -> None:
    """Issue a fresh code on an e-mail device and send it (at once: the person is waiting for it)."""
    code = device.issue_code()
    minutes = int(settings.EMAIL_CODE_VALIDITY.total_seconds() // 60)
    send_mail(
        _("Your Partner Center verification code"),
        _("Your verification code is %(code)s. It is valid for %(minutes)d minutes and works once.")
        % {"code": code, "minutes": minutes},
        None,
        [device.email or device.user.email],
    )
