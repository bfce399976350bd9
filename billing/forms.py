"""Forms of the money pages. Amounts are parsed by the one parser of the project
(`partnercenter.money.parse_amount`), so a page refuses exactly what the API refuses, as a form error."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from partnercenter.forms import AmountField
from partnercenter.templatetags.display import money

__all__ = ["AmountField", "AmountForm", "OnlineRechargeForm", "RemittanceForm", "BatchAllocateForm"]


class AmountForm(forms.Form):
    amount = AmountField(label=_("Amount (CNY)"))


class OnlineRechargeForm(forms.Form):
    amount = AmountField(label=_("Amount (CNY)"))


class RemittanceForm(forms.Form):
    amount = AmountField(label=_("Amount (CNY)"))
    reference = forms.CharField(label=_("Bank reference"), max_length=64,
                                help_text=_("The transaction number on your bank's remittance slip."))
    remitter = forms.CharField(label=_("Remitting account"), max_length=128, required=False,
                               help_text=_("The bank account the money was sent from."))


class BatchAllocateForm(forms.Form):
    """批量拨款: one amount per customer (`amount_<account ID>`), or one amount for all the rows left empty."""

    same_amount = AmountField(label=_("Same amount for all"), required=False,
                              help_text=_("Used for every customer whose own amount is left empty."))

    def __init__(self, *args, customers=(), available=None, **kwargs):
        """`available`: the partner's balance the total must not exceed (the first step: more than the balance
        never reaches the confirmation); None at the confirmation, where the service checks again under lock,
        row by row."""
        super().__init__(*args, **kwargs)
        self.customers = list(customers)
        self.available = available
        for customer in self.customers:
            self.fields[self.field_name(customer)] = AmountField(label=customer.domain_name, required=False)

    @staticmethod
    def field_name(customer) -> str:
        return f"amount_{customer.domain_id}"

    def amount_fields(self):
        return [(customer, self[self.field_name(customer)]) for customer in self.customers]

    def clean(self):
        data = super().clean()
        if not self.customers:
            raise ValidationError(_("Choose at least one resale customer."))
        same = data.get("same_amount")
        for customer in self.customers:
            name = self.field_name(customer)
            if name in data and data[name] is None:
                if same is None and "same_amount" not in self.errors:
                    self.add_error(name, _("Give an amount, or a same amount for all."))
                else:
                    data[name] = same
        if self.available is not None and not self.errors:
            total = sum(amount for _customer, amount in self.rows)
            if total > self.available:
                raise ValidationError(_("The total, %(total)s, is more than your account balance, %(available)s: "
                                        "lower the amounts or add funds first.") % {
                    "total": money(total), "available": money(self.available)})
        return data

    @property
    def rows(self):
        """[(customer, amount)] in the order the customers were chosen."""
        return [(customer, self.cleaned_data[self.field_name(customer)]) for customer in self.customers]



