"""机会点更新: after an HO is accepted (or a PO approved) both sides update it and name collaborators; each change
is an OpportunityUpdate row both sides read; the partner hears of Huawei Cloud's changes; won or lost closes
it; nothing is updated before acceptance or after closing."""

from datetime import date
from decimal import Decimal

import pytest

from events.models import Event
from expansion import opportunities
from expansion.choices import OpportunityStatus, Side
from expansion.errors_opportunities import OpportunityCodes
from expansion.event_types_opportunities import OPPORTUNITY_UPDATED
from expansion.models import Collaborator, OpportunityUpdate
from expansion.opportunities_updates import add_collaborator, remove_collaborator, update_opportunity
from partnercenter.errors import Codes, DomainError
from partnercenter.models import OperationLog

from ..conftest import actor_of, login_client
from .opportunities_fixtures import make_operator, register, share

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(db):
    return make_operator()


@pytest.fixture
def operator_client(operator):
    return login_client(operator)


@pytest.fixture
def accepted(tenant_a, operator):
    ho = share(operator, tenant_a.partner, amount="100000")
    return opportunities.accept(actor_of(tenant_a.admin), opportunity=ho)


def test_both_sides_update_and_the_history_records_each_change(tenant_a, operator, accepted):
    partner, cloud = actor_of(tenant_a.admin), actor_of(operator)

    update_opportunity(partner, opportunity=accepted, stage="qualified", amount="150000.00", note="客户预算已确认")
    update_opportunity(cloud, opportunity=accepted, expected_close=date(2026, 12, 31), notes="华为云售前支持")

    accepted.refresh_from_db()
    assert (accepted.stage, accepted.amount, accepted.expected_close) == ("qualified", Decimal("150000.00"),
                                                                          date(2026, 12, 31))
    cloud_update, partner_update = OpportunityUpdate.objects.filter(opportunity=accepted).order_by("-id")
    assert partner_update.side == Side.PARTNER and partner_update.note == "客户预算已确认"
    assert partner_update.changes == {"stage": ["discovery", "qualified"], "amount": ["100000.00", "150000.00"]}
    assert cloud_update.side == Side.CLOUD
    assert cloud_update.changes == {"expected_close": [None, "2026-12-31"], "notes": ["", "华为云售前支持"]}
    # the partner hears of the cloud's update only
    [event] = Event.objects.filter(type=OPPORTUNITY_UPDATED)
    assert (event.partner_id, event.data["update_id"]) == (tenant_a.partner.pk, cloud_update.pk)


def test_won_closes_the_opportunity_and_it_takes_no_more_updates(tenant_a, accepted):
    actor = actor_of(tenant_a.admin)
    update_opportunity(actor, opportunity=accepted, stage="won")
    accepted.refresh_from_db()
    assert accepted.status == OpportunityStatus.CLOSED
    with pytest.raises(DomainError) as closed:
        update_opportunity(actor, opportunity=accepted, note="再次更新")
    assert closed.value.code == OpportunityCodes.NOT_OPEN


def test_nothing_is_updated_before_acceptance_or_with_an_invalid_stage(tenant_a, operator, accepted):
    pending = share(operator, tenant_a.partner)
    actor = actor_of(tenant_a.admin)
    with pytest.raises(DomainError) as before:
        update_opportunity(actor, opportunity=pending, stage="proposal")
    with pytest.raises(DomainError) as bad_stage:
        update_opportunity(actor, opportunity=accepted, stage="bogus")
    assert (before.value.code, bad_stage.value.code) == (OpportunityCodes.NOT_OPEN, Codes.PARAMETER)
    assert not OpportunityUpdate.objects.exists()


def test_saving_unchanged_is_no_update_and_no_failure_in_the_operation_log(tenant_a, operator, accepted):
    """The edit form saved as it is (same values, no note), from either side: None, no history row, no event,
    and no row in 操作记录 — not a failure (nothing was refused) nor a success (nothing happened). A refusal
    is still logged as a failure."""
    partner, cloud = actor_of(tenant_a.admin), actor_of(operator)
    for actor in (partner, cloud):
        assert update_opportunity(actor, opportunity=accepted, stage=accepted.stage, amount=accepted.amount,
                                  expected_close=accepted.expected_close, notes=accepted.notes, note="  ") is None
    assert not OpportunityUpdate.objects.exists() and not Event.objects.filter(type=OPPORTUNITY_UPDATED).exists()
    assert not OperationLog.objects.filter(action="expansion.opportunity_update").exists()

    with pytest.raises(DomainError):
        update_opportunity(partner, opportunity=accepted, stage="bogus")
    update_opportunity(partner, opportunity=accepted, note="客户要求下周演示")   # a note alone is an update
    assert list(OperationLog.objects.filter(action="expansion.opportunity_update").order_by("id")
                .values_list("result", "error_code")) == [("failure", Codes.PARAMETER), ("success", "")]


