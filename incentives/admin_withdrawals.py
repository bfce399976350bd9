"""Operator screens: rebate withdrawals (激励返点提现).

- The list and each withdrawal are read-only: the amount, the bank (the account number only masked — there is
  no way to see it in full here), who asked when, the decision. Nothing is added, changed or deleted here: a
  withdrawal comes from the partner's page, money moves only through incentives.withdrawals.
- Each pending withdrawal has two decision pages, which need `incentives.change_rebatewithdrawal` (being staff is
  not enough): "Mark paid" with the bank's payment reference, and "Reject" with a reason — the amount returns to
  the partner's rebate account. Both go through the service (logged under the partner, told to it) and decide a
  withdrawal once: a second decision, from another operator or a repeated POST, is refused and moves nothing.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from partnercenter.actors import actor_for_user
from partnercenter.errors import DomainError

from . import withdrawals
from .choices import WithdrawalStatus
from .models import RebateWithdrawal

__all__ = ["RebateWithdrawalAdmin", "DECIDE_PERMISSION"]

DECIDE_PERMISSION = "incentives.change_rebatewithdrawal"
FIELDS = ["withdrawal_no", "partner", "amount", "bank_name", "bank_branch", "account_holder", "masked_account",
          "status", "requested_by", "requested_at", "trans_id", "decided_by", "decided_at", "payment_reference",
          "reason", "return_trans_id"]


class PaidForm(forms.Form):
    reference = forms.CharField(label=_("Payment reference"), max_length=64,
                                help_text=_("The bank's reference of the transfer to the partner."))


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("Told to the partner. The amount returns to its rebate account."))


def _actor(request):
    return actor_for_user(request.user, ip=request.META.get("REMOTE_ADDR"))


@admin.register(RebateWithdrawal)
class RebateWithdrawalAdmin(admin.ModelAdmin):
    list_display = ["withdrawal_no", "partner", "amount", "bank_name", "masked_account", "status", "requested_at",
                    "decided_at", "decision_links"]
    list_filter = ["status"]
    list_select_related = ["partner"]
    search_fields = ["withdrawal_no", "trans_id", "partner__name", "partner__account_name"]
    fields = FIELDS
    readonly_fields = FIELDS
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or request.user.has_perm(DECIDE_PERMISSION)

    def has_decide_permission(self, request):
        return request.user.has_perm(DECIDE_PERMISSION)

    @admin.display(description=_("bank account"))
    def masked_account(self, obj):
        return obj.masked_bank_account

    @admin.display(description=_("decision"))
    def decision_links(self, obj):
        if obj.status != WithdrawalStatus.PENDING:
            return "—"
        return format_html_join(" · ", '<a href="{}" class="withdrawal-{}">{}</a>', [
            (reverse(f"admin:incentives_rebatewithdrawal_{kind}", args=[obj.pk]), kind, label)
            for kind, label in (("paid", gettext("Mark paid")), ("reject", gettext("Reject")))])

    # -- one withdrawal's decision pages ------------------------------------------------------------------

    def get_urls(self):
        views = (("paid", self.paid_view), ("reject", self.reject_view))
        return [path(f"<int:pk>/{kind}/", self.admin_site.admin_view(view), name=f"incentives_rebatewithdrawal_{kind}")
                for kind, view in views] + super().get_urls()

    def _withdrawal(self, request, pk):
        if not self.has_decide_permission(request):
            raise PermissionDenied
        withdrawal = RebateWithdrawal.objects.select_related("partner").filter(pk=pk).first()
        if withdrawal is None:
            raise Http404
        return withdrawal

    def _decision(self, request, pk, *, form_class, kind, title, call, done):
        withdrawal = self._withdrawal(request, pk)
        form = form_class(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                call(_actor(request), withdrawal, form.cleaned_data)
            except DomainError as exc:
                self.message_user(request, str(exc.message), messages.ERROR)
            else:
                self.message_user(request, done, messages.SUCCESS)
                return redirect("admin:incentives_rebatewithdrawal_change", withdrawal.pk)
        return TemplateResponse(request, "incentives/rebate_admin_decision.html", {
            **self.admin_site.each_context(request), "opts": self.model._meta, "title": title, "kind": kind,
            "withdrawal": withdrawal, "form": form,
            "change_url": reverse("admin:incentives_rebatewithdrawal_change", args=[withdrawal.pk])})

    def paid_view(self, request, pk):
        return self._decision(
            request, pk, form_class=PaidForm, kind="paid", title=gettext("Mark the withdrawal paid"),
            call=lambda actor, w, data: withdrawals.mark_paid(actor, withdrawal_id=w.pk, reference=data["reference"]),
            done=gettext("The withdrawal was marked paid; the partner was told."))

    def reject_view(self, request, pk):
        return self._decision(
            request, pk, form_class=RejectForm, kind="reject", title=gettext("Reject the withdrawal"),
            call=lambda actor, w, data: withdrawals.reject(actor, withdrawal_id=w.pk, reason=data["reason"]),
            done=gettext("The withdrawal was rejected and the amount returned to the partner's rebate account; the "
                         "partner was told."))
