"""注册新账号: a partner that cannot take a development path with its own account registers a new partner
account for it.

1. A member with `programs.manage` asks for a verification code sent to the MAIN account's e-mail
   (Partner.email) or mobile (Partner.mobile_phone, partnercenter.sms) — "邮件验证及手机验证为当前登录的
   主账号对应的邮箱地址和手机号". The code has 8 digits (as the core's EmailCodeDevice), is valid for 10
   minutes, is kept only as a keyed hash, dies after 5 wrong tries and works once; a new code at most once
   a minute per member and path, and at most 10 an hour per partner.
2. The right code creates a RegistrationLink: its token is returned once (the page shows it) and mailed to
   the main account's e-mail; only its hash is stored; it expires 24 hours after it was made
   ("验证成功后需在24小时内完成新账号注册").
3. Whoever holds the link registers the new account on a public page: a solution-provider Partner with a
   fresh account ID, its built-in administrator role, the administrator's login, and the enrolment on the
   link's path at its first stage. The link is claimed by a conditional UPDATE (used_at IS NULL AND
   expires_at > now) inside the registration's transaction, so of two concurrent submissions one creates
   the partner and the other is refused; an expired, used or unknown link creates nothing
   ("如果使用了失效的链接进行注册,将不能注册新账号").

The pending code lives in Django's cache (Redis in production, so every web process sees it). Each code
has a nonce: its wrong-try counter and its single-use claim are keyed by it, with the cache's atomic
`incr` and `add`.
"""

import secrets
from datetime import timedelta

from django.contrib.auth.password_validation import validate_password as django_validate_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from customers.models import Customer
from customers.registration import validate_domain_name
from events import outbox
from partnercenter import sms
from partnercenter.actors import Actor
from partnercenter.choices import ActorKind, PartnerType
from partnercenter.errors import Codes, DomainError
from partnercenter.models import Member, Partner, Role, User
from partnercenter.oplog import operation
from partnercenter.templatetags.display import mask_text

from . import event_types_access as event_types
from .errors_access import AccessCodes
from .models import Path, PathEnrolment, RegistrationLink

__all__ = [
    "CODE_DIGITS", "CODE_VALIDITY", "CODE_MAX_ATTEMPTS", "CODE_RESEND_INTERVAL", "CODES_PER_HOUR", "CHANNELS",
    "contacts_of", "path_for", "send_code", "create_link", "mail_link", "link_state", "usable_link",
    "register_account",
]

CODE_DIGITS = 8  # as the core's EmailCodeDevice (partnercenter.models)
CODE_VALIDITY = timedelta(minutes=10)
CODE_MAX_ATTEMPTS = 5
CODE_RESEND_INTERVAL = timedelta(seconds=60)
CODES_PER_HOUR = 10
EMAIL, MOBILE = "email", "mobile"
CHANNELS = (EMAIL, MOBILE)
PERMISSION = "programs.manage"
ADMIN_ROLE_NAME = "管理员"   # stored like every partner's built-in role; shown in the viewer's language


def _require(actor):
    if not actor.is_partner or actor.member is None or not actor.has_perm(PERMISSION):
        raise DomainError(Codes.FORBIDDEN)
    if not actor.partner.is_active:
        raise DomainError(AccessCodes.PARTNER_INACTIVE)


def contacts_of(partner) -> dict:
    """{channel: masked address} of the main account, for the channels it has."""
    found = {}
    if partner.email:
        found[EMAIL] = mask_text(partner.email)
    if partner.mobile_phone:
        found[MOBILE] = mask_text(partner.mobile_phone)
    return found


def path_for(code) -> Path | None:
    return Path.objects.filter(code=code).first()


def _path(code) -> Path:
    path = path_for(code)
    if path is None:
        raise DomainError(Codes.NOT_FOUND)
    return path


# ---------------------------------------------------------------------------------------------
# Step 1 and 2: the verification code, then the link
# ---------------------------------------------------------------------------------------------

def _key(actor, path) -> str:
    return f"programs:new-account:{actor.partner.pk}:{actor.user.pk}:{path.pk}"


def _digest(nonce: str, code: str) -> str:
    return salted_hmac("programs.registration.code", f"{nonce}:{code}").hexdigest()


def _seconds(delta) -> int:
    return int(delta.total_seconds())


def _cool_down(key) -> None:
    """At most one code per CODE_RESEND_INTERVAL: the cache's atomic add, and the time it holds (the clock
    is ours, not the cache server's)."""
    now = timezone.now().timestamp()
    interval = _seconds(CODE_RESEND_INTERVAL)
    if cache.add(key, now, interval):
        return
    last = cache.get(key)
    if last is not None and now - last < interval:
        raise DomainError(AccessCodes.CODE_TOO_SOON)
    cache.set(key, now, interval)


