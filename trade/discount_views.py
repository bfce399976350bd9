"""Pages of customer discounts (伙伴设置折扣, under 销售 ▸ 订单管理's tabs): the list with its filters (customer,
service type), setting or changing a discount, removing one.

Setting takes two steps (partnercenter.confirmation.two_step): the page shows the customer, the service
type, the rate as 折 and as % off against the catalogue's ceiling and the rate it replaces, with the
verification code when the partner asks for one; only the confirmation calls the service, once. Removing
asks once (with the code) like deleting a role. Reads go through trade.discounts' scoped selectors, so
another partner's discount is "not found" (404).
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _

from customers.choices import AssociationType
from customers.reveal import reveal_customers
from partnercenter.confirmation import posted, two_step
from partnercenter.errors import DomainError
from partnercenter.forms import VerificationForm
from partnercenter.pages import form_error, member_page, paginate

from . import discounts
from .forms_discounts import DiscountFilter, DiscountForm, service_type_choice
from .pricing import effective_rate

__all__ = ["discount_list", "discount_set", "discount_remove", "urlpatterns"]


def _described(discount):
    """What the list shows of a discount: the rate as 折 / % off, and what rating applies now."""
    discount.label = discounts.rate_label(discount.rate)
    applied = effective_rate(discount)
    discount.applies = discount.association_type == AssociationType.RESALE and discount.service_type.allow_discount
    discount.capped_label = discounts.rate_label(applied) if applied != discount.rate and discount.applies else ""
    return discount


@member_page(discounts.PERMISSION)
def discount_list(request):
    actor = request.actor
    filters = DiscountFilter(request.GET or None, queryset=discounts.discounts_for(actor))
    page = paginate(request, filters.qs)
    for discount in page:
        _described(discount)
    return render(request, "trade/discounts.html", {
        "form": filters.form, "page": page, "tab": "discounts",
        "reveal": reveal_customers(request, [discount.customer for discount in page], "account"),
        "ceilings": [service_type_choice(st)[1] for st in discounts.discountable_service_types()],
    })


@member_page(discounts.PERMISSION)
def discount_set(request):
    """设置折扣 (or change one: the list links here with ?customer=…&service_type=…)."""
    actor = request.actor
    initial = {"customer": request.GET.get("customer", "")[:64], "service_type": request.GET.get("service_type", "")[:64]}
    current = discounts.discounts_for(actor).filter(
        customer__domain_id=initial["customer"], service_type__code=initial["service_type"]).first()
    if current is not None:
        initial["rate"] = format(current.rate.normalize(), "f")
    form = DiscountForm(posted(request), actor=actor, initial=initial)

    def run(code):
        data = form.cleaned_data
        return discounts.set_discount(actor, customer_id=data["customer"], service_type_code=data["service_type"],
                                      rate=data["rate"], verification_code=code)

    step = two_step(request, form, run)
    if step.done:
        discount = step.result
        messages.success(request, _("Discount saved: %(customer)s pays %(rate)s for %(service)s.") % {
            "customer": form.customer_labels.get(discount.customer.domain_id, discount.customer.domain_id),
            "rate": discounts.rate_label(discount.rate), "service": discount.service_type.display_name})
        return redirect("trade:discounts")
    context = {"form": form, "tab": "discounts", **step.context}
    if step.confirm is not None:
        data = form.cleaned_data
        previous = discounts.discounts_for(actor).filter(
            customer__domain_id=data["customer"], service_type__code=data["service_type"]).first()
        context.update(
            customer_label=form.customer_labels.get(data["customer"]), service_type=data["service_type_obj"],
            ceiling=service_type_choice(data["service_type_obj"])[1], rate_label=discounts.rate_label(data["rate"]),
            previous_label=discounts.rate_label(previous.rate) if previous else "")
    return render(request, "trade/discounts_form.html", context)


@member_page(discounts.PERMISSION)
def discount_remove(request, pk):
    actor = request.actor
    discount = discounts.discount_for(actor, pk)
    if discount is None:
        raise Http404
    form = VerificationForm(posted(request), actor=actor)
    if request.method == "POST" and form.is_valid():
        try:
            discounts.remove_discount(actor, discount_id=discount.pk, verification_code=form.code)
        except DomainError as exc:
            if exc.status == 404:
                raise Http404 from exc
            form_error(request, form, exc)
        else:
            messages.success(request, _("Discount removed: the customer pays the official price for %(service)s.")
                             % {"service": discount.service_type.display_name})
            return redirect("trade:discounts")
    return render(request, "trade/discounts_remove.html", {
        "form": form, "discount": _described(discount), "tab": "discounts",
        "cancel_url": reverse("trade:discounts"),
    })


urlpatterns = [
    path("discounts/", discount_list, name="discounts"),
    path("discounts/set/", discount_set, name="discount_set"),
    path("discounts/<int:pk>/remove/", discount_remove, name="discount_remove"),
]
