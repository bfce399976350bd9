"""年度复核: the partner sees the open review of its path with its requirements, uploads and submits (申请复核 →
提交审核) within the window and only with materials; operators approve (the stage changes) or return with a
reason, after which the partner corrects and submits again. Every write is in the operation log; the partner
hears of the decision."""

import re
from datetime import timedelta

import pytest
import time_machine
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from events.models import Event
from partnercenter.errors import Codes, DomainError
from partnercenter.models import OperationLog
from programs import reviews
from programs.catalogue import DIFFERENTIATED, DTCSI, REGISTERED, ROLE_CERTIFIED, SOFTWARE
from programs.choices import ReviewStatus
from programs.errors_reviews import ReviewCodes
from programs.models import Material, PathEnrolment, Review, ReviewSubmission, Stage
from tests.conftest import actor_of, build_tenant, login_client
from tests.factories import UserFactory

from . import test_reviews_uploads as base
from .test_reviews_uploads import NOW, PNG, add, enrol, open_review, upload, viewer_without_manage

# the fixtures the upload tests define
on_review, private_root, travel = base.on_review, base.private_root, base.travel


@pytest.fixture
def operator():
    return actor_of(UserFactory(username="ops.reviewer", is_staff=True, is_superuser=True))


def stage(code, path=DTCSI):
    return Stage.objects.get(path__code=path, code=code)


def submitted(tenant, review):
    add(tenant, review)
    return reviews.submit(actor_of(tenant.admin), review=review)


def logged(action, result="success"):
    return OperationLog.objects.filter(action=action, result=result)


# ---------------------------------------------------------------------------------------------
# Submitting
# ---------------------------------------------------------------------------------------------

def test_submit_is_refused_without_materials(tenant_a, on_review):
    with pytest.raises(DomainError) as refused:
        reviews.submit(actor_of(tenant_a.admin), review=on_review)
    assert refused.value.code == ReviewCodes.NO_MATERIALS
    assert not ReviewSubmission.objects.filter(status=ReviewStatus.SUBMITTED).exists()
    assert logged("programs.review_submit", "failure").get().error_code == ReviewCodes.NO_MATERIALS

    # all materials removed again: still refused
    [material] = add(tenant_a, on_review)
    reviews.remove_material(actor_of(tenant_a.admin), review=on_review, material_pk=material.pk)
    with pytest.raises(DomainError) as again:
        reviews.submit(actor_of(tenant_a.admin), review=on_review)
    assert again.value.code == ReviewCodes.NO_MATERIALS


def test_submit_is_refused_after_the_window_closed(tenant_a, on_review):
    add(tenant_a, on_review)
    with time_machine.travel(on_review.closes_at + timedelta(seconds=1), tick=False):
        with pytest.raises(DomainError) as refused:
            reviews.submit(actor_of(tenant_a.admin), review=on_review)
        with pytest.raises(DomainError) as upload_refused:
            add(tenant_a, on_review)
    assert refused.value.code == upload_refused.value.code == ReviewCodes.REVIEW_CLOSED
    assert ReviewSubmission.objects.get().status == ReviewStatus.DRAFT


def test_a_review_not_yet_open_is_not_found(tenant_a, programmes, travel, private_root):
    enrol(tenant_a.partner)
    later = open_review(opens=NOW + timedelta(days=1), closes=NOW + timedelta(days=10))
    with pytest.raises(DomainError) as refused:
        add(tenant_a, later)
    assert refused.value.code == Codes.NOT_FOUND
    client = login_client(tenant_a.admin.user)
    assert client.get(f"/programs/reviews/{later.pk}/").status_code == 404
    assert f'data-review="{later.pk}"' not in client.get("/programs/reviews/").content.decode()


def test_submitted_then_submit_again_is_refused_and_materials_are_locked(tenant_a, on_review):
    submission = submitted(tenant_a, on_review)
    assert submission.status == ReviewStatus.SUBMITTED and submission.submitted_by == tenant_a.admin.user
    for attempt in (lambda: reviews.submit(actor_of(tenant_a.admin), review=on_review),
                    lambda: add(tenant_a, on_review)):
        with pytest.raises(DomainError) as refused:
            attempt()
        assert refused.value.code == ReviewCodes.ALREADY_SUBMITTED
    assert Material.objects.count() == 1


def test_a_partner_not_on_the_path_cannot_submit(tenant_a, on_review):
    tenant_b = build_tenant("b")
    enrol(tenant_b.partner, SOFTWARE)
    with pytest.raises(DomainError) as refused:
        add(tenant_b, on_review)
    assert refused.value.code == Codes.NOT_FOUND
    client = login_client(tenant_b.admin.user)
    for url in (f"/programs/reviews/{on_review.pk}/", f"/programs/reviews/{on_review.pk}/submit/"):
        assert client.get(url).status_code == 404


