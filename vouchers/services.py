"""Every write of vouchers: issuing and reclaiming coupons, passing quota to cloud resellers, reclaims
when an association ends, and expiry.

A quota's balance only falls through `UPDATE … SET balance = balance - x WHERE … AND balance >= x`
(safe under Read Committed; the CheckConstraint is the backstop), and every change writes its record.
Rows are locked in the order of locks.py, and what was checked before the transaction (is the
customer still the partner's? is the quota still usable? is the child quota still the reseller's?) is
checked again under the lock, so a race ends in a refusal, never in value nobody can reach.
"""

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from django.db import models, transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from customers import locks as customer_locks
from customers.models import Association
from customers.selectors import customers_for
from customers.services import is_resale
from events import outbox
from events.models import Event
from partnercenter.actors import SCHEDULER
from partnercenter.choices import ActorKind
from partnercenter.api.fields import wire_time
from partnercenter.errors import Codes, DomainError
from partnercenter.models import Partner
from partnercenter.money import fen, parse_amount, quantize
from partnercenter.oplog import operation, register_actions, require_code, write_many
from partnercenter.transactions import retry_on_deadlock
from partnercenter.selectors import book_owner, reseller_for

from . import locks, selectors
from .choices import CouponOperation, CouponStatus, CouponType, QuotaOperation, QuotaStatus, QuotaType
from .errors import VoucherCodes
from .models import Coupon, CouponQuota, CouponRecord, QuotaRecord, new_id

__all__ = [
    "MAX_LIMITS", "BATCH_LIMIT", "resale_only", "can_receive_coupon", "can_go_to_resellers", "issue_coupons",
    "reclaim_coupons", "reclaim_on_association_end", "issue_quota_to_resellers", "reclaim_reseller_quotas", "expire",
    "EXPIRY_WARNING", "warn_expiring", "grant_quota", "lapse_customer_coupons",
]

MAX_LIMITS = 10  # at most ten cloud service types and ten products on a coupon
BATCH_LIMIT = 100  # customers, coupons or resellers in one operation
MONEY_FIELD = models.DecimalField(max_digits=18, decimal_places=2)


def _require(actor, permission):
    if not actor.is_partner or not actor.has_perm(permission):
        raise DomainError(Codes.FORBIDDEN)


# ---------------------------------------------------------------------------------------------
# Rules pages and the API ask about (decided here only)
# ---------------------------------------------------------------------------------------------

def resale_only(quota) -> bool:
    """Flexi-purchase coupons (现金券) go to resale customers only; cash coupons to any customer."""
    return quota.quota_type == QuotaType.FLEXI_COUPON


def can_receive_coupon(quota, association) -> bool:
    """May the customer of this (active) association receive a coupon from `quota`?"""
    if association is None or association.ended_on is not None:
        return False
    return not resale_only(quota) or is_resale(association)


def _passable(quota) -> bool:
    # A distributor's own cash-coupon quota; flexi-purchase quotas stay with the distributor.
    return quota.quota_type == QuotaType.CASH_COUPON and quota.parent_id is None


def can_go_to_resellers(quota, *, now=None) -> bool:
    """May a distributor pass part of `quota` to its cloud resellers now?"""
    return _passable(quota) and quota.usable_at(now or timezone.now())


# ---------------------------------------------------------------------------------------------
# Events (events.outbox, vouchers/event_types.py): recorded inside the change's transaction
# ---------------------------------------------------------------------------------------------

def _money(amount) -> str:
    return str(quantize(amount))


def _coupon_data(coupon, **extra) -> dict:
    return {"coupon_id": coupon.coupon_id, "customer_id": coupon.customer.domain_id,
            "account_name": coupon.customer.domain_name, "quota_id": coupon.quota.quota_id,
            "coupon_type": coupon.coupon_type, **extra}


def _managers_of(coupons) -> dict:
    """{(partner pk, customer pk): account manager} of the coupons' customers now, in one statement."""
    pairs = {(coupon.partner_id, coupon.customer_id) for coupon in coupons}
    if not pairs:
        return {}
    rows = Association.objects.filter(partner_id__in={p for p, _c in pairs}, customer_id__in={c for _p, c in pairs},
                                      ended_on__isnull=True).select_related("account_manager")
    return {(a.partner_id, a.customer_id): a.account_manager for a in rows}


