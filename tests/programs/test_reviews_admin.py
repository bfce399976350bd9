"""Operators in the admin: open a review, see a submission with its materials (downloaded through the guarded
view), approve it with the stage after the review, or return it with a reason. Deciding takes
programs.change_reviewsubmission."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission

from events.models import Event
from partnercenter.models import OperationLog
from programs import reviews
from programs.catalogue import DIFFERENTIATED, DTCSI, ROLE_CERTIFIED
from programs.choices import ReviewStatus
from programs.models import Path as DevPath, PathEnrolment, Review, ReviewSubmission, Stage
from tests.conftest import actor_of, login_client
from tests.factories import UserFactory

from . import test_reviews_uploads as base
from .test_reviews_uploads import NOW, PDF, add, enrol, upload

# the fixtures the upload tests define
on_review, private_root, travel = base.on_review, base.private_root, base.travel


def staff_with(*codenames, username="ops"):
    user = UserFactory(username=username, is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="programs", codename__in=codenames))
    return login_client(user)


@pytest.fixture
def submission(tenant_a, on_review):
    add(tenant_a, on_review, upload("年度报告.pdf", PDF))
    return reviews.submit(actor_of(tenant_a.admin), review=on_review)


def test_an_operator_opens_a_review_in_the_admin(tenant_a, programmes, travel):
    enrol(tenant_a.partner)
    client = staff_with("add_review", "view_review", "change_review")
    local = (NOW + timedelta(days=1)).strftime("%Y-%m-%d")
    response = client.post("/admin/programs/review/add/", {
        "path": DevPath.objects.get(code=DTCSI).pk, "year": 2026, "opens_at_0": NOW.strftime("%Y-%m-%d"),
        "opens_at_1": "00:00:00", "closes_at_0": local, "closes_at_1": "23:59:59", "instructions": "上传材料"})
    assert response.status_code == 302, response.content.decode()[:2000]
    review = Review.objects.get()
    assert review.year == 2026 and review.instructions == "上传材料"
    assert OperationLog.objects.get(action="programs.review_open").result == "success"
    assert Event.objects.get(type="program.review_opened").partner == tenant_a.partner

    change = client.get(f"/admin/programs/review/{review.pk}/change/")
    assert change.status_code == 200


def test_the_submission_page_links_materials_to_the_guarded_download(submission):
    client = staff_with("view_reviewsubmission", username="ops.viewer")
    page = client.get(f"/admin/programs/reviewsubmission/{submission.pk}/change/").content.decode()
    material = submission.materials.get()
    assert f'href="/programs/materials/{material.pk}/"' in page and "年度报告.pdf" in page
    assert "/static/" not in page.split(f"/programs/materials/{material.pk}/")[0][-50:]
    assert client.get(f"/programs/materials/{material.pk}/").status_code == 200
    # viewing is not deciding
    assert client.get(f"/admin/programs/reviewsubmission/{submission.pk}/approve/").status_code == 403
    assert client.post(f"/admin/programs/reviewsubmission/{submission.pk}/return/", {"reason": "x"}).status_code == 403
    assert ReviewSubmission.objects.get().status == ReviewStatus.SUBMITTED


def test_approving_in_the_admin_moves_the_partner_to_the_chosen_stage(tenant_a, submission):
    client = staff_with("view_reviewsubmission", "change_reviewsubmission")
    url = f"/admin/programs/reviewsubmission/{submission.pk}/approve/"
    form = client.get(url).content.decode()
    assert 'id="review-decide-form"' in form and Stage.objects.get(path__code=DTCSI, code=ROLE_CERTIFIED).name in form

    target = Stage.objects.get(path__code=DTCSI, code=DIFFERENTIATED)
    response = client.post(url, {"result_stage": target.pk, "reason": ""})

    assert response.status_code == 302
    assert PathEnrolment.objects.get(partner=tenant_a.partner).stage == target
    assert ReviewSubmission.objects.get().status == ReviewStatus.APPROVED
    assert OperationLog.objects.get(action="programs.review_approve").partner == tenant_a.partner
    # decided: a second decision is refused with a message, nothing changes
    again = client.post(f"/admin/programs/reviewsubmission/{submission.pk}/return/", {"reason": "x"}, follow=True)
    assert ReviewSubmission.objects.get().status == ReviewStatus.APPROVED
    assert again.status_code == 200


def test_returning_in_the_admin_needs_a_reason(tenant_a, submission):
    client = staff_with("view_reviewsubmission", "change_reviewsubmission")
    url = f"/admin/programs/reviewsubmission/{submission.pk}/return/"
    assert client.post(url, {"reason": ""}).status_code == 200   # the form again, with its error
    assert ReviewSubmission.objects.get().status == ReviewStatus.SUBMITTED

    assert client.post(url, {"reason": "缺少项目案例"}).status_code == 302
    returned = ReviewSubmission.objects.get()
    assert returned.status == ReviewStatus.RETURNED and returned.reason == "缺少项目案例"
    assert PathEnrolment.objects.get(partner=tenant_a.partner).stage.code == ROLE_CERTIFIED
    assert Event.objects.filter(type="program.review_returned", partner=tenant_a.partner).count() == 1
