"""费用中心 ▸ 账单, 资源包 and 余额: the customer's own bills, read-only.

- 账单 (`fee_center_bills`): a billing cycle's sum — its totals and its breakdown per service type, resource
  type, billing mode and kind, the same figures before and after the month is closed — and the last 12
  months' trend; with tabs for its fee records (流水), its resource records (per resource, by cycle or by
  day) and its usage details (the metering records behind the pay-per-use fees). Each list filters,
  pages and exports to Excel or CSV (`?as=csv`).
- 资源包 (`fee_center_bills_packages`): the packages with what is left of their quota, and each one's uses.
- 余额 (`fee_center_bills_balance`): the spendable figure — cash plus what the effective coupons can still
  pay — and its parts.

Every row comes from bills.customer_selectors (the actor's own customer); another customer's fee record or
package is "not found".
"""

from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from catalog.choices import ChargeMode
from catalog.selectors import name_of_region, name_of_resource_type, name_of_service_type
from partnercenter.exports import EXPORT_LIMIT, local_time
from partnercenter.pages import customer_page, paginate
from vouchers.spending import candidates_for

from . import customer_selectors as selectors
from .choices import BillSumType, BillType, PackageStatus
from .customer_filters import FeeRecordFilter, PackageFilter, PackageUseFilter, ResourceRecordFilter, UsageRecordFilter
from .fee_center_pages import export, picked_cycle, service_select, trend_chart
from .periods import cycle_bounds

__all__ = ["bills", "fee_records", "fee_records_export", "fee_record", "resources", "resources_export", "usage",
           "usage_export", "summary_export", "packages", "package", "balance"]

STATISTICS = {"cycle": selectors.BY_CYCLE, "day": selectors.BY_DAY}


def _label(choices, value) -> str:
    return str(choices(value).label) if value in choices.values else str(value)


def _context(request, current, **extra) -> dict:
    form, cycle = picked_cycle(request)
    return {"cycle_form": form, "cycle": cycle, "current": current, **extra}


# ---------------------------------------------------------------------------------------------
# 账单: the month
# ---------------------------------------------------------------------------------------------

@customer_page
def bills(request):
    actor = request.actor
    context = _context(request, "summary")
    sums = selectors.monthly_sums(actor, context["cycle"])
    rows = list(sums.rows)
    for row in (*rows, sums.totals):
        row["coupons"] = row["coupon_amount"] + row["flexipurchase_coupon_amount"]
    context.update(sums=sums, rows=rows, chart=trend_chart(actor))
    return render(request, "bills/fee_center_bills.html", context)


SUMMARY_HEADER = (
    _l("Service type"), _l("Resource type"), _l("Billing mode"), _l("Bill category"), _l("Records"),
    _l("Official price"), _l("Discount"), _l("Rounded off"), _l("Amount due"), _l("Cash"), _l("Cash coupons"),
    _l("Flexi-purchase coupons"), _l("Arrears"), _l("Arrears paid"),
)


@customer_page
def summary_export(request):
    _form, cycle = picked_cycle(request)
    sums = selectors.monthly_sums(request.actor, cycle)
    rows = ([name_of_service_type(row["service_type__code"]), name_of_resource_type(row["resource_type__code"]),
             str(ChargeMode(row["charging_mode"]).label), str(BillSumType(row["kind"]).label), row["records"],
             *(row[name] for name in selectors.AMOUNTS)] for row in sums.rows[:EXPORT_LIMIT])
    return export(request, name=f"bill-{cycle}", title=_("Monthly bill"), header=SUMMARY_HEADER,
                  rows=rows)


# ---------------------------------------------------------------------------------------------
# 流水 (fee records)
# ---------------------------------------------------------------------------------------------

def _fee_records(request):
    context = _context(request, "fee_records")
    queryset = selectors.fee_records_for(request.actor).filter(bill_cycle=context["cycle"])
    filters = FeeRecordFilter(request.GET or None, queryset=queryset, request=request)
    service_select(filters.form)
    return context, filters


