"""Paid orders and refunds as fee records (消费记录), and paid resource-package orders as resource packages.

**Orders.** Each line of a completed yearly/monthly order (trade) is one fee record, charging mode 1, bill
type by the order: 1 new purchase, 2 renewal — 8 when the scheduler's auto-renewal placed it (source 8
系统创建) — 3 change. Its official price, discount and amount are the line's (quantized when the order was
placed: no 抹零); how it was paid is the order's coupons (代金券, 现金券) and cash split over its lines in
proportion to their amounts, to the fen (`split`): each part's shares sum exactly to the order's part and
each line's shares to its amount. `trade_id` is the order id, `source_ref` the line id, `trans_id` the order
id when cash paid (the PURCHASE ledger entry's), `trade_time` the payment time; the attribution and the
cycle are those of the payment time (bills/rating.py's rules). Pay-per-use lines (开通, at 0.00) are skipped:
their usage is rated.

**Refunds.** Each RefundItem of an unsubscription (subscriptions.refunds) is one fee record of bill type 4 —
24 for a switch to pay-per-use — with every amount ≤ 0: official = consume = −refund, split like an order
over where the unsubscription's refund went (RefundPayouts: a coupon's part by its type — the part a coupon
could no longer take, FORFEITED, too — the balance's and the partner's account's as cash), at the
unsubscription's time. `source_ref` is "refund-<item pk>".

**Packages.** A paid NEW line of a resource-package product (Product.is_package) creates one ResourcePackage
(`order_line_id` unique): quota = package_quota × quantity, usage type, region and measure the product's,
valid over the line's period, first cycle from its effective time (monthly when resettable). A paid renewal
of its resource moves its expiry; an unsubscribed one is UNSUBSCRIBED.

**Idempotent, set-based.** `record_missing(up_to=…)` inserts what is missing for orders paid (and refunds made)
before `up_to`, in batches of orders: the missing rows are found with NOT EXISTS against the unique
(bill_type, source_ref) and `order_line_id`, and inserted in one statement per batch (ON CONFLICT DO NOTHING on
PostgreSQL, so a concurrent run inserts nothing twice). The rating task calls it every run; the month close
calls it before closing a month.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from decimal import ROUND_DOWN, Decimal

from django.db import connection, transaction
from django.db.models import CharField, Exists, OuterRef, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from catalog.choices import ChargeMode, PackageReset
from customers.models import Association, Resource
from partnercenter.money import FEN, ZERO
from subscriptions.choices import PayoutDestination
from subscriptions.models import RefundItem, RefundPayout
from trade.choices import OrderStatus, OrderType, Payer, SourceType
from trade.models import Order, OrderLine
from trade.provisioning import period_end
from vouchers.choices import CouponType

from . import closing, periods
from .choices import BillType, FeeStatus, PackageStatus
from .models import FeeRecord, ResourcePackage
from .packages import cycle_at
from .rating import association_at

__all__ = ["record_missing", "split", "ORDER_TYPES", "ORDER_BILL_TYPES", "REFUND_BILL_TYPES", "BATCH"]

log = logging.getLogger(__name__)

BATCH = 500  # orders (or unsubscriptions) per transaction
ORDER_TYPES = (OrderType.NEW, OrderType.RENEW, OrderType.CHANGE)
ORDER_BILL_TYPES = (BillType.NEW, BillType.RENEW, BillType.AUTO_RENEW, BillType.CHANGE)
REFUND_BILL_TYPES = (BillType.REFUND, BillType.TO_ON_DEMAND_REFUND)


def split(parts: list[Decimal], weights: list[Decimal]) -> list[list[Decimal]]:
    """Shares of each part (in fen) for each weight, in proportion to the weights: row i sums to weights[i],
    column j to parts[j] (sum(parts) == sum(weights), all ≥ 0). Each part in turn: its exact shares rounded
    down, capped by what the line has left, then the fen left over one each to the largest remainders, then
    any rest to the lines with room; the last part takes what is left of each line."""
    total = sum(weights, ZERO)
    room = list(weights)
    shares = [[ZERO] * len(parts) for _ in weights]
    for j, part in enumerate(parts):
        if j == len(parts) - 1:
            for i in range(len(weights)):
                shares[i][j], room[i] = room[i], ZERO
            break
        exact = [part * w / total if total else ZERO for w in weights]
        given = [min(e.quantize(FEN, rounding=ROUND_DOWN), room[i]) for i, e in enumerate(exact)]
        left = part - sum(given, ZERO)
        for i in sorted(range(len(weights)), key=lambda i: (-(exact[i] - given[i]), i)):
            if left <= 0:
                break
            if room[i] - given[i] >= FEN:
                given[i] += FEN
                left -= FEN
        for i in sorted(range(len(weights)), key=lambda i: (-(room[i] - given[i]), i)):
            if left <= 0:
                break
            take = min(room[i] - given[i], left)
            given[i] += take
            left -= take
        for i in range(len(weights)):
            shares[i][j] = given[i]
            room[i] -= given[i]
    return shares


class _Attribution:
    """The associations of a batch's customers, read once: who a charge at a moment belongs to."""

    def __init__(self, customer_ids):
        self.of: dict[int, list] = defaultdict(list)
        for association in Association.objects.filter(customer_id__in=list(customer_ids)).order_by(
                "-associated_on", "-pk"):
            self.of[association.customer_id].append(association)
        self.landings: dict[str, tuple[str, bool]] = {}

    def fields(self, customer_id, moment) -> dict:
        association = association_at(self.of.get(customer_id, ()), moment)
        cycle = periods.cycle_of(moment)
        if cycle not in self.landings:  # share-locked until the batch commits (see rating._Book.land)
            self.landings.update(closing.lock_landing([cycle]))
        cycle, late = self.landings[cycle]
        return {"customer_id": customer_id, "association_id": association.pk if association else None,
                "partner_id": association.partner_id if association else None, "bill_cycle": cycle,
                "is_adjustment": late}


