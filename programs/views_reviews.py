"""Pages of annual reviews (年度复核) and the guarded download of uploaded materials.

- reviews/                      the opened reviews of the partner's paths (programs.view)
- reviews/<pk>/                 a review: the window, what to upload, the current and next stage's checklist,
                                the partner's materials and status (programs.view)
- reviews/<pk>/upload/          POST: add materials (programs.manage)
- reviews/<pk>/materials/<m>/remove/   confirm, then remove a material (programs.manage)
- reviews/<pk>/submit/          申请复核: the materials once more, then 提交审核 with the verification code
                                (programs.manage)
- materials/<pk>/               a material as an attachment: members of its partner with programs.view,
                                operators allowed to see it; 404 for anyone else
"""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from partnercenter.downloads import stored_file_response
from partnercenter.errors import DomainError
from partnercenter.pages import form_error, member_page, paginate, posted

from . import reviews, selectors_reviews, uploads
from .choices import ReviewStatus
from .forms_reviews import MaterialsForm, SubmitForm

__all__ = ["review_list", "review_detail", "review_upload", "review_material_remove", "review_submit", "material"]


def _review_or_404(request, pk):
    review = selectors_reviews.review_for(request.actor, pk)
    if review is None:
        raise Http404
    return review


def _context(request, review):
    actor = request.actor
    submission = selectors_reviews.submission_for(actor, review)
    enrolment = selectors_reviews.enrolment_for(actor, review)
    editable = reviews.may_edit(review, submission)
    materials = list(submission.materials.all()) if submission is not None else []
    return {
        "review": review, "submission": submission, "enrolment": enrolment, "materials": materials,
        "status": submission.get_status_display() if submission else ReviewStatus.DRAFT.label,
        "is_open": reviews.is_open(review), "editable": editable,
        "can_manage": actor.has_perm(reviews.MANAGE), "removable": editable and actor.has_perm(reviews.MANAGE),
        "max_files": uploads.MAX_FILES,
        "max_size": uploads._megabytes(uploads.max_bytes()),
    }


@member_page("programs.view")
def review_list(request):
    page = paginate(request, selectors_reviews.reviews_for(request.actor))
    return render(request, "programs/reviews_list.html", {"page": page, "statuses": dict(ReviewStatus.choices)})


@member_page("programs.view")
def review_detail(request, pk):
    review = _review_or_404(request, pk)
    context = _context(request, review)
    enrolment = context["enrolment"]
    context["checklists"] = selectors_reviews.checklists_for(enrolment) if enrolment is not None else []
    context["form"] = MaterialsForm()
    return render(request, "programs/reviews_detail.html", context)


@member_page("programs.manage")
def review_upload(request, pk):
    review = _review_or_404(request, pk)
    if request.method == "POST":
        form = MaterialsForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                stored = reviews.upload_materials(request.actor, review=review, files=form.cleaned_data["files"])
            except DomainError as exc:
                form_error(request, None, exc)
            else:
                messages.success(request, _("%(count)d file(s) uploaded.") % {"count": len(stored)})
        else:
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
    return redirect("programs:review", pk=review.pk)


@member_page("programs.manage")
def review_material_remove(request, pk, material_pk):
    review = _review_or_404(request, pk)
    submission = selectors_reviews.submission_for(request.actor, review)
    material = next((m for m in submission.materials.all() if m.pk == material_pk), None) if submission else None
    if material is None:
        raise Http404
    if request.method == "POST":
        try:
            reviews.remove_material(request.actor, review=review, material_pk=material.pk)
        except DomainError as exc:
            form_error(request, None, exc)
        else:
            messages.success(request, _("%(name)s was removed.") % {"name": material.original_name})
        return redirect("programs:review", pk=review.pk)
    return render(request, "programs/reviews_remove.html", {
        "review": review, "material": material, "editable": reviews.may_edit(review, submission)})


@member_page("programs.manage")
def review_submit(request, pk):
    review = _review_or_404(request, pk)
    form = SubmitForm(posted(request), actor=request.actor)
    if request.method == "POST" and form.is_valid():
        try:
            reviews.submit(request.actor, review=review, verification_code=form.code)
        except DomainError as exc:
            form_error(request, form, exc)
        else:
            messages.success(request, _("The annual review was submitted. Operators will review your materials."))
            return redirect("programs:review", pk=review.pk)
    context = _context(request, review)
    context["form"] = form
    return render(request, "programs/reviews_submit.html", context)


@require_GET
def material(request, pk):
    """A stored material (partnercenter.downloads); 404 for anyone who may not read it (another partner's id
    is as absent as a made-up one)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    found = uploads.material_for(request.actor, pk)
    if found is None:
        raise Http404
    return stored_file_response(lambda: uploads.open_material(found), filename=found.original_name,
                                content_type=found.content_type)