def _coupon_events(type_code, *, actor, coupons, managers, data_of, key_of=None) -> list[dict]:
    """An event per coupon for the partner that issued it, scoped to the customer's account manager;
    when a distributor acted in its cloud reseller's book, the distributor's copy too."""
    events = []
    for coupon in coupons:
        data = data_of(coupon)
        event = {"type_code": type_code, "partner": coupon.partner, "customer": coupon.customer,
                 "account_manager": managers.get((coupon.partner_id, coupon.customer_id)), "actor": actor,
                 "data": data}
        if key_of is not None:
            event["key"] = key_of(coupon)
        events.append(event)
        if actor.is_partner and actor.partner.pk != coupon.partner_id:
            events.append({"type_code": type_code, "partner": actor.partner, "customer": coupon.customer,
                           "actor": actor, "data": {**data, "indirect_partner_id": coupon.partner.domain_id}})
    return events


# ---------------------------------------------------------------------------------------------
# Quota balances
# ---------------------------------------------------------------------------------------------

def _take_from_quota(quota, amount) -> None:
    """Lock the quota, check again that it is usable (a reclaim or the expiry run may have committed
    since the first check), and take `amount` from it."""
    if not locks.lock_quota(quota.pk).usable_at(timezone.now()):
        raise DomainError(VoucherCodes.QUOTA_NOT_USABLE)
    if not CouponQuota.objects.filter(pk=quota.pk, status=QuotaStatus.NORMAL, balance__gte=amount).update(
            balance=fen(F("balance") - amount), updated_at=timezone.now()):
        raise DomainError(VoucherCodes.QUOTA_SHORT)


def _return_to_quota(quota, amount) -> None:
    """Back to the quota the value came from — or, when a distributor took that child quota back
    (status 6), up to its parent (and further up if that one was reclaimed too), so no value lands where
    nobody can use it. Each quota is locked before its status is read, child before parent (locks.py):
    a child reclaimed while we waited is seen reclaimed."""
    target = locks.lock_quota(quota.pk)
    while target.status == QuotaStatus.RECLAIMED and target.parent_id:
        target = locks.lock_quota(target.parent_id)
    CouponQuota.objects.filter(pk=target.pk).update(balance=fen(F("balance") + amount), updated_at=timezone.now())


def _limits(requested, allowed, what):
    requested = [str(item).strip() for item in (requested or []) if str(item).strip()]
    if len(requested) > MAX_LIMITS:
        raise DomainError(Codes.PARAMETER, _("At most %(count)d %(what)s.") % {"count": MAX_LIMITS, "what": what})
    if allowed and not requested:
        return list(allowed)  # inherit the quota's limits
    if allowed and not set(requested) <= set(allowed):
        raise DomainError(VoucherCodes.OUTSIDE_QUOTA)
    return requested


# ---------------------------------------------------------------------------------------------
# Coupons (发放 / 回收)
# ---------------------------------------------------------------------------------------------

def issue_coupons(actor, *, quota_id, customer_ids, face_value, valid_time=None, expire_time=None,
                  cloud_service_types=None, product_ids=None, remark="", indirect_partner_id=None,
                  verification_code=None) -> tuple[list[dict], list[dict]]:
    """发放: one coupon of `face_value` to each customer from a usable quota: the quota drops by face value
    × customers who got one, never below zero. A customer who cannot receive one fails alone; when the
    quota runs out, the last customers (input order) get QUOTA_SHORT.
    Returns (coupon_infos [{id, coupon_id}], error_details [{id, error_code, error_msg}]).

    Set-based: a constant number of statements whatever the number of customers. The customers are
    resolved and checked first (one read); then, in one transaction, their associations are locked (pk
    order) and checked again, the quota is locked once, checked again and debited once for the total
    by a conditional UPDATE, and the coupons, their records and the operation-log rows are inserted in
    bulk."""
    _require(actor, "vouchers.issue")
    require_code(actor, "coupons.issue", verification_code)
    owner = book_owner(actor, indirect_partner_id)
    if owner is None:
        raise DomainError(Codes.NOT_FOUND, _("The cloud reseller does not exist."))
    quota = CouponQuota.objects.filter(partner=owner, quota_id=quota_id).first()
    if quota is None:
        raise DomainError(Codes.NOT_FOUND, _("The quota does not exist."))
    face_value = parse_amount(face_value)
    now = timezone.now()
    if not quota.usable_at(now):
        raise DomainError(VoucherCodes.QUOTA_NOT_USABLE)
    valid_time, expire_time = valid_time or quota.effective_time, expire_time or quota.expire_time
    if valid_time < quota.effective_time or expire_time > quota.expire_time or expire_time <= valid_time:
        raise DomainError(VoucherCodes.OUTSIDE_QUOTA)
    if expire_time <= now:
        raise DomainError(Codes.PARAMETER, _("The expiry must be in the future."))
    service_types = _limits(cloud_service_types, quota.cloud_service_types, _("cloud service types"))
    products = _limits(product_ids, quota.product_ids, _("products"))
    ids = list(dict.fromkeys(customer_ids or []))
    if not ids or len(ids) > BATCH_LIMIT:
        raise DomainError(Codes.PARAMETER, _("Give 1 to %(limit)d customers.") % {"limit": BATCH_LIMIT})
    remark = (remark or "")[:255]

    indirect = indirect_partner_id if owner != actor.partner else None
    found = {c.domain_id: c for c in customers_for(actor, indirect_partner_id=indirect).filter(
        domain_id__in=[i for i in ids if i])}
    outcomes, candidates = {}, []  # outcomes: customer id → Coupon | DomainError
    for customer_id in ids:
        customer = found.get(customer_id) if customer_id else None
        try:
            if customer is None:
                raise DomainError(VoucherCodes.CUSTOMER_NOT_ELIGIBLE, _("The customer is not yours."))
            if quota.designated_customer_id and quota.designated_customer_id != customer.pk:
                raise DomainError(VoucherCodes.DESIGNATED_CUSTOMER)
            _ensure_recipient(quota, customer.active_associations[0])
        except DomainError as exc:
            outcomes[customer_id] = exc
        else:
            candidates.append((customer_id, customer))
    if candidates:
        shared = {"quota": quota, "partner": owner, "coupon_type": quota.coupon_type, "face_value": face_value,
                  "balance": face_value, "valid_time": valid_time, "expire_time": expire_time,
                  "status": CouponStatus.EFFECTIVE if valid_time <= now else CouponStatus.INACTIVE,
                  "cloud_service_types": service_types, "product_ids": products, "remark": remark}
        outcomes.update(retry_on_deadlock(lambda: _issue_batch(actor, quota, candidates, shared)))

    coupon_infos, error_details = [], []
    for customer_id in ids:
        outcome = outcomes[customer_id]
        if isinstance(outcome, DomainError):
            error_details.append({"id": customer_id, "error_code": outcome.code, "error_msg": str(outcome.message)})
        else:
            coupon_infos.append({"id": customer_id, "coupon_id": outcome.coupon_id})
    return coupon_infos, error_details


