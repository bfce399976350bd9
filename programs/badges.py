"""能力认证徽章 (capability badges): an operator grants a partner a badge per capability label (能力标签); the
partner downloads it as an SVG drawn here (partner name, capability label, valid until) and reads the
documented usage rules next to it. No raster format: no imaging library is installed, and an SVG scales.

Every text in the SVG is the partner's or an operator's input, so it is XML-escaped (and characters XML
does not allow are dropped); the download is an attachment with a CSP that runs nothing, so even a browser
opening it directly executes no script.
"""

import html
import re

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from events import outbox
from partnercenter.choices import ActorKind
from partnercenter.errors import Codes, DomainError
from partnercenter.oplog import operation, register_actions

from .errors_benefits import BenefitCodes
from .event_types_benefits import BADGE_GRANTED
from .models import Badge

__all__ = ["USAGE_RULES", "grant", "is_valid", "svg_of", "filename_of"]

register_actions({"programs.badge_grant": gettext_lazy("Capability badge granted by the platform")})

# 能力认证徽章使用规则, as the cloud's guideline words them.
USAGE_RULES = (
    gettext_lazy("Use the capability badge as this guideline provides and only within the content and scope of "
                 "the capability labels Huawei Cloud authorised."),
    gettext_lazy("In no situation exaggerate the content, scope or level of your cooperation with Huawei Cloud."),
    gettext_lazy("Never state or imply to third parties a relationship with Huawei Cloud beyond the Huawei Cloud "
                 "partner capability programme — for example, that Huawei Cloud or its affiliates sponsor your "
                 "promotions."),
)


def grant(actor, *, partner, capability, earned_on, valid_until=None, path=None) -> Badge:
    """An operator grants the partner the badge of a capability label (once per label)."""
    if actor.kind != ActorKind.OPERATOR:
        raise DomainError(Codes.FORBIDDEN)
    capability = _NOT_XML.sub("", capability or "").strip()  # control characters: not text (nor storable)
    if not capability or len(capability) > 64:
        raise DomainError(Codes.PARAMETER, _("Name the capability label (at most 64 characters)."))
    if earned_on is None or (valid_until is not None and valid_until <= earned_on):
        raise DomainError(BenefitCodes.BADGE_WINDOW)
    detail = {"capability": capability, "earned_on": earned_on.isoformat(),
              "valid_until": valid_until.isoformat() if valid_until else None}
    with operation(actor, "programs.badge_grant", target=partner, partner=partner, detail=detail):
        try:
            with transaction.atomic():
                badge = Badge.objects.create(partner=partner, capability=capability, earned_on=earned_on,
                                             valid_until=valid_until, path=path)
        except IntegrityError:
            raise DomainError(BenefitCodes.BADGE_EXISTS) from None
        outbox.record(BADGE_GRANTED, partner=partner, actor=actor, data={
            "capability": capability, "valid_until": valid_until.isoformat() if valid_until else ""})
    return badge


def is_valid(badge, today=None) -> bool:
    today = today or timezone.localdate()
    return badge.valid_until is None or badge.valid_until >= today


# ---------------------------------------------------------------------------------------------
# The SVG
# ---------------------------------------------------------------------------------------------

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def _clean(value, limit) -> str:
    """Characters XML does not allow dropped, shortened to `limit` characters (…) — not yet escaped."""
    value = _NOT_XML.sub("", str(value or "")).strip()
    return value[:limit - 1] + "…" if len(value) > limit else value


def _fit(value, size, width=330) -> int:
    """A font size at which `value` fits `width` pixels (a CJK character about 1 em, others about 0.6 em)."""
    ems = sum(1.0 if ord(char) >= 0x2E80 else 0.6 for char in value) or 1
    return max(9, min(size, int(width / ems)))


def _text(value) -> str:
    """Escaped for XML text and attribute values."""
    return html.escape(value, quote=True)


def svg_of(badge) -> str:
    """The badge as a self-contained SVG: no scripts, no external references; every text escaped."""
    valid = (_("Valid until %(date)s") % {"date": badge.valid_until.isoformat()} if badge.valid_until
             else _("No expiry date"))
    title = _clean(_("Huawei Cloud capability certification"), 48)
    partner, capability = _clean(badge.partner.name, 48), _clean(badge.capability, 40)
    label = _text(f"{title}: {capability}")
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="520" height="200" viewBox="0 0 520 200" role="img" aria-label="{label}">
  <title>{label}</title>
  <rect x="1" y="1" width="518" height="198" rx="16" fill="#ffffff" stroke="#c7000b" stroke-width="2"/>
  <rect x="1" y="1" width="150" height="198" rx="16" fill="#c7000b"/>
  <rect x="130" y="1" width="21" height="198" fill="#c7000b"/>
  <circle cx="76" cy="88" r="42" fill="none" stroke="#ffffff" stroke-width="4"/>
  <path d="M56 88 l14 14 l28 -30" fill="none" stroke="#ffffff" stroke-width="7" stroke-linecap="round" stroke-linejoin="round"/>
  <text x="76" y="162" font-family="sans-serif" font-size="15" font-weight="bold" fill="#ffffff" text-anchor="middle">HUAWEI CLOUD</text>
  <text x="172" y="44" font-family="sans-serif" font-size="{_fit(title, 15)}" fill="#595959">{_text(title)}</text>
  <text x="172" y="92" font-family="sans-serif" font-size="{_fit(capability, 26)}" font-weight="bold" fill="#1a1a1a">{_text(capability)}</text>
  <text x="172" y="132" font-family="sans-serif" font-size="{_fit(partner, 18)}" fill="#1a1a1a">{_text(partner)}</text>
  <text x="172" y="170" font-family="sans-serif" font-size="14" fill="#595959">{_text(_clean(valid, 48))}</text>
</svg>
"""


def filename_of(badge) -> str:
    return f"capability-badge-{badge.pk}.svg"
