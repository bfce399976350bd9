"""What a paid order does to the customer's resources (查看资源, customers.Resource): a new purchase creates
them, a renewal extends them. Runs inside the paying transaction, after the order moved to completed.

New purchase: one resource per line and unit (`subscription_num`), the main lines' first, then the
subordinate lines' (a server's disk, its bandwidth) with `parent_resource_id` naming the main resource of
the same index (the k-th disk belongs to the k-th server). A yearly/monthly resource is in use (2) from
now until now + its period; a pay-per-use one is normal (1) and has no expiry. The resource carries the
catalogue's codes and names, the product's id and the order's id.

Renewal: each line names a resource (`resource_id`); its expiry moves by the period from its current
expiry (or from now, if it already expired), plus the line's `extra_days` whole days — the days a
renewal was charged for to reach the customer's unified expiry day (续费后资源统一到期日, decided and
priced when the order was placed: subscriptions/renewal.py, trade/pricing.py) — and it is in use again
(a resource in its grace or retention period comes back). E.g. expiring 2026-03-10 10:00 (Beijing time),
renewed for a month with expire_day 15 (extra_days 5): until 2026-04-15 10:00. The line's effective and
expire times are that whole span, so a refund (subscriptions/refunds.py) counts the extra days as paid.
(The days were counted when the order was placed: a resource that expired before the order was paid
starts again from the payment, and ends `extra_days` after its natural end.) Subordinate resources of a
renewed main resource that have no line of their own move with it. A resource released (closed), or
switched to pay-per-use, since the order was placed cannot be renewed: the payment is refused
(TradeCodes.RESOURCE_RELEASED) and changes nothing.
"""

import uuid
from datetime import timedelta

from dateutil.relativedelta import relativedelta
from django.db.models import Q

from catalog.choices import ChargeMode, PeriodType
from partnercenter.errors import DomainError
from customers.choices import ChargingMode, OnDemandStatus, PeriodStatus
from customers.models import Resource

from .choices import OrderType
from .errors import TradeCodes
from .models import OrderLine

__all__ = ["STEPS", "period_end", "provision"]

STEPS = {
    PeriodType.HOUR: relativedelta(hours=1),
    PeriodType.DAY: relativedelta(days=1),
    PeriodType.MONTH: relativedelta(months=1),
    PeriodType.YEAR: relativedelta(years=1),
}


def period_end(start, period_type, period_num, extra_days=0):
    """The end of `period_num` periods (and `extra_days` days) from `start`; None for a one-off purchase
    (no expiry)."""
    step = STEPS.get(period_type)
    if step is None or not period_num:
        return None
    return start + step * int(period_num) + timedelta(days=int(extra_days or 0))


def _lines(order):
    return list(OrderLine.objects.filter(order=order)
                .select_related("product__resource_type", "product__region", "product__size_measure", "size_measure",
                                "service_type")
                .order_by("id"))


def provision(order, *, now) -> list[str]:
    """Create or extend the order's resources; returns the ids of the resources created or extended."""
    lines = _lines(order)
    if order.order_type == OrderType.RENEW:
        return _extend(order, lines, now)
    return _create(order, lines, now)


def _spec(line) -> str:
    text = line.product.spec_name
    if line.resource_size:
        unit = line.size_measure or line.product.size_measure
        text += f"|{line.resource_size}{unit.name if unit else ''}"
    return text[:255]


def _create(order, lines, now) -> list[str]:
    mains = [line for line in lines if line.parent_line_id is None]
    subordinates = [line for line in lines if line.parent_line_id is not None]
    created: dict[int, list[str]] = {}
    rows = []
    for line in mains + subordinates:
        product = line.product
        period = line.charge_mode == ChargeMode.PERIOD
        expire = period_end(now, line.period_type, line.period_num, line.extra_days) if period else None
        parents = created.get(line.parent_line_id) or []
        ids = created.setdefault(line.pk, [])
        for index in range(line.subscription_num):
            resource_id = uuid.uuid4().hex
            ids.append(resource_id)
            rows.append(Resource(
                customer_id=order.customer_id, charging_mode=ChargingMode.PERIOD if period else ChargingMode.ON_DEMAND,
                resource_id=resource_id, resource_name=f"{product.resource_type.name}-{resource_id[:8]}"[:128],
                parent_resource_id=parents[index % len(parents)] if parents else "",
                is_main_resource=line.parent_line_id is None, service_type_code=line.service_type.code,
                service_type_name=line.service_type.name[:64], resource_type_code=product.resource_type.code,
                resource_type_name=product.resource_type.name[:64], region_code=product.region.code,
                availability_zone_code=f"{product.region.code}a", resource_spec_code=product.resource_spec,
                product_spec_desc=_spec(line), product_id=product.product_id, order_id=order.order_id,
                order_line_id=line.line_id,
                status=PeriodStatus.IN_USE if period else OnDemandStatus.NORMAL, expire_policy=0 if period else None,
                effective_time=now, expire_time=expire, updated_at=now,
            ))
        line.resource_id, line.effective_time, line.expire_time = ids[0] if len(ids) == 1 else "", now, expire
    OrderLine.objects.bulk_update(lines, ["resource_id", "effective_time", "expire_time"])
    Resource.objects.bulk_create(rows)
    return [row.resource_id for row in rows]


def _extend(order, lines, now) -> list[str]:
    named = {line.resource_id: line for line in lines}
    # The named resources and their subordinates locked in one statement, in pk order — the order every other
    # writer of a resource family takes (subscriptions/locks.py, the expiry run), so none waits in a cycle.
    family = list(Resource.objects.select_for_update(no_key=True).filter(
        Q(resource_id__in=list(named)) | Q(parent_resource_id__in=list(named)),
        customer_id=order.customer_id, charging_mode=ChargingMode.PERIOD).order_by("pk"))
    resources = {r.resource_id: r for r in family if r.resource_id in named}
    # Subordinates that move with their renewed main resource (those without a line of their own; a released
    # disk stays released).
    followers = [r for r in family if r.resource_id not in named and r.status != PeriodStatus.CLOSED]
    extended = []
    for resource_id, line in named.items():
        resource = resources.get(resource_id)
        if resource is None or resource.status == PeriodStatus.CLOSED:
            raise DomainError(TradeCodes.RESOURCE_RELEASED)
        start = max(resource.expire_time or now, now)
        expire = period_end(start, line.period_type, line.period_num, line.extra_days)
        for each in [resource] + [f for f in followers if f.parent_resource_id == resource_id]:
            Resource.objects.filter(pk=each.pk).update(expire_time=expire, status=PeriodStatus.IN_USE, updated_at=now)
            extended.append(each.resource_id)
        OrderLine.objects.filter(pk=line.pk).update(effective_time=start, expire_time=expire)
    return extended