def _issue_batch(actor, quota, candidates, shared) -> dict:
    """The locked part of issue_coupons, one transaction: {customer id: Coupon | DomainError}. `shared`
    holds the fields every coupon of the batch has."""
    outcomes, issued, face_value = {}, [], shared["face_value"]
    with transaction.atomic():
        # Checked again under the associations' locks: a disassociation that committed since reclaimed
        # the customer's coupons and must not be followed by a new one.
        current = customer_locks.lock_current_associations(c.active_associations[0] for _i, c in candidates)
        eligible = []
        for customer_id, customer in candidates:
            try:
                _ensure_recipient(quota, current[customer.active_associations[0].pk])
            except DomainError as exc:
                outcomes[customer_id] = exc
            else:
                eligible.append((customer_id, customer))
        if eligible:
            # The quota, locked, checked again (a reclaim or the expiry run may have committed since the
            # first check); the customers it covers get a coupon, in input order, the others QUOTA_SHORT.
            locked = locks.lock_quota(quota.pk)
            usable, room = locked.usable_at(timezone.now()), locked.balance
            for customer_id, customer in eligible:
                if not usable:
                    outcomes[customer_id] = DomainError(VoucherCodes.QUOTA_NOT_USABLE)
                elif face_value > room:
                    outcomes[customer_id] = DomainError(VoucherCodes.QUOTA_SHORT)
                else:
                    room -= face_value
                    issued.append((customer_id, customer))
        if issued:
            total = face_value * len(issued)
            if not CouponQuota.objects.filter(pk=quota.pk, status=QuotaStatus.NORMAL, balance__gte=total).update(
                    balance=fen(F("balance") - total), updated_at=timezone.now()):
                raise DomainError(VoucherCodes.QUOTA_SHORT)  # the lock makes this impossible; a backstop
            coupons = Coupon.objects.bulk_create([Coupon(customer=customer, **shared) for _i, customer in issued])
            CouponRecord.objects.bulk_create(
                CouponRecord(partner=each.partner, operation_type=CouponOperation.ISSUE, quota=quota, coupon=each,
                             customer=each.customer, amount=face_value, remark=each.remark, operator=actor.label)
                for each in coupons)
            outcomes.update((customer_id, coupon) for (customer_id, _c), coupon in zip(issued, coupons))
            managers = {(quota.partner_id, customer.pk): customer.active_associations[0].account_manager
                        for _i, customer in issued}
            batch_id = new_id()
            outbox.record_many(_coupon_events(  # one INSERT for the batch: an event per coupon issued
                "coupon.issued", actor=actor, coupons=coupons, managers=managers,
                data_of=lambda coupon: _coupon_data(coupon, face_value=_money(face_value),
                                                    valid_time=wire_time(coupon.valid_time),
                                                    expire_time=wire_time(coupon.expire_time),
                                                    batch_id=batch_id)))
        detail = {"quota_id": quota.quota_id, "face_value": str(face_value)}
        logged = []
        for customer_id, customer in candidates:
            outcome = outcomes[customer_id]
            if isinstance(outcome, DomainError):
                logged.append((customer, detail, outcome.code))
            else:
                logged.append((customer, {**detail, "coupon_id": outcome.coupon_id}, ""))
        write_many(actor, "coupons.issue", logged)
    return outcomes


