"""Annual review (年度复核) of a development path.

The documented flow (伙伴中心 > 主页 > 发展路径): for a path whose annual review was started, the partner makes
sure each requirement is met, clicks 申请复核, uploads the review materials as asked, and clicks 提交审核.

Rules, and where they are kept:
- Operators open a review for a path and a year (`open_review`, from the admin): once per path and year
  (a UniqueConstraint, and checked here), closing after it opens (a CheckConstraint, and checked here).
- A partner sees the reviews of the paths it is on (PathEnrolment) that have opened
  (programs.selectors_reviews); any other review is "not found". Its answer is one ReviewSubmission per
  review (a UniqueConstraint), created with its first material.
- Materials (programs.uploads: type by content and extension, size, at most MAX_FILES, private storage)
  are added and removed by members with programs.manage while the submission is DRAFT or RETURNED.
- Submitting (`submit`) needs programs.manage, the partner's verification code when it has codes on (a
  sensitive application, as the issue asks), at least one material, and the review's window: a DRAFT
  between opens_at and closes_at; a RETURNED one — operators asked for a correction — also after the
  window closed. A SUBMITTED or APPROVED submission is refused (moved with the row locked, so two
  submits run once).
- Operators decide on a SUBMITTED submission only: `approve` sets the partner's PathEnrolment on the path
  to the chosen stage of that path (since = now) and records it as result_stage; `return_submission`
  needs a reason, after which the partner may change its materials and submit again. The partner hears of
  either (events `program.review_approved` / `program.review_returned`).
- Every write goes through partnercenter.oplog.operation (the partner's 操作记录 holds operators'
  decisions on it too).
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from events import outbox
from partnercenter.api.fields import wire_time
from partnercenter.choices import ActorKind
from partnercenter.errors import Codes, DomainError
from partnercenter.oplog import NOT_SENSITIVE, operation

from . import uploads
from .choices import ReviewStatus
from .errors_reviews import ReviewCodes
from .event_types_reviews import REVIEW_APPROVED, REVIEW_OPENED, REVIEW_RETURNED
from .models import Material, PathEnrolment, Review, ReviewSubmission, Stage

__all__ = [
    "ACTION_LABELS", "EDITABLE", "open_review", "update_review", "is_open", "may_edit", "upload_materials",
    "remove_material", "submit", "approve", "return_submission",
]

EDITABLE = (ReviewStatus.DRAFT, ReviewStatus.RETURNED)
MANAGE = "programs.manage"

ACTION_LABELS = {
    "programs.review_open": gettext_lazy("Open an annual review"),
    "programs.review_update": gettext_lazy("Change an annual review"),
    "programs.review_upload": gettext_lazy("Upload annual review materials"),
    "programs.review_material_remove": gettext_lazy("Remove an annual review material"),
    "programs.review_submit": gettext_lazy("Submit an annual review"),
    "programs.review_approve": gettext_lazy("Approve an annual review"),
    "programs.review_return": gettext_lazy("Return an annual review"),
}


# ---------------------------------------------------------------------------------------------
# Windows
# ---------------------------------------------------------------------------------------------

def is_open(review, now=None) -> bool:
    now = now or timezone.now()
    return review.opens_at <= now < review.closes_at


def may_edit(review, submission, now=None) -> bool:
    """Whether the partner may change materials and submit now: a DRAFT (or none yet) within the window;
    a RETURNED one from the opening on (a correction operators asked for)."""
    now = now or timezone.now()
    if submission is None or submission.status == ReviewStatus.DRAFT:
        return is_open(review, now)
    return submission.status == ReviewStatus.RETURNED and now >= review.opens_at


def _require_window(review, submission, now):
    if submission is not None and submission.status not in EDITABLE:
        raise DomainError(ReviewCodes.ALREADY_SUBMITTED)
    if not may_edit(review, submission, now):
        raise DomainError(ReviewCodes.REVIEW_CLOSED)


def _require_member(actor, review):
    """A member of a partner on the review's path, holding programs.manage; another path's review (or one
    not yet open) is not found."""
    if not (actor.is_partner and actor.kind == ActorKind.MEMBER and actor.has_perm(MANAGE)):
        raise DomainError(Codes.FORBIDDEN)
    enrolled = PathEnrolment.objects.filter(partner_id=actor.partner.pk, path_id=review.path_id).exists()
    if not enrolled or review.opens_at > timezone.now():
        raise DomainError(Codes.NOT_FOUND)


def _require_operator(actor):
    if actor.kind != ActorKind.OPERATOR:
        raise DomainError(Codes.FORBIDDEN, _("Only the platform's operators decide on annual reviews."))


# ---------------------------------------------------------------------------------------------
# Operators open a review
# ---------------------------------------------------------------------------------------------

def _check_window(opens_at, closes_at):
    if opens_at is None or closes_at is None or closes_at <= opens_at:
        raise DomainError(ReviewCodes.REVIEW_WINDOW)


def open_review(actor, *, path, year, opens_at, closes_at, instructions: str = "") -> Review:
    """An operator opens the annual review of `path` for `year`; the partners on the path are told."""
    with operation(actor, "programs.review_open", detail={"path": path.code, "year": year}) as entry:
        _require_operator(actor)
        _check_window(opens_at, closes_at)
        if Review.objects.filter(path=path, year=year).exists():
            raise DomainError(ReviewCodes.REVIEW_EXISTS)
        try:
            with transaction.atomic():
                review = Review.objects.create(path=path, year=year, opens_at=opens_at, closes_at=closes_at,
                                               instructions=instructions or "")
        except IntegrityError:
            raise DomainError(ReviewCodes.REVIEW_EXISTS) from None
        entry.target = review
        partners = PathEnrolment.objects.filter(path=path).select_related("partner").order_by("pk")
        outbox.record_many([{
            "type_code": REVIEW_OPENED, "partner": enrolment.partner, "actor": actor,
            "key": f"{REVIEW_OPENED}:{review.pk}:{enrolment.partner_id}",
            "data": {"review_id": review.pk, "path": path.name, "year": year,
                     "opens_at": wire_time(opens_at), "closes_at": wire_time(closes_at)},
        } for enrolment in partners])
    return review


def update_review(actor, *, review, opens_at, closes_at, instructions: str = "") -> Review:
    """An operator changes a review's window or instructions (its path and year stay)."""
    with operation(actor, "programs.review_update", target=review,
                   detail={"opens_at": wire_time(opens_at) if opens_at else "",
                           "closes_at": wire_time(closes_at) if closes_at else ""}):
        _require_operator(actor)
        _check_window(opens_at, closes_at)
        Review.objects.filter(pk=review.pk).update(opens_at=opens_at, closes_at=closes_at,
                                                   instructions=instructions or "")
    review.refresh_from_db()
    return review


