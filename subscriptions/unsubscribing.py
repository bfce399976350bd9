"""退订 and 即时转按需: a yearly/monthly main resource (with its subordinates) is returned, or continues at once
as a pay-per-use resource; either way the unused part of what was paid is refunded (subscriptions.refunds
states the rule and where the money goes).

Rules decided here:
- **Who.** A customer (its user or its access key) for its own resources; a partner's member or key
  holding `orders.place`, for a customer of its book (`customer_id` required) that granted it 代客运维
  and whose grant is still valid (customers.services.ordering_authorization, the rule of 代客下单) —
  checked again once the association is locked; otherwise CBC.99008006. A resource of anyone else is
  "not found" (CBC.0156).
- **Batches.** 1–10 main resource ids, each once (CBC.0100 otherwise, nothing changed). Each resource is
  done in its own transaction; one that is refused is a `Failure` row, the others still proceed.
- **Unsubscribe.** Type 1: the resource and its renewals — main and subordinates are released (status
  3) and the auto-renewal ends. Type 2: only the renewals not started yet — the expiry moves back to the
  start of the first of them. Reason type 1–5 (or none), reason text at most 500 characters.
- **Instant switch to pay-per-use.** Only a resource in use (2), and only when the catalogue sells the
  same service / resource type / spec / region pay-per-use (CBC.99006006 otherwise), for the main
  resource and each subordinate. They continue pay-per-use: status 1, no expiry, no expiry policy, the
  pay-per-use product's id; the auto-renewal ends; the unused part is refunded like type 1.
- **What is written.** Per resource an Order — type 4 (退订) or 10 (包年/包月转按需), completed, its amount
  what was actually refunded (coupons restored + cash; a forfeited coupon part is not), paid at once, its
  base order the order that bought the main resource — with its RefundItems and RefundPayouts, an
  Unsubscription row, the money moves, and the customer's pending renewal orders naming the resources
  cancelled (trade.services.cancel_for_resources). An event (`subscription.unsubscribed` /
  `subscription.switched`) for the order's partner and the customer (the customer alone for an order without
  a partner), and an operation-log row.
- **Whose refund (decided).** A refund belongs to the partner of the charge it refunds — the rule bills
  applies to the refund's fee records (bills/order_fees.py) — not to the customer's partner of the day: the
  refund order's partner is the partner that paid the refunded order (余额支付, `paying_partner`), else the
  refunded order's partner (`Order.partner`: the customer's partner when it was placed), else none. So after
  a disassociation the partner of the association that receives the cash back (退还至关联期间的伙伴账户,
  refunds.py) owns the refund order: it opens it in its 订单管理 and on the refund page, its REFUND ledger
  entry names it (trans_id), refund-orders answers it for its key, and the event about the money is its —
  the new partner is not told of money it did not get. When the refunded orders belong to different
  partners (bought under A, renewed under B), the resource's refund is one order per partner, each with
  its own items, payouts and Unsubscription row (a resource with nothing paid: one order, the current
  partner's); `unsubscribe` returns them all, `to_on_demand_instantly` names the first (the one that
  refunds the oldest order, normally the purchase).
- **Concurrency.** The rows are locked in the order of subscriptions/locks.py and the refund is planned
  again under the locks: of two unsubscriptions of one resource the second finds it released (refused,
  nothing changed); a renewal paid meanwhile is refunded with the rest, or — when its money would go to a
  coupon or partner not locked, or its order was not locked — the plan is made again in a new transaction
  (PLAN_CHANGED after ATTEMPTS tries). The orders refunded are locked too, as a VAT invoice locks its
  order: an invoice recorded first refuses the unsubscription (TradeCodes.INVOICED), an unsubscription
  committed first refuses the invoice (subscriptions.receivers).
"""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.choices import ChargeMode
from catalog.models import Product, ServiceType
from customers.choices import ChargingMode, OnDemandStatus, PeriodStatus
from customers.models import Association, Resource
from customers.selectors import customer_for
from customers.services import ordering_authorization
from events import outbox
from partnercenter.errors import Codes, DomainError
from partnercenter.money import ZERO, quantize
from partnercenter.oplog import operation
from trade import common, pricing
from trade import services as trade_services
from trade.choices import OrderStatus, OrderType, Payer, SourceType
from trade.errors import TradeCodes
from trade.models import Order, new_order_id