def test_a_member_without_programs_manage_cannot_submit(tenant_a, on_review):
    add(tenant_a, on_review)
    viewer = viewer_without_manage(tenant_a)
    client = login_client(viewer.user)
    assert client.get(f"/programs/reviews/{on_review.pk}/").status_code == 200
    assert client.post(f"/programs/reviews/{on_review.pk}/submit/").status_code == 403
    with pytest.raises(DomainError) as refused:
        reviews.submit(actor_of(viewer), review=on_review)
    assert refused.value.code == Codes.FORBIDDEN
    assert ReviewSubmission.objects.get().status == ReviewStatus.DRAFT


def test_submit_asks_for_the_verification_code_when_the_partner_has_codes_on(tenant_a, on_review, admin_client_a):
    add(tenant_a, on_review)
    tenant_a.partner.verification_enabled = True
    tenant_a.partner.save()
    device = TOTPDevice.objects.create(user=tenant_a.admin.user, name="app", confirmed=True)
    url = f"/programs/reviews/{on_review.pk}/submit/"
    assert 'name="verification_code"' in admin_client_a.get(url).content.decode()

    refused = admin_client_a.post(url, {"verification_code": ""})
    assert refused.status_code == 200 and ReviewSubmission.objects.get().status == ReviewStatus.DRAFT
    assert logged("programs.review_submit", "failure").get().error_code == Codes.VERIFICATION_REQUIRED

    code = f"{TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token():06d}"
    assert admin_client_a.post(url, {"verification_code": code}).status_code == 302
    assert ReviewSubmission.objects.get().status == ReviewStatus.SUBMITTED


# ---------------------------------------------------------------------------------------------
# Operators decide
# ---------------------------------------------------------------------------------------------

def test_approve_sets_the_partners_stage_and_tells_it(tenant_a, on_review, operator):
    submission = submitted(tenant_a, on_review)
    enrolment = PathEnrolment.objects.get(partner=tenant_a.partner)
    assert enrolment.stage == stage(ROLE_CERTIFIED)

    with time_machine.travel(NOW + timedelta(days=2), tick=False):
        reviews.approve(operator, submission=submission, result_stage=stage(DIFFERENTIATED), reason="材料齐全")

    enrolment.refresh_from_db()
    submission.refresh_from_db()
    assert enrolment.stage == stage(DIFFERENTIATED) and enrolment.since == NOW + timedelta(days=2)
    assert submission.status == ReviewStatus.APPROVED and submission.result_stage == stage(DIFFERENTIATED)
    assert submission.decided_by == operator.user
    event = Event.objects.get(type="program.review_approved")
    assert event.partner == tenant_a.partner and event.data["stage"] == stage(DIFFERENTIATED).name
    log = logged("programs.review_approve").get()
    assert log.partner == tenant_a.partner and log.actor_kind == "operator"

    with pytest.raises(DomainError) as twice:   # decided once
        reviews.return_submission(operator, submission=submission, reason="x")
    assert twice.value.code == ReviewCodes.NOT_SUBMITTED


def test_approve_may_keep_or_lower_the_stage_but_only_to_a_stage_of_the_path(tenant_a, on_review, operator):
    submission = submitted(tenant_a, on_review)
    with pytest.raises(DomainError) as refused:
        reviews.approve(operator, submission=submission, result_stage=stage(DIFFERENTIATED, SOFTWARE))
    assert refused.value.code == ReviewCodes.STAGE_NOT_ON_PATH
    assert PathEnrolment.objects.get().stage == stage(ROLE_CERTIFIED)

    reviews.approve(operator, submission=submission, result_stage=stage(REGISTERED))
    assert PathEnrolment.objects.get().stage == stage(REGISTERED)


def test_a_draft_cannot_be_decided_and_members_cannot_decide(tenant_a, on_review, operator):
    add(tenant_a, on_review)
    draft = ReviewSubmission.objects.get()
    with pytest.raises(DomainError) as not_submitted:
        reviews.approve(operator, submission=draft, result_stage=stage(DIFFERENTIATED))
    assert not_submitted.value.code == ReviewCodes.NOT_SUBMITTED
    reviews.submit(actor_of(tenant_a.admin), review=on_review)
    with pytest.raises(DomainError) as member:
        reviews.approve(actor_of(tenant_a.admin), submission=draft, result_stage=stage(DIFFERENTIATED))
    assert member.value.code == Codes.FORBIDDEN
    assert PathEnrolment.objects.get().stage == stage(ROLE_CERTIFIED)


