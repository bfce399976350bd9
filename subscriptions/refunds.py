"""The refund of an unsubscription (退订) or of an instant switch to pay-per-use (即时转按需): what was paid
for a yearly/monthly resource and not used, minus the handling fee, paid back the way it was paid.

`plan()` only reads; `pay_out()` moves the money, inside the caller's transaction, after the caller took
the locks of subscriptions/locks.py and planned again under them.

**What was paid for a resource.** The main resource and each of its subordinates (a server's disks) has
its own paid lines, each a completed order's line:
- the NEW line that bought it (`Resource.order_line_id`): its share is the line's amount_after_discount
  divided by its subscription_num (a line that bought 3 servers bought each for a third), rounded down
  to the fen, the fen left over one each to the first units created (220.00 for 3: 73.34, 73.33, 73.33) —
  the shares add up to what the line cost;
- every RENEW line naming it (`OrderLine.resource_id`), whole;
minus the lines already refunded for that resource (a RefundItem names (line, resource) once).
Type 2 (only the renewals) takes only the RENEW lines not started yet (effective_time > now).

**Per line.** Its period is [effective_time, expire_time] of the line. With elapsed = now − start,
clamped to [0, period]:
    used   = share × elapsed / period,                       rounded half up to the fen
    fee    = (share − used) × service type's unsubscribe_fee_rate, rounded half up to the fen
    refund = share − used − fee
A renewal not started yet is not used at all; a period already over is used up (refund 0).

**Payouts, per base order.** R, the sum of the refunds of the base order's lines, goes back to the sources
that paid the order, in proportion: each coupon use u_c (OrderCoupon) gets floor(R × u_c / paid) to the
fen, where paid = what the order cost (its coupons + its cash); the cash part gets the rest. No source gets
back more than it paid minus what earlier refunds of the same base order already gave it (RefundPayouts);
an excess moves to the sources with room (cash first, then the coupons in pk order).
- A coupon's part goes back to the coupon (vouchers.spending.restore: COUPON) — unless the coupon can no
  longer take it (expired, reclaimed, over its face value), or the association with the partner that
  issued it, under which the order was paid, has ended since (the disassociation reclaims that partner's
  coupons; one used up then would otherwise come back to life): then that part is FORFEITED, not paid
  to anyone, and the payout names the coupon.
- The cash part goes to the partner's account (PARTNER_CASH) of `paying_partner` when the partner paid the
  order (余额支付); to the partner's account of `base_order.partner` when the customer paid it during a
  resale (代售) association with that partner that has since ended — its balance was the partner's money,
  reclaimed at the disassociation (退还至关联期间的伙伴账户); otherwise to the customer's balance
  (CUSTOMER_BALANCE).
Every cash movement is a LedgerEntry of trade type REFUND (billing.purchases), every coupon movement a
CouponRecord (vouchers.spending).

**Refused** (DomainError, nothing changed): a subordinate resource (NOT_MAIN_RESOURCE: it follows its
main resource), a released one (RELEASED), a savings-plan product (CBC.30000053), a base order whose VAT
invoice was issued (顾问销售 partner-paid, `invoiceable`: TradeCodes.INVOICED), type 2 without a renewal
that has not started (NOTHING_TO_REFUND).

**Worked example.** A customer with its own balance buys a server for one month at 73.70 on
2026-01-01 00:00 UTC (period until 2026-02-01 00:00, 31 days), paying 20.00 with a 代金券 and 53.70 from
its balance; its service type keeps a 10% handling fee. It unsubscribes (type 1) on 2026-01-11 12:00,
10.5 days in:
    used   = 73.70 × 10.5 / 31 = 24.9629…  → 24.96
    fee    = (73.70 − 24.96) × 0.10 = 4.874 → 4.87
    refund = 73.70 − 24.96 − 4.87          = 43.87
Payouts: the coupon gets floor(43.87 × 20.00 / 73.70) = floor(11.9050…) = 11.90 back; the balance the
rest, 43.87 − 11.90 = 31.97.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, localcontext

from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from billing import purchases
from catalog.models import Product, ServiceType
from customers.choices import AssociationType, PeriodStatus
from customers.models import Association, Resource
from partnercenter.errors import DomainError
from partnercenter.money import FEN, ZERO
from partnercenter.models import Partner
from trade.choices import OrderStatus, OrderType, Payer
from trade.errors import TradeCodes
from trade.models import Order, OrderCoupon, OrderLine
from vouchers import spending
from vouchers.choices import CouponStatus, CouponType
from vouchers.models import Coupon

from . import selectors
from .choices import PayoutDestination
from .errors import SubscriptionCodes
from .models import RefundItem, RefundPayout

__all__ = ["PlanItem", "Payout", "RefundPlan", "plan", "pay_out", "PaidOut"]

CASH = "cash"  # the cash source of a base order, beside its coupons (by coupon pk)


@dataclass
class PlanItem:
    """One paid line's share for one resource (becomes a RefundItem)."""

    base_order: Order
    base_line: OrderLine
    resource_id: str
    service_type: ServiceType
    period_start: datetime
    period_end: datetime
    paid: Decimal
    used: Decimal
    fee: Decimal
    refund: Decimal