def _ensure_recipient(quota, association) -> None:
    if association is None or association.ended_on is not None:
        raise DomainError(VoucherCodes.CUSTOMER_NOT_ELIGIBLE, _("The customer is not yours."))
    if not can_receive_coupon(quota, association):
        raise DomainError(VoucherCodes.CUSTOMER_NOT_ELIGIBLE, _("Flexi-purchase coupons go to resale customers only."))


def _take_back(reclaimed, *, operation_type, operator, remark="") -> None:
    """Take coupons' whole remaining balances back, in a few statements for any number of coupons.
    `reclaimed` is [(coupon, amount)] of effective coupons locked by the caller (with their quota
    loaded). Each coupon becomes reclaimed (status 5) with a record; its amount returns to the quota it
    came from — or, when a distributor took that child quota back (status 6), up to its parent, so no
    value lands where nobody can use it. A reclaimed flexi-purchase coupon (a manual reclaim) is
    designated to its customer instead: its balance goes to a quota that can be issued only to that
    customer again (one per source quota and customer).

    Every quota that may change is locked at once, children first (locks.py): each coupon's quota and
    that quota's parent (so a child seen reclaimed under its lock is followed up without a second
    round), and the designated quotas already held for those customers."""
    if not reclaimed:
        return
    Coupon.objects.filter(pk__in=[coupon.pk for coupon, _amount in reclaimed]).update(
        status=CouponStatus.RECLAIMED, balance=0)
    CouponRecord.objects.bulk_create(
        CouponRecord(partner_id=coupon.partner_id, operation_type=operation_type, quota_id=coupon.quota_id,
                     coupon=coupon, customer_id=coupon.customer_id, amount=amount, remark=remark, operator=operator)
        for coupon, amount in reclaimed)
    for coupon, amount in reclaimed:
        coupon.status, coupon.balance, coupon.reclaimed_amount = CouponStatus.RECLAIMED, 0, amount
    earmarking = operation_type == CouponOperation.RECLAIM
    to_earmark = [(c, a) for c, a in reclaimed if a and earmarking and c.coupon_type == CouponType.FLEXI_COUPON]
    to_return = [(c, a) for c, a in reclaimed if a and not (earmarking and c.coupon_type == CouponType.FLEXI_COUPON)]
    if not (to_earmark or to_return):
        return
    wanted = Q(pk__in={c.quota_id for c, _a in to_return}
               | {c.quota.parent_id for c, _a in to_return if c.quota.parent_id})
    if to_earmark:
        wanted |= Q(parent_id__in={c.quota_id for c, _a in to_earmark},
                    designated_customer_id__in={c.customer_id for c, _a in to_earmark},
                    partner_id__in={c.partner_id for c, _a in to_earmark})
    quotas = locks.lock_quota_rows(CouponQuota.objects.filter(wanted))

    balance_adds, value_adds = defaultdict(Decimal), defaultdict(Decimal)
    for coupon, amount in to_return:
        target = quotas[coupon.quota_id]
        while target.status == QuotaStatus.RECLAIMED and target.parent_id:
            if target.parent_id not in quotas:  # a grandparent: not a shape issuing creates, kept for safety
                quotas[target.parent_id] = locks.lock_quota(target.parent_id)
            target = quotas[target.parent_id]
        balance_adds[target.pk] += amount
    earmarked = {}
    for quota in sorted(quotas.values(), key=lambda q: q.pk):
        if quota.designated_customer_id:
            earmarked.setdefault((quota.partner_id, quota.parent_id, quota.designated_customer_id), quota)
    new = {}
    for coupon, amount in to_earmark:
        key = (coupon.partner_id, coupon.quota_id, coupon.customer_id)
        if key in earmarked:
            balance_adds[earmarked[key].pk] += amount
            value_adds[earmarked[key].pk] += amount
        elif key in new:
            new[key].quota_value += amount
            new[key].balance += amount
        else:
            source = coupon.quota
            new[key] = CouponQuota(
                partner_id=coupon.partner_id, parent=source, designated_customer_id=coupon.customer_id,
                quota_type=source.quota_type, quota_value=amount, balance=amount, effective_time=source.effective_time,
                expire_time=source.expire_time, cloud_service_types=source.cloud_service_types,
                product_ids=source.product_ids)
    if new:
        CouponQuota.objects.bulk_create(new.values())
    if balance_adds:  # one UPDATE for every quota that takes value back (an earmarked one grows too)
        changes = {"balance": fen(F("balance") + _by_pk(balance_adds)), "updated_at": timezone.now()}
        if value_adds:
            changes["quota_value"] = fen(F("quota_value") + _by_pk(value_adds, default=Decimal("0.00")))
        CouponQuota.objects.filter(pk__in=balance_adds).update(**changes)


