"""The life of a yearly/monthly resource after its expiry (Celery beat: subscriptions.tasks.advance), and
the notices before it (subscriptions.tasks.warn_expiring).

States (customers.choices.PeriodStatus): 2 in use (正常) → 5 expired (宽限期, grace: still usable) → 4 frozen
(保留期, retention) → 3 closed (released). Durations are settings, measured from `expire_time` (no second
clock): grace ends at expire_time + SUBSCRIPTION_GRACE_PERIOD, retention at expire_time + GRACE +
SUBSCRIPTION_RETENTION_PERIOD. What happens at expiry is the resource's `expire_policy`
(subscriptions.choices.ExpirePolicy):

    in use, expire_time ≤ now      policy 1 → switched to pay-per-use (charging_mode on_demand, status 1
                                   normal, no expiry, no policy; its product: the on-demand catalogue
                                   product of the same service/resource type/spec/region, on sale or
                                   not — bills/rating.py rates a product that left the shelf). When a
                                   member of the family (main resource and subordinates) has no such
                                   product at all, the family is not switched: it expires (grace) and its
                                   policy becomes 0, told by `subscription.expired` (data + error_code
                                   CBC.99006006)
                                   policy 2 → closed (released at expiry)
                                   policy 4, 5 → frozen (no grace period)
                                   0, 3 (auto-renew that did not pay), none → expired (grace)
    expired, expire_time ≤ now − GRACE                      → frozen
    frozen,  expire_time ≤ now − GRACE − RETENTION          → closed
             (policy 4/5: expire_time ≤ now − RETENTION)

Main and subordinate resources move alike (they share their expiry and policy); a closed or switched
resource loses its auto-renewal (the AutoRenewal row, policy 3 → 0).

`advance` is set-based: each step is one conditional UPDATE … RETURNING of every row due in its state,
found through the partial index `resource_period_due` (status, expire_time) WHERE charging_mode = 'period'
(bench/subscriptions.py shows the plan), in its own transaction. The steps run in the order above, so a
late run walks a resource through every step it missed; a second run finds nothing due and changes nothing.
A row being renewed (its payment holds it, trade/provisioning.py) is waited for and then re-checked by
PostgreSQL on its new version: renewed, it is no longer due. (The payment locks a main resource and its
subordinates in one statement; if it and the UPDATE ever wait on each other, PostgreSQL ends one of them —
the run then does that step at its next beat.) The switch to pay-per-use reads its rows first (to find the
on-demand products), in batches of BATCH with FOR NO KEY UPDATE SKIP LOCKED; whether a family has its
products is decided over all its due members, in the batch or not, so a family split between two batches
is switched, or not, whole.

Events for main resources only — `subscription.switched`, `.expired`, `.frozen`, `.released` — keyed
`resource:<pk>:<state>:<expire_time>` (a key already recorded is skipped), so a transition is told once
whatever runs twice; they go to the customer's current partner (scoped to its account manager) and the
customer — a customer with no partner (never associated, or its association ended) is told alone (an event
without a partner, events.models.Event). They are recorded with
outbox.record_many in batches of BATCH — except on PostgreSQL, where each step's UPDATE INSERTs its events
in the same statement (outbox.insert_from_select of a SELECT from its RETURNING; the same columns, data and
keys, a key already recorded skipped), which keeps the run within a small factor of the bare UPDATE (no
Python work per event). Each run logs its counts (logging) and writes one operation-log row
("subscription.advance") per partner whose customers' resources moved.

`warn_expiring` records `subscription.expiring` for main resources in use that expire within 7 days, and
again within 1 day — once per (resource, expire_time, 7|1), keyed like vouchers.services.warn_expiring.
"""

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone

from catalog.choices import ChargeMode
from catalog.models import Product
from customers.choices import ChargingMode, OnDemandStatus, PeriodStatus
from customers.models import Association, Customer, Resource
from events import outbox
from events.models import Event
from partnercenter.actors import SCHEDULER
from partnercenter.api.fields import wire_time
from partnercenter.models import Member, Partner
from partnercenter.oplog import operation
from trade.errors import TradeCodes

from .choices import ExpirePolicy
from .models import AutoRenewal

__all__ = ["BATCH", "WARNING_BATCH", "WARNING_DAYS", "advance", "warn_expiring", "resource_data", "resource_events",
           "associations_of", "STEPS"]

logger = logging.getLogger(__name__)

BATCH = 5000          # events per record_many; rows per batch of the switch to pay-per-use
EVENTS_IN_STATEMENT = True  # PostgreSQL: a step's events INSERTed by its UPDATE statement (bench compares)
WARNING_BATCH = 500   # resources one batch of `warn_expiring` reads
WARNING_DAYS = (7, 1)

