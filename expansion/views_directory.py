"""Pages of the directory area: 企业百科 (search, an enterprise's page with 报备客户) and 我的报备 (the
partner's reports, withdraw). Thin: reads come from selectors_directory, writes from directory_reports,
whose refusals show on the form or as a message.

The directory belongs to no partner, so any enterprise's page opens for any member with expansion.view;
what it shows of reports is the member's partner's own, and of another partner's protection only the date.
A report of another partner is 404.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from partnercenter.errors import DomainError
from partnercenter.pages import form_error, member_page, paginate, posted

from . import directory_reports
from . import selectors_directory as selectors
from .choices import EnterpriseStatus, ReportStatus
from .filters_directory import EnterpriseFilter, ReportFilter
from .forms_directory import ReportForm

__all__ = ["directory", "enterprise", "reports", "report_withdraw"]

VIEW, MANAGE = "expansion.view", "expansion.manage"
PER_PAGE = 20


def _protection_rows(actor, rows, now):
    """Each row's `protection`: "own", "other" or None, and `protected_until` (one statement per page)."""
    protections = selectors.protections_of([row.pk for row in rows], now=now)
    for row in rows:
        report = protections.get(row.pk)
        row.protection = None if report is None else ("own" if report.partner_id == actor.partner.pk else "other")
        row.protected_until = report.protected_until if report is not None else None


@member_page(VIEW)
def directory(request):
    """企业百科: search by name (or credit code). Without a query, nothing is listed."""
    actor = request.actor
    filters = EnterpriseFilter(request.GET or None, queryset=selectors.enterprises_for(actor), request=request)
    query = selectors.normalize_query(request.GET.get("q"))
    kind = selectors.search_kind(query)
    page = None
    if kind and kind != "none":  # a query of punctuation only searches nothing (selectors: no index serves it)
        page = selectors.CappedPaginator(filters.qs, PER_PAGE).get_page(request.GET.get("page"))
        _protection_rows(actor, list(page), timezone.now())
    return render(request, "expansion/directory_search.html", {
        "current": "directory", "form": filters.form, "query": query, "page": page,
        "short_query": kind == "prefix", "no_letters": kind == "none", "min_contains": selectors.MIN_CONTAINS,
        "cap": selectors.SEARCH_CAP,
    })


@member_page(VIEW)
def enterprise(request, pk):
    """An enterprise's page: its details, whether it is protected, the partner's reports of it and the
    报备客户 form (with an associated real-name customer, preselected from ?customer=)."""
    actor = request.actor
    found = selectors.enterprise_for(actor, pk)
    if found is None:
        raise Http404
    now = timezone.now()
    can_report = actor.has_perm(MANAGE)
    customers = list(selectors.reportable_customers(actor, found)[:20]) if can_report else []
    form = None
    if can_report:
        initial = {"customer": request.GET.get("customer", "")}
        form = ReportForm(posted(request), customers=customers, initial=initial)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                directory_reports.report_enterprise(
                    actor, enterprise_id=found.pk, customer_id=data.get("customer") or None,
                    contact_name=data["contact_name"], contact_phone=data["contact_phone"], note=data["note"])
            except DomainError as exc:
                form_error(request, form, exc)
            else:
                messages.success(request, _("%(name)s was reported.") % {"name": found.name})
                return redirect("expansion:enterprise", pk=found.pk)
    elif request.method == "POST":
        raise PermissionDenied
    protection = selectors.protections_of([found.pk], now=now).get(found.pk)
    refusal = directory_reports.report_refusal(actor.partner) if can_report else None
    return render(request, "expansion/directory_detail.html", {
        "current": "directory", "enterprise": found, "form": form, "customers": customers,
        "protection": protection,
        "protected_by_us": protection is not None and protection.partner_id == actor.partner.pk,
        "own_reports": selectors.own_reports_of(actor, found, limit=10), "refusal": refusal,
        "can_report": can_report, "closed": found.status != EnterpriseStatus.OPERATING,
        "protection_days": directory_reports.protection_days(),
        "back": reverse("expansion:directory"),
    })


@member_page(VIEW)
def reports(request):
    """我的报备: the partner's reports with filters; ACTIVE ones can be withdrawn."""
    actor = request.actor
    filters = ReportFilter(request.GET or None, queryset=selectors.reports_for(actor), request=request)
    page = paginate(request, filters.qs, PER_PAGE)
    now = timezone.now()
    for report in page:
        report.protecting = report.status == ReportStatus.ACTIVE and report.protected_until > now
        report.shown_status = (report.get_status_display() if report.protecting or report.status != ReportStatus.ACTIVE
                               else ReportStatus.EXPIRED.label)
        report.shown_code = (report.status if report.protecting or report.status != ReportStatus.ACTIVE
                             else ReportStatus.EXPIRED)
    return render(request, "expansion/directory_reports.html", {
        "current": "reports", "form": filters.form, "page": page, "can_manage": actor.has_perm(MANAGE),
    })


@member_page(MANAGE)
@require_POST
def report_withdraw(request, pk):
    try:
        report = directory_reports.withdraw_report(request.actor, report_id=pk)
    except DomainError as exc:
        if exc.status == 404:
            raise Http404 from exc
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Your report of %(name)s was withdrawn.") % {"name": report.enterprise.name})
    return redirect("expansion:reports")