from . import locks, refunds, selectors
from .choices import ExpirePolicy, UnsubscribeReason, UnsubscribeType
from .errors import SubscriptionCodes
from .models import AutoRenewal, RefundItem, RefundPayout, Unsubscription
from .outcomes import FAIL, SUCCESS, Failure, InstantResult, UnsubscribeOutcome

__all__ = ["MAX_RESOURCES", "MAX_REASON", "unsubscribe", "preview", "to_on_demand_instantly"]

MAX_RESOURCES = 10
MAX_REASON = 500
ATTEMPTS = 3  # plans made again when the first one met a changed world (PLAN_CHANGED)


# ---------------------------------------------------------------------------------------------
# Arguments and who acts
# ---------------------------------------------------------------------------------------------

def _parameter(message) -> DomainError:
    return DomainError(Codes.PARAMETER, message)


def _ids(resource_ids) -> list[str]:
    if isinstance(resource_ids, str):
        resource_ids = [resource_ids]
    ids = [str(rid).strip() for rid in (resource_ids or ())]
    if not 1 <= len(ids) <= MAX_RESOURCES or not all(ids) or len(set(ids)) != len(ids) \
            or any(len(rid) > 64 for rid in ids):
        raise _parameter(_("Name 1 to %(n)d different resources.") % {"n": MAX_RESOURCES})
    return ids


def _choice(value, choices, name, *, required=True):
    if value is None or value == "":
        if required:
            raise _parameter(_("%(field)s is required.") % {"field": name})
        return None
    try:
        number = int(value) if not isinstance(value, bool) else None
    except (TypeError, ValueError):
        number = None
    if number is None or number not in choices.values or str(value).strip() != str(number):
        raise _parameter(_("%(field)s must be one of %(values)s.") % {
            "field": name, "values": ", ".join(str(v) for v in choices.values)})
    return number


def _reason(reason) -> str:
    reason = (reason or "").strip() if isinstance(reason, str) or reason is None else None
    if reason is None or len(reason) > MAX_REASON:
        raise _parameter(_("The reason is text of at most %(n)d characters.") % {"n": MAX_REASON})
    return reason


def _authorized(actor, association, now=None) -> None:
    """A partner acts for the customer under a valid 代客运维 grant on the current association."""
    if actor.is_partner and (association is None or association.partner_id != actor.partner.pk
                             or ordering_authorization(association, now=now) is None):
        raise DomainError(TradeCodes.NOT_AUTHORIZED_TO_ORDER)


def _customer(actor, customer_id):
    """The customer the actor acts for — or the refusal."""
    if actor.is_customer:
        if customer_id and str(customer_id) != actor.customer.domain_id:
            raise DomainError(Codes.NOT_FOUND, _("The customer does not exist."))
        return actor.customer
    common.require_partner(actor, "orders.place")
    if not customer_id:
        raise _parameter(_("%(field)s is required.") % {"field": "customer_id"})
    customer = customer_for(actor, str(customer_id))
    if customer is None:
        raise DomainError(Codes.NOT_FOUND, _("The customer does not exist."))
    _authorized(actor, common.current_association(customer))
    return customer


def _resource(actor, customer, resource_id):
    resource = selectors.resource_for(actor, resource_id)
    if resource is None or resource.customer_id != customer.pk:
        raise DomainError(Codes.NOT_FOUND, _("Resource %(id)s does not exist.") % {"id": resource_id})
    return resource


def _service_type(resource, plan):
    """The service type of the main resource's product (of its code when the product is gone)."""
    product = Product.objects.select_related("service_type").filter(product_id=resource.product_id).first() \
        if resource.product_id else None
    if product is not None:
        return product.service_type
    found = ServiceType.objects.filter(code=resource.service_type_code).first()
    if found is None and plan.items:
        found = plan.items[0].service_type
    if found is None:
        raise DomainError(TradeCodes.PRODUCT_NOT_FOUND)
    return found


# ---------------------------------------------------------------------------------------------
# One resource, one transaction
# ---------------------------------------------------------------------------------------------

def _retrying(run):
    for attempt in range(ATTEMPTS):
        try:
            return run()
        except DomainError as exc:
            if exc.code != SubscriptionCodes.PLAN_CHANGED or attempt == ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _owner(base_order):
    """The partner a refunded order's refund belongs to (see "Whose refund"), or None."""
    if base_order.payer == Payer.PARTNER and base_order.paying_partner_id:
        return base_order.paying_partner
    return base_order.partner


