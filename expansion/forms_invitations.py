"""Forms of the invitations pages (the services check everything again)."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from customers.choices import AssociationType
from partnercenter.widgets import DatePicker
from partnercenter.workdays import local_date

__all__ = ["LinkForm", "JoinForm", "JoinCodeForm"]


class LinkForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=64, required=False,
                           help_text=_("For you only, e.g. the event or flyer the link is for."))
    association_type = forms.ChoiceField(
        label=_("Association type"), choices=AssociationType.choices, widget=forms.RadioSelect,
        initial=AssociationType.REFERRAL,
        help_text=_("How customers who register through the link are associated with you."))
    valid_until = forms.DateField(label=_("Valid until"), widget=DatePicker(),
                                  help_text=_("The link works until the end of this day (China time)."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["valid_until"].initial = local_date(timezone.now()) + dt.timedelta(days=30)


class JoinForm(forms.Form):
    """The public registration page: the code is asked for with the mobile number alone (action "send"),
    the account is registered with everything (action "register")."""

    mobile_phone = forms.CharField(label=_("Mobile number"), max_length=20,
                                   widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}))
    code = forms.RegexField(label=_("SMS verification code"), regex=r"^\s*\d{8}\s*$", max_length=12,
                            error_messages={"invalid": _("The code has 8 digits.")},
                            widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}))
    domain_name = forms.CharField(
        label=_("Account name"), max_length=32,
        help_text=_("5 to 32 letters, digits, “_” or “-”, not starting with a digit."),
        widget=forms.TextInput(attrs={"autocomplete": "username"}))
    password1 = forms.CharField(label=_("Password"), max_length=32, strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                                help_text=_("8 to 32 characters mixing at least two of: upper case, lower case, "
                                            "digits, special characters."))
    password2 = forms.CharField(label=_("Password again"), max_length=32, strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    email = forms.EmailField(label=_("E-mail (optional)"), required=False, max_length=254)  # pc_user.email

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            raise forms.ValidationError(_("The two passwords differ."))
        return data


class JoinCodeForm(forms.Form):
    mobile_phone = forms.CharField(label=_("Mobile number"), max_length=20)