def _by_pk(amounts, default=None):
    """CASE pk WHEN … THEN amount … END: a different amount per row in one UPDATE."""
    return Case(*(When(pk=pk, then=Value(amount)) for pk, amount in amounts.items()),
                default=None if default is None else Value(default), output_field=MONEY_FIELD)


def _reclaim_batch(actor, coupons, *, remark) -> dict:
    """The locked part of reclaim_coupons, one transaction: {coupon_id: amount | DomainError}."""
    outcomes, logged = {}, []
    with transaction.atomic():
        locked = {c.pk: c for c in locks.lock_coupons(Coupon.objects.filter(pk__in=[c.pk for c in coupons]))}
        reclaimed = []
        for coupon in coupons:
            current = locked.get(coupon.pk)
            if current is None or current.status != CouponStatus.EFFECTIVE:
                outcomes[coupon.coupon_id] = DomainError(VoucherCodes.NOT_RECLAIMABLE)
            else:
                reclaimed.append((coupon, current.balance))
                outcomes[coupon.coupon_id] = current.balance
        _take_back(reclaimed, operation_type=CouponOperation.RECLAIM, operator=actor.label, remark=remark)
        _record_reclaims(actor, reclaimed, CouponOperation.RECLAIM)
        for coupon in coupons:
            outcome = outcomes[coupon.coupon_id]
            if isinstance(outcome, DomainError):
                logged.append((coupon.customer, {"coupon_id": coupon.coupon_id}, outcome.code))
            else:
                logged.append((coupon.customer, {"coupon_id": coupon.coupon_id, "amount": str(outcome)}, ""))
        write_many(actor, "coupons.reclaim", logged)
    return outcomes


def _record_reclaims(actor, reclaimed, operation_type, managers=None) -> None:
    """coupon.reclaimed for each (coupon, amount) taken back, in one INSERT."""
    if not reclaimed:
        return
    amounts = {coupon.pk: amount for coupon, amount in reclaimed}
    coupons = [coupon for coupon, _amount in reclaimed]
    outbox.record_many(_coupon_events(
        "coupon.reclaimed", actor=actor, coupons=coupons,
        managers=_managers_of(coupons) if managers is None else managers,
        data_of=lambda coupon: _coupon_data(coupon, amount=_money(amounts[coupon.pk]),
                                            operation_type=str(operation_type))))


def reclaim_coupons(actor, *, coupon_ids, indirect_partner_id=None, remark="", verification_code=None) -> list[dict]:
    """回收 / 批量回收: each coupon's whole balance back to its quota; only effective (status 2) coupons.
    Returns [{coupon_id, ok, amount | error_code, error_msg}] in input order. One coupon that is not
    found or not effective fails alone; the others are reclaimed together, in one transaction and a
    constant number of statements (the coupons locked at once, then their quotas: _take_back)."""
    _require(actor, "vouchers.issue")
    if not coupon_ids or len(coupon_ids) > BATCH_LIMIT:
        raise DomainError(Codes.PARAMETER, _("Give 1 to %(limit)d items.") % {"limit": BATCH_LIMIT})
    require_code(actor, "coupons.reclaim", verification_code)
    coupons = {c.coupon_id: c for c in selectors.coupons_for(actor, indirect_partner_id=indirect_partner_id)
               .filter(coupon_id__in=coupon_ids).select_related("quota", "customer", "partner")}
    ids = list(dict.fromkeys(coupon_ids))
    outcomes = {i: DomainError(Codes.NOT_FOUND, _("The coupon does not exist.")) for i in ids if i not in coupons}
    present = [coupons[i] for i in ids if i in coupons]
    if present:
        outcomes.update(_reclaim_batch(actor, present, remark=remark))
    results = []
    for coupon_id in ids:
        outcome = outcomes[coupon_id]
        if isinstance(outcome, DomainError):
            results.append({"coupon_id": coupon_id, "ok": False, "error_code": outcome.code,
                            "error_msg": str(outcome.message)})
        else:
            results.append({"coupon_id": coupon_id, "ok": True, "amount": outcome})
    return results


