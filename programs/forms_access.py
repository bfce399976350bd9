"""Forms of the access area's pages (the services check everything again)."""

from django import forms
from django.utils.translation import gettext_lazy as _

__all__ = ["SendCodeForm", "LinkCodeForm", "RegisterAccountForm", "ResellerRequestForm", "RejectForm"]


class SendCodeForm(forms.Form):
    channel = forms.ChoiceField(label=_("Verify with"), widget=forms.RadioSelect)

    def __init__(self, *args, contacts=None, **kwargs):
        super().__init__(*args, **kwargs)
        labels = {"email": _("E-mail of the main account"), "mobile": _("Mobile of the main account")}
        self.fields["channel"].choices = [(channel, f"{labels[channel]}: {address}")
                                          for channel, address in (contacts or {}).items()]
        if self.fields["channel"].choices:
            self.fields["channel"].initial = self.fields["channel"].choices[0][0]


class LinkCodeForm(forms.Form):
    code = forms.RegexField(label=_("Verification code"), regex=r"^\s*\d{8}\s*$", max_length=12,
                            error_messages={"invalid": _("The code has 8 digits.")},
                            widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}))


class RegisterAccountForm(forms.Form):
    company_name = forms.CharField(label=_("Company name"), max_length=128)
    account_name = forms.CharField(
        label=_("Account name"), max_length=32,
        help_text=_("5 to 32 letters, digits, “_” or “-”, not starting with a digit."))
    admin_name = forms.CharField(label=_("Administrator's name"), max_length=64)
    admin_email = forms.EmailField(label=_("Administrator's e-mail"))
    username = forms.RegexField(label=_("Administrator's username"), max_length=150, regex=r"^[\w.@+-]+$")
    password1 = forms.CharField(label=_("Password"), widget=forms.PasswordInput)
    password2 = forms.CharField(label=_("Password again"), widget=forms.PasswordInput)

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            raise forms.ValidationError(_("The two passwords differ."))
        return data


class ResellerRequestForm(forms.Form):
    distributor = forms.CharField(label=_("Distributor's account name or account ID"), max_length=64)
    company_name = forms.CharField(label=_("Company name"), max_length=128)
    contact_email = forms.EmailField(
        label=_("Administrator e-mail"),
        help_text=_("The reseller's administrator receives an invitation here once the distributor accepts."))
    acknowledged = forms.BooleanField(
        label=_("I understand that unused coupons, discounts and stored-value cards of this account lapse once it "
                "becomes a cloud reseller."))


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


class AcceptForm(forms.Form):
    """The first step of accepting (partnercenter.confirmation.two_step shows the confirmation)."""
