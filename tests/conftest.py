"""Shared fixtures: the demo-shaped tenants, signed-in clients and an SDK client factory."""

import pytest
from django.test import Client

from catalog.selectors import clear_cache as clear_catalogue_names
from partnercenter.actors import actor_for_user

from .signed import close_clients
from .factories import (
    AssociationFactory, MemberFactory, PartnerFactory, RoleFactory, make_access_key,
)


@pytest.fixture(autouse=True)
def _fast_tests(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    clear_catalogue_names()  # the database rolls back between tests, the catalogue's name cache would not
    yield
    close_clients()


@pytest.fixture
def tenant_a(db):
    return build_tenant("a")


@pytest.fixture
def tenant_b(db):
    return build_tenant("b")


class Tenant:
    """A solution provider with an administrator, a customer of each type, a role, an access key …"""


def build_tenant(tag: str, partner_type="solution_provider") -> Tenant:
    t = Tenant()
    t.partner = PartnerFactory(account_name=f"partner-{tag}", partner_type=partner_type)
    t.admin_role = RoleFactory(partner=t.partner, name="管理员", is_administrator=True)
    t.admin = MemberFactory(partner=t.partner, user__username=f"{tag}.admin", roles=[t.admin_role])
    t.role = RoleFactory(partner=t.partner, name=f"role-{tag}", permissions=["customers.view"])
    t.member = MemberFactory(partner=t.partner, user__username=f"{tag}.am", roles=[t.role])
    t.referral = AssociationFactory(partner=t.partner, association_type="1", account_manager=t.member).customer
    t.resale = AssociationFactory(partner=t.partner, association_type="2").customer
    t.key, t.secret = make_access_key(t.admin.user, partner=t.partner)
    return t


def login_client(user) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.fixture
def admin_client_a(tenant_a):
    return login_client(tenant_a.admin.user)


def actor_of(member_or_user):
    user = getattr(member_or_user, "user", member_or_user)
    return actor_for_user(user, ip="127.0.0.1")
