"""Forms of the leads pages (线索管理): shapes only, the rules are in expansion.leads*."""

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from partnercenter.forms import AmountField
from partnercenter.widgets import DatePicker

from .choices import FollowUpMethod, LeadStatus

__all__ = ["LeadForm", "FollowUpForm", "StatusForm", "OwnerForm", "CallForm", "ConvertCustomerForm",
           "ConvertOpportunityForm", "FOLLOW_UP_METHODS"]

phone_validator = RegexValidator(r"^\+?[0-9][0-9 ()\-]{4,30}$", _("Enter a phone number: digits, spaces, + and -."))

# 外呼 records its own follow-up: not a method to choose by hand
FOLLOW_UP_METHODS = [(value, label) for value, label in FollowUpMethod.choices if value != FollowUpMethod.CALL]


class LeadForm(forms.Form):
    """新建线索 / 编辑线索. Without the contact fields when the partner's contacts are masked (营销计划2.0: it
    never sees them, so it cannot change them), and with the owner when creating."""

    company_name = forms.CharField(label=_("Company"), max_length=200)
    contact_name = forms.CharField(label=_("Contact"), max_length=64, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False, validators=[phone_validator])
    email = forms.EmailField(label=_("E-mail"), required=False)
    region = forms.CharField(label=_("Region"), max_length=64, required=False)
    industry = forms.CharField(label=_("Industry"), max_length=64, required=False)
    requirement = forms.CharField(label=pgettext_lazy("lead", "Requirement"), max_length=2000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    owner = forms.ModelChoiceField(label=pgettext_lazy("lead", "Owner"), queryset=None, required=False, empty_label=_("— none —"))

    def __init__(self, *args, masked=False, owners=None, creating=True, **kwargs):
        super().__init__(*args, **kwargs)
        if masked and not creating:
            del self.fields["phone"], self.fields["email"]
        if creating:
            self.fields["owner"].queryset = owners
        else:
            del self.fields["owner"]


class FollowUpForm(forms.Form):
    method = forms.ChoiceField(label=pgettext_lazy("lead", "Method"), choices=FOLLOW_UP_METHODS)
    note = forms.CharField(label=_("What happened"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
    next_at = forms.DateTimeField(label=_("Next follow-up"), required=False,
                                  widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=())
    reason = forms.CharField(label=_("Reason (required for invalid)"), max_length=900, required=False)

    def __init__(self, *args, statuses=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [(s, LeadStatus(s).label) for s in statuses]


class OwnerForm(forms.Form):
    owner = forms.ModelChoiceField(label=pgettext_lazy("lead", "Owner"), queryset=None, required=False, empty_label=_("— none —"))

    def __init__(self, *args, owners=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners


class CallForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=800, required=False)


class ConvertCustomerForm(forms.Form):
    customer_id = forms.CharField(label=_("Customer account ID"), max_length=64,
                                  help_text=_("The account ID of a customer associated with you."))


class ConvertOpportunityForm(forms.Form):
    name = forms.CharField(label=_("Opportunity"), max_length=200)
    product = forms.CharField(label=_("Products and services"), max_length=200, required=False)
    amount = AmountField(label=_("Estimated amount (CNY)"), required=False)
    expected_close = forms.DateField(label=_("Expected close"), required=False,
                                     widget=DatePicker())
    notes = forms.CharField(label=_("Notes"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3}))
