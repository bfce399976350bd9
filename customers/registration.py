"""注册客户: the registration rules, 校验客户注册信息, the SMS registration code and 创建客户.

Each write runs inside `partnercenter.oplog.operation()` (one transaction, the operation log).
"""

import hashlib
import re
import secrets
import string
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from partnercenter import sms
from partnercenter.errors import Codes, DomainError
from partnercenter.models import User
from partnercenter.oplog import operation
from partnercenter.selectors import book_owner

from . import selectors
from .choices import AssociationType, EventInitiator, EventKind, EventStatus
from .common import _announce, _customer_data, _parameter, _require
from .errors import CustomerCodes
from .models import Association, AssociationEvent, Customer, CustomerUser, RegistrationCode

__all__ = ["ACCOUNTS_PER_MOBILE", "normalize_mobile", "validate_domain_name", "validate_password", "check_identity",
           "send_registration_code", "create_customer", "send_registration_code_for", "register_customer_for",
           "code_sent_recently", "MAX_EMAIL_LENGTH"]

ACCOUNTS_PER_MOBILE = getattr(settings, "CUSTOMER_ACCOUNTS_PER_MOBILE", 5)
MAX_EMAIL_LENGTH = 254  # the login's e-mail (pc_user.email, Django's AbstractUser) is varchar(254)
CODE_DIGITS = 8  # 10**8 ≈ 2**26.6: over the 20 bits of entropy promised for SMS codes
CODE_MAX_ATTEMPTS = 5
CODE_RESEND_INTERVAL = timedelta(seconds=60)

_MOBILE_RE = re.compile(r"^1\d{10}$")
_IDENTITY_MOBILE_RE = re.compile(r"^\d{4}-\d+$")
_DOMAIN_NAME_RE = re.compile(r"^[a-zA-Z_-][a-zA-Z0-9_-]*$")
_LOGIN_NAME_RE = re.compile(r"^([a-zA-Z-]([a-zA-Z0-9_-]){4,31})$")
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalize_mobile(value: str) -> str:
    """A Chinese mobile number as 11 digits, from `13800000000`, `0086-13800000000` or `+8613800000000`."""
    value = (value or "").strip().replace(" ", "")
    for prefix in ("0086-", "+86", "0086"):
        if value.startswith(prefix):
            value = value[len(prefix):]
            break
    if not _MOBILE_RE.match(value):
        raise _parameter(_("Only mainland China mobile numbers are supported (11 digits starting with 1)."))
    return value


def validate_domain_name(name: str) -> None:
    if not 5 <= len(name) <= 32:
        raise _parameter(_("The account name must be 5 to 32 characters long."))
    if not _DOMAIN_NAME_RE.match(name):
        raise _parameter(_("The account name may contain letters, digits, “_” and “-”, and must not start with a digit."))
    if name.lower().startswith(("op_", "shadow_")):
        raise _parameter(_("The account name must not start with “op_” or “shadow_”."))
    if name.isdigit():
        raise _parameter(_("The account name must not be all digits."))


def validate_password(password: str, *, domain_name: str, mobile_phone: str = "") -> None:
    """Huawei's rules: two of upper case, lower case, digits and special characters; not the account
    name or the account name reversed; not containing the mobile number. Length 8 to 32."""
    if not 8 <= len(password) <= 32:
        raise _parameter(_("The password must be 8 to 32 characters long."))
    classes = [
        any(c.isupper() for c in password), any(c.islower() for c in password),
        any(c.isdigit() for c in password), any(not c.isalnum() for c in password),
    ]
    if sum(classes) < 2:
        raise _parameter(_("The password must mix at least two of: upper case, lower case, digits, special characters."))
    lowered = password.lower()
    if lowered in (domain_name.lower(), domain_name.lower()[::-1]):
        raise _parameter(_("The password must not be the account name or the account name reversed."))
    if mobile_phone and mobile_phone in password:
        raise _parameter(_("The password must not contain the mobile number."))


