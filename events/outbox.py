"""Recording domain events: the one way a service announces something a partner or customer cares about.

    from events import outbox
    outbox.record("customer.associated", partner=association.partner, customer=customer,
                  account_manager=association.account_manager, actor=actor,
                  data={"customer_id": customer.domain_id, "association_type": "1"})

`partner=None` records an event only the customer hears about (a customer without a partner): it must
name the customer and be of a type whose audience includes the customer (ValueError otherwise — nobody
would be told). `record` must run inside the service's transaction (it refuses otherwise), so a rolled-back
change leaves no event. After the commit the dispatcher is started (`events.tasks.dispatch`), and the periodic
run of the same task picks up anything a lost message missed. `key` makes a periodic job's event
idempotent: a second `record` with the same (type, key) records nothing and returns None.
"""

from django.db import IntegrityError, connection, transaction

from partnercenter.choices import ActorKind

from . import types
from .choices import Audience
from .models import Event

__all__ = ["record", "record_many"]


def _actor_label(actor) -> str:
    if actor is None:
        return ""
    label = getattr(actor, "label", "")
    return str(label() if callable(label) else label)[:255]


def _actor_user(actor):
    """The person who acted in a page (a member or a customer's user), whom the event need not tell. A call
    with an access key is a system acting: its owner is told like anyone else."""
    if getattr(actor, "kind", None) not in (ActorKind.MEMBER, ActorKind.CUSTOMER_USER):
        return None
    user = actor.user
    return user if getattr(user, "pk", None) else None


def _event(type_code, *, partner, data, customer=None, account_manager=None, actor=None, key="") -> Event:
    event_type = types.get(type_code)
    if event_type is None:
        raise ValueError(f"unknown event type {type_code!r}: register it in the app's event_types module")
    if partner is None and (customer is None or event_type.audience not in (Audience.CUSTOMER, Audience.BOTH)):
        raise ValueError(f"an event of {type_code!r} without a partner would tell nobody: it needs a customer "
                         "and a type the customer hears about")
    return Event(type=type_code, partner=partner, customer_pk=getattr(customer, "pk", customer),
                 account_manager=account_manager, actor=_actor_label(actor), actor_user=_actor_user(actor),
                 data=data or {}, key=key or "")


def _require_transaction():
    if not connection.in_atomic_block:
        raise RuntimeError("outbox.record() runs inside the transaction of the change it announces")


def _dispatch_after_commit():
    from .tasks import dispatch_soon
    transaction.on_commit(dispatch_soon)


def record(type_code: str, *, partner, data: dict, customer=None, account_manager=None, actor=None,
           key: str = "") -> Event | None:
    _require_transaction()
    event = _event(type_code, partner=partner, data=data, customer=customer, account_manager=account_manager,
                   actor=actor, key=key)
    if key:
        try:
            with transaction.atomic():
                event.save()
        except IntegrityError:
            return None  # already recorded by an earlier run
    else:
        event.save()
    _dispatch_after_commit()
    return event


def record_many(events: list[dict]) -> int:
    """Several events in one INSERT (batches); each dict holds record()'s keyword arguments plus
    `type_code`. Keyed events already recorded are skipped. Returns how many were given."""
    _require_transaction()
    if not events:
        return 0
    rows = [_event(e.pop("type_code"), **e) for e in (dict(e) for e in events)]
    Event.objects.bulk_create(rows, ignore_conflicts=any(row.key for row in rows))
    _dispatch_after_commit()
    return len(rows)