def reclaim_on_association_end(*, association, cause, actor) -> int:
    """The partner's effective coupons of a customer whose association ended return to their quotas
    (operation type 3 on disassociation, 8 on a type switch). Runs inside the caller's transaction, which
    holds the association's lock, so no coupon can be issued to the customer meanwhile."""
    operation_type = CouponOperation.TYPE_SWITCH if cause == "type_switch" else CouponOperation.UNBIND
    coupons = locks.lock_coupons(Coupon.objects.filter(
        partner=association.partner, customer=association.customer, status=CouponStatus.EFFECTIVE,
    ).select_related("quota", "customer", "partner"))
    reclaimed = [(coupon, coupon.balance) for coupon in coupons]
    _take_back(reclaimed, operation_type=operation_type, operator=actor.label)
    # The association has ended: its account manager is still the one who looked after the customer.
    manager = association.account_manager
    _record_reclaims(actor, reclaimed, operation_type,
                     managers={(association.partner_id, association.customer_id): manager})
    return len(coupons)


# ---------------------------------------------------------------------------------------------
# Distributor ↔ cloud reseller quotas
# ---------------------------------------------------------------------------------------------

def issue_quota_to_resellers(actor, *, quota_id, indirect_partner_ids, quota_amount,
                             verification_code=None) -> tuple[list[dict], list[dict]]:
    """A distributor passes part of its cash-coupon quota to resellers: a child quota each (same
    validity and limits), the parent's balance dropping by amount × resellers served."""
    _require(actor, "vouchers.issue")
    if not indirect_partner_ids or len(indirect_partner_ids) > BATCH_LIMIT:
        raise DomainError(Codes.PARAMETER, _("Give 1 to %(limit)d items.") % {"limit": BATCH_LIMIT})
    if not actor.partner.is_distributor:
        raise DomainError(Codes.FORBIDDEN)
    require_code(actor, "quotas.issue_reseller", verification_code)
    parent = CouponQuota.objects.filter(partner=actor.partner, quota_id=quota_id).first()
    if parent is None:
        raise DomainError(Codes.NOT_FOUND, _("The quota does not exist."))
    amount = parse_amount(quota_amount)
    if not _passable(parent):
        raise DomainError(Codes.PARAMETER, _("Only cash-coupon quotas can be passed to cloud resellers."))
    if not parent.usable_at(timezone.now()):
        raise DomainError(VoucherCodes.QUOTA_NOT_USABLE)
    infos, errors = [], []
    for reseller_id in dict.fromkeys(indirect_partner_ids or []):
        try:
            reseller = reseller_for(actor, reseller_id)
            if reseller is None:
                raise DomainError(Codes.NOT_FOUND, _("The cloud reseller does not exist."))
            with operation(actor, "quotas.issue_reseller", target=reseller, detail={"amount": str(amount)}):
                _take_from_quota(parent, amount)
                child = CouponQuota.objects.create(
                    partner=reseller, parent=parent, quota_type=parent.quota_type, quota_value=amount, balance=amount,
                    effective_time=parent.effective_time, expire_time=parent.expire_time,
                    cloud_service_types=parent.cloud_service_types, product_ids=parent.product_ids,
                )
                QuotaRecord.objects.create(distributor=actor.partner, reseller=reseller, operation_type=QuotaOperation.ISSUE,
                                           quota=child, parent_quota=parent, amount=amount, operator=actor.label)
                outbox.record("quota.received", partner=reseller, actor=actor, data={
                    "quota_id": child.quota_id, "quota_type": child.quota_type, "quota_value": _money(amount),
                    "effective_time": wire_time(child.effective_time), "expire_time": wire_time(child.expire_time),
                    "distributor_id": actor.partner.domain_id})
        except DomainError as exc:
            errors.append({"id": reseller_id, "error_code": exc.code, "error_msg": str(exc.message)})
        else:
            infos.append({"id": reseller_id, "quota_id": child.quota_id})
    return infos, errors


