"""Where a partner stands: each metric counted from real rows, CONFIRMED requirements, the stage advance
refused until the next stage's requirements are met, and a constant number of statements."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from customers.models import Association
from events.models import Event
from partnercenter.errors import DomainError
from partnercenter.models import OperationLog
from programs import membership as services
from programs.catalogue import DTCSI, SOFTWARE
from programs.choices import CertificationStatus, Metric, RequirementKind, SpecialistStatus
from programs.errors_standing import StandingCodes
from programs.models import Requirement, RequirementConfirmation
from programs.standing import home_summary, standing_of

from ..factories import AssociationFactory
from .test_standing_support import (
    certified_solution, certify, enrol, operator, sign, specialist, stage,
)

pytestmark = pytest.mark.django_db


def checklist(partner, path_code):
    return {check.label: (check.value, check.threshold, check.met)
            for check in standing_of(partner).on(path_code).checklist}


def test_role_certification_counts_certification_agreements_and_specialists(programmes, tenant_a, tenant_b):
    enrol(tenant_a.partner, DTCSI, "registered")
    certify(tenant_a.partner, CertificationStatus.SUBMITTED)         # not verified yet
    sign(tenant_a.partner, published=False)                          # a draft does not count
    specialist(tenant_a.partner, status=SpecialistStatus.APPLYING)
    specialist(tenant_a.partner, SOFTWARE)                           # another path
    specialist(tenant_a.partner, active=False)                       # a deactivated member
    specialist(tenant_b.partner)                                     # another partner's

    assert checklist(tenant_a.partner, DTCSI) == {
        "完成商业信息认证": (0, 1, False), "签署伙伴协议": (0, 1, False), "至少 1 名项目专员": (0, 1, False)}

    tenant_a.partner.business_certification.status = CertificationStatus.VERIFIED
    tenant_a.partner.business_certification.save()
    sign(tenant_a.partner, version="v2")
    specialist(tenant_a.partner)

    assert checklist(tenant_a.partner, DTCSI) == {
        "完成商业信息认证": (1, 1, True), "签署伙伴协议": (1, 1, True), "至少 1 名项目专员": (1, 1, True)}
    assert standing_of(tenant_a.partner).on(DTCSI).ready


def test_differentiation_counts_active_customers_and_the_operators_confirmation(programmes, tenant_a):
    enrolment = enrol(tenant_a.partner, DTCSI, "role-certified")
    for _ in range(2):
        specialist(tenant_a.partner)
    AssociationFactory.create_batch(2, partner=tenant_a.partner)      # + the tenant's own two
    Association.objects.filter(customer=tenant_a.resale).update(ended_on=enrolment.since)  # ended: not counted

    assert checklist(tenant_a.partner, DTCSI) == {
        "至少 3 名项目专员": (2, 3, False), "服务至少 5 个客户": (3, 5, False), "通过能力差异化答辩": (0, 1, False)}

    confirmed = Requirement.objects.get(stage=stage(DTCSI, "differentiated"), kind=RequirementKind.CONFIRMED)
    services.confirm_requirement(operator(), partner_id=tenant_a.partner.pk, requirement_id=confirmed.pk, note="答辩通过")

    assert checklist(tenant_a.partner, DTCSI)["通过能力差异化答辩"] == (1, 1, True)
    assert [c.label for c in standing_of(tenant_a.partner).on(DTCSI).missing] == ["至少 3 名项目专员", "服务至少 5 个客户"]


def test_software_differentiation_counts_certified_solutions(programmes, tenant_a, tenant_b):
    enrol(tenant_a.partner, SOFTWARE, "role-certified")
    certified_solution(tenant_b.partner)
    label = "伙伴至少有完成1个先进云软件认证的应用与软件解决方案"
    assert checklist(tenant_a.partner, SOFTWARE)[label] == (0, 1, False)
    certified_solution(tenant_a.partner)
    assert checklist(tenant_a.partner, SOFTWARE)[label] == (1, 1, True)


def test_only_confirmed_kind_requirements_can_be_confirmed(programmes, tenant_a):
    computed = Requirement.objects.filter(metric=Metric.CUSTOMERS).first()
    with pytest.raises(DomainError) as refused:
        services.confirm_requirement(operator(), partner_id=tenant_a.partner.pk, requirement_id=computed.pk)
    assert refused.value.code == StandingCodes.NOT_CONFIRMABLE and not RequirementConfirmation.objects.exists()


def test_the_advance_is_refused_until_every_requirement_is_met(programmes, tenant_a):
    enrolment = enrol(tenant_a.partner, DTCSI, "registered")
    certify(tenant_a.partner)

    with pytest.raises(DomainError) as refused:
        services.advance_stage(operator(), enrolment_id=enrolment.pk)
    enrolment.refresh_from_db()
    assert refused.value.code == StandingCodes.REQUIREMENTS_NOT_MET
    assert "签署伙伴协议" in refused.value.message and "至少 1 名项目专员" in refused.value.message
    assert "完成商业信息认证" not in refused.value.message
    assert enrolment.stage.code == "registered" and not Event.objects.filter(type="program.stage_advanced").exists()

    sign(tenant_a.partner)
    specialist(tenant_a.partner)
    moved = services.advance_stage(operator(), enrolment_id=enrolment.pk)

    assert moved.stage.code == "role-certified"
    event = Event.objects.get(type="program.stage_advanced")
    assert (event.partner, event.data["stage"], event.data["path"]) == (tenant_a.partner, "角色认证", "数字化转型咨询与系统集成")
    assert list(OperationLog.objects.filter(action="programs.advance_stage").values_list("result", flat=True)
                .order_by("id")) == ["failure", "success"]


def test_the_last_stage_cannot_be_advanced(programmes, tenant_a):
    enrolment = enrol(tenant_a.partner, SOFTWARE, "differentiated")
    with pytest.raises(DomainError) as refused:
        services.advance_stage(operator(), enrolment_id=enrolment.pk)
    assert refused.value.code == StandingCodes.LAST_STAGE
    assert standing_of(tenant_a.partner).on(SOFTWARE).is_last_stage


def test_enrol_puts_a_partner_at_the_first_stage_once(programmes, tenant_a):
    enrolment = services.enrol(operator(), partner_id=tenant_a.partner.pk, path_code=DTCSI)
    with pytest.raises(DomainError) as again:
        services.enrol(operator(), partner_id=tenant_a.partner.pk, path_code=DTCSI)
    assert enrolment.stage.code == "registered" and again.value.code == StandingCodes.ALREADY_ON_PATH


def _statements(partner):
    with CaptureQueriesContext(connection) as captured:
        standing = standing_of(partner)
        summary = home_summary(partner)
        [c.met for ps in standing.paths for c in ps.checklist] + [c.met for ps in summary for c in ps.missing]
    return len(captured)


def test_the_standing_takes_the_same_statements_however_many_requirements_and_rows(programmes, tenant_a):
    enrol(tenant_a.partner, DTCSI, "role-certified")
    few = _statements(tenant_a.partner)

    enrol(tenant_a.partner, SOFTWARE, "role-certified")
    next_stage = stage(DTCSI, "differentiated")
    for n in range(4):
        Requirement.objects.create(stage=next_stage, label=f"额外 {n}", kind=RequirementKind.COMPUTED,
                                   metric=Metric.CUSTOMERS, threshold=n + 1, rank=10 + n)
        Requirement.objects.create(stage=next_stage, label=f"确认 {n}", kind=RequirementKind.CONFIRMED, rank=20 + n)
    for _ in range(3):
        specialist(tenant_a.partner)
        specialist(tenant_a.partner, SOFTWARE)
        certified_solution(tenant_a.partner)
    many = _statements(tenant_a.partner)

    assert many == few
    # enrolments, paths, stages, requirements, confirmations, partner-wide metrics, specialists — twice
    assert few <= 2 * 7