_AT_EXPIRY_FREEZE = (ExpirePolicy.FREEZE, ExpirePolicy.RELEASE_FROM_RETENTION)
_NOT_GRACE = (ExpirePolicy.TO_ON_DEMAND, ExpirePolicy.RELEASE) + _AT_EXPIRY_FREEZE


def _in(values) -> str:
    return ", ".join(str(int(v)) for v in values)


@dataclass(frozen=True)
class Step:
    name: str           # its count in advance()'s result
    source: int         # the state it leaves
    target: int         # the state it enters
    policy: str         # SQL condition on expire_policy
    after: str          # "expiry", "grace" or "retention": how long after expire_time the row is due
    event: str


_ANY_GRACE = f"(expire_policy IS NULL OR expire_policy NOT IN ({_in(_NOT_GRACE)}))"
_NOT_4_5 = f"(expire_policy IS NULL OR expire_policy NOT IN ({_in(_AT_EXPIRY_FREEZE)}))"

# In this order (after the switch to pay-per-use, done first): a late run walks every step it missed.
STEPS = (
    Step("released_at_expiry", PeriodStatus.IN_USE, PeriodStatus.CLOSED, f"expire_policy = {ExpirePolicy.RELEASE:d}",
         "expiry", "subscription.released"),
    Step("frozen_at_expiry", PeriodStatus.IN_USE, PeriodStatus.FROZEN, f"expire_policy IN ({_in(_AT_EXPIRY_FREEZE)})",
         "expiry", "subscription.frozen"),
    Step("expired", PeriodStatus.IN_USE, PeriodStatus.EXPIRED, _ANY_GRACE, "expiry", "subscription.expired"),
    Step("frozen", PeriodStatus.EXPIRED, PeriodStatus.FROZEN, "1 = 1", "grace", "subscription.frozen"),
    Step("released", PeriodStatus.FROZEN, PeriodStatus.CLOSED, _NOT_4_5, "grace+retention", "subscription.released"),
    Step("released_from_retention", PeriodStatus.FROZEN, PeriodStatus.CLOSED,
         f"expire_policy IN ({_in(_AT_EXPIRY_FREEZE)})", "retention", "subscription.released"),
)


def _cutoff(after, now):
    grace, retention = settings.SUBSCRIPTION_GRACE_PERIOD, settings.SUBSCRIPTION_RETENTION_PERIOD
    return {"expiry": now, "grace": now - grace, "grace+retention": now - grace - retention,
            "retention": now - retention}[after]


# ---------------------------------------------------------------------------------------------
# Events about resources
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Told:
    """Whom an event about a customer's resource goes to: its current partner and account manager."""

    partner: object
    account_manager: object


ALONE = Told(None, None)  # a customer without a partner: its events are its own


def associations_of(customer_pks) -> dict:
    """{customer pk: Told} of the customers with a current association — two or three statements, one
    Partner (and Member) instance per partner (manager), however many customers."""
    if not customer_pks:
        return {}
    rows = list(Association.objects.filter(customer_id__in=set(customer_pks), ended_on__isnull=True)
                .values_list("customer_id", "partner_id", "account_manager_id"))
    partners = Partner.objects.in_bulk({p for _c, p, _m in rows})
    managers = Member.objects.in_bulk({m for _c, _p, m in rows if m}) if any(m for _c, _p, m in rows) else {}
    return {c: Told(partners[p], managers.get(m)) for c, p, m in rows if p in partners}


def resource_data(resource, **extra) -> dict:
    """An event's data about a resource (CBC names; `resource.customer` loaded)."""
    data = {"resource_id": resource.resource_id, "resource_name": resource.resource_name,
            "customer_id": resource.customer.domain_id, "account_name": resource.customer.domain_name,
            "expire_time": wire_time(resource.expire_time) if resource.expire_time else None}
    data.update(extra)
    return data


def resource_events(type_code, resources, *, actor, associations, key_of=None, data_of=None) -> list[dict]:
    """outbox.record_many's rows: one event per resource, for its customer's current partner (scoped to the
    account manager) and the customer — the customer alone when it has no partner now."""
    events = []
    for resource in resources:
        association = associations.get(resource.customer_id, ALONE)
        event = {"type_code": type_code, "partner": association.partner, "customer": resource.customer_id,
                 "account_manager": association.account_manager, "actor": actor,
                 "data": data_of(resource) if data_of else resource_data(resource)}
        if key_of is not None:
            event["key"] = key_of(resource)
        events.append(event)
    return events


