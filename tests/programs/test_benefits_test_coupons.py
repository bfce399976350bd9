"""测试券: the packages of the partner's paths from their stage on, an application per package, an operator's
approval that grants a real quota in vouchers (from which the partner issues a coupon with vouchers' own
issue_coupons), rejection, events, the operation log and the pages."""

from decimal import Decimal

import pytest
from django.urls import reverse

from events.models import Event
from partnercenter.errors import Codes, DomainError
from partnercenter.models import OperationLog
from programs import benefits
from programs.choices import ApplicationStatus
from programs.errors_benefits import BenefitCodes
from programs.models import TestCouponApplication
from vouchers import services as vouchers
from vouchers.choices import QuotaType
from vouchers.models import Coupon, CouponQuota

from ..conftest import actor_of, login_client
from .test_benefits_support import enrol, english, member_with, operator, package

pytestmark = pytest.mark.django_db

ROLE, DIFFERENTIATED = "支持计划专用券(角色认证)", "支持计划专用券(差异化)"


def apply(tenant, name=ROLE, amount="1000.00", purpose="POC 测试", **kwargs):
    return benefits.apply_test_coupon(actor_of(tenant.admin), package_id=package(name).pk, amount=amount,
                                      purpose=purpose, **kwargs)


def refusal_of(call) -> str:
    with pytest.raises(DomainError) as refused:
        call()
    return refused.value.code


def test_an_approval_grants_a_quota_the_partner_issues_a_coupon_from(programmes, tenant_a):
    enrol(tenant_a.partner, stage_code="role-certified")
    application = apply(tenant_a, amount="2000.00")
    approved = benefits.approve_test_coupon(operator(), application_id=application.pk, amount="1500.00")

    quota = approved.quota
    assert (approved.status, approved.approved_amount) == (ApplicationStatus.APPROVED, Decimal("1500.00"))
    assert (quota.partner, quota.quota_type, quota.quota_value, quota.balance) == (
        tenant_a.partner, QuotaType.CASH_COUPON, Decimal("1500.00"), Decimal("1500.00"))
    assert quota.cloud_service_types == package(ROLE).cloud_service_types
    # vouchers' own issue: a cash coupon to the partner's resale customer
    infos, errors = vouchers.issue_coupons(actor_of(tenant_a.admin), quota_id=quota.quota_id,
                                           customer_ids=[tenant_a.resale.domain_id], face_value="500.00")
    assert errors == []
    assert Coupon.objects.get(coupon_id=infos[0]["coupon_id"]).customer == tenant_a.resale
    assert CouponQuota.objects.get(pk=quota.pk).balance == Decimal("1000.00")
    # the partner hears of it, with the quota; the grant and the approval are both in its log
    event = Event.objects.get(type="test_coupon.decided")
    assert (event.partner, event.data["decision"], event.data["quota_id"], event.data["amount"]) == (
        tenant_a.partner, "approved", quota.quota_id, "1500.00")
    assert set(OperationLog.objects.filter(partner=tenant_a.partner, result="success").values_list(
        "action", flat=True)) >= {"programs.test_coupon_apply", "programs.test_coupon_approve", "quotas.grant"}


def test_a_package_is_not_available_below_its_stage(programmes, tenant_a, tenant_b):
    enrol(tenant_a.partner, stage_code="registered")
    assert refusal_of(lambda: apply(tenant_a)) == BenefitCodes.PACKAGE_NOT_AVAILABLE
    enrol(tenant_b.partner, stage_code="role-certified")
    assert refusal_of(lambda: apply(tenant_b, DIFFERENTIATED)) == BenefitCodes.PACKAGE_NOT_AVAILABLE
    apply(tenant_b, ROLE)  # its own stage's package is
    assert TestCouponApplication.objects.filter(partner=tenant_a.partner).count() == 0
    assert OperationLog.objects.filter(action="programs.test_coupon_apply", result="failure").count() == 2


def test_a_package_of_a_path_the_partner_is_not_on_is_not_found(programmes, tenant_a):
    assert refusal_of(lambda: apply(tenant_a)) == Codes.NOT_FOUND


