"""线下拓展: invitation links and their QR codes, and a prospective customer's registration through one.

- A member with `expansion.manage` creates a link (a name, referral or resale, valid until a day) and may
  revoke it. The link's URL (`/expansion/join/<token>/`, under settings.SITE_URL) is what its QR code holds.
- Whoever opens a usable link registers a cloud account on a public page (account name, password, mobile with
  an SMS code, e-mail optional; the customers app's rules, `customers.registration.register_customer_for`)
  and is associated with the link's partner as the link says. The link's `registrations` counter rises in
  the registration's transaction by a conditional UPDATE (not revoked, not expired), so a link revoked or
  expiring meanwhile registers nobody and concurrent registrations never lose a count.
- Huawei: "当您关联的华为云总经销商已经摘牌退出，同时您也无法线下邀请报备客户". A cloud reseller whose distributor
  is DELISTED, or a partner that is not active, creates no links and nobody registers through its links
  (`invite_refusal`); the partner's page says why, the public page says the link can no longer be used.
  The refusal is read again inside the registration's transaction: a registration that commits while an
  operator delists the distributor is one that happened just before.

Every write is in the partner's 操作记录 (the anonymous visitor's code requests and registration too) and a
registration is the event `expansion.customer_registered`.

The public page is a target for abuse, so it spends budgets (fixed windows in the cache, as
partnercenter/api/throttling.py counts them):
- every register POST, per visitor address: "cbc.identity" (`join:<address>`); the registration checks the SMS
  code before it says whether an account name or e-mail is taken or the mobile holds its 5 accounts
  (customers.registration.register_customer_for), so nobody without a live code learns either;
- every code sent, per visitor address ("cbc.code"), per mobile number (JOIN_RATES: 5 an hour, 10 a day) and
  per link (200 a day). A rate under the same scope in REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] replaces
  the default of JOIN_RATES.
"""

from __future__ import annotations

import datetime as dt
import time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.settings import api_settings

from customers import registration as customer_registration
from customers.choices import AssociationType
from customers.errors import CustomerCodes
from events import outbox
from partnercenter.actors import Actor
from partnercenter.api import throttling
from partnercenter.choices import ActorKind, PartnerStatus, PartnerType
from partnercenter.errors import Codes, DomainError
from partnercenter.models import Partner
from partnercenter.oplog import operation
from partnercenter.workdays import SHANGHAI, local_date

from . import event_types_invitations as event_types
from .errors_invitations import InvitationCodes
from .models import InvitationLink, LinkRegistration

__all__ = [
    "MAX_USABLE_LINKS", "MAX_VALID_DAYS", "USABLE", "UNKNOWN", "REVOKED", "EXPIRED", "REFUSED",
    "invite_refusal", "join_url", "create_link", "revoke_link", "link_state", "send_join_code",
    "register_through_link", "valid_until_of", "spend_join_attempt", "revoke_link_as_operator", "JOIN_RATES",
]

PERMISSION = "expansion.manage"
MAX_USABLE_LINKS = 200
MAX_VALID_DAYS = 366
USABLE, UNKNOWN, REVOKED, EXPIRED, REFUSED = "usable", "unknown", "revoked", "expired", "refused"


# ---------------------------------------------------------------------------------------------
# Who may invite
# ---------------------------------------------------------------------------------------------

def invite_refusal(partner) -> str | None:
    """Why `partner` may not invite customers (nor report them, 报备), or None when it may: a partner that is
    not active, or a cloud reseller whose distributor was delisted (摘牌退出)."""
    if partner is None:
        return _("Your account cannot invite customers.")
    if partner.status != PartnerStatus.ACTIVE:
        return _("Your partner account is not active, so it cannot invite customers.")
    if partner.partner_type == PartnerType.RESELLER and partner.distributor_id is not None:
        distributor = partner.distributor
        if distributor.status == PartnerStatus.DELISTED:
            return _("Your distributor %(name)s has been delisted from Huawei Cloud's partner programme: "
                     "you can no longer invite customers offline or report customers.") % {"name": distributor.name}
    return None


def _require(actor):
    if not actor.is_partner or not actor.has_perm(PERMISSION):
        raise DomainError(Codes.FORBIDDEN)


def _fresh_refusal(partner_id) -> str | None:
    partner = Partner.objects.select_related("distributor").filter(pk=partner_id).first()
    return invite_refusal(partner)


# ---------------------------------------------------------------------------------------------
# The partner's links
# ---------------------------------------------------------------------------------------------

def join_url(link) -> str:
    """The public address of a link, as its QR code holds it."""
    return settings.SITE_URL.rstrip("/") + reverse("expansion:join", args=[link.token])