def reclaim_reseller_quotas(actor, *, quota_ids, remark="", verification_code=None) -> tuple[list[dict], list[dict]]:
    """A distributor takes back what is left of child quotas it issued; the child is marked reclaimed (6)."""
    _require(actor, "vouchers.issue")
    if not quota_ids or len(quota_ids) > BATCH_LIMIT:
        raise DomainError(Codes.PARAMETER, _("Give 1 to %(limit)d items.") % {"limit": BATCH_LIMIT})
    if not actor.partner.is_distributor:
        raise DomainError(Codes.FORBIDDEN)
    require_code(actor, "quotas.reclaim_reseller", verification_code)
    infos, errors = [], []
    for quota_id in dict.fromkeys(quota_ids or []):
        child = selectors.issued_quotas_for(actor).filter(quota_id=quota_id).select_related("parent", "partner").first()
        try:
            if child is None:
                raise DomainError(Codes.NOT_FOUND, _("The quota does not exist."))
            with operation(actor, "quotas.reclaim_reseller", target=child.partner, detail={"quota_id": quota_id}):
                locked = locks.lock_quota(child.pk)
                if locked.status == QuotaStatus.RECLAIMED:
                    raise DomainError(VoucherCodes.NOT_RECLAIMABLE, _("The quota was already reclaimed."))
                amount = locked.balance
                CouponQuota.objects.filter(pk=child.pk).update(balance=0, status=QuotaStatus.RECLAIMED)
                _return_to_quota(child.parent, amount)
                QuotaRecord.objects.create(distributor=actor.partner, reseller=child.partner,
                                           operation_type=QuotaOperation.RECLAIM, quota=child, parent_quota=child.parent,
                                           amount=amount, remark=(remark or "")[:255], operator=actor.label)
                outbox.record("quota.reclaimed", partner=child.partner, actor=actor, data={
                    "quota_id": quota_id, "quota_type": child.quota_type, "quota_balance": _money(amount),
                    "distributor_id": actor.partner.domain_id})
        except DomainError as exc:
            errors.append({"id": quota_id, "error_code": exc.code, "error_msg": str(exc.message)})
        else:
            infos.append({"quota_id": quota_id, "quota_balance": amount})
    return infos, errors


# ---------------------------------------------------------------------------------------------
# The platform grants a partner a quota
# ---------------------------------------------------------------------------------------------

register_actions({"quotas.grant": gettext_lazy("Quota granted by the platform")})


def grant_quota(actor, *, partner, quota_type, amount, effective_time, expire_time, cloud_service_types=(),
                remark="") -> CouponQuota:
    """An operator grants `partner` a quota of `amount` (value and balance start equal), usable from
    `effective_time` until `expire_time` on `cloud_service_types` (none: any). Coupons are then issued
    from it with issue_coupons like from any quota the platform granted. Runs in the caller's
    transaction when there is one (programs' test-coupon approval stores the quota on its application
    in the same transaction); the grant is in the partner's 操作记录 (`quotas.grant`, filed under the
    partner: the operator has none). There is no QuotaRecord for it: those record a distributor passing
    quota to a cloud reseller (both sides and the parent quota are required)."""
    if actor.kind != ActorKind.OPERATOR:
        raise DomainError(Codes.FORBIDDEN)
    if quota_type not in QuotaType.values:
        raise DomainError(Codes.PARAMETER, _("Unknown quota type."))
    amount = parse_amount(amount)
    if effective_time is None or expire_time is None or expire_time <= effective_time:
        raise DomainError(Codes.PARAMETER, _("The quota must expire after it becomes effective."))
    if expire_time <= timezone.now():
        raise DomainError(Codes.PARAMETER, _("The expiry must be in the future."))
    service_types = _limits(cloud_service_types, (), _("cloud service types"))
    remark = (remark or "")[:255]
    detail = {"quota_type": int(quota_type), "amount": str(amount), "effective_time": wire_time(effective_time),
              "expire_time": wire_time(expire_time), "remark": remark}
    with operation(actor, "quotas.grant", target=partner, partner=partner, detail=detail) as entry:
        quota = CouponQuota.objects.create(
            partner=partner, quota_type=quota_type, quota_value=amount, balance=amount, effective_time=effective_time,
            expire_time=expire_time, cloud_service_types=service_types)
        entry.target = quota
        entry.detail["quota_id"] = quota.quota_id
    return quota


# ---------------------------------------------------------------------------------------------
# Expiry (Celery beat)
# ---------------------------------------------------------------------------------------------

