"""The partner's rebate account (返点账户): what final incentive statements credited, less what was withdrawn.

It is a balance of its own on PartnerAccount (`rebate_balance`, CHECK ≥ 0), apart from the 账户余额: rebates
cannot be allocated to customers or pay orders; they leave only as a withdrawal to the partner's bank. Three
primitives, each one conditional UPDATE and its LedgerEntry (balance type REBATE) in the caller's transaction:

- `credit_rebate`   — a final incentive statement (trade type INCENTIVE), once per statement: the caller's
                      conditional status change is what makes it once;
- `debit_rebate`    — a withdrawal request (WITHDRAW), only while the balance covers it: two concurrent
                      requests can never overdraw, the second finds the row changed and is refused;
- `return_rebate`   — a rejected withdrawal gives the amount back (WITHDRAW_RETURN).

`manage.py verify_ledger` proves the balance from its entries, like every other balance.
"""

from decimal import Decimal

from django.db.models import F
from django.utils import timezone

from partnercenter.errors import DomainError
from partnercenter.money import fen

from .choices import BalanceType, TradeType
from .errors import BillingCodes
from .models import LedgerEntry, PartnerAccount
from .services import partner_account

__all__ = ["credit_rebate", "debit_rebate", "return_rebate", "rebate_balance"]


def _positive(amount) -> Decimal:
    amount = Decimal(amount)
    if amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        raise ValueError("a rebate movement is a positive amount in fen")
    return amount


def _move(partner, delta: Decimal, *, trade_type, trans_id: str, counterparty: str) -> PartnerAccount:
    account = partner_account(partner)
    queryset = PartnerAccount.objects.filter(pk=account.pk)
    if delta < 0:
        queryset = queryset.filter(rebate_balance__gte=-delta)
    if not queryset.update(rebate_balance=fen(F("rebate_balance") + delta), updated_at=timezone.now()):
        raise DomainError(BillingCodes.REBATE_INSUFFICIENT)
    account.refresh_from_db()
    LedgerEntry.objects.create(
        partner=partner, balance_type=BalanceType.REBATE, trade_type=trade_type, amount=delta,
        balance_after=account.rebate_balance, trans_id=trans_id, counterparty=counterparty,
    )
    return account


def credit_rebate(partner, amount, *, trans_id: str, counterparty: str = "") -> PartnerAccount:
    """rebate += amount (a final incentive statement)."""
    return _move(partner, _positive(amount), trade_type=TradeType.INCENTIVE, trans_id=trans_id,
                 counterparty=counterparty)


def debit_rebate(partner, amount, *, trans_id: str, counterparty: str = "") -> PartnerAccount:
    """rebate −= amount, only while the rebate balance covers it; else DomainError(REBATE_INSUFFICIENT)."""
    return _move(partner, -_positive(amount), trade_type=TradeType.WITHDRAW, trans_id=trans_id,
                 counterparty=counterparty)


def return_rebate(partner, amount, *, trans_id: str, counterparty: str = "") -> PartnerAccount:
    """rebate += amount (a rejected withdrawal)."""
    return _move(partner, _positive(amount), trade_type=TradeType.WITHDRAW_RETURN, trans_id=trans_id,
                 counterparty=counterparty)


def rebate_balance(partner) -> Decimal:
    account = PartnerAccount.objects.filter(partner=partner).only("rebate_balance").first()
    return account.rebate_balance if account else Decimal("0.00")
