"""Forms of 机会点: the partner's (reject, register a PO, update, collaborators) and the operators' (share an HO,
update from Huawei Cloud's side, a reason)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from partnercenter.errors import DomainError
from partnercenter.widgets import DatePicker

from .choices import OpportunityStage
from .errors_opportunities import NO_ACCOUNT_WARNING
from .models import Opportunity
from .opportunities import clean_amount

__all__ = ["EstimateField", "RejectForm", "RegisterForm", "UpdateForm", "CollaboratorForm", "ShareForm",
           "ReasonForm"]


class EstimateField(forms.CharField):
    """An estimated amount in yuan: empty, or zero or more with at most two decimals (never rounded)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 24)
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        try:
            return clean_amount(value)
        except DomainError as exc:
            raise ValidationError(str(exc.message), code=exc.code) from None


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


class RegisterForm(forms.Form):
    """报备机会点 (PO). The customer account is named by its account ID; without one the partner must
    acknowledge that the CRM may release the opportunity to the public pool (无账号报备)."""

    name = forms.CharField(label=_("Opportunity"), max_length=200)
    customer_name = forms.CharField(label=_("Customer"), max_length=200,
                                    help_text=_("The company's full name."))
    customer_id = forms.CharField(label=_("Customer account ID"), max_length=64, required=False,
                                  help_text=_("The customer's Huawei Cloud account ID, if it has one and is your "
                                              "customer."))
    contact_name = forms.CharField(label=_("Contact"), max_length=64, required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=32, required=False)
    product = forms.CharField(label=_("Products and services"), max_length=200, required=False)
    amount = EstimateField(label=_("Estimated amount (CNY)"))
    expected_close = forms.DateField(label=_("Expected close"), required=False,
                                     widget=DatePicker())
    notes = forms.CharField(label=_("Notes"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    no_account_acknowledged = forms.BooleanField(
        label=_("I understand that without a customer account the opportunity may be released to the public pool."),
        required=False)

    def __init__(self, *args, find_customer=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.find_customer = find_customer
        self.customer = None

    def clean(self):
        data = super().clean()
        customer_id = (data.get("customer_id") or "").strip()
        if customer_id:
            self.customer = self.find_customer(customer_id) if self.find_customer else None
            if self.customer is None:
                self.add_error("customer_id", _("No customer of yours has this account ID."))
        elif not data.get("no_account_acknowledged"):
            self.add_error("no_account_acknowledged", NO_ACCOUNT_WARNING)
        return data


class UpdateForm(forms.Form):
    """机会点更新: the fields both sides change, and a note to the other side."""

    stage = forms.ChoiceField(label=_("Stage"), choices=OpportunityStage.choices)
    amount = EstimateField(label=_("Estimated amount (CNY)"))
    expected_close = forms.DateField(label=_("Expected close"), required=False,
                                     widget=DatePicker())
    notes = forms.CharField(label=_("Notes"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    note = forms.CharField(label=_("Note on this update"), max_length=1000, required=False)

    @classmethod
    def for_opportunity(cls, opportunity, data=None):
        initial = {"stage": opportunity.stage, "amount": "" if opportunity.amount is None else f"{opportunity.amount}",
                   "expected_close": opportunity.expected_close, "notes": opportunity.notes}
        return cls(data, initial=initial)


class CollaboratorForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=64)
    role = forms.CharField(label=_("Role"), max_length=64, required=False)
    contact = forms.CharField(label=_("Contact"), max_length=128, required=False)


class ShareForm(forms.ModelForm):
    """The operators' HO: shared with one partner; the deadline is computed when it is saved."""

    amount = EstimateField(label=_("Estimated amount (CNY)"))

    class Meta:
        model = Opportunity
        fields = ["partner", "name", "customer_name", "customer", "enterprise", "contact_name", "contact_phone",
                  "product", "amount", "expected_close", "notes"]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3}))
