"""Renewing yearly/monthly resources by hand (续订: renew, the fee center's 续费管理, a partner holding the
customer's authorization) — and the machinery the auto-renew run (autorenew.run_due) places its orders with.

Rules decided here:
- **Who.** A customer renews its own resources; a partner's member or key only for a customer of its book
  when it holds `orders.place` and the customer's 代客运维 grant is valid now (customers.services.
  ordering_authorization on the current association, the rule of 代客下单) — otherwise CBC.99008006. For
  a partner `customer_id` is required. trade.services.place_order asks again under the association's lock.
- **What.** 1–10 main resource ids, each once; `period_type` 2 (months, 1–11) or 3 (years, 1–3): CBC.0100
  otherwise, and nothing is ordered. Each main resource is renewed with its subordinates (a server with its
  disks) that are not released, for the same period ("续费周期" as asked).
- **Refused per resource** (a `Failure` row, the others still proceed): not the customer's (CBC.0156), a
  subordinate resource (SubscriptionCodes.NOT_MAIN_RESOURCE), released (RELEASED), no longer billed
  yearly/monthly (WRONG_STATE), a pending renewal order already naming it (RENEWAL_PENDING: pay or cancel
  that one first — two unpaid renewals would extend it twice), or what the renewal rating refuses
  (trade.pricing_renewal.rate_renewal: no catalogue product, a size not known …).
- **One order.** The accepted resources go into ONE 续订 order (trade.services.place_order, order type 2,
  one line per main and subordinate resource, priced by the renewal rating's products and sizes), placed
  by the actor — so its source is the customer's (1), the partner's (2, 代客下单) or the scheduler's (8).
  A customer whose balance is zero or less cannot renew (CBC.99008003, from place_order, for the request).
- **Paying.** The order is paid like any order (trade.services: balance, coupons, the partner's 余额支付).
  `auto_pay` (the customer only; the API's is_auto_pay) pays it at once from the balance, no coupons; when
  that is refused, the order stays pending (nothing half-done) and each of its main resources gets a
  Failure with the payment's code. Paying extends the expiry (trade/provisioning.py).
- **The unified expiry day** (续费后资源统一到期日: renew/config EXPIRE_DATE, RenewConfig.expire_day 1–28, or -1
  for the month's last day; None: not set). When the order is placed (by hand, from the API, the pages, or
  the scheduler's auto-renewal — all through `place_renewal`) and the customer has one, each line (the main
  resource and each subordinate, each from its own expiry) is moved on: its natural new expiry — the
  current expiry, or now if it already expired, plus the period (trade.provisioning.period_end) — moves
  forward to the first date, in Beijing time (Asia/Shanghai), on or after it whose day of the month is
  expire_day (-1: the last day of that month), at the same time of day. `extra_days` (0–30) is the whole
  days moved; it is stored on the order line (OrderLine.extra_days) and paying extends the resource by the
  period plus those days. The days are charged by the day: a thirtieth of the resource's one-month renewal
  price, with its partner discount, per day (trade/pricing.py "Extra days"), added to the line before it
  is quantized to the fen like every line. Without the setting nothing changes (extra_days 0).
  Example: a server (73.70 a month) expiring 2026-03-10 10:00, renewed for one month with expire_day 15:
  natural expiry 2026-04-10 10:00 → 2026-04-15 10:00, extra_days 5, charged 73.70 + 73.70 × 5 / 30 =
  73.70 + 12.2833… = 85.98. With expire_day -1 it would end 2026-04-30 10:00 (20 days, 122.83); a resource
  whose natural expiry is already on the day is not moved (0 days).
"""

import calendar
from dataclasses import replace
from datetime import date
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.choices import PeriodType
from customers.choices import ChargingMode, PeriodStatus
from customers.models import Resource
from customers.selectors import customer_for
from customers.services import ordering_authorization
from partnercenter.errors import MESSAGES, Codes, DomainError
from partnercenter.oplog import operation
from trade import common as trade_common
from trade import services as trade_services
from trade.choices import OrderType
from trade.errors import TradeCodes
from trade.models import OrderLine
from trade.pricing import RENEWAL_PERIOD_LIMITS, rate
from trade.pricing_renewal import RenewalRating, RenewalResult, rate_renewal
from trade.provisioning import period_end

from . import selectors
from .errors import SubscriptionCodes
from .models import RenewConfig
from .outcomes import Failure, RenewOutcome

__all__ = ["MAX_RESOURCES", "renew", "customer_of", "authorize_for", "main_resource", "ensure_live_main", "lock_families",
           "set_policy", "resource_id_list", "check_renewable", "place_renewal", "failure", "extra_days",
           "to_unified_expiry", "with_unified_expiry", "quote"]

