"""费用中心 ▸ 续费管理 and 退订管理: the customer's yearly/monthly resources through their life.

续费管理 lists the live main resources (in use, in the grace period, in the retention period), soonest
expiry first, with the days left, what happens at expiry and a renewal order still waiting for payment.
From there: 续费 (renewal.renew places the order, the customer pays it on the order page with coupons and
the balance), 自动续费 on/off, 到期转按需 set/cancel, what happens at expiry, 即时转按需 (with its refund
shown first), and the renew settings (auto-renew deduction day, unified expiry day).

退订管理 (fee_center_refund_views.py) lists the live main resources that can be returned and the past
unsubscriptions, and shows each refund before and after it is made.

Every action is a POST whose resource ids are in the body, never in the URL; a resource the customer
does not have is "not found". The services decide; their refusals become form errors or messages.
"""

from collections import Counter
from datetime import timedelta
from decimal import Decimal
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from billing.selectors import customer_account_of
from customers.choices import PeriodStatus
from partnercenter.confirmation import two_step
from partnercenter.errors import DomainError
from partnercenter.pages import chosen_ids, customer_page, form_error, paginate
from trade import selectors as trade_selectors
from trade.choices import OrderStatus, OrderType

from . import refunds, renewal, selectors, services
from .choices import AutoRenewPeriod, ExpirePolicy, RenewConfigName
from .forms import (
    EXPIRY_CHOICES, AutoRenewForm, ExpiryForm, RenewalFilter, RenewConfigForm, RenewForm, ResourceForm, ToOnDemandForm,
)
from .models import RenewConfig
from .pages import days_until

__all__ = ["renewals", "renew", "auto_renew", "auto_renew_cancel", "expiry", "to_on_demand", "switch_now",
           "renew_config", "post_only", "resource_or_404", "decorate", "plan_context", "totals"]

ZERO = Decimal("0.00")


# ---------------------------------------------------------------------------------------------
# Reads (narrowing the selectors' querysets)
# ---------------------------------------------------------------------------------------------

def post_only(back: str):
    """An action: only a POST acts. A GET (the Back link of a confirmation, a reload) goes to the list `back`."""
    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method == "GET":
                return redirect(back)
            return require_POST(view)(request, *args, **kwargs)

        return wrapper

    return decorator


def _refused(request, form):
    """A batch action's or the settings' invalid input: its errors as messages, back to 续费管理."""
    for errors in form.errors.values():
        messages.error(request, errors[0])
    return redirect("fee_center_renewals")


def resource_or_404(actor, resource_id):
    resource = selectors.resource_for(actor, (resource_id or "").strip()[:64])
    if resource is None:
        raise Http404
    return resource


def _renew_config(customer):
    """The customer's renew settings (its own row, or the defaults when it never set them)."""
    try:
        return customer.renew_config
    except RenewConfig.DoesNotExist:
        return RenewConfig(customer=customer)


def _pending_renewals(actor, resource_ids) -> dict[str, str]:
    """{resource id: the renewal order waiting for payment that names it} (one statement)."""
    return dict(trade_selectors.orders_for(actor).filter(
        status=OrderStatus.PENDING_PAYMENT, order_type=OrderType.RENEW, lines__resource_id__in=resource_ids,
    ).values_list("lines__resource_id", "order_id"))


def _subordinate_counts(actor, resource_ids) -> Counter:
    rows = (selectors.period_resources_for(actor)
            .filter(parent_resource_id__in=resource_ids, is_main_resource=False)
            .exclude(status=PeriodStatus.CLOSED)
            .order_by().values_list("parent_resource_id").annotate(n=Count("pk")))
    return Counter(dict(rows))


