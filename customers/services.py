"""Every write of the customers domain: registration, account managers, association events,
delegated operations (代客运维, which also lets the partner order on the customer's behalf: 代客下单).

Each runs inside `partnercenter.oplog.operation()` (verification code where the operation is
sensitive, one transaction, the operation log). Customers are looked up through selectors, so
another partner's customer — or one outside an account manager's team — is "not found".
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

from events import outbox
from partnercenter import sms
from partnercenter.api.fields import wire_time
from partnercenter.errors import Codes, DomainError
from partnercenter.models import User
from partnercenter.oplog import operation
from partnercenter.selectors import account_managers_for, book_owner

from . import locks, selectors
from .choices import AssociationType, EventInitiator, EventKind, EventStatus, FailCheckItem, OpsStatus
from .errors import CustomerCodes
from .models import Association, AssociationEvent, Customer, CustomerUser, OpsAuthorization, RegistrationCode
from .signals import association_ended

__all__ = [
    "ACCOUNTS_PER_MOBILE", "normalize_mobile", "validate_domain_name", "validate_password", "check_identity",
    "send_registration_code", "create_customer", "assign_account_manager",
    "request_disassociation", "request_type_switch", "customer_request_disassociation", "decide_event",
    "cancel_event", "request_ops_authorization", "decide_ops_authorization", "revoke_ops_authorization",
    "record_reveal", "is_resale", "ordering_authorization",
]

ACCOUNTS_PER_MOBILE = getattr(settings, "CUSTOMER_ACCOUNTS_PER_MOBILE", 5)
CODE_DIGITS = 8  # 10**8 ≈ 2**26.6: over the 20 bits of entropy promised for SMS codes
CODE_MAX_ATTEMPTS = 5
CODE_RESEND_INTERVAL = timedelta(seconds=60)
OPS_VALIDITY = timedelta(days=30)

_MOBILE_RE = re.compile(r"^1\d{10}$")
_IDENTITY_MOBILE_RE = re.compile(r"^\d{4}-\d+$")
_DOMAIN_NAME_RE = re.compile(r"^[a-zA-Z_-][a-zA-Z0-9_-]*$")
_LOGIN_NAME_RE = re.compile(r"^([a-zA-Z-]([a-zA-Z0-9_-]){4,31})$")
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _require(actor, permission: str):
    if not actor.is_partner or not actor.has_perm(permission):
        raise DomainError(Codes.FORBIDDEN)


def _parameter(message) -> DomainError:
    return DomainError(Codes.PARAMETER, message)


# ---------------------------------------------------------------------------------------------
# Events (events.outbox, customers/event_types.py): recorded inside the change's transaction
# ---------------------------------------------------------------------------------------------

def _customer_data(customer, **extra) -> dict:
    return {"customer_id": customer.domain_id, "account_name": customer.domain_name, **extra}


def _announce(type_code, *, actor, association, data) -> None:
    """An event about a customer in `association.partner`'s book, told to whoever there may see the
    customer (its account manager's team). When a distributor acted in its cloud reseller's book, the
    distributor hears it too, as the reseller's (`indirect_partner_id`, no account manager of its own)."""
    events = [{"type_code": type_code, "partner": association.partner, "customer": association.customer,
               "account_manager": association.account_manager, "actor": actor, "data": data}]
    acting = actor.partner if actor.is_partner else None
    if acting is not None and acting.pk != association.partner_id:
        events.append({"type_code": type_code, "partner": acting, "customer": association.customer,
                       "account_manager": None, "actor": actor,
                       "data": {**data, "indirect_partner_id": association.partner.domain_id}})
    outbox.record_many(events)


def _request_data(event, **extra) -> dict:
    """An association request as its events carry it: `from`/`to` association types for a switch."""
    data = _customer_data(event.customer, request_id=str(event.pk), kind=event.kind, initiator=event.initiator,
                          association_type=event.from_type or "", **extra)
    if event.to_type:
        data["to_association_type"] = event.to_type
    return data


# ---------------------------------------------------------------------------------------------
# Registration rules (注册客户)
# ---------------------------------------------------------------------------------------------

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
    code = f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
    with operation(actor, "customer.send_code", detail={"mobile": f"{mobile[:3]}****{mobile[-4:]}"}):
        last = RegistrationCode.objects.select_for_update().filter(mobile_phone=mobile).order_by("-created_at").first()
        if last is not None and timezone.now() - last.created_at < CODE_RESEND_INTERVAL:
            raise DomainError(CustomerCodes.CODE_TOO_FREQUENT)
        RegistrationCode.objects.create(
            mobile_phone=mobile, code_hash=_hash_code(code), scene=scene, partner=actor.partner,
            expires_at=timezone.now() + timedelta(minutes=minutes),
        )
        with translation.override("en" if lang == "en-us" else "zh-hans"):
            text = _("Your Huawei Cloud verification code is %(code)s, valid for %(minutes)d minutes.") % {
                "code": code, "minutes": minutes,
            }
        transaction.on_commit(lambda: sms.send_sms(mobile, text))


def _consume_code(mobile: str, code: str) -> None:
    """Use the newest live code for this number once; wrong tries count, and five kill the code.
    Runs in its own transaction, before the registration's, so a wrong try is remembered."""
    now = timezone.now()
    record = RegistrationCode.objects.filter(mobile_phone=mobile, scene=29, used_at__isnull=True,
                                             expires_at__gt=now).order_by("-created_at").first()
    if record is None or record.attempts >= CODE_MAX_ATTEMPTS:
        raise DomainError(CustomerCodes.CODE_INVALID)
    if not secrets.compare_digest(record.code_hash, _hash_code(code or "")):
        RegistrationCode.objects.filter(pk=record.pk).update(attempts=F("attempts") + 1)
        raise DomainError(CustomerCodes.CODE_INVALID)
    if not RegistrationCode.objects.filter(pk=record.pk, used_at__isnull=True).update(used_at=now):
        raise DomainError(CustomerCodes.CODE_INVALID)  # a concurrent registration took it


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
    validate_domain_name(domain_name)
    if _name_taken(domain_name):
        raise DomainError(CustomerCodes.NAME_IN_USE)
    mobile = normalize_mobile(mobile_phone) if mobile_phone else ""
    if password is not None:
        validate_password(password, domain_name=domain_name, mobile_phone=mobile)
    email = (email or "").strip()
    if email and (not _EMAIL_RE.match(email) or Customer.objects.filter(email__iexact=email).exists()):
        raise DomainError(CustomerCodes.EMAIL_IN_USE if _EMAIL_RE.match(email) else Codes.PARAMETER)
    if mobile:
        if _mobile_remaining(mobile) == 0:
            raise DomainError(CustomerCodes.MOBILE_EXHAUSTED)
        if not verification_code:
            raise DomainError(CustomerCodes.CODE_INVALID, _("A verification code is required with a mobile number."))
        _consume_code(mobile, verification_code)

    association_type = AssociationType.REFERRAL if str(cooperation_type or "") == "1" else AssociationType.RESALE
    with operation(actor, "customer.create", detail={"xaccount_id": xaccount_id, "partner": partner.account_name}) as entry:
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
            initiator=EventInitiator.PARTNER, status=EventStatus.COMPLETED, to_type=association_type,
            requested_by=actor.user, decided_at=timezone.now(),
        )
        _announce("customer.associated", actor=actor, association=association,
                  data=_customer_data(customer, association_type=association_type))
        entry.target = customer
    return customer


