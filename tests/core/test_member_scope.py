"""Scope holes inside one partner (issue 9, hole 5): a member who manages members or roles may not widen
what it itself can see, hand out rights it lacks, or leave the partner without an active administrator;
the member page saves its two changes in one transaction."""

import html
import threading

import pytest
from django.db import connection, connections
from django.utils import translation

from customers.selectors import customers_for
from partnercenter import services
from partnercenter.errors import Codes, DomainError
from partnercenter.models import Member, OperationLog, Role
from partnercenter.permissions import ALL_CODES

from ..conftest import actor_of, login_client
from ..factories import AssociationFactory, MemberFactory, PartnerFactory, RoleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    """A CEO (administrator); two leads who manage members and roles, each over an account manager
    with customers; an HR officer who manages members and roles but sees no customers."""
    partner = PartnerFactory()
    o = type("Org", (), {})()
    o.partner = partner
    o.admin_role = RoleFactory(partner=partner, name="管理员", is_administrator=True)
    o.am_role = RoleFactory(partner=partner, name="客户经理", permissions=["customers.view"])
    o.lead_role = RoleFactory(partner=partner, name="主管", permissions=[
        "customers.view", "org.view_members", "org.manage_members", "org.manage_roles"])
    o.finance_role = RoleFactory(partner=partner, name="财务", permissions=["billing.view", "funds.allocate"])
    o.ceo = MemberFactory(partner=partner, roles=[o.admin_role])
    o.lead1 = MemberFactory(partner=partner, roles=[o.lead_role], supervisor=o.ceo)
    o.lead2 = MemberFactory(partner=partner, roles=[o.lead_role], supervisor=o.ceo)
    o.am1 = MemberFactory(partner=partner, roles=[o.am_role], supervisor=o.lead1)
    o.am2 = MemberFactory(partner=partner, roles=[o.am_role], supervisor=o.lead2)
    o.of_am1 = AssociationFactory(partner=partner, account_manager=o.am1).customer
    o.of_am2 = AssociationFactory(partner=partner, account_manager=o.am2).customer
    return o


def zh(message) -> str:
    """A message as the pages show it by default (zh-hans), escaped as in the HTML."""
    with translation.override("zh-hans"):
        return html.escape(translation.gettext(message))


def ids(actor):
    return {c.domain_id for c in customers_for(actor)}


def refused(call) -> str:
    with pytest.raises(DomainError) as error:
        call()
    return error.value.code


def test_a_lead_cannot_move_another_teams_member_under_itself_or_its_own_people(org):
    lead1 = actor_of(org.lead1)
    assert ids(lead1) == {org.of_am1.domain_id}

    under_itself = refused(lambda: services.update_member(lead1, member_id=org.am2.pk, display_name="x",
                                                          supervisor_id=org.lead1.pk))
    under_its_report = refused(lambda: services.update_member(lead1, member_id=org.am2.pk, display_name="x",
                                                              supervisor_id=org.am1.pk))
    whole_team = refused(lambda: services.update_member(lead1, member_id=org.lead2.pk, display_name="x",
                                                        supervisor_id=org.am1.pk))

    assert under_itself == under_its_report == whole_team == Codes.FORBIDDEN
    assert Member.objects.get(pk=org.am2.pk).supervisor_id == org.lead2.pk
    assert Member.objects.get(pk=org.lead2.pk).supervisor_id == org.ceo.pk
    assert ids(actor_of(org.lead1)) == {org.of_am1.domain_id}
    assert OperationLog.objects.filter(action="member.update", result="failure").count() == 3


def test_the_member_page_refuses_the_same_move(org):
    response = login_client(org.lead1.user).post(f"/org/members/{org.am2.pk}/", {
        "display_name": "x", "supervisor": org.lead1.pk, "roles": [org.am_role.pk], "is_active": "on"})

    assert response.status_code == 200 and zh("You cannot widen what you yourself can see.") in response.content.decode()
    assert Member.objects.get(pk=org.am2.pk).supervisor_id == org.lead2.pk


def test_moves_that_do_not_widen_the_actors_scope_still_work(org):
    lead1 = actor_of(org.lead1)
    services.update_member(lead1, member_id=org.am1.pk, display_name="am1", supervisor_id=org.lead2.pk)  # gives one away
    services.update_member(actor_of(org.ceo), member_id=org.am2.pk, display_name="am2", supervisor_id=org.ceo.pk)

    assert ids(actor_of(org.lead1)) == set()
    assert Member.objects.get(pk=org.am2.pk).supervisor_id == org.ceo.pk  # the administrator sees everything anyway


def test_a_member_changes_neither_its_own_supervisor_nor_its_own_roles(org):
    lead1 = actor_of(org.lead1)

    supervisor = refused(lambda: services.update_member(lead1, member_id=org.lead1.pk, display_name="me",
                                                        supervisor_id=None))
    roles = refused(lambda: services.set_member_roles(lead1, member_id=org.lead1.pk,
                                                      role_ids=[org.lead_role.pk, org.am_role.pk]))
    services.update_member(lead1, member_id=org.lead1.pk, display_name="new name", supervisor_id=org.ceo.pk)

    assert supervisor == roles == Codes.FORBIDDEN
    member = Member.objects.get(pk=org.lead1.pk)
    assert (member.display_name, member.supervisor_id, list(member.roles.all())) == ("new name", org.ceo.pk,
                                                                                     [org.lead_role])