def decorate(actor, resources, *, details=True):
    """Days left, auto-renew, subordinates, the pending renewal order and the dates of the next states, for
    a page of main resources: three statements whatever the page holds."""
    resources = list(resources)
    ids = [r.resource_id for r in resources]
    autos = selectors.auto_renewals_of(resources) if details and resources else {}
    pending = _pending_renewals(actor, ids) if details and ids else {}
    subordinates = _subordinate_counts(actor, ids) if ids else Counter()
    now = timezone.now()
    grace, retention = settings.SUBSCRIPTION_GRACE_PERIOD, settings.SUBSCRIPTION_RETENTION_PERIOD
    for r in resources:
        r.days_left = days_until(r.expire_time, now)
        r.expired = r.expire_time is not None and r.expire_time <= now
        r.days_ago = -r.days_left if r.days_left is not None and r.days_left < 0 else 0
        r.renewal_setting = autos.get(r.pk)  # not `auto_renewal`: the reverse one-to-one would query for None
        r.pending_order_id = pending.get(r.resource_id)
        r.subordinate_count = subordinates.get(r.resource_id, 0)
        policy = r.expire_policy if r.expire_policy in ExpirePolicy.values else ExpirePolicy.GRACE
        r.policy = ExpirePolicy(policy)
        skips_grace = policy in (ExpirePolicy.FREEZE, ExpirePolicy.RELEASE_FROM_RETENTION)
        r.grace_ends = r.released_on = None
        if r.expire_time is not None:
            r.grace_ends = None if skips_grace else r.expire_time + grace
            r.released_on = r.expire_time + retention + (timedelta(0) if skips_grace else grace)
    return resources


def totals(items) -> dict:
    return {name: sum((getattr(item, name) for item in items), ZERO) for name in ("paid", "used", "fee", "refund")}


def plan_context(plan) -> dict:
    return {"order": None, "items": list(plan.items), "payouts": list(plan.payouts), "totals": totals(plan.items),
            "plan": plan}


# ---------------------------------------------------------------------------------------------
# 续费管理
# ---------------------------------------------------------------------------------------------

@customer_page
@require_GET
def renewals(request):
    actor = request.actor
    queryset = selectors.main_resources_for(actor).order_by("expire_time", "pk")
    filters = RenewalFilter(request.GET or None, queryset=queryset, request=request)
    page = paginate(request, filters.qs)
    page.object_list = decorate(actor, page.object_list)
    config = _renew_config(actor.customer)
    return render(request, "subscriptions/fee_center/renewals.html", {
        "form": filters.form, "page": page, "config": config,
        "config_form": RenewConfigForm(initial={"deduction_days": config.deduction_days,
                                                "expire_day": config.expire_day}),
        "balance": customer_account_of(actor.customer).balance,
    })


def _rating(actor, ids, period):
    """The renewal price of the chosen resources (trade.pricing_renewal, read only), or None."""
    if not ids:
        return None
    period_type, period_num = period
    rating = renewal.quote(actor.customer, resource_ids=ids, period_type=period_type, period_num=period_num,
                           resources=selectors.period_resources_for(actor))
    return {"results": rating.results, "failures": rating.failures,
            "total": sum((result.amount for result in rating.results), Decimal(0))}


@customer_page
@post_only("fee_center_renewals")
def renew(request):
    """续费: the chosen main resources and a period → the price → one renewal order, paid on its page."""
    actor = request.actor
    data = request.POST.copy()
    data.setdefault("period", "2:1")
    form = RenewForm(data)
    ids = chosen_ids(request.POST.getlist("resources"))
    if not ids:
        messages.error(request, _("Choose at least one resource."))
        return redirect("fee_center_renewals")
    resources = sorted(selectors.main_resources_for(actor, live=False).filter(resource_id__in=ids[:100]),
                       key=lambda r: ids.index(r.resource_id))
    if not resources:
        raise Http404
    rating = None
    if form.is_valid():
        if request.POST.get("go") == "renew":
            try:
                period_type, period_num = form.chosen_period()
                outcome = services.renew(actor, resource_ids=form.cleaned_data["resources"], period_type=period_type,
                                        period_num=period_num)
            except DomainError as exc:
                form_error(request, form, exc)
            else:
                for failure in outcome.failures:
                    message = _("%(resource)s: %(message)s") % {"resource": failure.resource_id,
                                                                "message": failure.message}
                    if outcome.order is None:
                        form.add_error(None, message)
                    else:
                        messages.warning(request, message)
                if outcome.order is not None:
                    messages.success(request, _("Renewal order %(order)s placed. Pay it to extend the resources.")
                                     % {"order": outcome.order.order_id})
                    return redirect("fee_center_order", order_id=outcome.order.order_id)
        rating = _rating(actor, form.cleaned_data["resources"], form.chosen_period())
    return render(request, "subscriptions/fee_center/renew.html", {
        "form": form, "resources": decorate(actor, resources, details=False), "rating": rating,
        "balance": customer_account_of(actor.customer).balance,
    })


