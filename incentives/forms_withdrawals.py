"""The form of 激励返点金额提现: 本次提现金额 and 提现银行信息 (the first step of partnercenter.confirmation.two_step).

The bank details start as the verified 商业信息认证's. The account number is never put in a page: the
certification's is shown by its last four digits (leave the number empty to use it), and a number the partner
types is, once valid, carried to the confirmation and back only encrypted (`account_token`, partnercenter.
secretbox: authenticated, so it cannot be forged) — the form replaces the typed number by its token in the data
it renders. `cleaned_data["account"]` is the number to pay to ("" = the certified one).
"""

from cryptography.fernet import InvalidToken
from django import forms
from django.utils.translation import gettext_lazy as _

from billing.errors import BillingCodes
from partnercenter import secretbox
from partnercenter.errors import DomainError
from partnercenter.forms import AmountField
from programs.certification import normalize_bank_account

from .withdrawals import mask_account

__all__ = ["WithdrawForm"]


class WithdrawForm(forms.Form):
    amount = AmountField(label=_("Withdrawal amount (CNY)"))
    bank_name = forms.CharField(label=_("Bank"), max_length=128)
    bank_branch = forms.CharField(label=_("Branch"), max_length=128, required=False)
    account_holder = forms.CharField(label=_("Account holder"), max_length=128)
    bank_account = forms.CharField(
        label=_("Bank account number"), max_length=64, required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}))
    account_token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=1000)

    def __init__(self, *args, balance, certified=None, **kwargs):
        """`balance`: the rebate balance now; `certified`: the certification's withdrawals.Bank (the defaults)."""
        super().__init__(*args, **kwargs)
        self.balance, self.certified = balance, certified
        self.fields["bank_name"].section = _("Withdrawal bank details")   # 提现银行信息, a heading over the bank fields
        if certified is not None:
            for name, value in (("bank_name", certified.bank_name), ("bank_branch", certified.bank_branch),
                                ("account_holder", certified.account_holder)):
                self.fields[name].initial = value
            self.fields["bank_account"].help_text = _(
                "Leave empty to receive it on the certified account %(account)s, or enter another account of "
                "your company.") % {"account": certified.masked}
        self.masked_account = certified.masked if certified is not None else ""

    def clean_amount(self):
        amount = self.cleaned_data.get("amount")
        if amount is not None and amount > self.balance:
            raise forms.ValidationError(str(DomainError(BillingCodes.REBATE_INSUFFICIENT).message))
        return amount

    def clean(self):
        cleaned = super().clean()
        typed = (cleaned.get("bank_account") or "").strip()
        token = cleaned.get("account_token") or ""
        account = ""
        if typed:
            try:
                account = normalize_bank_account(typed)
            except DomainError as exc:
                self.add_error("bank_account", str(exc.message))
                return cleaned
            token = secretbox.encrypt(account)
        elif token:
            try:
                account = normalize_bank_account(secretbox.decrypt(token))
            except (InvalidToken, DomainError):
                token = ""
                self.add_error("bank_account", _("Enter the bank account number again."))
                return cleaned
        elif self.certified is None:
            self.add_error("bank_account", _("Enter the bank account number."))
            return cleaned
        cleaned["account"], cleaned["account_token"] = account, token
        if account:
            self.masked_account = mask_account(account)
        # What is rendered again (this page after a refusal, the confirmation's hidden fields) carries the
        # number encrypted, never in clear.
        data = self.data.copy()
        data[self.add_prefix("bank_account")], data[self.add_prefix("account_token")] = "", token
        self.data = data
        return cleaned
