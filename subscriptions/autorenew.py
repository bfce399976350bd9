"""What happens at a resource's expiry, as the customer (or its authorized partner) sets it — 自动续费
(autorenew), 到期转按需 (to-on-demand), the other expiry policies, the renew configuration (renew/config) —
and the scheduler's automatic renewal (Celery beat: subscriptions.tasks.auto_renew).

Rules decided here:
- **Who.** As for renewals (subscriptions/renewal.py): the customer on its own resources, or a partner with
  `orders.place` and the customer's valid 代客运维 grant (CBC.99008006 otherwise). Only main resources
  (NOT_MAIN_RESOURCE), not released (RELEASED), billed yearly/monthly (not found otherwise); a setting of a
  main resource applies to its subordinates too (a server's disks renew and expire with it).
- **Auto-renew** (expire_policy 3 while the AutoRenewal row exists): `times` 0–99 renewals (0: no limit;
  None keeps the current value, 0 for a new one), each of one `period_type` "MONTH" or "YEAR" (None keeps
  it; for a new one the period of the resource's last paid order line). CBC.0100 for anything else.
  Cancelling it (AUTO_RENEW_NOT_SET when there is none) leaves policy 0 (grace period). Choosing another
  policy (to on-demand, release, freeze …) cancels it.
- **Renew configuration** (the customer only): DEDUCTION_DATE 2–7 — auto-renew pays that many days before
  expiry (7 when never set); EXPIRE_DATE 1–28 or -1 (the month's last day) — the unified expiry day of
  renewals: a renewal's new expiry moves on to that day, the extra days charged by the day
  (subscriptions/renewal.py).
- **To on-demand at expiry** (SET_UP / CANCEL, 1–100 ids, per-row failures): SET_UP needs an in-use
  resource and an on-demand catalogue product of the same service/resource type/spec/region on sale
  (TradeCodes.PRODUCT_NOT_FOUND otherwise); CANCEL only where the policy is 1 (WRONG_STATE otherwise), back
  to 0. subscriptions/lifecycle.py switches it at expiry.
- **The automatic renewal** (`run_due`): main resources with policy 3 and an AutoRenewal not exhausted, in
  use or in grace, expiring within the customer's deduction days, not yet attempted for this expiry. Per
  resource, one transaction: the AutoRenewAttempt for (resource, expire_time) is INSERTed first — its
  unique constraint makes an overlapping run wait for this one and then skip (IntegrityError in a
  savepoint), so a renewal is paid exactly once however the runs overlap — then the renewal order is placed
  by `Actor(SCHEDULER, customer=…)` (source 8 系统创建) for one period and paid from the balance, in a
  savepoint: paid → PAID (renewed + 1; the last allowed renewal deletes the AutoRenewal, policy 0); refused
  → UNPAID, the order stays pending for the customer to pay (nothing half-done); could not be ordered
  (balance zero or less, no product, a pending renewal of its own) → FAILED with the code. The customer and
  its partner are told: `subscription.auto_renewed` or `subscription.auto_renew_failed`.
"""

from collections import defaultdict
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.choices import ChargeMode, PeriodType
from customers.choices import ChargingMode, PeriodStatus
from customers.models import Resource
from events import outbox
from partnercenter import oplog
from partnercenter.actors import SCHEDULER, Actor
from partnercenter.choices import ActorKind
from partnercenter.errors import Codes, DomainError
from partnercenter.money import quantize
from trade import services as trade_services
from trade.choices import OrderStatus
from trade.errors import TradeCodes
from trade.models import OrderLine
from trade.pricing import find_products

from . import renewal, selectors
from .choices import SETTABLE_POLICIES, AttemptOutcome, AutoRenewPeriod, ExpirePolicy, RenewConfigName
from .errors import SubscriptionCodes
from .lifecycle import associations_of, resource_data, resource_events
from .models import AutoRenewal, AutoRenewAttempt, RenewConfig
from .outcomes import Failure

__all__ = ["MAX_TO_ON_DEMAND", "DEFAULT_DEDUCTION_DAYS", "set_auto_renew", "cancel_auto_renew", "set_renew_config",
           "set_expire_policy", "set_to_on_demand", "run_due"]