def _insert(model, rows) -> int:
    if not rows:
        return 0
    if connection.vendor == "postgresql":  # a concurrent run may have inserted some: those are skipped
        model.objects.bulk_create(rows, ignore_conflicts=True)
    else:  # (SQLite's OR IGNORE would skip CHECK failures too; its writers are serialized anyway)
        model.objects.bulk_create(rows)
    return len(rows)


# ---------------------------------------------------------------------------------------------
# Orders
# ---------------------------------------------------------------------------------------------

def _bill_type(order) -> int:
    if order.order_type == OrderType.RENEW:
        return BillType.AUTO_RENEW if order.source_type == SourceType.SYSTEM else BillType.RENEW
    return BillType.CHANGE if order.order_type == OrderType.CHANGE else BillType.NEW


def _missing_lines():
    recorded = FeeRecord.objects.filter(bill_type__in=ORDER_BILL_TYPES, source_ref=OuterRef("line_id"))
    return OrderLine.objects.filter(order_id=OuterRef("pk"), charge_mode=ChargeMode.PERIOD).exclude(Exists(recorded))


def _order_fees(orders, lines_of, attribution, now) -> list[FeeRecord]:
    rows = []
    recorded = set(FeeRecord.objects.filter(
        bill_type__in=ORDER_BILL_TYPES, source_ref__in=[ln.line_id for lines in lines_of.values() for ln in lines])
        .values_list("source_ref", flat=True))
    for order in orders:
        lines = lines_of.get(order.pk, [])
        amounts = [line.amount_after_discount for line in lines]
        parts = [order.coupon_amount, order.flexipurchase_coupon_amount, order.cash_amount]
        if sum(amounts, ZERO) != sum(parts, ZERO):
            log.error("order %s: its lines (%s) and its payment (%s) differ; no fee records", order.order_id,
                      sum(amounts, ZERO), sum(parts, ZERO))
            continue
        bill_type = _bill_type(order)
        paid = order.payment_time or order.create_time
        base = attribution.fields(order.customer_id, paid)
        for line, (coupon, flexi, cash) in zip(lines, split(parts, amounts)):
            if line.charge_mode != ChargeMode.PERIOD or line.line_id in recorded:
                continue
            product = line.product
            rows.append(FeeRecord(
                **base, bill_type=bill_type, charging_mode=ChargeMode.PERIOD, status=FeeStatus.PAID,
                source_ref=line.line_id, trade_id=order.order_id, trade_time=paid,
                effective_time=line.effective_time or paid, expire_time=line.expire_time,
                service_type_id=line.service_type_id, resource_type_id=product.resource_type_id,
                region_id=product.region_id, product_id=product.pk, resource_id=line.resource_id,
                product_spec_desc=product.spec_name[:255], period_type=line.period_type, period_num=line.period_num,
                official_amount=line.official_amount, discount_amount=line.discount_amount,
                consume_amount=line.amount_after_discount, coupon_amount=coupon, flexipurchase_coupon_amount=flexi,
                cash_amount=cash, partner_paid=order.payer == Payer.PARTNER,
                trans_id=order.order_id if cash > 0 else "", created_at=now))
    return rows


