"""Every write of orders: placing (a customer for itself, or its partner on its behalf: 代客下单),
cancelling (by hand, or by the scheduler once the payment window passed), 云商店交易调价 and the VAT
invoice record; paying (payment.py) is re-exported here, so `trade.services` is the one entry point.

Rules decided here:
- **Who orders.** A customer (its user or its access key) for itself, or the scheduler for it (an
  auto-renewal: `Actor(SCHEDULER, customer=…)`, source 8 系统创建); a partner's member or key holding
  `orders.place` for a resale (代售) customer of its book that granted 代客运维 and whose grant is still
  valid (customers.services.ordering_authorization) — checked again once the association is locked, so
  an order never outlives the grant. Otherwise CBC.99008006.
- **账户余额小于等于0时，不允许客户购买.** A customer whose balance is zero or less cannot buy or renew: it
  cannot place an order for itself, nor open pay-per-use resources (billed to its balance later)
  — CBC.99008003. Not asked of a 代客下单 of yearly/monthly resources (the partner may pay it: 余额支付)
  nor of a referral (顾问销售) customer's own order (it pays the cloud directly, or asks its partner to);
  paying from the balance asks it again (payment.pay_order).
- **客户欠费.** A customer in arrears (`Customer.in_debt`: consumption its balance did not cover, bills'
  deduction) orders nothing — for itself, by its partner or by the scheduler — until the arrears are paid:
  CBC.99008017, checked before and again once the association is locked. Paying is refused too (payment.py).
- **Amounts.** Each line is priced by `trade.pricing.rate(...)` and quantized once, `.in_fen()`; the
  order's amounts are the sums of its lines, its discount rows (607) those of the lines. A
  yearly/monthly order waits for payment until `pending_payment_end_time` (now +
  settings.TRADE_PAYMENT_WINDOW). Pay-per-use products are not paid up front: their order (开通) is
  completed at once, at 0.00, and opens the resources; usage is billed to the balance afterwards.
- **Lines.** A new purchase's first item is its main product; further items of another resource type
  are its subordinates (a server's disk and bandwidth), items of the same type further main lines. A
  renewal names one period resource of the customer per item (`resource_ids`, in the items' order); a
  subordinate resource only with its main resource (CBC.30050007 otherwise).
"""

from decimal import ROUND_UP, Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.choices import ChargeMode
from customers.choices import AssociationType, ChargingMode, PeriodStatus
from customers.models import Association, Resource
from customers.selectors import customer_for
from customers.services import ordering_authorization
from partnercenter.actors import SCHEDULER
from partnercenter.choices import ActorKind
from partnercenter.errors import Codes, DomainError
from partnercenter.models import Partner
from partnercenter.money import ZERO, parse_amount
from partnercenter.oplog import operation

from . import common, locks, pricing, provisioning, signals
from .choices import DiscountType, OrderStatus, OrderType, Payer, PaymentRequestStatus, SourceType
from .errors import TradeCodes
from .models import Order, OrderDiscount, OrderLine, PriceAdjustment
from .payment import (decide_payment_request, pay_for_customer, pay_order, request_partner_payment, usable_coupons,
                      withdraw_payment_request)

__all__ = ["MAX_ITEMS", "OVERDUE_BATCH", "place_order", "cancel_order", "cancel_overdue", "usable_coupons",
           "pay_order", "pay_for_customer", "request_partner_payment", "decide_payment_request",
           "withdraw_payment_request", "adjust_price", "record_vat_invoice", "cancel_for_resources"]

MAX_ITEMS = pricing.MAX_ITEMS
OVERDUE_BATCH = 500  # orders one overdue run cancels per transaction


# ---------------------------------------------------------------------------------------------
# Placing an order
# ---------------------------------------------------------------------------------------------

def _orderer(actor, customer_id):
    """(customer, its association seen now, source type) — or the refusal."""
    if actor.is_customer:
        if customer_id and customer_id != actor.customer.domain_id:
            raise DomainError(Codes.NOT_FOUND, _("The customer does not exist."))
        # the scheduler acting for a customer (subscriptions' auto-renew) places a system order
        source = SourceType.SYSTEM if actor.kind == ActorKind.SCHEDULER else SourceType.CUSTOMER
        return actor.customer, common.current_association(actor.customer), source
    common.require_partner(actor, "orders.place")
    customer = customer_for(actor, customer_id)
    if customer is None:
        raise DomainError(Codes.NOT_FOUND, _("The customer does not exist."))
    association = common.current_association(customer)
    if ordering_authorization(association) is None:
        raise DomainError(TradeCodes.NOT_AUTHORIZED_TO_ORDER)
    return customer, association, SourceType.AGENT