MAX_TO_ON_DEMAND = 100
DEFAULT_DEDUCTION_DAYS = 7
RUN_BATCH = 200
_PERIOD_TYPES = {AutoRenewPeriod.MONTH: PeriodType.MONTH, AutoRenewPeriod.YEAR: PeriodType.YEAR}


def _partner_of(customer):
    association = associations_of([customer.pk]).get(customer.pk)
    return association.partner if association else None


# ---------------------------------------------------------------------------------------------
# Auto-renew, the expiry policy, the renew configuration
# ---------------------------------------------------------------------------------------------

def _times(times):
    if times is None:
        return None
    if isinstance(times, bool) or not isinstance(times, (int, str)) or not str(times).strip().isdigit() \
            or not 0 <= int(times) <= 99:
        raise DomainError(Codes.PARAMETER, _("The number of renewals must be 0 to 99 (0: no limit)."))
    return int(times)


def _period_type(period_type):
    if period_type is None or period_type == "":
        return None
    if period_type not in AutoRenewPeriod.values:
        raise DomainError(Codes.PARAMETER, _("The renewal period must be MONTH or YEAR."))
    return str(period_type)


def _last_period(resource) -> str:
    """The period type of the resource's last paid line (a renewal naming it, else the purchase)."""
    lines = OrderLine.objects.filter(order__customer_id=resource.customer_id, order__status=OrderStatus.COMPLETED)
    line = lines.filter(resource_id=resource.resource_id).order_by("-id").first()
    if line is None and resource.order_line_id:
        line = lines.filter(line_id=resource.order_line_id).first()
    return AutoRenewPeriod.YEAR if line is not None and line.period_type == PeriodType.YEAR else AutoRenewPeriod.MONTH


def set_auto_renew(actor, *, resource_id, times=None, period_type=None, customer_id=None) -> AutoRenewal:
    """设置包年/包月资源自动续费 (with its subordinates)."""
    times, period_type = _times(times), _period_type(period_type)
    resource = renewal.main_resource(actor, resource_id, customer_id)
    now = timezone.now()
    with oplog.operation(actor, "subscription.auto_renew_set", target=resource.customer,
                         partner=_partner_of(resource.customer),
                         detail={"resource_id": resource.resource_id, "times": times,
                                 "period_type": period_type}) as entry:
        family = renewal.lock_families([resource])[resource.pk]
        renewal.ensure_live_main(family[0])
        auto = AutoRenewal.objects.filter(resource=resource).first()
        if auto is None:
            auto = AutoRenewal.objects.create(resource=resource, customer_id=resource.customer_id,
                                              times=times or 0, period_type=period_type or _last_period(resource),
                                              created_at=now, updated_at=now)
        else:
            if times is not None:
                auto.times = times
            if period_type is not None:
                auto.period_type = period_type
            auto.updated_at = now
            auto.save(update_fields=["times", "period_type", "updated_at"])
        renewal.set_policy(family, ExpirePolicy.AUTO_RENEW, now=now)
        entry.detail.update(times=auto.times, period_type=auto.period_type)
    return auto


def cancel_auto_renew(actor, *, resource_id, customer_id=None) -> None:
    """取消包年/包月资源自动续费: the resource (and its subordinates) enter the grace period at expiry."""
    resource = renewal.main_resource(actor, resource_id, customer_id)
    now = timezone.now()
    with oplog.operation(actor, "subscription.auto_renew_cancel", target=resource.customer,
                         partner=_partner_of(resource.customer), detail={"resource_id": resource.resource_id}):
        family = renewal.lock_families([resource])[resource.pk]
        if not AutoRenewal.objects.filter(resource=resource).delete()[0]:
            raise DomainError(SubscriptionCodes.AUTO_RENEW_NOT_SET)
        renewal.set_policy(family, ExpirePolicy.GRACE, now=now, where=ExpirePolicy.AUTO_RENEW)


