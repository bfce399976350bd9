"""The operator screens of 机会点.

- Adding an opportunity shares an HO with a partner (expansion.opportunities.share_opportunity): the deadline
  (3 working days, China's calendar) is computed when it is saved and the partner is told. Only HO are added
  here; POs come from partners.
- An opportunity is otherwise read-only here; each decision has its own page, through the services (logged
  under the partner, told to it), and needs `expansion.change_opportunity`:
  a pending PO is approved, rejected (with a reason) or released to the public pool (a pending or approved
  one); an accepted HO or approved PO takes Huawei Cloud's updates (stage, amount, expected close, notes, a
  note) and collaborators. The list has bulk actions to approve or release POs.
- The history (OpportunityUpdate) and the collaborators show inline, read-only.
- The list never counts the whole table (show_full_result_count off, no date hierarchy); partners, customers
  and enterprises are chosen by id (raw_id_fields).
- Sharing refuses a customer account associated with another partner (the service's CUSTOMER_OF_ANOTHER_PARTNER).
"""

import threading

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from partnercenter.actors import actor_for_user
from partnercenter.errors import DomainError

from . import opportunities, opportunities_updates, selectors_opportunities as selectors
from .choices import OpportunityStatus, Origin
from .errors_opportunities import NOTHING_CHANGED
from .forms_opportunities import CollaboratorForm, ReasonForm, ShareForm, UpdateForm
from .models import Collaborator, Opportunity, OpportunityUpdate

DECIDE_PERMISSION = "expansion.change_opportunity"
_PAGE = threading.local()  # the working-day calendar of the list page being rendered in this thread


def _actor(request):
    return actor_for_user(request.user, ip=request.META.get("REMOTE_ADDR"))


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class UpdateInline(_ReadOnlyInline):
    model = OpportunityUpdate
    fields = ["created_at", "side", "created_by", "changes", "note"]
    readonly_fields = fields
    ordering = ["-id"]


class CollaboratorInline(_ReadOnlyInline):
    model = Collaborator
    fields = ["side", "name", "role", "contact", "member"]
    readonly_fields = fields


READ_ONLY = ["partner", "origin", "name", "customer_name", "customer", "enterprise", "contact_name", "contact_phone",
             "product", "stage", "amount", "expected_close", "notes", "status", "shared_at", "deadline",
             "countdown", "reminded_at", "decided_at", "decided_by", "reason", "created_by", "updated_at",
             "decision_links"]


