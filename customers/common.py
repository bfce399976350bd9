"""What the customers services (registration.py, associations.py, delegation.py) share: who may act, the
parameter error, the customer an actor names, a request's reason, and the events (events.outbox,
customers/event_types.py), recorded inside the change's transaction."""

from django.utils.translation import gettext as _

from events import outbox
from partnercenter.errors import Codes, DomainError

from . import selectors
from .models import Customer


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

def _customer(actor, customer_id) -> Customer:
    customer = selectors.customer_for(actor, customer_id)
    if customer is None:
        raise DomainError(Codes.NOT_FOUND)
    return customer

def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise _parameter(_("Please give a reason."))
    return reason[:500]