def _needs_positive_balance(source, association, on_demand) -> bool:
    if association is not None and association.association_type == AssociationType.REFERRAL:
        return False
    return on_demand or source in (SourceType.CUSTOMER, SourceType.SYSTEM)


def _renewed(customer, items, resource_ids) -> list[Resource]:
    """The customer's period resources a renewal extends, one per item, in the items' order."""
    resource_ids = [str(rid) for rid in (resource_ids or [])]
    if len(resource_ids) != len(items) or len(set(resource_ids)) != len(resource_ids):
        raise DomainError(Codes.PARAMETER, _("A renewal names one resource per item, each once."))
    found = {r.resource_id: r for r in Resource.objects.filter(customer=customer, charging_mode=ChargingMode.PERIOD,
                                                               resource_id__in=resource_ids)}
    missing = [rid for rid in resource_ids if rid not in found]
    if missing:
        raise DomainError(Codes.NOT_FOUND, _("Resource %(id)s does not exist.") % {"id": missing[0]})
    resources = [found[rid] for rid in resource_ids]
    for resource, item in zip(resources, items):
        if resource.status == PeriodStatus.CLOSED:
            raise DomainError(TradeCodes.RESOURCE_RELEASED)
        if not resource.is_main_resource and resource.parent_resource_id not in found:
            raise DomainError(TradeCodes.NOT_MAIN_RESOURCE)
        if resource.product_id and resource.product_id != item.product.product_id:
            raise DomainError(Codes.PARAMETER, _("Item %(item)s does not price resource %(id)s.")
                              % {"item": item.id, "id": resource.resource_id})
    return resources


def _sales_partner(sales_partner, actor, marketplace):
    if not marketplace:
        return None
    if sales_partner is None:
        return actor.partner if actor.is_partner else None
    if isinstance(sales_partner, Partner):
        return sales_partner
    found = Partner.objects.filter(domain_id=str(sales_partner)).first()
    if found is None:
        raise DomainError(Codes.PARAMETER, _("The selected sales account does not exist."))
    return found


def _check_items(items, order_type):
    if not items or len(items) > MAX_ITEMS:
        raise DomainError(Codes.PARAMETER, _("An order has 1 to %(n)d items.") % {"n": MAX_ITEMS})
    if order_type not in (OrderType.NEW, OrderType.RENEW):
        raise DomainError(Codes.PARAMETER, _("Only new purchases and renewals are ordered here."))
    modes = {item.product.charge_mode for item in items}
    if len(modes) != 1:
        raise DomainError(Codes.PARAMETER, _("An order is either yearly/monthly or pay-per-use, not both."))
    if any(not item.product.is_active for item in items):
        raise DomainError(TradeCodes.PRODUCT_NOT_FOUND)
    on_demand = modes == {ChargeMode.ON_DEMAND}
    if on_demand and order_type != OrderType.NEW:
        raise DomainError(Codes.PARAMETER, _("Only yearly/monthly resources are renewed."))
    return on_demand


