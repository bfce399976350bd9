"""Partner pages of subscriptions (销售 ▸ 客户), mounted at /subscriptions/:

- 到期资源 (`expiring`): the customers' main yearly/monthly resources expiring within N days, and those
  already in the grace or retention period, so account managers can chase renewals; filtered by
  subscriptions.filters.ExpiringFilter, exported as Excel or CSV (the export is logged).
- 续费 for a customer (`renew`): the renewal price (subscriptions.renewal.quote), then ONE renewal
  order (subscriptions.renewal.renew) that the partner pays from its account (余额支付, the order's page)
  or leaves for the customer to pay.
- 退订 for a customer (`unsubscribe`): the reason, then the refund preview (unsubscribing.preview) on the
  confirmation (partnercenter.confirmation.two_step: confirmed once), then unsubscribing.unsubscribe and
  the refund's page.
- 退款详情 (`refund`): the refund rows and payouts of an unsubscription (or instant switch) order.
- The yearly/monthly rows of a customer's resources page (customers:resources?mode=period): their expiry,
  state and what happens at expiry, and the renew/unsubscribe actions (subscriptions/pages.py registers
  them with customers.views.register_resource_rows).

Reads go through subscriptions.selectors (scoped: a resource of a customer the actor does not see is "not
found"), writes through the services, which decide who may act: a partner acts for a customer only with
`orders.place` and the customer's valid 代客运维 grant (the pages offer the actions only then).
"""

from decimal import Decimal

from django.contrib import messages
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.templatetags.catalog_names import region_name, service_type_name
from customers.choices import PeriodStatus
from customers.reveal import reveal_customers
from customers.selectors import associations_for
from partnercenter.confirmation import posted, two_step
from partnercenter.errors import Codes, DomainError
from partnercenter.exports import EXPORT_LIMIT, local_time, xlsx_response
from partnercenter.oplog import require_code
from partnercenter.pages import form_error, member_page, paginate
from partnercenter.templatetags.display import mask_text
from trade.views import order_or_404

from . import renewal, selectors, unsubscribing
from .filters import ExpiringFilter, bind
from .pages import authorized_customers, csv_response, for_action, life_of
from .partner_forms import RenewForm, UnsubscribeForm

__all__ = ["expiring", "expiring_export", "expiring_export_csv", "renew", "unsubscribe", "refund_detail",
           "urlpatterns"]


# ---------------------------------------------------------------------------------------------
# 到期资源: the list and its exports
# ---------------------------------------------------------------------------------------------

def _expiring(request):
    """(the filter form, the filtered rows): each with its customer, the customer's active association (its
    account manager) and its auto-renewal read with the page — a constant number of statements."""
    actor = request.actor
    queryset = selectors.main_resources_for(actor).select_related("customer", "auto_renewal").prefetch_related(
        Prefetch("customer__associations", to_attr="active_associations",
                 queryset=associations_for(actor).select_related("account_manager__user")))
    filters = ExpiringFilter(bind(request.GET), queryset=queryset, request=request)
    return filters.form, filters.qs


def _manager_of(resource):
    associations = getattr(resource.customer, "active_associations", None)
    return associations[0].account_manager if associations else None


@member_page("customers.view")
def expiring(request):
    actor = request.actor
    form, queryset = _expiring(request)
    page = paginate(request, queryset)
    now = timezone.now()
    rows = list(page)
    renewable = authorized_customers(actor, [row.customer for row in rows], now)
    for row in rows:
        row.life = life_of(row, now)
        row.manager = _manager_of(row)
        row.can_renew = row.customer_id in renewable
    reveal = reveal_customers(request, [row.customer for row in rows], "account")
    return render(request, "subscriptions/partner/expiring.html", {
        "form": form, "page": page, "reveal": reveal, "show_manager": actor.sees_all_customers,
    })


def _export_rows(request):
    _form, queryset = _expiring(request)
    now = timezone.now()
    header = [_("Customer account ID"), _("Account name"), _("Resource name"), _("Resource ID"), _("Service type"),
              _("Region"), _("State"), _("Expires"), _("Days left"), _("At expiry"), _("Account manager")]

    def rows():
        for row in queryset[:EXPORT_LIMIT]:
            life = life_of(row, now)
            manager = _manager_of(row)
            yield [row.customer.domain_id, mask_text(row.customer.domain_name), row.resource_name, row.resource_id,
                   service_type_name(row.service_type_code, row.service_type_name), region_name(row.region_code), str(life.label),
                   local_time(row.expire_time), life.days_left, str(life.at_expiry), str(manager or "")]

    return header, rows()


@member_page("customers.view")
def expiring_export(request):
    """The filtered list as Excel (at most EXPORT_LIMIT rows), account names masked as on the page."""
    header, rows = _export_rows(request)
    return xlsx_response(request, action="subscription.export_expiring", name="expiring-resources",
                         title=_("Expiring resources"), header=header, rows=rows)


@member_page("customers.view")
def expiring_export_csv(request):
    """The same rows as CSV (UTF-8 with a byte-order mark, so a spreadsheet reads the Chinese names)."""
    header, rows = _export_rows(request)
    return csv_response(request, action="subscription.export_expiring", name="expiring-resources", header=header,
                        rows=rows)


# ---------------------------------------------------------------------------------------------
# 续费 for a customer
# ---------------------------------------------------------------------------------------------

