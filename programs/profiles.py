"""个人资料 and 就职信息: each member maintains its own profile — 工作常驻地 (needed before an administrator
may apply for it as a project specialist), its post, since when it works with Huawei Cloud, and the
uniportal account its exam coupons are used with. Nobody edits another member's profile (not even an
administrator); operators read them in the admin."""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partnercenter.errors import Codes, DomainError
from partnercenter.oplog import operation, register_actions

from .models import MemberProfile

__all__ = ["update_own_profile"]

register_actions({"programs.profile_update": gettext_lazy("Update own profile and employment details")})

FIELDS = ("work_location", "post", "started_with_cloud_on", "uniportal_account")


def _text(value, limit, label) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        raise DomainError(Codes.PARAMETER, _("%(field)s is too long (at most %(limit)d characters).")
                          % {"field": label, "limit": limit})
    return value


def update_own_profile(actor, *, work_location="", post="", started_with_cloud_on=None,
                       uniportal_account="") -> MemberProfile:
    """The acting member's own profile, created on its first save. Not sensitive (no verification code):
    it moves nothing and concerns the member only; it is in the operation log."""
    if not actor.is_partner or actor.member is None:
        raise DomainError(Codes.FORBIDDEN)
    values = {
        "work_location": _text(work_location, 64, _("Work location")),
        "post": _text(post, 64, _("Post")),
        "uniportal_account": _text(uniportal_account, 64, _("Uniportal account")),
        "started_with_cloud_on": started_with_cloud_on,
    }
    if started_with_cloud_on is not None and started_with_cloud_on > timezone.localdate():
        raise DomainError(Codes.PARAMETER, _("The date you started working with the cloud cannot be in the future."))
    detail = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in values.items()}
    with operation(actor, "programs.profile_update", target=actor.member, detail=detail):
        profile, _created = MemberProfile.objects.update_or_create(member=actor.member, defaults=values)
    return profile