def send_code(actor, *, path_code: str, channel: str) -> str:
    """Send a fresh code to the main account's e-mail or mobile; returns the masked address it went to.
    An earlier code of the same member and path stops working."""
    _require(actor)
    path = _path(path_code)
    if channel not in CHANNELS:
        raise DomainError(Codes.PARAMETER, _("Choose e-mail or mobile."))
    partner = actor.partner
    address = partner.email if channel == EMAIL else partner.mobile_phone
    with operation(actor, "programs.new_account_code", target=path,
                   detail={"channel": channel, "to": mask_text(address)}):
        if not address:
            raise DomainError(AccessCodes.NO_CONTACT)
        key = _key(actor, path)
        _cool_down(f"{key}:cooldown")
        hourly = f"programs:new-account:{partner.pk}:hour"
        cache.add(hourly, 0, 3600)
        try:
            sent = cache.incr(hourly)
        except ValueError:  # expired between add and incr
            cache.add(hourly, 1, 3600)
            sent = 1
        if sent > CODES_PER_HOUR:
            raise DomainError(AccessCodes.CODE_THROTTLED)
        code = f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
        nonce = secrets.token_hex(8)
        ttl = _seconds(CODE_VALIDITY)
        cache.set(key, {"nonce": nonce, "digest": _digest(nonce, code), "channel": channel,
                        "expires": (timezone.now() + CODE_VALIDITY).timestamp()}, ttl)
        cache.set(f"{key}:tries:{nonce}", 0, ttl)
        try:
            _deliver(channel, address, code, path)
        except DomainError:
            cache.delete_many([key, f"{key}:tries:{nonce}", f"{key}:cooldown"])
            raise
    return mask_text(address)


def _deliver(channel, address, code, path) -> None:
    minutes = _seconds(CODE_VALIDITY) // 60
    text = _("Your verification code for registering a new partner account on the path %(path)s is %(code)s. "
             "It is valid for %(minutes)d minutes and works once.") % {
        "path": path.name, "code": code, "minutes": minutes}
    try:
        if channel == EMAIL:
            send_mail(_("Partner Center: register a new account"), text, None, [address])
        else:
            sms.send_sms(address, text)
    except Exception as exc:  # the person is waiting: tell them now; the code is not kept (rollback + delete)
        raise DomainError(AccessCodes.CODE_NOT_SENT) from exc


def _use_code(actor, path, code: str) -> str:
    """Check the code once; count a wrong try; return the channel it was sent to."""
    key = _key(actor, path)
    pending = cache.get(key)
    if not pending or pending["expires"] <= timezone.now().timestamp():
        raise DomainError(AccessCodes.CODE_EXPIRED)
    nonce = pending["nonce"]
    try:
        tries = cache.incr(f"{key}:tries:{nonce}")
    except ValueError:  # the counter expired with the code
        raise DomainError(AccessCodes.CODE_EXPIRED) from None
    if tries > CODE_MAX_ATTEMPTS:
        cache.delete(key)
        raise DomainError(AccessCodes.CODE_THROTTLED)
    code = (code or "").strip()
    if not secrets.compare_digest(_digest(nonce, code), pending["digest"]):
        left = CODE_MAX_ATTEMPTS - tries
        if left <= 0:
            cache.delete(key)
            raise DomainError(AccessCodes.CODE_THROTTLED)
        raise DomainError(AccessCodes.CODE_WRONG, _("The verification code is wrong; %(left)d tries left.") % {
            "left": left})
    # Single use: of concurrent right answers only the one that adds the claim goes on.
    if not cache.add(f"{key}:used:{nonce}", 1, _seconds(CODE_VALIDITY)):
        raise DomainError(AccessCodes.CODE_EXPIRED)
    cache.delete(key)
    return pending["channel"]


def create_link(actor, *, path_code: str, code: str) -> tuple[RegistrationLink, str]:
    """The right code makes a registration link valid 24 hours. Returns the link and its token (shown once,
    mailed to the main account's e-mail after the commit; only its hash is stored)."""
    _require(actor)
    path = _path(path_code)
    with operation(actor, "programs.new_account_link", target=path) as entry:
        channel = _use_code(actor, path, code)
        token = RegistrationLink.new_token()
        now = timezone.now()
        partner = actor.partner
        link = RegistrationLink.objects.create(
            partner=partner, path=path, token_hash=RegistrationLink.hash(token), sent_to=partner.email,
            created_by=actor.user, created_at=now,
            expires_at=now + timedelta(hours=RegistrationLink.VALID_FOR_HOURS))
        entry.target = link
        entry.detail = {"path": path.code, "verified_by": channel, "expires_at": link.expires_at.isoformat()}
    return link, token


def mail_link(link, *, url: str) -> None:
    """E-mail the link to the main account's e-mail once the link is committed (the view knows the URL)."""
    if not link.sent_to:
        return
    from partnercenter.tasks import send_email

    local = timezone.localtime(link.expires_at)
    subject = _("Partner Center: your link to register a new partner account")
    body = _("Register the new partner account for the path %(path)s with this link before %(expires)s (it works "
             "once): %(url)s") % {"path": link.path.name, "expires": local.strftime("%Y-%m-%d %H:%M"), "url": url}
    recipients = [link.sent_to]
    transaction.on_commit(lambda: send_email.delay(str(subject), str(body), recipients))


