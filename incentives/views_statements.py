"""Pages of 销售 ▸ 激励: 激励管理 › 激励明细, 业绩管理, and 业绩管理 › 激励对账 › 激励汇总 (incentives.view).

- details/                       激励明细: the lines of a period (the latest with statements unless chosen; `all`
                                 for every period), filtered by 计费模式, customer, service type, association
                                 type and incentive, with their totals and the note on why they differ from the
                                 customers' consumption
- details/export.xlsx, .csv      the filtered lines (at most EXPORT_LIMIT; logged)
- performance/                   业绩管理: the last 12 periods' performance and incentives (two SVG charts and the
                                 table of the same numbers), ending with `?cycle=`
- statements/                    激励汇总: 对账期次 typed in, status, association type
- statements/<pk>/               one statement: its figures, its objection and the answer, its lines
- statements/<pk>/confirm/       confirm it (incentives.reconcile): a confirmation page, then POST
- statements/<pk>/dispute/       dispute it with a reason (incentives.reconcile)
Another partner's statement is 404 everywhere. An account manager (no customers.view_all) reads only its
team's customers' lines (selectors_statements), the partner's statements and totals in full.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.choices import ChargeMode
from customers.choices import AssociationType
from partnercenter.errors import DomainError
from partnercenter.money import ZERO
from partnercenter.exports import EXPORT_LIMIT, csv_response, xlsx_response
from partnercenter.pages import form_error, member_page, paginate, posted
from partnercenter.templatetags.display import mask_text

from . import charts, selectors_statements as selectors, statements
from .choices import IncentiveKind, PolicyCode, StatementStatus
from .filters_statements import DetailFilter, StatementFilter
from .forms_statements import DisputeForm

__all__ = ["details", "details_export", "details_export_csv", "performance", "statements_list", "statement_detail",
           "statement_confirm", "statement_dispute"]

VIEW = selectors.VIEW
RECONCILE = statements.RECONCILE
PER_PAGE = 20
EXPORT_DETAILS = "incentives.export_details"


# ---------------------------------------------------------------------------------------------
# 激励明细
# ---------------------------------------------------------------------------------------------

def _details(request):
    """(filters, filtered lines, the period shown) for the request."""
    actor = request.actor
    data = request.GET.copy()
    if not data.get("cycle"):
        data["cycle"] = selectors.latest_cycle(actor, selectors.cycle_choices())
    filters = DetailFilter(data, queryset=selectors.details_for(actor), request=request)
    cycle = filters.form.cleaned_data.get("cycle") if filters.is_valid() else None
    return filters, filters.qs, cycle or "all"


def _percent(rate) -> str:
    return f"{rate * 100:.2f}%"


def _labels():
    return (dict(ChargeMode.choices), dict(AssociationType.choices), dict(IncentiveKind.choices),
            dict(PolicyCode.choices))


def _readable(rows):
    modes, associations, kinds, codes = _labels()
    rows = list(rows)
    for row in rows:
        row.mode_label = modes.get(row.charging_mode, row.charging_mode)
        row.association_label = associations.get(row.association_type, row.association_type)
        row.kind_label = kinds.get(row.kind, row.kind)
        row.code_label = codes.get(row.incentive_policy, row.incentive_policy)
        row.rate_percent = _percent(row.rate)
        row.customer_label = mask_text(row.customer.domain_name) or row.customer.domain_id
    return rows


@member_page(VIEW)
def details(request):
    filters, rows, cycle = _details(request)
    page = selectors.paginate(request, selectors.with_display(rows), PER_PAGE)
    page.object_list = _readable(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    query["cycle"] = cycle
    return render(request, "incentives/details_list.html", {
        "current": "details", "filter": filters, "page": page, "totals": selectors.detail_totals(rows),
        "cycle": cycle, "export_query": query.urlencode(), "capped": page.paginator.capped,
        "sees_all": request.actor.sees_all_customers,
    })


def _export(request):
    filters, rows, cycle = _details(request)
    if not filters.is_valid():   # a bad filter exports nothing rather than every period
        rows = rows.none()
    header = [_("Period"), _("Customer account ID"), _("Account name"), _("Association type"), _("Service type"),
              _("Billing mode"), _("Incentive"), _("Incentive policy"), _("Fee records"), _("Consumption (CNY)"),
              _("Performance (CNY)"), _("Rate"), _("Rebate (CNY)")]
    lines = _readable(selectors.with_display(rows)[:EXPORT_LIMIT])
    body = ([row.bill_cycle, row.customer.domain_id, row.customer_label, str(row.association_label),
             row.service_type.display_name, str(row.mode_label), str(row.kind_label), str(row.code_label),
             row.fee_records, row.consumption, row.performance, row.rate_percent, row.rebate] for row in lines)
    return header, body, cycle


@member_page(VIEW)
def details_export(request):
    """The filtered lines as Excel (customer names masked as on the page)."""
    header, rows, cycle = _export(request)
    return xlsx_response(request, action=EXPORT_DETAILS, name=f"incentive-details-{cycle}",
                         title=_("Incentive details"), header=header, rows=rows)


@member_page(VIEW)
def details_export_csv(request):
    header, rows, cycle = _export(request)
    return csv_response(request, action=EXPORT_DETAILS, name=f"incentive-details-{cycle}", header=header,
                        rows=rows)


# ---------------------------------------------------------------------------------------------
# 业绩管理
# ---------------------------------------------------------------------------------------------

@member_page(VIEW)
def performance(request):
    choices = selectors.cycle_choices()
    last = request.GET.get("cycle", "")
    last = last if last in choices else choices[0]
    totals = selectors.period_totals(request.actor, selectors.trend_cycles(last))
    zero = ZERO
    sums = {
        "performance": sum((t.performance for t in totals), zero),
        "by_kind": [sum((t.by_kind[i] for t in totals), zero) for i in range(len(IncentiveKind.values))],
        "total": sum((t.total for t in totals), zero), "final": sum((t.final for t in totals), zero),
    }
    return render(request, "incentives/performance_page.html", {
        "current": "performance", "choices": choices, "cycle": last, "rows": list(reversed(totals)), "sums": sums,
        "kinds": [label for _value, label in IncentiveKind.choices],
        "charts": [charts.performance_chart(totals), charts.incentives_chart(totals)],
    })


# ---------------------------------------------------------------------------------------------
# 激励对账 › 激励汇总
# ---------------------------------------------------------------------------------------------

def _is_open(statement, now) -> bool:
    return statement.status == StatementStatus.PENDING and now <= statement.dispute_deadline


@member_page(VIEW)
def statements_list(request):
    filters = StatementFilter(request.GET or None, queryset=selectors.statements_for(request.actor), request=request)
    page = paginate(request, filters.qs, PER_PAGE)
    now = timezone.now()
    page.object_list = rows = list(page.object_list)
    for row in rows:
        row.open = _is_open(row, now)
    return render(request, "incentives/statements_list.html", {
        "current": "statements", "filter": filters, "page": page,
        "can_reconcile": request.actor.has_perm(RECONCILE),
    })


def _statement_or_404(request, pk):
    statement = selectors.statement_for(request.actor, pk)
    if statement is None:
        raise Http404
    return statement


@member_page(VIEW)
def statement_detail(request, pk):
    statement = _statement_or_404(request, pk)
    lines = selectors.paginate(request, selectors.with_display(
        selectors.details_for(request.actor).filter(statement_id=statement.pk)), PER_PAGE)
    lines.object_list = _readable(lines.object_list)
    return render(request, "incentives/statements_detail.html", {
        "current": "statements", "statement": statement, "lines": lines,
        "open": _is_open(statement, timezone.now()), "can_reconcile": request.actor.has_perm(RECONCILE),
        "sees_all": request.actor.sees_all_customers, "is_tier": statement.kind == IncentiveKind.TIER,
    })


def _back(statement):
    return redirect("incentives:statement_detail", pk=statement.pk)


def _closed(request, statement):
    """A statement no longer open to the partner: say why, back to it."""
    if statement.status == StatementStatus.PENDING:
        messages.error(request, _("The objection period of this statement has ended: it becomes final as it is."))
    else:
        messages.error(request, _("The statement is no longer waiting for reconciliation."))
    return _back(statement)


@member_page(RECONCILE)
def statement_confirm(request, pk):
    statement = _statement_or_404(request, pk)
    if request.method == "POST":
        try:
            statements.confirm(request.actor, statement=statement)
        except DomainError as exc:
            form_error(request, None, exc)
        else:
            messages.success(request, _("You confirmed the statement. It becomes final, and its amount is credited to "
                                        "your rebate account, when the objection period ends."))
        return _back(statement)
    if not _is_open(statement, timezone.now()):
        return _closed(request, statement)
    return render(request, "incentives/statements_confirm.html", {"current": "statements", "statement": statement})


@member_page(RECONCILE)
def statement_dispute(request, pk):
    statement = _statement_or_404(request, pk)
    form = DisputeForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            statements.dispute(request.actor, statement=statement, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            form_error(request, form, exc)
        else:
            messages.success(request, _("Your objection was sent. Huawei Cloud answers it before the statement "
                                        "becomes final."))
            return _back(statement)
    elif request.method != "POST" and not _is_open(statement, timezone.now()):
        return _closed(request, statement)
    return render(request, "incentives/statements_dispute.html", {
        "current": "statements", "statement": statement, "form": form})