# ---------------------------------------------------------------------------------------------
# Account managers (分配客户经理)
# ---------------------------------------------------------------------------------------------

def _customer(actor, customer_id) -> Customer:
    customer = selectors.customer_for(actor, customer_id)
    if customer is None:
        raise DomainError(Codes.NOT_FOUND)
    return customer


def _member_of_partner(actor, member_id):
    if not member_id:
        return None
    member = account_managers_for(actor).filter(pk=member_id).first()
    if member is None:
        raise DomainError(Codes.NOT_FOUND, _("The member does not exist."))
    return member


def assign_account_manager(actor, *, customer_id: str, member_id=None) -> Association:
    """One account manager per customer (the CBC list returns at most one); None clears it."""
    _require(actor, "customers.assign_manager")
    customer = _customer(actor, customer_id)
    manager = _member_of_partner(actor, member_id)
    association = customer.active_associations[0]
    with operation(actor, "customer.assign_manager", target=customer,
                   detail={"manager": manager.user.username if manager else ""}):
        Association.objects.filter(pk=association.pk).update(account_manager=manager)
        association.account_manager = manager
    return association


# ---------------------------------------------------------------------------------------------
# Association events (解除关联, 切换关联类型, 关联关系操作记录)
# ---------------------------------------------------------------------------------------------

