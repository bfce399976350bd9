"""Certified solutions (counted by CERTIFIED_SOLUTIONS): operators record, correct and remove them through
programs.solutions — logged under the partner — from the admin too."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from partnercenter.errors import Codes, DomainError
from partnercenter.models import OperationLog
from programs import solutions
from programs.models import CertifiedSolution

from ..conftest import actor_of, login_client
from ..factories import UserFactory
from .test_standing_support import certified_solution, operator

pytestmark = pytest.mark.django_db


@pytest.fixture
def ops():
    client = login_client(UserFactory(username="ops", is_staff=True, is_superuser=True))
    client.cookies["django_language"] = "en"
    return client


def _logs():
    return list(OperationLog.objects.filter(action__startswith="programs.solution_").order_by("pk").values_list(
        "action", "partner_id", "actor_kind", "result"))


def test_the_services_write_log_entries_under_the_partner(programmes, tenant_a):
    actor = operator()
    solution = solutions.record_solution(actor, partner_id=tenant_a.partner.pk, name=" 云应用 ",
                                         certification="先进云软件认证", certified_on=date(2026, 1, 5))
    solutions.update_solution(actor, solution_id=solution.pk, name="云应用 2", certification="先进云软件认证",
                              certified_on=date(2026, 1, 6))
    solution.refresh_from_db()
    assert (solution.partner, solution.name, solution.certified_on) == (tenant_a.partner, "云应用 2", date(2026, 1, 6))
    solutions.remove_solution(actor, solution_id=solution.pk)

    assert not CertifiedSolution.objects.exists()
    pk = tenant_a.partner.pk
    assert _logs() == [("programs.solution_record", pk, "operator", "success"),
                       ("programs.solution_update", pk, "operator", "success"),
                       ("programs.solution_remove", pk, "operator", "success")]
    update = OperationLog.objects.get(action="programs.solution_update")
    assert (update.detail["name"], update.detail["before"]["name"]) == ("云应用 2", "云应用")


def test_a_member_cannot_record_and_bad_values_are_refused(programmes, tenant_a):
    with pytest.raises(DomainError) as member:
        solutions.record_solution(actor_of(tenant_a.admin), partner_id=tenant_a.partner.pk, name="x",
                                  certification="y", certified_on=date(2026, 1, 5))
    with pytest.raises(DomainError) as future:
        solutions.record_solution(operator(), partner_id=tenant_a.partner.pk, name="x", certification="y",
                                  certified_on=timezone.localdate() + timedelta(days=1))
    assert member.value.code == Codes.FORBIDDEN and future.value.code == Codes.PARAMETER
    assert not CertifiedSolution.objects.exists()


def test_the_admin_records_corrects_and_removes_through_the_services(programmes, tenant_a, ops):
    ops.post(reverse("admin:programs_certifiedsolution_add"), {
        "partner": tenant_a.partner.pk, "name": "云应用", "certification": "先进云软件认证",
        "certified_on": "2026-01-05"})
    solution = CertifiedSolution.objects.get()
    change = reverse("admin:programs_certifiedsolution_change", args=[solution.pk])
    assert ops.get(change).status_code == 200
    ops.post(change, {"name": "云应用 2", "certification": "先进云软件认证", "certified_on": "2026-01-06"})
    solution.refresh_from_db()
    assert solution.name == "云应用 2"
    ops.post(reverse("admin:programs_certifiedsolution_delete", args=[solution.pk]), {"post": "yes"})
    other = certified_solution(tenant_a.partner, name="另一个")
    ops.post(reverse("admin:programs_certifiedsolution_changelist"),
             {"action": "delete_selected", "_selected_action": [str(other.pk)], "post": "yes"})

    assert not CertifiedSolution.objects.exists()
    pk = tenant_a.partner.pk
    assert [(action, partner) for action, partner, _kind, _result in _logs()] == [
        ("programs.solution_record", pk), ("programs.solution_update", pk), ("programs.solution_remove", pk),
        ("programs.solution_remove", pk)]


def test_the_admin_shows_a_refusal_and_adds_nothing(programmes, tenant_a, ops):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = ops.post(reverse("admin:programs_certifiedsolution_add"), {
        "partner": tenant_a.partner.pk, "name": "云应用", "certification": "先进云软件认证",
        "certified_on": tomorrow}, follow=True)

    assert "not in the future" in response.content.decode()
    assert not CertifiedSolution.objects.exists()
    assert _logs() == [("programs.solution_record", tenant_a.partner.pk, "operator", "failure")]