@dataclass
class Payout:
    """One part of the refund (becomes a RefundPayout): COUPON/FORFEITED name the coupon (which of the two
    is foreseen here, and decided by `pay_out`), PARTNER_CASH the partner."""

    base_order: Order
    destination: str
    amount: Decimal
    partner: Partner | None = None
    coupon: Coupon | None = None


@dataclass
class RefundPlan:
    resource: Resource
    subordinates: list[Resource]
    unsubscribe_type: int | None
    items: list[PlanItem] = field(default_factory=list)
    payouts: list[Payout] = field(default_factory=list)
    new_expire_times: dict[str, datetime] = field(default_factory=dict)  # type 2: by resource id

    @property
    def resources(self) -> list[Resource]:
        return [self.resource] + list(self.subordinates)

    @property
    def total_refund(self) -> Decimal:
        return sum((item.refund for item in self.items), ZERO)

    @property
    def total_paid(self) -> Decimal:
        return sum((item.paid for item in self.items), ZERO)

    @property
    def total_used(self) -> Decimal:
        return sum((item.used for item in self.items), ZERO)

    @property
    def total_fee(self) -> Decimal:
        return sum((item.fee for item in self.items), ZERO)

    @property
    def new_expire_time(self) -> datetime | None:
        """Type 2: the main resource's expiry once its unstarted renewals are gone."""
        if not self.new_expire_times:
            return None
        return self.new_expire_times.get(self.resource.resource_id) or min(self.new_expire_times.values())

    @property
    def partner_pks(self) -> list[int]:
        return sorted({p.partner.pk for p in self.payouts if p.destination == PayoutDestination.PARTNER_CASH})

    @property
    def base_order_pks(self) -> list[int]:
        return sorted({item.base_order.pk for item in self.items})

    @property
    def coupon_pks(self) -> list[int]:
        return sorted({p.coupon.pk for p in self.payouts if p.coupon is not None})

    @property
    def new_order(self) -> Order | None:
        """The order that bought the main resource (the unsubscription's base order)."""
        for item in self.items:
            if item.base_line.line_id == self.resource.order_line_id:
                return item.base_order
        line = OrderLine.objects.filter(line_id=self.resource.order_line_id).select_related("order").first() \
            if self.resource.order_line_id else None
        return line.order if line else None


# ---------------------------------------------------------------------------------------------
# The arithmetic
# ---------------------------------------------------------------------------------------------

def _micro(delta: timedelta) -> int:
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def used_share(share: Decimal, start, end, now) -> Decimal:
    """share × elapsed/period, elapsed clamped to [0, period], rounded half up to the fen."""
    period = end - start
    if period <= timedelta(0):
        return share
    elapsed = min(max(now - start, timedelta(0)), period)
    with localcontext() as context:
        context.prec = 60
        used = share * _micro(elapsed) / _micro(period)
    return used.quantize(FEN, rounding=ROUND_HALF_UP)


