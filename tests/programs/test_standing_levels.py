"""提升等级: the next level of a joined programme, refused with every reason (查看原因); the operator's
decision checks the stage again."""

import pytest

from events.models import Event
from partnercenter.errors import Codes, DomainError
from partnercenter.models import OperationLog
from programs import membership as services
from programs.catalogue import DTCSI, SOFTWARE
from programs.choices import ApplicationStatus, MembershipStatus
from programs.errors_standing import StandingCodes
from programs.models import LevelRequest, Membership, PathEnrolment, ProgramLevel

from ..conftest import actor_of
from .test_standing_support import enrol, operator, program, stage

pytestmark = pytest.mark.django_db


def joined(partner, level="certified"):
    return Membership.objects.create(partner=partner, program=program(), status=MembershipStatus.JOINED,
                                      level=ProgramLevel.objects.get(program=program(), code=level) if level else None)


def codes(partner, membership):
    return [r.code for r in services.level_refusals(partner, membership)[1]]


def test_not_on_the_path_of_the_level_names_the_path_to_register_on(programmes, tenant_a):
    membership = joined(tenant_a.partner)
    enrol(tenant_a.partner, SOFTWARE, "differentiated")          # another path does not count

    level, refusals = services.level_refusals(tenant_a.partner, membership)
    with pytest.raises(DomainError) as refused:
        services.request_level(actor_of(tenant_a.admin), membership_id=membership.pk)

    assert level.code == "preferred"
    assert [(r.code, r.path.code) for r in refusals] == [("not_on_path", DTCSI)]
    assert "数字化转型咨询与系统集成" in refusals[0].message and "角色认证" in refusals[0].message
    assert refused.value.code == StandingCodes.LEVEL_REFUSED and refused.value.extra["reasons"] == ["not_on_path"]
    assert not LevelRequest.objects.exists()
    assert OperationLog.objects.get(action="programs.request_level").result == "failure"


def test_on_the_path_below_the_stage_the_level_needs(programmes, tenant_a):
    membership = joined(tenant_a.partner)
    enrol(tenant_a.partner, DTCSI, "registered")
    assert codes(tenant_a.partner, membership) == ["stage_too_low"]


def test_not_joined_highest_level_and_a_waiting_request_are_reasons(programmes, tenant_a, tenant_b):
    applying = Membership.objects.create(partner=tenant_a.partner, program=program(), status=MembershipStatus.APPLYING)
    top = joined(tenant_b.partner, "leading")
    enrol(tenant_b.partner, DTCSI, "differentiated")

    assert codes(tenant_a.partner, applying) == ["not_joined"]
    assert codes(tenant_b.partner, top) == ["highest_level"]

    top.level = ProgramLevel.objects.get(program=program(), code="preferred")
    top.save()
    LevelRequest.objects.create(membership=top, level=ProgramLevel.objects.get(program=program(), code="leading"))
    assert codes(tenant_b.partner, top) == ["request_pending"]


def test_at_the_stage_the_level_is_requested_and_approved_by_an_operator(programmes, tenant_a):
    membership = joined(tenant_a.partner)
    enrol(tenant_a.partner, DTCSI, "role-certified")

    request = services.request_level(actor_of(tenant_a.admin), membership_id=membership.pk)
    with pytest.raises(DomainError) as twice:
        services.request_level(actor_of(tenant_a.admin), membership_id=membership.pk)
    services.decide_level_request(operator(), request_id=request.pk, approve=True)

    membership.refresh_from_db()
    request.refresh_from_db()
    assert twice.value.extra["reasons"] == ["request_pending"]
    assert (request.status, membership.level.code) == (ApplicationStatus.APPROVED, "preferred")
    event = Event.objects.get(type="program.level_decided")
    assert (event.partner, event.data["decision"], event.data["level"]) == (tenant_a.partner, "approved", "优选级")


def test_approval_checks_the_stage_again(programmes, tenant_a):
    membership = joined(tenant_a.partner)
    enrolment = enrol(tenant_a.partner, DTCSI, "role-certified")
    request = services.request_level(actor_of(tenant_a.admin), membership_id=membership.pk)
    # an annual review lowered it
    PathEnrolment.objects.filter(pk=enrolment.pk).update(stage=stage(DTCSI, "registered"))

    with pytest.raises(DomainError) as refused:
        services.decide_level_request(operator(), request_id=request.pk, approve=True)

    membership.refresh_from_db()
    request.refresh_from_db()
    assert refused.value.extra["reasons"] == ["stage_too_low"]
    assert (request.status, membership.level.code) == (ApplicationStatus.APPLYING, "certified")


def test_a_rejected_request_keeps_the_level_and_tells_why(programmes, tenant_a):
    membership = joined(tenant_a.partner)
    enrol(tenant_a.partner, DTCSI, "role-certified")
    request = services.request_level(actor_of(tenant_a.admin), membership_id=membership.pk)

    services.decide_level_request(operator(), request_id=request.pk, approve=False, reason="材料不足")

    request.refresh_from_db()
    membership.refresh_from_db()
    assert (request.status, request.reason, membership.level.code) == (ApplicationStatus.REJECTED, "材料不足", "certified")
    assert Event.objects.get(type="program.level_decided").data["reason"] == "材料不足"
    assert codes(tenant_a.partner, membership) == []                      # may ask again


def test_another_partners_membership_is_not_found(programmes, tenant_a, tenant_b):
    membership = joined(tenant_a.partner)
    enrol(tenant_a.partner, DTCSI, "role-certified")
    with pytest.raises(DomainError) as missing:
        services.request_level(actor_of(tenant_b.admin), membership_id=membership.pk)
    assert missing.value.code == Codes.NOT_FOUND and not LevelRequest.objects.exists()
