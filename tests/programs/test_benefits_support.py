"""Helpers of the benefits tests (no tests here): enrolments, profiles, an operator, a member with a role."""

from django.test import Client

from programs.catalogue import DTCSI
from programs.models import MemberProfile, Path, PathEnrolment, Stage, TestCouponPackage

from ..conftest import actor_of, login_client
from ..factories import MemberFactory, RoleFactory, UserFactory


def enrol(partner, path_code=DTCSI, stage_code="registered") -> PathEnrolment:
    return PathEnrolment.objects.create(partner=partner, path=Path.objects.get(code=path_code),
                                        stage=Stage.objects.get(path__code=path_code, code=stage_code))


def package(name="支持计划专用券(角色认证)", path_code=DTCSI) -> TestCouponPackage:
    return TestCouponPackage.objects.get(path__code=path_code, name=name)


def located(member, where="深圳", **fields) -> MemberProfile:
    return MemberProfile.objects.update_or_create(member=member, defaults={"work_location": where, **fields})[0]


def operator(username="ops.benefits"):
    return actor_of(UserFactory(username=username, is_staff=True))


def member_with(tenant, *permissions, username=None):
    role = RoleFactory(partner=tenant.partner, permissions=list(permissions))
    return MemberFactory(partner=tenant.partner, roles=[role], **({"user__username": username} if username else {}))


def english(user) -> Client:
    client = login_client(user)
    client.cookies["django_language"] = "en"
    return client
