"""激励返点提现: the partner takes money out of its rebate account (返点账户, billing.rebates) to its bank.

The documented flow (partner-center-docs 001, 提现管理): 立即提现 → 本次提现金额 and 提现银行信息 → 下一步 → the flow
to confirm (确认流水信息: the rebate balance before, the amount, the balance after, the bank) → 确认提现 → the
verification code (验证码验证) → 确定. Rules:

- Only a member of the partner (not an access key: there is no API for it) holding `incentives.withdraw`, and only
  once 商业信息认证 (programs.certification) is VERIFIED; before that the page says why and offers no form.
- The verification code is asked ALWAYS, whatever the partner's 验证码验证 switch says
  (partnercenter.verification.require(actor, code, always=True), through `operation(always_code=True)`): it is
  checked before the transaction opens, so a wrong code counts against the device even though nothing moved.
- The amount is positive with at most two decimals (partnercenter.money.parse_amount) and at most the rebate
  balance. The movement is billing.rebates.debit_rebate — one conditional UPDATE (`rebate_balance >= amount`) —
  and the RebateWithdrawal row, in one transaction: of any number of concurrent requests only those the balance
  covers go through, the others are refused with BillingCodes.REBATE_INSUFFICIENT and change nothing.
- The bank details default to the certification's (the account number decrypted with partnercenter.secretbox);
  the partner may name another account of its company (bank, branch, holder, 8–32 digits). The number is stored
  encrypted and shown only as its last four digits — pages, the admin, the operation log and events.
- The platform decides in the admin: paid (with the bank's payment reference) or rejected (with a reason; the
  amount returns to the rebate account by billing.rebates.return_rebate, in the same transaction). Each is a
  conditional UPDATE from PENDING: a withdrawal is decided once, a second decision is refused (NOT_PENDING) and
  moves no money. The partner hears of either (event_types_withdrawals).

`manage.py verify_ledger` proves the rebate balance from its entries (INCENTIVE, WITHDRAW, WITHDRAW_RETURN).
"""

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy

from billing.models import new_trans_id
from billing.rebates import debit_rebate, return_rebate
from events import outbox
from partnercenter import secretbox
from partnercenter.choices import ActorKind
from partnercenter.errors import Codes, DomainError
from partnercenter.money import parse_amount, quantize
from partnercenter.oplog import operation
from programs.certification import certification_of, normalize_bank_account

from .choices import WithdrawalStatus
from .errors_withdrawals import WithdrawalCodes
from .event_types_withdrawals import WITHDRAWAL_PAID, WITHDRAWAL_REJECTED
from .models import RebateWithdrawal

__all__ = ["WITHDRAW", "ACTION_LABELS", "Bank", "mask_account", "withdraw_refusal", "certified_bank",
           "request_withdrawal", "mark_paid", "reject"]

WITHDRAW = "incentives.withdraw"

ACTION_LABELS = {
    "incentives.withdraw": gettext_lazy("Withdraw the incentive rebate"),
    "incentives.withdrawal_paid": gettext_lazy("Mark a rebate withdrawal paid"),
    "incentives.withdrawal_rejected": gettext_lazy("Reject a rebate withdrawal"),
}


def mask_account(digits: str) -> str:
    return f"**** **** **** {digits[-4:]}" if digits else ""


@dataclass(frozen=True)
class Bank:
    """提现银行信息; `account` is the whole number (digits), kept only in memory and encrypted at rest."""

    bank_name: str
    bank_branch: str
    account_holder: str
    account: str

    @property
    def masked(self) -> str:
        return mask_account(self.account)


def withdraw_refusal(partner) -> DomainError | None:
    """Why the partner cannot withdraw now (None: it can, as far as its certification goes)."""
    certification = certification_of(partner)
    if certification is None or not certification.is_verified:
        return DomainError(WithdrawalCodes.NOT_CERTIFIED)
    return None


def certified_bank(partner) -> Bank | None:
    """The bank details of the partner's verified certification, the form's defaults (None: not verified)."""
    certification = certification_of(partner)
    if certification is None or not certification.is_verified:
        return None
    return Bank(certification.bank_name, certification.bank_branch, certification.bank_account_holder,
                secretbox.decrypt(certification.bank_account_encrypted))


def _bank(partner, *, bank_name, bank_branch, account_holder, bank_account) -> Bank:
    """The details as given; a blank account number is the certified account's."""
    bank_name, account_holder = (bank_name or "").strip(), (account_holder or "").strip()
    if not bank_name or not account_holder:
        raise DomainError(WithdrawalCodes.BANK_REQUIRED)
    if (bank_account or "").strip():
        account = normalize_bank_account(bank_account)
    else:
        certified = certified_bank(partner)
        account = certified.account if certified else ""
        if not account:
            raise DomainError(WithdrawalCodes.BANK_REQUIRED)
    return Bank(bank_name[:128], (bank_branch or "").strip()[:128], account_holder[:128], account)


def _require_withdrawer(actor):
    if actor.kind != ActorKind.MEMBER or not actor.is_partner or not actor.has_perm(WITHDRAW):
        raise DomainError(Codes.FORBIDDEN)


