"""注册新账号 and 成为云经销商 at once, on PostgreSQL (real row locks): two submissions of one registration link
create one partner; two acceptances of one request create one reseller; two requests of one account make
one open request."""

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.db import connection

from partnercenter.errors import DomainError
from partnercenter.models import Partner, User
from programs import registration, reseller
from programs.catalogue import seed_definitions
from programs.errors_access import AccessCodes
from programs.models import RegistrationLink, ResellerRequest

from ..conftest import actor_of, build_tenant
from ..factories import CustomerFactory, CustomerUserFactory, MemberFactory
from ..trade.test_concurrency_pg import at_once

needs_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL")
pytestmark = [needs_postgres, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PASSWORD = "Str0ng-Passw0rd!"


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


def test_two_submissions_of_one_link_create_one_partner():
    seed_definitions()
    tenant = build_tenant("a")
    tenant.partner.email = "boss@a.example.com"
    tenant.partner.save(update_fields=["email"])
    actor = actor_of(tenant.admin)
    registration.send_code(actor, path_code="dtcsi", channel="email")
    code = re.search(r"\b(\d{8})\b", mail.outbox[-1].body).group(1)
    _link, token = registration.create_link(actor, path_code="dtcsi", code=code)
    before = Partner.objects.count()

    def submit(n):
        return lambda: registration.register_account(
            token=token, company_name=f"公司{n}", account_name=f"racer-{n}-cloud", admin_name=f"admin {n}",
            admin_email=f"admin{n}@example.com", username=f"racer{n}.admin", password=PASSWORD)

    outcomes = at_once([submit(n) for n in range(4)])

    created = [o for o in outcomes if isinstance(o, Partner)]
    refused = [o for o in outcomes if isinstance(o, DomainError)]
    assert len(created) == 1 and len(refused) == 3, outcomes
    assert {o.code for o in refused} == {AccessCodes.LINK_USED}
    assert Partner.objects.count() == before + 1
    assert User.objects.filter(username__startswith="racer").count() == 1
    assert RegistrationLink.objects.get().new_partner_id == created[0].pk


def test_two_acceptances_create_one_reseller_and_two_requests_make_one():
    seed_definitions()
    dist = build_tenant("d", partner_type="distributor")
    second = MemberFactory(partner=dist.partner, user__username="d.second", roles=[dist.admin_role])
    customer = CustomerFactory(domain_name="racing-shop")
    owner = CustomerUserFactory(customer=customer)

    def ask(n):
        return lambda: reseller.request_reseller(
            actor_of(owner.user), distributor=dist.partner.account_name, company_name=f"店{n}",
            contact_email=f"a{n}@shop.example.com", acknowledged=True)

    asked = at_once([ask(n) for n in range(3)])
    requests = [o for o in asked if isinstance(o, ResellerRequest)]
    assert len(requests) == 1, asked
    assert {o.code for o in asked if isinstance(o, DomainError)} == {AccessCodes.REQUEST_OPEN}

    accepted = at_once([lambda m=m: reseller.accept_request(actor_of(m), request_id=requests[0].pk)
                        for m in (dist.admin, second)])
    made = [o for o in accepted if isinstance(o, tuple)]
    assert len(made) == 1, accepted
    assert [o.code for o in accepted if isinstance(o, DomainError)] == [AccessCodes.REQUEST_DECIDED]
    assert Partner.objects.filter(domain_id=customer.domain_id, partner_type="reseller").count() == 1
