"""Pages of the money domain (账务): accounts overview, recharge (online and remittance), the sandbox
payment page, allocation (single and batch) and reclaim for customers, funds for cloud resellers,
调账记录 with its Excel export, and 收支明细.

Every movement of money takes two steps (partnercenter.confirmation.two_step): the amount is checked
and shown on a confirmation page (with the verification code when the partner asks for one), and
only the confirmation calls the service, once: its one-time token is claimed in the database first.
"""

from decimal import Decimal

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from customers.selectors import customer_for, customers_for
from customers.reveal import reveal_customers
from partnercenter.confirmation import confirming, posted, two_step
from partnercenter.errors import DomainError
from partnercenter.exports import EXPORT_LIMIT, local_time, xlsx_response
from partnercenter.filters import ResellerFilter
from partnercenter.pages import chosen_ids, form_error, member_page, paginate
from partnercenter.selectors import reseller_for, resellers_for
from partnercenter.templatetags.display import mask_text

from . import payments, selectors, services
from .choices import RechargeMethod, RechargeStatus
from .errors import BillingCodes
from .filters import AdjustmentFilter, LedgerFilter, RechargeFilter
from .forms import AmountForm, BatchAllocateForm, OnlineRechargeForm, RemittanceForm

__all__ = [
    "overview", "recharge", "sandbox_pay", "allocate", "reclaim", "reseller_funds", "adjustments",
    "adjustment_export", "ledger",
]


def _after_movement(actor) -> str:
    return reverse("billing:adjustments") if actor.has_perm("billing.view") else reverse("home")


# ---------------------------------------------------------------------------------------------
# 账户总览
# ---------------------------------------------------------------------------------------------

@member_page("billing.view")
def overview(request):
    actor = request.actor
    context = {
        "account": selectors.partner_account_of(actor.partner),
        "can_recharge": actor.has_perm("funds.recharge"),
        "can_allocate": actor.has_perm("funds.allocate"),
        "is_distributor": actor.partner.is_distributor and actor.has_perm("resellers.view"),
    }
    if context["is_distributor"]:
        filters = ResellerFilter(request.GET or None, queryset=resellers_for(actor))
        form, page = filters.form, paginate(request, filters.qs)
        accounts = selectors.partner_accounts_of(page.object_list)
        for reseller in page:
            reseller.funds = accounts[reseller.pk]
        context.update(form=form, page=page)
    return render(request, "billing/overview.html", context)


# ---------------------------------------------------------------------------------------------
# 充值
# ---------------------------------------------------------------------------------------------

def _recharge_refusal():
    return DomainError(BillingCodes.RECHARGE_NOT_ALLOWED).message


def _online_unavailable():
    return DomainError(BillingCodes.ONLINE_RECHARGE_UNAVAILABLE).message


_STATUS_TONE = {RechargeStatus.SUCCEEDED: "ok", RechargeStatus.PENDING: ""}  # any other: "bad"


@member_page("funds.recharge")
def recharge(request):
    actor = request.actor
    provider = payments.provider()
    method = request.POST.get("method") if request.method == "POST" else None
    online = OnlineRechargeForm(request.POST if method == RechargeMethod.ONLINE else None, prefix="online")
    remittance = RemittanceForm(request.POST if method == RechargeMethod.REMITTANCE else None, prefix="remittance")
    if method == RechargeMethod.ONLINE and online.is_valid():
        try:
            started = services.start_online_recharge(actor, amount=online.cleaned_data["amount"])
        except DomainError as exc:
            form_error(request, online, exc)
        else:
            return redirect(provider.payment_url(started))
    elif method == RechargeMethod.REMITTANCE and remittance.is_valid():
        data = remittance.cleaned_data
        try:
            services.record_remittance(actor, amount=data["amount"], reference=data["reference"],
                                       remitter=data["remitter"])
        except DomainError as exc:
            form_error(request, remittance, exc)
        else:
            messages.success(request, _("Remittance of %(amount)s recorded. It is credited once the platform "
                                        "confirms the transfer.") % {"amount": data["amount"]})
            return redirect("billing:recharge")
    filters = RechargeFilter(request.GET or None, queryset=selectors.recharges_for(actor))
    page = paginate(request, filters.qs)
    for row in page:
        row.tone = _STATUS_TONE.get(row.status, "bad")
        row.pay_url = payments.sandbox_url(row)
    allowed = services.can_recharge(actor.partner)
    return render(request, "billing/recharge.html", {
        "online": online, "remittance": remittance, "filters": filters.form, "page": page,
        "allowed": allowed, "refusal": None if allowed else _recharge_refusal(),
        "contracting_entity": actor.partner.contracting_entity,
        "online_available": provider is not None, "online_unavailable": _online_unavailable(),
    })