@customer_page
def fee_records(request):
    context, filters = _fee_records(request)
    page = paginate(request, filters.qs)
    for record in page:
        record.coupons = record.coupon_amount + record.flexipurchase_coupon_amount
    context.update(form=filters.form, page=page)
    return render(request, "bills/fee_center_fee_records.html", context)


FEE_HEADER = (
    _l("Billing cycle"), _l("Deducted"), _l("Consumed"), _l("Service type"), _l("Resource type"), _l("Region"),
    _l("Resource ID"), _l("Resource name"), _l("Billing mode"), _l("Bill type"), _l("Payment status"),
    _l("Official price"), _l("Discount"), _l("Rounded off"), _l("Amount due"), _l("Cash"), _l("Cash coupons"),
    _l("Flexi-purchase coupons"), _l("Arrears"), _l("Arrears paid"), _l("Order or transaction ID"),
)


@customer_page
def fee_records_export(request):
    context, filters = _fee_records(request)
    rows = ([r.bill_cycle, local_time(r.trade_time), local_time(r.consumed_at), r.service_type.display_name,
             r.resource_type.display_name if r.resource_type else "", r.region.display_name if r.region else "",
             r.resource_id, r.resource_name, str(r.get_charging_mode_display()), str(r.get_bill_type_display()),
             str(r.get_status_display()), *(getattr(r, name) for name in selectors.AMOUNTS), r.trade_id]
            for r in filters.qs[:EXPORT_LIMIT])
    return export(request, name=f"fee-records-{context['cycle']}", title=_("Fee records"),
                  header=FEE_HEADER, rows=rows)


@customer_page
def fee_record(request, record_id):
    record = selectors.fee_record_for(request.actor, record_id)
    if record is None:
        raise Http404
    uses = list(selectors.package_uses_for(request.actor).filter(fee_record=record))
    usage = selectors.usage_records_for(request.actor).filter(pk=record.usage_record_id).first() \
        if record.usage_record_id else None
    return render(request, "bills/fee_center_fee_record.html", {"record": record, "uses": uses, "usage": usage,
                                                                "current": "fee_records"})


# ---------------------------------------------------------------------------------------------
# 资源消费 (by resource)
# ---------------------------------------------------------------------------------------------

def _resources(request):
    context = _context(request, "resources")
    statistic = "day" if request.GET.get("by") == "day" else "cycle"
    queryset = selectors.fee_records_for(request.actor).filter(bill_cycle=context["cycle"])
    filters = ResourceRecordFilter(request.GET or None, queryset=queryset, request=request)
    service_select(filters.form)
    context.update(statistic=statistic, form=filters.form)
    return context, selectors.resource_records(filters.qs, STATISTICS[statistic])


@customer_page
def resources(request):
    context, rows = _resources(request)
    page = paginate(request, rows)
    for row in page:
        row["bill_type_label"] = _label(BillType, row["bill_type"])
        row["coupons"] = row["coupon_amount"] + row["flexipurchase_coupon_amount"]
    context["page"] = page
    return render(request, "bills/fee_center_resources.html", context)


RESOURCE_HEADER = (
    _l("Billing cycle"), _l("Day"), _l("Resource ID"), _l("Resource name"), _l("Service type"), _l("Resource type"),
    _l("Region"), _l("Billing mode"), _l("Bill type"), _l("Usage type"), _l("Usage"), _l("Usage paid by packages"),
    _l("Official price"), _l("Discount"), _l("Rounded off"), _l("Amount due"), _l("Cash"), _l("Cash coupons"),
    _l("Flexi-purchase coupons"), _l("Arrears"), _l("Arrears paid"),
)


