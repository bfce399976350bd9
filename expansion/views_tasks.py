"""Pages of 营销任务 › 销售拓展任务 and of 委托 (names `expansion:<name>`).

- tasks/                         我的客户: the tasks of the customers the member may see, with the query
                                 conditions (customer, type, status, due range) (expansion.view)
- tasks/export/                  the same rows as Excel, logged (expansion.view)
- tasks/<pk>/                    a task: its customer and contacts, progress (paginated), result
                                 (expansion.view; a distributor's member who may read its resellers' books
                                 opens an entrusted reseller's task while entrusted)
- tasks/<pk>/progress/           POST: record progress (expansion.manage)
- tasks/<pk>/close/              POST: close with a result (expansion.manage; the task's own partner)
- tasks/entrustment/             a cloud reseller: the notice, entrust with consent (and the verification
                                 code), the history (expansion.view; POST expansion.entrust); 404 for anyone
                                 else
- tasks/entrustment/cancel/      confirm (with the code), then cancel the entrustment (expansion.entrust)
- tasks/entrusted/               a distributor: the resellers whose customers are entrusted to it now (seen by
                                 members with resellers.view and customers.view[_all], as the core's books)
- tasks/entrusted/<reseller>/    one of them: its customers with contacts (tab "customers") or their
                                 tasks (tab "tasks"); 404 when not entrusted (any more)
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from customers.reveal import reveal_customers
from partnercenter.choices import PartnerType
from partnercenter.errors import DomainError
from partnercenter.exports import EXPORT_LIMIT, local_time, xlsx_response
from partnercenter.pages import form_error, member_page, paginate, posted

from . import selectors_tasks, tasks_entrustment, tasks_sales
from .filters_tasks import TaskFilter
from .forms_tasks import CancelEntrustmentForm, CloseForm, EntrustForm, ProgressForm
from .masking import contacts_masked, mask_email, mask_phone

__all__ = [
    "tasks", "task_export", "task", "task_progress", "task_close", "entrustment", "entrustment_cancel",
    "entrusted", "entrusted_reseller",
]

VIEW, MANAGE, ENTRUST = "expansion.view", "expansion.manage", tasks_entrustment.ENTRUST


def _common(request, tab, **context):
    partner = request.actor.partner
    return {"current": "tasks", "tab": tab, "is_reseller": partner.partner_type == PartnerType.RESELLER,
            "is_distributor": partner.is_distributor and selectors_tasks.reads_entrusted(request.actor),
            "today": selectors_tasks.today(), **context}


def _shown_contacts(customers, masked):
    """Each customer's contacts as the page may show them (`shown_mobile`, `shown_email`): masked for a
    partner in 营销计划2.0 (no eye to reveal them), else whole, masked by the template until revealed."""
    for customer in customers:
        customer.shown_mobile = mask_phone(customer.mobile_phone) if masked else customer.mobile_phone
        customer.shown_email = mask_email(customer.email) if masked else customer.email


# ---------------------------------------------------------------------------------------------------------
# 我的客户


def _filtered(request, queryset):
    filters = TaskFilter(request.GET or None, queryset=queryset, request=request)
    return filters.form, filters.qs


@member_page(VIEW)
def tasks(request):
    form, queryset = _filtered(request, selectors_tasks.tasks_for(request.actor))
    page = paginate(request, queryset)
    reveal = reveal_customers(request, [task.customer for task in page], "account", "name")
    return render(request, "expansion/tasks_list.html", _common(
        request, "mine", form=form, page=page, reveal=reveal,
        sees_customers=request.actor.has_perm("customers.view") or request.actor.sees_all_customers))


def _export_rows(queryset):
    for task in queryset[:EXPORT_LIMIT]:
        customer = task.customer
        yield [customer.domain_name, customer.real_name, customer.domain_id, str(task.get_kind_display()), task.title,
               task.due_date.isoformat(), str(task.get_status_display()), task.manager_name or "",
               task.latest_progress or "", task.result, local_time(task.created_at), local_time(task.closed_at)]


@member_page(VIEW)
def task_export(request):
    """The filtered tasks as Excel (at most EXPORT_LIMIT rows, customers unmasked as 我的客户's export); the
    export is logged."""
    _form, queryset = _filtered(request, selectors_tasks.tasks_for(request.actor))
    return xlsx_response(request, action="expansion.task_export", name="sales-tasks", title=_("Sales tasks"),
                         rows=_export_rows(queryset), header=[
                             _("Account name"), _("Real-name name"), _("Account ID"), _("Task type"), _("Task"),
                             _("Due date"), _("Status"), _("Account manager"), _("Latest progress"),
                             pgettext("sales task", "Result"), _("Assigned at"), _("Closed at")])


# ---------------------------------------------------------------------------------------------------------
# A task


def _task_or_404(request, pk):
    task = selectors_tasks.task_for(request.actor, pk)
    if task is None:
        raise Http404
    return task


def _task_page(request, task, *, progress_form=None, close_form=None, status=200):
    actor = request.actor
    masked = task.entrusted and contacts_masked(actor.partner)
    offered = ("account", "name") if masked else ("account", "name", "mobile", "email")
    reveal = reveal_customers(request, [task.customer], *offered)
    _shown_contacts([task.customer], masked)
    can_progress = actor.has_perm(MANAGE) and task.status != "closed"
    context = _common(
        request, "entrusted" if task.entrusted else "mine", task=task, customer=task.customer, reveal=reveal,
        progress=paginate(request, selectors_tasks.progress_of(task)), contacts_masked=masked,
        progress_form=progress_form or (ProgressForm() if can_progress else None),
        close_form=close_form or (CloseForm() if tasks_sales.may_close(actor, task) else None))
    return render(request, "expansion/tasks_detail.html", context, status=status)


@member_page(VIEW)
def task(request, pk):
    return _task_page(request, _task_or_404(request, pk))


@member_page(MANAGE)
def task_progress(request, pk):
    task = _task_or_404(request, pk)
    if request.method != "POST":
        return redirect("expansion:task", pk=task.pk)
    form = ProgressForm(request.POST)
    if form.is_valid():
        try:
            tasks_sales.record_progress(request.actor, task=task, note=form.cleaned_data["note"])
        except DomainError as exc:
            form_error(request, form, exc)
        else:
            messages.success(request, _("The progress was recorded."))
            return redirect("expansion:task", pk=task.pk)
    return _task_page(request, task, progress_form=form, status=400)


@member_page(MANAGE)
def task_close(request, pk):
    task = _task_or_404(request, pk)
    if request.method != "POST":
        return redirect("expansion:task", pk=task.pk)
    form = CloseForm(request.POST)
    if form.is_valid():
        try:
            tasks_sales.close_task(request.actor, task=task, result=form.cleaned_data["result"])
        except DomainError as exc:
            form_error(request, form, exc)
        else:
            messages.success(request, _("The task was closed."))
            return redirect("expansion:task", pk=task.pk)
    return _task_page(request, task, close_form=form, status=400)


# ---------------------------------------------------------------------------------------------------------
# 委托: the reseller's side


def _reseller_only(request):
    if request.actor.partner.partner_type != PartnerType.RESELLER:
        raise Http404


@member_page(VIEW)
def entrustment(request):
    _reseller_only(request)
    actor = request.actor
    if request.method == "POST" and not actor.has_perm(ENTRUST):
        raise PermissionDenied
    form = EntrustForm(posted(request), actor=actor)
    if request.method == "POST" and form.is_valid():
        try:
            tasks_entrustment.entrust(actor, consent=form.cleaned_data["consent"], verification_code=form.code)
        except DomainError as exc:
            form_error(request, form, exc)
        else:
            messages.success(request, _("Your customers are now entrusted to your distributor."))
            return redirect("expansion:entrustment")
    refusal = tasks_entrustment.entrust_refusal(actor.partner)
    return render(request, "expansion/tasks_entrustment.html", _common(
        request, "entrustment", form=form, active=selectors_tasks.entrustment_of(actor),
        history=selectors_tasks.entrustments_for(actor)[:20], distributor=actor.partner.distributor,
        refusal=refusal.message if refusal is not None else None, can_entrust=actor.has_perm(ENTRUST),
        notice_title=tasks_entrustment.NOTICE_TITLE, notice=tasks_entrustment.NOTICE),
        status=400 if request.method == "POST" else 200)


@member_page(ENTRUST)
def entrustment_cancel(request):
    _reseller_only(request)
    actor = request.actor
    active = selectors_tasks.entrustment_of(actor)
    form = CancelEntrustmentForm(posted(request), actor=actor)
    if request.method == "POST" and form.is_valid():
        try:
            tasks_entrustment.cancel_entrustment(actor, verification_code=form.code)
        except DomainError as exc:
            if active is None:
                form_error(request, None, exc)
                return redirect("expansion:entrustment")
            form_error(request, form, exc)
        else:
            messages.success(request, _("The entrustment was cancelled: your distributor no longer sees your "
                                        "customers."))
            return redirect("expansion:entrustment")
    if active is None:
        return redirect("expansion:entrustment")
    return render(request, "expansion/tasks_entrustment_cancel.html",
                  _common(request, "entrustment", active=active, form=form),
                  status=400 if request.method == "POST" else 200)


# ---------------------------------------------------------------------------------------------------------
# 委托: the distributor's side


def _distributor_only(request):
    """A distributor's page: not found elsewhere; refused to its members who may not read its resellers'
    books (an account manager with customers.view only)."""
    if not request.actor.partner.is_distributor:
        raise Http404
    if not selectors_tasks.reads_entrusted(request.actor):
        raise PermissionDenied


@member_page(VIEW)
def entrusted(request):
    _distributor_only(request)
    page = paginate(request, selectors_tasks.entrusted_resellers(request.actor))
    selectors_tasks.with_customer_counts(page)
    return render(request, "expansion/tasks_entrusted.html", _common(request, "entrusted", page=page))


@member_page(VIEW)
def entrusted_reseller(request, reseller_id):
    _distributor_only(request)
    actor = request.actor
    found = selectors_tasks.entrusted_reseller_for(actor, reseller_id)
    if found is None:
        raise Http404
    reseller = found.reseller
    masked = contacts_masked(actor.partner)
    view = "tasks" if request.GET.get("tab") == "tasks" else "customers"
    context = _common(request, "entrusted", entrustment=found, reseller=reseller, view=view, contacts_masked=masked)
    if view == "tasks":
        form, queryset = _filtered(request, selectors_tasks.entrusted_tasks_for(actor, reseller))
        page = paginate(request, queryset)
        context.update(form=form, page=page,
                       reveal=reveal_customers(request, [task.customer for task in page], "account", "name"))
    else:
        page = paginate(request, selectors_tasks.entrusted_customers_for(actor, reseller))
        customers = [association.customer for association in page]
        _shown_contacts(customers, masked)
        offered = ("account", "name") if masked else ("account", "name", "mobile", "email")
        context.update(page=page, reveal=reveal_customers(request, customers, *offered))
    return render(request, "expansion/tasks_entrusted_reseller.html", context)
