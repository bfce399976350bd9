"""Paying orders: the customer from its coupons and balance, or its partner from the partner's account
(余额支付) — on its own initiative for an order it placed for a resale customer, or when the customer
asks (a PaymentRequest the partner approves or declines). Re-exported by trade.services.

One transaction per payment, rows locked in the order of trade/locks.py, and what was checked before
checked again under the locks. Every movement is recorded where it belongs: the balance's LedgerEntry
(billing.purchases), each coupon's CouponRecord (vouchers.spending), the order's OrderCoupon rows; a
payment that cannot be covered changes nothing (CBC.99008004).

The customer pays: the chosen coupons (at most three, usable on the order: vouchers.spending) in the
order given, each taking min(its balance, what is left), then its balance the rest. A customer whose
balance is zero or less cannot pay (账户余额小于等于0时，不允许客户购买, CBC.99008003).

The partner pays (a solution provider's right, `orders.pay`, the verification code when it is on): the
customer must be associated with it now. A resale (代售) customer's order it placed itself, or any order
the customer asked it to pay; a referral (顾问销售) customer's only when asked — that order then counts
toward the customer's invoiceable amount (`invoiceable`: the cloud invoices the customer directly). Never
a stored-value-card purchase (CBC.99008007). The partner's cash pays it all (its 账户余额 must cover it,
CBC.99008008); the customer's balance and coupons are not touched.

Nobody pays the order of a customer in arrears (客户欠费, CBC.99008017: trade.common.ensure_not_in_arrears),
checked before and again under the locks.
"""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing import purchases
from customers.choices import AssociationType
from partnercenter.errors import Codes, DomainError
from partnercenter.money import ZERO
from partnercenter.oplog import operation
from vouchers import spending
from vouchers.choices import CouponType
from vouchers.models import Coupon

from . import common, locks, provisioning, selectors
from .choices import Payer, PaymentRequestStatus, SourceType
from .errors import TradeCodes
from .models import OrderCoupon, OrderLine, PaymentRequest

__all__ = ["usable_coupons", "pay_order", "pay_for_customer", "request_partner_payment", "decide_payment_request",
           "withdraw_payment_request"]


# ---------------------------------------------------------------------------------------------
# Coupons at checkout
# ---------------------------------------------------------------------------------------------

def _scope(order) -> tuple[set, set]:
    """The cloud service types and catalogue product ids of an order's lines (what coupon limits name)."""
    rows = OrderLine.objects.filter(order=order).values_list("service_type__code", "product__product_id")
    codes, products = {order.service_type.code}, set()
    for code, product_id in rows:
        codes.add(code)
        products.add(product_id)
    return codes, products


def usable_coupons(order) -> list[Coupon]:
    """The coupons of the order's customer that can pay it now (查询订单可用优惠券), soonest to expire first;
    none for an order no longer waiting for payment."""
    if not order.is_pending_payment:
        return []
    codes, products = _scope(order)
    return [coupon for coupon in spending.candidates_for(order.customer)
            if spending.covers(coupon, service_type_codes=codes, product_ids=products)]


def _coupon_ids(coupon_ids) -> list[str]:
    """The coupon ids of a payment: at most three, each once (CBC.0100 otherwise)."""
    if isinstance(coupon_ids, str):
        coupon_ids = [coupon_ids]
    coupon_ids = [str(cid).strip() for cid in (coupon_ids or ())]
    if len(coupon_ids) > spending.MAX_COUPONS_PER_PAYMENT or len(set(coupon_ids)) != len(coupon_ids) or not all(
            coupon_ids):
        raise DomainError(Codes.PARAMETER, _("Choose at most %(n)d different coupons.")
                          % {"n": spending.MAX_COUPONS_PER_PAYMENT})
    return coupon_ids


def _chosen(order, coupon_ids) -> list[Coupon]:
    """The coupons named for this payment, in the order given; CBC.99008005 for one that is not the
    customer's."""
    found = {c.coupon_id: c for c in Coupon.objects.filter(coupon_id__in=coupon_ids, customer_id=order.customer_id)}
    if len(found) != len(coupon_ids):
        raise DomainError(TradeCodes.COUPON_NOT_USABLE)
    return [found[cid] for cid in coupon_ids]


def _ensure_usable(coupons, order, scope, now) -> None:
    codes, products = scope
    for coupon in coupons:
        if not spending.usable_on(coupon, customer_id=order.customer_id, service_type_codes=codes,
                                  product_ids=products, now=now):
            raise DomainError(TradeCodes.COUPON_NOT_USABLE, _("Coupon %(id)s cannot be used on this order.")
                              % {"id": coupon.coupon_id})


