"""Who hears of a lead's events: the members who can open the lead (expansion.selectors_leads) — those with
customers.view_all, and an account manager when the lead's owner is in its team or the lead is unassigned;
never an account manager of another team. Each event names the lead's owner as its account manager."""

import pytest

from events import notifications
from events.models import Event
from expansion import leads, leads_conversion, selectors_leads
from expansion.event_types_leads import LEAD_ASSIGNED, LEAD_CONVERTED, LEAD_DISPATCHED

from ..factories import MemberFactory, RoleFactory, UserFactory
from . import leads_fixtures
from .leads_fixtures import actor_of

leads_tenant = leads_fixtures.leads_tenant  # the fixture

pytestmark = pytest.mark.django_db


def operator():
    return actor_of(UserFactory(username="ops", is_staff=True, is_superuser=True))


@pytest.fixture
def teams(leads_tenant):
    """Two account managers of tenant "a" in two teams (expansion.view and .manage, customers.view only)."""
    t = leads_tenant
    role = RoleFactory(partner=t.partner, permissions=["expansion.view", "expansion.manage", "customers.view"])
    t.mine = MemberFactory(partner=t.partner, roles=[role])
    t.theirs = MemberFactory(partner=t.partner, roles=[role])
    return t


def test_every_lead_event_names_the_owner_as_its_account_manager(teams):
    t = teams
    admin = actor_of(t.admin)
    created = leads.create_lead(admin, company_name="自建", owner=t.mine)
    dispatched = leads.dispatch_lead(operator(), partner=t.partner, company_name="派发", owner=t.mine)
    unassigned = leads.dispatch_lead(operator(), partner=t.partner, company_name="未分配")
    leads.assign_owner(admin, lead=unassigned, owner=t.theirs)
    leads_conversion.convert_to_customer(admin, lead=created, customer_id=t.resale.domain_id)

    managers = {(e.type, e.data["lead_id"]): e.account_manager_id for e in Event.objects.all()}
    assert managers == {
        (LEAD_ASSIGNED, created.pk): t.mine.pk,
        (LEAD_DISPATCHED, dispatched.pk): t.mine.pk, (LEAD_ASSIGNED, dispatched.pk): t.mine.pk,
        (LEAD_DISPATCHED, unassigned.pk): None, (LEAD_ASSIGNED, unassigned.pk): t.theirs.pk,
        (LEAD_CONVERTED, created.pk): t.mine.pk,
    }


def test_the_audience_is_who_can_open_the_lead(teams):
    t = teams
    owned = leads.dispatch_lead(operator(), partner=t.partner, company_name="派发", owner=t.mine)
    unassigned = leads.dispatch_lead(operator(), partner=t.partner, company_name="未分配")

    told = notifications.recipients(list(Event.objects.filter(type=LEAD_DISPATCHED)))
    users = {lead.pk: set(told[e.pk]) for e in Event.objects.filter(type=LEAD_DISPATCHED)
             for lead in (owned, unassigned) if e.data["lead_id"] == lead.pk}
    assert users == {owned.pk: {t.admin.user_id, t.mine.user_id},
                     unassigned.pk: {t.admin.user_id, t.mine.user_id, t.theirs.user_id}}
    # the same people as can open each lead
    for pk, user_ids in users.items():
        for member in (t.admin, t.mine, t.theirs):
            assert (member.user_id in user_ids) == (selectors_leads.lead_for(actor_of(member), pk) is not None)