def _item(line, resource_id, share, now) -> PlanItem:
    used = used_share(share, line.effective_time, line.expire_time, now)
    fee = ((share - used) * line.service_type.unsubscribe_fee_rate).quantize(FEN, rounding=ROUND_HALF_UP)
    return PlanItem(base_order=line.order, base_line=line, resource_id=resource_id, service_type=line.service_type,
                    period_start=line.effective_time, period_end=line.expire_time, paid=share, used=used, fee=fee,
                    refund=share - used - fee)


def _unit_shares(line) -> dict[str, Decimal]:
    """{resource id: its share of a purchase line}: the amount divided by the units, rounded down to the fen,
    and the fen left over one each to the first units (in the order they were created), so the shares add up
    to what the line cost. One statement for a line of several units."""
    if line.subscription_num == 1:
        return defaultdict(lambda: line.amount_after_discount)
    share = (line.amount_after_discount / line.subscription_num).quantize(FEN, rounding=ROUND_DOWN)
    left = int((line.amount_after_discount - share * line.subscription_num) / FEN)
    units = Resource.objects.filter(order_line_id=line.line_id).order_by("pk").values_list("resource_id", flat=True)
    return defaultdict(lambda: share, {rid: share + FEN for rid in list(units)[:left]})


def _items(resources, *, renewals_only, now) -> list[PlanItem]:
    ids = [r.resource_id for r in resources]
    bought_by = defaultdict(list)
    for resource in resources:
        if resource.order_line_id:
            bought_by[resource.order_line_id].append(resource.resource_id)
    renewals = Q(order__order_type=OrderType.RENEW, resource_id__in=ids)
    if renewals_only:
        query = renewals & Q(effective_time__gt=now)
    else:
        query = renewals | Q(line_id__in=list(bought_by)) if bought_by else renewals
    lines = (OrderLine.objects.filter(query, order__status=OrderStatus.COMPLETED)
             .select_related("order__partner", "order__paying_partner", "service_type", "product__resource_type",
                             "product__region")
             .order_by("order_id", "id"))
    refunded = set(RefundItem.objects.filter(resource_id__in=ids).values_list("base_line_id", "resource_id"))
    items = []
    for line in lines:
        if line.effective_time is None or line.expire_time is None:
            continue  # not a period line: nothing paid for a time
        if line.order.order_type == OrderType.RENEW and line.resource_id in ids:
            named = [(line.resource_id, line.amount_after_discount)]
        else:
            named = [(resource_id, _unit_shares(line)[resource_id]) for resource_id in bought_by.get(line.line_id, ())]
        items += [_item(line, resource_id, share, now) for resource_id, share in named
                  if (line.pk, resource_id) not in refunded]
    return items


# ---------------------------------------------------------------------------------------------
# Where the money goes
# ---------------------------------------------------------------------------------------------

def _split(refund, paid_total, sources) -> dict:
    """{source: amount}: coupons floor(refund × paid/paid_total), cash the rest, each within its room;
    `sources` is [(key, paid, room)] with the cash last."""
    shares = {}
    for key, paid, _room in sources[:-1]:
        shares[key] = (refund * paid / paid_total).quantize(FEN, rounding=ROUND_DOWN) if paid_total else ZERO
    shares[CASH] = refund - sum(shares.values(), ZERO)
    rooms = {key: room for key, _paid, room in sources}
    excess = ZERO
    for key in shares:
        if shares[key] > rooms[key]:
            excess += shares[key] - rooms[key]
            shares[key] = rooms[key]
    for key in [CASH] + [key for key, _p, _r in sources[:-1]]:
        take = min(rooms[key] - shares[key], excess)
        if take > 0:
            shares[key] += take
            excess -= take
    if excess > 0:  # the order's sources cannot take it: the data changed under us
        raise DomainError(SubscriptionCodes.PLAN_CHANGED)
    return shares