def valid_until_of(day: dt.date) -> dt.datetime:
    """A link valid until `day` works until that day's last second in Shanghai."""
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=SHANGHAI)


def create_link(actor, *, name: str, association_type: str, valid_until: dt.date) -> InvitationLink:
    """获取邀请链接: a new link; it works until the end of `valid_until` (Shanghai), today at the earliest and a
    year from now at the latest. The partner's row is locked while its usable links are counted, so
    concurrent creations never pass MAX_USABLE_LINKS."""
    _require(actor)
    name = (name or "").strip()
    if len(name) > 64:
        raise DomainError(Codes.PARAMETER, _("The name is at most 64 characters."))
    if association_type not in AssociationType.values:
        raise DomainError(Codes.PARAMETER, _("Choose referral or resale."))
    today = local_date(timezone.now())
    if not isinstance(valid_until, dt.date) or not today <= valid_until <= today + dt.timedelta(days=MAX_VALID_DAYS):
        raise DomainError(InvitationCodes.VALIDITY)
    with operation(actor, "expansion.link_create",
                   detail={"name": name, "association_type": association_type,
                           "valid_until": valid_until.isoformat()}) as entry:
        partner = Partner.objects.select_for_update().get(pk=actor.partner.pk)  # serialises the count below
        refusal = invite_refusal(partner)
        if refusal:
            raise DomainError(InvitationCodes.CANNOT_INVITE, refusal)
        usable = InvitationLink.objects.filter(partner=actor.partner, revoked_at__isnull=True,
                                               valid_until__gt=timezone.now()).count()
        if usable >= MAX_USABLE_LINKS:
            raise DomainError(InvitationCodes.TOO_MANY_LINKS)
        link = InvitationLink.objects.create(
            partner=actor.partner, name=name, association_type=association_type,
            valid_until=valid_until_of(valid_until), created_by=actor.member)
        entry.target = link
    return link


def revoke_link(actor, *, link_id) -> InvitationLink:
    """Revoke one of the partner's links (another partner's is not found, and that refusal is logged too).
    Always allowed, even to a partner that may no longer invite."""
    _require(actor)
    with operation(actor, "expansion.link_revoke", detail={"link_id": str(link_id)[:32]}) as entry:
        link = InvitationLink.objects.filter(partner=actor.partner, pk=link_id).first() if _is_id(link_id) else None
        if link is None:
            raise DomainError(Codes.NOT_FOUND)
        entry.target = link
        now = timezone.now()
        if not InvitationLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(revoked_at=now):
            raise DomainError(InvitationCodes.ALREADY_REVOKED)
        link.revoked_at = now
    return link


def _is_id(value) -> bool:
    return isinstance(value, int) or (isinstance(value, str) and value.isdigit() and len(value) < 19)


def revoke_link_as_operator(link, *, actor) -> bool:
    """A platform operator revokes `link` (the admin): False when it was already revoked. The partner is told
    (the event `expansion.link_revoked`) in the revocation's transaction; the caller logs the operation."""
    with transaction.atomic():
        now = timezone.now()
        if not InvitationLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(revoked_at=now):
            return False
        link.revoked_at = now
        outbox.record(event_types.LINK_REVOKED, partner=link.partner, actor=actor, data={
            "link_id": link.pk, "link_name": link.name or f"#{link.pk}", "by": "platform"})
    return True


# ---------------------------------------------------------------------------------------------
# The public page
# ---------------------------------------------------------------------------------------------

JOIN_RATES = {
    "expansion.join_code.mobile_hour": "5/hour",
    "expansion.join_code.mobile_day": "10/day",
    "expansion.join_code.link_day": "200/day",
}
_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def _over_budget(scope: str, ident) -> bool:
    """Count one use of `ident` in `scope` (a fixed window in the cache, partnercenter.api.throttling's way);
    True when it is past the scope's rate."""
    rate = api_settings.DEFAULT_THROTTLE_RATES.get(scope) or JOIN_RATES[scope]
    number, period = rate.split("/")
    limit, seconds = int(number), _PERIODS[period[0]]
    key = f"throttle:{scope}:{ident}:{int(time.time() // seconds)}"
    try:
        count = cache.incr(key)
    except ValueError:  # the window's first use (or another process's, a moment ago)
        count = 1 if cache.add(key, 1, seconds + 1) else cache.incr(key)
    return count > limit


def spend_join_attempt(ip) -> None:
    """One register POST of the public page from `ip` (whether or not its form is valid): JOIN_THROTTLED past
    the "cbc.identity" budget of the address."""
    if throttling.hit("cbc.identity", f"join:{ip or 'unknown'}") is not None:
        raise DomainError(InvitationCodes.JOIN_THROTTLED)

