"""The platform operator's money screens: confirm or reject offline remittances, set credit limits.
Balances and the ledger are read-only here: money moves only through billing.services, and every
decision is in the operation log. Deciding a remittance takes the model permission
`billing.change_recharge` (being staff is not enough); a credit limit takes `billing.change_partneraccount`."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from partnercenter.actors import actor_for_user
from partnercenter.errors import DomainError

from . import services
from .choices import RechargeStatus
from .models import Adjustment, CustomerAccount, LedgerEntry, PartnerAccount, Recharge

DECIDE_PERMISSION = "billing.change_recharge"


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Recharge)
class RechargeAdmin(ReadOnly):
    list_display = ["created_at", "partner", "method", "amount", "reference", "remitter", "status", "decided_by"]
    list_filter = ["status", "method"]
    search_fields = ["partner__name", "reference", "trans_id"]
    actions = ["confirm", "reject"]

    def has_decide_permission(self, request):
        return request.user.has_perm(DECIDE_PERMISSION)

    def _decide(self, request, queryset, succeeded):
        if not self.has_decide_permission(request):  # the action list already hides it; a forged post too
            raise PermissionDenied
        actor = actor_for_user(request.user, ip=request.META.get("REMOTE_ADDR"))
        done = 0
        for recharge in queryset.filter(status=RechargeStatus.PENDING):
            try:
                services.complete_recharge(actor, recharge_id=recharge.pk, succeeded=succeeded)
                done += 1
            except DomainError as exc:
                self.message_user(request, f"{recharge}: {exc.message}", messages.ERROR)
        self.message_user(request, _("%(count)d recharge(s) decided.") % {"count": done})

    @admin.action(description=_("Confirm the selected remittances (credit the partner)"), permissions=["decide"])
    def confirm(self, request, queryset):
        self._decide(request, queryset, True)

    @admin.action(description=_("Reject the selected remittances"), permissions=["decide"])
    def reject(self, request, queryset):
        self._decide(request, queryset, False)

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]


@admin.register(PartnerAccount)
class PartnerAccountAdmin(admin.ModelAdmin):
    """The credit limit is the one thing an operator sets; it goes through the service (with its ledger entry)."""

    list_display = ["partner", "cash_balance", "credit_limit", "allocated_amount", "available"]
    search_fields = ["partner__name"]
    readonly_fields = ["partner", "account_id", "cash_balance", "allocated_amount"]
    fields = ["partner", "account_id", "cash_balance", "credit_limit", "allocated_amount"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if "credit_limit" not in form.changed_data:
            return
        actor = actor_for_user(request.user, ip=request.META.get("REMOTE_ADDR"))
        try:  # the service logs the change (funds.credit_limit) under the partner, a refusal too
            services.set_credit_limit(actor, partner=obj.partner, credit_limit=obj.credit_limit)
        except DomainError as exc:
            self.message_user(request, str(exc.message), messages.ERROR)


@admin.register(CustomerAccount)
class CustomerAccountAdmin(ReadOnly):
    list_display = ["customer", "balance", "updated_at"]
    search_fields = ["customer__domain_name", "customer__domain_id"]


@admin.register(Adjustment)
class AdjustmentAdmin(ReadOnly):
    list_display = ["created_at", "partner", "customer", "reseller", "operation_type", "amount", "trans_id"]
    list_filter = ["operation_type"]
    search_fields = ["trans_id", "partner__name", "customer__domain_name"]


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnly):
    list_display = ["created_at", "partner", "customer", "balance_type", "trade_type", "amount", "balance_after",
                    "trans_id"]
    list_filter = ["trade_type", "balance_type"]
    search_fields = ["trans_id"]
