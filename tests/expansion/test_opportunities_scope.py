"""An account manager (a member or key without customers.view_all) sees and acts on the opportunities naming no
customer or one of its team's customers only — the list, the detail, the export, the API and every service,
the scope re-read under the row lock — and only the members who see an opportunity's customer hear of it;
the administrator (customers.view_all) sees and hears of them all."""

import json
import re
from datetime import timedelta
from io import BytesIO

import pytest
import time_machine
from django.test import Client
from openpyxl import load_workbook

from customers.models import Association
from events import notifications
from events.models import Event
from expansion import opportunities, opportunities_sla, opportunities_updates, selectors_opportunities
from expansion.errors_opportunities import OpportunityCodes
from expansion.event_types_opportunities import OPPORTUNITY_ACCEPTED, OPPORTUNITY_RECALLED, OPPORTUNITY_SHARED
from expansion.models import Opportunity
from partnercenter.errors import Codes, DomainError
from partnercenter.models import OperationLog

from ..conftest import actor_of, login_client
from ..factories import make_access_key
from ..signed import call
from .opportunities_fixtures import make_book, make_operator, register

pytestmark = pytest.mark.django_db

LIST = "/expansion/opportunities/"


@pytest.fixture
def operator(db):
    return make_operator()


@pytest.fixture
def book(tenant_a, operator):
    return make_book(tenant_a, operator)


def _listed(client, url=LIST) -> set:
    return {int(pk) for pk in re.findall(r'<tr data-opportunity="(\d+)"', client.get(url).content.decode())}


def _code(call_) -> str:
    with pytest.raises(DomainError) as refused:
        call_()
    return refused.value.code


def test_an_account_manager_lists_opens_and_exports_only_its_customers_opportunities(book):
    am, admin = login_client(book.am.user), login_client(book.tenant.admin.user)
    visible = {book.ho_mine.pk, book.ho_none.pk}

    assert _listed(am) == visible
    assert _listed(admin) == visible | {book.ho_theirs.pk, book.ho_unassigned.pk}
    assert am.get(f"{LIST}{book.ho_mine.pk}/").status_code == 200
    for ho in (book.ho_theirs, book.ho_unassigned):
        for method, suffix in (("get", ""), ("post", "accept/"), ("get", "reject/"), ("post", "reject/"),
                               ("post", "update/"), ("post", "collaborators/")):
            response = getattr(am, method)(f"{LIST}{ho.pk}/{suffix}", {"reason": "x", "name": "x", "stage": "won"})
            assert response.status_code == 404, (ho.name, suffix)
    export = am.get(LIST + "export.xlsx?origin=HO")
    rows = list(load_workbook(BytesIO(export.content)).active.iter_rows(values_only=True))[1:]
    assert {row[0] for row in rows} == visible
    assert {o.status for o in Opportunity.objects.all()} == {"pending"}


def test_the_api_lists_and_decides_only_on_its_customers_opportunities(book):
    key, secret = make_access_key(book.am.user, partner=book.tenant.partner)

    def api(method, path, body=None):
        response = call(Client(), method, path, ak=key.ak, sk=secret, json=body,
                        domain_id=book.tenant.partner.domain_id)
        return response.status_code, json.loads(response.content or b"null")

    status, listed = api("GET", "/v1/opportunities")
    theirs = api("POST", f"/v1/opportunities/{book.ho_theirs.pk}/accept")
    unassigned = api("POST", f"/v1/opportunities/{book.ho_unassigned.pk}/reject", {"reason": "不是我的客户"})
    mine = api("POST", f"/v1/opportunities/{book.ho_mine.pk}/accept")

    assert status == 200 and listed["count"] == 2
    assert {row["id"] for row in listed["opportunities"]} == {book.ho_mine.pk, book.ho_none.pk}
    assert theirs == (404, {"error_code": Codes.NOT_FOUND, "error_msg": theirs[1]["error_msg"]})
    assert unassigned[0] == 404 and unassigned[1]["error_code"] == Codes.NOT_FOUND
    assert mine[0] == 200 and mine[1]["status"] == "accepted"
    statuses = dict(Opportunity.objects.values_list("name", "status"))
    assert (statuses["别人的客户项目"], statuses["未分配客户项目"], statuses["我的客户项目"]) == (
        "pending", "pending", "accepted")