def test_amounts_above_the_maximum_or_malformed_are_refused(programmes, tenant_a):
    enrol(tenant_a.partner, stage_code="differentiated")
    assert refusal_of(lambda: apply(tenant_a, ROLE, amount="5000.01")) == BenefitCodes.AMOUNT_ABOVE_MAX
    assert refusal_of(lambda: apply(tenant_a, ROLE, amount="0")) == Codes.PARAMETER
    assert refusal_of(lambda: apply(tenant_a, ROLE, amount="10.001")) == Codes.PARAMETER
    assert refusal_of(lambda: apply(tenant_a, ROLE, purpose="  ")) == BenefitCodes.PURPOSE_REQUIRED
    apply(tenant_a, ROLE, amount="5000.00")  # the maximum itself is fine
    apply(tenant_a, DIFFERENTIATED, amount="20000.00")  # and a later stage's package
    assert TestCouponApplication.objects.count() == 2


def test_one_open_application_per_package_and_another_after_a_decision(programmes, tenant_a):
    enrol(tenant_a.partner, stage_code="role-certified")
    first = apply(tenant_a)
    assert refusal_of(lambda: apply(tenant_a)) == BenefitCodes.APPLICATION_OPEN
    benefits.reject_test_coupon(operator(), application_id=first.pk, reason="用途不清晰")
    second = apply(tenant_a)
    assert second.status == ApplicationStatus.APPLYING


def test_the_approval_is_checked(programmes, tenant_a):
    enrol(tenant_a.partner, stage_code="role-certified")
    application = apply(tenant_a, amount="1000.00")
    assert refusal_of(lambda: benefits.approve_test_coupon(operator(), application_id=application.pk,
                                                           amount="1000.01")) == BenefitCodes.APPROVED_ABOVE_REQUESTED
    assert refusal_of(lambda: benefits.approve_test_coupon(actor_of(tenant_a.admin), application_id=application.pk,
                                                           amount="10.00")) == Codes.FORBIDDEN
    assert refusal_of(lambda: benefits.reject_test_coupon(operator("ops.r"), application_id=application.pk,
                                                          reason="")) == BenefitCodes.REASON_REQUIRED
    assert not CouponQuota.objects.exists()
    benefits.approve_test_coupon(operator("ops.a"), application_id=application.pk, amount="1000.00")
    assert refusal_of(lambda: benefits.approve_test_coupon(operator("ops.b"), application_id=application.pk,
                                                           amount="1000.00")) == BenefitCodes.NOT_PENDING
    assert CouponQuota.objects.count() == 1  # a second approval grants nothing


def test_the_approval_rechecks_the_package_the_stage_and_the_partner(programmes, tenant_a):
    from partnercenter.choices import PartnerStatus
    from programs.models import PathEnrolment, Stage, TestCouponPackage

    enrolment = enrol(tenant_a.partner, stage_code="role-certified")
    application = apply(tenant_a)

    def approve():
        return refusal_of(lambda: benefits.approve_test_coupon(operator(), application_id=application.pk,
                                                               amount="10.00"))

    TestCouponPackage.objects.filter(pk=application.package_id).update(is_active=False)  # closed since
    assert approve() == BenefitCodes.PACKAGE_NOT_AVAILABLE
    TestCouponPackage.objects.filter(pk=application.package_id).update(is_active=True)
    PathEnrolment.objects.filter(pk=enrolment.pk).update(  # moved back a stage since
        stage=Stage.objects.get(path=enrolment.path, code="registered"))
    assert approve() == BenefitCodes.PACKAGE_NOT_AVAILABLE
    PathEnrolment.objects.filter(pk=enrolment.pk).update(stage=enrolment.stage)
    type(tenant_a.partner).objects.filter(pk=tenant_a.partner.pk).update(status=PartnerStatus.SUSPENDED)
    assert approve() == BenefitCodes.PACKAGE_NOT_AVAILABLE
    PathEnrolment.objects.filter(pk=enrolment.pk).delete()  # off the path altogether
    type(tenant_a.partner).objects.filter(pk=tenant_a.partner.pk).update(status=PartnerStatus.ACTIVE)
    assert approve() == BenefitCodes.PACKAGE_NOT_AVAILABLE
    application.refresh_from_db()
    assert (application.status, application.quota) == (ApplicationStatus.APPLYING, None)
    assert not CouponQuota.objects.exists()