@admin.register(Opportunity)
class OpportunityAdmin(admin.ModelAdmin):
    list_display = ["id", "partner", "origin", "name", "customer_name", "status", "stage", "deadline", "countdown",
                    "shared_at", "decision_links"]
    list_filter = ["origin", "status", "stage"]
    list_select_related = ["partner"]
    search_fields = ["name", "customer_name", "partner__name", "partner__domain_id"]
    # The table grows to millions of rows: no full COUNT(*) beside the filtered one, no date drill-down (a scan
    # of shared_at for its dates), and the big tables it points at are picked by id, never as dropdowns.
    raw_id_fields = ["partner", "customer", "enterprise"]
    show_full_result_count = False
    inlines = [CollaboratorInline, UpdateInline]
    actions = ["approve_selected", "release_selected"]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = ShareForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ShareForm.Meta.fields
        return READ_ONLY

    def get_readonly_fields(self, request, obj=None):
        return READ_ONLY if obj is not None else []

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        return False

    def has_decide_permission(self, request):
        return request.user.has_perm(DECIDE_PERMISSION)

    @admin.display(description=_("time left"))
    def countdown(self, obj):
        countdown = selectors.countdown_of(obj, calendar=getattr(_PAGE, "calendar", None))
        if countdown is None:
            return "—"
        if countdown.state == "overdue":
            return gettext("overdue")
        if countdown.state == "due_today":
            return gettext("due today")
        return gettext("%(days)d working day(s)") % {"days": countdown.working_days_left}

    def get_changelist_instance(self, request):
        from partnercenter.workdays import WorkdayCalendar

        _PAGE.calendar = WorkdayCalendar()  # one calendar for this list page's countdowns (this thread's)
        return super().get_changelist_instance(request)

    def changelist_view(self, request, extra_context=None):
        try:
            response = super().changelist_view(request, extra_context)
            if hasattr(response, "render"):
                response.render()  # the rows' countdowns are computed while the page renders
            return response
        finally:
            _PAGE.calendar = None

    @admin.display(description=_("decision"))
    def decision_links(self, obj):
        links = []
        if obj.origin == Origin.PO and obj.status == OpportunityStatus.PENDING:
            links += [("approve", gettext("Approve")), ("reject", gettext("Reject"))]
        if obj.origin == Origin.PO and obj.status in (OpportunityStatus.PENDING, OpportunityStatus.APPROVED):
            links.append(("release", gettext("Release to the public pool")))
        if opportunities_updates.is_open(obj):
            links.append(("update", gettext("Update")))
        if not links:
            return "—"
        return format_html_join(" · ", '<a href="{}" class="opportunity-{}">{}</a>', [
            (reverse(f"admin:expansion_opportunity_{kind}", args=[obj.pk]), kind, label) for kind, label in links])

    # -- sharing an HO ------------------------------------------------------------------------------------

    def save_model(self, request, obj, form, change):
        if change:
            return  # read-only: decisions and updates have their own pages
        data = form.cleaned_data
        try:
            shared = opportunities.share_opportunity(
                _actor(request), partner=data["partner"], name=data["name"], customer_name=data["customer_name"],
                customer=data.get("customer"), enterprise=data.get("enterprise"),
                contact_name=data.get("contact_name", ""), contact_phone=data.get("contact_phone", ""),
                product=data.get("product", ""), amount=data.get("amount"), expected_close=data.get("expected_close"),
                notes=data.get("notes", ""))
        except DomainError as exc:
            self.message_user(request, str(exc.message), messages.ERROR)
            return
        obj.pk = shared.pk
        self.message_user(request, gettext("Shared: the partner must accept it by %(deadline)s.") % {
            "deadline": timezone.localtime(shared.deadline).strftime("%Y-%m-%d %H:%M")}, messages.SUCCESS)

    def save_related(self, request, form, formsets, change):
        pass  # nothing related is edited here

    def log_addition(self, request, obj, message):
        if obj.pk is not None:
            return super().log_addition(request, obj, message)

    def response_add(self, request, obj, post_url_continue=None):
        if obj.pk is None:
            return HttpResponseRedirect(request.path)
        return HttpResponseRedirect(reverse("admin:expansion_opportunity_change", args=[obj.pk]))

    # -- bulk actions -------------------------------------------------------------------------------------

    def _bulk(self, request, queryset, call, done_message):
        if not self.has_decide_permission(request):
            raise PermissionDenied
        actor, done, failed = _actor(request), 0, []
        for opportunity in queryset.select_related("partner").order_by("pk"):
            try:
                call(actor, opportunity)
            except DomainError as exc:
                failed.append(f"#{opportunity.pk}: {exc.message}")
            else:
                done += 1
        if done:
            self.message_user(request, done_message % {"count": done}, messages.SUCCESS)
        for failure in failed[:20]:
            self.message_user(request, failure, messages.ERROR)

    @admin.action(description=_("Approve the selected opportunity registrations (PO)"))
    def approve_selected(self, request, queryset):
        self._bulk(request, queryset, lambda actor, o: opportunities.approve_registration(actor, opportunity=o),
                   gettext("%(count)d opportunities approved."))

    @admin.action(description=_("Release the selected opportunities (PO) to the public pool"))
    def release_selected(self, request, queryset):
        self._bulk(request, queryset, lambda actor, o: opportunities.release(actor, opportunity=o),
                   gettext("%(count)d opportunities released to the public pool."))

    # -- one opportunity's decision pages ------------------------------------------------------------------

    def get_urls(self):
        views = (("approve", self.approve_view), ("reject", self.reject_view), ("release", self.release_view),
                 ("update", self.update_view))
        return [path(f"<int:pk>/{kind}/", self.admin_site.admin_view(view), name=f"expansion_opportunity_{kind}")
                for kind, view in views] + super().get_urls()

    def _opportunity(self, request, pk):
        if not self.has_decide_permission(request):
            raise PermissionDenied
        opportunity = Opportunity.objects.select_related("partner", "customer").filter(pk=pk).first()
        if opportunity is None:
            raise Http404
        return opportunity

    def _page(self, request, opportunity, title, kind, forms):
        return TemplateResponse(request, "expansion/opportunities_admin_action.html", {
            **self.admin_site.each_context(request), "opts": self.model._meta, "title": title, "kind": kind,
            "opportunity": opportunity, "forms": forms,
            "countdown": self.countdown(opportunity),
            "change_url": reverse("admin:expansion_opportunity_change", args=[opportunity.pk])})

    def _done(self, request, call, message, *, unchanged=None) -> bool:
        """Run `call`; say `message`, or `unchanged` when given and the call returned None (nothing to do)."""
        try:
            result = call(_actor(request))
        except DomainError as exc:
            self.message_user(request, str(exc.message), messages.ERROR)
            return False
        if unchanged is not None and result is None:
            self.message_user(request, unchanged, messages.INFO)
        else:
            self.message_user(request, message, messages.SUCCESS)
        return True

    def _back(self, opportunity):
        return redirect("admin:expansion_opportunity_change", opportunity.pk)

    def approve_view(self, request, pk):
        opportunity = self._opportunity(request, pk)
        if request.method == "POST" and self._done(
                request, lambda actor: opportunities.approve_registration(actor, opportunity=opportunity),
                gettext("The opportunity was approved; the partner was told.")):
            return self._back(opportunity)
        return self._page(request, opportunity, gettext("Approve the opportunity registration"), "approve", [])

    def reject_view(self, request, pk):
        opportunity = self._opportunity(request, pk)
        form = ReasonForm(request.POST or None)
        form.fields["reason"].required = True
        if request.method == "POST" and form.is_valid() and self._done(
                request, lambda actor: opportunities.reject_registration(
                    actor, opportunity=opportunity, reason=form.cleaned_data["reason"]),
                gettext("The opportunity registration was rejected; the partner was told.")):
            return self._back(opportunity)
        return self._page(request, opportunity, gettext("Reject the opportunity registration"), "reject", [("reason", form)])

    def release_view(self, request, pk):
        opportunity = self._opportunity(request, pk)
        form = ReasonForm(request.POST or None)
        if request.method == "POST" and form.is_valid() and self._done(
                request, lambda actor: opportunities.release(
                    actor, opportunity=opportunity, reason=form.cleaned_data["reason"]),
                gettext("The opportunity was released to the public pool; the partner was told.")):
            return self._back(opportunity)
        return self._page(request, opportunity, gettext("Release the opportunity to the public pool"), "release",
                          [("reason", form)])

    def update_view(self, request, pk):
        """Huawei Cloud's side of 机会点更新: the fields, or a collaborator (the form posted says which)."""
        opportunity = self._opportunity(request, pk)
        posted = request.POST if request.method == "POST" else None
        kind = request.POST.get("kind") if posted else None
        update_form = UpdateForm.for_opportunity(opportunity, posted if kind == "update" else None)
        collaborator_form = CollaboratorForm(posted if kind == "collaborator" else None, prefix="collaborator")
        if kind == "update" and update_form.is_valid():
            data = update_form.cleaned_data
            if self._done(request, lambda actor: opportunities_updates.update_opportunity(
                    actor, opportunity=opportunity, stage=data["stage"], amount=data["amount"],
                    expected_close=data["expected_close"], notes=data["notes"], note=data["note"]),
                    gettext("The opportunity was updated; the partner was told."), unchanged=NOTHING_CHANGED):
                return self._back(opportunity)
        if kind == "collaborator" and collaborator_form.is_valid():
            data = collaborator_form.cleaned_data
            if self._done(request, lambda actor: opportunities_updates.add_collaborator(
                    actor, opportunity=opportunity, name=data["name"], role=data["role"], contact=data["contact"]),
                    gettext("The collaborator was added; the partner was told.")):
                return self._back(opportunity)
        return self._page(request, opportunity, gettext("Update the opportunity (Huawei Cloud)"), "update",
                          [("update", update_form), ("collaborator", collaborator_form)])

