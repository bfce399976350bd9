"""Forms of the order pages. Choices come from the actor's selectors (customers) and from the catalogue
(what is on sale), so another partner's customer or a product off sale is an invalid choice; amounts are
parsed by the project's one parser (`partnercenter.forms.AmountField`).

代客下单 is one form re-rendered at each step (no JavaScript): the customer and where to look in the
catalogue (charging mode, service type, region), then the product and how much of it (period, quantity,
size), then the rated price, then the order.
"""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from catalog.choices import ChargeMode, PeriodType
from catalog.models import Product, Region, ServiceType
from partnercenter.forms import AmountField, VerificationForm
from vouchers.spending import MAX_COUPONS_PER_PAYMENT

__all__ = [
    "MAX_COUPONS", "PERIODS", "period_label", "PlaceOrderForm", "PayWithCouponsForm", "MessageForm", "DecisionForm",
    "AdjustPriceForm", "EmptyForm",
]

MAX_COUPONS = MAX_COUPONS_PER_PAYMENT  # coupons one payment may use (vouchers.spending)
MAX_QUANTITY = 100
# Periods a customer can buy at once (the rating refuses those a product has no price for: CBC.30050008).
PERIODS = [(PeriodType.MONTH, n) for n in range(1, 12)] + [(PeriodType.YEAR, n) for n in range(1, 4)]


def period_label(period_type, number) -> str:
    """"3 months", "1 year" (other period types: the number and the type's name)."""
    if period_type not in (PeriodType.MONTH, PeriodType.YEAR):
        label = PeriodType(period_type).label if period_type in PeriodType.values else ""
        return f"{number} {label}".strip()
    if period_type == PeriodType.YEAR:
        return ngettext("%(n)d year", "%(n)d years", number) % {"n": number}
    return ngettext("%(n)d month", "%(n)d months", number) % {"n": number}


# ---------------------------------------------------------------------------------------------
# What is on sale (the catalogue is reference data, the same for every tenant)
# ---------------------------------------------------------------------------------------------

def _on_sale():
    return Product.objects.filter(is_active=True)


def service_type_choices():
    ids = _on_sale().values("service_type_id")
    return [(s.code, f"{s.display_name} ({s.code})") for s in ServiceType.objects.filter(pk__in=ids).order_by("code")]


def region_choices():
    ids = _on_sale().values("region_id")
    return [(r.code, r.display_name) for r in Region.objects.filter(pk__in=ids).order_by("code")]


def products_for(service_type: str, region: str, charge_mode) -> list[Product]:
    if not (service_type and region and charge_mode):
        return []
    return list(_on_sale().filter(service_type__code=service_type, region__code=region, charge_mode=charge_mode)
                .select_related("service_type", "resource_type", "region", "size_measure", "usage_measure")
                .prefetch_related("prices").order_by("resource_type__code", "resource_spec")[:500])


def product_label(product) -> str:
    size = ""
    if product.is_linear and product.size_measure_id:
        size = " · " + str(_("priced per %(unit)s")) % {"unit": product.size_measure.display_name}
    return f"{product.resource_type.display_name} · {product.spec_display} ({product.resource_spec}){size}"


# ---------------------------------------------------------------------------------------------
# 代客下单
# ---------------------------------------------------------------------------------------------

