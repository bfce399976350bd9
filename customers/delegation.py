"""Delegated operations (代客运维): the partner asks, the customer agrees or cancels, the partner revokes; a
granted authorization also lets the partner order on the customer's behalf (代客下单: ordering_authorization).

Each write runs inside `partnercenter.oplog.operation()` (one transaction, the operation log).
"""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from partnercenter.api.fields import wire_time
from partnercenter.errors import Codes, DomainError
from partnercenter.oplog import operation

from . import locks, selectors
from .associations import is_resale
from .choices import OpsStatus
from .common import _announce, _customer, _customer_data, _reason, _require
from .errors import CustomerCodes
from .models import Association, OpsAuthorization

__all__ = ["OPS_VALIDITY", "ordering_authorization", "request_ops_authorization", "decide_ops_authorization",
           "revoke_ops_authorization"]

OPS_VALIDITY = timedelta(days=30)


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
