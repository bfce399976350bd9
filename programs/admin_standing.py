"""Operator screens of the standing area.

Definitions (operators edit them freely): programmes with their levels, development paths with their
stages, a stage with its requirements, certified solutions (counted by CERTIFIED_SOLUTIONS).

Queues (every decision goes through programs.membership, so it is re-checked, logged under the partner and
told to the partner): programme applications and level requests (approve / reject with a reason — a
reason page before the rejection), path enrolments (put a partner on a path; "advance to the next stage",
refused unless the next stage's requirements are all met), requirement confirmations (add = confirm,
delete = withdraw). Deciding takes the model's change permission (being staff is not enough)."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from partnercenter.actors import actor_for_user
from partnercenter.errors import DomainError

from . import membership as services
from . import leaving, solutions
from .choices import ApplicationStatus, MembershipStatus
from .models import (
    CertifiedSolution, LevelRequest, Membership, Path, PathEnrolment, Program, ProgramLevel, Requirement,
    RequirementConfirmation, Stage,
)


def _actor(request):
    return actor_for_user(request.user, ip=request.META.get("REMOTE_ADDR"))


# ---------------------------------------------------------------------------------------------
# Definitions
# ---------------------------------------------------------------------------------------------

class LevelInline(admin.TabularInline):
    model = ProgramLevel
    extra = 0
    fields = ["rank", "code", "name", "min_stage"]
    autocomplete_fields = ["min_stage"]


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "apply_offline", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "code"]
    inlines = [LevelInline]


class StageInline(admin.TabularInline):
    model = Stage
    extra = 0
    fields = ["rank", "code", "name"]
    show_change_link = True


@admin.register(Path)
class PathAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "rank", "has_specialists"]
    search_fields = ["name", "code"]
    inlines = [StageInline]


class RequirementInline(admin.TabularInline):
    model = Requirement
    extra = 0
    fields = ["rank", "label", "kind", "metric", "threshold", "link"]


@admin.register(Stage)
class StageAdmin(admin.ModelAdmin):
    list_display = ["path", "rank", "name", "code"]
    list_filter = ["path"]
    list_select_related = ["path"]
    search_fields = ["name", "code", "path__name"]
    inlines = [RequirementInline]


@admin.register(CertifiedSolution)
class CertifiedSolutionAdmin(admin.ModelAdmin):
    """Adding, changing and deleting go through programs.solutions (logged under the partner, under its lock);
    a solution's partner is fixed once recorded."""

    list_display = ["name", "partner", "certification", "certified_on"]
    list_select_related = ["partner"]
    search_fields = ["name", "partner__name", "partner__domain_id"]
    autocomplete_fields = ["partner"]

    def get_readonly_fields(self, request, obj=None):
        return ["partner"] if obj is not None else []

    def log_addition(self, request, obj, message):
        if obj.pk is not None:
            return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        if not getattr(obj, "_refused", False):
            return super().log_change(request, obj, message)

    def response_add(self, request, obj, post_url_continue=None):
        if obj.pk is None:
            return HttpResponseRedirect(request.path)
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        if getattr(obj, "_refused", False):
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)

    def save_model(self, request, obj, form, change):
        fields = {"name": obj.name, "certification": obj.certification, "certified_on": obj.certified_on}
        try:
            if change:
                solutions.update_solution(_actor(request), solution_id=obj.pk, **fields)
            else:
                obj.pk = solutions.record_solution(_actor(request), partner_id=obj.partner_id, **fields).pk
        except DomainError as exc:
            obj._refused = True
            self.message_user(request, str(exc.message), messages.ERROR)

    def delete_model(self, request, obj):
        solutions.remove_solution(_actor(request), solution_id=obj.pk)

    def delete_queryset(self, request, queryset):
        actor = _actor(request)
        for solution in queryset:
            solutions.remove_solution(actor, solution_id=solution.pk)