def set_expire_policy(actor, *, resource_id, policy, customer_id=None) -> Resource:
    """What happens at expiry: one of SETTABLE_POLICIES (grace, release, freeze), for a resource still in use
    (after its expiry the policy has done its work: WRONG_STATE). Cancels auto-renew and a switch to
    pay-per-use."""
    try:
        policy = ExpirePolicy(int(policy))
    except (TypeError, ValueError):
        policy = None
    if policy not in SETTABLE_POLICIES:
        raise DomainError(Codes.PARAMETER, _("Choose what happens at expiry."))
    resource = renewal.main_resource(actor, resource_id, customer_id)
    _ensure_in_use(resource)
    now = timezone.now()
    with oplog.operation(actor, "subscription.expire_policy", target=resource.customer,
                         partner=_partner_of(resource.customer),
                         detail={"resource_id": resource.resource_id, "policy": int(policy)}):
        family = renewal.lock_families([resource])[resource.pk]
        _ensure_in_use(family[0])
        AutoRenewal.objects.filter(resource=resource).delete()
        renewal.set_policy(family, policy, now=now)
    resource.expire_policy = int(policy)
    return resource


def _ensure_in_use(resource) -> None:
    renewal.ensure_live_main(resource)
    if resource.status != PeriodStatus.IN_USE:
        raise DomainError(SubscriptionCodes.WRONG_STATE)


def set_renew_config(actor, *, name, value) -> RenewConfig:
    """设置自动续费扣款日 (DEDUCTION_DATE 2–7) / 续费后统一到期日 (EXPIRE_DATE 1–28, -1): the customer's own."""
    if not actor.is_customer:
        raise DomainError(Codes.FORBIDDEN)
    if name not in RenewConfigName.values:
        raise DomainError(Codes.PARAMETER, _("Unknown renew setting."))
    text = str(value).strip() if isinstance(value, (int, str)) and not isinstance(value, bool) else ""
    number = int(text) if text.lstrip("-").isdigit() and text.count("-") <= 1 else None
    allowed = range(2, 8) if name == RenewConfigName.DEDUCTION_DATE else [*range(1, 29), -1]
    if number not in allowed:
        raise DomainError(Codes.PARAMETER, _("DEDUCTION_DATE is 2 to 7 days; EXPIRE_DATE is a day 1 to 28, or -1 "
                                             "for the month's last day."))
    field = "deduction_days" if name == RenewConfigName.DEDUCTION_DATE else "expire_day"
    customer = actor.customer
    with oplog.operation(actor, "subscription.renew_config", target=customer, partner=_partner_of(customer),
                         detail={"name": name, "value": number}):
        config, _created = RenewConfig.objects.select_for_update().get_or_create(customer=customer)
        setattr(config, field, number)
        config.updated_at = timezone.now()
        config.save(update_fields=[field, "updated_at"])
    return config


# ---------------------------------------------------------------------------------------------
# To on-demand at expiry
# ---------------------------------------------------------------------------------------------

def _refusal(resource, action, products) -> Failure | None:
    rid = resource.resource_id
    if resource.charging_mode != ChargingMode.PERIOD:
        return renewal.failure(rid, SubscriptionCodes.WRONG_STATE, _("The resource is not billed yearly/monthly."))
    if not resource.is_main_resource:
        return renewal.failure(rid, SubscriptionCodes.NOT_MAIN_RESOURCE)
    if resource.status == PeriodStatus.CLOSED:
        return renewal.failure(rid, SubscriptionCodes.RELEASED)
    if action == "SET_UP":
        if resource.status != PeriodStatus.IN_USE:
            return renewal.failure(rid, SubscriptionCodes.WRONG_STATE)
        if _on_demand_key(resource) not in products:
            return renewal.failure(rid, TradeCodes.PRODUCT_NOT_FOUND)
    elif resource.expire_policy != ExpirePolicy.TO_ON_DEMAND:
        return renewal.failure(rid, SubscriptionCodes.WRONG_STATE, _("The resource is not set to switch to "
                                                                     "pay-per-use at expiry."))
    return None


def _on_demand_key(resource):
    return (resource.service_type_code, resource.resource_type_code, resource.resource_spec_code, resource.region_code)


