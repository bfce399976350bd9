"""Forms of the directory area: 报备客户 on an enterprise's page, and the operators' import."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .directory_import import credit_code_problem
from .models import Enterprise

__all__ = ["ReportForm", "EnterpriseImportForm", "EnterpriseAdminForm"]


class ReportForm(forms.Form):
    """报备客户. `customers`: the member's associated real-name customers of this enterprise (reported with
    it when chosen); the field is left out when there are none."""

    customer = forms.ChoiceField(label=_("Associated real-name customer"), required=False)
    contact_name = forms.CharField(label=_("Contact"), max_length=64, required=False)
    contact_phone = forms.RegexField(label=_("Contact phone"), max_length=32, required=False,
                                     regex=r"^[0-9+\-() ]{5,32}$",
                                     error_messages={"invalid": _("Enter a phone number: digits, +, -, ( ).")})
    note = forms.CharField(label=_("Note"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, customers=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(c.domain_id, f"{c.real_name} ({c.domain_name})") for c in customers]
        if choices:
            self.fields["customer"].choices = [("", _("None (report the enterprise only)")), *choices]
        else:
            del self.fields["customer"]


class EnterpriseImportForm(forms.Form):
    file = forms.FileField(label=_("Enterprise file (.csv or .xlsx)"))


class EnterpriseAdminForm(forms.ModelForm):
    """An entry edited by an operator: the credit code checked as the import checks it."""

    class Meta:
        model = Enterprise
        fields = "__all__"

    def clean_credit_code(self):
        value = (self.cleaned_data.get("credit_code") or "").strip().upper()
        problem = credit_code_problem(value)
        if problem:
            raise forms.ValidationError(problem)
        return value