# ---------------------------------------------------------------------------------------------
# The partner: materials and submission
# ---------------------------------------------------------------------------------------------

def _locked_submission(review, partner, *, create: bool):
    """The partner's submission to the review, its row locked (created, as a DRAFT, when asked)."""
    submission = ReviewSubmission.objects.select_for_update().filter(review=review, partner=partner).first()
    if submission is None and create:
        try:
            with transaction.atomic():
                ReviewSubmission.objects.create(review=review, partner=partner)
        except IntegrityError:
            pass  # created by a concurrent upload a moment ago
        submission = ReviewSubmission.objects.select_for_update().get(review=review, partner=partner)
    return submission


def upload_materials(actor, *, review, files: list) -> list[Material]:
    """Add files to the partner's materials for the review: every file is checked first (a refused one
    stores none of them), then each is stored (programs.uploads.store_material)."""
    names = [uploads._clean_name(getattr(u, "name", "")) for u in files]
    with uploads.files_removed_on_error():
        with operation(actor, "programs.review_upload", target=review, detail={"files": names}) as entry:
            _require_member(actor, review)
            if not files:
                raise DomainError(Codes.PARAMETER, _("Choose the files to upload."))
            submission = _locked_submission(review, actor.partner, create=True)
            _require_window(review, submission, timezone.now())
            present = submission.materials.count()
            if present + len(files) > uploads.MAX_FILES:
                raise DomainError(ReviewCodes.UPLOAD_TOO_MANY, _(
                    "At most %(count)d files can be uploaded; %(present)d are already there.")
                    % {"count": uploads.MAX_FILES, "present": present})
            checked = [uploads.check_upload(upload) for upload in files]
            materials = [uploads.store_material(actor, upload=c.upload, submission=submission, checked=c)
                         for c in checked]
            entry.target = submission
            entry.detail["materials"] = [m.pk for m in materials]
    return materials


