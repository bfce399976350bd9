"""Forms of the 事件推送 pages. The service checks everything again; the forms only shape the input."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from partnercenter.filters import ALL, ListFilterSet
from partnercenter.forms import VerificationForm

from .choices import DeliveryState
from .models import WebhookDelivery
from .webhook_services import webhook_event_types

__all__ = ["EndpointForm", "EndpointTypesForm", "DeliveryFilter", "type_groups"]

# How the checkboxes are grouped: by the part of the type before the dot.
GROUP_LABELS = {
    "customer": _("Customers"),
    "association": _("Association requests"),
    "ops": _("Delegated operations"),
    "funds": _("Funds"),
    "recharge": _("Recharges"),
    "coupon": _("Coupons"),
    "quota": _("Quotas"),
    "webhook": _("Webhooks"),
}


def type_groups() -> list[tuple[str, list[tuple[str, str]]]]:
    """[(group label, [(code, label), …]), …] of the webhook event types, in catalogue order."""
    groups: dict[str, list] = {}
    for event_type in webhook_event_types():
        prefix = event_type.code.split(".", 1)[0]
        label = str(GROUP_LABELS.get(prefix, prefix))
        groups.setdefault(label, []).append((event_type.code, f"{event_type.label} ({event_type.code})"))
    return list(groups.items())


class EndpointTypesForm(VerificationForm):
    types = forms.MultipleChoiceField(label=_("Event types"), widget=forms.CheckboxSelectMultiple,
                                      error_messages={"required": _("Choose at least one event type.")})
    description = forms.CharField(label=_("Description"), max_length=255, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.groups = type_groups()
        self.fields["types"].choices = self.groups


class EndpointForm(EndpointTypesForm):
    url = forms.CharField(label=_("URL"), max_length=2000, widget=forms.URLInput(attrs={"placeholder": "https://"}),
                          help_text=_("An HTTPS address of your system that accepts POST requests."))

    field_order = ["url", "types", "description"]


class DeliveryFilter(ListFilterSet):
    """The delivery log of one endpoint."""

    state = django_filters.ChoiceFilter(label=_("Status"), choices=DeliveryState.choices, empty_label=ALL)

    class Meta:
        model = WebhookDelivery
        fields = []
