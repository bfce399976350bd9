"""Partner pages of consumption and bills (namespace `bills`, partner_urls.py), under 销售 ▸ 账务:

- 伙伴账单 (`partner_bill`): one month of the partner's bill — a closed month's PartnerBill, or the running
  month computed now and marked as not closed — its parts, the consumption by service type and by charging
  mode, three charts (the last 12 months, by service type, the top 10 customers), and the same numbers as
  an Excel workbook (`partner_bill_export`). The bill is the partner's own: billing.view reads all of it.
- 客户消费 (`consumption`): a month's consumption per customer, service type and charging mode, also of
  customers that have left since; filtered by bills.filters.ConsumptionFilter, paginated (one statement
  per page whatever its size), charted by service type, exported as Excel or CSV. Each row opens the
  customer's fee records of the month (`consumption_records`). A member without customers.view_all sees
  its team's customers only (bills.selectors).

Reads go through bills.selectors; nothing here computes a sum of its own.
"""

from decimal import Decimal

from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from catalog.choices import ChargeMode
from catalog.selectors import name_of_service_type
from partnercenter.pages import member_page, paginate
from partnercenter.selectors import resellers_for
from partnercenter.templatetags.display import mask_text

from . import charts, periods, selectors
from .exports import EXPORT_BILL, EXPORT_CONSUMPTION, EXPORT_LIMIT, csv_response, workbook_response
from .filters import ConsumptionFilter, FeeRecordFilter, bill_type_label

__all__ = ["partner_bill", "partner_bill_export", "consumption", "consumption_export", "consumption_export_csv",
           "consumption_records", "TREND_MONTHS", "TOP_CUSTOMERS"]

RIGHT = "billing.view"
TREND_MONTHS = 12
TOP_CUSTOMERS = 10

# The amount columns of every breakdown, on the page and in the exports, in this order.
AMOUNTS = (
    ("official_amount", gettext_lazy("Official price")), ("discount_amount", gettext_lazy("Discount")),
    ("erase_amount", gettext_lazy("Rounded off")), ("consume_amount", gettext_lazy("Amount due")), ("cash_amount", gettext_lazy("Cash")),
    ("coupons", gettext_lazy("Coupons")), ("debt_amount", gettext_lazy("Arrears")),
)
ZERO = Decimal("0.00")


def _chosen(request, choices, default):
    wanted = request.GET.get("cycle", "")
    return wanted if any(wanted == cycle for cycle, _closed in choices) else default


def _amounts(row: dict) -> list[Decimal]:
    row = {**row, "coupons": row["coupon_amount"] + row["flexipurchase_coupon_amount"]}
    return [row[key] for key, _label in AMOUNTS]


def _mode_label(value) -> str:
    return str(ChargeMode(value).label) if value in ChargeMode.values else str(value)


def _customer_label(row) -> str:
    return mask_text(row["customer__domain_name"]) or row["customer__domain_id"]


# ---------------------------------------------------------------------------------------------
# 伙伴账单
# ---------------------------------------------------------------------------------------------

def _bill_lines(view) -> list[tuple[str, str, object, bool, int]]:
    """(key, label, value, is money, indent) of each part of a bill (a selectors.BillView), in the order the
    page shows them. The consumption's parts (indent 1) add up to it."""
    bill = view.bill
    return [
        ("customers", _("Customers that consumed"), bill.customers, False, 0),
        ("consumption", _("Customers' consumption while associated"), bill.consumption_amount, True, 0),
        ("resale_cash", _("Paid from allocations"), bill.resale_cash_amount, True, 1),
        ("coupons", _("Paid by coupons"), bill.coupon_amount, True, 1),
        ("debt", _("Customers' arrears"), bill.debt_amount, True, 1),
        ("paid_otherwise", _("Paid otherwise (customers' own cash, orders you paid, arrears repaid)"),
         view.paid_otherwise, True, 1),
        ("partner_paid", _("Orders paid by the partner"), bill.partner_paid_amount, True, 0),
        ("refunds", _("Refunds"), bill.refund_amount, True, 0),
        ("recharges", _("Recharges"), bill.recharge_amount, True, 0),
        ("allocations", _("Allocations"), bill.allocation_amount, True, 0),
        ("reclaims", _("Reclaims"), bill.reclaim_amount, True, 0),
        ("credit_limit", _("Credit limit"), bill.credit_limit, True, 0),
        ("credit_used", _("Credit used"), bill.credit_used, True, 0),
        ("amount_due", _("Amount due to repay the credit"), bill.amount_due, True, 0),
    ]