def _write_lines(order, items, ratings, resources) -> None:
    """The order's lines (their amounts sum to the order's) and discount rows."""
    main_type = items[0].product.resource_type_id
    main_line, lines_by_resource = None, {}
    rows = []
    for index, item in enumerate(items):
        rating = ratings[index] if ratings else None
        official = rating.official if rating else ZERO
        amount = rating.amount if rating else ZERO
        resource = resources[index] if resources else None
        parent = None
        if resource is not None:
            parent = lines_by_resource.get(resource.parent_resource_id) if not resource.is_main_resource else None
        elif index and item.product.resource_type_id != main_type:
            parent = main_line
        line = OrderLine.objects.create(
            order=order, line_id=f"{order.order_id}-{index + 1:05d}", product=item.product,
            service_type=item.product.service_type, charge_mode=item.product.charge_mode,
            period_type=item.period_type, period_num=item.period_num, subscription_num=item.subscription_num,
            resource_size=item.resource_size, size_measure_id=item.size_measure_id,
            resource_id=resource.resource_id if resource else "", parent_line=parent,
            extra_days=item.extra_days,  # days beyond the periods (a renewal to the unified expiry day)
            official_amount=official, discount_amount=official - amount, amount_after_discount=amount)
        main_line = main_line or line
        if resource is not None:
            lines_by_resource[resource.resource_id] = line
        rows += [OrderDiscount(order=order, line=line, discount_type=row.discount_type, discount_id=row.discount_id,
                               name=row.name[:128], amount=row.amount)
                 for row in (rating.discounts if rating else ()) if row.amount > 0]
    OrderDiscount.objects.bulk_create(rows)


def place_order(actor, *, customer_id: str, items: list, order_type=OrderType.NEW, resource_ids=None,
                sales_partner=None) -> Order:
    """开通 / 续订: an order of `items` (trade.pricing.Item) for the customer; see the module's rules."""
    items = list(items or [])
    try:
        order_type = int(order_type)
    except (TypeError, ValueError):
        raise DomainError(Codes.PARAMETER, _("Unknown order type.")) from None
    on_demand = _check_items(items, order_type)
    customer, association, source = _orderer(actor, customer_id)
    common.ensure_not_in_arrears(customer)
    resources = _renewed(customer, items, resource_ids) if order_type == OrderType.RENEW else None
    ratings = [] if on_demand else [rating.in_fen() for rating in pricing.rate(items, customer=customer)]
    marketplace = any(item.product.is_marketplace for item in items)
    sales = _sales_partner(sales_partner, actor, marketplace)
    now = timezone.now()
    with operation(actor, "order.place", target=customer, partner=association.partner if association else None,
                   detail={"order_type": order_type, "items": len(items)}) as entry:
        locked = locks.lock_association(association)  # step 1 of trade/locks.py: then check again
        if source == SourceType.AGENT and (locked is None or locked.partner_id != actor.partner.pk
                                           or ordering_authorization(locked, now=now) is None):
            raise DomainError(TradeCodes.NOT_AUTHORIZED_TO_ORDER)
        common.ensure_not_in_arrears(customer, fresh=True)
        if _needs_positive_balance(source, locked, on_demand) and common.balance_of(customer) <= 0:
            raise DomainError(TradeCodes.BALANCE_NOT_POSITIVE)
        if getattr(locked, "pk", None) != getattr(association, "pk", None):
            # the association ended while we waited for its lock: priced again, without its partner discount
            ratings = [] if on_demand else [rating.in_fen() for rating in pricing.rate(items, customer=customer)]
        official = sum((rating.official for rating in ratings), ZERO)
        amount = sum((rating.amount for rating in ratings), ZERO)
        order = Order.objects.create(
            customer=customer, partner=locked.partner if locked else None, order_type=order_type,
            source_type=source, service_type=items[0].product.service_type, official_amount=official,
            discount_amount=official - amount, amount_after_discount=amount, is_marketplace=marketplace,
            sales_partner=sales,
            is_stored_card=any(item.product.is_stored_card for item in items),
            user_name=(getattr(actor.user, "username", "") or actor.label)[:150],
            create_time=now, pending_payment_end_time=None if on_demand else now + common.payment_window())
        _write_lines(order, items, ratings, resources)
        if on_demand:  # nothing to pay up front: open the resources now
            order = common.complete(order, now=now, payer=Payer.CUSTOMER)
            provisioning.provision(order, now=now)
        common.announce("order.created", actor=actor, order=order, association=locked)
        entry.target = order
        entry.detail.update(order_id=order.order_id, amount=str(order.amount_after_discount))
    return order


# ---------------------------------------------------------------------------------------------
# Cancelling
# ---------------------------------------------------------------------------------------------

def _cancel_rows(order_pks, now):
    return Order.objects.filter(pk__in=list(order_pks), status=OrderStatus.PENDING_PAYMENT).update(
        status=OrderStatus.CANCELLED, cancelled_at=now)