@customer_page
def resources_export(request):
    context, queryset = _resources(request)
    rows = ([row["bill_cycle"], row["bill_date"].isoformat() if row.get("bill_date") else "", row["resource_id"],
             row["resource_name"], name_of_service_type(row["service_type__code"]),
             name_of_resource_type(row["resource_type__code"]), name_of_region(row["region__code"]),
             str(ChargeMode(row["charging_mode"]).label), _label(BillType, row["bill_type"]),
             row["usage_type__code"] or "", row["usage"], row["free_usage"],
             *(row[name] for name in selectors.AMOUNTS)] for row in queryset[:EXPORT_LIMIT])
    return export(request, name=f"resource-records-{context['cycle']}", title=_("Resource records"),
                  header=RESOURCE_HEADER, rows=rows)


# ---------------------------------------------------------------------------------------------
# 使用量明细 (the metering records)
# ---------------------------------------------------------------------------------------------

def _usage(request):
    context = _context(request, "usage")
    start, end = cycle_bounds(context["cycle"])
    queryset = selectors.usage_records_for(request.actor).filter(begin_time__gte=start, begin_time__lt=end)
    filters = UsageRecordFilter(request.GET or None, queryset=queryset, request=request)
    service_select(filters.form)
    context["form"] = filters.form
    return context, filters.qs


@customer_page
def usage(request):
    context, queryset = _usage(request)
    context["page"] = paginate(request, queryset)
    return render(request, "bills/fee_center_usage.html", context)


USAGE_HEADER = (
    _l("From"), _l("To"), _l("Resource ID"), _l("Service type"), _l("Resource type"), _l("Usage type"), _l("Region"),
    _l("Usage"), _l("Unit"), _l("Status"), _l("Usage paid by packages"), _l("Amount due"),
)


@customer_page
def usage_export(request):
    context, queryset = _usage(request)

    def row(record):
        fee = getattr(record, "fee_record", None)
        return [local_time(record.begin_time), local_time(record.end_time), record.resource_id,
                name_of_service_type(record.service_type_code), name_of_resource_type(record.resource_type_code),
                record.usage_type_code, name_of_region(record.region_code), record.usage_amount,
                record.usage_measure.display_name, str(record.get_status_display()),
                fee.free_resource_usage if fee else "", fee.consume_amount if fee else ""]

    return export(request, name=f"usage-{context['cycle']}", title=_("Usage details"),
                  header=USAGE_HEADER, rows=(row(r) for r in queryset[:EXPORT_LIMIT]))


# ---------------------------------------------------------------------------------------------
# 资源包
# ---------------------------------------------------------------------------------------------

@customer_page
def packages(request):
    filters = PackageFilter(request.GET or None, queryset=selectors.packages_for(request.actor), request=request)
    page = paginate(request, filters.qs)
    counts = selectors.package_use_counts(page)
    for package in page:
        package.current_remaining = selectors.current_remaining(package)
        package.window = selectors.current_window(package)
        package.used = counts.get(package.pk, {}).get("uses", 0)
        package.live_label = PackageStatus(package.live_status).label
    return render(request, "bills/fee_center_packages.html", {"form": filters.form, "page": page})


@customer_page
def package(request, order_instance_id):
    found = selectors.package_for(request.actor, order_instance_id)
    if found is None:
        raise Http404
    found.current_remaining = selectors.current_remaining(found)
    found.window = selectors.current_window(found)
    queryset = selectors.package_uses_for(request.actor).filter(package=found)
    filters = PackageUseFilter(request.GET or None, queryset=queryset, request=request)
    filters.form.fields.pop("free_resource_id", None)
    return render(request, "bills/fee_center_package.html", {
        "package": found, "form": filters.form, "page": paginate(request, filters.qs)})


# ---------------------------------------------------------------------------------------------
# 余额
# ---------------------------------------------------------------------------------------------

@customer_page
def balance(request):
    coupons = candidates_for(request.actor.customer).select_related("partner")[:20]
    return render(request, "bills/fee_center_balance.html", {
        "spendable": selectors.spendable_of(request.actor), "coupons": coupons})