def _by_owner(plan, association) -> list:
    """[(partner, the part of `plan` that is its refund, that part's base order)], the part refunding the
    oldest order first; one part, the current partner's, when nothing was paid."""
    if not plan.items:
        return [(association.partner if association else None, plan, plan.new_order)]
    parts = {}
    for item in sorted(plan.items, key=lambda item: item.base_order.pk):
        owner = _owner(item.base_order)
        parts.setdefault(owner.pk if owner else None, (owner, []))[1].append(item)
    found, bought = [], plan.new_order
    for owner, items in parts.values():
        orders = {item.base_order.pk for item in items}
        part = refunds.RefundPlan(resource=plan.resource, subordinates=plan.subordinates,
                                  unsubscribe_type=plan.unsubscribe_type, items=items,
                                  payouts=[p for p in plan.payouts if p.base_order.pk in orders],
                                  new_expire_times=plan.new_expire_times)
        found.append((owner, part, bought if bought is not None and bought.pk in orders else items[0].base_order))
    return found


def _manager(customer, partner, association):
    """The account manager an event about `customer` in `partner`'s book is scoped to: the current
    association's, else that of the customer's last association with the partner (none without a partner)."""
    if partner is None:
        return None
    if association is not None and association.partner_id == partner.pk:
        return association.account_manager
    last = (Association.objects.filter(customer=customer, partner=partner).select_related("account_manager")
            .order_by("-associated_on", "-pk").first())
    return last.account_manager if last else None


def _record(actor, customer, owner, main, plan, base_order, coupons, *, order_type, now):
    """One refund order of `owner`, its items and payouts, and the money moved."""
    order_id = new_order_id()
    paid = refunds.pay_out(plan, customer=customer, order_id=order_id, coupons=coupons, operator=actor.label, now=now)
    order = Order.objects.create(
        order_id=order_id, customer=customer, partner=owner,
        order_type=order_type, status=OrderStatus.COMPLETED,
        source_type=SourceType.CUSTOMER if actor.is_customer else SourceType.AGENT,
        service_type=_service_type(main, plan), official_amount=paid.total, discount_amount=ZERO,
        amount_after_discount=paid.total, coupon_amount=paid.coupon_amount,
        flexipurchase_coupon_amount=paid.flexipurchase_coupon_amount, cash_amount=paid.cash_amount, payer="",
        payment_time=now, base_order=base_order, create_time=now,
        user_name=(getattr(actor.user, "username", "") or actor.label)[:150])
    try:
        with transaction.atomic():  # the (base line, resource) constraint: a share is refunded once
            RefundItem.objects.bulk_create(RefundItem(
                order=order, base_order=item.base_order, base_line=item.base_line, resource_id=item.resource_id,
                service_type=item.service_type, period_start=item.period_start, period_end=item.period_end,
                paid=item.paid, used=item.used, fee=item.fee, refund=item.refund) for item in plan.items)
    except IntegrityError:
        raise DomainError(SubscriptionCodes.PLAN_CHANGED) from None
    RefundPayout.objects.bulk_create(RefundPayout(
        order=order, base_order=p.base_order, destination=p.destination, partner=p.partner, coupon=p.coupon,
        amount=p.amount) for p in paid.payouts)
    return order


