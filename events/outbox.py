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

Three ways in, one set of rules (the type validated against the registry, the actor's columns, uid, times, a
recorded key skipped): `record` (one event), `record_many` (a batch of Python rows, one INSERT) and
`insert_from_select` (PostgreSQL: the INSERT of a caller's SELECT, as a CTE of the caller's own statement).
"""

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from partnercenter.choices import ActorKind

from . import types
from .choices import Audience
from .models import Event

__all__ = ["record", "record_many", "insert_from_select", "dispatch_after_commit"]


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


def _type(type_code):
    event_type = types.get(type_code)
    if event_type is None:
        raise ValueError(f"unknown event type {type_code!r}: register it in the app's event_types module")
    return event_type


def _event(type_code, *, partner, data, customer=None, account_manager=None, actor=None, key="") -> Event:
    event_type = _type(type_code)
    if partner is None and (customer is None or event_type.audience not in (Audience.CUSTOMER, Audience.BOTH)):
        raise ValueError(f"an event of {type_code!r} without a partner would tell nobody: it needs a customer "
                         "and a type the customer hears about")
    return Event(type=type_code, partner=partner, customer_pk=getattr(customer, "pk", customer),
                 account_manager=account_manager, actor=_actor_label(actor), actor_user=_actor_user(actor),
                 data=data or {}, key=key or "")


def _require_transaction():
    if not connection.in_atomic_block:
        raise RuntimeError("outbox.record() runs inside the transaction of the change it announces")


def dispatch_after_commit():
    """Start the dispatcher after the commit: record/record_many do it themselves; a caller whose statement
    wrote events through `insert_from_select` calls it when rows may have been written."""
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
    dispatch_after_commit()
    return event


def record_many(events: list[dict]) -> int:
    """Several events in one INSERT (batches); each dict holds record()'s keyword arguments plus
    `type_code`. Keyed events already recorded are skipped. Returns how many were given. A set-based writer
    on PostgreSQL whose rows are in the database, not in Python, uses insert_from_select instead."""
    _require_transaction()
    if not events:
        return 0
    rows = [_event(e.pop("type_code"), **e) for e in (dict(e) for e in events)]
    Event.objects.bulk_create(rows, ignore_conflicts=any(row.key for row in rows))
    dispatch_after_commit()
    return len(rows)


def insert_from_select(type_code: str, *, actor, rows_sql: str, params=()) -> tuple[str, list]:
    """PostgreSQL, for set-based writers: the INSERT of one event per row of `rows_sql`, as a fragment
    (and its params) to run as a CTE of the caller's statement (`WITH moved AS (UPDATE … RETURNING …),
    told AS (<fragment>) SELECT …`) — the events written in the same round trip as the change, with no
    Python work per row. Use record_many when the rows are in Python anyway, or on SQLite.

    `rows_sql` (its placeholders' values in `params`) is a SELECT yielding the columns partner_id,
    customer_pk, account_manager_id, data (jsonb) and key, named so; its ORDER BY is the events' order.
    Everything else is filled as record_many fills it: the type checked against the registry (ValueError),
    the actor's label and user, a new uid, created_at now, not dispatched; a key already recorded is skipped
    (ON CONFLICT DO NOTHING). A row without a partner that would tell nobody (no customer, or a type the
    customer does not hear about), which record refuses, is not written. Must be built and run inside the
    transaction of the change; call `dispatch_after_commit()` when the statement may have written rows."""
    event_type = _type(type_code)
    _require_transaction()
    if connection.vendor != "postgresql":
        raise RuntimeError("outbox.insert_from_select() builds PostgreSQL; use record_many elsewhere")
    quote, field = connection.ops.quote_name, Event._meta.get_field
    columns = ", ".join(quote(field(name).column) for name in (
        "uid", "type", "partner", "customer_pk", "account_manager", "actor", "actor_user", "data", "key",
        "created_at", "dispatched_at"))
    heard = "r.partner_id IS NOT NULL"
    if event_type.audience in (Audience.CUSTOMER, Audience.BOTH):
        heard += " OR r.customer_pk IS NOT NULL"
    user = _actor_user(actor)
    sql = (f"INSERT INTO {quote(Event._meta.db_table)} ({columns}) "
           f"SELECT gen_random_uuid(), %s, r.partner_id, r.customer_pk, r.account_manager_id, %s, %s, r.data, "
           f"COALESCE(r.key, ''), %s, NULL FROM ({rows_sql}) AS r WHERE {heard} ON CONFLICT DO NOTHING")
    return sql, [type_code, _actor_label(actor), user.pk if user is not None else None, timezone.now(), *params]