@member_page("funds.recharge")
def sandbox_pay(request, trans_id):
    """The sandbox payment provider's page: the payer says whether the payment went through. Only the
    partner's own pending online recharge made with the sandbox, and only while settings enable the
    sandbox and no real gateway is configured (a real gateway confirms on its own)."""
    actor = request.actor
    if not payments.sandbox_enabled():
        raise Http404
    pending = selectors.recharges_for(actor).filter(
        trans_id=trans_id, method=RechargeMethod.ONLINE, status=RechargeStatus.PENDING,
        provider=payments.SandboxProvider.name,
    ).first()
    if pending is None:
        raise Http404
    if request.method == "POST":
        outcome = request.POST.get("outcome")
        if outcome not in ("success", "failure"):
            messages.error(request, _("Choose whether the payment succeeded."))
            return redirect("billing:sandbox_pay", trans_id=pending.trans_id)
        try:
            done = services.complete_recharge(actor, recharge_id=pending.pk, succeeded=outcome == "success")
        except DomainError as exc:
            form_error(request, None, exc)
        else:
            if done.status == RechargeStatus.SUCCEEDED:
                messages.success(request, _("Payment received: %(amount)s credited to your cash account.")
                                 % {"amount": done.amount})
            else:
                messages.error(request, _("The payment failed; nothing was credited."))
        return redirect("billing:recharge")
    return render(request, "billing/sandbox_pay.html", {"recharge": pending})


# ---------------------------------------------------------------------------------------------
# 拨款 (single and batch) and 回收 for customers
# ---------------------------------------------------------------------------------------------


@member_page("funds.allocate")
def allocate(request):
    """拨款 / 批量拨款 to the customers named in the query (?customer=…&customer=…): amounts, then a
    confirmation, then one service call with a result per customer."""
    actor = request.actor
    ids = chosen_ids(request.GET.getlist("customer"))
    too_many = len(ids) > services.BATCH_LIMIT
    ids = ids[:services.BATCH_LIMIT]
    visible = {c.domain_id: c for c in customers_for(actor).filter(domain_id__in=ids)} if ids else {}
    balances = {c.domain_id: account for c, account in selectors.customer_balances_for(actor, ids)} if ids else {}
    for domain_id, customer in visible.items():
        customer.funds_balance = balances[domain_id].balance if balances.get(domain_id) else Decimal("0.00")
    chosen = [i for i in ids if i in balances]  # visible resale customers
    if confirming(request):
        # A row confirmed a moment ago whose customer has since stopped being a resale customer still
        # goes to the service, which refuses that row alone and says why.
        chosen = [i for i in ids if i in visible and (i in balances or f"amount_{i}" in request.POST)]
    not_eligible = [
        {"customer": visible.get(i), "customer_id": i,
         "reason": _("Referral customers pay the cloud directly; only resale customers receive allocations.")
         if i in visible else _("Not found among your customers.")}
        for i in ids if i not in chosen
    ]
    account = selectors.partner_account_of(actor.partner)
    form = BatchAllocateForm(posted(request), customers=[visible[i] for i in chosen],
                             available=None if confirming(request) else account.available)
    step = two_step(request, form, lambda code: services.batch_allocate(
        actor, rows=[(customer.domain_id, amount) for customer, amount in form.rows], verification_code=code))
    if step.done:
        results = step.result
        for result in results:
            result["customer"] = visible.get(result["customer_id"])
        succeeded = [r for r in results if r["ok"]]
        return render(request, "billing/allocate_result.html", {
            "results": results, "succeeded": len(succeeded), "failed": len(results) - len(succeeded),
            "moved": sum((Decimal(r["amount"]) for r in succeeded), Decimal("0.00")),
            "account": selectors.partner_account_of(actor.partner), "not_eligible": not_eligible,
        })
    context = {"form": form, "not_eligible": not_eligible, "too_many": too_many, "limit": services.BATCH_LIMIT,
               "account": account, **step.context}
    if not step.confirm:
        return render(request, "billing/allocate.html", context)
    context.update(rows=form.rows, total=sum(amount for _customer, amount in form.rows))
    return render(request, "billing/allocate_confirm.html", context)


def _customer_or_404(actor, domain_id):
    customer = customer_for(actor, domain_id)
    if customer is None:
        raise Http404
    customer.association = customer.active_associations[0]
    return customer


def _movement(request, *, template, context, run, success):
    """The amount → confirmation → movement flow of one customer or reseller, on one template."""
    form = context["form"]
    step = two_step(request, form, lambda code: run(form.cleaned_data["amount"], code))
    if step.done:
        messages.success(request, success % {"amount": step.result.amount, "trans_id": step.result.trans_id})
        return redirect(_after_movement(request.actor))
    return render(request, template, {**context, **step.context})