# ---------------------------------------------------------------------------------------------
# The customer pays
# ---------------------------------------------------------------------------------------------

def pay_order(actor, *, order_id: str, coupon_ids=(), verification_code=None):
    """支付包年/包月产品订单: the customer pays its pending order from the chosen coupons and its balance."""
    common.require_customer(actor)
    coupon_ids = _coupon_ids(coupon_ids)
    order = common.order_of(actor, order_id)
    now = timezone.now()
    common.ensure_payable(order, now=now)
    coupons = _chosen(order, coupon_ids)
    scope = _scope(order)
    _ensure_usable(coupons, order, scope, now)
    common.ensure_not_in_arrears(order.customer)
    if common.balance_of(order.customer) <= 0:
        raise DomainError(TradeCodes.BALANCE_NOT_POSITIVE)
    association = common.current_association(order.customer)
    with operation(actor, "order.pay", target=order, partner=order.partner, verification_code=verification_code,
                   detail={"order_id": order.order_id, "coupons": [c.coupon_id for c in coupons]}) as entry:
        # trade/locks.py: association → customer account → coupons (pk order) → order; then check again.
        association = locks.lock_association(association)
        account = locks.lock_customer_account(order.customer)
        locked_coupons = locks.lock_coupons([c.pk for c in coupons])
        locked = locks.lock_order(order)
        common.ensure_payable(locked, now=now)
        common.ensure_not_in_arrears(order.customer, fresh=True)  # set under the account's lock: read after it
        if account.balance <= 0:
            raise DomainError(TradeCodes.BALANCE_NOT_POSITIVE)
        coupons = [locked_coupons[c.pk] for c in coupons]
        _ensure_usable(coupons, locked, scope, now)
        left, uses = locked.amount_after_discount, []
        for coupon in coupons:
            take = min(coupon.balance, left)
            if take > 0:
                uses.append((coupon, take))
                left -= take
        if left > account.balance:
            raise DomainError(TradeCodes.BALANCE_NOT_ENOUGH)
        paid = {CouponType.CASH_COUPON: ZERO, CouponType.FLEXI_COUPON: ZERO}
        for coupon, take in uses:
            if not spending.spend(coupon, take, order_id=locked.order_id, operator=actor.label, now=now):
                raise DomainError(TradeCodes.COUPON_NOT_USABLE)
            paid[coupon.coupon_type] += take
        OrderCoupon.objects.bulk_create(OrderCoupon(order=locked, coupon=coupon, amount=take, created_at=now)
                                        for coupon, take in uses)
        if left > 0:
            purchases.pay_from_customer_balance(locked.customer, left, trans_id=locked.order_id,
                                                counterparty=locked.order_id,
                                                insufficient=TradeCodes.BALANCE_NOT_ENOUGH)
        order = common.complete(locked, now=now, payer=Payer.CUSTOMER, coupon_amount=paid[CouponType.CASH_COUPON],
                                flexipurchase_coupon_amount=paid[CouponType.FLEXI_COUPON], cash_amount=left)
        _after_payment(actor, order, association, now, note=_("The customer paid the order."))
        entry.detail.update(cash=str(left), coupon_amounts=[str(take) for _c, take in uses])
    return order


def _after_payment(actor, order, association, now, *, note, request=None):
    """What every payment does once the order is completed: the order's other pending requests end, its
    resources are created or extended, and the payment is told."""
    ended = common.end_requests([order.pk], status=PaymentRequestStatus.WITHDRAWN, note=note,
                                decided_by=actor.label, now=now)
    provisioning.provision(order, now=now)
    common.announce("order.paid", actor=actor, order=order, association=association, payer=order.payer,
                    coupon_amount=str(order.coupon_amount), cash_amount=str(order.cash_amount),
                    flexipurchase_coupon_amount=str(order.flexipurchase_coupon_amount))
    for each in ([request] if request is not None else []) + ended:
        common.announce("order.payment_request_decided", actor=actor, order=order, association=association,
                         request_id=str(each.pk), decision=PaymentRequestStatus.APPROVED if each is request
                         else PaymentRequestStatus.WITHDRAWN)


# ---------------------------------------------------------------------------------------------
# The partner pays (余额支付)
# ---------------------------------------------------------------------------------------------

def _require_payer(actor) -> None:
    common.require_partner(actor, "orders.pay")
    if not common.is_solution_provider(actor.partner):
        raise DomainError(TradeCodes.PARTNER_PAY_NOT_ALLOWED, _("Only solution providers pay their customers' orders."))


