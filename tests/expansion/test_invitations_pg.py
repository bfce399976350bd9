"""Registrations through one link at once, on PostgreSQL (real concurrency): every registration is counted
(the counter is a conditional UPDATE in each registration's transaction), and a revocation racing the
registrations leaves the counter equal to the customers it let through."""

import pytest
from django.core.cache import cache
from django.db import connection

from customers.models import Customer
from expansion import invitations
from expansion.models import InvitationLink, LinkRegistration
from partnercenter.errors import DomainError

from ..conftest import actor_of, build_tenant
from ..trade.test_concurrency_pg import at_once
from .invitations_fixtures import PASSWORD, give_code, make_link

needs_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL")
pytestmark = [needs_postgres, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


def _register(link, n):
    mobile = f"139000000{n:02d}"
    code = give_code(mobile)
    return lambda: invitations.register_through_link(
        token=link.token, domain_name=f"racer-{n}-cloud", password=PASSWORD, mobile_phone=mobile,
        verification_code=code)


def test_concurrent_registrations_are_all_counted():
    tenant = build_tenant("a")
    link = make_link(tenant.partner)
    outcomes = at_once([_register(link, n) for n in range(6)])
    assert all(isinstance(o, Customer) for o in outcomes), outcomes
    link.refresh_from_db()
    assert link.registrations == 6 == LinkRegistration.objects.filter(link=link).count()


def test_a_revocation_racing_registrations_keeps_the_count_true():
    tenant = build_tenant("a")
    link = make_link(tenant.partner)
    jobs = [_register(link, n) for n in range(5)]
    jobs.insert(2, lambda: invitations.revoke_link(actor_of(tenant.admin), link_id=link.pk))
    outcomes = at_once(jobs)
    registered = [o for o in outcomes if isinstance(o, Customer)]
    assert all(isinstance(o, (Customer, InvitationLink, DomainError)) for o in outcomes), outcomes
    link.refresh_from_db()
    assert link.revoked_at is not None
    assert link.registrations == len(registered) == LinkRegistration.objects.filter(link=link).count()
    assert Customer.objects.filter(domain_name__startswith="racer-").count() == len(registered)