def request_withdrawal(actor, *, amount, bank_name, account_holder, bank_branch="", bank_account="",
                       verification_code=None) -> RebateWithdrawal:
    """激励返点金额提现: `amount` from the rebate balance to the bank (blank `bank_account`: the certified one);
    the code is always asked. The withdrawal is PENDING until the platform pays or rejects it."""
    partner = actor.partner
    with operation(actor, "incentives.withdraw", detail={"amount": str(amount)}, verification_code=verification_code,
                   always_code=True) as entry:
        _require_withdrawer(actor)
        refusal = withdraw_refusal(partner)
        if refusal is not None:
            raise refusal
        amount = parse_amount(amount)
        bank = _bank(partner, bank_name=bank_name, bank_branch=bank_branch, account_holder=account_holder,
                     bank_account=bank_account)
        withdrawal = RebateWithdrawal(
            partner=partner, amount=amount, bank_name=bank.bank_name, bank_branch=bank.bank_branch,
            account_holder=bank.account_holder, bank_account_encrypted=secretbox.encrypt(bank.account),
            bank_account_last4=bank.account[-4:], trans_id=new_trans_id(), requested_by=actor.user)
        entry.detail.update(amount=str(amount), withdrawal_no=withdrawal.withdrawal_no, bank_account=bank.masked)
        debit_rebate(partner, amount, trans_id=withdrawal.trans_id, counterparty=withdrawal.withdrawal_no)
        withdrawal.save()
        entry.target = withdrawal
    return withdrawal


# ---------------------------------------------------------------------------------------------
# The platform's decisions (admin_withdrawals)
# ---------------------------------------------------------------------------------------------

def _require_platform(actor):
    if actor.kind not in (ActorKind.OPERATOR, ActorKind.SCHEDULER):
        raise DomainError(Codes.FORBIDDEN)


def _withdrawal(withdrawal_id) -> RebateWithdrawal:
    withdrawal = RebateWithdrawal.objects.select_related("partner").filter(pk=withdrawal_id).first()
    if withdrawal is None:
        raise DomainError(Codes.NOT_FOUND)
    return withdrawal


def _decide(withdrawal, actor, status, **fields) -> None:
    """PENDING → `status`, once: a conditional UPDATE; 0 rows means somebody decided it already."""
    moved = RebateWithdrawal.objects.filter(pk=withdrawal.pk, status=WithdrawalStatus.PENDING).update(
        status=status, decided_by=actor.user, decided_at=timezone.now(), **fields)
    if not moved:
        raise DomainError(WithdrawalCodes.NOT_PENDING)


def mark_paid(actor, *, withdrawal_id, reference: str) -> RebateWithdrawal:
    """The platform transferred the money (`reference`: the bank's payment reference)."""
    withdrawal = _withdrawal(withdrawal_id)
    reference = (reference or "").strip()[:64]
    with operation(actor, "incentives.withdrawal_paid", target=withdrawal, partner=withdrawal.partner,
                   detail={"withdrawal_no": withdrawal.withdrawal_no, "amount": str(withdrawal.amount),
                           "payment_reference": reference}):
        _require_platform(actor)
        if not reference:
            raise DomainError(WithdrawalCodes.REFERENCE_REQUIRED)
        _decide(withdrawal, actor, WithdrawalStatus.PAID, payment_reference=reference)
        outbox.record(WITHDRAWAL_PAID, partner=withdrawal.partner, actor=actor, data={
            "withdrawal_no": withdrawal.withdrawal_no, "amount": str(quantize(withdrawal.amount)),
            "bank_account": withdrawal.masked_bank_account, "payment_reference": reference})
    withdrawal.refresh_from_db()
    return withdrawal


def reject(actor, *, withdrawal_id, reason: str) -> RebateWithdrawal:
    """The platform refuses the withdrawal (`reason` is told to the partner): the amount returns to the rebate
    account in the same transaction (a WITHDRAW_RETURN entry)."""
    withdrawal = _withdrawal(withdrawal_id)
    reason = (reason or "").strip()[:500]
    with operation(actor, "incentives.withdrawal_rejected", target=withdrawal, partner=withdrawal.partner,
                   detail={"withdrawal_no": withdrawal.withdrawal_no, "amount": str(withdrawal.amount),
                           "reason": reason}):
        _require_platform(actor)
        if not reason:
            raise DomainError(WithdrawalCodes.REASON_REQUIRED)
        return_trans_id = new_trans_id()
        _decide(withdrawal, actor, WithdrawalStatus.REJECTED, reason=reason, return_trans_id=return_trans_id)
        account = return_rebate(withdrawal.partner, withdrawal.amount, trans_id=return_trans_id,
                                counterparty=withdrawal.withdrawal_no)
        outbox.record(WITHDRAWAL_REJECTED, partner=withdrawal.partner, actor=actor, data={
            "withdrawal_no": withdrawal.withdrawal_no, "amount": str(quantize(withdrawal.amount)), "reason": reason,
            "balance": str(quantize(account.rebate_balance))})
    withdrawal.refresh_from_db()
    return withdrawal