def _key(resource, state, expire_time) -> str:
    return f"resource:{resource.pk}:{state}:{wire_time(expire_time) if expire_time else '-'}"


# ---------------------------------------------------------------------------------------------
# advance
# ---------------------------------------------------------------------------------------------

def _column(name) -> str:
    return connection.ops.quote_name(Resource._meta.get_field(name).column)


def _step_sql(step) -> str:
    """The conditional UPDATE of one step: every row due in its state, through the partial index."""
    table = connection.ops.quote_name(Resource._meta.db_table)
    status, expire = _column("status"), _column("expire_time")
    closing = ""
    if step.target == PeriodStatus.CLOSED:  # a released resource is no longer auto-renewed
        closing = (f", expire_policy = CASE WHEN expire_policy = {ExpirePolicy.AUTO_RENEW:d} "
                   f"THEN {ExpirePolicy.GRACE:d} ELSE expire_policy END")
    return (f"UPDATE {table} SET {status} = %s, {_column('updated_at')} = %s{closing} "
            f"WHERE {_column('charging_mode')} = %s AND {status} = %s AND {expire} <= %s AND {step.policy} "
            f"RETURNING {_column('id')}, {_column('customer')}, {_column('is_main_resource')}")


def _step_params(step, now) -> list:
    adapt = connection.ops.adapt_datetimefield_value
    return [int(step.target), adapt(now), ChargingMode.PERIOD.value, int(step.source), adapt(_cutoff(step.after, now))]


def _run_step(step, now):
    """`step` over every row due: [(pk, customer pk, is main)] of the rows it moved."""
    with connection.cursor() as cursor:
        cursor.execute(_step_sql(step), _step_params(step, now))
        return cursor.fetchall()


def _told_sql(step, actor) -> tuple[str, list]:
    """PostgreSQL: the step's UPDATE and its events in one statement — the events INSERTed from the UPDATE's
    RETURNING by outbox.insert_from_select (one per main resource; no partner when its customer has none now),
    exactly the rows outbox.record_many would write (same columns, data and key; a key already recorded is
    skipped), with no per-row work in Python. (sql, params after the step's); returns what _run_step returns."""
    customer, association = (connection.ops.quote_name(model._meta.db_table) for model in (Customer, Association))
    update = _step_sql(step).replace("RETURNING", "RETURNING resource_id, resource_name, expire_time,")
    wire = "to_char(m.expire_time AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
    released = ""
    if step.target == PeriodStatus.CLOSED:
        released = (f", released AS (DELETE FROM {connection.ops.quote_name(AutoRenewal._meta.db_table)} "
                    f"WHERE resource_id IN (SELECT id FROM moved))")
    told, params = outbox.insert_from_select(step.event, actor=actor, params=[str(int(step.target))], rows_sql=(
        f"SELECT a.partner_id, m.customer_id AS customer_pk, a.account_manager_id, "
        f"jsonb_build_object('resource_id', m.resource_id, 'resource_name', m.resource_name, "
        f"'customer_id', c.domain_id, 'account_name', c.domain_name, 'expire_time', {wire}) AS data, "
        f"'resource:' || m.id || ':' || %s || ':' || {wire} AS key "
        f"FROM moved m JOIN {customer} c ON c.id = m.customer_id "
        f"LEFT JOIN {association} a ON a.customer_id = m.customer_id AND a.ended_on IS NULL "
        f"WHERE m.is_main_resource ORDER BY m.id"))
    return (f"WITH moved AS ({update}){released}, told AS ({told}) "
            f"SELECT id, customer_id, is_main_resource FROM moved"), params


def _run_told_step(step, now, actor):
    sql, params = _told_sql(step, actor)
    with connection.cursor() as cursor:
        cursor.execute(sql, _step_params(step, now) + params)
        moved = cursor.fetchall()
    if any(main for _pk, _c, main in moved):
        outbox.dispatch_after_commit()
    return moved


@dataclass(frozen=True)
class _Customer:
    pk: int
    domain_id: str
    domain_name: str


@dataclass(frozen=True)
class _Moved:
    """A moved main resource as its event needs it (no model instances: a batch has thousands)."""

    pk: int
    customer_id: int
    resource_id: str
    resource_name: str
    expire_time: object
    customer: _Customer


def _mains(pks) -> list[_Moved]:
    rows = Resource.objects.filter(pk__in=pks).order_by("pk").values_list(
        "id", "customer_id", "resource_id", "resource_name", "expire_time", "customer__domain_id",
        "customer__domain_name")
    return [_Moved(pk, c, rid, name, expire, _Customer(c, domain_id, domain_name))
            for pk, c, rid, name, expire, domain_id, domain_name in rows]