MAX_RESOURCES = 10  # "最多10个资源ID"
LOCAL_TIME = ZoneInfo("Asia/Shanghai")  # the day of the month is Beijing's


def failure(resource_id, code, message=None) -> Failure:
    return Failure(str(resource_id), code, str(message if message is not None else MESSAGES.get(code, code)))


# ---------------------------------------------------------------------------------------------
# Who acts for which customer
# ---------------------------------------------------------------------------------------------

def authorize_for(actor, customer) -> None:
    """The actor may act on `customer`'s resources: the customer itself, or its partner with `orders.place`
    and a valid 代客运维 grant (CBC.99008006 otherwise)."""
    if actor.is_customer:
        if actor.customer.pk != customer.pk:
            raise DomainError(Codes.NOT_FOUND, _("The resource does not exist."))
        return
    if not actor.is_partner:
        raise DomainError(Codes.FORBIDDEN)
    if not actor.has_perm("orders.place") or ordering_authorization(
            trade_common.current_association(customer)) is None:
        raise DomainError(TradeCodes.NOT_AUTHORIZED_TO_ORDER)


def customer_of(actor, customer_id=None):
    """The customer the actor acts for: its own (a customer; `customer_id` may repeat it), or the customer of
    the partner's book `customer_id` names (required), authorized as authorize_for says."""
    if actor.is_customer:
        if customer_id and str(customer_id) != actor.customer.domain_id:
            raise DomainError(Codes.NOT_FOUND, _("The customer does not exist."))
        return actor.customer
    if not actor.is_partner:
        raise DomainError(Codes.FORBIDDEN)
    if not customer_id:
        raise DomainError(Codes.PARAMETER, _("Please name the customer."))
    customer = customer_for(actor, str(customer_id))
    if customer is None:
        raise DomainError(Codes.NOT_FOUND, _("The customer does not exist."))
    authorize_for(actor, customer)
    return customer


# ---------------------------------------------------------------------------------------------
# The resource named, and its family (the main resource and its subordinates)
# ---------------------------------------------------------------------------------------------

def main_resource(actor, resource_id, customer_id=None) -> Resource:
    resource = selectors.resource_for(actor, resource_id)
    if resource is None or (customer_id and resource.customer.domain_id != str(customer_id)):
        raise DomainError(Codes.NOT_FOUND, _("The resource does not exist."))
    authorize_for(actor, resource.customer)
    ensure_live_main(resource)
    return resource


def ensure_live_main(resource) -> None:
    if not resource.is_main_resource:
        raise DomainError(SubscriptionCodes.NOT_MAIN_RESOURCE)
    if resource.status == PeriodStatus.CLOSED or resource.charging_mode != ChargingMode.PERIOD:
        raise DomainError(SubscriptionCodes.RELEASED)


def lock_families(mains) -> dict[int, list[Resource]]:
    """The main resources and their yearly/monthly subordinates, locked in pk order (the last step of
    trade/locks.py); by main pk, the main resource first, as they are now."""
    if not mains:
        return {}
    by_rid = {(m.customer_id, m.resource_id): m.pk for m in mains}
    condition = Q(pk__in=[m.pk for m in mains])
    for main in mains:
        condition |= Q(customer_id=main.customer_id, charging_mode=ChargingMode.PERIOD,
                       parent_resource_id=main.resource_id)
    families = {m.pk: [] for m in mains}
    rows = list(Resource.objects.select_for_update(no_key=True).filter(condition).order_by("pk"))
    for row in sorted(rows, key=lambda r: r.pk not in families):
        owner = row.pk if row.pk in families else by_rid.get((row.customer_id, row.parent_resource_id))
        if owner is not None:
            families[owner].append(row)
    return families


def set_policy(family, policy, *, now, where=None) -> None:
    rows = Resource.objects.filter(pk__in=[r.pk for r in family])
    if where is not None:
        rows = rows.filter(expire_policy=where)
    rows.update(expire_policy=policy, updated_at=now)


# ---------------------------------------------------------------------------------------------
# Arguments
# ---------------------------------------------------------------------------------------------

def resource_id_list(resource_ids, *, limit) -> list[str]:
    """1–`limit` resource ids, each a non-empty string of at most 64 characters, each once (CBC.0100)."""
    if isinstance(resource_ids, str):
        resource_ids = [resource_ids]
    ids = [str(rid).strip() for rid in (resource_ids or ())]
    if not ids or len(ids) > limit or not all(ids) or any(len(rid) > 64 for rid in ids) or len(set(ids)) != len(ids):
        raise DomainError(Codes.PARAMETER, _("Name 1 to %(n)d different resources.") % {"n": limit})
    return ids