def expire(actor=SCHEDULER, *, now=None) -> tuple[int, int]:
    """Coupons past expire_time become expired (4) and quotas past expiry invalid (3), each once:
    only rows still in the state being left are locked and moved, so a second or late run changes
    nothing; a used or reclaimed coupon is never touched. Each expired coupon gets a type-4 record, and
    each partner whose coupons or quotas changed one operation-log row (the scheduler's) in its 操作记录."""
    now = now or timezone.now()
    due_coupons = Coupon.objects.filter(status__in=[CouponStatus.EFFECTIVE, CouponStatus.INACTIVE], expire_time__lte=now)
    due_quotas = CouponQuota.objects.filter(status__in=[QuotaStatus.NORMAL, QuotaStatus.ADJUSTING, QuotaStatus.FROZEN],
                                            expire_time__lte=now)
    # Coupons issued for a later start become usable when their time comes.
    starting = Coupon.objects.filter(status=CouponStatus.INACTIVE, valid_time__lte=now, expire_time__gt=now)
    if not (due_coupons.exists() or due_quotas.exists() or starting.exists()):
        return 0, 0  # nothing due: nothing to write, nothing to log
    counts = defaultdict(lambda: {"coupons": 0, "quotas": 0, "activated": 0})
    with transaction.atomic():
        expired = locks.lock_coupons(due_coupons)  # coupons before quotas (locks.py)
        for coupon in expired:
            Coupon.objects.filter(pk=coupon.pk).update(status=CouponStatus.EXPIRED)
            counts[coupon.partner_id]["coupons"] += 1
        CouponRecord.objects.bulk_create(
            CouponRecord(partner_id=coupon.partner_id, operation_type=CouponOperation.EXPIRE, quota_id=coupon.quota_id,
                         coupon=coupon, customer_id=coupon.customer_id, amount=coupon.balance, operator=actor.label)
            for coupon in expired)
        for partner_id in starting.values_list("partner_id", flat=True):
            counts[partner_id]["activated"] += 1
        starting.update(status=CouponStatus.EFFECTIVE)
        invalid = CouponQuota.objects.filter(pk__in=locks.lock_quotas(due_quotas))
        for partner_id in invalid.values_list("partner_id", flat=True):
            counts[partner_id]["quotas"] += 1
        quotas = invalid.update(status=QuotaStatus.INVALID)
        for partner in Partner.objects.filter(pk__in=counts):
            with operation(actor, "vouchers.expire", partner=partner, detail={"now": now.isoformat(), **counts[partner.pk]}):
                pass
    return len(expired), quotas


def lapse_customer_coupons(actor, *, customer, reason) -> list[Coupon]:
    """The account's unused coupons (not yet effective or effective, of any partner) lapse at once, e.g. when
    it becomes a cloud reseller ("未使用完的代金券 … 成为云经销商后将失效"). Kept as `expire` keeps them: each
    becomes expired (4) with a type-4 record of the balance it still held, which returns to no quota. Runs
    inside the caller's transaction; the coupons are locked (locks.py: coupons before quotas, and no quota is
    touched). Returns the lapsed coupons."""
    lapsed = locks.lock_coupons(Coupon.objects.filter(
        customer=customer, status__in=[CouponStatus.INACTIVE, CouponStatus.EFFECTIVE]))
    if not lapsed:
        return []
    Coupon.objects.filter(pk__in=[coupon.pk for coupon in lapsed]).update(status=CouponStatus.EXPIRED)
    remark = str(reason or "")[:200]
    CouponRecord.objects.bulk_create(
        CouponRecord(partner_id=coupon.partner_id, operation_type=CouponOperation.EXPIRE, quota_id=coupon.quota_id,
                     coupon=coupon, customer_id=coupon.customer_id, amount=coupon.balance, remark=remark,
                     operator=actor.label)
        for coupon in lapsed)
    for coupon in lapsed:
        coupon.status = CouponStatus.EXPIRED
    return lapsed


EXPIRY_WARNING = timedelta(days=7)
WARNING_BATCH = 500


def warn_expiring(actor=SCHEDULER, *, now=None, within=EXPIRY_WARNING) -> int:
    """coupon.expiring for every effective coupon that expires within `within` — once per coupon, ever:
    each event is keyed `coupon:<pk>` (events.outbox); a batch leaves out the coupons already warned (a
    lookup of its keys on the unique (type, key) index), and a concurrent run's inserts of the same keys
    are ignored. Each run reads the coupons of the window (the index on status, expire_time), however
    many were warned before. Returns the events recorded."""
    now = now or timezone.now()
    due = (Coupon.objects.filter(status=CouponStatus.EFFECTIVE, expire_time__gt=now, expire_time__lte=now + within)
           .select_related("customer", "partner", "quota").order_by("pk"))
    recorded, after = 0, 0
    while True:
        chunk = list(due.filter(pk__gt=after)[:WARNING_BATCH])
        if not chunk:
            return recorded
        after = chunk[-1].pk
        keys = {f"coupon:{coupon.pk}": coupon for coupon in chunk}
        # exclude(key=""): the condition of the partial unique index, so the lookup uses it.
        warned = set(Event.objects.exclude(key="").filter(type="coupon.expiring", key__in=list(keys))
                     .values_list("key", flat=True))
        fresh = [coupon for key, coupon in keys.items() if key not in warned]
        if not fresh:
            continue
        with transaction.atomic():
            recorded += outbox.record_many(_coupon_events(
                "coupon.expiring", actor=actor, coupons=fresh, managers=_managers_of(fresh),
                key_of=lambda coupon: f"coupon:{coupon.pk}",
                data_of=lambda coupon: _coupon_data(coupon, face_value=_money(coupon.face_value),
                                                    balance=_money(coupon.balance),
                                                    expire_time=wire_time(coupon.expire_time))))
