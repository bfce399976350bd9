"""The benefits pages run a constant number of queries whatever the rows (one row vs three), and each list has
its empty state."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partnercenter import secretbox
from programs.catalogue import DTCSI
from programs.choices import ExamStatus
from programs.models import Badge, ExamCoupon, Path, ProjectSpecialist, TestCouponApplication

from ..conftest import login_client
from ..factories import MemberFactory
from .test_benefits_support import enrol, located, package

pytestmark = pytest.mark.django_db

PAGES = ["programs:specialists", "programs:test_coupons", "programs:exam_coupons", "programs:badges"]


def add_rows(tenant, start, count):
    dtcsi = Path.objects.get(code=DTCSI)
    for n in range(start, start + count):
        member = MemberFactory(partner=tenant.partner)
        located(member)
        ProjectSpecialist.objects.create(member=member, path=dtcsi)
        TestCouponApplication.objects.create(partner=tenant.partner, package=package(), amount="10.00",
                                             purpose=f"p{n}", status="rejected")
        ExamCoupon.objects.create(member=tenant.admin, level="HCIA", track=f"HCIA-{n}", uniportal_account="u",
                                  status=ExamStatus.ISSUED, code_encrypted=_code())
        ExamCoupon.objects.create(member=member, level="HCIP", track=f"HCIP-{n}", uniportal_account="v")
        Badge.objects.create(partner=tenant.partner, path=dtcsi, capability=f"能力{n}", earned_on=date(2026, 1, 1))


def _code():
    return secretbox.encrypt("CODE")


def queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_constant_queries_and_empty_states(programmes, tenant_a):
    enrol(tenant_a.partner, stage_code="role-certified")
    client = login_client(tenant_a.admin.user)
    urls = [reverse(name) for name in PAGES] + [reverse("programs:exam_coupons") + "?tab=team"]
    empty = {url: client.get(url).content.decode() for url in urls}
    for marker, url in zip(["no-specialists", "no-applications", "no-exam-coupons", "no-badges", "no-team-exam"],
                           urls):
        assert marker in empty[url]

    add_rows(tenant_a, 0, 1)
    one = [queries(client, url) for url in urls]
    add_rows(tenant_a, 1, 2)
    three = [queries(client, url) for url in urls]
    assert one == three