def test_return_needs_a_reason_then_the_partner_changes_its_materials_and_submits_again(
        tenant_a, on_review, operator, admin_client_a):
    submission = submitted(tenant_a, on_review)
    with pytest.raises(DomainError) as no_reason:
        reviews.return_submission(operator, submission=submission, reason="  ")
    assert no_reason.value.code == ReviewCodes.REASON_REQUIRED

    reviews.return_submission(operator, submission=submission, reason="缺少项目案例")
    submission.refresh_from_db()
    assert submission.status == ReviewStatus.RETURNED and submission.reason == "缺少项目案例"
    assert Event.objects.get(type="program.review_returned").data["reason"] == "缺少项目案例"
    page = admin_client_a.get(f"/programs/reviews/{on_review.pk}/").content.decode()
    assert "缺少项目案例" in page and 'id="upload-form"' in page

    # after the window closed a returned review may still be corrected: operators asked for it
    with time_machine.travel(on_review.closes_at + timedelta(days=1), tick=False):
        [old] = submission.materials.all()
        reviews.remove_material(actor_of(tenant_a.admin), review=on_review, material_pk=old.pk)
        add(tenant_a, on_review, upload("cases.png", PNG))
        reviews.submit(actor_of(tenant_a.admin), review=on_review)

    submission.refresh_from_db()
    assert submission.status == ReviewStatus.SUBMITTED
    assert [m.original_name for m in submission.materials.all()] == ["cases.png"]
    assert logged("programs.review_submit").count() == 2
    reviews.approve(operator, submission=submission, result_stage=stage(DIFFERENTIATED))
    assert PathEnrolment.objects.get().stage == stage(DIFFERENTIATED)


# ---------------------------------------------------------------------------------------------
# Operators open a review
# ---------------------------------------------------------------------------------------------

def test_opening_a_review_tells_the_partners_on_the_path_once_per_path_and_year(tenant_a, programmes, travel,
                                                                               operator):
    enrol(tenant_a.partner)
    tenant_b = build_tenant("b")
    enrol(tenant_b.partner, SOFTWARE)
    path = stage(ROLE_CERTIFIED).path
    review = reviews.open_review(operator, path=path, year=2026, opens_at=NOW, closes_at=NOW + timedelta(days=30))

    assert list(Event.objects.filter(type="program.review_opened").values_list("partner", flat=True)) == [
        tenant_a.partner.pk]
    assert logged("programs.review_open").get().target_id == str(review.pk)
    with pytest.raises(DomainError) as twice:
        reviews.open_review(operator, path=path, year=2026, opens_at=NOW, closes_at=NOW + timedelta(days=3))
    assert twice.value.code == ReviewCodes.REVIEW_EXISTS
    with pytest.raises(DomainError) as window:
        reviews.open_review(operator, path=path, year=2027, opens_at=NOW, closes_at=NOW)
    assert window.value.code == ReviewCodes.REVIEW_WINDOW
    with pytest.raises(DomainError) as member:
        reviews.open_review(actor_of(tenant_a.admin), path=path, year=2028, opens_at=NOW,
                            closes_at=NOW + timedelta(days=3))
    assert member.value.code == Codes.FORBIDDEN
    assert Review.objects.count() == 1


# ---------------------------------------------------------------------------------------------
# Pages
# ---------------------------------------------------------------------------------------------

def test_the_partner_sees_the_open_review_and_the_requirements_of_its_current_and_next_stage(
        tenant_a, on_review, admin_client_a):
    admin_client_a.cookies["django_language"] = "en"
    listing = admin_client_a.get("/programs/reviews/").content.decode()
    assert f'data-review="{on_review.pk}"' in listing and "数字化转型咨询与系统集成" in listing

    page = admin_client_a.get(f"/programs/reviews/{on_review.pk}/").content.decode()
    assert "上传年度经营报告与项目案例。" in page
    assert 'data-role="current"' in page and 'data-role="next"' in page
    assert "完成商业信息认证" in page          # 角色认证 (current)
    assert "通过能力差异化答辩" in page        # 能力差异化认证 (next)
    assert 'id="no-materials"' in page and 'id="upload-form"' in page


def test_a_partner_on_no_reviewed_path_has_an_empty_list(tenant_a, programmes, travel):
    enrol(tenant_a.partner, SOFTWARE)
    open_review(DTCSI)
    client = login_client(tenant_a.admin.user)
    assert 'id="no-reviews"' in client.get("/programs/reviews/").content.decode()


def test_the_whole_story_in_the_browser_pages(tenant_a, on_review, admin_client_a, operator):
    """Upload two files, remove one, 申请复核 → 提交审核; then the page shows it submitted, without the form."""
    url = f"/programs/reviews/{on_review.pk}/"
    admin_client_a.post(url + "upload/", {"files": [upload("a.pdf"), upload("b.png", PNG)]})
    second = Material.objects.get(original_name="b.png")
    admin_client_a.post(url + f"materials/{second.pk}/remove/")
    submit_page = admin_client_a.get(url + "submit/").content.decode()
    assert 'id="submit-form"' in submit_page and "a.pdf" in submit_page
    assert f'data-material="{second.pk}"' not in submit_page

    assert admin_client_a.post(url + "submit/").status_code == 302
    page = admin_client_a.get(url).content.decode()
    assert 'data-status="submitted"' in page and 'id="upload-form"' not in page and 'id="under-review"' in page
    assert re.search(r'href="/programs/materials/\d+/"', page)
    actions = set(OperationLog.objects.filter(partner=tenant_a.partner).values_list("action", flat=True))
    assert {"programs.review_upload", "programs.material_upload", "programs.review_material_remove",
            "programs.review_submit"} <= actions