def _orders_batch(up_to, now, after) -> tuple[list, int, int]:
    with transaction.atomic():
        orders = list(Order.objects.filter(status=OrderStatus.COMPLETED, order_type__in=ORDER_TYPES,
                                           payment_time__lt=up_to, pk__gt=after)
                      .filter(Exists(_missing_lines())).order_by("pk")[:BATCH])
        if not orders:
            return [], 0, 0
        lines_of = defaultdict(list)
        for line in OrderLine.objects.filter(order__in=orders).select_related("product").order_by("order_id", "id"):
            lines_of[line.order_id].append(line)
        fees = _order_fees(orders, lines_of, _Attribution({o.customer_id for o in orders}), now)
        inserted = _insert(FeeRecord, fees)
        made, extended = _packages(orders, lines_of, now)
    return [o.pk for o in orders], inserted, made + extended


# ---------------------------------------------------------------------------------------------
# Resource packages bought
# ---------------------------------------------------------------------------------------------

def _packages(orders, lines_of, now) -> tuple[int, int]:
    """The batch's package lines: NEW ones create their package (once per line), RENEW ones move its expiry."""
    new, renewed = [], []
    for order in orders:
        for line in lines_of.get(order.pk, []):
            if line.product.is_package and line.charge_mode == ChargeMode.PERIOD:
                (renewed if order.order_type == OrderType.RENEW else new).append((order, line))
    made = _new_packages(new, now) if new else 0
    return made, _renewed_packages(renewed) if renewed else 0


def _new_packages(pairs, now) -> int:
    existing = set(ResourcePackage.objects.filter(order_line_id__in=[line.line_id for _o, line in pairs])
                   .values_list("order_line_id", flat=True))
    rows = []
    for order, line in pairs:
        product = line.product
        start = line.effective_time or order.payment_time or order.create_time
        end = line.expire_time or period_end(start, line.period_type, line.period_num, line.extra_days)
        if line.line_id in existing:
            continue
        if product.usage_type_id is None or product.usage_measure_id is None or not end or end <= start:
            log.error("package line %s: the product has no usage type/unit or the line no period; no package",
                      line.line_id)
            continue
        quota = product.package_quota * line.subscription_num
        package = ResourcePackage(
            customer_id=order.customer_id, product=product, order_id=order.order_id, order_line_id=line.line_id,
            usage_type_id=product.usage_type_id, region_id=product.region_id, measure_id=product.usage_measure_id,
            original_amount=quota, remaining=quota, reset=product.package_reset or PackageReset.NOT_RESETTABLE,
            effective_time=start, expire_time=end, created_at=now,
            status=(PackageStatus.PENDING if start > now else PackageStatus.EXPIRED if end <= now
                    else PackageStatus.EFFECTIVE))
        package.cycle_start, package.cycle_end = cycle_at(package, start)  # later cycles: packages.move_to
        rows.append(package)
    return _insert(ResourcePackage, rows)