def test_the_services_read_the_scope_under_the_row_lock(book):
    am, admin = actor_of(book.am), actor_of(book.tenant.admin)

    # read while the customer was the account manager's; reassigned before the decision
    opened = selectors_opportunities.opportunity_for(am, book.ho_mine.pk)
    assert opened is not None
    Association.objects.filter(customer=book.mine, ended_on__isnull=True).update(account_manager=book.other_am)
    assert _code(lambda: opportunities.accept(am, opportunity=opened)) == Codes.NOT_FOUND
    assert _code(lambda: opportunities.reject(am, opportunity=book.ho_theirs, reason="x")) == Codes.NOT_FOUND

    opportunities.accept(admin, opportunity=book.ho_theirs)  # the administrator sees the whole book
    assert _code(lambda: opportunities_updates.update_opportunity(am, opportunity=book.ho_theirs, note="x")) == \
        Codes.NOT_FOUND
    assert _code(lambda: opportunities_updates.add_collaborator(am, opportunity=book.ho_theirs, name="x")) == \
        Codes.NOT_FOUND

    assert Opportunity.objects.get(pk=book.ho_mine.pk).status == "pending"
    assert not book.ho_theirs.updates.exists() and not book.ho_theirs.collaborators.exists()
    failures = OperationLog.objects.filter(actor_user=book.am.user, result="failure")
    assert sorted(failures.values_list("action", "error_code")) == sorted([
        ("expansion.opportunity_accept", Codes.NOT_FOUND), ("expansion.opportunity_reject", Codes.NOT_FOUND),
        ("expansion.opportunity_update", Codes.NOT_FOUND), ("expansion.collaborator_add", Codes.NOT_FOUND)])


def test_an_account_manager_registers_pos_for_its_own_customers_only(book):
    am = book.am
    assert register(am, customer=book.mine).customer == book.mine
    assert _code(lambda: register(am, customer=book.theirs)) == OpportunityCodes.CUSTOMER_NOT_ASSOCIATED
    assert _code(lambda: register(am, customer_id=book.theirs.domain_id)) == Codes.NOT_FOUND
    assert Opportunity.objects.filter(origin="PO").count() == 1


def _told(events) -> dict:
    told = notifications.recipients(events)
    return {event.data["opportunity_id"]: set(told.get(event.pk, ())) for event in events}


def test_only_the_members_who_see_the_customer_hear_of_its_opportunity(book):
    am, other, admin = book.am.user_id, book.other_am.user_id, book.tenant.admin.user_id
    shared = list(Event.objects.filter(type=OPPORTUNITY_SHARED))
    told = _told(shared)
    carried = {e.data["opportunity_id"]: (e.customer_pk, e.account_manager_id) for e in shared}

    assert carried == {book.ho_mine.pk: (book.mine.pk, book.am.pk),
                       book.ho_theirs.pk: (book.theirs.pk, book.other_am.pk),
                       book.ho_unassigned.pk: (book.unassigned.pk, None), book.ho_none.pk: (None, None)}
    assert {am, admin} <= told[book.ho_mine.pk] and other not in told[book.ho_mine.pk]
    assert {other, admin} <= told[book.ho_theirs.pk] and am not in told[book.ho_theirs.pk]
    assert admin in told[book.ho_unassigned.pk] and not {am, other} & told[book.ho_unassigned.pk]
    assert {am, other, admin} <= told[book.ho_none.pk]

    # the partner's own decision and the scheduler's recall carry the customer too
    opportunities.accept(actor_of(book.tenant.admin), opportunity=book.ho_theirs)
    with time_machine.travel(book.ho_mine.deadline + timedelta(minutes=1), tick=False):
        assert opportunities_sla.recall_overdue() == 3
    accepted = list(Event.objects.filter(type=OPPORTUNITY_ACCEPTED))
    recalled = list(Event.objects.filter(type=OPPORTUNITY_RECALLED))
    assert [(e.customer_pk, e.account_manager_id) for e in accepted] == [(book.theirs.pk, book.other_am.pk)]
    assert other in _told(accepted)[book.ho_theirs.pk] and am not in _told(accepted)[book.ho_theirs.pk]
    told = _told(recalled)
    assert am in told[book.ho_mine.pk] and other not in told[book.ho_mine.pk]
    assert not {am, other} & told[book.ho_unassigned.pk] and {am, other} <= told[book.ho_none.pk]