def _on_demand_products():
    """The pay-per-use products of the outer resource's service/resource type/spec/region — on sale or not: a
    resource switched to one that left the shelf is still rated (bills/rating.py)."""
    return Product.objects.filter(
        charge_mode=ChargeMode.ON_DEMAND, service_type__code=OuterRef("service_type_code"),
        resource_type__code=OuterRef("resource_type_code"), resource_spec=OuterRef("resource_spec_code"),
        region__code=OuterRef("region_code"))


def _family(resource) -> tuple:
    """(customer pk, resource id of its main resource): the family a row switches (or not) with."""
    return (resource.customer_id,
            resource.resource_id if resource.is_main_resource else resource.parent_resource_id)


def _switch_due(now):
    return Resource.objects.filter(charging_mode=ChargingMode.PERIOD, status=PeriodStatus.IN_USE,
                                   expire_time__lte=now, expire_policy=ExpirePolicy.TO_ON_DEMAND)


def _without_products(rows, now) -> set:
    """The families of `rows` with a member due for the switch — in this batch or not — that has no pay-per-use
    product at all (one statement)."""
    families = {_family(r) for r in rows}
    ids = {rid for _c, rid in families}
    lacking = (_switch_due(now).filter(customer_id__in={c for c, _rid in families})
               .filter(Q(resource_id__in=ids) | Q(parent_resource_id__in=ids))
               .filter(~Exists(_on_demand_products()))
               .values_list("customer_id", "resource_id", "parent_resource_id", "is_main_resource"))
    found = {(c, rid if main else parent) for c, rid, parent, main in lacking}
    return found & families


def _switch_batch(actor, now):
    """Policy 1 at expiry: one batch switched to pay-per-use — or, for a family without its pay-per-use
    products, expired (grace, policy 0). ([(pk, customer pk, is main)] switched, […] expired)."""
    due = (_switch_due(now).select_for_update(no_key=True, skip_locked=True, of=("self",))
           .select_related("customer").order_by("expire_time")[:BATCH])
    rows = list(due)
    if not rows:
        return [], []
    lacking = _without_products(rows, now)
    switching = [r for r in rows if _family(r) not in lacking]
    expiring = [r for r in rows if _family(r) in lacking]
    pks = [r.pk for r in switching]
    if switching:
        Resource.objects.filter(pk__in=pks).update(
            charging_mode=ChargingMode.ON_DEMAND, status=OnDemandStatus.NORMAL, expire_time=None,
            expire_policy=None, product_id=Subquery(_on_demand_products().order_by("pk").values("product_id")[:1]),
            updated_at=now)
        AutoRenewal.objects.filter(resource_id__in=pks).delete()
        mains = [r for r in switching if r.is_main_resource]
        outbox.record_many(resource_events(
            "subscription.switched", mains, actor=actor,
            associations=associations_of({r.customer_id for r in mains}),
            key_of=lambda r: _key(r, "switched", r.expire_time)))
    if expiring:  # the normal expiry path, told as the "expired" step tells it (same type and key)
        Resource.objects.filter(pk__in=[r.pk for r in expiring]).update(
            status=PeriodStatus.EXPIRED, expire_policy=ExpirePolicy.GRACE, updated_at=now)
        mains = [r for r in expiring if r.is_main_resource]
        outbox.record_many(resource_events(
            "subscription.expired", mains, actor=actor,
            associations=associations_of({r.customer_id for r in mains}),
            key_of=lambda r: _key(r, int(PeriodStatus.EXPIRED), r.expire_time),
            data_of=lambda r: resource_data(r, error_code=TradeCodes.PRODUCT_NOT_FOUND)))
    return ([(r.pk, r.customer_id, r.is_main_resource) for r in switching],
            [(r.pk, r.customer_id, r.is_main_resource) for r in expiring])


def _record(step, moved, actor):
    """After a step's batch (same transaction): its events and, on release, the auto-renewals deleted."""
    if step.target == PeriodStatus.CLOSED:
        AutoRenewal.objects.filter(resource_id__in=[pk for pk, _c, _m in moved]).delete()
    mains = _mains([pk for pk, _c, main in moved if main])
    if mains:
        outbox.record_many(resource_events(
            step.event, mains, actor=actor, associations=associations_of({r.customer_id for r in mains}),
            key_of=lambda r: _key(r, int(step.target), r.expire_time)))


