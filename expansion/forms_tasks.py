"""Forms of sales tasks and entrustment: progress, closing with a result, the consent to the entrustment
notice, and the operators' assignment form in the admin."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import SalesTask
from .tasks_sales import assignment_refusal

__all__ = ["ProgressForm", "CloseForm", "EntrustForm", "AssignTaskForm"]


class ProgressForm(forms.Form):
    note = forms.CharField(label=_("Progress"), max_length=1000,
                           widget=forms.Textarea(attrs={"rows": 3, "id": "progress-note"}))


class CloseForm(forms.Form):
    result = forms.CharField(label=pgettext_lazy("sales task", "Result"), max_length=500,
                             widget=forms.Textarea(attrs={"rows": 2, "id": "close-result"}))


class EntrustForm(forms.Form):
    consent = forms.BooleanField(
        label=_("I have read the notice and agree to entrust my customers to my distributor."),
        widget=forms.CheckboxInput(attrs={"id": "entrust-consent"}),
        error_messages={"required": _("Read the entrustment notice and agree to it first.")})


class AssignTaskForm(forms.ModelForm):
    """Operators assign a task (expansion.tasks_sales.assign_task saves it): the customer must be associated
    with the partner, and the due date today or later."""

    class Meta:
        model = SalesTask
        fields = ["partner", "customer", "kind", "title", "description", "due_date"]
        widgets = {"due_date": forms.DateInput(attrs={"type": "date"})}

    def clean(self):
        data = super().clean()
        refusal = assignment_refusal(partner=data.get("partner"), customer=data.get("customer"),
                                     due_date=data.get("due_date"))
        if refusal is not None:
            raise forms.ValidationError(str(refusal.message))
        return data