def cancel_order(actor, *, order_id: str) -> Order:
    """取消待支付订单: the customer cancels its own pending order; a partner member or key holding
    `orders.place` one it placed for the customer (代客下单). Its pending payment request ends too."""
    if actor.is_customer:
        order = common.order_of(actor, order_id)
        cause = "customer"
    else:
        common.require_partner(actor, "orders.place")
        order = common.order_of(actor, order_id)
        if order.source_type != SourceType.AGENT:
            raise DomainError(TradeCodes.ORDER_NOT_FOUND)  # the customer's own order is the customer's to cancel
        cause = "partner"
    if order.status != OrderStatus.PENDING_PAYMENT:
        raise DomainError(TradeCodes.ORDER_NOT_PENDING)
    now = timezone.now()
    with operation(actor, "order.cancel", target=order, partner=order.partner, detail={"order_id": order.order_id}):
        locked = locks.lock_order(order)  # step 5
        if locked is None or locked.status != OrderStatus.PENDING_PAYMENT or not _cancel_rows([order.pk], now):
            raise DomainError(TradeCodes.ORDER_NOT_PENDING)
        common.end_requests([order.pk], status=PaymentRequestStatus.WITHDRAWN, note=_("The order was cancelled."),
                            decided_by=actor.label, now=now)
        order.refresh_from_db()
        common.announce("order.cancelled", actor=actor, order=order, association=common.current_association(
            order.customer), cause=cause)
    return order


def cancel_overdue(actor=SCHEDULER, *, now=None) -> int:
    """Orders still pending payment after their pending_payment_end_time are cancelled, and their pending
    payment requests end. Only rows still in the pending state are locked and moved, so a second, a
    concurrent or a late run changes nothing more; an order paid meanwhile is left alone. Each partner
    whose orders were cancelled gets one operation-log row (the scheduler's). Returns how many."""
    now = now or timezone.now()
    due = Order.objects.filter(status=OrderStatus.PENDING_PAYMENT, pending_payment_end_time__lte=now)
    cancelled = 0
    while due.exists():
        with transaction.atomic():
            pks = locks.lock_due_orders(due.filter(pk__in=due.order_by("pk").values("pk")[:OVERDUE_BATCH]))
            if not pks:
                break
            moved = _cancel_rows(pks, now)
            cancelled += moved
            common.end_requests(pks, status=PaymentRequestStatus.WITHDRAWN,
                                note=_("The order was cancelled: it was not paid in time."),
                                decided_by=actor.label, now=now)
            orders = list(Order.objects.filter(pk__in=pks).select_related("customer", "partner"))
            managers = _managers(orders)
            common.announce_many("order.cancelled", actor=actor, orders=orders, managers=managers,
                                 extra_of=lambda order: {"cause": "overdue"})
            by_partner = {}
            for order in orders:
                by_partner.setdefault(order.partner, []).append(order.order_id)
            for partner, order_ids in by_partner.items():
                with operation(actor, "order.cancel_overdue", partner=partner,
                               detail={"now": now.isoformat(), "orders": len(order_ids), "order_ids": order_ids[:20]}):
                    pass
    return cancelled


def cancel_on_disassociation(*, association, actor) -> int:
    """A customer left its partner: its pending orders in that partner's book are cancelled — they were
    priced with the partner's discounts, placed under its 代客运维 grant, or waiting for it to pay, and the
    partner may no longer act for the customer (the customer orders again, at its new partner's terms).
    Runs in the disassociation's transaction, which holds the association (step 1 of trade/locks.py)."""
    now = timezone.now()
    pks = locks.lock_due_orders(Order.objects.filter(customer_id=association.customer_id,
                                                     partner_id=association.partner_id,
                                                     status=OrderStatus.PENDING_PAYMENT))
    if not pks:
        return 0
    moved = _cancel_rows(pks, now)
    ended = common.end_requests(pks, status=PaymentRequestStatus.WITHDRAWN, now=now, decided_by=actor.label,
                                note=_("The order was cancelled: the association with the partner ended."))
    orders = list(Order.objects.filter(pk__in=pks).select_related("customer", "partner"))
    common.announce_many("order.cancelled", actor=actor, orders=orders,
                         managers={association.customer_id: association.account_manager},
                         extra_of=lambda order: {"cause": "disassociation"})
    for request in ended:  # as payment.end_requests_on_disassociation tells of the requests it ends
        common.announce("order.payment_request_decided", actor=actor, order=request.order, association=association,
                        request_id=str(request.pk), decision="ended")
    return moved