def _held_when_paid(order, partner_id, associations):
    """The customer's association with `partner_id` when `order` was paid, or None."""
    paid_at = order.payment_time or order.create_time
    for a in associations:
        if a.partner_id == partner_id and a.associated_on <= paid_at and (a.ended_on is None or a.ended_on > paid_at):
            return a
    return None


def _paid_during_resale(order, associations) -> bool:
    held = _held_when_paid(order, order.partner_id, associations)
    return held is not None and held.association_type == AssociationType.RESALE


def _cash_destination(order, associations):
    """(destination, partner) of a base order's cash part; see the module's rules."""
    if order.payer == Payer.PARTNER and order.paying_partner_id:
        return PayoutDestination.PARTNER_CASH, order.paying_partner
    if order.partner_id and _paid_during_resale(order, associations):
        current = [a for a in associations if a.ended_on is None]
        still = any(a.partner_id == order.partner_id and a.association_type == AssociationType.RESALE for a in current)
        if not still:
            return PayoutDestination.PARTNER_CASH, order.partner
    return PayoutDestination.CUSTOMER_BALANCE, None


def _restorable(coupon, amount, given, order, associations, now) -> bool:
    held = _held_when_paid(order, coupon.partner_id, associations)
    return (held is not None and held.ended_on is None
            and coupon.status in (CouponStatus.EFFECTIVE, CouponStatus.USED) and coupon.expire_time > now
            and coupon.balance + given + amount <= coupon.face_value)


def _payouts(items, customer, now) -> list[Payout]:
    refunds, orders = defaultdict(lambda: ZERO), {}
    for item in items:
        refunds[item.base_order.pk] += item.refund
        orders[item.base_order.pk] = item.base_order
    due = [pk for pk in orders if refunds[pk] > 0]
    if not due:
        return []
    uses = defaultdict(list)
    for use in OrderCoupon.objects.filter(order_id__in=due).select_related("coupon").order_by("order_id", "coupon_id"):
        uses[use.order_id].append(use)
    earlier = defaultdict(lambda: ZERO)
    for row in (RefundPayout.objects.filter(base_order_id__in=due).values("base_order_id", "coupon_id")
                .annotate(total=Sum("amount")).order_by()):
        earlier[(row["base_order_id"], row["coupon_id"] or CASH)] += row["total"]
    associations = list(Association.objects.filter(customer=customer))
    payouts, given = [], defaultdict(lambda: ZERO)
    for pk in sorted(due):
        order = orders[pk]
        sources = [(use.coupon.pk, use.amount, use.amount - earlier[(pk, use.coupon.pk)]) for use in uses[pk]]
        sources.append((CASH, order.cash_amount, order.cash_amount - earlier[(pk, CASH)]))
        paid_total = sum((paid for _k, paid, _r in sources), ZERO)
        shares = _split(refunds[pk], paid_total, sources)
        coupons = {use.coupon.pk: use.coupon for use in uses[pk]}
        for key, amount in shares.items():
            if amount <= 0:
                continue
            if key == CASH:
                destination, partner = _cash_destination(order, associations)
                payouts.append(Payout(base_order=order, destination=destination, amount=amount, partner=partner))
                continue
            coupon = coupons[key]
            restorable = _restorable(coupon, amount, given[key], order, associations, now)
            given[key] += amount if restorable else ZERO
            payouts.append(Payout(base_order=order, amount=amount, coupon=coupon, destination=(
                PayoutDestination.COUPON if restorable else PayoutDestination.FORFEITED)))
    return payouts


# ---------------------------------------------------------------------------------------------
# The plan
# ---------------------------------------------------------------------------------------------