def test_an_approved_po_takes_updates(tenant_a, operator):
    po = register(tenant_a.admin)
    opportunities.approve_registration(actor_of(operator), opportunity=po)
    update_opportunity(actor_of(tenant_a.admin), opportunity=po, stage="proposal")
    po.refresh_from_db()
    assert po.stage == "proposal"


def test_collaborators_from_both_sides_each_side_removes_its_own(tenant_a, operator, accepted):
    partner, cloud = actor_of(tenant_a.admin), actor_of(operator)
    ours = add_collaborator(partner, opportunity=accepted, name="李雷", role="售前", member=tenant_a.member)
    theirs = add_collaborator(cloud, opportunity=accepted, name="韩梅梅", role="华为云客户经理")

    with pytest.raises(DomainError) as not_ours:
        remove_collaborator(partner, opportunity=accepted, collaborator_pk=theirs.pk)
    remove_collaborator(partner, opportunity=accepted, collaborator_pk=ours.pk)

    assert not_ours.value.code == Codes.NOT_FOUND
    assert list(Collaborator.objects.values_list("name", "side")) == [("韩梅梅", "cloud")]
    changes = list(OpportunityUpdate.objects.order_by("id").values_list("side", "changes"))
    assert changes == [("partner", {"collaborator": [None, "李雷 · 售前"]}),
                       ("cloud", {"collaborator": [None, "韩梅梅 · 华为云客户经理"]}),
                       ("partner", {"collaborator": ["李雷 · 售前", None]})]
    assert Event.objects.filter(type=OPPORTUNITY_UPDATED).count() == 1   # the cloud's addition


def test_another_partners_opportunity_or_member_is_not_found(tenant_a, tenant_b, accepted):
    other = actor_of(tenant_b.admin)
    for call in (lambda: update_opportunity(other, opportunity=accepted, stage="won"),
                 lambda: add_collaborator(other, opportunity=accepted, name="x"),
                 lambda: add_collaborator(actor_of(tenant_a.admin), opportunity=accepted, name="x",
                                          member=tenant_b.member),
                 lambda: opportunities.accept(other, opportunity=accepted.pk),
                 lambda: opportunities.reject(other, opportunity=accepted.pk, reason="x")):
        with pytest.raises(DomainError) as refused:
            call()
        assert refused.value.code == Codes.NOT_FOUND
    assert not OpportunityUpdate.objects.exists() and not Collaborator.objects.exists()


def test_operators_update_in_the_admin(tenant_a, operator_client, accepted):
    url = f"/admin/expansion/opportunity/{accepted.pk}/update/"
    assert operator_client.get(url).status_code == 200
    response = operator_client.post(url, {"kind": "update", "stage": "negotiation", "amount": "200000",
                                          "expected_close": "", "notes": "", "note": "已报价"})
    assert response.status_code == 302
    response = operator_client.post(url, {"kind": "collaborator", "collaborator-name": "张三",
                                          "collaborator-role": "架构师", "collaborator-contact": ""})
    assert response.status_code == 302
    accepted.refresh_from_db()
    assert (accepted.stage, accepted.amount) == ("negotiation", Decimal("200000.00"))
    assert list(OpportunityUpdate.objects.values_list("side", flat=True)) == ["cloud", "cloud"]
    assert Collaborator.objects.get().side == "cloud"


def test_an_operator_saving_unchanged_in_the_admin_is_told_nothing_changed(operator_client, accepted):
    url = f"/admin/expansion/opportunity/{accepted.pk}/update/"
    response = operator_client.post(url, {"kind": "update", "stage": accepted.stage, "amount": f"{accepted.amount}",
                                          "expected_close": "", "notes": "", "note": ""}, follow=True)
    body = response.content.decode()
    assert response.status_code == 200 and "没有任何修改。" in body and "机会点已更新" not in body
    assert not OperationLog.objects.filter(action="expansion.opportunity_update").exists()