def test_no_one_hands_out_rights_it_does_not_hold(org):
    lead1 = actor_of(org.lead1)

    give_finance = refused(lambda: services.set_member_roles(lead1, member_id=org.am1.pk, role_ids=[org.finance_role.pk]))
    give_admin = refused(lambda: services.set_member_roles(lead1, member_id=org.am1.pk, role_ids=[org.admin_role.pk]))
    take_admin = refused(lambda: services.set_member_roles(lead1, member_id=org.ceo.pk, role_ids=[org.am_role.pk]))
    new_role = refused(lambda: services.create_role(lead1, name="mine", permissions=["customers.view_all"]))
    widen_own_role = refused(lambda: services.update_role(lead1, role_id=org.lead_role.pk, name=org.lead_role.name,
                                                          permissions=[*org.lead_role.permissions, "customers.view_all"]))
    invite = refused(lambda: services.invite_member(lead1, email="new@example.com", display_name="New",
                                                    role_ids=[org.finance_role.pk]))

    assert {give_finance, give_admin, take_admin, new_role, widen_own_role, invite} == {Codes.FORBIDDEN}
    assert list(Member.objects.get(pk=org.am1.pk).roles.all()) == [org.am_role]
    assert list(Member.objects.get(pk=org.ceo.pk).roles.all()) == [org.admin_role]
    assert "customers.view_all" not in Role.objects.get(pk=org.lead_role.pk).permissions
    assert not Role.objects.filter(name="mine").exists()
    # Within its own rights it still manages roles.
    services.set_member_roles(lead1, member_id=org.am2.pk, role_ids=[org.am_role.pk, org.lead_role.pk])
    services.create_role(lead1, name="看客户", permissions=["customers.view"])


def test_the_last_active_administrator_is_never_deactivated_or_demoted(org):
    deputy = MemberFactory(partner=org.partner, roles=[RoleFactory(partner=org.partner, permissions=sorted(ALL_CODES))])
    actor = actor_of(deputy)

    deactivated = refused(lambda: services.update_member(actor, member_id=org.ceo.pk, display_name="CEO",
                                                         is_active=False))
    demoted = refused(lambda: services.set_member_roles(actor, member_id=org.ceo.pk, role_ids=[org.lead_role.pk]))
    changed = refused(lambda: services.update_role(actor, role_id=org.admin_role.pk, name="x"))
    deleted = refused(lambda: services.delete_role(actor, role_id=org.admin_role.pk))

    assert (deactivated, demoted) == (Codes.CONFLICT, Codes.CONFLICT)
    assert (changed, deleted) == (Codes.FORBIDDEN, Codes.FORBIDDEN)
    ceo = Member.objects.get(pk=org.ceo.pk)
    assert ceo.user.is_active and list(ceo.roles.all()) == [org.admin_role]
    # With a second administrator, one of them may go.
    second = MemberFactory(partner=org.partner, roles=[org.admin_role])
    services.update_member(actor, member_id=org.ceo.pk, display_name="CEO", is_active=False)
    assert not Member.objects.get(pk=org.ceo.pk).user.is_active
    assert refused(lambda: services.update_member(actor, member_id=second.pk, display_name="2nd",
                                                  is_active=False)) == Codes.CONFLICT


def test_the_member_page_saves_details_and_roles_together_or_not_at_all(org):
    """A refused role change leaves the supervisor as it was (two separate saves used to keep it)."""
    client = login_client(org.lead1.user)

    response = client.post(f"/org/members/{org.am1.pk}/", {
        "display_name": "renamed", "supervisor": org.ceo.pk, "roles": [org.finance_role.pk], "is_active": "on"})

    assert response.status_code == 200
    member = Member.objects.get(pk=org.am1.pk)
    assert (member.display_name, member.supervisor_id, list(member.roles.all())) == (member.user.username, org.lead1.pk,
                                                                                     [org.am_role])
    saved = client.post(f"/org/members/{org.am1.pk}/", {
        "display_name": "renamed", "supervisor": org.ceo.pk, "roles": [org.am_role.pk, org.lead_role.pk],
        "is_active": "on"})
    assert saved.status_code == 302
    member = Member.objects.get(pk=org.am1.pk)
    assert (member.display_name, member.supervisor_id, set(member.roles.all())) == ("renamed", org.ceo.pk,
                                                                                    {org.am_role, org.lead_role})
    assert OperationLog.objects.filter(action="member.set_roles", result="success").count() == 1  # roles changed: filed as a role change


needs_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL")


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_two_administrators_deactivating_each_other_at_once_leave_one(org):
    second = MemberFactory(partner=org.partner, roles=[org.admin_role])
    pairs = [(actor_of(org.ceo), second), (actor_of(second), org.ceo)]
    barrier, outcomes = threading.Barrier(2), []

    def run(actor, target):
        try:
            barrier.wait()
            services.update_member(actor, member_id=target.pk, display_name="x", is_active=False)
            outcomes.append("ok")
        except DomainError as exc:
            outcomes.append(exc.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=pair) for pair in pairs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == sorted(["ok", Codes.CONFLICT])
    assert Member.objects.filter(partner=org.partner, roles__is_administrator=True, user__is_active=True).count() == 1
