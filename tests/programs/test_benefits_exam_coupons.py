"""考试券: a member applies for itself, operators issue a code (stored encrypted) or reject; the code is shown to
its member only — not to another member of the partner, not even an administrator; another partner's is 404."""

import pytest
from django.urls import reverse

from events.models import Event
from partnercenter.errors import Codes, DomainError
from partnercenter.models import OperationLog
from programs import benefits
from programs.choices import ExamStatus
from programs.errors_benefits import BenefitCodes
from programs.models import ExamCoupon

from ..conftest import actor_of, login_client
from .test_benefits_support import english, located, operator

pytestmark = pytest.mark.django_db

CODE = "HCIP-7Q2X-99ZK"


def issued(tenant):
    located(tenant.member, uniportal_account="li.si")
    coupon = benefits.apply_exam_coupon(actor_of(tenant.member), level="HCIP", track="HCIP-Cloud Service Solutions "
                                        "Architect")
    return benefits.issue_exam_coupon(operator(), coupon_id=coupon.pk, code=CODE)


def test_apply_with_the_profile_account_and_issue_an_encrypted_code(programmes, tenant_a):
    coupon = issued(tenant_a)
    assert (coupon.status, coupon.uniportal_account, coupon.member) == (ExamStatus.ISSUED, "li.si", tenant_a.member)
    assert CODE not in coupon.code_encrypted and coupon.code_encrypted
    assert benefits.exam_code(actor_of(tenant_a.member), coupon) == CODE
    assert benefits.exam_code(actor_of(tenant_a.admin), coupon) is None
    # neither the log nor the event carries the code
    assert not any(CODE in str(row.detail) for row in OperationLog.objects.all())
    event = Event.objects.get(type="exam_coupon.decided")
    assert CODE not in str(event.data) and event.data["decision"] == "issued"
    assert set(OperationLog.objects.filter(partner=tenant_a.partner).values_list("action", flat=True)) >= {
        "programs.exam_coupon_apply", "programs.exam_coupon_issue"}


def test_the_refusals(programmes, tenant_a):
    member = actor_of(tenant_a.member)

    def code_of(call):
        with pytest.raises(DomainError) as refused:
            call()
        return refused.value.code

    assert code_of(lambda: benefits.apply_exam_coupon(member, level="HCIA", track="HCIA-Cloud")) \
        == BenefitCodes.UNIPORTAL_REQUIRED
    assert code_of(lambda: benefits.apply_exam_coupon(member, level="HCIE", track="x", uniportal_account="a")) \
        == Codes.PARAMETER
    assert code_of(lambda: benefits.apply_exam_coupon(member, level="HCIA", track=" ", uniportal_account="a")) \
        == BenefitCodes.TRACK_REQUIRED
    coupon = benefits.apply_exam_coupon(member, level="HCIA", track="HCIA-Cloud", uniportal_account="a")
    assert code_of(lambda: benefits.apply_exam_coupon(member, level="HCIA", track="HCIA-Cloud",
                                                      uniportal_account="a")) == BenefitCodes.EXAM_OPEN
    assert code_of(lambda: benefits.issue_exam_coupon(operator(), coupon_id=coupon.pk, code=" ")) \
        == BenefitCodes.EXAM_CODE_REQUIRED
    benefits.reject_exam_coupon(operator("ops.x"), coupon_id=coupon.pk, reason="名额已满")
    assert code_of(lambda: benefits.issue_exam_coupon(operator("ops.y"), coupon_id=coupon.pk, code="C")) \
        == BenefitCodes.NOT_PENDING
    assert ExamCoupon.objects.get(pk=coupon.pk).status == ExamStatus.REJECTED


def test_the_code_is_visible_to_its_member_only(programmes, tenant_a, tenant_b):
    coupon = issued(tenant_a)
    detail = reverse("programs:exam_coupon", args=[coupon.pk])

    own = english(tenant_a.member.user)
    own_list, own_detail = own.get(reverse("programs:exam_coupons")), own.get(detail)
    admin = english(tenant_a.admin.user)
    admin_detail = admin.get(detail)
    admin_lists = [admin.get(reverse("programs:exam_coupons")), admin.get(reverse("programs:exam_coupons") + "?tab=team")]
    foreign = login_client(tenant_b.admin.user)

    assert CODE in own_list.content.decode() and CODE in own_detail.content.decode()
    assert "我的券包-暗码考券" in own_detail.content.decode() and "li.si" in own_detail.content.decode()
    assert admin_detail.status_code == 200
    assert CODE not in admin_detail.content.decode() and b"exam-code-hidden" in admin_detail.content
    assert "li.si" not in admin_detail.content.decode()  # nor the member's uniportal account
    assert all(CODE not in page.content.decode() for page in admin_lists)
    assert "HCIP-Cloud Service Solutions Architect" in admin_lists[1].content.decode()  # that one was issued
    assert foreign.get(detail).status_code == 404
    assert CODE not in foreign.get(reverse("programs:exam_coupons") + "?tab=team").content.decode()


def test_any_member_applies_on_the_page(programmes, tenant_a):
    located(tenant_a.member, uniportal_account="wang.wu")
    client = english(tenant_a.member.user)  # a member without benefits rights
    page = client.get(reverse("programs:exam_coupons"))
    response = client.post(reverse("programs:exam_coupons"), {"level": "HCIA", "track": "HCIA-Cloud Computing"})
    again = client.post(reverse("programs:exam_coupons"), {"level": "HCIA", "track": "HCIA-Cloud Computing"})

    assert page.status_code == 200 and b"no-exam-coupons" in page.content and b"tab-team" not in page.content
    assert response.status_code == 302
    coupon = ExamCoupon.objects.get()
    assert (coupon.member, coupon.uniportal_account, coupon.status) == (tenant_a.member, "wang.wu", ExamStatus.APPLYING)
    assert again.status_code == 200 and "already have an open application" in again.content.decode()


def test_another_member_without_benefits_view_gets_404(programmes, tenant_a):
    from .test_benefits_support import member_with
    coupon = issued(tenant_a)
    detail = reverse("programs:exam_coupon", args=[coupon.pk])
    plain = member_with(tenant_a, username="plain.member")
    viewer = member_with(tenant_a, "benefits.view", username="benefits.viewer")

    assert english(plain.user).get(detail).status_code == 404
    seen = english(viewer.user).get(detail)
    assert seen.status_code == 200 and CODE not in seen.content.decode()
    assert english(tenant_a.member.user).get(detail).status_code == 200
