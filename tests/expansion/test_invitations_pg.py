"""Registrations through one link at once, on PostgreSQL (real concurrency): every registration is counted
(the counter is a conditional UPDATE in each registration's transaction), and a revocation racing the
registrations leaves the counter equal to the customers it let through. Links created at once never pass
the 200-usable cap (the partner's row is locked while they are counted). An e-mail longer than pc_user.email
(varchar 254) is a parameter error, not a database error after the code was used."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from customers.models import Customer
from expansion import invitations
from expansion.models import InvitationLink, LinkRegistration
from customers.models import RegistrationCode
from expansion.errors_invitations import InvitationCodes
from partnercenter.errors import Codes, DomainError
from partnercenter.models import User

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


def test_links_created_at_once_never_pass_the_cap():
    tenant = build_tenant("a")
    valid_until = timezone.now() + dt.timedelta(days=30)
    InvitationLink.objects.bulk_create([
        InvitationLink(partner=tenant.partner, name=f"old-{n}", association_type="1", valid_until=valid_until)
        for n in range(invitations.MAX_USABLE_LINKS - 2)])
    actor = actor_of(tenant.admin)
    until = timezone.localdate() + dt.timedelta(days=10)
    outcomes = at_once([lambda n=n: invitations.create_link(actor, name=f"new-{n}", association_type="2",
                                                            valid_until=until) for n in range(6)])
    created = [o for o in outcomes if isinstance(o, InvitationLink)]
    refused = [o for o in outcomes if isinstance(o, DomainError)]
    assert len(created) == 2 and len(refused) == 4, outcomes
    assert all(o.code == InvitationCodes.TOO_MANY_LINKS for o in refused)
    assert InvitationLink.objects.filter(partner=tenant.partner).count() == invitations.MAX_USABLE_LINKS


@pytest.mark.parametrize("length", [255, 256])
def test_an_over_long_email_is_refused_before_the_code_is_used(length):
    tenant = build_tenant("a")
    link = make_link(tenant.partner)
    code = give_code("13900000077")
    domain = ".".join(["d" * 60] * 3) + ".com"
    email = "u" * (length - len(domain) - 1) + "@" + domain
    with pytest.raises(DomainError) as refused:
        invitations.register_through_link(token=link.token, domain_name="long-mail", password=PASSWORD,
                                          mobile_phone="13900000077", verification_code=code, email=email)
    assert refused.value.code == Codes.PARAMETER
    assert RegistrationCode.objects.get(mobile_phone="13900000077").used_at is None
    assert not User.objects.filter(username="long-mail").exists()
    email = email[length - 254:]  # 254 characters: stored
    customer = invitations.register_through_link(
        token=link.token, domain_name="long-mail", password=PASSWORD, mobile_phone="13900000077",
        verification_code=code, email=email)
    assert User.objects.get(username="long-mail").email == email == customer.email
