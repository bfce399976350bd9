"""Arrears paid (欠费核销): when money reaches the balance of a customer that owes arrears — an allocation, a
refund to its balance, any credit of its cash balance — the arrears are paid first, in the same transaction.

billing announces the credit (billing.signals.customer_balance_credited, sent by the crediting primitive
while it holds the account's row lock, only for accounts with arrears); bills/receivers.py calls `pay` here:

- x = min(balance, arrears); balance −= x and arrears −= x, with a WRITEOFF ledger entry on each
  (billing/consumption.py `write_off`, one trans_id per customer, the crediting movement's trans_id as the
  counterparty);
- the customer's oldest UNSETTLED fee records (by id) move x from `debt_amount` to `writeoff_amount`, each
  PAID once no debt is left on it;
- arrears at zero: `Customer.in_debt` is cleared and the pay-per-use resources frozen for arrears
  (bills/deduction.py) are back to normal.

E.g. arrears 0.20 over two records (0.15, 0.05), an allocation of 100.00: balance 100.00 → 99.80, arrears
0.00, the records PAID with writeoff 0.15 and 0.05, in_debt False.

The invariant the write-off keeps (checked by `problems()`): a customer's arrears equal the sum of the
`debt_amount` of its fee records. A closed month's fee records are paid like the others — its monthly sums,
written at the close, do not change.
"""

from __future__ import annotations

import logging
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from billing import consumption
from billing.models import CustomerAccount
from customers.choices import OnDemandStatus

from . import locks
from .choices import FeeStatus
from .models import FeeRecord

__all__ = ["pay", "problems"]

log = logging.getLogger(__name__)


def pay(credits: dict[int, str], *, now=None) -> dict[int, Decimal]:
    """Pay the arrears of the credited customers ({customer pk: crediting trans_id}) from their balances, inside
    the caller's transaction. Returns what was paid, by customer pk."""
    now = now or timezone.now()
    accounts = locks.lock_customer_accounts(credits)  # step 1: already held by the credit's UPDATE
    amounts = {pk: min(a.balance, a.arrears) for pk, a in accounts.items() if a.arrears > 0 and a.balance > 0}
    if not amounts:
        return {}
    consumption.write_off(accounts, amounts, counterparty_of=credits, now=now)
    left = dict(amounts)
    changed = []
    for fee in locks.lock_unsettled_fees(amounts):  # step 4, oldest first
        due = left.get(fee.customer_id, 0)
        if due <= 0:
            continue
        moved = min(due, fee.debt_amount)
        fee.debt_amount -= moved
        fee.writeoff_amount += moved
        fee.status = FeeStatus.PAID if fee.debt_amount == 0 else FeeStatus.UNSETTLED
        left[fee.customer_id] = due - moved
        changed.append(fee)
    FeeRecord.objects.bulk_update(changed, ["debt_amount", "writeoff_amount", "status"])
    short = {pk: amount for pk, amount in left.items() if amount > 0}
    if short:  # the arrears exceeded the fee records' debt: the invariant is broken somewhere
        log.error("arrears write-off: no unsettled fee records for %s", short)
    cleared = [pk for pk in amounts if accounts[pk].arrears == 0]
    if cleared:  # step 5
        locks.on_demand_resources(cleared).filter(status=OnDemandStatus.FROZEN).update(
            status=OnDemandStatus.NORMAL, updated_at=now)
    return amounts


def problems(customer_ids=None) -> list[str]:
    """Customers whose arrears are not the sum of their fee records' debt (empty when all is well)."""
    debts = FeeRecord.objects.filter(debt_amount__gt=0)
    accounts = CustomerAccount.objects.all()
    if customer_ids is not None:
        debts, accounts = debts.filter(customer_id__in=customer_ids), accounts.filter(customer_id__in=customer_ids)
    owed = dict(debts.values("customer_id").annotate(total=Sum("debt_amount")).values_list("customer_id", "total"))
    found = []
    for customer_id, arrears in accounts.filter(arrears__gt=0).values_list("customer_id", "arrears"):
        total = owed.pop(customer_id, 0)
        if total != arrears:
            found.append(f"customer {customer_id}: arrears {arrears}, fee records owe {total}")
    found += [f"customer {pk}: fee records owe {total} without arrears" for pk, total in owed.items() if total]
    return found
