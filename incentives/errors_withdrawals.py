"""Error codes of the rebate account and its withdrawals (激励返点提现): CBC.990112xx.

An amount over the rebate balance is billing's own refusal (`BillingCodes.REBATE_INSUFFICIENT`, raised by
billing.rebates.debit_rebate); a malformed amount is CBC.0100 (partnercenter.money.parse_amount); a bank account
number that is not 8–32 digits is programs' (`AgreementCodes.CERT_BANK_ACCOUNT`), as on 商业信息认证.
"""

from django.utils.translation import gettext_lazy as _

from partnercenter.errors import register

__all__ = ["WithdrawalCodes"]


class WithdrawalCodes:
    NOT_CERTIFIED = "CBC.99011201"
    BANK_REQUIRED = "CBC.99011202"
    NOT_PENDING = "CBC.99011203"
    REFERENCE_REQUIRED = "CBC.99011204"
    REASON_REQUIRED = "CBC.99011205"


register({
    WithdrawalCodes.NOT_CERTIFIED: (403, _(
        "Complete the business information certification first: the rebate is withdrawn only after the platform "
        "has verified your company and bank details.")),
    WithdrawalCodes.BANK_REQUIRED: (400, _("Give the bank, the account holder and the account number.")),
    WithdrawalCodes.NOT_PENDING: (409, _("This withdrawal has already been decided.")),
    WithdrawalCodes.REFERENCE_REQUIRED: (400, _("Give the payment reference of the bank transfer.")),
    WithdrawalCodes.REASON_REQUIRED: (400, _("Give the reason for the rejection.")),
})
