"""Operator screens of the reviews area.

- Annual reviews: adding one opens the review of a path for a year (programs.reviews.open_review: once per
  path and year, the partners on the path are told); changing one changes its window or instructions
  (update_review). Path and year do not change afterwards; a review is not deleted (its submissions keep it).
- Review submissions: read-only, with their materials inline (downloads through the guarded view
  programs:material, never a static or media URL). A SUBMITTED one is decided on its own page: approve with
  the stage the partner is at after the review (its PathEnrolment moves there), or return it with a reason.
  Deciding takes `programs.change_reviewsubmission` (being staff is not enough); every decision goes
  through programs.reviews, is logged under the partner and told to it.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from partnercenter.actors import actor_for_user
from partnercenter.errors import DomainError

from . import reviews
from .choices import ReviewStatus
from .forms_reviews import ApproveForm, ReturnForm
from .models import Material, PathEnrolment, Review, ReviewSubmission

DECIDE_PERMISSION = "programs.change_reviewsubmission"


def _actor(request):
    return actor_for_user(request.user, ip=request.META.get("REMOTE_ADDR"))


class ReviewForm(forms.ModelForm):
    class Meta:
        model = Review
        fields = ["path", "year", "opens_at", "closes_at", "instructions"]


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["path", "year", "opens_at", "closes_at", "submissions_count", "submitted_count"]
    list_filter = ["path", "year"]
    list_select_related = ["path"]
    form = ReviewForm

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            n_submissions=Count("submissions", distinct=True),
            n_submitted=Count("submissions", filter=Q(submissions__status=ReviewStatus.SUBMITTED), distinct=True))

    @admin.display(description=_("submissions"), ordering="n_submissions")
    def submissions_count(self, obj):
        return obj.n_submissions

    @admin.display(description=_("waiting for a decision"))
    def submitted_count(self, obj):
        url = reverse("admin:programs_reviewsubmission_changelist")
        return format_html('<a href="{}?review__id__exact={}&status__exact=submitted">{}</a>', url, obj.pk,
                           obj.n_submitted)

    def get_readonly_fields(self, request, obj=None):
        return ["path", "year"] if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        try:
            if change:
                reviews.update_review(_actor(request), review=obj, opens_at=data["opens_at"],
                                      closes_at=data["closes_at"], instructions=data.get("instructions", ""))
            else:
                review = reviews.open_review(
                    _actor(request), path=data["path"], year=data["year"], opens_at=data["opens_at"],
                    closes_at=data["closes_at"], instructions=data.get("instructions", ""))
                obj.pk = review.pk
        except DomainError as exc:
            self.message_user(request, str(exc.message), messages.ERROR)

    def log_addition(self, request, obj, message):
        if obj.pk is not None:
            return super().log_addition(request, obj, message)

    def response_add(self, request, obj, post_url_continue=None):
        if obj.pk is None:
            return HttpResponseRedirect(request.path)
        return super().response_add(request, obj, post_url_continue)


class MaterialInline(admin.TabularInline):
    """Uploaded materials of a submission, read-only; the link downloads through the guarded view
    (programs:material, programs.uploads.material_for). The certification's documents use it too."""

    model = Material
    fk_name = "submission"
    # whoever may see the owner sees its materials (and may download them: uploads.material_for)
    view_permissions = ("programs.view_reviewsubmission", DECIDE_PERMISSION, "programs.view_material")
    extra = 0
    fields = ["download", "content_type", "size", "sha256", "uploaded_by", "uploaded_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return any(request.user.has_perm(permission) for permission in self.view_permissions)

    @admin.display(description=_("file"))
    def download(self, obj):
        return format_html('<a href="{}" class="material-download">{}</a>',
                           reverse("programs:material", args=[obj.pk]), obj.original_name)


@admin.register(ReviewSubmission)
class ReviewSubmissionAdmin(admin.ModelAdmin):
    list_display = ["review", "partner", "status", "submitted_at", "decided_at", "decision_links"]
    list_filter = ["status", "review__path", "review__year"]
    list_select_related = ["review__path", "partner"]
    search_fields = ["partner__name", "partner__domain_id"]
    inlines = [MaterialInline]
    readonly_fields = ["review", "partner", "status", "current_stage", "submitted_at", "submitted_by",
                       "decided_at", "decided_by", "reason", "result_stage", "decision_links"]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_decide_permission(self, request):
        return request.user.has_perm(DECIDE_PERMISSION)

    @admin.display(description=_("stage now"))
    def current_stage(self, obj):
        enrolment = PathEnrolment.objects.filter(partner_id=obj.partner_id, path_id=obj.review.path_id) \
            .select_related("stage").first()
        return enrolment.stage.name if enrolment else "—"

    @admin.display(description=_("decision"))
    def decision_links(self, obj):
        if obj.status != ReviewStatus.SUBMITTED:
            return "—"
        return format_html_join(" · ", '<a href="{}" class="{}">{}</a>', [
            (reverse("admin:programs_reviewsubmission_approve", args=[obj.pk]), "review-approve", gettext("Approve")),
            (reverse("admin:programs_reviewsubmission_return", args=[obj.pk]), "review-return", gettext("Return")),
        ])

    def get_urls(self):
        return [
            path("<int:pk>/approve/", self.admin_site.admin_view(self.approve_view),
                 name="programs_reviewsubmission_approve"),
            path("<int:pk>/return/", self.admin_site.admin_view(self.return_view),
                 name="programs_reviewsubmission_return"),
        ] + super().get_urls()

    def _submission(self, request, pk):
        if not self.has_decide_permission(request):
            raise PermissionDenied
        submission = ReviewSubmission.objects.select_related("review__path", "partner").filter(pk=pk).first()
        if submission is None:
            raise Http404
        return submission

    def _page(self, request, submission, form, title, kind):
        return TemplateResponse(request, "programs/reviews_admin_decide.html", {
            **self.admin_site.each_context(request), "opts": self.model._meta, "title": title, "form": form,
            "submission": submission, "kind": kind, "materials": submission.materials.all(),
            "current_stage": self.current_stage(submission),
            "change_url": reverse("admin:programs_reviewsubmission_change", args=[submission.pk])})

    def _done(self, request, submission, call, message):
        try:
            call(_actor(request))
        except DomainError as exc:
            self.message_user(request, str(exc.message), messages.ERROR)
            return False
        self.message_user(request, message, messages.SUCCESS)
        return True

    def approve_view(self, request, pk):
        submission = self._submission(request, pk)
        enrolment = PathEnrolment.objects.filter(partner_id=submission.partner_id,
                                                 path_id=submission.review.path_id).select_related("stage").first()
        form = ApproveForm(request.POST or None, path=submission.review.path,
                           current_stage=enrolment.stage if enrolment else None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            if self._done(request, submission, lambda actor: reviews.approve(
                    actor, submission=submission, result_stage=data["result_stage"], reason=data["reason"]),
                    gettext("The review was approved: the partner is now at %(stage)s.")
                    % {"stage": data["result_stage"].name}):
                return redirect("admin:programs_reviewsubmission_change", submission.pk)
        return self._page(request, submission, form, gettext("Approve the annual review"), "approve")

    def return_view(self, request, pk):
        submission = self._submission(request, pk)
        form = ReturnForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            if self._done(request, submission, lambda actor: reviews.return_submission(
                    actor, submission=submission, reason=form.cleaned_data["reason"]),
                    gettext("The review was returned to the partner.")):
                return redirect("admin:programs_reviewsubmission_change", submission.pk)
        return self._page(request, submission, form, gettext("Return the annual review"), "return")