def link_state(token) -> tuple[str, InvitationLink | None]:
    """(state, link) of a token: USABLE, UNKNOWN (no such link), REVOKED, EXPIRED, or REFUSED (the partner may
    no longer invite)."""
    token = (token or "").strip()
    link = None
    if token and len(token) <= 32:
        link = InvitationLink.objects.select_related("partner__distributor").filter(token=token).first()
    if link is None:
        return UNKNOWN, None
    if link.revoked_at is not None:
        return REVOKED, link
    if timezone.now() >= link.valid_until:
        return EXPIRED, link
    if invite_refusal(link.partner):
        return REFUSED, link
    return USABLE, link


_STATE_CODES = {UNKNOWN: InvitationCodes.LINK_UNKNOWN, REVOKED: InvitationCodes.LINK_REVOKED,
                EXPIRED: InvitationCodes.LINK_EXPIRED, REFUSED: InvitationCodes.PARTNER_REFUSED}


def _usable(token) -> InvitationLink:
    state, link = link_state(token)
    if state != USABLE:
        raise DomainError(_STATE_CODES[state], state=state)
    return link


def _visitor(ip) -> Actor:
    return Actor(ActorKind.ANONYMOUS, ip=ip)


def send_join_code(*, token: str, mobile_phone: str, ip=None, lang="zh-cn") -> None:
    """The SMS code for registering through a usable link (customers' rules: one code a minute per number,
    valid 10 minutes). Budgets: the visitor's address shares "cbc.code"; the mobile number gets at most 5
    codes an hour and 10 a day, the link sends at most 200 a day (JOIN_RATES). A wrong number, or one that
    got a code less than a minute ago, spends only the address's budget."""
    link = _usable(token)
    mobile = customer_registration.normalize_mobile(mobile_phone)  # a wrong number spends nothing
    throttling.spend("cbc.code", f"join:{ip or 'unknown'}")
    if customer_registration.code_sent_recently(mobile):
        raise DomainError(CustomerCodes.CODE_TOO_FREQUENT)
    if _over_budget("expansion.join_code.mobile_hour", mobile):
        raise DomainError(InvitationCodes.CODES_PER_MOBILE, _(
            "Too many verification codes were sent to this mobile number. Try again in an hour."))
    if _over_budget("expansion.join_code.mobile_day", mobile):
        raise DomainError(InvitationCodes.CODES_PER_MOBILE, _(
            "Too many verification codes were sent to this mobile number today. Try again tomorrow."))
    if _over_budget("expansion.join_code.link_day", link.pk):
        raise DomainError(InvitationCodes.CODES_PER_LINK)
    customer_registration.send_registration_code_for(
        link.partner, actor=_visitor(ip), mobile_phone=mobile_phone, lang=lang, action="expansion.join_code",
        detail={"link_id": link.pk})


def register_through_link(*, token: str, domain_name: str, password: str, mobile_phone: str,
                          verification_code: str, email: str = "", ip=None):
    """Register a customer through a usable link: the new account is associated with the link's partner as the
    link's type; the link counts it. Refused (nothing created) when the link is unknown, revoked, expired, or
    its partner may no longer invite — also when that changes while the registration runs. Spends the
    address's budget (spend_join_attempt) first; the SMS code is checked before the rules that would tell
    whether an account name or e-mail exists."""
    link = _usable(token)
    spend_join_attempt(ip)
    actor = _visitor(ip)

    def within(customer):
        refusal = _fresh_refusal(link.partner_id)
        if refusal:
            raise DomainError(InvitationCodes.PARTNER_REFUSED, state=REFUSED)
        now = timezone.now()
        counted = InvitationLink.objects.filter(pk=link.pk, revoked_at__isnull=True, valid_until__gt=now).update(
            registrations=F("registrations") + 1)
        if not counted:
            state, _link = link_state(link.token)
            raise DomainError(_STATE_CODES.get(state, InvitationCodes.LINK_EXPIRED), state=state)
        LinkRegistration.objects.create(link=link, customer=customer, created_at=now)
        outbox.record(event_types.CUSTOMER_REGISTERED, partner=link.partner, customer=customer, actor=actor, data={
            "customer_id": customer.domain_id, "account_name": customer.domain_name,
            "association_type": link.association_type, "link_id": link.pk, "link_name": link.name or f"#{link.pk}"})

    return customer_registration.register_customer_for(
        link.partner, actor=actor, association_type=link.association_type, domain_name=domain_name,
        password=password, mobile_phone=mobile_phone, verification_code=verification_code, email=email,
        action="expansion.join", detail={"link_id": link.pk, "association_type": link.association_type},
        within=within, target=link)
