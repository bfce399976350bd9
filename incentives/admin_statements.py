"""The operator screens of 激励对账 and the monthly run.

- **Statements** are read-only here; each decision has its own page, through incentives.statements (logged
  under the partner, told to it) and needs `incentives.change_incentivestatement`:
  a DISPUTED statement is answered — the answer text and, optionally, a corrected amount — which makes it
  final and credits it; a CONFIRMED one can be made final at once (one by one, or the list's bulk action).
  Pending statements nobody disputed become final by themselves when their objection period ends
  (incentives.tasks_statements.finalise_due), and are not finalised here.
- **Details** (激励明细) are read-only, reached from a statement ("lines") or searched by partner and customer.
- **Runs** (one per month) are read-only: their progress and counts; the "run again" action starts the
  monthly run of the selected months now, forced (incentives.tasks_statements.rerun_month → incentives.run
  .run_month), which replaces drafts and never touches confirmed or final statements.
- Lists never count the whole table (show_full_result_count off, no date hierarchy); partners, customers and
  policies are chosen by id (raw_id_fields).
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from partnercenter.actors import actor_for_user
from partnercenter.errors import DomainError

from . import statements
from .choices import StatementStatus
from .forms_statements import AnswerForm
from .models import IncentiveDetail, IncentiveRun, IncentiveStatement

DECIDE_PERMISSION = "incentives.change_incentivestatement"
RUN_PERMISSION = "incentives.change_incentiverun"


def _actor(request):
    return actor_for_user(request.user, ip=request.META.get("REMOTE_ADDR"))


class _ReadOnly(admin.ModelAdmin):
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


STATEMENT_FIELDS = ["statement_no", "partner", "bill_cycle", "policy", "kind", "name", "association_type",
                    "performance", "amount", "status", "generated_at", "dispute_deadline", "confirmed_at",
                    "confirmed_by", "dispute_reason", "disputed_at", "disputed_by", "answer", "answered_at",
                    "finalised_at", "trans_id", "lines", "decision_links"]


@admin.register(IncentiveStatement)
class IncentiveStatementAdmin(_ReadOnly):
    list_display = ["statement_no", "partner", "bill_cycle", "name", "association_type", "amount", "status",
                    "dispute_deadline", "finalised_at", "decision_links"]
    list_filter = ["status", "kind", "association_type"]
    list_select_related = ["partner"]
    search_fields = ["=statement_no", "=bill_cycle", "partner__name", "=partner__domain_id"]
    raw_id_fields = ["partner", "policy", "confirmed_by", "disputed_by"]
    fields = readonly_fields = STATEMENT_FIELDS
    actions = ["finalise_selected"]

    def has_decide_permission(self, request):
        return request.user.has_perm(DECIDE_PERMISSION)

    @admin.display(description=_("lines"))
    def lines(self, obj):
        url = reverse("admin:incentives_incentivedetail_changelist") + f"?statement__id__exact={obj.pk}"
        return format_html('<a href="{}" id="statement-lines">{}</a>', url, gettext("Detail lines"))

    @admin.display(description=_("decision"))
    def decision_links(self, obj):
        links = []
        if obj.status == StatementStatus.DISPUTED:
            links.append(("answer", gettext("Answer the objection")))
        if obj.status == StatementStatus.CONFIRMED:
            links.append(("finalise", gettext("Make final now")))
        if not links:
            return "—"
        return format_html_join(" · ", '<a href="{}" class="statement-{}">{}</a>', [
            (reverse(f"admin:incentives_incentivestatement_{kind}", args=[obj.pk]), kind, label)
            for kind, label in links])

    # -- bulk action -----------------------------------------------------------------------------------

    @admin.action(description=_("Make the selected confirmed statements final now"))
    def finalise_selected(self, request, queryset):
        if not self.has_decide_permission(request):
            raise PermissionDenied
        actor, done, failed = _actor(request), 0, []
        for statement in queryset.filter(status=StatementStatus.CONFIRMED).order_by("pk")[:500]:
            try:
                statements.finalise(actor, statement=statement.pk)
            except DomainError as exc:
                failed.append(f"{statement.statement_no}: {exc.message}")
            else:
                done += 1
        skipped = queryset.exclude(status=StatementStatus.CONFIRMED).count()
        if done:
            self.message_user(request, gettext("%(count)d statements made final and credited.") % {"count": done},
                              messages.SUCCESS)
        if skipped:
            self.message_user(request, gettext("%(count)d selected statements were not confirmed and were left as "
                                               "they are.") % {"count": skipped}, messages.WARNING)
        for failure in failed[:20]:
            self.message_user(request, failure, messages.ERROR)

    # -- one statement's decision pages ----------------------------------------------------------------

    def get_urls(self):
        views = (("answer", self.answer_view), ("finalise", self.finalise_view))
        return [path(f"<int:pk>/{kind}/", self.admin_site.admin_view(view), name=f"incentives_incentivestatement_{kind}")
                for kind, view in views] + super().get_urls()

    def _statement(self, request, pk):
        if not self.has_decide_permission(request):
            raise PermissionDenied
        statement = IncentiveStatement.objects.select_related("partner", "policy").filter(pk=pk).first()
        if statement is None:
            raise Http404
        return statement

    def _page(self, request, statement, title, kind, form=None):
        return TemplateResponse(request, "incentives/statements_admin_action.html", {
            **self.admin_site.each_context(request), "opts": self.model._meta, "title": title, "kind": kind,
            "statement": statement, "form": form,
            "change_url": reverse("admin:incentives_incentivestatement_change", args=[statement.pk])})

    def _done(self, request, call, message) -> bool:
        try:
            call(_actor(request))
        except DomainError as exc:
            self.message_user(request, str(exc.message), messages.ERROR)
            return False
        self.message_user(request, message, messages.SUCCESS)
        return True

    def _back(self, statement):
        return redirect("admin:incentives_incentivestatement_change", statement.pk)

    def answer_view(self, request, pk):
        statement = self._statement(request, pk)
        form = AnswerForm(request.POST or None)
        if request.method == "POST" and form.is_valid() and self._done(
                request, lambda actor: statements.answer(actor, statement=statement.pk,
                                                         answer=form.cleaned_data["answer"],
                                                         amount=form.cleaned_data["amount"]),
                gettext("The objection was answered: the statement is final and credited; the partner was told.")):
            return self._back(statement)
        return self._page(request, statement, gettext("Answer the objection"), "answer", form)

    def finalise_view(self, request, pk):
        statement = self._statement(request, pk)
        if request.method == "POST" and self._done(
                request, lambda actor: statements.finalise(actor, statement=statement.pk),
                gettext("The statement is final and credited; the partner was told.")):
            return self._back(statement)
        return self._page(request, statement, gettext("Make the statement final now"), "finalise")


DETAIL_FIELDS = ["statement", "bill_cycle", "partner", "policy", "kind", "association", "association_type",
                 "customer", "service_type", "charging_mode", "incentive_policy", "fee_records", "consumption",
                 "performance", "rate", "rebate"]


@admin.register(IncentiveDetail)
class IncentiveDetailAdmin(_ReadOnly):
    list_display = ["bill_cycle", "partner", "customer", "service_type", "charging_mode", "kind", "incentive_policy",
                    "performance", "rate", "rebate"]
    list_filter = ["kind", "association_type", "charging_mode"]
    list_select_related = ["partner", "customer", "service_type"]
    search_fields = ["=bill_cycle", "=partner__domain_id", "=customer__domain_id"]
    raw_id_fields = ["statement", "partner", "policy", "association", "customer", "service_type"]
    fields = readonly_fields = DETAIL_FIELDS


@admin.register(IncentiveRun)
class IncentiveRunAdmin(_ReadOnly):
    list_display = ["bill_cycle", "status", "started_at", "finished_at", "partners", "details", "statements",
                    "cursor"]
    list_filter = ["status"]
    fields = readonly_fields = ["bill_cycle", "status", "cursor", "started_at", "finished_at", "partners", "details",
                                "statements"]
    actions = ["run_selected"]

    @admin.action(description=_("Run the selected months again now"))
    def run_selected(self, request, queryset):
        """Each selected month's run, forced, in the worker (incentives.tasks_statements.rerun_month) once this
        request commits; drafts are replaced, confirmed and final statements stay."""
        if not request.user.has_perm(RUN_PERMISSION):
            raise PermissionDenied
        from .tasks_statements import rerun_month

        cycles = list(queryset.order_by("bill_cycle").values_list("bill_cycle", flat=True)[:24])
        for cycle in cycles:
            transaction.on_commit(lambda cycle=cycle: rerun_month.delay(cycle))
        self.message_user(request, gettext("The run of %(cycles)s was started.") % {"cycles": ", ".join(cycles)},
                          messages.SUCCESS)