def _may_partner_pay(actor, order, association, request) -> None:
    """The partner may pay this order now (see the module's rules); the refusal otherwise."""
    if order.is_stored_card:
        raise DomainError(TradeCodes.PARTNER_PAY_NOT_ALLOWED, _("Stored-value card purchases cannot be paid by the "
                                                                "partner."))
    if association is None or association.partner_id != actor.partner.pk or order.partner_id != actor.partner.pk:
        raise DomainError(TradeCodes.PARTNER_PAY_NOT_ALLOWED, _("The customer is not associated with you."))
    if request is not None:
        return
    if association.association_type == AssociationType.REFERRAL:
        raise DomainError(TradeCodes.PARTNER_PAY_NOT_ALLOWED, _(
            "A referral customer's order is paid by the partner only when the customer asks."))
    if order.source_type != SourceType.AGENT:
        raise DomainError(TradeCodes.PARTNER_PAY_NOT_ALLOWED, _(
            "You pay a resale customer's own order only when the customer asks."))


def _partner_pays(actor, order, *, request, action, verification_code):
    now = timezone.now()
    common.ensure_payable(order, now=now)
    association = common.current_association(order.customer)
    _may_partner_pay(actor, order, association, request)
    common.ensure_not_in_arrears(order.customer)
    with operation(actor, action, target=order, verification_code=verification_code,
                   detail={"order_id": order.order_id, "amount": str(order.amount_after_discount)}) as entry:
        # trade/locks.py: association → partner account → order → the request; then check again.
        association = locks.lock_association(association)
        locks.lock_partner_account(actor.partner)
        locked = locks.lock_order(order)
        common.ensure_payable(locked, now=now)
        _may_partner_pay(actor, locked, association, request)
        common.ensure_not_in_arrears(locked.customer, fresh=True)
        if request is not None and not PaymentRequest.objects.filter(
                pk=request.pk, status=PaymentRequestStatus.PENDING).update(
                status=PaymentRequestStatus.APPROVED, decided_by=actor.label[:150], decided_at=now):
            raise DomainError(TradeCodes.REQUEST_NOT_PENDING)
        amount = locked.amount_after_discount
        if amount > 0:
            purchases.pay_from_partner_cash(actor.partner, amount, trans_id=locked.order_id,
                                            counterparty=locked.customer.domain_id,
                                            insufficient=TradeCodes.PARTNER_BALANCE_NOT_ENOUGH)
        order = common.complete(locked, now=now, payer=Payer.PARTNER, paying_partner=actor.partner, cash_amount=amount,
                                invoiceable=association.association_type == AssociationType.REFERRAL)
        _after_payment(actor, order, association, now, request=request,
                       note=_("The partner paid the order."))
        entry.detail["invoiceable"] = order.invoiceable
    return order


def _pending_request(order):
    return PaymentRequest.objects.filter(order=order, status=PaymentRequestStatus.PENDING).first()


def pay_for_customer(actor, *, order_id: str, verification_code=None):
    """余额支付: the partner pays its customer's pending order from its own account. A pending request of
    the customer for this order is approved by it."""
    _require_payer(actor)
    order = common.order_of(actor, order_id)
    return _partner_pays(actor, order, request=_pending_request(order), action="order.partner_pay",
                         verification_code=verification_code)


# ---------------------------------------------------------------------------------------------
# Payment requests: the customer asks, the partner approves or declines, the customer may withdraw
# ---------------------------------------------------------------------------------------------

def request_partner_payment(actor, *, order_id: str, message: str = "") -> PaymentRequest:
    """The customer asks its partner (a solution provider it is associated with now) to pay a pending
    order. One pending request per order."""
    common.require_customer(actor)
    order = common.order_of(actor, order_id)
    common.ensure_payable(order)
    if order.is_stored_card:
        raise DomainError(TradeCodes.PARTNER_PAY_NOT_ALLOWED, _("Stored-value card purchases cannot be paid by the "
                                                                "partner."))
    association = common.current_association(order.customer)
    if association is None or not common.is_solution_provider(association.partner) \
            or order.partner_id != association.partner_id:
        raise DomainError(TradeCodes.PARTNER_PAY_NOT_ALLOWED, _("Your partner cannot pay this order."))
    message = (message or "").strip()[:500]
    with operation(actor, "order.request_payment", target=order, partner=association.partner,
                   detail={"order_id": order.order_id}) as entry:
        # trade/locks.py: association → order; then check again (a disassociation or a payment that
        # committed meanwhile would leave a request nobody can answer).
        locked_association = locks.lock_association(association)
        if locked_association is None or locked_association.partner_id != order.partner_id:
            raise DomainError(TradeCodes.PARTNER_PAY_NOT_ALLOWED, _("Your partner cannot pay this order."))
        common.ensure_payable(locks.lock_order(order))
        if _pending_request(order) is not None:
            raise DomainError(TradeCodes.REQUEST_ALREADY_OPEN)
        try:
            with transaction.atomic():
                request = PaymentRequest.objects.create(order=order, partner=association.partner,
                                                        customer=order.customer, message=message,
                                                        requested_by=actor.user if getattr(actor.user, "pk", None)
                                                        else None)
        except IntegrityError as exc:  # one_pending_payment_request: a concurrent request won
            raise DomainError(TradeCodes.REQUEST_ALREADY_OPEN) from exc
        common.announce("order.payment_requested", actor=actor, order=order, association=association,
                        request_id=str(request.pk), message=message)
        entry.detail["request_id"] = request.pk
    return request


