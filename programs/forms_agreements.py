"""Forms of the agreements pages. The services validate again (and decide); these give field errors early."""

from django import forms
from django.utils.translation import gettext_lazy as _

from partnercenter.forms import VerificationForm

from .certification import valid_credit_code
from .uploads import ACCEPT, max_bytes

__all__ = ["SignForm", "CertificationForm", "NoEchoInput"]


class NoEchoInput(forms.TextInput):
    """A text input that never writes a value back into the page (the bank account number: typed once,
    shown masked afterwards, even when the form comes back with an error)."""

    def format_value(self, value):
        return None


class SignForm(forms.Form):
    accepted = forms.BooleanField(label=_("I have read and agree to this agreement"), required=True,
                                  error_messages={"required": _("Tick “I have read and agree to this agreement” to "
                                                                "sign it.")})


class CertificationForm(VerificationForm):
    """The details of 商业信息认证. The verification code (when the partner asks for one) is for submitting."""

    company_name = forms.CharField(label=_("Registered company name"), max_length=128)
    credit_code = forms.CharField(label=_("Unified social credit code"), max_length=18, min_length=18,
                                  help_text=_("18 characters, as on the business licence."))
    registered_address = forms.CharField(label=_("Registered address"), max_length=255)
    legal_representative = forms.CharField(label=_("Legal representative"), max_length=64)
    bank_name = forms.CharField(label=_("Bank"), max_length=128)
    bank_branch = forms.CharField(label=_("Branch"), max_length=128, required=False)
    bank_account_holder = forms.CharField(label=_("Account holder"), max_length=128)
    bank_account = forms.CharField(
        label=_("Bank account number"), max_length=40, required=False,
        widget=NoEchoInput(attrs={"autocomplete": "off", "inputmode": "numeric"}))
    invoice_title = forms.CharField(label=_("Invoice title"), max_length=128)
    tax_id = forms.CharField(label=_("Taxpayer ID"), max_length=20)
    invoice_address_phone = forms.CharField(label=_("Invoice address and phone"), max_length=255, required=False)

    def __init__(self, *args, masked_account="", licence_field=False, **kwargs):
        super().__init__(*args, **kwargs)
        if masked_account:
            self.fields["bank_account"].help_text = _(
                "Stored: %(masked)s. Leave empty to keep it; enter the whole number to replace it.") % {
                "masked": masked_account}
        else:
            self.fields["bank_account"].required = True
        if licence_field:
            self.fields["licence"] = forms.FileField(
                label=_("Business licence (optional)"), required=False,
                widget=forms.FileInput(attrs={"accept": ACCEPT}),
                help_text=_("The business licence as a PDF, PNG, JPEG, ZIP, DOCX or XLSX file, at most "
                            "%(size)s. A new file replaces the one stored.") % {
                    "size": f"{max_bytes() / (1024 * 1024):g} MB"})
        if self.needs_code:
            self.fields["verification_code"] = self.fields.pop("verification_code")  # last
            self.fields["verification_code"].help_text = _("Needed to submit. From your authenticator app, or send "
                                                           "one to your e-mail.")

    def clean_credit_code(self):
        code = self.cleaned_data["credit_code"].strip().upper()
        if not valid_credit_code(code):
            raise forms.ValidationError(_(
                "The unified social credit code is 18 characters (digits and capital letters except I, O, S, V and "
                "Z) and its last character must match its check digit."))
        return code
