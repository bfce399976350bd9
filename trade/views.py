"""Pages of orders on the partner's side (销售 ▸ 客户 ▸ 订单管理): the order list with its filters and Excel
export, an order's detail, 代客下单, paying an order from the partner's account (余额支付), the inbox of
customers' partner-payment requests, and 交易调价 of marketplace orders.

Reads go through trade.selectors (scoped to the actor; another tenant's order is "not found"), writes
through trade.services; prices come from trade.pricing alone. Every payment and price change takes two
steps (partnercenter.confirmation.two_step): what will happen, with the verification code when the
partner asks for one, then one call of the service.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from billing.selectors import partner_account_of
from catalog.choices import ChargeMode
from customers.choices import AssociationType, OpsStatus
from customers.reveal import reveal_customers
from customers.selectors import customers_for, ops_authorizations_for
from partnercenter.confirmation import posted, two_step
from partnercenter.errors import DomainError
from partnercenter.exports import EXPORT_LIMIT, local_time, xlsx_response
from partnercenter.pages import form_error, member_page, paginate
from partnercenter.templatetags.display import mask_text, moment

from . import pricing, selectors, services
from .choices import PaymentRequestStatus
from .errors import TradeCodes
from .filters import OrderFilterSet
from .forms import AdjustPriceForm, DecisionForm, EmptyForm, PlaceOrderForm, period_label

__all__ = [
    "order_list", "order_export", "order_detail", "order_pay", "place_order", "payment_requests",
    "payment_request_decide", "adjustments", "adjust_price", "urlpatterns", "order_or_404", "detail_context",
]

CUSTOMER_LIMIT = 200  # customers offered on 代客下单 (the authorized ones) and listed as not available


def order_or_404(actor, order_id):
    """The actor's order (trade.selectors.order_for), or a 404 for one it may not see."""
    try:
        return selectors.order_for(actor, order_id)
    except DomainError as exc:
        if exc.code == TradeCodes.ORDER_NOT_FOUND or exc.status == 404:
            raise Http404 from exc
        raise


def detail_context(order) -> dict:
    """An order's lines, discount rows, coupons used, partner-payment requests and price adjustments, read
    through the (already scoped) order at once: a constant number of statements whatever it holds."""
    lines = list(selectors.order_lines_of(order).select_related("size_measure"))
    for line in lines:
        line.charge_mode_label = ChargeMode(line.charge_mode).label if line.charge_mode in ChargeMode.values else ""
        line.period_label = period_label(line.period_type, line.period_num) if line.period_num else ""
    return {
        "order": order, "lines": lines,
        # where 查看资源 lists what the order bought (customers.choices.ChargingMode)
        "resource_mode": "period" if any(line.charge_mode == ChargeMode.PERIOD for line in lines) else "on_demand",
        "discounts": selectors.discount_rows_of(order),
        "coupon_uses": list(order.coupon_uses.select_related("coupon").order_by("id")),
        "requests": list(order.payment_requests.select_related("requested_by").order_by("-id")),
        "adjustments": list(order.price_adjustments.order_by("-id")),
    }


# ---------------------------------------------------------------------------------------------
# 订单管理: the list, its export, an order
# ---------------------------------------------------------------------------------------------

def _filtered_orders(request):
    filters = OrderFilterSet(request.GET or None, queryset=selectors.orders_for(request.actor), request=request)
    return filters.form, filters.qs


@member_page("orders.view")
def order_list(request):
    form, queryset = _filtered_orders(request)
    page = paginate(request, queryset)
    reveal = reveal_customers(request, [order.customer for order in page], "account")
    return render(request, "trade/orders.html", {"form": form, "page": page, "reveal": reveal, "tab": "orders"})


@member_page("orders.view")
def order_export(request):
    """The filtered order list as Excel (at most EXPORT_LIMIT rows), account names masked as on the page."""
    _form, queryset = _filtered_orders(request)
    rows = (
        [order.order_id, order.customer.domain_id, mask_text(order.customer.domain_name),
         str(order.get_order_type_display()), str(order.get_status_display()), order.service_type.display_name,
         str(order.get_source_type_display()), order.official_amount, order.discount_amount,
         order.amount_after_discount, order.coupon_amount + order.flexipurchase_coupon_amount, order.cash_amount,
         str(order.get_payer_display()) if order.payer else "", local_time(order.create_time),
         local_time(order.payment_time)]
        for order in queryset[:EXPORT_LIMIT]
    )
    return xlsx_response(request, action="order.export", name="orders", title=_("Orders"), rows=rows, header=[
        _("Order ID"), _("Customer account ID"), _("Account name"), _("Order type"), _("Status"), _("Service type"),
        _("Source"), _("Official price (CNY)"), _("Discount (CNY)"), _("Amount due (CNY)"), _("Paid by coupons (CNY)"),
        _("Paid from balance (CNY)"), _("Paid by"), _("Created"), _("Paid")])