def _period(period_type, period_num) -> tuple[int, int]:
    try:
        period_type, period_num = int(period_type), int(period_num)
    except (TypeError, ValueError):
        raise DomainError(Codes.PARAMETER, _("The period is not valid.")) from None
    limit = RENEWAL_PERIOD_LIMITS.get(period_type)
    if period_type not in (PeriodType.MONTH, PeriodType.YEAR) or limit is None or not 1 <= period_num <= limit:
        raise DomainError(Codes.PARAMETER, _("Renew for 1 to 11 months or 1 to 3 years."))
    return period_type, period_num


# ---------------------------------------------------------------------------------------------
# Which resources can be renewed, and the order
# ---------------------------------------------------------------------------------------------

def check_renewable(customer, resource_ids) -> tuple[list[str], list[Failure]]:
    """(the ids that may be renewed, the refusals) — see the module's rules. Three statements."""
    found = {}
    for resource in Resource.objects.filter(customer=customer, resource_id__in=list(resource_ids)).order_by(
            "charging_mode"):  # "on_demand" < "period": a yearly/monthly row wins
        found[resource.resource_id] = resource
    pending = set(OrderLine.objects.filter(order__in=[o.pk for o in selectors.pending_orders_naming(
        customer, resource_ids)], resource_id__in=list(resource_ids)).values_list("resource_id", flat=True))
    accepted, failures = [], []
    for rid in resource_ids:
        resource = found.get(rid)
        if resource is None:
            failures.append(failure(rid, Codes.NOT_FOUND, _("The resource does not exist.")))
        elif resource.charging_mode != ChargingMode.PERIOD:
            failures.append(failure(rid, SubscriptionCodes.WRONG_STATE,
                                    _("The resource is no longer billed yearly/monthly.")))
        elif not resource.is_main_resource:
            failures.append(failure(rid, SubscriptionCodes.NOT_MAIN_RESOURCE))
        elif resource.status == PeriodStatus.CLOSED:
            failures.append(failure(rid, SubscriptionCodes.RELEASED))
        elif rid in pending:
            failures.append(failure(rid, SubscriptionCodes.RENEWAL_PENDING))
        else:
            accepted.append(rid)
    return accepted, failures


def extra_days(natural_end, expire_day) -> int:
    """The whole days from `natural_end` to the first date (Beijing time) on or after it whose day of the
    month is `expire_day` (1–28; -1: the month's last day); 0 when not set. E.g. 2026-04-10 10:00 with 15 → 5,
    with -1 → 20; 2026-04-20 with 15 → 25 (2026-05-15)."""
    if not expire_day or natural_end is None:
        return 0
    day = timezone.localtime(natural_end, LOCAL_TIME).date()

    def target(year, month):
        return date(year, month, calendar.monthrange(year, month)[1] if expire_day == -1 else int(expire_day))

    moved = target(day.year, day.month)
    if moved < day:
        moved = target(day.year + 1, 1) if day.month == 12 else target(day.year, day.month + 1)
    return (moved - day).days


def _moved(customer, items, expire_day, *, period_type, period_num, now=None) -> list:
    now = now or timezone.now()
    expiries = dict(Resource.objects.filter(customer=customer, charging_mode=ChargingMode.PERIOD,
                                            resource_id__in=[item.id for item in items])
                    .values_list("resource_id", "expire_time"))
    return [replace(item, extra_days=extra_days(period_end(max(expiries.get(item.id) or now, now), period_type,
                                                           period_num), expire_day))
            for item in items]


def to_unified_expiry(customer, items, *, period_type, period_num, now=None) -> list:
    """The renewal's items (trade.pricing.Item, one per resource, `id` its resource id) with their
    `extra_days` to the customer's unified expiry day (see the module's rules); unchanged when it has none.
    Two statements (the setting, the resources' expiries) when it has one."""
    expire_day = RenewConfig.objects.filter(customer=customer).values_list("expire_day", flat=True).first()
    if not expire_day:
        return list(items)
    return _moved(customer, items, expire_day, period_type=period_type, period_num=period_num, now=now)


