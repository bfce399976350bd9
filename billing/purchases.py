"""Paying for orders (trade) from a balance: the customer's own (its allocated funds), or its partner's
cash account (余额支付, the partner pays an order on the customer's behalf) — and giving money back when a
paid order is unsubscribed (subscriptions.refunds): to the customer's balance or to a partner's cash.

Four primitives, each one conditional UPDATE and its LedgerEntry (trade type PURCHASE, the order's id as
the transaction id, so 收支明细 names the order), run inside the caller's transaction after the caller
took the locks of trade/locks.py in their order. Each refuses — changing nothing — when the balance does
not cover the amount; the CheckConstraints of the accounts are the backstop. `manage.py verify_ledger`
proves the sums like for every other movement.

Unlike an allocation, a partner's payment lowers its cash: money leaves the partner for the cloud. Its
账户余额 (cash + credit − allocated) must cover the amount, and cash may not go below zero.
"""

from decimal import Decimal

from partnercenter.errors import DomainError

from .choices import TradeType
from .errors import BillingCodes
from .models import CustomerAccount, PartnerAccount
from .services import _change_customer_balance, _change_partner_cash

__all__ = ["pay_from_customer_balance", "pay_from_partner_cash", "refund_to_customer_balance",
           "refund_to_partner_cash"]


def _positive(amount) -> Decimal:
    amount = Decimal(amount)
    if amount <= 0:
        raise ValueError("a payment moves a positive amount")
    return amount


def pay_from_customer_balance(customer, amount, *, trans_id: str, counterparty: str = "",
                              insufficient: str = BillingCodes.INSUFFICIENT_BALANCE) -> CustomerAccount:
    """balance −= amount, only while the balance covers it; else DomainError(`insufficient`), nothing changed."""
    amount = _positive(amount)
    try:
        return _change_customer_balance(customer, -amount, trade_type=TradeType.PURCHASE, trans_id=trans_id,
                                        counterparty=counterparty)
    except DomainError as exc:
        if exc.code == BillingCodes.RECLAIM_EXCEEDS_BALANCE:  # the conditional UPDATE matched no row
            raise DomainError(insufficient) from exc
        raise


def pay_from_partner_cash(partner, amount, *, trans_id: str, counterparty: str = "",
                          insufficient: str = BillingCodes.INSUFFICIENT_BALANCE) -> PartnerAccount:
    """cash −= amount, only while cash covers it and the 账户余额 (cash + credit − allocated) does too;
    else DomainError(`insufficient`), nothing changed."""
    amount = _positive(amount)
    try:
        return _change_partner_cash(partner, -amount, trade_type=TradeType.PURCHASE, trans_id=trans_id,
                                    counterparty=counterparty)
    except DomainError as exc:
        if exc.code == BillingCodes.RECLAIM_EXCEEDS_BALANCE:
            raise DomainError(insufficient) from exc
        raise


def refund_to_customer_balance(customer, amount, *, trans_id: str, counterparty: str = "") -> CustomerAccount:
    """balance += amount (trade type REFUND): the cash part of an unsubscribed order the customer paid."""
    return _change_customer_balance(customer, _positive(amount), trade_type=TradeType.REFUND, trans_id=trans_id,
                                    counterparty=counterparty)


def refund_to_partner_cash(partner, amount, *, trans_id: str, counterparty: str = "") -> PartnerAccount:
    """cash += amount (trade type REFUND): the cash part of an unsubscribed order the partner paid (余额支付),
    or that its resale customer paid while they were associated (退还至关联期间的伙伴账户)."""
    return _change_partner_cash(partner, _positive(amount), trade_type=TradeType.REFUND, trans_id=trans_id,
                                counterparty=counterparty)