@customer_page
@post_only("fee_center_renewals")
def auto_renew(request):
    """开通 / 修改自动续费 of one main resource."""
    actor = request.actor
    resource = resource_or_404(actor, request.POST.get("resource"))
    current = selectors.auto_renewals_of([resource]).get(resource.pk)
    if request.POST.get("go") == "save":
        form = AutoRenewForm(request.POST)
        if form.is_valid():
            try:
                services.set_auto_renew(actor, resource_id=resource.resource_id, times=form.cleaned_data["times"],
                                         period_type=form.cleaned_data["period_type"])
            except DomainError as exc:
                form_error(request, form, exc)
            else:
                messages.success(request, _("Auto-renew set for %(resource)s.") % {"resource": resource})
                return redirect("fee_center_renewals")
    else:
        form = AutoRenewForm(initial={"resource": resource.resource_id,
                                      "period_type": current.period_type if current else AutoRenewPeriod.MONTH,
                                      "times": current.times if current else 0})
    return render(request, "subscriptions/fee_center/auto_renew.html", {
        "form": form, "resource": decorate(actor, [resource], details=False)[0], "current": current,
        "config": _renew_config(actor.customer),
    })


@customer_page
@post_only("fee_center_renewals")
def auto_renew_cancel(request):
    """关闭自动续费, after a confirmation."""
    actor = request.actor
    resource = resource_or_404(actor, request.POST.get("resource"))
    form = ResourceForm(request.POST)
    step = two_step(request, form, lambda code: services.cancel_auto_renew(actor, resource_id=resource.resource_id))
    if step.done:
        messages.success(request, _("Auto-renew cancelled for %(resource)s.") % {"resource": resource})
        return redirect("fee_center_renewals")
    return render(request, "subscriptions/fee_center/confirm.html", {
        "form": form, "resource": resource, "action": "auto-renew-cancel", **step.context,
        "title": _("Cancel auto-renew"),
        "question": _("Cancel auto-renew? The resource will not be renewed automatically any more; at expiry it "
                      "enters the grace period."),
    })


@customer_page
@post_only("fee_center_renewals")
def expiry(request):
    """到期后: enter the grace period, switch to pay-per-use, freeze, or release."""
    actor = request.actor
    resource = resource_or_404(actor, request.POST.get("resource"))
    if request.POST.get("go") == "save":
        form = ExpiryForm(request.POST)
        if form.is_valid():
            policy = form.cleaned_data["policy"]
            try:
                if policy == ExpirePolicy.TO_ON_DEMAND:
                    failures = services.set_to_on_demand(actor, resource_ids=[resource.resource_id],
                                                          operation="SET_UP")
                    if failures:
                        raise DomainError(failures[0].code, failures[0].message)
                else:
                    services.set_expire_policy(actor, resource_id=resource.resource_id, policy=policy)
            except DomainError as exc:
                form_error(request, form, exc)
            else:
                messages.success(request, _("At expiry, %(resource)s will: %(policy)s.") % {
                    "resource": resource, "policy": ExpirePolicy(policy).label})
                return redirect("fee_center_renewals")
    else:
        current = resource.expire_policy
        form = ExpiryForm(initial={"resource": resource.resource_id,
                                   "policy": current if current in dict(EXPIRY_CHOICES) else ExpirePolicy.GRACE})
    return render(request, "subscriptions/fee_center/expiry.html", {
        "form": form, "resource": decorate(actor, [resource], details=False)[0],
        "grace": settings.SUBSCRIPTION_GRACE_PERIOD.days, "retention": settings.SUBSCRIPTION_RETENTION_PERIOD.days,
    })


