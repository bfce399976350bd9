"""费用中心 ▸ 退订管理: the live main resources that can be returned and the past unsubscriptions (the other
half of the customer's subscription pages; fee_center_views.py has the module's rules and 续费管理).

退订 shows the refund before anything happens — per paid line: the base order, the period, paid, used,
handling fee and refund, and where each part goes — for both unsubscribe types, then asks for the reason
and a two-step confirmation (partnercenter.confirmation.two_step); the refund detail page shows what was done.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from billing.selectors import customer_account_of
from partnercenter.confirmation import confirming, two_step
from partnercenter.errors import DomainError
from partnercenter.pages import customer_page, paginate
from trade.views import order_or_404

from . import selectors, services
from .choices import UnsubscribeReason, UnsubscribeType
from .fee_center_views import decorate, plan_context, post_only, resource_or_404, totals
from .forms import UnsubscribeFilter, UnsubscribeForm

__all__ = ["unsubscribe", "unsubscribe_preview", "refund", "refund_context"]


def refund_context(order) -> dict:
    """What _refund_detail.html needs for an unsubscription (or instant switch) order the actor was given by
    a scoped selector: `order`, `items`, `payouts` and their `totals`."""
    items = list(selectors.refund_items_of(order))
    payouts = list(selectors.refund_payouts_of(order))
    return {"order": order, "items": items, "payouts": payouts, "totals": totals(items)}


# ---------------------------------------------------------------------------------------------
# 退订管理
# ---------------------------------------------------------------------------------------------

@customer_page
@require_GET
def unsubscribe(request):
    actor = request.actor
    tab = "history" if request.GET.get("tab") == "history" else "resources"
    context = {"tab": tab, "balance": customer_account_of(actor.customer).balance}
    if tab == "history":
        context["page"] = paginate(request, selectors.unsubscriptions_for(actor).select_related("order__service_type"))
    else:
        filters = UnsubscribeFilter(request.GET or None, queryset=selectors.main_resources_for(actor), request=request)
        page = paginate(request, filters.qs)
        page.object_list = decorate(actor, page.object_list, details=False)
        context.update(form=filters.form, page=page)
    return render(request, "subscriptions/fee_center/unsubscribe.html", context)


def _previews(actor, resource) -> list[dict]:
    """The refund of each unsubscribe type (or why there is none)."""
    rows = []
    for value, label in UnsubscribeType.choices:
        row = {"type": value, "label": label}
        try:
            row.update(plan_context(services.preview(actor, resource_id=resource.resource_id,
                                                           unsubscribe_type=value)))
        except DomainError as exc:
            row["refused"] = exc.message
        rows.append(row)
    return rows


def _unsubscribe(actor, resource, data):
    outcome = services.unsubscribe(actor, resource_ids=[resource.resource_id],
                                        unsubscribe_type=data["unsubscribe_type"], reason_type=data["reason_type"],
                                        reason=data["reason"])
    if not outcome.orders:
        failure = outcome.failures[0]
        raise DomainError(failure.code, failure.message)
    return outcome.orders  # one, or one per partner whose orders were refunded (unsubscribing "Whose refund")


@customer_page
@post_only("fee_center_unsubscribe")
def unsubscribe_preview(request):
    """退订: the refund of each type, the reason, then a confirmation (the refund of the chosen type again)."""
    actor = request.actor
    resource = resource_or_404(actor, request.POST.get("resource"))
    bound = "unsubscribe_type" in request.POST or confirming(request)
    form = UnsubscribeForm(request.POST if bound else None,
                           initial={"resource": resource.resource_id, "unsubscribe_type": UnsubscribeType.RESOURCE})
    step = two_step(request, form, lambda code: _unsubscribe(actor, resource, form.cleaned_data))
    if step.done:
        refunded = sum(order.amount_after_discount for order in step.result)
        messages.success(request, _("%(resource)s unsubscribed: %(amount)s refunded.") % {
            "resource": resource, "amount": f"¥{refunded:,.2f}"})
        return redirect("fee_center_refund", order_id=step.result[0].order_id)
    previews = _previews(actor, resource)
    reason_label = ""
    if step.confirm is not None:
        chosen = form.cleaned_data["unsubscribe_type"]
        previews = [row for row in previews if row["type"] == chosen]
        reason_label = UnsubscribeReason(form.cleaned_data["reason_type"]).label
    return render(request, "subscriptions/fee_center/unsubscribe_preview.html", {
        "form": form, "resource": decorate(actor, [resource], details=False)[0], "previews": previews,
        "can_unsubscribe": any("refused" not in row for row in previews), "reason_label": reason_label,
        **step.context,
    })


@customer_page
@require_GET
def refund(request, order_id):
    """The refund of an unsubscription or instant switch: where each part came from and went."""
    actor = request.actor
    order = order_or_404(actor, order_id)
    if order.order_type not in selectors.REFUND_ORDER_TYPES:
        raise Http404
    context = refund_context(order)
    context.update(unsubscription=selectors.unsubscriptions_for(actor).filter(order=order).first(),
                   to_coupons=order.coupon_amount + order.flexipurchase_coupon_amount,
                   balance=customer_account_of(actor.customer).balance)
    return render(request, "subscriptions/fee_center/refund.html", context)
