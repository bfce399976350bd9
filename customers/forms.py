"""Forms of the customers pages. Choices come from selectors, so another partner's ids are invalid."""

from django import forms
from django.utils.translation import gettext_lazy as _

from partnercenter.forms import ManagerForm, VerificationForm

from .choices import AssociationType

__all__ = ["RegisterCustomerForm", "ManagerForm", "ReasonForm", "DecisionForm"]


class RegisterCustomerForm(forms.Form):
    domain_name = forms.CharField(label=_("Account name"), max_length=32, required=False,
                                  help_text=_("5–32 letters, digits, “_” or “-”; left empty, one is generated."))
    real_name = forms.CharField(label=_("Real-name name"), max_length=128, required=False,
                                help_text=_("The company or person the account belongs to."))
    email = forms.EmailField(label=_("E-mail"), required=False, max_length=254)  # pc_user.email is varchar(254)
    mobile_phone = forms.CharField(label=_("Mobile number"), max_length=32, required=False,
                                   help_text=_("Mainland China only. With a number, an SMS code is required."))
    verification_code = forms.CharField(label=_("SMS code"), max_length=16, required=False)
    password = forms.CharField(label=_("Password"), required=False, widget=forms.PasswordInput(render_value=True),
                               help_text=_("Left empty, the customer signs in through your platform only."))
    xaccount_id = forms.CharField(label=_("Customer ID on your sales platform"), max_length=64,
                                  help_text=_("Your platform's unique ID of this customer (xaccount_id)."))
    xaccount_type = forms.CharField(label=_("Platform identifier"), max_length=64,
                                    help_text=_("The identifier Huawei assigned to your sales platform (xaccount_type)."))
    association_type = forms.ChoiceField(label=_("Association type"), choices=AssociationType.choices,
                                         initial=AssociationType.RESALE)
    indirect_partner = forms.ModelChoiceField(label=_("For cloud reseller"), queryset=None, required=False,
                                              to_field_name="domain_id", empty_label=_("— my own customer —"))

    def __init__(self, *args, resellers=None, **kwargs):
        super().__init__(*args, **kwargs)
        if resellers is None or not resellers.exists():
            del self.fields["indirect_partner"]
        else:
            self.fields["indirect_partner"].queryset = resellers


class ReasonForm(VerificationForm):
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


class DecisionForm(VerificationForm):
    note = forms.CharField(label=_("Reply (optional)"), max_length=500, required=False)