def cancel_for_resources(*, customer, resource_ids, actor) -> int:
    """The customer's pending renewal orders naming any of `resource_ids` are cancelled: the resources are
    being unsubscribed or switched to pay-per-use (subscriptions.unsubscribing), so a renewal of them may no
    longer be paid. Runs in the caller's transaction, which took the customer's association and account
    first (subscriptions/locks.py); the orders are step 5 here, so a payment of one of them either committed
    before (and is refunded with the rest) or finds the order cancelled. Returns how many."""
    now = timezone.now()
    naming = OrderLine.objects.filter(resource_id__in=[str(rid) for rid in resource_ids]).values("order_id")
    pks = locks.lock_due_orders(Order.objects.filter(customer=customer, order_type=OrderType.RENEW,
                                                     status=OrderStatus.PENDING_PAYMENT, pk__in=naming))
    if not pks:
        return 0
    moved = _cancel_rows(pks, now)
    ended = common.end_requests(pks, status=PaymentRequestStatus.WITHDRAWN, now=now, decided_by=actor.label,
                                note=_("The order was cancelled: its resources were unsubscribed."))
    orders = list(Order.objects.filter(pk__in=pks).select_related("customer", "partner"))
    association = common.current_association(customer)
    common.announce_many("order.cancelled", actor=actor, orders=orders, managers=_managers(orders),
                         extra_of=lambda order: {"cause": "unsubscription"})
    for request in ended:
        common.announce("order.payment_request_decided", actor=actor, order=request.order, association=association,
                        request_id=str(request.pk), decision="withdrawn")
    return moved


def _managers(orders) -> dict:
    pairs = {(o.partner_id, o.customer_id) for o in orders if o.partner_id}
    if not pairs:
        return {}
    rows = Association.objects.filter(partner_id__in={p for p, _c in pairs}, customer_id__in={c for _p, c in pairs},
                                      ended_on__isnull=True).select_related("account_manager")
    return {a.customer_id: a.account_manager for a in rows if (a.partner_id, a.customer_id) in pairs}


# ---------------------------------------------------------------------------------------------
# 云商店交易调价
# ---------------------------------------------------------------------------------------------

def _may_adjust(actor, order) -> None:
    """A solution provider in the marketplace customer-service programme (云商店客户服务商计划, recorded by
    operators on the partner) whose account the customer selected as the sales account of a pending
    marketplace order."""
    if not (common.is_solution_provider(actor.partner) and actor.partner.marketplace_service_provider
            and order.is_marketplace and order.sales_partner_id == actor.partner.pk):
        raise DomainError(TradeCodes.ADJUSTMENT_NOT_ALLOWED)


def _spread(lines, cut) -> list[Decimal]:
    """`cut` (fen) taken off the lines in proportion to their amounts, each share in fen, never more than
    a line's amount: shares rounded down, the remaining fen one by one to the lines with room, largest first."""
    total = sum((line.amount_after_discount for line in lines), ZERO)
    fen = Decimal("0.01")
    shares = [(cut * line.amount_after_discount / total).quantize(fen, rounding="ROUND_DOWN") if total else ZERO
              for line in lines]
    left = cut - sum(shares, ZERO)
    for index in sorted(range(len(lines)), key=lambda i: -lines[i].amount_after_discount):
        if left <= 0:
            break
        room = lines[index].amount_after_discount - shares[index]
        take = min(room, left)
        shares[index] += take
        left -= take
    return shares