# ---------------------------------------------------------------------------------------------
# Queues
# ---------------------------------------------------------------------------------------------

class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


class DecisionAdmin(admin.ModelAdmin):
    """Read-only rows decided by actions that call a service, one row at a time."""

    decide_permission = ""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_decide_permission(self, request):
        return request.user.has_perm(self.decide_permission)

    def _run(self, request, queryset, call, done_message):
        if not self.has_decide_permission(request):  # the action list already hides it; a forged post too
            raise PermissionDenied
        actor, done = _actor(request), 0
        for obj in queryset:
            try:
                call(actor, obj)
                done += 1
            except DomainError as exc:
                self.message_user(request, f"{obj}: {exc.message}", messages.ERROR)
        self.message_user(request, done_message % {"count": done})

    def _reject(self, request, queryset, call, *, title=None, button=None, done=None):
        """A page asking for the reason, then the rejections (or, with `title`, `button` and `done`, another
        decision that takes a reason)."""
        if not self.has_decide_permission(request):
            raise PermissionDenied
        form = RejectForm(request.POST if "reason" in request.POST else None)
        if form.is_bound and form.is_valid():
            reason = form.cleaned_data["reason"]
            self._run(request, queryset, lambda actor, obj: call(actor, obj, reason), done or _("%(count)d rejected."))
            return None
        return TemplateResponse(request, "programs/standing_admin_reject.html", {
            **self.admin_site.each_context(request), "title": title or _("Reject with a reason"),
            "button": button or _("Reject"), "form": form,
            "objects": queryset, "opts": self.model._meta, "action": request.POST.get("action"),
            "checkbox_name": ACTION_CHECKBOX_NAME, "selected": request.POST.getlist(ACTION_CHECKBOX_NAME),
            "select_across": request.POST.get("select_across", "0")})


@admin.register(Membership)
class MembershipAdmin(DecisionAdmin):
    list_display = ["applied_at", "partner", "program", "status", "level", "decided_at", "decided_by", "left_at"]
    list_filter = ["status", "program"]
    list_select_related = ["partner", "program", "level", "decided_by"]
    search_fields = ["partner__name", "partner__domain_id"]
    actions = ["approve", "reject", "end"]
    decide_permission = "programs.change_membership"

    @admin.action(description=_("Approve the selected applications (joined at the lowest level)"),
                  permissions=["decide"])
    def approve(self, request, queryset):
        self._run(request, queryset.filter(status=MembershipStatus.APPLYING),
                  lambda actor, obj: services.decide_membership(actor, membership_id=obj.pk, approve=True),
                  _("%(count)d application(s) approved."))

    @admin.action(description=_("Reject the selected applications"), permissions=["decide"])
    def reject(self, request, queryset):
        return self._reject(request, queryset.filter(status=MembershipStatus.APPLYING),
                            lambda actor, obj, reason: services.decide_membership(
                                actor, membership_id=obj.pk, approve=False, reason=reason))

    @admin.action(description=_("End the selected memberships (the partner leaves the programme)"),
                  permissions=["decide"])
    def end(self, request, queryset):
        return self._reject(request, queryset.filter(status=MembershipStatus.JOINED),
                            lambda actor, obj, reason: leaving.end_membership(actor, membership_id=obj.pk,
                                                                              reason=reason),
                            title=_("End memberships with a reason"), button=_("End membership"),
                            done=_("%(count)d membership(s) ended."))


