"""成为云经销商: a customer account asks a distributor to make it a cloud reseller; the distributor accepts.

Conditions (Huawei's list, checked live against the account by programs.eligibility.reseller_refusals):
no unclosed resources; no arrears and no cash balance; no amount that can still be invoiced; no postpaid;
no special contract (offline direct contract, telesales discount contract, direct special price); not a
referral or resale customer of a tier-1 distributor. Unused coupons, discounts and stored-value cards
lapse once the account is a reseller ("若账号下有未使用完的代金券,折扣券或者储值卡,成为云经销商后将失效不可
使用"): the page shows what the account holds (eligibility.lapsing_benefits) and the owner must tick that it
knows.

- The account owner (a customer user with `is_owner`) submits a request naming the distributor by account
  name or account ID, the company name and the administrator's e-mail. Every reason that applies is
  given at once; one open request per account (the customer row is locked, and a partial unique index
  backs it); the owner may withdraw it while it waits.
- The distributor's members with `resellers.manage` see the requests addressed to them and accept or
  reject (with a reason). Accepting locks the customer row (then the request), checks the conditions
  again, and creates the reseller partner: type reseller under this distributor, the customer's account
  ID and account name, the company name, the distributor's contracting entity, associated now; its
  built-in administrator role; its membership of the 云经销商 programme when operators defined one; and a
  member invitation (partnercenter.services.invite_member, valid 7 days) to the administrator e-mail,
  whose holder sets up the login.
- Lock order: customer, then request, then the customer's billing account, then its unused coupons
  (withdrawing locks only the request by its conditional UPDATE). On acceptance, in the same transaction,
  the unused coupons lapse (vouchers.services.lapse_customer_coupons) and partners' discounts for the
  account end (their rows are deleted; trade has no service ending another partner's discounts).
- An account name already taken by a partner (any case) refuses with `already_partner` before acceptance.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from billing.locks import lock_customer_account
from customers.models import Customer
from events import outbox
from partnercenter import services as core
from partnercenter.actors import Actor, effective_permissions
from partnercenter.choices import ActorKind, PartnerType
from partnercenter.errors import Codes, DomainError
from partnercenter.models import Partner, Role
from partnercenter.oplog import operation
from partnercenter.permissions import ALL_CODES
from trade.models import PartnerDiscount
from vouchers.services import lapse_customer_coupons

from . import event_types_access as event_types
from .choices import MembershipStatus, ProgramKind, ResellerRequestStatus
from .eligibility import RESELLER, lapsing_benefits, reseller_refusals
from .errors_access import AccessCodes
from .models import Membership, Program, ResellerRequest
from .selectors_access import own_reseller_requests, reseller_requests_for

__all__ = ["CONDITIONS", "conditions_of", "lapsing_benefits", "find_distributor", "request_reseller",
           "withdraw_request", "accept_request", "reject_request"]

PERMISSION = "resellers.manage"
LAPSE_REASON = "成为云经销商"  # the coupon records' remark (data, like the other operators' remarks)
ADMIN_ROLE_NAME = "管理员"

# The documented conditions, as the page lists them (met / not met), in Huawei's order.
CONDITIONS = (
    ("unclosed_resources", gettext_lazy("The account has no resources that are not closed.")),
    ("arrears_or_balance", gettext_lazy("The account has no arrears and no balance in its cash account.")),
    ("invoiceable", gettext_lazy("The account has no amount that can still be invoiced.")),
    ("postpaid", gettext_lazy("The account has not enabled postpaid.")),
    ("special_contract", gettext_lazy("The account has not signed a special contract with the cloud (offline direct "
                                      "contract, telesales discount contract, direct special price).")),
    ("distributor_customer", gettext_lazy("The account is not a referral or resale customer of a tier-1 "
                                          "distributor.")),
    ("already_partner", gettext_lazy("The account is not a partner already.")),
)


def _account_codes(customer) -> set[str]:
    """The account's own unmet conditions, before a distributor is chosen."""
    return {r.code for r in reseller_refusals(customer, None)} - {"not_a_distributor"}


def conditions_of(customer, distributor=None) -> list[dict]:
    """Each documented condition with `met` and, when not met, the reason; against `distributor` when one is
    known (then `not_a_distributor` is added when it is not an active distributor)."""
    if distributor is None:
        codes = _account_codes(customer)
    else:
        codes = {r.code for r in reseller_refusals(customer, distributor)}
    rows = [{"code": code, "label": label, "met": code not in codes, "reason": RESELLER[code]}
            for code, label in CONDITIONS]
    if "not_a_distributor" in codes:
        rows.append({"code": "not_a_distributor", "label": gettext_lazy("The chosen partner is an active distributor."),
                     "met": False, "reason": RESELLER["not_a_distributor"]})
    return rows


