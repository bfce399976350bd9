"""Deduction (扣费): how a rating batch's fee records are paid, after the resource packages paid their part of
the usage (bills/packages.py) and the rest was priced (bills/rating.py).

Per customer, its fee records in consumption order (begin_time, then id), each record in turn:
1. **coupons** — the customer's 代金券 (coupon_amount) and 现金券 (flexipurchase_coupon_amount) that can pay
   something now, oldest expiry first (then pk), each only where its limits cover the record's cloud service
   type and product (vouchers.spending: `usable_on`); a coupon pays min(what it has left, what is due);
2. **cash** — the customer's balance, as far as it goes;
3. **arrears** — the rest is `debt_amount` (欠费): the record is UNSETTLED, the customer's
   `CustomerAccount.arrears` grows by it and `Customer.in_debt` is set, in the same transaction.

Money moves once per customer per batch: each coupon used is spent once with the batch's total from it (as
`vouchers.spending.spend` spends one, for all the batch's coupons in one UPDATE: one CouponRecord each, naming
the batch's trans_id); the balance is lowered by one
LedgerEntry (DEDEUCT) and the arrears raised by one (ARREARS), both named by the customer's batch trans_id,
which every paid fee record of the batch carries as its `trans_id` (billing/consumption.py: one UPDATE and one
INSERT for all the batch's customers).

**Zero balance** (bills.LowBalanceSetting of the partner of the customer's current association: the
customer's own setting, else the partner's default). Policy ARREARS with an `arrears_limit` above zero: once
the arrears reach the limit, the customer's pay-per-use resources (customers.Resource, normal or in grace) are
frozen (OnDemandStatus.FROZEN); they come back when the arrears are paid (bills/arrears.py). Policy
STOP_PURCHASES, a zero limit or no setting: the arrears accrue and nothing is frozen. Either way a customer
in arrears cannot buy (trade refuses its orders and payments).

Hand-computed: balance 1.00, a 代金券 with 0.30 left (limited to ECS), records (ECS 0.50, EVS 1.00): the
ECS record takes 0.30 from the coupon and 0.20 cash; the EVS record 0.80 cash and 0.20 arrears → balance
0.00, arrears 0.20, one CouponRecord of 0.30, one DEDEUCT −1.00, one ARREARS +0.20.

Locks (bills/locks.py): the accounts are locked by the caller (step 1) and the coupons here (step 3, pk
order); the resources are frozen by one UPDATE (step 5).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db import connection
from django.db.models import Case, DecimalField, F, Q, Value, When

from billing import consumption
from customers.choices import AssociationType, OnDemandStatus
from partnercenter.money import ZERO, fen
from vouchers import spending
from vouchers.choices import CouponOperation, CouponStatus, CouponType
from vouchers.models import Coupon, CouponRecord

from . import locks
from .choices import FeeStatus, ZeroBalancePolicy
from .models import LowBalanceSetting

__all__ = ["settle", "freeze_at_limit", "OPERATOR"]

OPERATOR = "rating"  # the CouponRecord's operator of a batch's coupon use
_MONEY = DecimalField(max_digits=18, decimal_places=2)


def _coupons(customer_ids, now) -> dict[int, list[Coupon]]:
    """The customers' coupons that can pay something now (vouchers.spending's candidates), locked (step 3),
    by customer, oldest expiry first."""
    if not customer_ids:
        return {}
    found: dict[int, list[Coupon]] = defaultdict(list)
    for coupon in locks.lock_coupons(Coupon.objects.filter(
            customer_id__in=list(customer_ids), status=CouponStatus.EFFECTIVE,
            coupon_type__in=spending.SPENDABLE_TYPES, valid_time__lte=now, expire_time__gt=now, balance__gt=0)):
        found[coupon.customer_id].append(coupon)
    for coupons in found.values():
        coupons.sort(key=lambda c: (c.expire_time, c.pk))
    return found


def settle(entries, *, accounts, current, now) -> dict:
    """Pay the batch's unsaved fee records: `entries` are (fee, cloud service type code, catalogue product id)
    in consumption order per customer, each fee's consume_amount set; `accounts` the locked accounts by customer
    pk; `current` the customers' current associations (for the zero-balance policy). Sets each fee's payment
    parts, status and trans_id, spends the coupons, moves the balances and arrears, freezes at the limit."""
    by_customer: dict[int, list] = defaultdict(list)
    for entry in entries:
        if entry[0].consume_amount > 0:
            by_customer[entry[0].customer_id].append(entry)
    coupons = _coupons(by_customer.keys(), now)
    charges, spent = [], {}  # spent: coupon pk → [coupon, amount, trans_id]
    for customer_id, owed in by_customer.items():
        account = accounts[customer_id]
        charge = consumption.Charge(account=account, trans_id=consumption.new_trans_id())
        mine = coupons.get(customer_id, ())
        left_of = {coupon.pk: coupon.balance for coupon in mine}
        balance = account.balance
        for fee, service_type_code, product_id in owed:
            due = fee.consume_amount
            for coupon in mine:
                if due <= 0:
                    break
                if left_of[coupon.pk] <= 0 or not spending.usable_on(
                        coupon, customer_id=customer_id, service_type_codes=(service_type_code,),
                        product_ids=(product_id,), now=now):
                    continue
                take = min(left_of[coupon.pk], due)
                left_of[coupon.pk] -= take
                due -= take
                if coupon.coupon_type == CouponType.FLEXI_COUPON:
                    fee.flexipurchase_coupon_amount += take
                else:
                    fee.coupon_amount += take
                spent.setdefault(coupon.pk, [coupon, ZERO, charge.trans_id])[1] += take
            cash = min(balance, due)
            balance -= cash
            fee.cash_amount = cash
            fee.debt_amount = due - cash
            fee.status = FeeStatus.UNSETTLED if fee.debt_amount > 0 else FeeStatus.PAID
            fee.trans_id = charge.trans_id
            charge.cash += cash
            charge.debt += fee.debt_amount
        charges.append(charge)
    _spend(list(spent.values()), now)
    consumption.charge(charges, now=now)
    owing = {c.account.customer_id: c.account for c in charges if c.debt > 0}
    frozen = freeze_at_limit(owing, current, now=now) if owing else 0
    return {"customers": len(charges), "coupons": len(spent), "cash": sum((c.cash for c in charges), ZERO),
            "arrears": sum((c.debt for c in charges), ZERO), "frozen": frozen}


def _spend(spent, now) -> None:
    """vouchers.spending.spend for many coupons at once (each locked, each spent once): one conditional UPDATE
    — never below zero, only while effective and valid, USED when it reaches zero — and one INSERT of their
    CouponRecords (operation 10, the batch's trans_id as the remark)."""
    if not spent:
        return
    amounts = {coupon.pk: amount for coupon, amount, _t in spent}
    if connection.vendor == "postgresql":  # the amounts as arrays: a CASE of many branches is slow to build
        order = sorted(amounts)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {Coupon._meta.db_table} AS c SET balance = round(c.balance - v.amount, 2), "
                f"status = CASE WHEN c.balance = v.amount THEN %s ELSE c.status END, last_used_at = %s "
                f"FROM unnest(%s::bigint[], %s::numeric[]) AS v(id, amount) WHERE c.id = v.id AND c.status = %s "
                f"AND c.balance >= v.amount AND c.valid_time <= %s AND c.expire_time > %s",
                [CouponStatus.USED, now, order, [amounts[pk] for pk in order], CouponStatus.EFFECTIVE, now, now])
            moved = cursor.rowcount
    else:
        moved = _spend_by_case(amounts, now)
    if moved != len(amounts):
        raise RuntimeError("coupons changed under their lock")  # locked (step 3): a backstop
    CouponRecord.objects.bulk_create([
        CouponRecord(partner_id=coupon.partner_id, operation_type=CouponOperation.USE, quota_id=coupon.quota_id,
                     coupon=coupon, customer_id=coupon.customer_id, amount=amount, remark=trans_id,
                     operator=OPERATOR, created_at=now)
        for coupon, amount, trans_id in spent])