def is_resale(association) -> bool:
    """Resale (代售): the partner pays the cloud for the customer, so only a resale customer holds funds
    the partner allocated and may let the partner operate its account. The one place this is decided."""
    return association is not None and association.ended_on is None and association.is_resale


def eligibility_failures(customer, checks) -> list[str]:
    """The failCheckItems this customer fails among `checks`."""
    facts = {
        FailCheckItem.IS_DEBT: customer.in_debt,
        FailCheckItem.IS_CREDIT_ACCOUNT: customer.has_credit_debt,
        FailCheckItem.IS_ORG_ACCOUNT: customer.is_org_account,
        FailCheckItem.MEM_OF_ORG: customer.is_org_member,
    }
    return [str(item) for item in checks if facts[item]]


# What each request must pass. A customer in arrears can be neither let go nor moved (the partner
# settles first); only a standalone account can become resale.
DISASSOCIATION_CHECKS = (FailCheckItem.IS_DEBT, FailCheckItem.IS_CREDIT_ACCOUNT)
SWITCH_CHECKS = {
    AssociationType.RESALE: (FailCheckItem.IS_DEBT, FailCheckItem.IS_CREDIT_ACCOUNT, FailCheckItem.IS_ORG_ACCOUNT,
                             FailCheckItem.MEM_OF_ORG),
    AssociationType.REFERRAL: (FailCheckItem.IS_DEBT, FailCheckItem.IS_CREDIT_ACCOUNT),
}


def _ensure_eligible(customer, checks):
    failed = eligibility_failures(customer, checks)
    if failed:
        labels = " ".join(str(FailCheckItem(item).label) for item in failed)
        raise DomainError(CustomerCodes.NOT_ELIGIBLE,
                          _("The customer does not pass the eligibility checks: %(items)s") % {"items": labels},
                          extra={"fail_check_items": failed})


def _open_event(actor, *, association, kind, initiator, reason, to_type="") -> AssociationEvent:
    if AssociationEvent.objects.filter(association=association, status=EventStatus.PENDING).exists():
        raise DomainError(CustomerCodes.REQUEST_PENDING)
    try:
        with transaction.atomic():
            return AssociationEvent.objects.create(
                partner=association.partner, customer=association.customer, association=association, kind=kind,
                initiator=initiator, status=EventStatus.PENDING, from_type=association.association_type,
                to_type=to_type, reason=reason, requested_by=actor.user,
            )
    except IntegrityError as exc:  # the unique "one pending per association" constraint: a concurrent request
        raise DomainError(CustomerCodes.REQUEST_PENDING) from exc


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise _parameter(_("Please give a reason."))
    return reason[:500]


def request_disassociation(actor, *, customer_id: str, reason: str, verification_code=None) -> AssociationEvent:
    """The partner asks to end the association; the customer approves or rejects it in the fee center."""
    _require(actor, "customers.manage")
    customer = _customer(actor, customer_id)
    reason = _reason(reason)
    association = customer.active_associations[0]
    with operation(actor, "association.request_disassociation", target=customer,
                   verification_code=verification_code) as entry:
        _ensure_eligible(customer, DISASSOCIATION_CHECKS)
        event = _open_event(actor, association=association, kind=EventKind.DISASSOCIATE,
                            initiator=EventInitiator.PARTNER, reason=reason)
        _announce("association.request_made", actor=actor, association=association,
                  data=_request_data(event, reason=reason))
        entry.detail = {"event": event.pk}
    return event