@member_page("funds.allocate")
def reclaim(request, domain_id):
    """回收: take part or all of a resale customer's balance back."""
    actor = request.actor
    customer = _customer_or_404(actor, domain_id)
    balance = selectors.customer_account_of(customer).balance
    eligible = services.can_receive_allocation(customer.association)
    form = AmountForm(posted(request), initial={"amount": balance if balance > 0 else None})
    context = {
        "form": form, "customer": customer, "balance": balance, "eligible": eligible,
        "title": _("Reclaim from customer"), "question": _("Reclaim this amount from the customer?"),
        "cancel_url": reverse("customers:detail", args=[customer.domain_id]) if actor.has_perm("customers.view")
        else reverse("home"),
    }
    if not eligible:  # nothing to reclaim: say why instead of offering a form the service refuses
        return render(request, "billing/funds_form.html", context)
    return _movement(
        request, template="billing/funds_form.html", context=context,
        run=lambda amount, code: services.reclaim_from_customer(actor, customer_id=customer.domain_id, amount=amount,
                                                                verification_code=code),
        success=_("%(amount)s reclaimed. Transaction ID: %(trans_id)s"),
    )


# ---------------------------------------------------------------------------------------------
# Distributor ↔ cloud reseller
# ---------------------------------------------------------------------------------------------

RESELLER_ACTIONS = {
    "allocate": (services.allocate_to_reseller, gettext_lazy("Allocate to cloud reseller"),
                 gettext_lazy("Allocate this amount to the cloud reseller?"),
                 gettext_lazy("%(amount)s allocated. Transaction ID: %(trans_id)s")),
    "reclaim": (services.reclaim_from_reseller, gettext_lazy("Reclaim from cloud reseller"),
                gettext_lazy("Reclaim this amount from the cloud reseller?"),
                gettext_lazy("%(amount)s reclaimed. Transaction ID: %(trans_id)s")),
}


@member_page("funds.allocate")
def reseller_funds(request, domain_id, action):
    if action not in RESELLER_ACTIONS:
        raise Http404
    actor = request.actor
    reseller = reseller_for(actor, domain_id)
    if reseller is None:
        raise Http404
    service, title, question, success = RESELLER_ACTIONS[action]
    context = {
        "form": AmountForm(posted(request)), "reseller": reseller, "reclaiming": action == "reclaim", "eligible": True,
        "reseller_account": selectors.partner_account_of(reseller), "title": title, "question": question,
        "cancel_url": reverse("billing:overview") if actor.has_perm("billing.view") else reverse("resellers"),
    }
    return _movement(
        request, template="billing/funds_form.html", context=context,
        run=lambda amount, code: service(actor, indirect_partner_id=reseller.domain_id, amount=amount,
                                         verification_code=code),
        success=str(success),
    )


# ---------------------------------------------------------------------------------------------
# 调账记录 and 收支明细
# ---------------------------------------------------------------------------------------------

def _filtered_adjustments(request):
    filters = AdjustmentFilter(request.GET or None, queryset=selectors.adjustments_for(request.actor))
    return filters.form, filters.qs


@member_page("billing.view")
def adjustments(request):
    form, queryset = _filtered_adjustments(request)
    page = paginate(request, queryset)
    reveal = reveal_customers(request, [adjustment.customer for adjustment in page], "account")
    return render(request, "billing/adjustments.html", {
        "form": form, "page": page, "reveal": reveal, "can_allocate": request.actor.has_perm("funds.allocate"),
    })


@member_page("billing.view")
def adjustment_export(request):
    """The filtered 调账记录 as Excel (at most EXPORT_LIMIT rows); account names masked as on the page."""
    _form, queryset = _filtered_adjustments(request)
    rows = (
        [local_time(adjustment.created_at), str(adjustment.get_operation_type_display()),
         (adjustment.customer or adjustment.reseller).domain_id,
         mask_text(adjustment.customer.domain_name if adjustment.customer else adjustment.reseller.account_name),
         adjustment.amount, adjustment.trans_id, adjustment.operator]
        for adjustment in queryset[:EXPORT_LIMIT]
    )
    return xlsx_response(request, action="funds.export", name="adjustments", title=_("Adjustments"), rows=rows,
                         header=[_("Time"), _("Type"), _("Customer or reseller ID"), _("Account name"),
                                 _("Amount (CNY)"), _("Transaction ID"), _("Operator")])


@member_page("billing.view")
def ledger(request):
    filters = LedgerFilter(request.GET or None, queryset=selectors.partner_ledger_for(request.actor))
    form, page = filters.form, paginate(request, filters.qs)
    for entry in page:
        entry.change = selectors.available_change(entry)
        entry.magnitude = abs(entry.change)
        entry.after = selectors.available_after(entry)
    reveal = reveal_customers(request, [entry.adjustment.customer for entry in page if entry.adjustment], "account")
    return render(request, "billing/ledger.html", {"form": form, "page": page, "reveal": reveal})
