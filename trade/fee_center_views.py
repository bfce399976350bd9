"""费用中心 ▸ 订单管理: the customer's own orders — the list with the balance, an order's detail, paying
it with chosen coupons and the balance, cancelling it, and asking the partner to pay it (余额支付), with
the pending request shown and withdrawable.

Paying and cancelling take two steps (partnercenter.confirmation.two_step): the confirmation shows what
the coupons and the balance will pay, and only it calls the service, once.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from billing.selectors import customer_account_of
from partnercenter.confirmation import posted, two_step
from partnercenter.errors import DomainError
from partnercenter.money import ZERO
from partnercenter.pages import customer_page, form_error, paginate

from . import selectors, services
from .choices import PaymentRequestStatus
from .filters import OrderFilterSet
from .forms import MAX_COUPONS, EmptyForm, MessageForm, PayWithCouponsForm
from .views import detail_context, order_or_404

__all__ = ["orders", "order", "pay", "cancel", "ask_partner", "withdraw_request", "coupon_plan"]

CUSTOMER_FILTERS = {"status"}


def _partner(actor):
    from customers.selectors import fee_center_overview

    association = fee_center_overview(actor)["association"]
    return association.partner if association else None


@customer_page
def orders(request):
    actor = request.actor
    filters = OrderFilterSet(request.GET or None, queryset=selectors.orders_for(actor), request=request,
                             only=CUSTOMER_FILTERS)
    return render(request, "trade/fee_center_orders.html", {
        "form": filters.form, "page": paginate(request, filters.qs),
        "balance": customer_account_of(actor.customer).balance,
    })


def _pending_request(requests):
    return next((r for r in requests if r.status == PaymentRequestStatus.PENDING), None)


@customer_page
def order(request, order_id):
    actor = request.actor
    context = detail_context(order_or_404(actor, order_id))
    context.update(balance=customer_account_of(actor.customer).balance,
                   pending_request=_pending_request(context["requests"]))
    return render(request, "trade/fee_center_order.html", context)


def coupon_plan(order, coupons, balance) -> dict:
    """What the chosen coupons and then the balance pay of the order, as the confirmation shows it: each
    coupon takes what it can (its balance, at most what is still due), in the order chosen, and the balance
    pays the rest. The service decides (within each coupon's limits); this is the figure the customer reads
    before confirming."""
    due = order.amount_after_discount
    rows = []
    for coupon in coupons:
        used = min(coupon.balance, due)
        rows.append((coupon, used))
        due -= used
    return {"coupon_rows": rows, "coupons_pay": order.amount_after_discount - due, "balance_pays": due,
            "balance_after": balance - due, "short": due > balance}


@customer_page
def pay(request, order_id):
    actor = request.actor
    order = order_or_404(actor, order_id)
    balance = customer_account_of(actor.customer).balance
    usable = services.usable_coupons(order) if order.is_pending_payment else []
    form = PayWithCouponsForm(posted(request), coupons=usable)
    step = two_step(request, form, lambda code: services.pay_order(
        actor, order_id=order.order_id, coupon_ids=form.cleaned_data["coupons"], verification_code=code))
    if step.done:
        messages.success(request, _("Order %(order)s paid.") % {"order": step.result.order_id})
        return redirect("fee_center_order", order_id=step.result.order_id)
    context = {"form": form, "order": order, "balance": balance, "coupons": usable, "max_coupons": MAX_COUPONS,
               "not_positive": balance <= ZERO, **step.context}
    context.update(coupon_plan(order, form.chosen() if step.confirm else [], balance))
    return render(request, "trade/fee_center_pay.html", context)


@customer_page
def cancel(request, order_id):
    actor = request.actor
    order = order_or_404(actor, order_id)
    form = EmptyForm(posted(request))
    step = two_step(request, form, lambda code: services.cancel_order(actor, order_id=order.order_id))
    if step.done:
        messages.success(request, _("Order %(order)s cancelled.") % {"order": step.result.order_id})
        return redirect("fee_center_order", order_id=step.result.order_id)
    return render(request, "trade/fee_center_cancel.html", {"form": form, "order": order, **step.context})


@customer_page
def ask_partner(request, order_id):
    """Ask the partner to pay the order from its account (余额支付), with a message."""
    actor = request.actor
    order = order_or_404(actor, order_id)
    form = MessageForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.request_partner_payment(actor, order_id=order.order_id, message=form.cleaned_data["message"])
        except DomainError as exc:
            form_error(request, form, exc)
        else:
            messages.success(request, _("Your partner has been asked to pay order %(order)s.") % {
                "order": order.order_id})
            return redirect("fee_center_order", order_id=order.order_id)
    return render(request, "trade/fee_center_ask.html", {"form": form, "order": order, "partner": _partner(actor)})


@customer_page
@require_POST
def withdraw_request(request, pk):
    actor = request.actor
    payment_request = selectors.payment_requests_for(actor).select_related("order").filter(pk=pk).first()
    if payment_request is None:
        raise Http404
    try:
        services.withdraw_payment_request(actor, request_id=payment_request.pk)
    except DomainError as exc:
        form_error(request, None, exc)
    else:
        messages.success(request, _("Request withdrawn."))
    return redirect("fee_center_order", order_id=payment_request.order.order_id)

