"""Checked, locked, checked again (PostgreSQL): two approvals of one test-coupon application grant one quota;
two applications for the same member and path, or the same package, make one row."""

import pytest
from django.db import connection

from programs import benefits, specialists
from programs.catalogue import DTCSI, seed_definitions
from programs.errors_benefits import BenefitCodes
from programs.models import Path, ProjectSpecialist, TestCouponApplication
from vouchers.models import CouponQuota

from ..billing.test_races import refusal, while_committing
from ..conftest import actor_of
from .test_benefits_support import enrol, located, operator, package

needs_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL")
pytestmark = [needs_postgres, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_approvals_of_one_application_grant_one_quota(tenant_a):
    seed_definitions()
    enrol(tenant_a.partner, stage_code="role-certified")
    application = benefits.apply_test_coupon(actor_of(tenant_a.admin), package_id=package().pk, amount="100.00",
                                             purpose="POC")
    first, second = operator("ops.one"), operator("ops.two")

    outcome = while_committing(
        lambda: benefits.approve_test_coupon(first, application_id=application.pk, amount="100.00"),
        lambda: benefits.approve_test_coupon(second, application_id=application.pk, amount="100.00"))

    assert refusal(outcome) == BenefitCodes.NOT_PENDING
    assert CouponQuota.objects.filter(partner=tenant_a.partner).count() == 1


def test_two_applications_for_one_package_make_one(tenant_a):
    seed_definitions()
    enrol(tenant_a.partner, stage_code="role-certified")
    apply = lambda: benefits.apply_test_coupon(actor_of(tenant_a.admin), package_id=package().pk,  # noqa: E731
                                               amount="100.00", purpose="POC")
    outcome = while_committing(apply, apply)
    assert refusal(outcome) == BenefitCodes.APPLICATION_OPEN
    assert TestCouponApplication.objects.count() == 1


def test_two_specialist_applications_for_one_member_make_one(tenant_a):
    seed_definitions()
    enrol(tenant_a.partner)
    located(tenant_a.member)
    apply = lambda: specialists.apply(actor_of(tenant_a.admin), member_id=tenant_a.member.pk,  # noqa: E731
                                      path_id=Path.objects.get(code=DTCSI).pk)
    outcome = while_committing(apply, apply)
    assert refusal(outcome) == BenefitCodes.SPECIALIST_OPEN
    assert ProjectSpecialist.objects.count() == 1