def _bill(request):
    """Everything 伙伴账单 and its export show for the chosen month."""
    actor = request.actor
    choices = selectors.bill_cycle_choices()
    closed = dict(choices)
    cycle = _chosen(request, choices, next((c for c, is_closed in choices if is_closed), choices[0][0]))
    view = selectors.partner_bill_for(actor, cycle, closed=closed[cycle])
    rows, _closed = selectors.cycle_rows(actor, cycle, closed=view.closed, whole=True)
    by_service = [{"label": name_of_service_type(row["service_type__code"]), "code": row["service_type__code"],
                   "records": row["records"], "amounts": _amounts(row)}
                  for row in selectors.summed(rows, "service_type__code",
                                              order=["-consume_amount", "service_type__code"])]
    by_mode = [{"label": _mode_label(row["charging_mode"]), "records": row["records"], "amounts": _amounts(row)}
               for row in selectors.summed(rows, "charging_mode")]
    top = [{"label": _customer_label(row), "id": row["customer__domain_id"], "amounts": _amounts(row)}
           for row in selectors.summed(rows, "customer__domain_id", "customer__domain_name",
                                       order=["-consume_amount", "customer__domain_id"])[:TOP_CUSTOMERS]]
    cycles = [cycle]
    while len(cycles) < TREND_MONTHS:
        cycles.insert(0, periods.previous_cycle(cycles[0]))
    trend = selectors.trend_for(actor, cycles, whole=True)
    return {"choices": choices, "cycle": cycle, "view": view, "bill": view.bill, "lines": _bill_lines(view),
            "by_service": by_service, "by_mode": by_mode, "top": top, "trend": trend, "closed": closed}


def _bill_charts(data) -> list[charts.Chart]:
    consumption = _("Consumption (CNY)")
    due = [key for key, _label in AMOUNTS].index("consume_amount")
    return [
        charts.line_chart(_("Consumption over the last 12 months"), list(data["trend"]),
                          [(consumption, list(data["trend"].values()))]),
        charts.bar_chart(_("Consumption by service type"), [row["label"] for row in data["by_service"]],
                         [(consumption, [row["amounts"][due] for row in data["by_service"]])]),
        charts.horizontal_bar_chart(_("Top %(n)d customers") % {"n": TOP_CUSTOMERS},
                                    [row["label"] for row in data["top"]],
                                    [(consumption, [row["amounts"][due] for row in data["top"]])]),
    ]


@member_page(RIGHT)
def partner_bill(request):
    data = _bill(request)
    return render(request, "bills/partner_bill.html", {
        **data, "charts": _bill_charts(data), "amount_labels": [label for _key, label in AMOUNTS],
    })


@member_page(RIGHT)
def partner_bill_export(request):
    """The month's bill as an Excel workbook: the bill's parts, the breakdowns and the top customers."""
    data = _bill(request)
    labels = [label for _key, label in AMOUNTS]
    state = _("closed") if data["view"].closed else _("not closed")
    sheets = [
        (_("Partner bill"), [_("Billing cycle"), _("Item"), _("Amount (CNY)")],
         [[f"{data['cycle']} ({state})", label, value] for _key, label, value, _money, _indent in data["lines"]]),
        (_("By service type"), [_("Service type"), _("Records"), *labels],
         [[row["label"], row["records"], *row["amounts"]] for row in data["by_service"]]),
        (_("By billing mode"), [_("Billing mode"), _("Records"), *labels],
         [[row["label"], row["records"], *row["amounts"]] for row in data["by_mode"]]),
        (_("Top customers"), [_("Customer account ID"), _("Account name"), *labels],
         [[row["id"], row["label"], *row["amounts"]] for row in data["top"]]),
        (_("Last 12 months"), [_("Billing cycle"), _("Consumption (CNY)")],
         [[cycle, amount] for cycle, amount in data["trend"].items()]),
    ]
    return workbook_response(request, action=EXPORT_BILL, name=f"partner-bill-{data['cycle']}", sheets=sheets)


# ---------------------------------------------------------------------------------------------
# 客户消费
# ---------------------------------------------------------------------------------------------

_CONSUMPTION_KEYS = ("customer__domain_id", "customer__domain_name", "service_type__code", "charging_mode")


def _resellers(actor):
    """The cloud resellers a distributor may read the consumption of (none for anyone else)."""
    if not actor.partner.is_distributor:
        return []
    return list(resellers_for(actor).values_list("domain_id", "name"))