@member_page("orders.view")
def order_detail(request, order_id):
    actor = request.actor
    order = order_or_404(actor, order_id)
    context = detail_context(order)
    context.update(
        tab="orders",
        can_pay=order.is_pending_payment and actor.has_perm("orders.pay") and not order.is_stored_card,
        can_adjust=(order.is_pending_payment and order.is_marketplace and actor.has_perm("orders.adjust_price")
                    and order.sales_partner_id == actor.partner.pk),
        pending_request=next((r for r in context["requests"] if r.status == PaymentRequestStatus.PENDING), None),
    )
    return render(request, "trade/order_detail.html", context)


@member_page("orders.pay")
def order_pay(request, order_id):
    """余额支付: the partner pays a pending order of its customer from its own account."""
    actor = request.actor
    order = order_or_404(actor, order_id)
    form = EmptyForm(posted(request))
    step = two_step(request, form, lambda code: services.pay_for_customer(actor, order_id=order.order_id,
                                                                          verification_code=code))
    if step.done:
        messages.success(request, _("Order %(order)s paid from your account: %(amount)s.") % {
            "order": step.result.order_id, "amount": step.result.cash_amount})
        return redirect("trade:order_detail", order_id=step.result.order_id)
    return render(request, "trade/order_pay.html", {
        "form": form, "order": order, "account": partner_account_of(actor.partner), "tab": "orders", **step.context})


# ---------------------------------------------------------------------------------------------
# 代客下单
# ---------------------------------------------------------------------------------------------

def _why_not(customer, authorization, now) -> str | None:
    """Why the partner cannot order for this customer now (None: it can) — the rule of
    customers.services.ordering_authorization, applied to a page of customers read at once (the service
    asks again when the order is placed)."""
    if customer.active_associations[0].association_type != AssociationType.RESALE:
        return _("Referral customers buy for themselves; only resale customers can authorize you to order for them.")
    if authorization is None:
        return _("The customer has not authorized delegated operations.")
    if authorization.status != OpsStatus.AUTHORIZED:
        return _("The customer has not agreed to your delegated operations request yet.")
    if authorization.valid_until is None or authorization.valid_until <= now:
        return _("The delegated operations authorization expired on %(date)s.") % {
            "date": moment(authorization.valid_until, "date")}
    return None


def _orderable_customers(actor, asked_for=""):
    """(customers the actor may order for, [(customer, reason)] not available): resale customers whose
    代客运维 authorization is granted and still valid; the others with the reason — those whose
    authorization is pending or expired, the customer asked for in the query, and the first others of
    the book (at most CUSTOMER_LIMIT each)."""
    now = timezone.now()
    authorizations = {a.customer_id: a for a in ops_authorizations_for(actor).filter(
        status__in=[OpsStatus.AUTHORIZED, OpsStatus.PENDING]).order_by("-id")[:CUSTOMER_LIMIT]}
    able, unable, seen = [], [], set()
    book = customers_for(actor)
    near = list(book.filter(pk__in=list(authorizations)))
    asked = list(book.filter(domain_id=asked_for)) if asked_for else []
    others = list(book.exclude(pk__in=list(authorizations))[:20])
    for customer in near + asked + others:
        if customer.pk in seen:
            continue
        seen.add(customer.pk)
        reason = _why_not(customer, authorizations.get(customer.pk), now)
        if reason is None:
            able.append(customer)
        else:
            unable.append((customer, reason))
    return able, unable


@member_page("orders.place")
def place_order(request):
    """One product for one authorized resale customer: choose, price (the rated price with its discount
    rows), order. The order then waits for payment: by the partner now, or by the customer."""
    actor = request.actor
    asked_for = request.GET.get("customer", "")[:64]
    able, unable = _orderable_customers(actor, asked_for)
    choices = [(c.domain_id, f"{mask_text(c.domain_name)} ({c.domain_id})") for c in able]
    action = request.POST.get("action") if request.method == "POST" else None
    # Until the price is asked for, what was chosen so far only narrows the choices (no errors shown).
    bound = request.POST if action in ("rate", "place") else None
    initial = request.POST.dict() if request.method == "POST" else {"customer": asked_for}
    form = PlaceOrderForm(bound, customers=choices, initial=initial)
    rating, quote, changed = None, "", False
    if action in ("rate", "place") and form.is_valid():
        customer = next(c for c in able if c.domain_id == form.cleaned_data["customer"])
        item = form.item()
        quote = form.quote()
        # What is ordered is what was priced: changed choices are priced again before anything is ordered.
        changed = action == "place" and request.POST.get("quote") != quote
        try:
            rating = pricing.rate([item], customer=customer)[0].in_fen()
            if action == "place" and not changed:
                order = services.place_order(actor, customer_id=customer.domain_id, items=[item])
                messages.success(request, _("Order %(order)s placed for the customer. It waits for payment.")
                                 % {"order": order.order_id})
                return redirect(reverse("trade:order_detail", args=[order.order_id]) + "?placed=1")
        except DomainError as exc:
            form_error(request, form, exc)
            rating = None
    return render(request, "trade/place.html", {
        "form": form, "rating": rating, "quote": quote, "changed": changed, "unavailable": unable, "tab": "place",
        "period_mode": ChargeMode.PERIOD,
    })