def find_distributor(reference: str) -> Partner | None:
    """The partner named by account name or account ID (any type: the conditions say when it is no
    distributor)."""
    reference = (reference or "").strip()
    if not reference or len(reference) > 64:
        return None
    return Partner.objects.filter(Q(account_name__iexact=reference) | Q(domain_id=reference.lower())).first()


def _refuse(refusals):
    raise DomainError(AccessCodes.NOT_ELIGIBLE, " ".join(str(r.message) for r in refusals),
                      extra={"reasons": [r.code for r in refusals]}, refusals=refusals)


def _data(request) -> dict:
    return {"request_id": request.pk, "customer_id": request.customer.domain_id,
            "account_name": request.customer.domain_name, "company_name": request.company_name}


# ---------------------------------------------------------------------------------------------
# The customer's side (费用中心)
# ---------------------------------------------------------------------------------------------

def _require_owner(actor):
    if actor.kind != ActorKind.CUSTOMER_USER or not actor.is_customer:
        raise DomainError(Codes.FORBIDDEN)
    customer_user = getattr(actor.user, "customer_user", None)
    if customer_user is None or not customer_user.is_owner:
        raise DomainError(AccessCodes.NOT_OWNER)


def request_reseller(actor, *, distributor: str, company_name: str, contact_email: str,
                     acknowledged: bool) -> ResellerRequest:
    """Ask the named distributor to make the actor's account a cloud reseller."""
    _require_owner(actor)
    company_name, contact_email = (company_name or "").strip(), (contact_email or "").strip().lower()
    if not company_name or len(company_name) > 128:
        raise DomainError(Codes.PARAMETER, _("Give the company name (at most 128 characters)."))
    try:
        validate_email(contact_email)
    except ValidationError as exc:
        raise DomainError(Codes.PARAMETER, _("Give the administrator's e-mail address.")) from exc
    if not acknowledged:
        raise DomainError(AccessCodes.NOT_ACKNOWLEDGED)
    found = find_distributor(distributor)
    with operation(actor, "programs.reseller_request", target=actor.customer,
                   detail={"distributor": (distributor or "").strip()[:64], "company_name": company_name}) as entry:
        customer = Customer.objects.select_for_update(no_key=True).get(pk=actor.customer.pk)
        if ResellerRequest.objects.filter(customer=customer, status=ResellerRequestStatus.APPLYING).exists():
            raise DomainError(AccessCodes.REQUEST_OPEN)
        refusals = reseller_refusals(customer, found)
        if refusals:
            _refuse(refusals)
        try:
            with transaction.atomic():
                request = ResellerRequest.objects.create(
                    customer=customer, distributor=found, company_name=company_name, contact_email=contact_email,
                    lapse_acknowledged=True, requested_by=actor.user)
        except IntegrityError as exc:
            raise DomainError(AccessCodes.REQUEST_OPEN) from exc
        entry.target = request
        entry.detail["distributor"] = found.account_name
        outbox.record(event_types.RESELLER_REQUESTED, partner=found, actor=actor, data=_data(request))
    return request


def withdraw_request(actor, *, request_id) -> ResellerRequest:
    _require_owner(actor)
    request = own_reseller_requests(actor).filter(pk=request_id).first()
    if request is None:
        raise DomainError(Codes.NOT_FOUND)
    with operation(actor, "programs.reseller_withdraw", target=request):
        moved = ResellerRequest.objects.filter(pk=request.pk, status=ResellerRequestStatus.APPLYING).update(
            status=ResellerRequestStatus.WITHDRAWN, decided_at=timezone.now(), decided_by=actor.user)
        if moved != 1:
            raise DomainError(AccessCodes.REQUEST_DECIDED)
        outbox.record(event_types.RESELLER_WITHDRAWN, partner=request.distributor, actor=actor, data=_data(request))
    request.status = ResellerRequestStatus.WITHDRAWN
    return request


# ---------------------------------------------------------------------------------------------
# The distributor's side
# ---------------------------------------------------------------------------------------------

def _request_for(actor, request_id) -> ResellerRequest:
    if not actor.is_partner or not actor.has_perm(PERMISSION):
        raise DomainError(Codes.FORBIDDEN)
    request = reseller_requests_for(actor).filter(pk=request_id).first()
    if request is None:
        raise DomainError(Codes.NOT_FOUND)
    return request


