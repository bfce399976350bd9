"""Pages of the customers domain: 客户管理 (the list; the customers issue adds the rest) and 费用中心."""

from datetime import datetime, time

from django.shortcuts import render
from django.utils import timezone

from partnercenter.pages import customer_page, member_page, paginate
from partnercenter.selectors import members_for

from . import selectors
from .forms import CustomerFilterForm

__all__ = ["customer_list", "fee_center"]


def _day_bound(day, end=False):
    if day is None:
        return None
    return timezone.make_aware(datetime.combine(day, time.max if end else time.min))


@member_page("customers.view")
def customer_list(request):
    actor = request.actor
    form = CustomerFilterForm(request.GET or None, managers=members_for(actor))
    queryset = selectors.customers_for(actor)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        queryset = selectors.filter_customers(
            queryset, account_name=data["account_name"], real_name=data["real_name"], customer_id=data["customer_id"],
            label=data["label"], association_type=data["association_type"],
            associated_from=_day_bound(data["associated_from"]), associated_to=_day_bound(data["associated_to"], end=True),
            account_manager_id=data["account_manager"].pk if data["account_manager"] else None,
        )
    page = paginate(request, queryset)
    for customer in page:
        customer.association = customer.active_associations[0]
    return render(request, "customers/customer_list.html", {"form": form, "page": page})


@customer_page
def fee_center(request):
    return render(request, "customers/fee_center.html", selectors.fee_center_overview(request.actor))