# ---------------------------------------------------------------------------------------------
# Partner-payment requests (余额支付 asked for by customers)
# ---------------------------------------------------------------------------------------------

@member_page("orders.pay")
def payment_requests(request):
    queryset = selectors.payment_requests_for(request.actor).select_related("order", "customer")
    pending = list(queryset.filter(status=PaymentRequestStatus.PENDING).order_by("created_at", "id")[:100])
    page = paginate(request, queryset.exclude(status=PaymentRequestStatus.PENDING))
    reveal = reveal_customers(request, [r.customer for r in pending] + [r.customer for r in page], "account")
    return render(request, "trade/payment_requests.html", {
        "pending": pending, "page": page, "reveal": reveal, "tab": "requests",
        "account": partner_account_of(request.actor.partner),
    })


DECISIONS = {"approve": gettext_lazy("Approve and pay"), "decline": gettext_lazy("Decline")}


@member_page("orders.pay")
def payment_request_decide(request, pk, decision):
    actor = request.actor
    if decision not in DECISIONS:
        raise Http404
    payment_request = selectors.payment_requests_for(actor).select_related("order", "customer").filter(pk=pk).first()
    if payment_request is None:
        raise Http404
    context = {"payment_request": payment_request, "order": payment_request.order, "decision": decision,
               "title": DECISIONS[decision], "tab": "requests", "account": partner_account_of(actor.partner)}
    if decision == "approve":
        form = EmptyForm(posted(request))
        context["form"] = form
        step = two_step(request, form, lambda code: services.decide_payment_request(
            actor, request_id=payment_request.pk, approve=True, verification_code=code))
        if step.done:
            messages.success(request, _("Order %(order)s paid for the customer.") % {
                "order": payment_request.order.order_id})
            return redirect("trade:payment_requests")
        return render(request, "trade/payment_request_decide.html", {**context, **step.context})
    form = DecisionForm(posted(request))
    context["form"] = form
    if request.method == "POST" and form.is_valid():
        try:
            services.decide_payment_request(actor, request_id=payment_request.pk, approve=False,
                                            note=form.cleaned_data["note"])
        except DomainError as exc:
            form_error(request, form, exc)
        else:
            messages.success(request, _("Request declined; the order still waits for the customer's payment."))
            return redirect("trade:payment_requests")
    return render(request, "trade/payment_request_decide.html", context)


# ---------------------------------------------------------------------------------------------
# 交易调价 (marketplace orders whose selected sales account is this partner)
# ---------------------------------------------------------------------------------------------

@member_page("orders.adjust_price")
def adjustments(request):
    actor = request.actor
    pending = list(selectors.adjustable_orders_for(actor).order_by("-create_time", "-id")[:100])
    page = paginate(request, selectors.price_adjustments_for(actor))
    reveal = reveal_customers(request, [o.customer for o in pending] + [a.order.customer for a in page], "account")
    return render(request, "trade/adjustments.html", {"pending": pending, "page": page, "reveal": reveal,
                                                      "tab": "adjustments"})


@member_page("orders.adjust_price")
def adjust_price(request, order_id):
    actor = request.actor
    order = selectors.find_order(selectors.adjustable_orders_for(actor), order_id)
    if order is None:
        order_or_404(actor, order_id)  # a 404 for an order the actor may not see at all
        messages.error(request, DomainError(TradeCodes.ADJUSTMENT_NOT_ALLOWED).message)
        return redirect("trade:order_detail", order_id=order_id)
    form = AdjustPriceForm(posted(request), order=order)
    step = two_step(request, form, lambda code: services.adjust_price(
        actor, order_id=order.order_id, amount=form.cleaned_data["amount"], reason=form.cleaned_data["reason"],
        verification_code=code))
    if step.done:
        messages.success(request, _("The price of order %(order)s is now %(amount)s.") % {
            "order": step.result.order_id, "amount": step.result.amount_after_discount})
        return redirect("trade:adjustments")
    return render(request, "trade/adjust.html", {"form": form, "order": order, "tab": "adjustments",
                                                 **step.context})


urlpatterns = [
    path("orders/", order_list, name="orders"),
    path("orders/export.xlsx", order_export, name="order_export"),
    path("orders/<str:order_id>/", order_detail, name="order_detail"),
    path("orders/<str:order_id>/pay/", order_pay, name="order_pay"),
    path("place/", place_order, name="place"),
    path("payment-requests/", payment_requests, name="payment_requests"),
    path("payment-requests/<int:pk>/<slug:decision>/", payment_request_decide, name="payment_request_decide"),
    path("price-adjustments/", adjustments, name="adjustments"),
    path("price-adjustments/<str:order_id>/", adjust_price, name="adjust_price"),
]
