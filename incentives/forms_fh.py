"""Forms of the FH staff incentive: signing the FH agreement, checking a list, materials, submitting, the quarterly
application, the invoice number, the list filters, and the operators' decision forms in the admin. The services
decide; these only carry what was typed (a refusal comes back on the form)."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from partnercenter.filters import ALL, ListFilterSet
from partnercenter.forms import VerificationForm
from programs import uploads
from programs.forms_reviews import MultipleFileField

from .choices import FhMonthStatus, FhPaymentStatus
from .models_fh import FhMonth, FhPayment

__all__ = ["QualificationForm", "LinesForm", "MaterialsForm", "SubmitForm", "PaymentApplyForm", "InvoiceForm",
           "MonthFilter", "PaymentFilter", "ReasonForm", "NoteForm", "PaidForm"]


class QualificationForm(VerificationForm):
    signer_name = forms.CharField(label=_("Signed by"), max_length=64)
    accepted = forms.BooleanField(label=_("I have read and agree to the FH agreement"), required=False)


class LinesForm(forms.Form):
    kept = forms.MultipleChoiceField(label=_("Specialists you confirm"), required=False,
                                     widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, lines=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kept"].choices = [(str(line.pk), line.member_name) for line in lines]


class MaterialsForm(forms.Form):
    files = MultipleFileField(label=_("Materials"),
                              help_text=_("PDF, PNG, JPEG, ZIP, DOCX or XLSX; several files at once."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"].widget.attrs.update({"id": "fh-materials-input", "accept": uploads.ACCEPT})


class SubmitForm(VerificationForm):
    """提交: nothing to type but the verification code when the partner asks for codes."""


class PaymentApplyForm(forms.Form):
    year = forms.IntegerField(widget=forms.HiddenInput, min_value=2000, max_value=2999)
    quarter = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=4)


class InvoiceForm(forms.Form):
    invoice_number = forms.CharField(label=_("Invoice number"), max_length=32,
                                     help_text=_("8 to 20 letters or digits, as printed on the invoice."))


class MonthFilter(ListFilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=FhMonthStatus.choices, empty_label=ALL)
    year = django_filters.NumberFilter(label=_("Year"), field_name="month__year", min_value=2000, max_value=2999)

    class Meta:
        model = FhMonth
        fields = []


class PaymentFilter(ListFilterSet):
    status = django_filters.ChoiceFilter(label=pgettext_lazy("FH payment", "Payment status"),
                                         choices=FhPaymentStatus.choices, empty_label=ALL)

    class Meta:
        model = FhPayment
        fields = []


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


class NoteForm(forms.Form):
    reason = forms.CharField(label=_("Note to the partner"), max_length=500, required=False,
                             widget=forms.Textarea(attrs={"rows": 3}))


class PaidForm(forms.Form):
    reference = forms.CharField(label=_("Payment reference"), max_length=64, required=False)