def _request_of(actor, request_id) -> PaymentRequest:
    request = selectors.payment_requests_for(actor).filter(pk=request_id).select_related(
        "order__customer", "order__partner", "order__service_type").first() if str(request_id).isdigit() else None
    if request is None:
        raise DomainError(Codes.NOT_FOUND)
    return request


def decide_payment_request(actor, *, request_id: int, approve: bool, note: str = "", verification_code=None):
    """The partner approves (and so pays the order: 余额支付, with the verification code) or declines a
    customer's request. Declined, the order stays pending for the customer to pay."""
    _require_payer(actor)
    request = _request_of(actor, request_id)
    if request.status != PaymentRequestStatus.PENDING:
        raise DomainError(TradeCodes.REQUEST_NOT_PENDING)
    if approve:
        _partner_pays(actor, request.order, request=request, action="order.approve_payment",
                      verification_code=verification_code)
    else:
        now = timezone.now()
        with operation(actor, "order.decline_payment", target=request.order,
                       detail={"order_id": request.order.order_id, "request_id": request.pk}):
            if not PaymentRequest.objects.filter(pk=request.pk, status=PaymentRequestStatus.PENDING).update(
                    status=PaymentRequestStatus.DECLINED, decided_by=actor.label[:150], decided_at=now,
                    decision_note=(note or "").strip()[:500]):
                raise DomainError(TradeCodes.REQUEST_NOT_PENDING)
            common.announce("order.payment_request_decided", actor=actor, order=request.order,
                            association=common.current_association(request.customer), request_id=str(request.pk),
                            decision=PaymentRequestStatus.DECLINED, note=(note or "").strip()[:200])
    request.refresh_from_db()
    return request


def withdraw_payment_request(actor, *, request_id: int) -> PaymentRequest:
    """The customer takes back its pending request (to pay the order itself, or not at all)."""
    common.require_customer(actor)
    request = _request_of(actor, request_id)
    with operation(actor, "order.withdraw_payment_request", target=request.order, partner=request.partner,
                   detail={"order_id": request.order.order_id, "request_id": request.pk}):
        if not PaymentRequest.objects.filter(pk=request.pk, status=PaymentRequestStatus.PENDING).update(
                status=PaymentRequestStatus.WITHDRAWN, decided_by=actor.label[:150], decided_at=timezone.now()):
            raise DomainError(TradeCodes.REQUEST_NOT_PENDING)
        common.announce("order.payment_request_decided", actor=actor, order=request.order,
                        association=common.current_association(request.customer), request_id=str(request.pk),
                        decision=PaymentRequestStatus.WITHDRAWN)
    request.refresh_from_db()
    return request



def end_requests_on_disassociation(*, association, cause, actor) -> int:
    """An association ended by a disassociation: the customer's pending requests to that partner end
    with it (the partner can no longer pay them). Runs inside the disassociation's transaction, which holds
    the association's lock (step 1 of trade/locks.py); a type switch keeps them (the partner still is)."""
    if cause != "disassociation":
        return 0
    pending = PaymentRequest.objects.filter(partner_id=association.partner_id, customer_id=association.customer_id,
                                            status=PaymentRequestStatus.PENDING).values_list("order_id", flat=True)
    ended = common.end_requests(list(pending), status=PaymentRequestStatus.WITHDRAWN, now=timezone.now(),
                                note=_("The association with the partner ended."), decided_by=actor.label)
    for request in ended:
        common.announce("order.payment_request_decided", actor=actor, order=request.order, association=association,
                        request_id=str(request.pk), decision="ended")
    return len(ended)