def _renewed_packages(pairs) -> int:
    """A renewal line names the package's resource; its package (bought by the resource's NEW line) now expires
    at the line's end (never earlier than it did)."""
    bought = dict(Resource.objects.filter(resource_id__in=[line.resource_id for _o, line in pairs])
                  .values_list("resource_id", "order_line_id"))
    moved = 0
    for _order, line in pairs:
        if line.expire_time and bought.get(line.resource_id):
            moved += ResourcePackage.objects.filter(order_line_id=bought[line.resource_id],
                                                    expire_time__lt=line.expire_time).update(
                expire_time=line.expire_time)
    return moved


# ---------------------------------------------------------------------------------------------
# Refunds
# ---------------------------------------------------------------------------------------------

def _refund_ref(pk) -> str:
    return f"refund-{pk}"


def _missing_refunds():
    recorded = FeeRecord.objects.filter(bill_type__in=REFUND_BILL_TYPES,
                                        source_ref=Concat(Value("refund-"), Cast(OuterRef("pk"), CharField())))
    return RefundItem.objects.exclude(Exists(recorded))


def _owner_at(attribution, customer_id, base_line) -> dict:
    """The association (and partner) the customer had when the refunded line was paid: for a line whose own fee
    record is not there (bought before fee records existed)."""
    order = base_line.order
    fields = attribution.fields(customer_id, order.payment_time or order.create_time)
    return {"association_id": fields["association_id"], "partner_id": fields["partner_id"]}


def _refund_parts(payouts) -> list[Decimal]:
    """[代金券, 现金券, cash] of an unsubscription's refund, as its payouts went."""
    coupon = flexi = cash = ZERO
    for payout in payouts:
        if payout.destination in (PayoutDestination.COUPON, PayoutDestination.FORFEITED) and payout.coupon_id:
            if payout.coupon.coupon_type == CouponType.FLEXI_COUPON:
                flexi += payout.amount
            else:
                coupon += payout.amount
        else:
            cash += payout.amount
    return [coupon, flexi, cash]