def _refund(actor, customer, resource, *, unsubscribe_type, order_type, action, check, finish, event,
            reason_type=None, reason=""):
    """Plan, lock (subscriptions/locks.py), plan again, refund, then `finish` the resources; returns the
    refund orders (one per partner whose orders are refunded, see "Whose refund"). `check(main)` refuses a
    locked main resource the operation does not apply to."""
    now = timezone.now()
    association = common.current_association(customer)
    with operation(actor, action, target=customer, partner=association.partner if association else None,
                   detail={"resource_id": resource.resource_id, "unsubscribe_type": unsubscribe_type}) as entry:
        check(resource)
        seen = refunds.plan(resource, unsubscribe_type=unsubscribe_type, now=now)
        locked_association = locks.lock_association(association)
        _authorized(actor, locked_association, now)
        locks.lock_partner_accounts(seen.partner_pks)
        locks.lock_customer_account(customer)
        coupons = locks.lock_coupons(seen.coupon_pks)
        trade_services.cancel_for_resources(customer=customer, resource_ids=[r.resource_id for r in seen.resources],
                                            actor=actor)
        base_orders = locks.lock_base_orders(seen.base_order_pks)
        rows = locks.lock_resources([r.pk for r in seen.resources])
        main = rows.get(resource.pk)
        if main is None:
            raise DomainError(Codes.NOT_FOUND, _("Resource %(id)s does not exist.") % {"id": resource.resource_id})
        if main.charging_mode != ChargingMode.PERIOD:
            raise DomainError(SubscriptionCodes.WRONG_STATE)
        check(main)
        if [r.pk for r in selectors.subordinates_of(main)] != [r.pk for r in seen.subordinates]:
            raise DomainError(SubscriptionCodes.PLAN_CHANGED)
        subordinates = [rows[r.pk] for r in seen.subordinates]
        plan = refunds.plan(main, unsubscribe_type=unsubscribe_type, now=now, subordinates=subordinates)
        if (not set(plan.partner_pks) <= set(seen.partner_pks) or not set(plan.coupon_pks) <= set(coupons)
                or not set(plan.base_order_pks) <= set(base_orders)):
            raise DomainError(SubscriptionCodes.PLAN_CHANGED)
        orders = []
        for owner, part, base_order in _by_owner(plan, locked_association):
            order = _record(actor, customer, owner, main, part, base_order, coupons, order_type=order_type, now=now)
            Unsubscription.objects.create(order=order, customer=customer, resource_id=main.resource_id,
                                          resource_name=main.resource_name, unsubscribe_type=unsubscribe_type,
                                          reason_type=reason_type, reason=reason, created_at=now)
            orders.append(order)
        finish(main, plan, now)
        for order in orders:  # an order without a partner: the customer alone is told
            outbox.record(event, partner=order.partner, customer=customer, actor=actor,
                          account_manager=_manager(customer, order.partner, locked_association),
                          data={"resource_id": main.resource_id, "resource_name": main.resource_name,
                                "order_id": order.order_id, "customer_id": customer.domain_id,
                                "account_name": customer.domain_name,
                                "amount": str(quantize(order.amount_after_discount)),
                                "unsubscribe_type": unsubscribe_type})
        refunded = sum((order.amount_after_discount for order in orders), ZERO)
        entry.target = orders[0]
        entry.detail.update(order_id=orders[0].order_id, order_ids=[order.order_id for order in orders],
                            refund=str(refunded), items=len(plan.items), forfeited=str(plan.total_refund - refunded))
    return orders


# ---------------------------------------------------------------------------------------------
# 退订
# ---------------------------------------------------------------------------------------------

def _closing(main, plan, now) -> None:
    """Type 1: main and subordinates released, the auto-renewal gone."""
    Resource.objects.filter(pk__in=[r.pk for r in plan.resources]).update(status=PeriodStatus.CLOSED, updated_at=now)
    AutoRenewal.objects.filter(resource_id=main.pk).delete()


def _shortening(main, plan, now) -> None:
    """Type 2: each resource's expiry back to the start of its first renewal refunded (a subordinate that
    followed its main resource's renewal without a line of its own moves with it). Auto-renew ends too: the
    customer just gave the renewals back, and the scheduler would otherwise buy them again at once."""
    default = plan.new_expire_time
    for resource in plan.resources:
        target = plan.new_expire_times.get(resource.resource_id, default)
        if resource.expire_time is None or resource.expire_time > target:
            Resource.objects.filter(pk=resource.pk).update(expire_time=target, updated_at=now)
    if AutoRenewal.objects.filter(resource_id=main.pk).delete()[0]:
        Resource.objects.filter(pk__in=[r.pk for r in plan.resources], expire_policy=ExpirePolicy.AUTO_RENEW).update(
            expire_policy=ExpirePolicy.GRACE, updated_at=now)


def _not_checked(resource) -> None:
    return None