# ---------------------------------------------------------------------------------------------
# Step 3: the public registration page
# ---------------------------------------------------------------------------------------------

UNKNOWN, EXPIRED, USED, USABLE = "unknown", "expired", "used", "usable"


def link_state(token: str) -> tuple[str, RegistrationLink | None]:
    """Where a token stands: unknown, expired, used or usable (with its link)."""
    link = (RegistrationLink.objects.select_related("path", "partner")
            .filter(token_hash=RegistrationLink.hash(token or "")).first()) if token else None
    if link is None:
        return UNKNOWN, None
    if link.used_at is not None:
        return USED, link
    if link.expires_at <= timezone.now():
        return EXPIRED, link
    return USABLE, link


def usable_link(token: str) -> RegistrationLink | None:
    state, link = link_state(token)
    return link if state == USABLE else None


_STATE_ERRORS = {UNKNOWN: AccessCodes.LINK_UNKNOWN, EXPIRED: AccessCodes.LINK_EXPIRED, USED: AccessCodes.LINK_USED}


def _refuse_link(token):
    state, _link = link_state(token)
    raise DomainError(_STATE_ERRORS.get(state, AccessCodes.LINK_USED))


def _validate(*, company_name, account_name, admin_name, admin_email, username, password):
    company_name, admin_name = (company_name or "").strip(), (admin_name or "").strip()
    account_name, username = (account_name or "").strip(), (username or "").strip()
    admin_email = (admin_email or "").strip().lower()
    if not company_name or not admin_name or not admin_email or not username:
        raise DomainError(Codes.PARAMETER, _("Fill in every field."))
    validate_domain_name(account_name)
    if Partner.objects.filter(account_name__iexact=account_name).exists() or \
            Customer.objects.filter(domain_name__iexact=account_name).exists():
        raise DomainError(AccessCodes.ACCOUNT_TAKEN)
    if User.objects.filter(username__iexact=username).exists():
        raise DomainError(AccessCodes.USERNAME_TAKEN)
    try:
        django_validate_password(password, User(username=username, email=admin_email))
    except ValidationError as exc:
        raise DomainError(Codes.PARAMETER, " ".join(exc.messages)) from exc
    return company_name[:128], account_name, admin_name[:64], admin_email, username


def register_account(*, token: str, company_name: str, account_name: str, admin_name: str, admin_email: str,
                     username: str, password: str, ip=None) -> Partner:
    """Register the new partner account through a usable link; the link is spent in the same transaction."""
    link = usable_link(token)
    if link is None:
        _refuse_link(token)
    company_name, account_name, admin_name, admin_email, username = _validate(
        company_name=company_name, account_name=account_name, admin_name=admin_name, admin_email=admin_email,
        username=username, password=password)
    stage = link.path.stages.order_by("rank").first()
    if stage is None:
        raise DomainError(Codes.CONFLICT, _("This path has no stages yet."))
    visitor = Actor(ActorKind.ANONYMOUS, ip=ip)
    # Filed under the partner that asked for the link (its 操作记录), success or refusal.
    with operation(visitor, "programs.new_account_register", target=link, partner=link.partner,
                   detail={"account_name": account_name, "path": link.path.code}) as entry:
        now = timezone.now()
        claimed = RegistrationLink.objects.filter(pk=link.pk, used_at__isnull=True, expires_at__gt=now).update(
            used_at=now)
        if claimed != 1:
            _refuse_link(token)
        try:
            with transaction.atomic():
                partner = Partner.objects.create(
                    account_name=account_name, name=company_name, partner_type=PartnerType.SOLUTION_PROVIDER,
                    email=admin_email, contracting_entity=link.partner.contracting_entity)
                role = Role.objects.create(partner=partner, name=ADMIN_ROLE_NAME, is_administrator=True)
                user = User.objects.create_user(username=username, email=admin_email, password=password)
        except IntegrityError as exc:  # a concurrent registration took the account name or username
            raise DomainError(AccessCodes.ACCOUNT_TAKEN if Partner.objects.filter(
                account_name__iexact=account_name).exists() else AccessCodes.USERNAME_TAKEN) from exc
        member = Member.objects.create(user=user, partner=partner, display_name=admin_name)
        member.roles.add(role)
        PathEnrolment.objects.create(partner=partner, path=link.path, stage=stage, since=now, enrolled_at=now)
        RegistrationLink.objects.filter(pk=link.pk).update(new_partner=partner)
        entry.detail["domain_id"] = partner.domain_id
        newcomer = Actor(ActorKind.MEMBER, user=user, partner=partner, member=member, ip=ip)
        with operation(newcomer, "programs.new_account_register", target=partner,
                       detail={"path": link.path.code, "stage": stage.code, "link_of": link.partner.account_name}):
            pass
        outbox.record(event_types.ACCOUNT_REGISTERED, partner=link.partner, actor=newcomer, data={
            "account_name": partner.account_name, "domain_id": partner.domain_id, "path": link.path.name})
    return partner
