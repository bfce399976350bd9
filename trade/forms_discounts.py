"""The filter bar and the form of the customer-discount pages (伙伴设置折扣).

Choices come from selectors (the actor's resale customers, the service types the catalogue lets partners
discount), so another partner's customer is an invalid choice; the rate goes through the service's own
parser and ceiling check (trade.discounts), so the page refuses exactly what the service refuses.
"""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from customers.selectors import resale_customers_for
from partnercenter.errors import DomainError
from partnercenter.filters import ALL, ListFilterSet
from partnercenter.templatetags.display import mask_text

from .discounts import check_rate, discountable_service_types, off_percent, parse_rate
from .models import PartnerDiscount

__all__ = ["DiscountFilter", "DiscountForm", "service_type_choice"]


def service_type_choice(service_type) -> tuple[str, str]:
    """(code, "弹性云服务器 — at most 15% off")."""
    return service_type.code, _("%(name)s — at most %(off)s%% off") % {
        "name": service_type.display_name, "off": off_percent(1 - service_type.max_partner_discount)}


def _service_type_choices():
    return [(st.code, st.display_name) for st in discountable_service_types()]


class DiscountFilter(ListFilterSet):
    """客户折扣: by customer account ID and service type."""

    customer_id = django_filters.CharFilter(label=_("Customer account ID"), field_name="customer__domain_id",
                                            max_length=64)
    service_type = django_filters.ChoiceFilter(label=_("Service type"), field_name="service_type__code",
                                               choices=_service_type_choices, empty_label=ALL)

    class Meta:
        model = PartnerDiscount
        fields = []


class DiscountForm(forms.Form):
    """设置折扣: a resale customer, a service type that allows discounts, and the rate the customer pays."""

    customer = forms.ChoiceField(label=_("Customer"))
    service_type = forms.ChoiceField(label=_("Service type"))
    rate = forms.CharField(
        label=_("Discount rate"), max_length=12, widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text=_("The share of the official price the customer pays: 0.85 is 8.5折, 15 percent off."))

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        customers = resale_customers_for(actor).prefetch_related(None).values_list("domain_id", "domain_name")
        self.fields["customer"].choices = [("", "—")] + [
            (domain_id, f"{mask_text(name)} ({domain_id})") for domain_id, name in customers]
        self.service_types = {st.code: st for st in discountable_service_types()}
        self.fields["service_type"].choices = [("", "—")] + [
            service_type_choice(st) for st in self.service_types.values()]

    @property
    def customer_labels(self) -> dict:
        return dict(self.fields["customer"].choices)

    def clean_rate(self):
        try:
            return parse_rate(self.cleaned_data["rate"])
        except DomainError as exc:
            raise ValidationError(str(exc.message), code="invalid") from None

    def clean(self):
        data = super().clean()
        service_type = self.service_types.get(data.get("service_type"))
        if service_type is not None and data.get("rate") is not None:
            try:
                check_rate(service_type, data["rate"])
            except DomainError as exc:
                self.add_error("rate", str(exc.message))
        data["service_type_obj"] = service_type
        return data