def _consumption(request):
    """(filters, the month's grouped rows, context) of 客户消费 for the request's filters."""
    actor = request.actor
    choices = selectors.bill_cycle_choices()
    cycle = _chosen(request, choices, choices[0][0])
    indirect_partner_id = request.GET.get("indirect_partner_id", "")[:64] or None
    rows, closed = selectors.cycle_rows(actor, cycle, indirect_partner_id=indirect_partner_id,
                                        closed=dict(choices)[cycle])
    data = request.GET.copy()
    data["cycle"] = cycle  # the month shown, also when the one asked for was not offered
    filters = ConsumptionFilter(data, queryset=rows, request=request, cycles=choices)
    grouped = selectors.summed(filters.qs, *_CONSUMPTION_KEYS, order=list(_CONSUMPTION_KEYS))
    return filters, grouped, {"cycle": cycle, "closed": closed, "indirect_partner_id": indirect_partner_id or ""}


def _consumption_row(row) -> dict:
    return {"customer_id": row["customer__domain_id"], "customer": _customer_label(row),
            "service_type": name_of_service_type(row["service_type__code"]),
            "charging_mode": _mode_label(row["charging_mode"]), "records": row["records"], "amounts": _amounts(row)}


@member_page(RIGHT)
def consumption(request):
    filters, grouped, context = _consumption(request)
    page = paginate(request, grouped)
    by_service = list(selectors.summed(filters.qs, "service_type__code",
                                       order=["-consume_amount", "service_type__code"]))
    due = [key for key, _label in AMOUNTS].index("consume_amount")
    totals = [sum((_amounts(row)[i] for row in by_service), ZERO) for i in range(len(AMOUNTS))]
    chart = charts.bar_chart(_("Consumption by service type"),
                             [name_of_service_type(row["service_type__code"]) for row in by_service],
                             [(_("Consumption (CNY)"), [_amounts(row)[due] for row in by_service])])
    return render(request, "bills/partner_consumption.html", {
        **context, "form": filters.form, "page": page, "rows": [_consumption_row(row) for row in page],
        "chart": chart, "totals": totals, "amount_labels": [label for _key, label in AMOUNTS],
        "resellers": _resellers(request.actor),
    })


def _consumption_export(request):
    _filters, grouped, context = _consumption(request)
    header = [_("Billing cycle"), _("Customer account ID"), _("Account name"), _("Service type"), _("Billing mode"),
              _("Records"), *[label for _key, label in AMOUNTS]]
    rows = ([context["cycle"], row["customer_id"], row["customer"], row["service_type"], row["charging_mode"],
             row["records"], *row["amounts"]] for row in map(_consumption_row, grouped[:EXPORT_LIMIT]))
    return header, rows, context["cycle"]


@member_page(RIGHT)
def consumption_export(request):
    """The filtered month as Excel (at most EXPORT_LIMIT rows), account names masked as on the page."""
    header, rows, cycle = _consumption_export(request)
    return workbook_response(request, action=EXPORT_CONSUMPTION, name=f"customer-consumption-{cycle}",
                             sheets=[(pgettext("page", "Customer consumption"), header, rows)])


@member_page(RIGHT)
def consumption_export_csv(request):
    header, rows, cycle = _consumption_export(request)
    return csv_response(request, action=EXPORT_CONSUMPTION, name=f"customer-consumption-{cycle}", header=header,
                        rows=rows)


@member_page(RIGHT)
def consumption_records(request, domain_id):
    """One customer's fee records (消费明细) of a month, with every documented bill type."""
    actor = request.actor
    indirect_partner_id = request.GET.get("indirect_partner_id", "")[:64] or None
    customer = selectors.fee_customer_for(actor, domain_id, indirect_partner_id=indirect_partner_id)
    if customer is None:
        raise Http404
    choices = selectors.bill_cycle_choices()
    data = request.GET.copy()
    data["cycle"] = _chosen(request, choices, choices[0][0])
    records = selectors.fee_records_for(actor, indirect_partner_id=indirect_partner_id).filter(customer=customer)
    filters = FeeRecordFilter(data, queryset=records, request=request, cycles=choices)
    if filters.month_only():  # the whole month: counted from the running sums
        queryset = selectors.customer_month_records(actor, data["cycle"], customer.domain_id,
                                                    indirect_partner_id=indirect_partner_id)
    else:
        queryset = filters.qs
    page = paginate(request, selectors.with_display(queryset))
    for fee in page:
        fee.type_label = bill_type_label(fee.bill_type)
        fee.coupons = fee.coupon_amount + fee.flexipurchase_coupon_amount
    return render(request, "bills/partner_fee_records.html", {
        "customer": customer, "form": filters.form, "page": page, "cycle": data["cycle"],
        "closed": dict(choices)[data["cycle"]], "indirect_partner_id": indirect_partner_id or "",
    })