class PlaceOrderForm(forms.Form):
    """One product for one customer. `customers` are the customers the partner may order for, as
    (account ID, label); the catalogue's choices follow what was chosen so far (`data`)."""

    customer = forms.ChoiceField(label=_("Customer"))
    charge_mode = forms.TypedChoiceField(label=_("Billing mode"), choices=ChargeMode.choices, coerce=int,
                                         initial=ChargeMode.PERIOD, widget=forms.RadioSelect)
    service_type = forms.ChoiceField(label=_("Service type"))
    region = forms.ChoiceField(label=_("Region"))
    product = forms.ChoiceField(label=_("Product (resource type · specification)"), required=False)
    period = forms.ChoiceField(label=_("Required duration"), required=False)
    subscription_num = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=MAX_QUANTITY, initial=1)
    resource_size = forms.IntegerField(label=_("Size"), min_value=1, required=False,
                                       help_text=_("Disks and bandwidth are priced by their size."))

    def __init__(self, data=None, *, customers=(), **kwargs):
        super().__init__(data, **kwargs)
        self.fields["customer"].choices = [("", "---------"), *customers]
        self.fields["service_type"].choices = [("", "---------"), *service_type_choices()]
        self.fields["region"].choices = [("", "---------"), *region_choices()]
        source = data if data is not None else self.initial
        mode = source.get("charge_mode") or ChargeMode.PERIOD
        try:
            mode = int(mode)
        except (TypeError, ValueError):
            mode = None
        self.mode = mode
        self.products = {p.product_id: p for p in products_for(source.get("service_type"), source.get("region"), mode)}
        self.fields["product"].choices = [("", "---------")] + [
            (p.product_id, product_label(p)) for p in self.products.values()]
        chosen = self.products.get(source.get("product") or "")
        self.chosen_product = chosen
        if chosen is not None and chosen.charge_mode == ChargeMode.PERIOD:
            priced = {price.period_type for price in chosen.prices.all()}
            periods = [(t, n) for t, n in PERIODS if t in priced] or PERIODS
        else:
            periods = PERIODS
        self.fields["period"].choices = [(f"{t}:{n}", period_label(t, n)) for t, n in periods]
        if chosen is not None and chosen.is_linear:
            field = self.fields["resource_size"]
            field.required = True
            if chosen.min_size:
                field.validators.append(MinValueValidator(chosen.min_size))
            if chosen.max_size:
                field.validators.append(MaxValueValidator(chosen.max_size))
            unit = chosen.size_measure.display_name if chosen.size_measure_id else ""
            field.label = str(_("Size (%(unit)s)")) % {"unit": unit} if unit else field.label
            if chosen.min_size and chosen.max_size:
                field.help_text = _("From %(min)s to %(max)s %(unit)s; the price is per %(unit)s.") % {
                    "min": chosen.min_size, "max": chosen.max_size, "unit": unit}
                field.widget.attrs.update(min=chosen.min_size, max=chosen.max_size)
        else:
            self.fields["resource_size"].widget = forms.HiddenInput()

    @property
    def is_period(self) -> bool:
        """Yearly/monthly: what was chosen so far is bought for a period."""
        return self.mode == ChargeMode.PERIOD

    def clean(self):
        data = super().clean()
        product = self.products.get(data.get("product") or "")
        if not product:
            if "product" not in self.errors:
                self.add_error("product", _("Choose a product."))
            return data
        data["product"] = product
        if product.charge_mode == ChargeMode.PERIOD:
            period_type, _sep, number = (data.get("period") or "").partition(":")
            if not number:
                self.add_error("period", _("Choose how long to buy it for."))
            else:
                data["period_type"], data["period_num"] = int(period_type), int(number)
        if not product.is_linear:
            data["resource_size"] = None
        return data

    def quote(self) -> str:
        """What a valid form asks for, as one text: the price shown belongs to exactly these choices."""
        data = self.cleaned_data
        return "|".join(str(value) for value in (
            data["customer"], data["product"].product_id, data.get("period_type"), data.get("period_num"),
            data["subscription_num"], data.get("resource_size")))

    def item(self):
        """The priced item (`trade.pricing.Item`) of a valid form."""
        from trade.pricing import Item

        data = self.cleaned_data
        product = data["product"]
        if product.charge_mode == ChargeMode.PERIOD:
            when = {"period_type": data["period_type"], "period_num": data["period_num"]}
        else:  # the price of one usage unit (per hour …)
            when = {"usage_value": Decimal(1), "usage_measure_id": product.usage_measure_id}
        size = {"resource_size": data["resource_size"], "size_measure_id": product.size_measure_id} \
            if product.is_linear else {}
        return Item(id="1", product=product, subscription_num=data["subscription_num"], **when, **size)


# ---------------------------------------------------------------------------------------------
# Paying, asking, deciding, adjusting
# ---------------------------------------------------------------------------------------------

class EmptyForm(forms.Form):
    """The first step of a confirmation that asks nothing (cancel an order, pay as the partner)."""


class PayWithCouponsForm(forms.Form):
    """The customer pays: up to MAX_COUPONS of its usable coupons, then its balance. `coupons` are the
    order's usable coupons (trade.services.usable_coupons)."""

    coupons = forms.MultipleChoiceField(label=_("Coupons"), required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, coupons=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.coupons = {coupon.coupon_id: coupon for coupon in coupons}
        self.fields["coupons"].choices = [(coupon.coupon_id, coupon.coupon_id) for coupon in coupons]

    def clean_coupons(self):
        chosen = self.cleaned_data["coupons"]
        if len(chosen) > MAX_COUPONS:
            raise ValidationError(ngettext("Choose at most %(n)d coupon.", "Choose at most %(n)d coupons.",
                                           MAX_COUPONS) % {"n": MAX_COUPONS})
        return chosen

    def chosen(self) -> list:
        return [self.coupons[coupon_id] for coupon_id in self.cleaned_data.get("coupons", [])]


class MessageForm(forms.Form):
    message = forms.CharField(label=_("Message to your partner"), max_length=500, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))


class DecisionForm(VerificationForm):
    """Approve (pays the order: the verification code when the partner asks for one) or decline a
    partner-payment request, with a note to the customer."""

    note = forms.CharField(label=_("Reply to the customer"), max_length=500, required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))


class AdjustPriceForm(forms.Form):
    amount = AmountField(label=_("New amount (CNY)"))
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, order=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.order = order

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if self.order is not None and amount is not None and amount >= self.order.amount_after_discount:
            raise ValidationError(_("The new amount must be lower than the amount to pay now."))
        return amount