def _spend_by_case(amounts, now) -> int:
    by_pk = Case(*(When(pk=pk, then=Value(amount)) for pk, amount in amounts.items()), output_field=_MONEY)
    return Coupon.objects.filter(
        pk__in=list(amounts), status=CouponStatus.EFFECTIVE, balance__gte=by_pk, valid_time__lte=now,
        expire_time__gt=now,
    ).update(status=Case(When(balance=by_pk, then=Value(CouponStatus.USED)), default=F("status"),
                         output_field=Coupon._meta.get_field("status")),
             balance=fen(F("balance") - by_pk), last_used_at=now)


def _limits(accounts, current) -> dict[int, Decimal]:
    """The arrears limit of each customer whose policy freezes at one (see the module docstring)."""
    # only a resale (代售) customer has a zero-balance policy (bills/thresholds.py): its partner pays for it
    partners = {pk: current[pk].partner_id for pk in accounts
                if pk in current and current[pk].association_type == AssociationType.RESALE}
    if not partners:
        return {}
    settings = {(s.partner_id, s.customer_id): s for s in LowBalanceSetting.objects.filter(
        Q(customer_id__in=list(partners)) | Q(customer__isnull=True), partner_id__in=set(partners.values()))}
    limits = {}
    for customer_id, partner_id in partners.items():
        setting = settings.get((partner_id, customer_id)) or settings.get((partner_id, None))
        if setting is not None and setting.zero_balance_policy == ZeroBalancePolicy.ARREARS \
                and setting.arrears_limit > 0:
            limits[customer_id] = setting.arrears_limit
    return limits


def freeze_at_limit(accounts: dict, current: dict, *, now) -> int:
    """Freeze the pay-per-use resources of the customers (accounts as updated, by customer pk) whose arrears
    reached their limit. Returns how many resources were frozen."""
    limits = _limits(accounts, current)
    reached = [pk for pk, limit in limits.items() if accounts[pk].arrears >= limit]
    if not reached:
        return 0
    return locks.on_demand_resources(reached).filter(
        status__in=(OnDemandStatus.NORMAL, OnDemandStatus.GRACE)).update(status=OnDemandStatus.FROZEN, updated_at=now)