def _name_taken(name: str) -> bool:
    return Customer.objects.filter(domain_name__iexact=name).exists() or User.objects.filter(username__iexact=name).exists()


def _mobile_remaining(mobile: str) -> int:
    return max(0, ACCOUNTS_PER_MOBILE - Customer.objects.filter(mobile_phone=mobile).count())


def check_identity(actor, *, search_type: str, search_value: str) -> dict:
    """校验客户注册信息: may this login name, mobile number or e-mail still be used?"""
    _require(actor, "customers.manage")
    value = (search_value or "").strip()
    if not value or len(value) > 64:
        raise _parameter(_("search_value is required and at most 64 characters."))
    result = {}
    if search_type == "name":
        if not _LOGIN_NAME_RE.match(value) or value.lower().startswith(("op_", "shadow_")) or value.isdigit():
            raise _parameter(_("The login name does not follow the naming rules."))
        used = _name_taken(value)
    elif search_type == "mobile":
        if not _IDENTITY_MOBILE_RE.match(value) or not value.startswith("0086-"):
            raise _parameter(_("The mobile number must look like 0086-13XXXXXXXXX (China only)."))
        remaining = _mobile_remaining(normalize_mobile(value))
        result["mobile_remain_available_num"] = remaining
        used = remaining == 0
    elif search_type == "email":
        if not _EMAIL_RE.match(value):
            raise _parameter(_("The e-mail address is not valid."))
        used = Customer.objects.filter(email__iexact=value).exists() or User.objects.filter(email__iexact=value).exists()
    else:
        raise _parameter(_("search_type must be email, mobile or name."))
    result["check_result"] = "used_by_user" if used else "available"
    return result


