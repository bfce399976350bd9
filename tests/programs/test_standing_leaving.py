"""退出伙伴计划 (programs/leaving.py): an operator ends a joined membership with a reason; the months held stay held
(tests/incentives/test_run_membership_month.py shows the run); the partner may join again."""

from datetime import datetime, timezone

import pytest

from events.models import Event
from partnercenter.choices import PartnerType
from partnercenter.errors import Codes, DomainError
from partnercenter.models import OperationLog, Partner
from programs import leaving
from programs import membership as services
from programs.choices import ApplicationStatus, MembershipStatus
from programs.eligibility import in_solution_provider_plan
from programs.errors_standing import StandingCodes
from programs.models import LevelRequest, Membership, ProgramLevel

from ..conftest import actor_of, login_client
from ..factories import UserFactory
from .test_standing_support import as_applicant, operator, program

pytestmark = pytest.mark.django_db

WHEN = datetime(2026, 4, 2, 2, 0, tzinfo=timezone.utc)


def applying(tenant):
    """A distributor's application to the solution-provider plan (a solution provider is in it by its type)."""
    as_applicant(tenant.partner)
    return services.join(actor_of(tenant.admin), program_code=program().code)


def joined(tenant):
    membership = applying(tenant)
    return services.decide_membership(operator(), membership_id=membership.pk, approve=True)


def test_an_operator_ends_a_membership_with_a_reason_and_the_partner_is_told(programmes, tenant_a):
    membership = joined(tenant_a)
    higher = ProgramLevel.objects.filter(program=membership.program).order_by("-rank").first()
    waiting = LevelRequest.objects.create(membership=membership, level=higher)

    ended = leaving.end_membership(operator(), membership_id=membership.pk, reason=" 摘牌 ", now=WHEN)

    ended.refresh_from_db()
    waiting.refresh_from_db()
    assert (ended.status, ended.left_at, ended.reason) == (MembershipStatus.LEFT, WHEN, "摘牌")
    assert (waiting.status, waiting.reason) == (ApplicationStatus.REJECTED, "摘牌")
    event = Event.objects.get(type="program.membership_ended")
    assert (event.partner, event.data["reason"], event.data["program_code"]) == (tenant_a.partner, "摘牌",
                                                                               membership.program.code)
    assert OperationLog.objects.get(action="programs.end_membership").partner == tenant_a.partner
    page = login_client(tenant_a.admin.user).get("/programs/").content.decode()      # the partner reads when and why
    card = page.split(f'data-program="{membership.program.code}"')[1].split('class="card program"')[0]
    assert 'data-status="left"' in card and 'class="left-at"' in card and "摘牌" in card
    again = services.join(actor_of(tenant_a.admin), program_code=program().code)   # a LEFT one is not open
    assert again.status == MembershipStatus.APPLYING


def test_a_solution_provider_whose_plan_membership_ended_is_no_longer_in_it_by_its_type(programmes, tenant_a):
    membership = joined(tenant_a)
    Partner.objects.filter(pk=tenant_a.partner.pk).update(partner_type=PartnerType.SOLUTION_PROVIDER)
    tenant_a.partner.refresh_from_db()
    assert in_solution_provider_plan(tenant_a.partner)

    leaving.end_membership(operator(), membership_id=membership.pk, reason="摘牌", now=WHEN)

    assert not in_solution_provider_plan(tenant_a.partner)
    page = login_client(tenant_a.admin.user).get("/programs/").content.decode()
    card = page.split(f'data-program="{membership.program.code}"')[1].split('class="card program"')[0]
    assert 'data-status="left"' in card and "joined-by-type" not in card
    again = services.join(actor_of(tenant_a.admin), program_code=program().code)
    assert again.status == MembershipStatus.APPLYING


def test_only_a_joined_membership_ends_with_a_reason_by_an_operator(programmes, tenant_a):
    waiting = applying(tenant_a)

    def refused(**kwargs):
        with pytest.raises(DomainError) as caught:
            leaving.end_membership(**{"actor": operator(), "membership_id": waiting.pk, "reason": "x", **kwargs})
        return caught.value.code

    assert refused() == StandingCodes.NOT_JOINED
    membership = services.decide_membership(operator(), membership_id=waiting.pk, approve=True)
    assert refused(reason="  ") == StandingCodes.REASON_REQUIRED
    assert refused(actor=actor_of(tenant_a.admin)) == Codes.FORBIDDEN
    assert refused(membership_id=10**9) == Codes.NOT_FOUND
    leaving.end_membership(operator(), membership_id=membership.pk, reason="退出")
    assert refused() == StandingCodes.NOT_JOINED                                  # ended once
    assert Membership.objects.get(pk=membership.pk).status == MembershipStatus.LEFT
    assert Event.objects.filter(type="program.membership_ended").count() == 1


def test_the_admin_ends_the_selected_joined_memberships_after_asking_the_reason(programmes, tenant_a, tenant_b):
    ending, waiting = joined(tenant_a), applying(tenant_b)
    client = login_client(UserFactory(username="ops.end", is_staff=True, is_superuser=True))
    chosen = {"action": "end", "_selected_action": [ending.pk, waiting.pk]}

    asked = client.post("/admin/programs/membership/", chosen)
    done = client.post("/admin/programs/membership/", {**chosen, "reason": "合作终止"})

    assert asked.status_code == 200 and 'id="reject-form"' in asked.content.decode()
    assert str(ending) in asked.content.decode() and str(waiting) not in asked.content.decode()
    assert done.status_code == 302
    assert Membership.objects.get(pk=ending.pk).status == MembershipStatus.LEFT
    assert Membership.objects.get(pk=waiting.pk).status == MembershipStatus.APPLYING  # not joined: left alone
