"""Forms of sales tasks and entrustment: progress, closing with a result, the consent to the entrustment
notice and the confirmation of its cancellation (both with the verification code when the partner asks for
codes), and the operators' assignment form in the admin."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from partnercenter.forms import VerificationForm
from partnercenter.widgets import DatePicker

from .models import SalesTask
from .tasks_sales import assignment_refusal

__all__ = ["ProgressForm", "CloseForm", "EntrustForm", "CancelEntrustmentForm", "AssignTaskForm"]


class ProgressForm(forms.Form):
    note = forms.CharField(label=_("Progress"), max_length=1000,
                           widget=forms.Textarea(attrs={"rows": 3, "id": "progress-note"}))


class CloseForm(forms.Form):
    result = forms.CharField(label=pgettext_lazy("sales task", "Result"), max_length=500,
                             widget=forms.Textarea(attrs={"rows": 2, "id": "close-result"}))


class EntrustForm(VerificationForm):
    """The consent to the notice, then (when the partner asks for codes) the verification code."""

    consent = forms.BooleanField(
        label=_("I have read the notice and agree to entrust my customers to my distributor."),
        widget=forms.CheckboxInput(attrs={"id": "entrust-consent"}),
        error_messages={"required": _("Read the entrustment notice and agree to it first.")})


class CancelEntrustmentForm(VerificationForm):
    """The confirmation of the cancellation: nothing but the verification code when the partner asks for
    codes."""


class AssignTaskForm(forms.ModelForm):
    """Operators assign a task (expansion.tasks_sales.assign_task saves it): the customer must be associated
    with the partner, and the due date today or later."""

    class Meta:
        model = SalesTask
        fields = ["partner", "customer", "kind", "title", "description", "due_date"]
        widgets = {"due_date": DatePicker()}

    def clean(self):
        data = super().clean()
        refusal = assignment_refusal(partner=data.get("partner"), customer=data.get("customer"),
                                     due_date=data.get("due_date"))
        if refusal is not None:
            raise forms.ValidationError(str(refusal.message))
        return data
