"""Forms of 激励对账: the partner's objection (a reason) and the operators' answer (a text and, optionally, the
corrected amount)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from partnercenter.errors import DomainError
from partnercenter.money import parse_amount

from .statements import TEXT_MAX

__all__ = ["DisputeForm", "AnswerForm"]


class DisputeForm(forms.Form):
    reason = forms.CharField(
        label=_("Objection"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Say which amounts you believe are wrong and why: Huawei Cloud answers before the statement "
                    "becomes final."))


class AnswerForm(forms.Form):
    """The operators' answer to an objection; a corrected amount replaces the statement's (blank: unchanged)."""

    answer = forms.CharField(label=_("Answer"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 4}))
    amount = forms.CharField(
        label=_("Corrected incentive amount (CNY)"), max_length=24, required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        help_text=_("Leave blank to keep the amount. Zero or more, at most two decimals."))

    def clean_amount(self):
        value = (self.cleaned_data.get("amount") or "").strip()
        if not value:
            return None
        try:
            return parse_amount(value, allow_zero=True)
        except DomainError as exc:
            raise ValidationError(str(exc.message), code=exc.code) from None