def _refunds_batch(up_to, now, after) -> tuple[list, int, int]:
    with transaction.atomic():
        order_ids = list(_missing_refunds().filter(order__create_time__lt=up_to, order_id__gt=after)
                         .order_by("order_id").values_list("order_id", flat=True).distinct()[:BATCH])
        if not order_ids:
            return [], 0, 0
        orders = {o.pk: o for o in Order.objects.filter(pk__in=order_ids)}
        items = defaultdict(list)
        for item in RefundItem.objects.filter(order_id__in=order_ids).select_related(
                "base_line__product", "base_line__order").order_by("order_id", "id"):
            items[item.order_id].append(item)
        payouts = defaultdict(list)
        for payout in RefundPayout.objects.filter(order_id__in=order_ids).select_related("coupon"):
            payouts[payout.order_id].append(payout)
        recorded = set(FeeRecord.objects.filter(
            bill_type__in=REFUND_BILL_TYPES,
            source_ref__in=[_refund_ref(i.pk) for found in items.values() for i in found]).values_list(
            "source_ref", flat=True))
        attribution = _Attribution({o.customer_id for o in orders.values()})
        charges = {ref: (association, partner, paid) for ref, association, partner, paid in FeeRecord.objects.filter(
            bill_type__in=ORDER_BILL_TYPES,
            source_ref__in=[i.base_line.line_id for found in items.values() for i in found]).values_list(
            "source_ref", "association_id", "partner_id", "partner_paid")}
        rows = []
        for order_id, found in items.items():
            order = orders[order_id]
            refunds = [item.refund for item in found]
            parts = _refund_parts(payouts[order_id])
            if sum(parts, ZERO) != sum(refunds, ZERO):  # the payouts are the refund's; a difference is cash's
                parts[2] += sum(refunds, ZERO) - sum(parts, ZERO)
            if parts[2] < 0:
                log.error("unsubscription %s: its payouts exceed its refund items; no fee records", order.order_id)
                continue
            bill_type = BillType.TO_ON_DEMAND_REFUND if order.order_type == OrderType.TO_ON_DEMAND else BillType.REFUND
            when = order.payment_time or order.create_time
            base = attribution.fields(order.customer_id, when)  # the month the refund lands in
            for item, (coupon, flexi, cash) in zip(found, split(parts, refunds)):
                if _refund_ref(item.pk) in recorded:
                    continue
                product = item.base_line.product
                # the refund belongs to whoever the charge it refunds belonged to (its partner's 客户消费 and bill),
                # not to the customer's partner at refund time
                charge = charges.get(item.base_line.line_id)
                if charge is not None:
                    owner = {"association_id": charge[0], "partner_id": charge[1], "partner_paid": charge[2]}
                else:
                    owner = {**_owner_at(attribution, order.customer_id, item.base_line),
                             "partner_paid": item.base_line.order.payer == Payer.PARTNER}
                rows.append(FeeRecord(
                    **{**base, **owner}, bill_type=bill_type, charging_mode=ChargeMode.PERIOD, status=FeeStatus.PAID,
                    source_ref=_refund_ref(item.pk), trade_id=order.order_id, trade_time=when,
                    effective_time=item.period_start, expire_time=item.period_end, service_type_id=item.service_type_id,
                    resource_type_id=product.resource_type_id, region_id=product.region_id, product_id=product.pk,
                    resource_id=item.resource_id, product_spec_desc=product.spec_name[:255],
                    period_type=item.base_line.period_type, period_num=item.base_line.period_num,
                    official_amount=-item.refund, consume_amount=-item.refund, coupon_amount=-coupon,
                    flexipurchase_coupon_amount=-flexi, cash_amount=-cash, created_at=now))
        inserted = _insert(FeeRecord, rows)
        ended = _unsubscribed_packages([i for found in items.values() for i in found])
    return order_ids, inserted, ended


def _unsubscribed_packages(items) -> int:
    """Packages whose resource was unsubscribed (its NEW line bought the package) are UNSUBSCRIBED."""
    lines = [item.base_line.line_id for item in items if item.base_line.product.is_package]
    if not lines:
        return 0
    bought = set(Resource.objects.filter(resource_id__in=[i.resource_id for i in items]).values_list(
        "order_line_id", flat=True)) | set(lines)
    return ResourcePackage.objects.filter(order_line_id__in=bought).exclude(
        status=PackageStatus.UNSUBSCRIBED).update(status=PackageStatus.UNSUBSCRIBED)


# ---------------------------------------------------------------------------------------------
# The entry point
# ---------------------------------------------------------------------------------------------

def record_missing(up_to=None, *, now=None) -> dict:
    """Fee records (and resource packages) for every completed order paid, and every refund made, before
    `up_to` (now by default) that has none yet. Idempotent; returns what it inserted."""
    now = now or timezone.now()
    up_to = up_to or now
    counts = {"orders": 0, "order_fees": 0, "packages": 0, "refunds": 0, "refund_fees": 0, "packages_ended": 0}
    after = 0  # keyset: an order that cannot be recorded (logged) is not read again in this run
    while True:
        done, fees, packages = _orders_batch(up_to, now, after)
        counts["orders"] += len(done)
        counts["order_fees"] += fees
        counts["packages"] += packages
        if len(done) < BATCH:
            break
        after = done[-1]
    after = 0
    while True:
        done, fees, ended = _refunds_batch(up_to, now, after)
        counts["refunds"] += len(done)
        counts["refund_fees"] += fees
        counts["packages_ended"] += ended
        if len(done) < BATCH:
            break
        after = done[-1]
    return counts