def request_type_switch(actor, *, customer_id: str, reason: str, verification_code=None) -> AssociationEvent:
    """The partner asks to switch referral ↔ resale; the customer consents in the fee center."""
    _require(actor, "customers.manage")
    customer = _customer(actor, customer_id)
    reason = _reason(reason)
    association = customer.active_associations[0]
    to_type = AssociationType.REFERRAL if association.association_type == AssociationType.RESALE else AssociationType.RESALE
    with operation(actor, "association.request_type_switch", target=customer,
                   verification_code=verification_code) as entry:
        _ensure_eligible(customer, SWITCH_CHECKS[to_type])
        event = _open_event(actor, association=association, kind=EventKind.TYPE_SWITCH,
                            initiator=EventInitiator.PARTNER, reason=reason, to_type=to_type)
        _announce("association.request_made", actor=actor, association=association,
                  data=_request_data(event, reason=reason))
        entry.detail = {"event": event.pk, "to_type": to_type}
    return event


def customer_request_disassociation(actor, *, reason: str) -> AssociationEvent:
    """The customer asks to leave its partner; the partner approves (同意) or rejects (驳回)."""
    if not actor.is_customer:
        raise DomainError(Codes.FORBIDDEN)
    reason = _reason(reason)
    association = Association.objects.filter(customer=actor.customer, ended_on__isnull=True).select_related(
        "partner", "customer", "account_manager").first()
    if association is None:
        raise DomainError(Codes.NOT_FOUND, _("You are not associated with a partner."))
    with operation(actor, "association.request_disassociation", target=association.customer) as entry:
        event = _open_event(actor, association=association, kind=EventKind.DISASSOCIATE,
                            initiator=EventInitiator.CUSTOMER, reason=reason)
        _announce("association.request_made", actor=actor, association=association,
                  data=_request_data(event, reason=reason))
        entry.detail = {"event": event.pk, "partner": association.partner.account_name}
    return event


def _decider_side(event) -> str:
    return EventInitiator.CUSTOMER if event.initiator == EventInitiator.PARTNER else EventInitiator.PARTNER


def decide_event(actor, *, event_id, approve: bool, note: str = "", verification_code=None) -> AssociationEvent:
    """The other side answers a pending request. Approving a disassociation ends the association;
    approving a type switch ends it and opens one of the new type (history keeps both). Either
    way `association_ended` is sent inside the transaction, so funds and coupons follow."""
    event = selectors.events_for(actor).filter(pk=event_id).select_related(
        "association__account_manager", "customer", "partner").first()
    if event is None:
        raise DomainError(Codes.NOT_FOUND)
    side = EventInitiator.CUSTOMER if actor.is_customer else EventInitiator.PARTNER
    if side == EventInitiator.PARTNER:
        _require(actor, "customers.manage")
    if not event.is_pending or _decider_side(event) != side:
        raise DomainError(CustomerCodes.NOTHING_TO_DECIDE)
    sensitive = {"verification_code": verification_code} if side == EventInitiator.PARTNER else {}
    action = "association.approve" if approve else "association.reject"
    with operation(actor, action, target=event.customer, detail={"event": event.pk, "kind": event.kind},
                   **sensitive):
        now = timezone.now()
        status = EventStatus.APPROVED if approve else EventStatus.REJECTED
        moved = AssociationEvent.objects.filter(pk=event.pk, status=EventStatus.PENDING).update(
            status=status, decided_by=actor.user, decided_at=now, decision_note=(note or "").strip()[:500])
        if not moved:
            raise DomainError(CustomerCodes.NOTHING_TO_DECIDE)
        _announce("association.request_decided", actor=actor, association=_as_of_event(event),
                  data=_request_data(event, decision=status, decided_by=side))
        if approve:
            _apply(actor, event, now)
    event.refresh_from_db()
    return event


def _as_of_event(event):
    """The event's association with its partner and customer as already read (no second read)."""
    association = event.association
    association.partner, association.customer = event.partner, event.customer
    return association