def set_to_on_demand(actor, *, resource_ids, operation, customer_id=None) -> list[Failure]:
    """设置或取消包年/包月资源到期转按需: SET_UP → policy 1 (auto-renew cancelled), CANCEL → policy 0 where it
    was 1. The refused resources are returned; the others are set."""
    if operation not in ("SET_UP", "CANCEL"):
        raise DomainError(Codes.PARAMETER, _("The operation must be SET_UP or CANCEL."))
    ids = renewal.resource_id_list(resource_ids, limit=MAX_TO_ON_DEMAND)
    customer = renewal.customer_of(actor, customer_id)
    found = {}
    for resource in Resource.objects.filter(customer=customer, resource_id__in=ids).order_by("charging_mode"):
        found[resource.resource_id] = resource  # a yearly/monthly row wins over an on-demand one
    products = find_products({_on_demand_key(r) for r in found.values()}, charge_mode=ChargeMode.ON_DEMAND) \
        if operation == "SET_UP" else {}
    failures = {}
    for rid in ids:
        resource = found.get(rid)
        refusal = (renewal.failure(rid, Codes.NOT_FOUND, _("The resource does not exist.")) if resource is None
                   else _refusal(resource, operation, products))
        if refusal is not None:
            failures[rid] = refusal
    accepted = [found[rid] for rid in ids if rid not in failures]
    if not accepted:
        return list(failures.values())
    now = timezone.now()
    with oplog.operation(actor, "subscription.to_on_demand", target=customer, partner=_partner_of(customer),
                         detail={"operation": operation, "resource_ids": ids}) as entry:
        families = renewal.lock_families(accepted)
        if operation == "SET_UP":  # every live member of a family needs its pay-per-use product (a server's disks too)
            products = find_products({_on_demand_key(r) for family in families.values() for r in family
                                      if r.status != PeriodStatus.CLOSED}, charge_mode=ChargeMode.ON_DEMAND)
        for main in accepted:
            family = families[main.pk]
            refusal = _refusal(family[0], operation, products)  # again, as it is now
            lacking = [r for r in family[1:] if operation == "SET_UP" and r.status != PeriodStatus.CLOSED
                       and _on_demand_key(r) not in products]
            if refusal is None and lacking:
                refusal = renewal.failure(main.resource_id, TradeCodes.PRODUCT_NOT_FOUND, _(
                    "Resource %(id)s of it has no pay-per-use product.") % {"id": lacking[0].resource_id})
            if refusal is not None:
                failures[main.resource_id] = refusal
            elif operation == "SET_UP":
                AutoRenewal.objects.filter(resource_id=main.pk).delete()
                renewal.set_policy(family, ExpirePolicy.TO_ON_DEMAND, now=now)
            else:
                renewal.set_policy(family, ExpirePolicy.GRACE, now=now, where=ExpirePolicy.TO_ON_DEMAND)
        entry.detail["failures"] = [[f.resource_id, f.code] for f in failures.values()][:20]
    return [failures[rid] for rid in ids if rid in failures]


# ---------------------------------------------------------------------------------------------
# The automatic renewal (Celery beat)
# ---------------------------------------------------------------------------------------------

def _due(now):
    horizon = now + timedelta(days=DEFAULT_DEDUCTION_DAYS)  # the longest deduction_days
    attempted = AutoRenewAttempt.objects.filter(resource=OuterRef("pk"), for_expiry=OuterRef("expire_time"))
    return (Resource.objects.filter(charging_mode=ChargingMode.PERIOD, is_main_resource=True,
                                    status__in=[PeriodStatus.IN_USE, PeriodStatus.EXPIRED], expire_time__lte=horizon,
                                    expire_policy=ExpirePolicy.AUTO_RENEW, auto_renewal__isnull=False)
            .filter(Q(auto_renewal__times=0) | Q(auto_renewal__renewed__lt=F("auto_renewal__times")))
            .exclude(Exists(attempted)).select_related("customer", "auto_renewal"))


def run_due(actor=SCHEDULER, *, now=None) -> dict:
    """Renew and pay what is due (see the module's rules). Returns {"paid", "unpaid", "failed"} of this run."""
    now = now or timezone.now()
    counts = {"paid": 0, "unpaid": 0, "failed": 0}
    by_partner = defaultdict(lambda: defaultdict(int))
    after = 0
    while True:
        chunk = list(_due(now).filter(pk__gt=after).order_by("pk")[:RUN_BATCH])
        if not chunk:
            break
        after = chunk[-1].pk
        days = dict(RenewConfig.objects.filter(customer_id__in={r.customer_id for r in chunk})
                    .values_list("customer_id", "deduction_days"))
        for resource in chunk:
            if resource.expire_time > now + timedelta(days=days.get(resource.customer_id) or DEFAULT_DEDUCTION_DAYS):
                continue
            outcome, partner = _renew_one(actor, resource, now)
            if outcome is not None:
                counts[outcome] += 1
                if partner is not None:
                    by_partner[partner][outcome] += 1
    for partner, moved in sorted(by_partner.items(), key=lambda pair: pair[0].pk):
        with oplog.operation(actor, "subscription.auto_renew_run", partner=partner,
                             detail={"now": now.isoformat(), **moved}):
            pass
    return counts


