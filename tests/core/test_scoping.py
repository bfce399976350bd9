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


def test_a_resellers_book_needs_the_same_rights_as_ones_own_and_resellers_view():
    """Selectors, not only endpoints, keep a distributor's member to the rights it holds: services that
    name a reseller read through them too."""
    from billing.selectors import account_owner, customer_balances_for
    from vouchers.selectors import owner_for

    distributor = PartnerFactory(partner_type="distributor")
    reseller = PartnerFactory(partner_type="reseller", distributor=distributor)
    customer = AssociationFactory(partner=reseller).customer

    def actor(*rights):
        return actor_of(MemberFactory(partner=distributor, roles=[RoleFactory(partner=distributor, permissions=list(rights))]))

    def reads(a):
        return (ids(customers_for(a, indirect_partner_id=reseller.domain_id)),
                [c.domain_id for c, _account in customer_balances_for(a, [customer.domain_id],
                                                                        indirect_partner_id=reseller.domain_id)],
                account_owner(a, reseller.domain_id), owner_for(a, reseller.domain_id))

    nothing = (set(), [], None, None)
    assert reads(actor("resellers.view")) == nothing
    assert reads(actor("customers.view_all", "billing.view", "vouchers.view")) == nothing  # not without resellers.view
    assert reads(actor("resellers.view", "customers.view")) == ({customer.domain_id}, [], None, None)
    assert reads(actor("resellers.view", "customers.view", "funds.allocate", "vouchers.view")) == (
        {customer.domain_id}, [customer.domain_id], reseller, reseller)