def _apply(actor, event, now):
    # The association's lock is held until the funds and coupons are reclaimed (customers/locks.py).
    association = locks.lock_association(event.association_id)
    if association.ended_on is not None:
        raise DomainError(CustomerCodes.NOTHING_TO_DECIDE)
    if event.kind == EventKind.TYPE_SWITCH:
        _ensure_eligible(event.customer, SWITCH_CHECKS[event.to_type])
    association.ended_on = now
    association.save(update_fields=["ended_on"])
    association.partner, association.customer = event.partner, event.customer
    open_ops = OpsAuthorization.objects.filter(partner=association.partner, customer=association.customer,
                                               status__in=[OpsStatus.PENDING, OpsStatus.AUTHORIZED])
    revoked = list(open_ops.values_list("pk", flat=True))
    if revoked:
        OpsAuthorization.objects.filter(pk__in=revoked).update(status=OpsStatus.REVOKED, decided_at=now)
    cause = "type_switch" if event.kind == EventKind.TYPE_SWITCH else "disassociation"
    customer = event.customer
    if event.kind == EventKind.TYPE_SWITCH:
        Association.objects.create(
            partner=association.partner, customer=association.customer, association_type=event.to_type,
            associated_on=now, label=association.label, account_manager=association.account_manager,
        )
        _announce("customer.type_switched", actor=actor, association=association, data=_customer_data(
            customer, association_type=event.to_type, from_association_type=association.association_type))
    else:
        _announce("customer.disassociated", actor=actor, association=association,
                  data=_customer_data(customer, association_type=association.association_type))
    for authorization_id in revoked:
        _announce("ops.authorization_revoked", actor=actor, association=association,
                  data=_customer_data(customer, authorization_id=str(authorization_id), cause=cause))
    association_ended.send(sender=Association, association=association, cause=cause, actor=actor)


def cancel_event(actor, *, event_id) -> AssociationEvent:
    """The side that asked withdraws its pending request."""
    event = selectors.events_for(actor).filter(pk=event_id).select_related(
        "association__account_manager", "customer", "partner").first()
    if event is None:
        raise DomainError(Codes.NOT_FOUND)
    side = EventInitiator.CUSTOMER if actor.is_customer else EventInitiator.PARTNER
    if side == EventInitiator.PARTNER:
        _require(actor, "customers.manage")
    if not event.is_pending or event.initiator != side:
        raise DomainError(CustomerCodes.NOTHING_TO_DECIDE)
    with operation(actor, "association.cancel", target=event.customer, detail={"event": event.pk}):
        if not AssociationEvent.objects.filter(pk=event.pk, status=EventStatus.PENDING).update(
                status=EventStatus.CANCELLED, decided_by=actor.user, decided_at=timezone.now()):
            raise DomainError(CustomerCodes.NOTHING_TO_DECIDE)
        _announce("association.request_cancelled", actor=actor, association=_as_of_event(event),
                  data=_request_data(event, cancelled_by=side))
    event.refresh_from_db()
    return event


# ---------------------------------------------------------------------------------------------
# Delegated operations (代客运维)
# ---------------------------------------------------------------------------------------------

def ordering_authorization(association, *, now=None) -> OpsAuthorization | None:
    """代客下单: the delegated-operations authorization that lets `association.partner` place orders for the
    customer now — granted (authorized), not past its `valid_until`, on an association that is still active
    and resale (a disassociation or a switch to referral revokes it). None when there is none. Callers
    (trade) ask again after locking the association (customers/locks.py), so an order never outlives the
    grant it was placed under."""
    if not is_resale(association):
        return None
    return OpsAuthorization.objects.filter(
        partner_id=association.partner_id, customer_id=association.customer_id, status=OpsStatus.AUTHORIZED,
        valid_until__gt=now or timezone.now()).order_by("-valid_until").first()


def request_ops_authorization(actor, *, customer_id: str, reason: str, verification_code=None) -> OpsAuthorization:
    _require(actor, "customers.manage")
    customer = _customer(actor, customer_id)
    association = customer.active_associations[0]
    if not is_resale(association):
        raise DomainError(CustomerCodes.NOT_RESALE)
    reason = _reason(reason)
    with operation(actor, "ops.request", target=customer, verification_code=verification_code):
        # Again under the lock: a disassociation that committed meanwhile revoked what was open, and
        # must not be followed by a request it never saw.
        association = locks.lock_current_association(association)
        if association is None:
            raise DomainError(Codes.NOT_FOUND)
        if not is_resale(association):
            raise DomainError(CustomerCodes.NOT_RESALE)
        if OpsAuthorization.objects.filter(partner=association.partner, customer=customer,
                                           status__in=[OpsStatus.PENDING, OpsStatus.AUTHORIZED]).exists():
            raise DomainError(CustomerCodes.REQUEST_PENDING)
        try:
            with transaction.atomic():
                authorization = OpsAuthorization.objects.create(partner=association.partner, customer=customer,
                                                                reason=reason, requested_by=actor.user)
        except IntegrityError as exc:
            raise DomainError(CustomerCodes.REQUEST_PENDING) from exc
        association.customer = customer
        _announce("ops.authorization_requested", actor=actor, association=association,
                  data=_customer_data(customer, authorization_id=str(authorization.pk), reason=reason))
    return authorization