def adjust_price(actor, *, order_id: str, amount, reason: str, verification_code=None) -> Order:
    """Lower a pending marketplace order's price to `amount` (what the customer then pays), no lower
    than settings.TRADE_MIN_ADJUSTED_SHARE of its official price; recorded as a PriceAdjustment and a 609
    discount row per line, the order's and lines' amounts recomputed."""
    common.require_partner(actor, "orders.adjust_price")
    amount = parse_amount(amount)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(Codes.PARAMETER, _("Please give a reason."))
    order = common.order_of(actor, order_id)
    _may_adjust(actor, order)
    common.ensure_payable(order)
    with operation(actor, "order.adjust_price", target=order, verification_code=verification_code,
                   detail={"order_id": order.order_id, "amount": str(amount), "reason": reason[:200]}) as entry:
        locked = locks.lock_order(order)  # step 5: then check again
        common.ensure_payable(locked)
        _may_adjust(actor, locked)
        floor = (locked.official_amount * common.min_adjusted_share()).quantize(Decimal("0.01"), rounding=ROUND_UP)
        before = locked.amount_after_discount
        if amount >= before or amount < floor:
            raise DomainError(TradeCodes.ADJUSTMENT_OUT_OF_BOUNDS, _(
                "The adjusted price must be below %(before)s and at least %(floor)s.") % {
                "before": before, "floor": floor})
        adjustment = PriceAdjustment.objects.create(order=locked, partner=actor.partner, amount_before=before,
                                                    amount_after=amount, reason=reason[:500], operator=actor.label)
        lines = list(OrderLine.objects.filter(order=locked).order_by("id"))
        rows = []
        for line, share in zip(lines, _spread(lines, before - amount)):
            if share > 0:
                OrderLine.objects.filter(pk=line.pk).update(discount_amount=line.discount_amount + share,
                                                            amount_after_discount=line.amount_after_discount - share)
                rows.append(OrderDiscount(order=locked, line=line, discount_type=DiscountType.PRICE_ADJUSTMENT,
                                          discount_id=f"ADJ{adjustment.pk}", name=str(_("Order price adjustment")),
                                          amount=share))
        OrderDiscount.objects.bulk_create(rows)
        Order.objects.filter(pk=locked.pk).update(discount_amount=locked.official_amount - amount,
                                                  amount_after_discount=amount)
        locked.refresh_from_db()
        common.announce("order.price_adjusted", actor=actor, order=locked,
                        association=common.current_association(locked.customer),
                        amount_before=str(before), reason=reason[:200])
        entry.detail["amount_before"] = str(before)
    return locked


# ---------------------------------------------------------------------------------------------
# The VAT invoice (operators, in the admin)
# ---------------------------------------------------------------------------------------------

def record_vat_invoice(actor, *, order_id: str, issued_at=None) -> Order:
    """An operator records when the cloud issued the VAT invoice of a partner-paid referral (顾问销售)
    order (counted in the customer's invoiceable amount); from then on the order cannot be unsubscribed.
    Recorded once.

    The invoice and an unsubscription of the order exclude each other: the order row is locked (step 5 of
    trade/locks.py — an unsubscription locks the orders it refunds at the same step, subscriptions/locks.py)
    and `signals.vat_invoice_recording` asks the apps above whether the order may still be invoiced
    (subscriptions refuses an order it refunded, wholly or in part: its invoiceable amount changed). Of an
    invoice and an unsubscription at once, the one that locks the order first wins; the other then sees it
    and is refused, nothing changed."""
    if actor.kind not in (ActorKind.OPERATOR, ActorKind.SCHEDULER):
        raise DomainError(Codes.FORBIDDEN)
    order = Order.objects.select_related("partner", "customer").filter(order_id=order_id).first()
    if order is None:
        raise DomainError(TradeCodes.ORDER_NOT_FOUND)
    issued_at = issued_at or timezone.now()
    with operation(actor, "order.vat_invoice", target=order, partner=order.partner,
                   detail={"order_id": order.order_id, "issued_at": issued_at.isoformat()}):
        order = locks.lock_order(order)
        if order.status != OrderStatus.COMPLETED or not order.invoiceable:
            raise DomainError(Codes.PARAMETER, _("Only a completed order counted as invoiceable gets a VAT invoice."))
        if order.vat_invoice_issued_at is not None:
            raise DomainError(Codes.CONFLICT, _("The VAT invoice of this order was already recorded."))
        signals.vat_invoice_recording.send(sender=Order, order=order, actor=actor)
        if not Order.objects.filter(pk=order.pk, vat_invoice_issued_at__isnull=True).update(
                vat_invoice_issued_at=issued_at):
            raise DomainError(Codes.CONFLICT, _("The VAT invoice of this order was already recorded."))
    order.refresh_from_db()
    return order