def _renewal_price(actor, target, period_type, period_num):
    """The renewal price of the main resource with its live subordinates, each line in fen; a resource the
    rating cannot price is the refusal (DomainError)."""
    rating = renewal.quote(target.customer, resource_ids=[target.resource.resource_id], period_type=period_type,
                           period_num=period_num,
                           resources=selectors.period_resources_for(actor).exclude(status=PeriodStatus.CLOSED))
    if rating.failures:
        raise DomainError(rating.failures[0].code, rating.failures[0].message)
    if not rating.results:
        raise DomainError(Codes.NOT_FOUND)
    lines = [line.in_fen() for line in rating.results[0].lines]
    return {"lines": lines, "official": sum(line.official for line in lines),
            "discount": sum(line.discount for line in lines), "amount": sum(line.amount for line in lines)}


@member_page("orders.place")
def renew(request, resource_id):
    """续费 of one main resource for the customer: choose the period, see the price, place the order."""
    actor = request.actor
    target = for_action(actor, resource_id)
    action = request.POST.get("action") if request.method == "POST" else None
    form = RenewForm(request.POST if action in ("rate", "place") and target.allowed else None)
    price, quote, changed = None, "", False
    if form.is_bound and form.is_valid():
        period_type, period_num = form.chosen_period()
        quote = form.quote(target.resource.resource_id)
        # What is ordered is what was priced: a changed period is priced again before anything is ordered.
        changed = action == "place" and request.POST.get("quote") != quote
        try:
            price = _renewal_price(actor, target, period_type, period_num)
            if action == "place" and not changed:
                outcome = renewal.renew(actor, customer_id=target.customer.domain_id,
                                        resource_ids=[target.resource.resource_id], period_type=period_type,
                                        period_num=period_num)
                if outcome.order is None:
                    raise DomainError(outcome.failures[0].code, outcome.failures[0].message)
                for failure in outcome.failures:
                    messages.warning(request, f"{failure.resource_id}: {failure.message}")
                messages.success(request, _("Renewal order %(order)s placed for the customer. It waits for payment.")
                                 % {"order": outcome.order.order_id})
                return redirect(reverse("trade:order_detail", args=[outcome.order.order_id]) + "?placed=1")
        except DomainError as exc:
            form_error(request, form, exc)
            price = None
    pending = selectors.pending_orders_naming(target.customer, [target.resource.resource_id]) if target.allowed else []
    return render(request, "subscriptions/partner/renew.html", {
        "target": target, "customer": target.customer, "form": form, "price": price, "quote": quote,
        "changed": changed, "pending": pending,
    })


# ---------------------------------------------------------------------------------------------
# 退订 for a customer, and its refund
# ---------------------------------------------------------------------------------------------

def _totals(items) -> dict:
    """The footer of a refund's rows (subscriptions/_refund_detail.html)."""
    return {name: sum((getattr(item, name) for item in items), Decimal(0)) for name in ("paid", "used", "fee", "refund")}


def _unsubscribe(actor, target, data, code):
    require_code(actor, "subscription.unsubscribe", code)  # the confirmation asked for it when the partner does
    outcome = unsubscribing.unsubscribe(
        actor, customer_id=target.customer.domain_id, resource_ids=[target.resource.resource_id],
        unsubscribe_type=data["unsubscribe_type"], reason_type=data["reason_type"], reason=data["reason"])
    if not outcome.orders:
        raise DomainError(outcome.failures[0].code, outcome.failures[0].message)
    return outcome.orders


@member_page("orders.place")
def unsubscribe(request, resource_id):
    """退订 of one main resource for the customer: what and why, then the refund preview to confirm."""
    actor = request.actor
    target = for_action(actor, resource_id)
    form = UnsubscribeForm(posted(request) if target.allowed else None)
    step = two_step(request, form, lambda code: _unsubscribe(actor, target, form.cleaned_data, code))
    if step.done:
        messages.success(request, _("Resource %(resource)s unsubscribed: %(amount)s refunded.") % {
            "resource": target.resource.resource_id,
            "amount": sum((order.amount_after_discount for order in step.result), Decimal(0))})
        # the refund of an order of another partner's (bought before the customer came) is that partner's
        mine = [order for order in step.result if order.partner_id == actor.partner.pk]
        if mine:
            return redirect("subscriptions:refund", order_id=mine[0].order_id)
        return redirect(reverse("customers:resources", args=[target.customer.domain_id]) + "?mode=period")
    plan = None
    if step.confirm is not None:  # the confirmation shows what would be refunded, and where to
        try:
            plan = unsubscribing.preview(actor, resource_id=target.resource.resource_id,
                                         customer_id=target.customer.domain_id,
                                         unsubscribe_type=form.cleaned_data["unsubscribe_type"])
        except DomainError as exc:
            form_error(request, form, exc)
            step.confirm = None
    return render(request, "subscriptions/partner/unsubscribe.html", {
        "target": target, "customer": target.customer, "form": form, "plan": plan,
        "totals": _totals(plan.items) if plan is not None else None, **step.context,
    })


@member_page("orders.view")
def refund_detail(request, order_id):
    """The refund of an unsubscription (or instant switch) order the actor may see (trade.selectors.order_for)."""
    order = order_or_404(request.actor, order_id)
    if order.order_type not in selectors.REFUND_ORDER_TYPES:
        raise Http404
    items = list(selectors.refund_items_of(order))
    return render(request, "subscriptions/partner/refund.html", {
        "order": order, "items": items, "totals": _totals(items), "payouts": list(selectors.refund_payouts_of(order)),
        "unsubscription": selectors.unsubscriptions_for(request.actor).filter(order=order).first(),
    })


urlpatterns = [
    path("expiring/", expiring, name="expiring"),
    path("expiring/export.xlsx", expiring_export, name="expiring_export"),
    path("expiring/export.csv", expiring_export_csv, name="expiring_export_csv"),
    path("resources/<str:resource_id>/renew/", renew, name="renew"),
    path("resources/<str:resource_id>/unsubscribe/", unsubscribe, name="unsubscribe"),
    path("refunds/<str:order_id>/", refund_detail, name="refund"),
]