def _still_due(resource) -> bool:
    """The resource is as the run found it (not renewed by hand, released or switched off meanwhile)."""
    return Resource.objects.filter(pk=resource.pk, expire_time=resource.expire_time, expire_policy=ExpirePolicy.AUTO_RENEW,
                                   status__in=[PeriodStatus.IN_USE, PeriodStatus.EXPIRED]).exists() and \
        AutoRenewal.objects.filter(Q(times=0) | Q(renewed__lt=F("times")), resource_id=resource.pk).exists()


def _renew_one(actor, resource, now):
    """One resource, one transaction: (outcome or None when another run has it or it changed, its partner)."""
    customer = resource.customer
    scheduler = Actor(ActorKind.SCHEDULER, customer=customer)
    with transaction.atomic():
        try:
            with transaction.atomic():
                attempt = AutoRenewAttempt.objects.create(resource=resource, for_expiry=resource.expire_time,
                                                          outcome=AttemptOutcome.FAILED, created_at=now)
        except IntegrityError:
            return None, None  # an overlapping run has (or had) it
        if not _still_due(resource):
            transaction.set_rollback(True)
            return None, None
        associations = associations_of([customer.pk])
        partner = associations[customer.pk].partner if customer.pk in associations else None
        period = _PERIOD_TYPES.get(resource.auto_renewal.period_type, PeriodType.MONTH)
        order = None
        try:
            if selectors.pending_orders_naming(customer, [resource.resource_id]):
                raise DomainError(SubscriptionCodes.RENEWAL_PENDING)
            # place_order and pay_order each run in their own savepoint (oplog.operation): a refusal rolls
            # back only what it began, and is logged.
            order, refused = renewal.place_renewal(scheduler, customer, [resource.resource_id],
                                                   period_type=period, period_num=1)
            if order is None:
                raise DomainError(refused[0].code, refused[0].message)
            order = trade_services.pay_order(scheduler, order_id=order.order_id)
        except DomainError as exc:
            attempt.outcome = AttemptOutcome.UNPAID if order is not None else AttemptOutcome.FAILED
            attempt.order, attempt.error_code = order, exc.code[:32]
            attempt.save(update_fields=["outcome", "order", "error_code"])
            extra = {"order_id": order.order_id if order else None, "error_code": exc.code,
                     "error_msg": str(exc.message)}
            if order is not None:
                extra["amount"] = str(quantize(order.amount_after_discount))
            _announce("subscription.auto_renew_failed", resource, associations, actor, extra)
            return attempt.outcome, partner
        attempt.outcome, attempt.order = AttemptOutcome.PAID, order
        attempt.save(update_fields=["outcome", "order"])
        AutoRenewal.objects.filter(resource_id=resource.pk).update(renewed=F("renewed") + 1, updated_at=now)
        auto = AutoRenewal.objects.filter(resource_id=resource.pk).first()  # None: cancelled while we paid
        if auto is not None and auto.exhausted:  # the last renewal it was allowed: auto-renew ends
            auto.delete()
            family = renewal.lock_families([resource])[resource.pk]
            renewal.set_policy(family, ExpirePolicy.GRACE, now=now, where=ExpirePolicy.AUTO_RENEW)
        resource.refresh_from_db(fields=["expire_time"])
        _announce("subscription.auto_renewed", resource, associations, actor,
                  {"order_id": order.order_id, "amount": str(quantize(order.amount_after_discount))})
        return AttemptOutcome.PAID, partner


def _announce(type_code, resource, associations, actor, extra) -> None:
    outbox.record_many(resource_events(type_code, [resource], actor=actor, associations=associations,
                                       data_of=lambda r: resource_data(r, **extra)))