def with_unified_expiry(rating: RenewalRating, *, period_type, period_num, now=None) -> RenewalRating:
    """A renewal rating (trade.pricing_renewal) as the renewal order will charge it: the lines of each
    customer that has a unified expiry day moved on to it (`to_unified_expiry`) and rated again with their
    extra days and that customer's partner discount (trade.pricing.rate), as place_order will. Results keep
    their order; a customer without the setting is left as rated. One statement for the settings of all the
    rating's customers, then two or three per customer that has one. Registered with trade's renew-rate
    (trade.api.rating.register_renewal_adjuster), so the API's price is the order's."""
    customers = {result.resource.customer_id: result.resource.customer for result in rating.results}
    if not customers:
        return rating
    days = dict(RenewConfig.objects.filter(customer_id__in=list(customers), expire_day__isnull=False)
                .values_list("customer_id", "expire_day"))
    moved = {}  # result index → its lines rated with their extra days
    for customer_pk, expire_day in days.items():
        if not expire_day:
            continue
        mine = [(n, result) for n, result in enumerate(rating.results) if result.resource.customer_id == customer_pk]
        items = _moved(customers[customer_pk], [line.item for _n, result in mine for line in result.lines],
                       expire_day, period_type=period_type, period_num=period_num, now=now)
        if not any(item.extra_days for item in items):
            continue
        rated = iter(rate(items, customer=customers[customer_pk]))
        moved.update({n: tuple(next(rated) for _line in result.lines) for n, result in mine})
    if not moved:
        return rating
    return RenewalRating(tuple(RenewalResult(result.resource, moved.get(n, result.lines))
                               for n, result in enumerate(rating.results)), rating.failures)


def quote(customer, *, resource_ids, period_type, period_num, resources=None) -> RenewalRating:
    """What a renewal order of these main resources (with their subordinates) will cost, for a page's price
    before the order is placed: trade.pricing_renewal.rate_renewal, each line with its extra days to the
    customer's unified expiry day (`line.item.extra_days`) and rated with them, as place_order will."""
    rating = rate_renewal(customer, resource_ids=list(resource_ids), period_type=period_type, period_num=period_num,
                          include_relative=True, resources=resources)
    return with_unified_expiry(rating, period_type=period_type, period_num=period_num)


def place_renewal(actor, customer, resource_ids, *, period_type, period_num):
    """(the renewal order of `resource_ids` with their live subordinates, or None; the rating's refusals).
    Each line carries its days to the customer's unified expiry day (`to_unified_expiry`). A refusal of the
    whole order (balance, authorization) is raised by place_order."""
    rating = rate_renewal(customer, resource_ids=list(resource_ids), period_type=period_type, period_num=period_num,
                          include_relative=True,
                          resources=Resource.objects.filter(customer=customer).exclude(status=PeriodStatus.CLOSED))
    failures = [failure(f.resource_id, f.code, f.message) for f in rating.failures]
    items = [line.item for result in rating.results for line in result.lines]
    if not items:
        return None, failures
    items = to_unified_expiry(customer, items, period_type=period_type, period_num=period_num)
    order = trade_services.place_order(actor, customer_id=customer.domain_id, items=items,
                                       order_type=OrderType.RENEW, resource_ids=[item.id for item in items])
    return order, failures


def renew(actor, *, customer_id=None, resource_ids, period_type, period_num, auto_pay=False) -> RenewOutcome:
    """续订包年/包月资源: one renewal order for the accepted main resources (see the module's rules)."""
    ids = resource_id_list(resource_ids, limit=MAX_RESOURCES)
    period_type, period_num = _period(period_type, period_num)
    customer = customer_of(actor, customer_id)
    if auto_pay and not actor.is_customer:
        raise DomainError(Codes.PARAMETER, _("Only the customer pays a renewal automatically from its balance."))
    accepted, failures = check_renewable(customer, ids)
    outcome = RenewOutcome(order=None, failures=failures)
    if not accepted:
        return outcome
    association = trade_common.current_association(customer)
    detail = {"resource_ids": ids, "period_type": period_type, "period_num": period_num, "auto_pay": bool(auto_pay)}
    with operation(actor, "subscription.renew", target=customer, detail=detail,
                   partner=association.partner if association else None) as entry:
        order, refused = place_renewal(actor, customer, accepted, period_type=period_type, period_num=period_num)
        outcome.failures += refused
        outcome.order = order
        if order is not None and auto_pay:
            try:  # pay_order runs in its own savepoint (oplog.operation): a refusal leaves the order placed
                outcome.order = trade_services.pay_order(actor, order_id=order.order_id)
            except DomainError as exc:  # the order stays pending: the customer pays it later, or cancels it
                unpaid = [rid for rid in accepted if rid not in {f.resource_id for f in refused}]
                outcome.failures += [failure(rid, exc.code, exc.message) for rid in unpaid]
                entry.detail["payment_error"] = exc.code
        entry.detail.update(order_id=order.order_id if order else None,
                            failures=[[f.resource_id, f.code] for f in outcome.failures][:20])
    return outcome
