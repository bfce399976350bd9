"""Account-manager scoping: a manager sees exactly the customers assigned to them (and a lead, those of
their team); a role with customers.view_all sees the partner's whole book; pages and API agree."""

import pytest

from customers.selectors import customers_for

from ..conftest import actor_of, login_client
from ..factories import AssociationFactory, MemberFactory, PartnerFactory, RoleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    """The documentation's example: a CEO, an SA, a lead over two account managers, customers spread."""
    partner = PartnerFactory()
    admin = RoleFactory(partner=partner, name="管理员", is_administrator=True)
    am_role = RoleFactory(partner=partner, name="客户经理", permissions=["customers.view"])
    sa_role = RoleFactory(partner=partner, name="SA", permissions=["customers.view", "customers.view_all"])
    finance_role = RoleFactory(partner=partner, name="财务", permissions=["billing.view"])
    o = type("Org", (), {})()
    o.partner = partner
    o.ceo = MemberFactory(partner=partner, roles=[admin])
    o.sa = MemberFactory(partner=partner, roles=[sa_role])
    o.finance = MemberFactory(partner=partner, roles=[finance_role])
    o.lead = MemberFactory(partner=partner, roles=[am_role], supervisor=o.ceo)
    o.am1 = MemberFactory(partner=partner, roles=[am_role], supervisor=o.lead)
    o.am2 = MemberFactory(partner=partner, roles=[am_role], supervisor=o.lead)
    o.loner = MemberFactory(partner=partner, roles=[am_role])
    o.of_am1 = {AssociationFactory(partner=partner, account_manager=o.am1).customer for _ in range(3)}
    o.of_am2 = {AssociationFactory(partner=partner, account_manager=o.am2).customer for _ in range(2)}
    o.of_lead = {AssociationFactory(partner=partner, account_manager=o.lead).customer}
    o.unassigned = {AssociationFactory(partner=partner).customer}
    AssociationFactory(account_manager=None)  # another partner's customer
    return o


def ids(customers):
    return {c.domain_id for c in customers}


def test_an_account_manager_sees_exactly_their_customers(org):
    assert ids(customers_for(actor_of(org.am1))) == ids(org.of_am1)
    assert ids(customers_for(actor_of(org.am2))) == ids(org.of_am2)
    assert ids(customers_for(actor_of(org.loner))) == set()


def test_a_lead_sees_their_own_and_their_teams_customers(org):
    assert ids(customers_for(actor_of(org.lead))) == ids(org.of_lead | org.of_am1 | org.of_am2)


def test_view_all_and_administrators_see_the_whole_book_and_others_nothing(org):
    everything = ids(org.of_am1 | org.of_am2 | org.of_lead | org.unassigned)
    assert ids(customers_for(actor_of(org.sa))) == everything
    assert ids(customers_for(actor_of(org.ceo))) == everything
    assert ids(customers_for(actor_of(org.finance))) == set()


def test_the_customer_page_shows_only_the_managers_customers(org):
    body = login_client(org.am2.user).get("/customers/").content.decode()
    assert all(c.domain_id in body for c in org.of_am2)
    assert not any(c.domain_id in body for c in org.of_am1 | org.of_lead | org.unassigned)


def test_a_member_without_customer_rights_is_refused_the_page(org):
    assert login_client(org.finance.user).get("/customers/").status_code == 403


def test_a_reassigned_customer_moves_with_the_assignment(org):
    moved = next(iter(org.of_am1))
    moved.associations.update(account_manager=org.am2)
    assert moved.domain_id in ids(customers_for(actor_of(org.am2)))
    assert moved.domain_id not in ids(customers_for(actor_of(org.am1)))
