"""Pages of the rebate account (返点账户) and 激励返点提现 (names `incentives:<name>`):

- rebate/                          the rebate balance, 立即提现 (or why not yet), and the withdrawals (提现记录),
                                   filtered by status, dates and number (incentives.view)
- rebate/ledger/                   the balance and the rebate ledger (返点明细: incentives credited, withdrawals,
                                   returns), filtered by trade type and dates (incentives.view)
- rebate/withdraw/                 激励返点金额提现: amount and bank details → the flow to confirm (确认流水信息) with
                                   the verification code, always asked → the withdrawal (incentives.withdraw; only
                                   after 商业信息认证 is verified — else the page says why and offers no form)
- rebate/withdrawals/<number>/     one withdrawal: amount, bank (masked), status, the platform's decision
                                   (incentives.view; another partner's number is 404)
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from billing.rebates import rebate_balance
from partnercenter.confirmation import posted, two_step
from partnercenter.pages import member_page, paginate

from . import selectors_withdrawals as selectors
from . import withdrawals
from .filters_withdrawals import RebateLedgerFilter, WithdrawalFilter
from .forms_withdrawals import WithdrawForm

__all__ = ["rebate", "rebate_ledger", "withdraw", "withdrawal_detail"]

VIEW, WITHDRAW = selectors.VIEW, withdrawals.WITHDRAW


def _account_context(request, tab, **context):
    """The rebate account's head: its balance, and whether the member may withdraw now (else why not)."""
    actor = request.actor
    account = selectors.rebate_account_for(actor)
    may_withdraw = actor.has_perm(WITHDRAW)
    refusal = withdrawals.withdraw_refusal(actor.partner) if may_withdraw else None
    return {"current": "rebate", "tab": tab, "account": account, "may_withdraw": may_withdraw,
            "refusal": refusal.message if refusal is not None else None, **context}


@member_page(VIEW)
def rebate(request):
    filters = WithdrawalFilter(request.GET or None, queryset=selectors.withdrawals_for(request.actor))
    page = paginate(request, filters.qs)
    return render(request, "incentives/rebate_withdrawals.html",
                  _account_context(request, "withdrawals", form=filters.form, page=page))


@member_page(VIEW)
def rebate_ledger(request):
    filters = RebateLedgerFilter(request.GET or None, queryset=selectors.rebate_ledger_for(request.actor))
    page = paginate(request, filters.qs)
    for entry in page:
        entry.magnitude = abs(entry.amount)
    return render(request, "incentives/rebate_ledger.html",
                  _account_context(request, "ledger", form=filters.form, page=page))


@member_page(WITHDRAW)
def withdraw(request):
    """立即提现 → 激励返点金额提现 → 确认流水信息 (with the code) → the withdrawal's page."""
    actor = request.actor
    partner = actor.partner
    refusal = withdrawals.withdraw_refusal(partner)
    balance = rebate_balance(partner)
    context = {"current": "rebate", "balance": balance, "refusal": refusal.message if refusal is not None else None,
               "cancel_url": reverse("incentives:rebate") if actor.has_perm(VIEW) else reverse("home")}
    if refusal is not None:   # not certified: say why instead of a form the service refuses
        return render(request, "incentives/rebate_withdraw.html", context)
    form = WithdrawForm(posted(request), balance=balance, certified=withdrawals.certified_bank(partner))

    def run(code):
        data = form.cleaned_data
        return withdrawals.request_withdrawal(
            actor, amount=data["amount"], bank_name=data["bank_name"], bank_branch=data["bank_branch"],
            account_holder=data["account_holder"], bank_account=data["account"], verification_code=code)

    step = two_step(request, form, run, always_code=True)
    if step.done:
        withdrawal = step.result
        messages.success(request, _("Withdrawal of %(amount)s requested (number %(number)s). The platform transfers "
                                    "it to your bank account after review.")
                         % {"amount": withdrawal.amount, "number": withdrawal.withdrawal_no})
        if actor.has_perm(VIEW):
            return redirect("incentives:withdrawal_detail", withdrawal_no=withdrawal.withdrawal_no)
        return redirect("home")
    context.update(form=form, **step.context)
    if step.confirm is not None:
        amount = form.cleaned_data["amount"]
        context.update(amount=amount, balance_after=balance - amount)
    return render(request, "incentives/rebate_withdraw.html", context)


@member_page(VIEW)
def withdrawal_detail(request, withdrawal_no):
    withdrawal = selectors.withdrawal_for(request.actor, withdrawal_no)
    if withdrawal is None:
        raise Http404
    return render(request, "incentives/rebate_withdrawal.html", {"current": "rebate", "withdrawal": withdrawal})
