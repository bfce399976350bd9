"""The customer's association with its partner: 分配客户经理, and the association events (解除关联,
切换关联类型, 关联关系操作记录) — requested by one side, decided or cancelled, applied under the association's lock.

Each write runs inside `partnercenter.oplog.operation()` (verification code where the operation is sensitive,
one transaction, the operation log). Customers are looked up through selectors, so another partner's customer
— or one outside an account manager's team — is "not found".
"""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partnercenter.errors import Codes, DomainError
from partnercenter.oplog import operation
from partnercenter.selectors import account_managers_for

from . import locks, selectors
from .choices import AssociationType, EventInitiator, EventKind, EventStatus, FailCheckItem, OpsStatus
from .common import _announce, _customer, _customer_data, _reason, _request_data, _require
from .errors import CustomerCodes
from .models import Association, AssociationEvent, OpsAuthorization
from .signals import association_ended

__all__ = ["assign_account_manager", "is_resale", "eligibility_failures", "DISASSOCIATION_CHECKS", "SWITCH_CHECKS",
           "request_disassociation", "request_type_switch", "customer_request_disassociation", "decide_event",
           "cancel_event"]


# ---------------------------------------------------------------------------------------------
# Account managers (分配客户经理)
# ---------------------------------------------------------------------------------------------

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
