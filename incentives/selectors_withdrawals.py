"""Reads of the rebate account (返点账户) and its withdrawals, scoped to the actor: the actor's own partner only,
for members holding `incentives.view` (a distributor does not read its cloud resellers' rebates).

The rebate ledger is the partner's LedgerEntry rows of balance type REBATE — an incentive credited (a final
statement), a withdrawal, a withdrawal returned. It is read by trade type, which the index
billing_ledgerentry_partner_trade (partner, trade_type, created_at) serves, so the page neither scans the
partner's whole 收支明细 nor counts it; 收支明细 itself leaves these entries out (billing.selectors.LEDGER_BALANCES).
"""

from billing.choices import BalanceType, TradeType
from billing.models import LedgerEntry
from billing.selectors import partner_account_of

from .models import RebateWithdrawal

__all__ = ["VIEW", "REBATE_TRADES", "reads_rebate", "rebate_account_for", "rebate_ledger_for", "withdrawals_for",
           "withdrawal_for"]

VIEW = "incentives.view"
REBATE_TRADES = (TradeType.INCENTIVE, TradeType.WITHDRAW, TradeType.WITHDRAW_RETURN)


def reads_rebate(actor) -> bool:
    return actor.is_partner and actor.has_perm(VIEW)


def rebate_account_for(actor):
    """The partner's account (rebate_balance), an unsaved zero one when it never had money; None when the actor
    may not read it."""
    return partner_account_of(actor.partner) if reads_rebate(actor) else None


def rebate_ledger_for(actor):
    if not reads_rebate(actor):
        return LedgerEntry.objects.none()
    return LedgerEntry.objects.filter(partner=actor.partner, trade_type__in=REBATE_TRADES,
                                      balance_type=BalanceType.REBATE).order_by("-created_at", "-id")


def withdrawals_for(actor):
    if not reads_rebate(actor):
        return RebateWithdrawal.objects.none()
    return RebateWithdrawal.objects.filter(partner=actor.partner).select_related("requested_by")


def withdrawal_for(actor, withdrawal_no: str) -> RebateWithdrawal | None:
    """One of the partner's withdrawals by its number; None for another partner's, as for a made-up number."""
    return withdrawals_for(actor).select_related("decided_by").filter(withdrawal_no=(withdrawal_no or "")[:20]).first()