def decide_ops_authorization(actor, *, authorization_id, agree: bool) -> OpsAuthorization:
    """The customer agrees to a pending request, or cancels a pending or granted one."""
    if not actor.is_customer:
        raise DomainError(Codes.FORBIDDEN)
    authorization = selectors.ops_authorizations_for(actor).filter(pk=authorization_id).first()
    if authorization is None:
        raise DomainError(Codes.NOT_FOUND)
    allowed_from = [OpsStatus.PENDING] if agree else [OpsStatus.PENDING, OpsStatus.AUTHORIZED]
    now = timezone.now()
    changes = {"status": OpsStatus.AUTHORIZED, "valid_until": now + OPS_VALIDITY} if agree else {"status": OpsStatus.CANCELLED}
    with operation(actor, "ops.authorize" if agree else "ops.cancel", target=authorization.customer):
        if not OpsAuthorization.objects.filter(pk=authorization.pk, status__in=allowed_from).update(
                decided_by=actor.user, decided_at=now, **changes):
            raise DomainError(CustomerCodes.NOTHING_TO_DECIDE)
        data = _customer_data(authorization.customer, authorization_id=str(authorization.pk),
                              decision=changes["status"])
        if agree:
            data["valid_until"] = wire_time(changes["valid_until"])
        _announce_ops(actor, authorization, "ops.authorization_decided", data)
    authorization.refresh_from_db()
    return authorization


def revoke_ops_authorization(actor, *, authorization_id) -> OpsAuthorization:
    """The partner withdraws its request or gives up a granted authorization."""
    _require(actor, "customers.manage")
    authorization = selectors.ops_authorizations_for(actor).filter(pk=authorization_id).first()
    if authorization is None:
        raise DomainError(Codes.NOT_FOUND)
    with operation(actor, "ops.revoke", target=authorization.customer):
        if not OpsAuthorization.objects.filter(
                pk=authorization.pk, status__in=[OpsStatus.PENDING, OpsStatus.AUTHORIZED]).update(
                status=OpsStatus.REVOKED, decided_at=timezone.now()):
            raise DomainError(CustomerCodes.NOTHING_TO_DECIDE)
        _announce_ops(actor, authorization, "ops.authorization_revoked", _customer_data(
            authorization.customer, authorization_id=str(authorization.pk), cause="revoked"))
    authorization.refresh_from_db()
    return authorization


def _announce_ops(actor, authorization, type_code, data) -> None:
    """An event of a delegated-operations authorization, scoped by the customer's current account manager
    with this partner (none once the association ended)."""
    pair = {"partner_id": authorization.partner_id, "customer_id": authorization.customer_id}
    association = (Association.objects.filter(**pair, ended_on__isnull=True).select_related("account_manager").first()
                   or Association(**pair))
    association.partner, association.customer = authorization.partner, authorization.customer
    _announce(type_code, actor=actor, association=association, data=data)


# ---------------------------------------------------------------------------------------------
# Reading sensitive data leaves a trace
# ---------------------------------------------------------------------------------------------

def record_reveal(actor, *, customers, fields=()) -> None:
    """Showing unmasked names, accounts, mobile numbers or e-mails is logged (who looked at which fields of
    whose details), on whichever page the eye was clicked."""
    detail = {"customers": [c.domain_id for c in customers][:100]}
    if fields:
        detail["fields"] = sorted(fields)
    with operation(actor, "customer.reveal", detail=detail):
        pass

