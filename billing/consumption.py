"""Consumption on a customer's account: the cash a rating batch deducts, the arrears (欠费) it leaves, and the
arrears paid when money arrives (欠费核销) — the money primitives of bills' deduction and write-off, set-based.

Every primitive runs inside the caller's transaction, after the caller locked the customers' accounts
(billing/locks.py `lock_customer_accounts`, pk order) and computed the amounts from the locked rows; it changes
every account in ONE UPDATE and writes every ledger entry in ONE INSERT, each entry with the balance after it:

- `charge`: per customer, balance −= cash (one LedgerEntry CASH / DEDEUCT) and arrears += debt (one
  LedgerEntry ARREARS / ARREARS), both named by the customer's batch trans_id; `Customer.in_debt` = True for
  the customers that now owe something.
- `write_off`: per customer, balance −= x and arrears −= x (LedgerEntry CASH / WRITEOFF and ARREARS /
  WRITEOFF, one trans_id); `Customer.in_debt` = False for those whose arrears reach zero.

The balance never goes below zero and the arrears never either: the caller computes within the locked values,
and the accounts' CheckConstraints are the backstop. `manage.py verify_ledger` recomputes both balances from
their entries.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, models
from django.db.models import Case, F, Value, When
from django.utils import timezone

from customers.models import Customer
from partnercenter.errors import Codes, DomainError
from partnercenter.money import ZERO, fen

from .choices import BalanceType, TradeType
from .models import CustomerAccount, LedgerEntry, new_trans_id

__all__ = ["Charge", "charge", "write_off", "new_trans_id"]

_MONEY = models.DecimalField(max_digits=18, decimal_places=2)


@dataclass
class Charge:
    """What one customer's batch takes: `cash` from its balance, `debt` added to its arrears."""

    account: CustomerAccount   # locked by the caller, as read under the lock
    cash: Decimal = ZERO
    debt: Decimal = ZERO
    trans_id: str = ""


def _by_pk(amounts: dict[int, Decimal]):
    return Case(*(When(pk=pk, then=Value(amount)) for pk, amount in amounts.items()), default=Value(ZERO),
                output_field=_MONEY)


def _apply(cash: dict[int, Decimal], debt: dict[int, Decimal], *, sign: int, now) -> None:
    """balance −= cash[pk]; arrears += sign × debt[pk] — one UPDATE for every account named (on PostgreSQL
    joined to the amounts as two arrays: a CASE of thousands of branches costs more to build than to run)."""
    pks = set(cash) | set(debt)
    if not pks:
        return
    if connection.vendor == "postgresql":
        order = sorted(pks)
        table = CustomerAccount._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} AS a SET balance = round(a.balance - v.cash, 2), "
                f"arrears = round(a.arrears + %s * v.debt, 2), updated_at = %s "
                f"FROM unnest(%s::bigint[], %s::numeric[], %s::numeric[]) AS v(id, cash, debt) WHERE a.id = v.id",
                [sign, now, order, [cash.get(pk, ZERO) for pk in order], [debt.get(pk, ZERO) for pk in order]])
            if cursor.rowcount != len(pks):
                raise DomainError(Codes.INTERNAL)  # the accounts are locked: a backstop
        return
    changes = {"updated_at": now}
    if cash:
        changes["balance"] = fen(F("balance") - _by_pk(cash))
    if debt:
        changes["arrears"] = fen(F("arrears") + _by_pk(debt)) if sign > 0 else fen(F("arrears") - _by_pk(debt))
    if CustomerAccount.objects.filter(pk__in=pks).update(**changes) != len(pks):
        raise DomainError(Codes.INTERNAL)  # the accounts are locked: a backstop


def charge(charges: list[Charge], *, counterparty: str = "", now=None) -> None:
    """Deduct each customer's cash and add its debt (see the module docstring). `charges` name locked accounts;
    one without a trans_id gets a new one (read it back from the Charge)."""
    now = now or timezone.now()
    charges = [c for c in charges if c.cash > 0 or c.debt > 0]
    if not charges:
        return
    entries = []
    for c in charges:
        if c.cash < 0 or c.debt < 0 or c.cash > c.account.balance:
            raise DomainError(Codes.INTERNAL)  # computed from the locked balance: never
        c.trans_id = c.trans_id or new_trans_id()
        customer_id = c.account.customer_id
        if c.cash > 0:
            c.account.balance -= c.cash
            entries.append(LedgerEntry(customer_id=customer_id, balance_type=BalanceType.CASH,
                                       trade_type=TradeType.DEDUCT, amount=-c.cash, balance_after=c.account.balance,
                                       trans_id=c.trans_id, counterparty=counterparty, created_at=now))
        if c.debt > 0:
            c.account.arrears += c.debt
            entries.append(LedgerEntry(customer_id=customer_id, balance_type=BalanceType.ARREARS,
                                       trade_type=TradeType.ARREARS, amount=c.debt, balance_after=c.account.arrears,
                                       trans_id=c.trans_id, counterparty=counterparty, created_at=now))
    _apply({c.account.pk: c.cash for c in charges if c.cash > 0},
           {c.account.pk: c.debt for c in charges if c.debt > 0}, sign=1, now=now)
    LedgerEntry.objects.bulk_create(entries)
    owing = [c.account.customer_id for c in charges if c.debt > 0]
    if owing:
        Customer.objects.filter(pk__in=owing, in_debt=False).update(in_debt=True)


def write_off(accounts: dict[int, CustomerAccount], amounts: dict[int, Decimal], *, counterparty_of=None,
              now=None) -> dict[int, str]:
    """Pay `amounts[customer pk]` of arrears from the balance of each (locked) account: both go down by it, with a
    WRITEOFF entry each. Returns the trans_id of each customer's write-off. Customers whose arrears reach zero
    are no longer in debt."""
    now = now or timezone.now()
    amounts = {pk: amount for pk, amount in amounts.items() if amount > 0}
    if not amounts:
        return {}
    entries, trans_ids = [], {}
    for customer_id, amount in amounts.items():
        account = accounts[customer_id]
        if amount > account.balance or amount > account.arrears:
            raise DomainError(Codes.INTERNAL)  # computed from the locked account: never
        trans_id = trans_ids[customer_id] = new_trans_id()
        counterparty = (counterparty_of or {}).get(customer_id, "")[:64]
        account.balance -= amount
        account.arrears -= amount
        entries += [
            LedgerEntry(customer_id=customer_id, balance_type=BalanceType.CASH, trade_type=TradeType.WRITEOFF,
                        amount=-amount, balance_after=account.balance, trans_id=trans_id, counterparty=counterparty,
                        created_at=now),
            LedgerEntry(customer_id=customer_id, balance_type=BalanceType.ARREARS, trade_type=TradeType.WRITEOFF,
                        amount=-amount, balance_after=account.arrears, trans_id=trans_id, counterparty=counterparty,
                        created_at=now),
        ]
    by_account = {accounts[pk].pk: amount for pk, amount in amounts.items()}
    _apply(by_account, by_account, sign=-1, now=now)
    LedgerEntry.objects.bulk_create(entries)
    cleared = [pk for pk in amounts if accounts[pk].arrears == 0]
    if cleared:
        Customer.objects.filter(pk__in=cleared, in_debt=True).update(in_debt=False)
    return trans_ids