@customer_page
@post_only("fee_center_renewals")
def to_on_demand(request):
    """到期转按需 set or cancelled for the chosen main resources (per-resource refusals shown)."""
    actor = request.actor
    form = ToOnDemandForm(request.POST)
    if not form.is_valid():
        return _refused(request, form)
    ids, operation = form.cleaned_data["resources"], form.cleaned_data["operation"]
    try:
        failures = services.set_to_on_demand(actor, resource_ids=ids, operation=operation)
    except DomainError as exc:
        form_error(request, None, exc)
        return redirect("fee_center_renewals")
    done = len(ids) - len({f.resource_id for f in failures})
    if done:
        messages.success(request, (_("Set to switch to pay-per-use at expiry: %(n)d.") if operation == "SET_UP"
                                   else _("Switch to pay-per-use at expiry cancelled: %(n)d.")) % {"n": done})
    for failure in failures:
        messages.error(request, _("%(resource)s: %(message)s") % {"resource": failure.resource_id,
                                                                  "message": failure.message})
    return redirect("fee_center_renewals")


def _switch(actor, resource):
    result = services.to_on_demand_instantly(actor, resource_ids=[resource.resource_id])[0]
    if not result.ok:
        raise DomainError(result.code, result.message)
    return result


@customer_page
@post_only("fee_center_renewals")
def switch_now(request):
    """即时转按需: the refund of the unused part first, then a confirmation."""
    actor = request.actor
    resource = resource_or_404(actor, request.POST.get("resource"))
    form = ResourceForm(request.POST)
    step = two_step(request, form, lambda code: _switch(actor, resource))
    if step.done:
        messages.success(request, _("%(resource)s now runs pay-per-use.") % {"resource": resource})
        return redirect("fee_center_refund", order_id=step.result.order_id)
    context = {"form": form, "resource": resource, "action": "switch-now", **step.context,
               "title": _("Switch to pay-per-use now"),
               "question": _("Switch to pay-per-use now? The unused part of what you paid is refunded as shown, and "
                             "the resource is billed by use from now on.")}
    try:  # the refund of an instant switch: the plan without an unsubscribe type (read only)
        context.update(plan_context(refunds.plan(resource, unsubscribe_type=None, now=timezone.now())))
    except DomainError as exc:
        context["refused"] = exc.message
    return render(request, "subscriptions/fee_center/confirm.html", context)


@customer_page
@post_only("fee_center_renewals")
def renew_config(request):
    """续费设置: the auto-renew deduction day and the unified expiry day."""
    actor = request.actor
    form = RenewConfigForm(request.POST)
    if not form.is_valid():
        return _refused(request, form)
    config = _renew_config(actor.customer)
    changes = [(RenewConfigName.DEDUCTION_DATE, form.cleaned_data["deduction_days"], config.deduction_days)]
    if form.cleaned_data["expire_day"] is not None:
        changes.append((RenewConfigName.EXPIRE_DATE, form.cleaned_data["expire_day"], config.expire_day))
    try:
        for name, value, before in changes:
            if config.pk is None or value != before:
                services.set_renew_config(actor, name=name, value=value)
    except DomainError as exc:
        form_error(request, None, exc)
    else:
        messages.success(request, _("Renew settings saved."))
    return redirect("fee_center_renewals")
