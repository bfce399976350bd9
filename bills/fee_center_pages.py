"""What the fee center's bill pages share: the billing-cycle picker, the filter bar's service-type select, the
exports (Excel and CSV, logged), the monthly trend chart, and the spendable figure on the fee center's overview
(customers.views.register_overview_panel: customers import nothing of bills — bills registers here, when its
page URLs are loaded, and bills.apps may import this module in ready()).
"""


from django import forms
from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.selectors import service_types
from customers.views import register_overview_panel
from partnercenter.exports import csv_response, xlsx_response
from partnercenter.oplog import register_actions

from . import charts
from . import customer_selectors as selectors
from .periods import current_cycle, is_cycle

__all__ = ["CycleForm", "picked_cycle", "service_select", "export", "trend_chart", "spendable_panel",
           "EXPORT_ACTION", "PICKER_MONTHS"]

PICKER_MONTHS = 24
EXPORT_ACTION = "bills.fee_center_export"

register_actions({EXPORT_ACTION: gettext_lazy("Export bills")})


class CycleForm(forms.Form):
    """The billing cycle a bill page shows: one of the last 24 months, the current one by default."""

    cycle = forms.ChoiceField(label=gettext_lazy("Billing cycle"), required=False)

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["cycle"].choices = [(cycle, cycle) for cycle in reversed(selectors.last_cycles(PICKER_MONTHS))]


def picked_cycle(request) -> tuple[CycleForm, str]:
    """The picker bound to the query string and the cycle it names (the current one when none or a wrong one)."""
    form = CycleForm(request.GET if "cycle" in request.GET else None)
    cycle = current_cycle()
    if form.is_bound and form.is_valid() and is_cycle(form.cleaned_data["cycle"]):
        cycle = form.cleaned_data["cycle"]
    return form, cycle


def service_select(form, name="service_type_code"):
    """Show a FilterSet's service-type text filter as a select of the catalogue's service types."""
    if name in form.fields:
        choices = [("", _("All"))] + [(row.code, row.display_name) for row in service_types()]
        form.fields[name].widget = forms.Select(choices=choices)


def export(request, *, name: str, title, header, rows) -> HttpResponse:
    """`rows` (the caller slices to EXPORT_LIMIT) as Excel, or as CSV (UTF-8 with a byte-order mark) with `?as=csv`; logged."""
    if request.GET.get("as") != "csv":
        return xlsx_response(request, action=EXPORT_ACTION, name=name, title=title, header=header, rows=rows)
    return csv_response(request, action=EXPORT_ACTION, name=name, header=header, rows=rows, detail={"list": name})


def trend_chart(actor, months=12) -> charts.Chart:
    """The last `months` cycles' amounts due, stacked by how they were paid (cash, coupons, arrears)."""
    trend = selectors.monthly_trend(actor, months=months)
    labels = [cycle for cycle, _sums in trend]
    return charts.bar_chart(_("Monthly consumption (CNY)"), labels, [
        (_("Cash"), [sums["cash_amount"] + sums["writeoff_amount"] for _cycle, sums in trend]),
        (_("Coupons"), [sums["coupon_amount"] + sums["flexipurchase_coupon_amount"] for _cycle, sums in trend]),
        (_("Arrears"), [sums["debt_amount"] for _cycle, sums in trend]),
    ], stacked=True)


def spendable_panel(request):
    """The fee center overview's spendable figure (customers.views.register_overview_panel)."""
    spendable = selectors.spendable_of(request.actor)
    return None if spendable is None else {"spendable": spendable}


register_overview_panel("bills/fee_center_spendable.html", spendable_panel)
