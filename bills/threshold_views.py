"""Partner pages of low balance (余额预警), namespace `bills` (bills/threshold_urls.py):

- `bills:thresholds` — the partner's default (threshold and zero-balance policy) and its resale customers:
  those below their threshold (the default view), those with their own setting, or all — filtered by
  bills.threshold_forms.ThresholdFilter, paginated, a constant number of statements per page;
- `bills:threshold_default` — the default's form (members who see every customer);
- `bills:threshold_edit` — one customer's own setting; `bills:threshold_delete` — back to the default.

Who: members with `funds.allocate`, as the allocation pages; the customers they see (customers.selectors). A
customer that is not theirs (another tenant's, or outside an account manager's team) is 404. Writes go
through bills.thresholds (logged; no two-step confirmation: nothing moves money, see its docstring).
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from customers.reveal import reveal_customers
from partnercenter.errors import DomainError
from partnercenter.pages import member_page, paginate, posted

from . import thresholds
from .choices import ZeroBalancePolicy
from .threshold_forms import ThresholdFilter, ThresholdForm, bind

__all__ = ["threshold_list", "threshold_default", "threshold_edit", "threshold_delete"]

POLICIES = dict(ZeroBalancePolicy.choices)


def _initial(setting) -> dict:
    if setting is None:
        return {"zero_balance_policy": ZeroBalancePolicy.ARREARS, "arrears_limit": "0.00"}
    return {"threshold": setting.threshold, "zero_balance_policy": setting.zero_balance_policy,
            "arrears_limit": setting.arrears_limit}


def _customer_or_404(request, domain_id):
    """(customer, own setting): 404 for a customer that is not one of the actor's resale customers (another
    tenant's, one outside its team, or a referral customer, which has no balance to watch)."""
    try:
        return thresholds.customer_setting_for(request.actor, domain_id)
    except DomainError as exc:
        raise Http404 from exc


def _save(request, form, run, success):
    """Run the service for a valid form; its refusal becomes the form's error. True when saved."""
    if request.method != "POST" or not form.is_valid():
        return False
    data = form.cleaned_data
    try:
        run(threshold=data["threshold"], zero_balance_policy=data["zero_balance_policy"],
            arrears_limit=data["arrears_limit"])
    except DomainError as exc:
        form.add_error(None, str(exc.message))
        return False
    messages.success(request, success)
    return True


@member_page(thresholds.PERMISSION)
def threshold_list(request):
    actor = request.actor
    filters = ThresholdFilter(bind(request.GET), queryset=thresholds.threshold_rows_for(actor), request=request)
    page = paginate(request, filters.qs)
    default = thresholds.default_setting_for(actor)
    for row in page:
        row.policy_label = POLICIES.get(row.own_policy or (default.zero_balance_policy if default else ""), "")
        row.is_below = row.threshold is not None and row.balance < row.threshold
    return render(request, "bills/thresholds.html", {
        "form": filters.form, "page": page, "default": default, "default_policy": POLICIES.get(
            default.zero_balance_policy) if default else "",
        "can_set_default": actor.sees_all_customers,
        "reveal": reveal_customers(request, list(page), "account"),
    })


@member_page(thresholds.PERMISSION)
def threshold_default(request):
    actor = request.actor
    if not actor.sees_all_customers:
        raise Http404
    form = ThresholdForm(posted(request), initial=_initial(thresholds.default_setting_for(actor)))
    if _save(request, form, lambda **values: thresholds.set_default(actor, **values),
             _("The default low-balance setting was saved.")):
        return redirect("bills:thresholds")
    return render(request, "bills/thresholds_form.html", {
        "form": form, "title": _("Default low-balance setting"), "customer": None})


@member_page(thresholds.PERMISSION)
def threshold_edit(request, domain_id):
    actor = request.actor
    customer, setting = _customer_or_404(request, domain_id)
    default = thresholds.default_setting_for(actor)
    form = ThresholdForm(posted(request), initial=_initial(setting or default))
    saved = _save(request, form, lambda **values: thresholds.set_customer_setting(
        actor, customer_id=customer.domain_id, **values), _("The customer's low-balance setting was saved."))
    if saved:
        return redirect(f"{reverse('bills:thresholds')}?show=own")
    return render(request, "bills/thresholds_form.html", {
        "form": form, "title": _("Low-balance setting of a customer"), "customer": customer, "setting": setting,
        "default": default, "default_policy": POLICIES.get(default.zero_balance_policy) if default else "",
        "balance": thresholds.balance_of(customer)})


@member_page(thresholds.PERMISSION)
def threshold_delete(request, domain_id):
    actor = request.actor
    customer, setting = _customer_or_404(request, domain_id)
    if request.method == "POST":
        if thresholds.delete_customer_setting(actor, customer_id=customer.domain_id):
            messages.success(request, _("The customer's own setting was removed; the default applies."))
        return redirect(f"{reverse('bills:thresholds')}?show=own")
    return render(request, "bills/thresholds_delete.html", {"customer": customer, "setting": setting})