def _refuse_resource(resource) -> None:
    if not resource.is_main_resource:
        raise DomainError(SubscriptionCodes.NOT_MAIN_RESOURCE)
    if resource.status == PeriodStatus.CLOSED:
        raise DomainError(SubscriptionCodes.RELEASED)
    if resource.product_id and Product.objects.filter(product_id=resource.product_id, is_savings_plan=True).exists():
        raise DomainError(SubscriptionCodes.SAVINGS_PLAN)


def plan(resource, *, unsubscribe_type: int | None, now, subordinates=None) -> RefundPlan:
    """What unsubscribing `resource` (type 1 or 2; None: an instant switch to pay-per-use, refunded like
    type 1 without closing it) would refund, item by item, and where the money would go. Reads only;
    raises the documented refusals. `subordinates`: already read (locked) by the caller."""
    _refuse_resource(resource)
    if subordinates is None:
        subordinates = list(selectors.subordinates_of(resource))
    result = RefundPlan(resource=resource, subordinates=list(subordinates), unsubscribe_type=unsubscribe_type)
    renewals_only = unsubscribe_type == 2
    result.items = _items(result.resources, renewals_only=renewals_only, now=now)
    invoiced = {item.base_order.order_id for item in result.items
                if item.base_order.invoiceable and item.base_order.vat_invoice_issued_at is not None}
    if invoiced:
        raise DomainError(TradeCodes.INVOICED, _("A VAT invoice was issued for order %(id)s: it can no longer be "
                                                 "unsubscribed.") % {"id": sorted(invoiced)[0]})
    if renewals_only:
        if not result.items:
            raise DomainError(SubscriptionCodes.NOTHING_TO_REFUND)
        for item in result.items:
            known = result.new_expire_times.get(item.resource_id)
            result.new_expire_times[item.resource_id] = min(known, item.period_start) if known else item.period_start
    result.payouts = _payouts(result.items, resource.customer_id, now)
    return result


# ---------------------------------------------------------------------------------------------
# Paying it out (inside the caller's transaction, under its locks)
# ---------------------------------------------------------------------------------------------

@dataclass
class PaidOut:
    """What `pay_out` moved: the payouts as made (COUPON or FORFEITED decided by the coupon), and the sums
    an order records (代金券, 现金券, cash)."""

    payouts: list[Payout]
    coupon_amount: Decimal = ZERO
    flexipurchase_coupon_amount: Decimal = ZERO
    cash_amount: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return self.coupon_amount + self.flexipurchase_coupon_amount + self.cash_amount


def pay_out(refund_plan: RefundPlan, *, customer, order_id: str, coupons: dict, operator: str, now) -> PaidOut:
    """Move the plan's money: restore the coupons (`coupons`: the locked coupons by pk), credit the
    balances (a LedgerEntry each). `order_id` names the unsubscription order on every record."""
    done = PaidOut(payouts=[])
    for payout in refund_plan.payouts:
        if payout.coupon is not None:
            coupon = coupons.get(payout.coupon.pk)
            if coupon is None:
                raise DomainError(SubscriptionCodes.PLAN_CHANGED)
            # planned under the locks: a part foreseen FORFEITED stays so; a restore refused is forfeited too
            restored = payout.destination == PayoutDestination.COUPON and spending.restore(
                coupon, payout.amount, order_id=order_id, operator=operator, now=now)
            payout.coupon = coupon
            payout.destination = PayoutDestination.COUPON if restored else PayoutDestination.FORFEITED
            if restored and coupon.coupon_type == CouponType.FLEXI_COUPON:
                done.flexipurchase_coupon_amount += payout.amount
            elif restored:
                done.coupon_amount += payout.amount
        elif payout.destination == PayoutDestination.PARTNER_CASH:
            purchases.refund_to_partner_cash(payout.partner, payout.amount, trans_id=order_id,
                                             counterparty=customer.domain_id)
            done.cash_amount += payout.amount
        else:
            purchases.refund_to_customer_balance(customer, payout.amount, trans_id=order_id,
                                                 counterparty=payout.base_order.order_id)
            done.cash_amount += payout.amount
        done.payouts.append(payout)
    return done