def _invite_administrator(actor, reseller, role, email):
    """The core's member invitation, made for the new reseller by the accepting member: its
    `invite_member` acts for the partner it invites into, so it is given an actor for the reseller that
    holds exactly the reseller's rights and is labelled with the accepting member's login (whose name the
    reseller's 操作记录 shows next to the invitation)."""
    for_reseller = Actor(ActorKind.MEMBER, user=actor.user, partner=reseller, member=None, ip=actor.ip,
                         permissions=effective_permissions(reseller, ALL_CODES))
    return core.invite_member(for_reseller, email=email, display_name=email.split("@")[0][:64], role_ids=[role.pk])


def accept_request(actor, *, request_id):
    """Accept: returns (reseller, invitation, token) — the view mails the invitation link."""
    request = _request_for(actor, request_id)
    with operation(actor, "programs.reseller_accept", target=request,
                   detail={"customer_id": request.customer.domain_id}) as entry:
        customer = Customer.objects.select_for_update(no_key=True).get(pk=request.customer_id)
        request = ResellerRequest.objects.select_for_update().select_related("customer").get(pk=request.pk)
        if request.status != ResellerRequestStatus.APPLYING:
            raise DomainError(AccessCodes.REQUEST_DECIDED)
        distributor = Partner.objects.get(pk=actor.partner.pk)
        # The account's money may not move while the conditions (no arrears, no balance) are read and the
        # reseller is made: its billing account is locked too (billing/locks.py), before they are checked.
        lock_customer_account(customer)
        refusals = reseller_refusals(customer, distributor)
        if refusals:
            _refuse(refusals)
        now = timezone.now()
        try:
            with transaction.atomic():
                reseller = Partner.objects.create(
                    domain_id=customer.domain_id, account_name=customer.domain_name, name=request.company_name,
                    partner_type=PartnerType.RESELLER, distributor=distributor, associated_on=now,
                    contracting_entity=distributor.contracting_entity, email=request.contact_email,
                    mobile_phone=customer.mobile_phone)
        except IntegrityError as exc:
            raise DomainError(AccessCodes.RESELLER_TAKEN) from exc
        role = Role.objects.create(partner=reseller, name=ADMIN_ROLE_NAME, is_administrator=True)
        program = Program.objects.filter(kind=ProgramKind.RESELLER, is_active=True).first()
        if program is not None:
            Membership.objects.create(partner=reseller, program=program, status=MembershipStatus.JOINED,
                                      applied_at=request.requested_at, decided_at=now, decided_by=actor.user)
        invitation, token = _invite_administrator(actor, reseller, role, request.contact_email)
        # What the page told the owner would lapse does: unused coupons expire, partners' discounts end.
        lapsed = lapse_customer_coupons(actor, customer=customer, reason=LAPSE_REASON)
        discounts = PartnerDiscount.objects.filter(customer=customer)
        ended = [{"partner_id": d.partner_id, "service_type_id": d.service_type_id, "rate": str(d.rate)}
                 for d in discounts.order_by("pk")]
        discounts.delete()
        entry.detail.update({"coupons_lapsed": len(lapsed),
                             "coupon_balance_lapsed": str(sum((c.balance for c in lapsed), Decimal("0.00"))),
                             "discounts_ended": len(ended)})
        ResellerRequest.objects.filter(pk=request.pk).update(
            status=ResellerRequestStatus.ACCEPTED, decided_at=now, decided_by=actor.user, reseller=reseller)
        entry.detail.update({"reseller_id": reseller.domain_id, "invitation_to": request.contact_email})
        data = {**_data(request), "reseller_id": reseller.domain_id}
        outbox.record(event_types.RESELLER_CREATED, partner=distributor, actor=actor, data=data)
        outbox.record(event_types.RESELLER_ACCEPTED, partner=distributor, customer=customer, actor=actor, data=data)
    return reseller, invitation, token


def reject_request(actor, *, request_id, reason: str) -> ResellerRequest:
    request = _request_for(actor, request_id)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(Codes.PARAMETER, _("Please give a reason."))
    reason = reason[:500]
    with operation(actor, "programs.reseller_reject", target=request, detail={"reason": reason}):
        moved = ResellerRequest.objects.filter(pk=request.pk, status=ResellerRequestStatus.APPLYING).update(
            status=ResellerRequestStatus.REJECTED, decided_at=timezone.now(), decided_by=actor.user, reason=reason)
        if moved != 1:
            raise DomainError(AccessCodes.REQUEST_DECIDED)
        outbox.record(event_types.RESELLER_REJECTED, partner=request.distributor, customer=request.customer,
                      actor=actor, data={**_data(request), "reason": reason})
    return request
