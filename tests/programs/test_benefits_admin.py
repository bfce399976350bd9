"""The operators' side in the admin: approve a test-coupon application with an amount (a form page, then the
quota), reject with a reason, issue an exam coupon's code (never shown back), approve a project specialist,
grant a badge — each through the services, and only with the model's change permission."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Permission
from django.urls import reverse

from partnercenter.models import OperationLog
from programs import benefits, specialists
from programs.catalogue import DTCSI
from programs.choices import ApplicationStatus, ExamStatus, SpecialistStatus
from programs.models import Badge, Path, ProjectSpecialist, TestCouponApplication

from ..conftest import actor_of, login_client
from ..factories import UserFactory
from .test_benefits_support import enrol, located, package

pytestmark = pytest.mark.django_db


def staff(*codenames):
    user = UserFactory(username=f"staff-{'-'.join(codenames) or 'none'}", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="programs", codename__in=codenames))
    return login_client(user)


def act(client, model, action, pks, **data):
    return client.post(reverse(f"admin:programs_{model}_changelist"), {
        "action": action, ACTION_CHECKBOX_NAME: [str(pk) for pk in pks], **data})


def test_approve_with_an_amount_grants_the_quota(programmes, tenant_a):
    enrol(tenant_a.partner, stage_code="role-certified")
    application = benefits.apply_test_coupon(actor_of(tenant_a.admin), package_id=package().pk, amount="900.00",
                                             purpose="POC")
    client = staff("view_testcouponapplication", "change_testcouponapplication")

    form = act(client, "testcouponapplication", "approve", [application.pk])
    assert form.status_code == 200 and b"action-form" in form.content
    act(client, "testcouponapplication", "approve", [application.pk], _decide="1", amount="600.00")

    application.refresh_from_db()
    assert (application.status, application.approved_amount, application.quota.balance) == (
        ApplicationStatus.APPROVED, Decimal("600.00"), Decimal("600.00"))


def test_approve_without_an_amount_grants_what_was_applied_for_and_reject_needs_a_reason(programmes, tenant_a):
    enrol(tenant_a.partner, stage_code="differentiated")
    first = benefits.apply_test_coupon(actor_of(tenant_a.admin), package_id=package().pk, amount="700.00",
                                       purpose="POC")
    second = benefits.apply_test_coupon(actor_of(tenant_a.admin), package_id=package("支持计划专用券(差异化)").pk,
                                        amount="800.00", purpose="POC")
    client = staff("view_testcouponapplication", "change_testcouponapplication")
    act(client, "testcouponapplication", "approve", [first.pk], _decide="1", amount="")
    act(client, "testcouponapplication", "reject", [second.pk], _decide="1", reason="")  # no reason: the form again
    assert TestCouponApplication.objects.get(pk=second.pk).status == ApplicationStatus.APPLYING
    act(client, "testcouponapplication", "reject", [second.pk], _decide="1", reason="资料不全")

    assert TestCouponApplication.objects.get(pk=first.pk).approved_amount == Decimal("700.00")
    rejected = TestCouponApplication.objects.get(pk=second.pk)
    assert (rejected.status, rejected.reason) == (ApplicationStatus.REJECTED, "资料不全")


def test_staff_without_the_change_permission_cannot_decide(programmes, tenant_a):
    enrol(tenant_a.partner, stage_code="role-certified")
    application = benefits.apply_test_coupon(actor_of(tenant_a.admin), package_id=package().pk, amount="900.00",
                                             purpose="POC")
    client = staff("view_testcouponapplication")
    act(client, "testcouponapplication", "approve", [application.pk], _decide="1", amount="600.00")
    assert TestCouponApplication.objects.get(pk=application.pk).status == ApplicationStatus.APPLYING


def test_issue_an_exam_code_which_the_admin_never_shows(programmes, tenant_a):
    coupon = benefits.apply_exam_coupon(actor_of(tenant_a.member), level="HCIA", track="HCIA-Cloud",
                                        uniportal_account="zhao.liu")
    client = staff("view_examcoupon", "change_examcoupon")
    act(client, "examcoupon", "issue", [coupon.pk], _decide="1", code="SECRET-CODE-1", expires_on="2099-12-31")

    coupon.refresh_from_db()
    assert (coupon.status, coupon.expires_on) == (ExamStatus.ISSUED, date(2099, 12, 31))
    change = client.get(reverse("admin:programs_examcoupon_change", args=[coupon.pk]))
    listed = client.get(reverse("admin:programs_examcoupon_changelist"))
    assert change.status_code == 200
    assert b"SECRET-CODE-1" not in change.content and coupon.code_encrypted.encode() not in change.content
    assert b"SECRET-CODE-1" not in listed.content


def test_specialists_and_badges(programmes, tenant_a):
    enrol(tenant_a.partner)
    located(tenant_a.member)
    specialist = specialists.apply(actor_of(tenant_a.admin), member_id=tenant_a.member.pk,
                                   path_id=Path.objects.get(code=DTCSI).pk)
    client = staff("view_projectspecialist", "change_projectspecialist", "add_badge", "view_badge", "change_badge")
    act(client, "projectspecialist", "approve", [specialist.pk])
    assert ProjectSpecialist.objects.get(pk=specialist.pk).status == SpecialistStatus.APPROVED

    client.post(reverse("admin:programs_badge_add"), {
        "partner": tenant_a.partner.pk, "path": Path.objects.get(code=DTCSI).pk, "capability": "云迁移",
        "earned_on": "2026-01-10", "valid_until": "2027-01-09"})
    badge = Badge.objects.get()
    assert (badge.partner, badge.capability) == (tenant_a.partner, "云迁移")
    assert OperationLog.objects.filter(action="programs.badge_grant", partner=tenant_a.partner).count() == 1
    assert not OperationLog.objects.filter(action="operator.add").exists()  # logged once, by the service


@pytest.mark.parametrize("amount", ["1e3", "１０００", "600.001"])
def test_the_approved_amount_is_plain_decimal_notation(programmes, tenant_a, amount):
    enrol(tenant_a.partner, stage_code="role-certified")
    application = benefits.apply_test_coupon(actor_of(tenant_a.admin), package_id=package().pk, amount="1000.00",
                                             purpose="POC")
    client = staff("view_testcouponapplication", "change_testcouponapplication")
    response = act(client, "testcouponapplication", "approve", [application.pk], _decide="1", amount=amount)

    assert response.status_code == 200 and b"action-form" in response.content  # the form again, with its error
    application.refresh_from_db()
    assert (application.status, application.quota) == (ApplicationStatus.APPLYING, None)


def test_a_badge_edit_keeps_valid_until_after_the_read_only_earned_on(programmes, tenant_a):
    from programs import badges

    badge = badges.grant(actor_of(UserFactory(username="ops.badge", is_staff=True)), partner=tenant_a.partner,
                         capability="云迁移", earned_on=date(2026, 1, 10), valid_until=date(2027, 1, 9))
    client = staff("view_badge", "change_badge")
    url = reverse("admin:programs_badge_change", args=[badge.pk])
    path = Path.objects.get(code=DTCSI).pk
    refused = client.post(url, {"path": path, "valid_until": "2026-01-10"})
    badge.refresh_from_db()
    assert refused.status_code == 200 and badge.valid_until == date(2027, 1, 9)
    assert refused.context["adminform"].form.non_field_errors()  # valid until must be after earned_on
    client.post(url, {"path": path, "valid_until": "2028-01-09"})
    badge.refresh_from_db()
    assert badge.valid_until == date(2028, 1, 9)


def test_the_package_form_checks_the_service_types_and_the_stage_of_its_path(programmes):
    from programs.admin_benefits import TestCouponPackageForm
    from programs.models import Stage

    own = package()
    other_stage = Stage.objects.exclude(path=own.path).first()

    def form(**changes):
        data = {"path": own.path_id, "min_stage": own.min_stage_id, "name": own.name, "quota_type": own.quota_type,
                "max_amount": "1000.00", "valid_days": 90, "cloud_service_types": '["hws.service.type.ec2"]',
                "is_active": "on", **changes}
        return TestCouponPackageForm(data, instance=own)

    assert form().is_valid(), form().errors
    assert form(cloud_service_types="[]").is_valid()
    for wrong in ('{"a": 1}', "[1, 2]", '"ec2"', '["ec2", ""]'):
        assert "cloud_service_types" in form(cloud_service_types=wrong).errors, wrong
    if other_stage is not None:
        assert "min_stage" in form(min_stage=other_stage.pk).errors