def remove_material(actor, *, review, material_pk) -> None:
    """Remove one of the partner's materials while it may still change them; the file goes on commit."""
    with operation(actor, "programs.review_material_remove", target=review,
                   detail={"material": material_pk}) as entry:
        _require_member(actor, review)
        submission = _locked_submission(review, actor.partner, create=False)
        material = submission.materials.filter(pk=material_pk).first() if submission is not None else None
        if material is None:
            raise DomainError(Codes.NOT_FOUND)
        _require_window(review, submission, timezone.now())
        entry.target = material
        entry.detail["file"] = material.original_name
        material.delete()   # the file: uploads.remove_file_after_delete, once this commits


def submit(actor, *, review, verification_code=None) -> ReviewSubmission:
    """提交审核: the partner's materials go to the operators."""
    with operation(actor, "programs.review_submit", target=review,
                   verification_code=verification_code if actor.kind == ActorKind.MEMBER else NOT_SENSITIVE) \
            as entry:
        _require_member(actor, review)
        submission = _locked_submission(review, actor.partner, create=False)
        _require_window(review, submission, timezone.now())
        if submission is None or not submission.materials.exists():
            raise DomainError(ReviewCodes.NO_MATERIALS)
        entry.target = submission
        entry.detail.update(materials=submission.materials.count(), resubmitted=submission.status == "returned")
        submission.status = ReviewStatus.SUBMITTED
        submission.submitted_at = timezone.now()
        submission.submitted_by = actor.user
        submission.save(update_fields=["status", "submitted_at", "submitted_by"])
    return submission


# ---------------------------------------------------------------------------------------------
# Operators decide
# ---------------------------------------------------------------------------------------------

def _decidable(submission_pk):
    submission = ReviewSubmission.objects.select_for_update().filter(pk=submission_pk).first()
    if submission is None:
        raise DomainError(Codes.NOT_FOUND)
    if submission.status != ReviewStatus.SUBMITTED:
        raise DomainError(ReviewCodes.NOT_SUBMITTED)
    return submission


def approve(actor, *, submission, result_stage, reason: str = "") -> ReviewSubmission:
    """Approve a submitted review: the partner's stage on the path becomes `result_stage`."""
    review = Review.objects.select_related("path").get(pk=submission.review_id)
    with operation(actor, "programs.review_approve", target=submission, partner=submission.partner,
                   detail={"review": review.pk, "stage": getattr(result_stage, "code", "")}):
        _require_operator(actor)
        from . import locks

        # programs/locks.py: the partner first (a level decision reads the stage under it), the submission,
        # then the enrolment.
        locks.lock_partner(submission.partner_id)
        submission = _decidable(submission.pk)
        if not isinstance(result_stage, Stage) or result_stage.path_id != review.path_id:
            raise DomainError(ReviewCodes.STAGE_NOT_ON_PATH)
        enrolment = locks.lock_enrolment(partner_id=submission.partner_id, path_id=review.path_id)
        if enrolment is None:
            raise DomainError(ReviewCodes.NOT_ENROLLED)
        now = timezone.now()
        previous = enrolment.stage
        enrolment.stage, enrolment.since = result_stage, now
        enrolment.save(update_fields=["stage", "since"])
        submission.status = ReviewStatus.APPROVED
        submission.result_stage = result_stage
        submission.decided_at, submission.decided_by = now, actor.user
        submission.reason = (reason or "").strip()[:500]
        submission.save(update_fields=["status", "result_stage", "decided_at", "decided_by", "reason"])
        outbox.record(REVIEW_APPROVED, partner=submission.partner, actor=actor, data={
            "review_id": review.pk, "path": review.path.name, "year": review.year,
            "stage": result_stage.name, "previous_stage": previous.name})
    return submission


def return_submission(actor, *, submission, reason: str) -> ReviewSubmission:
    """Return a submitted review with a reason; the partner may change its materials and submit again."""
    reason = (reason or "").strip()
    review = Review.objects.select_related("path").get(pk=submission.review_id)
    with operation(actor, "programs.review_return", target=submission, partner=submission.partner,
                   detail={"review": review.pk, "reason": reason[:500]}):
        _require_operator(actor)
        submission = _decidable(submission.pk)
        if not reason:
            raise DomainError(ReviewCodes.REASON_REQUIRED)
        if len(reason) > 500:
            raise DomainError(Codes.PARAMETER, _("The reason is at most 500 characters."))
        submission.status = ReviewStatus.RETURNED
        submission.decided_at, submission.decided_by = timezone.now(), actor.user
        submission.reason = reason
        submission.save(update_fields=["status", "decided_at", "decided_by", "reason"])
        outbox.record(REVIEW_RETURNED, partner=submission.partner, actor=actor, data={
            "review_id": review.pk, "path": review.path.name, "year": review.year, "reason": reason})
    return submission