def test_a_failed_grant_leaves_the_application_open(programmes, tenant_a, monkeypatch):
    enrol(tenant_a.partner, stage_code="role-certified")
    application = apply(tenant_a)

    def refuse(*args, **kwargs):
        raise DomainError(Codes.PARAMETER, "no")

    monkeypatch.setattr(benefits, "grant_quota", refuse)
    assert refusal_of(lambda: benefits.approve_test_coupon(operator(), application_id=application.pk,
                                                           amount="10.00")) == Codes.PARAMETER
    application.refresh_from_db()
    assert (application.status, application.quota) == (ApplicationStatus.APPLYING, None)
    assert not Event.objects.filter(type="test_coupon.decided").exists()


def test_the_rejection_is_told_with_its_reason(programmes, tenant_a):
    enrol(tenant_a.partner, stage_code="role-certified")
    application = apply(tenant_a)
    benefits.reject_test_coupon(operator(), application_id=application.pk, reason="用途不清晰")
    event = Event.objects.get(type="test_coupon.decided")
    assert (event.data["decision"], event.data["reason"]) == ("rejected", "用途不清晰")
    response = english(tenant_a.admin.user).get(reverse("programs:test_coupons"))
    assert "用途不清晰" in response.content.decode()


def test_the_pages(programmes, tenant_a, tenant_b):
    enrol(tenant_a.partner, stage_code="role-certified")
    client = english(tenant_a.admin.user)
    listed = client.get(reverse("programs:test_coupons"))
    assert listed.status_code == 200
    body = listed.content.decode()
    assert ROLE in body and DIFFERENTIATED in body and "from the stage 能力差异化认证" in body
    assert reverse("programs:test_coupon_apply", args=[package(ROLE).pk]) in body
    assert reverse("programs:test_coupon_apply", args=[package(DIFFERENTIATED).pk]) not in body

    url = reverse("programs:test_coupon_apply", args=[package(ROLE).pk])
    step = client.post(url, {"amount": "800.00", "purpose": "客户 POC"})
    assert b"Send this application?" in step.content and not TestCouponApplication.objects.exists()
    client.post(url, {"amount": "800.00", "purpose": "客户 POC", "confirm": "1",
                      "token": step.context["confirm"]["token"].value()})
    application = TestCouponApplication.objects.get()
    assert (application.amount, application.applied_by) == (Decimal("800.00"), tenant_a.admin.user)
    assert b"application-open" in client.get(url).content

    below = client.get(reverse("programs:test_coupon_apply", args=[package(DIFFERENTIATED).pk]))
    assert below.status_code == 200 and b"package-not-available" in below.content
    # another partner (on no path) does not find the package; B's list shows none of A's applications
    assert login_client(tenant_b.admin.user).get(url).status_code == 404
    assert "客户 POC" not in login_client(tenant_b.admin.user).get(reverse("programs:test_coupons")).content.decode()
    # rights: viewing takes benefits.view, applying benefits.apply
    viewer = member_with(tenant_a, "benefits.view")
    assert login_client(viewer.user).get(reverse("programs:test_coupons")).status_code == 200
    assert login_client(viewer.user).get(url).status_code == 403
    assert login_client(tenant_a.member.user).get(reverse("programs:test_coupons")).status_code == 403


def test_the_page_asks_for_the_verification_code_when_the_partner_has_it_on(programmes, tenant_a):
    enrol(tenant_a.partner, stage_code="role-certified")
    tenant_a.partner.verification_enabled = True
    tenant_a.partner.save()
    assert refusal_of(lambda: apply(tenant_a)) in (Codes.VERIFICATION_NO_DEVICE, Codes.VERIFICATION_REQUIRED)
    assert not TestCouponApplication.objects.exists()
