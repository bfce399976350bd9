"""Forms of the customers pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import AssociationType

__all__ = ["CustomerFilterForm"]


class CustomerFilterForm(forms.Form):
    """The list filters of 客户管理 (the same ones the CBC query documents, plus account manager)."""

    account_name = forms.CharField(label=_("Account name"), required=False, max_length=64)
    real_name = forms.CharField(label=_("Real-name name"), required=False, max_length=128)
    customer_id = forms.CharField(label=_("Account ID"), required=False, max_length=64)
    label = forms.CharField(label=_("Label"), required=False, max_length=64)
    association_type = forms.ChoiceField(
        label=_("Association type"), required=False, choices=[("", _("All"))] + list(AssociationType.choices)
    )
    associated_from = forms.DateField(label=_("Associated from"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    associated_to = forms.DateField(label=_("Associated to"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    account_manager = forms.ModelChoiceField(label=_("Account manager"), required=False, queryset=None)

    def __init__(self, *args, managers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account_manager"].queryset = managers