@admin.register(LevelRequest)
class LevelRequestAdmin(DecisionAdmin):
    list_display = ["requested_at", "membership", "level", "status", "requested_by", "decided_at"]
    list_filter = ["status", "level__program"]
    list_select_related = ["membership__partner", "membership__program", "level", "requested_by"]
    search_fields = ["membership__partner__name", "membership__partner__domain_id"]
    actions = ["approve", "reject"]
    decide_permission = "programs.change_levelrequest"

    @admin.action(description=_("Approve the selected level requests"), permissions=["decide"])
    def approve(self, request, queryset):
        self._run(request, queryset.filter(status=ApplicationStatus.APPLYING),
                  lambda actor, obj: services.decide_level_request(actor, request_id=obj.pk, approve=True),
                  _("%(count)d level request(s) approved."))

    @admin.action(description=_("Reject the selected level requests"), permissions=["decide"])
    def reject(self, request, queryset):
        return self._reject(request, queryset.filter(status=ApplicationStatus.APPLYING),
                            lambda actor, obj, reason: services.decide_level_request(
                                actor, request_id=obj.pk, approve=False, reason=reason))


class AddedByService:
    """An add form whose row the service creates: when the service refused (the message says why), nothing
    was added, so no "added" message or admin log entry."""

    def log_addition(self, request, obj, message):
        if obj.pk is not None:
            return super().log_addition(request, obj, message)

    def response_add(self, request, obj, post_url_continue=None):
        if obj.pk is None:
            return HttpResponseRedirect(request.path)
        return super().response_add(request, obj, post_url_continue)


class EnrolForm(forms.ModelForm):
    class Meta:
        model = PathEnrolment
        fields = ["partner", "path"]


@admin.register(PathEnrolment)
class PathEnrolmentAdmin(AddedByService, DecisionAdmin):
    """Adding an enrolment puts the partner at the path's first stage (through the service); stages move only
    with the "advance" action."""

    list_display = ["partner", "path", "stage", "since", "enrolled_at"]
    list_filter = ["path", "stage"]
    list_select_related = ["partner", "path", "stage"]
    search_fields = ["partner__name", "partner__domain_id"]
    actions = ["advance"]
    decide_permission = "programs.change_pathenrolment"
    form = EnrolForm
    autocomplete_fields = ["partner"]

    def has_add_permission(self, request):
        return request.user.has_perm("programs.add_pathenrolment")

    def save_model(self, request, obj, form, change):
        try:
            enrolment = services.enrol(_actor(request), partner_id=obj.partner_id, path_code=obj.path.code)
        except DomainError as exc:
            self.message_user(request, str(exc.message), messages.ERROR)
            return
        obj.pk, obj.stage = enrolment.pk, enrolment.stage

    @admin.action(description=_("Advance to the next stage (when its requirements are met)"),
                  permissions=["decide"])
    def advance(self, request, queryset):
        self._run(request, queryset, lambda actor, obj: services.advance_stage(actor, enrolment_id=obj.pk),
                  _("%(count)d partner(s) advanced."))


class ConfirmationForm(forms.ModelForm):
    class Meta:
        model = RequirementConfirmation
        fields = ["partner", "requirement", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "requirement" in self.fields:
            self.fields["requirement"].queryset = Requirement.objects.filter(
                kind="confirmed").select_related("stage__path")


@admin.register(RequirementConfirmation)
class RequirementConfirmationAdmin(AddedByService, admin.ModelAdmin):
    """Adding one confirms the requirement for the partner, deleting withdraws it — both through the services."""

    list_display = ["partner", "requirement", "confirmed_at", "confirmed_by", "note"]
    list_select_related = ["partner", "requirement__stage__path", "confirmed_by"]
    search_fields = ["partner__name", "partner__domain_id", "requirement__label"]
    form = ConfirmationForm
    autocomplete_fields = ["partner"]

    def has_change_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        try:
            confirmation = services.confirm_requirement(
                _actor(request), partner_id=obj.partner_id, requirement_id=obj.requirement_id, note=obj.note)
        except DomainError as exc:
            self.message_user(request, str(exc.message), messages.ERROR)
            return
        obj.pk = confirmation.pk

    def delete_model(self, request, obj):
        services.revoke_confirmation(_actor(request), confirmation_id=obj.pk)

    def delete_queryset(self, request, queryset):
        actor = _actor(request)
        for confirmation in queryset:
            services.revoke_confirmation(actor, confirmation_id=confirmation.pk)