def advance(actor=SCHEDULER, *, now=None) -> dict:
    """Move every due yearly/monthly resource on (see the module's rules). Returns the rows moved per
    transition: switched, released_at_expiry, frozen_at_expiry, expired, frozen, released,
    released_from_retention."""
    now = now or timezone.now()
    counts = {"switched": 0, **{step.name: 0 for step in STEPS}}
    customers = defaultdict(lambda: defaultdict(int))  # customer pk → transition → rows
    while True:
        with transaction.atomic():
            switched, expired = _switch_batch(actor, now)
        for name, moved in (("switched", switched), ("expired", expired)):
            for _pk, customer_pk, _main in moved:
                customers[customer_pk][name] += 1
            counts[name] += len(moved)
        if len(switched) + len(expired) < BATCH:
            break
    in_one_statement = EVENTS_IN_STATEMENT and connection.vendor == "postgresql"
    for step in STEPS:
        with transaction.atomic():
            if in_one_statement:
                moved = _run_told_step(step, now, actor)
            else:
                moved = _run_step(step, now)
                for start in range(0, len(moved), BATCH):  # events in batches of BATCH rows
                    _record(step, moved[start:start + BATCH], actor)
        for _pk, customer_pk, _main in moved:
            customers[customer_pk][step.name] += 1
        counts[step.name] += len(moved)
    if customers:
        _log(actor, now, customers)
    logger.info("subscriptions.advance at %s: %s", now.isoformat(),
                ", ".join(f"{name} {n}" for name, n in counts.items()))
    return counts


def _log(actor, now, customers) -> None:
    """One operation-log row per partner whose customers' resources moved (the scheduler's, in its 操作记录)."""
    by_partner = defaultdict(lambda: defaultdict(int))
    partner_of = dict(Association.objects.filter(customer_id__in=list(customers), ended_on__isnull=True)
                      .values_list("customer_id", "partner_id"))
    for customer_pk, moved in customers.items():
        partner_pk = partner_of.get(customer_pk)
        if partner_pk is None:
            continue
        by_partner[partner_pk]["customers"] += 1
        for name, n in moved.items():
            by_partner[partner_pk][name] += n
    for partner in Partner.objects.filter(pk__in=list(by_partner)).order_by("pk"):
        with operation(actor, "subscription.advance", partner=partner,
                       detail={"now": now.isoformat(), **by_partner[partner.pk]}):
            pass


# ---------------------------------------------------------------------------------------------
# warn_expiring
# ---------------------------------------------------------------------------------------------

def warn_expiring(actor=SCHEDULER, *, now=None) -> int:
    """subscription.expiring for main resources in use expiring within 7 days (days=7) and within a day
    (days=1) — once per (resource, expire_time, days): each event is keyed `resource:<pk>:<expire>:<days>`;
    a batch leaves out the keys already recorded (the unique (type, key) index) and a concurrent run's
    inserts of the same keys are ignored. A resource first seen within a day gets only the 1-day notice.
    Returns the events recorded."""
    now = now or timezone.now()
    longest, shortest = (timedelta(days=d) for d in WARNING_DAYS)
    due = (Resource.objects.filter(charging_mode=ChargingMode.PERIOD, status=PeriodStatus.IN_USE,
                                   is_main_resource=True, expire_time__gt=now, expire_time__lte=now + longest)
           .select_related("customer").order_by("pk"))
    recorded, after = 0, 0
    while True:
        chunk = list(due.filter(pk__gt=after)[:WARNING_BATCH])
        if not chunk:
            return recorded
        after = chunk[-1].pk
        keyed = {}
        for resource in chunk:
            days = WARNING_DAYS[1] if resource.expire_time <= now + shortest else WARNING_DAYS[0]
            keyed[f"resource:{resource.pk}:{wire_time(resource.expire_time)}:{days}"] = (resource, days)
        # exclude(key=""): the condition of the partial unique index, so the lookup uses it.
        warned = set(Event.objects.exclude(key="").filter(type="subscription.expiring", key__in=list(keyed))
                     .values_list("key", flat=True))
        fresh = {key: pair for key, pair in keyed.items() if key not in warned}
        if not fresh:
            continue
        days_of = {resource.pk: days for resource, days in fresh.values()}
        key_of = {resource.pk: key for key, (resource, _days) in fresh.items()}
        resources = [resource for resource, _days in fresh.values()]
        with transaction.atomic():
            recorded += outbox.record_many(resource_events(
                "subscription.expiring", resources, actor=actor,
                associations=associations_of({r.customer_id for r in resources}),
                key_of=lambda r: key_of[r.pk],
                data_of=lambda r: resource_data(r, days=days_of[r.pk],
                                                auto_renew=r.expire_policy == ExpirePolicy.AUTO_RENEW)))
