"""Forms of the partner's subscription pages (subscriptions/views.py): renewing a customer's resource for it
and unsubscribing one. They only parse what was typed — the services decide (renewal.renew,
unsubscribing.unsubscribe): the resource travels in the page's path, already found through the actor's
selector. The choices are the documented values of the renew and unsubscribe endpoints, so a page cannot
ask for anything the API would not.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from trade.forms import PERIODS, period_label

from .choices import UnsubscribeReason, UnsubscribeType

__all__ = ["RenewForm", "UnsubscribeForm", "MAX_REASON"]

MAX_REASON = 500  # unsubscribe: reason 最大长度500


class RenewForm(forms.Form):
    """续费 one main resource (its subordinates follow it) for 1–11 months or 1–3 years."""

    period = forms.ChoiceField(label=_("Renewal period"), initial="2:1",
                               choices=[(f"{t}:{n}", period_label(t, n)) for t, n in PERIODS])

    def chosen_period(self) -> tuple[int, int]:
        period_type, period_num = self.cleaned_data["period"].split(":")
        return int(period_type), int(period_num)

    def quote(self, resource_id) -> str:
        """What the price shown belongs to: the order is placed only for exactly these choices."""
        return f"{resource_id}|{self.cleaned_data['period']}"


class UnsubscribeForm(forms.Form):
    """退订: what is returned, and why."""

    unsubscribe_type = forms.TypedChoiceField(label=_("Unsubscribe"), choices=UnsubscribeType.choices, coerce=int,
                                              initial=UnsubscribeType.RESOURCE, widget=forms.RadioSelect)
    reason_type = forms.TypedChoiceField(label=_("Reason"), coerce=int,
                                         choices=[("", "---------"), *UnsubscribeReason.choices])
    reason = forms.CharField(label=_("Tell us more"), max_length=MAX_REASON, required=False,
                             widget=forms.Textarea(attrs={"rows": 3}))
