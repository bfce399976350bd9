"""The operators' screens of 激励对账: answering an objection (with or without a corrected amount), making a
confirmed statement final (one, or the bulk action), the read-only lists of statements, lines and runs. Each
decision goes through incentives.statements, so it credits once and the partner is told."""

from decimal import Decimal

import pytest

from billing.rebates import rebate_balance
from events.models import Event
from incentives import statements
from incentives.choices import StatementStatus
from incentives.event_types_statements import STATEMENT_ANSWERED, STATEMENT_FINAL
from incentives.models import IncentiveRun, IncentiveStatement

from ..conftest import actor_of, login_client
from ..factories import UserFactory
from .statements_fixtures import operator, s_world

pytestmark = pytest.mark.django_db

D = Decimal
ADMIN = "/admin/incentives/incentivestatement/"


@pytest.fixture
def world(tenant_a):
    return s_world(tenant_a)


@pytest.fixture
def ops_client():
    return login_client(operator())


def status_of(statement):
    return IncentiveStatement.objects.get(pk=statement.pk).status


def test_the_lists_and_a_statement_are_read_only(world, ops_client):
    statements.dispute(actor_of(world.tenant.admin), statement=world.resale_base.pk, reason="EVS 比例不对")
    statements.confirm(actor_of(world.tenant.admin), statement=world.ref_base.pk)
    IncentiveRun.objects.create(bill_cycle="2026-03", status="done")
    body = ops_client.get(ADMIN).content.decode()
    assert f"/admin/incentives/incentivestatement/{world.resale_base.pk}/answer/" in body
    assert f"/admin/incentives/incentivestatement/{world.ref_base.pk}/finalise/" in body
    change = ops_client.get(f"{ADMIN}{world.resale_base.pk}/change/").content.decode()
    assert "EVS 比例不对" in change and 'name="_save"' not in change
    assert f"?statement__id__exact={world.resale_base.pk}" in change
    lines = ops_client.get(f"/admin/incentives/incentivedetail/?statement__id__exact={world.resale_base.pk}")
    assert lines.status_code == 200 and lines.content.decode().count('class="field-bill_cycle"') == 2
    assert ops_client.get("/admin/incentives/incentiverun/").status_code == 200
    assert ops_client.get(f"{ADMIN}add/").status_code == 403
    assert ops_client.post(f"{ADMIN}{world.ref_base.pk}/delete/", {"post": "yes"}).status_code == 403


def test_an_operator_answers_an_objection_with_a_corrected_amount(world, ops_client):
    statements.dispute(actor_of(world.tenant.admin), statement=world.resale_base.pk, reason="EVS 比例不对")
    url = f"{ADMIN}{world.resale_base.pk}/answer/"
    page = ops_client.get(url).content.decode()
    assert "EVS 比例不对" in page and 'id="statement-answer-form"' in page
    assert ops_client.post(url, {"answer": "", "amount": ""}).status_code == 200
    assert ops_client.post(url, {"answer": "已更正", "amount": "1.234"}).status_code == 200
    assert status_of(world.resale_base) == StatementStatus.DISPUTED

    response = ops_client.post(url, {"answer": "已按 10% 更正 EVS 返点。", "amount": "45.00"})

    assert response.status_code == 302 and response["Location"].endswith(f"/{world.resale_base.pk}/change/")
    saved = IncentiveStatement.objects.get(pk=world.resale_base.pk)
    assert (saved.status, saved.amount, saved.answer) == (StatementStatus.FINAL, D("45.00"), "已按 10% 更正 EVS 返点。")
    assert rebate_balance(world.partner) == D("45.00")
    assert Event.objects.get(type=STATEMENT_ANSWERED).partner == world.partner
    again = ops_client.post(url, {"answer": "再来一次", "amount": "99.00"}, follow=True)
    assert again.status_code == 200 and rebate_balance(world.partner) == D("45.00")


def test_an_operator_makes_confirmed_statements_final(world, ops_client):
    admin = actor_of(world.tenant.admin)
    statements.confirm(admin, statement=world.ref_base.pk)
    statements.confirm(admin, statement=world.resale_base.pk)
    url = f"{ADMIN}{world.ref_base.pk}/finalise/"
    assert 'id="statement-finalise-form"' in ops_client.get(url).content.decode()
    assert ops_client.post(url).status_code == 302
    assert status_of(world.ref_base) == StatementStatus.FINAL

    response = ops_client.post(ADMIN, {"action": "finalise_selected",
                                       "_selected_action": [s.pk for s in world.statements]}, follow=True)
    assert response.status_code == 200
    assert status_of(world.resale_base) == StatementStatus.FINAL
    assert status_of(world.resale_tier) == StatementStatus.PENDING  # not confirmed: left as it is
    assert rebate_balance(world.partner) == D("2.70") + D("44.00")
    assert Event.objects.filter(type=STATEMENT_FINAL).count() == 2


def test_staff_without_the_change_permission_cannot_decide(world):
    statements.dispute(actor_of(world.tenant.admin), statement=world.resale_base.pk, reason="?")
    from django.contrib.auth.models import Permission

    viewer = UserFactory(username="incentives.viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_incentivestatement"))
    client = login_client(viewer)
    assert client.get(ADMIN).status_code == 200
    assert client.get(f"{ADMIN}{world.resale_base.pk}/answer/").status_code == 403
    assert client.post(f"{ADMIN}{world.resale_base.pk}/answer/", {"answer": "x"}).status_code == 403
    assert status_of(world.resale_base) == StatementStatus.DISPUTED


def test_running_a_month_again_replaces_drafts_and_keeps_confirmed_statements(inc_world, inc_policies,
                                                                            django_capture_on_commit_callbacks):
    from incentives import run
    from partnercenter.actors import SCHEDULER

    run.run_month(SCHEDULER, bill_cycle=inc_world.cycle)
    first = {s.kind + s.association_type: s for s in IncentiveStatement.objects.filter(partner=inc_world.partner)}
    assert len(first) == 3  # referral base, resale base and tier (conftest's fee records)
    confirmed = first["base1"]
    statements.confirm(actor_of(inc_world.tenant.admin), statement=confirmed.pk)
    month = IncentiveRun.objects.get(bill_cycle=inc_world.cycle)
    client = login_client(operator())

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/admin/incentives/incentiverun/", {"action": "run_selected",
                                                                      "_selected_action": [month.pk]}, follow=True)

    assert response.status_code == 200
    after = {s.kind + s.association_type: s for s in IncentiveStatement.objects.filter(partner=inc_world.partner)}
    assert after.keys() == first.keys()
    assert after["base1"].pk == confirmed.pk and after["base1"].status == StatementStatus.CONFIRMED
    assert after["base2"].pk != first["base2"].pk and after["base2"].amount == first["base2"].amount  # replaced
    assert IncentiveRun.objects.get(pk=month.pk).status == "done"