def _hash_code(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def send_registration_code(actor, *, mobile_phone: str, timeout=None, lang="zh-cn", scene=29, customer_id=None) -> None:
    """发送验证码: an SMS code for registering a customer with this mobile number. Timeout in minutes:
    absent means 10, over 60 means 5. At most one code a minute per number."""
    _require(actor, "customers.manage")
    mobile = normalize_mobile(mobile_phone)
    if timeout is not None and timeout < 1:
        raise _parameter(_("timeout must be a positive number of minutes."))
    minutes = 10 if timeout is None else (5 if timeout > 60 else timeout)
    if lang not in ("zh-cn", "en-us"):
        raise _parameter(_("lang must be zh-cn or en-us."))
    if scene not in (18, 29):
        raise _parameter(_("scene must be 29 (registration) or 18 (bank-card real-name verification)."))
    if scene == 18 and (not customer_id or selectors.customer_for(actor, customer_id) is None):
        raise DomainError(Codes.NOT_FOUND, _("customer_id is required for scene 18 and must be your customer."))
    _send_code(actor, actor.partner, mobile=mobile, minutes=minutes, lang=lang, scene=scene)


def send_registration_code_for(partner, *, actor, mobile_phone: str, lang="zh-cn", action="customer.send_code",
                               detail=None) -> None:
    """The registration code for a customer who registers himself for `partner` (through the partner's
    invitation link; no partner member acts): the rules of send_registration_code (10 minutes, one code a
    minute per number), the code filed under `partner`, the log row in the partner's 操作记录 under `action`.
    The caller decides that the registration is allowed and throttles the anonymous caller."""
    mobile = normalize_mobile(mobile_phone)
    if lang not in ("zh-cn", "en-us"):
        raise _parameter(_("lang must be zh-cn or en-us."))
    _send_code(actor, partner, mobile=mobile, minutes=10, lang=lang, scene=29, action=action, detail=detail)


def code_sent_recently(mobile_phone: str) -> bool:
    """Whether a code went to this number less than a minute ago (send would refuse CODE_TOO_FREQUENT)."""
    mobile = normalize_mobile(mobile_phone)
    return RegistrationCode.objects.filter(
        mobile_phone=mobile, created_at__gt=timezone.now() - CODE_RESEND_INTERVAL).exists()


def _send_code(actor, partner, *, mobile, minutes, lang, scene, action="customer.send_code", detail=None) -> None:
    code = f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
    with operation(actor, action, partner=partner,
                   detail={**(detail or {}), "mobile": f"{mobile[:3]}****{mobile[-4:]}"}):
        last = RegistrationCode.objects.select_for_update().filter(mobile_phone=mobile).order_by("-created_at").first()
        if last is not None and timezone.now() - last.created_at < CODE_RESEND_INTERVAL:
            raise DomainError(CustomerCodes.CODE_TOO_FREQUENT)
        RegistrationCode.objects.create(
            mobile_phone=mobile, code_hash=_hash_code(code), scene=scene, partner=partner,
            expires_at=timezone.now() + timedelta(minutes=minutes),
        )
        with translation.override("en" if lang == "en-us" else "zh-hans"):
            text = _("Your Huawei Cloud verification code is %(code)s, valid for %(minutes)d minutes.") % {
                "code": code, "minutes": minutes,
            }
        transaction.on_commit(lambda: sms.send_sms(mobile, text))


def _matching_code(mobile: str, code: str) -> RegistrationCode:
    """The newest live code for this number when `code` matches it, without using it up; a wrong try counts,
    and five kill the code. Runs outside the registration's transaction, so a wrong try is remembered."""
    now = timezone.now()
    record = RegistrationCode.objects.filter(mobile_phone=mobile, scene=29, used_at__isnull=True,
                                             expires_at__gt=now).order_by("-created_at").first()
    if record is None or record.attempts >= CODE_MAX_ATTEMPTS:
        raise DomainError(CustomerCodes.CODE_INVALID)
    if not secrets.compare_digest(record.code_hash, _hash_code(code or "")):
        _count_attempt(record)
        raise DomainError(CustomerCodes.CODE_INVALID)
    return record


def _count_attempt(record: RegistrationCode) -> None:
    RegistrationCode.objects.filter(pk=record.pk).update(attempts=F("attempts") + 1)


def _use_code(record: RegistrationCode) -> None:
    """Use a matching code once (a concurrent registration, expiry or the fifth wrong try may have taken it)."""
    if not RegistrationCode.objects.filter(pk=record.pk, used_at__isnull=True, expires_at__gt=timezone.now(),
                                           attempts__lt=CODE_MAX_ATTEMPTS).update(used_at=timezone.now()):
        raise DomainError(CustomerCodes.CODE_INVALID)


def _consume_code(mobile: str, code: str) -> None:
    """Use the newest live code for this number once; wrong tries count, and five kill the code.
    Runs in its own transaction, before the registration's, so a wrong try is remembered."""
    _use_code(_matching_code(mobile, code))


def _random_domain_name() -> str:
    alphabet = string.ascii_lowercase + string.digits
    return secrets.choice(string.ascii_lowercase) + "".join(secrets.choice(alphabet) for _i in range(31))


def create_customer(actor, *, xaccount_id: str, xaccount_type: str, domain_name: str = "", mobile_phone: str = "",
                    verification_code: str = "", password=None, email: str = "", real_name: str = "",
                    cooperation_type=None, indirect_partner_id=None, is_close_market_ms=False) -> Customer:
    """创建客户: a cloud account for a customer of the partner's sales platform, associated with the
    partner — or, when a distributor names one, with its cloud reseller — as resale (代售), or as
    referral (顾问销售) when cooperation_type is "1"."""
    _require(actor, "customers.manage")
    partner = book_owner(actor, indirect_partner_id)
    if partner is None:
        raise DomainError(Codes.NOT_FOUND, _("The cloud reseller does not exist."))
    xaccount_id, xaccount_type = (xaccount_id or "").strip(), (xaccount_type or "").strip()
    if not xaccount_id or not xaccount_type:
        raise _parameter(_("xaccount_id and xaccount_type are required."))
    existing = Customer.objects.filter(xaccount_type=xaccount_type, xaccount_id=xaccount_id).first()
    if existing is not None:
        mine = existing.associations.filter(partner=partner).exists() or existing.created_by_partner_id == partner.pk
        raise DomainError(CustomerCodes.XACCOUNT_BOUND,
                          extra={"domain_id": existing.domain_id, "domain_name": existing.domain_name} if mine else None)
    domain_name = (domain_name or "").strip() or _random_domain_name()
    domain_name, mobile, email = _check_new_account(
        domain_name=domain_name, mobile_phone=mobile_phone, password=password, email=email,
        verification_code=verification_code)
    association_type = AssociationType.REFERRAL if str(cooperation_type or "") == "1" else AssociationType.RESALE
    return _create_account(
        actor, partner, association_type=association_type, domain_name=domain_name, mobile=mobile, email=email,
        password=password, real_name=real_name, xaccount_id=xaccount_id, xaccount_type=xaccount_type,
        action="customer.create", detail={"xaccount_id": xaccount_id, "partner": partner.account_name},
        initiator=EventInitiator.PARTNER)


def register_customer_for(partner, *, actor, association_type: str, domain_name: str, password: str,
                          mobile_phone: str, verification_code: str, email: str = "", action: str = "customer.create",
                          detail=None, within=None, target=None) -> Customer:
    """A customer registering himself for `partner` (through the partner's invitation link; no partner member
    acts): create_customer's account rules (name, password, e-mail, mobile with its SMS code, accounts per
    mobile), associated with `partner` as `association_type` (initiated by the customer). `within(customer)`
    runs inside the registration's transaction, before it commits: it may re-check what allowed the
    registration and raise a DomainError, which rolls everything back. The log row goes to the partner's
    操作记录 under `action`, naming `target` (e.g. the invitation link) until the customer exists and is kept.

    Unlike create_customer (a partner, who may ask 校验客户注册信息 anyway), the caller here is anonymous: the
    SMS code is checked first (without using it up), so only the holder of a live code for the mobile number
    learns whether the account name or e-mail is taken or the number holds its 5 accounts; each such refusal
    counts as a try on the code (five end it), so one code cannot probe names at will. The code is used up
    last, when every rule passed. The caller throttles the anonymous caller."""
    if association_type not in AssociationType.values:
        raise _parameter(_("Choose referral or resale."))
    if not (domain_name or "").strip():
        raise _parameter(_("The account name is required."))
    if not password:
        raise _parameter(_("The password is required."))
    if not (mobile_phone or "").strip():
        raise _parameter(_("The mobile number is required."))
    domain_name, mobile, email = _check_self_registration(
        domain_name=domain_name.strip(), mobile_phone=mobile_phone, password=password, email=email,
        verification_code=verification_code)
    return _create_account(
        actor, partner, association_type=association_type, domain_name=domain_name, mobile=mobile, email=email,
        password=password, real_name="", xaccount_id="", xaccount_type="", action=action, detail=detail or {},
        initiator=EventInitiator.CUSTOMER, within=within, log_partner=partner, target=target)


def _check_email_syntax(email: str) -> str:
    email = (email or "").strip()
    if email and len(email) > MAX_EMAIL_LENGTH:
        raise _parameter(_("The e-mail address is at most %(max)d characters.") % {"max": MAX_EMAIL_LENGTH})
    if email and not _EMAIL_RE.match(email):
        raise DomainError(Codes.PARAMETER)
    return email


def _check_self_registration(*, domain_name, mobile_phone, password, email, verification_code):
    """register_customer_for's order: the rules that reveal nothing (syntax), then the SMS code (not used up),
    then the rules that tell whether something exists (each refusal a try on the code), then the code is used
    up. Returns the clean (domain_name, mobile, email)."""
    validate_domain_name(domain_name)
    mobile = normalize_mobile(mobile_phone)
    validate_password(password, domain_name=domain_name, mobile_phone=mobile)
    email = _check_email_syntax(email)
    if not verification_code:
        raise DomainError(CustomerCodes.CODE_INVALID, _("A verification code is required with a mobile number."))
    record = _matching_code(mobile, verification_code)
    refusal = None
    if _name_taken(domain_name):
        refusal = DomainError(CustomerCodes.NAME_IN_USE)
    elif email and Customer.objects.filter(email__iexact=email).exists():
        refusal = DomainError(CustomerCodes.EMAIL_IN_USE)
    elif _mobile_remaining(mobile) == 0:
        refusal = DomainError(CustomerCodes.MOBILE_EXHAUSTED)
    if refusal is not None:
        _count_attempt(record)
        raise refusal
    _use_code(record)
    return domain_name, mobile, email


def _check_new_account(*, domain_name, mobile_phone, password, email, verification_code):
    """The rules of a new account, in create_customer's order; consumes the SMS code last (in its own
    transaction, so a wrong try is remembered). Returns the clean (domain_name, mobile, email)."""
    validate_domain_name(domain_name)
    if _name_taken(domain_name):
        raise DomainError(CustomerCodes.NAME_IN_USE)
    mobile = normalize_mobile(mobile_phone) if mobile_phone else ""
    if password is not None:
        validate_password(password, domain_name=domain_name, mobile_phone=mobile)
    email = (email or "").strip()
    if len(email) > MAX_EMAIL_LENGTH:  # a parameter error, before anything is written (pc_user.email)
        raise _parameter(_("The e-mail address is at most %(max)d characters.") % {"max": MAX_EMAIL_LENGTH})
    if email and (not _EMAIL_RE.match(email) or Customer.objects.filter(email__iexact=email).exists()):
        raise DomainError(CustomerCodes.EMAIL_IN_USE if _EMAIL_RE.match(email) else Codes.PARAMETER)
    if mobile:
        if _mobile_remaining(mobile) == 0:
            raise DomainError(CustomerCodes.MOBILE_EXHAUSTED)
        if not verification_code:
            raise DomainError(CustomerCodes.CODE_INVALID, _("A verification code is required with a mobile number."))
        _consume_code(mobile, verification_code)
    return domain_name, mobile, email


def _create_account(actor, partner, *, association_type, domain_name, mobile, email, password, real_name,
                    xaccount_id, xaccount_type, action, detail, initiator, within=None, log_partner=None,
                    target=None) -> Customer:
    # The log row: the acting partner's (a distributor registering for its reseller logs it as its own), or
    # `log_partner`'s when no partner acts. It names the customer only once `within` accepted it: a refusal's
    # row names `target` (or nothing), not a customer the rollback removes.
    with operation(actor, action, detail=detail, partner=log_partner, target=target) as entry:
        try:
            customer = Customer.objects.create(
                domain_name=domain_name, real_name=(real_name or "").strip(), mobile_phone=mobile, email=email,
                xaccount_id=xaccount_id, xaccount_type=xaccount_type, created_by_partner=partner,
            )
            user = User(username=domain_name, email=email)
            if password is None:
                user.set_unusable_password()
            else:
                user.set_password(password)
            user.save()
        except IntegrityError as exc:  # a concurrent registration took the name or the platform account
            raise DomainError(CustomerCodes.NAME_IN_USE) from exc
        CustomerUser.objects.create(user=user, customer=customer, is_owner=True)
        association = Association.objects.create(partner=partner, customer=customer, association_type=association_type)
        AssociationEvent.objects.create(
            partner=partner, customer=customer, association=association, kind=EventKind.ASSOCIATE,
            initiator=initiator, status=EventStatus.COMPLETED, to_type=association_type,
            requested_by=actor.user if getattr(actor.user, "pk", None) else None, decided_at=timezone.now(),
        )
        _announce("customer.associated", actor=actor, association=association,
                  data=_customer_data(customer, association_type=association_type))
        if within is not None:
            within(customer)
        entry.target = customer
    return customer
