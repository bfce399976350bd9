"""Forms of annual reviews: the materials upload (several files at once), 提交审核 with the verification code,
and the operators' decision forms in the admin."""

from django import forms
from django.utils.translation import gettext_lazy as _

from partnercenter.forms import VerificationForm

from . import uploads
from .models import Stage

__all__ = ["MaterialsForm", "SubmitForm", "ApproveForm", "ReturnForm"]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input; each is checked by programs.uploads when stored."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": uploads.ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            files = [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        else:
            files = [super().clean(data, initial)] if data else []
        if self.required and not files:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        return files


class MaterialsForm(forms.Form):
    files = MultipleFileField(
        label=_("Review materials"),
        help_text=_("PDF, PNG, JPEG, ZIP, DOCX or XLSX; several files at once."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"].widget.attrs["id"] = "materials-input"


class SubmitForm(VerificationForm):
    """提交审核: nothing to type but the verification code when the partner asks for codes."""


class ApproveForm(forms.Form):
    result_stage = forms.ModelChoiceField(label=_("Stage after the review"), queryset=Stage.objects.none(),
                                          empty_label=None)
    reason = forms.CharField(label=_("Note to the partner"), max_length=500, required=False,
                             widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, path, current_stage=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["result_stage"].queryset = Stage.objects.filter(path=path).order_by("rank")
        if current_stage is not None:
            self.fields["result_stage"].initial = current_stage.pk


class ReturnForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