def unsubscribe(actor, *, customer_id=None, resource_ids, unsubscribe_type, reason_type=None,
                reason="") -> UnsubscribeOutcome:
    """退订包年/包月资源: see the module's rules. Returns the orders made and the refused resources."""
    ids = _ids(resource_ids)
    unsubscribe_type = _choice(unsubscribe_type, UnsubscribeType, "unsubscribe_type")
    reason_type = _choice(reason_type, UnsubscribeReason, "unsubscribe_reason_type", required=False)
    reason = _reason(reason)
    customer = _customer(actor, customer_id)
    finish = _closing if unsubscribe_type == UnsubscribeType.RESOURCE else _shortening
    outcome = UnsubscribeOutcome()
    for resource_id in ids:
        try:
            resource = _resource(actor, customer, resource_id)
            outcome.orders.extend(_retrying(lambda resource=resource: _refund(
                actor, customer, resource, unsubscribe_type=unsubscribe_type, order_type=OrderType.UNSUBSCRIBE,
                action="subscription.unsubscribe", check=_not_checked, finish=finish,
                event="subscription.unsubscribed", reason_type=reason_type, reason=reason)))
        except DomainError as exc:
            outcome.failures.append(Failure(resource_id, exc.code, str(exc.message)))
    return outcome


def preview(actor, *, resource_id, unsubscribe_type, customer_id=None) -> refunds.RefundPlan:
    """What unsubscribing would refund (the pages show it before the customer confirms); the same refusals
    as `unsubscribe`. Reads only."""
    unsubscribe_type = _choice(unsubscribe_type, UnsubscribeType, "unsubscribe_type")
    if actor.is_partner:
        common.require_partner(actor, "orders.place")
    elif not actor.is_customer:
        raise DomainError(Codes.FORBIDDEN)
    resource = selectors.resource_for(actor, resource_id)
    if resource is None or (customer_id and resource.customer.domain_id != str(customer_id)):
        raise DomainError(Codes.NOT_FOUND, _("Resource %(id)s does not exist.") % {"id": resource_id})
    if actor.is_partner:
        _authorized(actor, common.current_association(resource.customer))
    return refunds.plan(resource, unsubscribe_type=unsubscribe_type, now=timezone.now())


# ---------------------------------------------------------------------------------------------
# 即时转按需
# ---------------------------------------------------------------------------------------------

def _on_demand_products(resources) -> dict[int, Product]:
    """The pay-per-use product of each resource (by pk); CBC.99006006 when one has none."""
    return {r.pk: pricing.find_product(service_type=r.service_type_code, resource_type=r.resource_type_code,
                                       resource_spec=r.resource_spec_code, region=r.region_code,
                                       charge_mode=ChargeMode.ON_DEMAND) for r in resources}


def _in_use(resource) -> None:
    if not resource.is_main_resource:
        raise DomainError(SubscriptionCodes.NOT_MAIN_RESOURCE)
    if resource.status == PeriodStatus.CLOSED:
        raise DomainError(SubscriptionCodes.RELEASED)
    if resource.status != PeriodStatus.IN_USE:
        raise DomainError(SubscriptionCodes.WRONG_STATE)


def _switching(products):
    def finish(main, plan, now) -> None:
        for resource in plan.resources:
            product = products.get(resource.pk)
            if product is None:  # a subordinate that appeared meanwhile
                raise DomainError(SubscriptionCodes.PLAN_CHANGED)
            Resource.objects.filter(pk=resource.pk).update(
                charging_mode=ChargingMode.ON_DEMAND, status=OnDemandStatus.NORMAL, expire_time=None,
                expire_policy=None, product_id=product.product_id, updated_at=now)
        AutoRenewal.objects.filter(resource_id=main.pk).delete()
    return finish


def to_on_demand_instantly(actor, *, resource_ids, customer_id=None) -> list[InstantResult]:
    """设置包年/包月资源即时转按需: one result per resource id, in the order given."""
    ids = _ids(resource_ids)
    customer = _customer(actor, customer_id)
    results = []
    for resource_id in ids:
        try:
            resource = _resource(actor, customer, resource_id)
            _in_use(resource)
            products = _on_demand_products([resource] + list(selectors.subordinates_of(resource)))
            orders = _retrying(lambda resource=resource, products=products: _refund(
                actor, customer, resource, unsubscribe_type=None, order_type=OrderType.TO_ON_DEMAND,
                action="subscription.to_on_demand_instantly", check=_in_use, finish=_switching(products),
                event="subscription.switched"))
            results.append(InstantResult(resource_id=resource_id, result=SUCCESS, order_id=orders[0].order_id,
                                         order_ids=tuple(order.order_id for order in orders)))
        except DomainError as exc:
            results.append(InstantResult(resource_id=resource_id, result=FAIL, code=exc.code,
                                         message=str(exc.message)))
    return results
