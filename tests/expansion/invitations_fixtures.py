"""Shared helpers of the invitations tests (线下拓展): tenants, links, SMS codes, a distributor with a cloud
reseller. Import what a test needs: `from .invitations_fixtures import ...`."""

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.utils import timezone

from customers.models import RegistrationCode
from customers.registration import _hash_code
from expansion.models import InvitationLink
from partnercenter import sms

from ..conftest import actor_of, build_tenant, login_client
from ..factories import MemberFactory, PartnerFactory, RoleFactory

__all__ = ["MOBILE", "PASSWORD", "make_link", "give_code", "sms_code", "inv_tenant", "inv_other", "reseller_of",
           "sms_outbox", "actor_of", "login_client", "join_data", "clean_throttles"]

MOBILE = "13912345678"
PASSWORD = "Cloud#2026x"


def make_link(partner, *, association_type="1", days=30, **fields) -> InvitationLink:
    values = {"name": "展会", "association_type": association_type,
              "valid_until": timezone.now() + dt.timedelta(days=days)}
    values.update(fields)
    return InvitationLink.objects.create(partner=partner, **values)


def give_code(mobile=MOBILE, code="12345678", partner=None) -> str:
    """A live registration code for `mobile` (as send_registration_code leaves it)."""
    RegistrationCode.objects.create(mobile_phone=mobile, code_hash=_hash_code(code), scene=29, partner=partner,
                                    expires_at=timezone.now() + dt.timedelta(minutes=10))
    return code


def sms_code(outbox, mobile=MOBILE) -> str:
    to, text = outbox[-1]
    assert to == mobile
    return re.search(r"\b(\d{8})\b", text).group(1)


def join_data(name="acme-cloud", mobile=MOBILE, code="12345678", **extra) -> dict:
    return {"action": "register", "domain_name": name, "password1": PASSWORD, "password2": PASSWORD,
            "mobile_phone": mobile, "code": code, "email": "", **extra}


@pytest.fixture(autouse=True)
def clean_throttles():
    """The public page's budgets live in the cache, which outlives a test's database: start and end empty.
    Autouse where a test module binds it (`clean_throttles = invitations_fixtures.clean_throttles`)."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def sms_outbox(settings):
    settings.SMS_BACKEND = "partnercenter.sms.OutboxSmsBackend"
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


@pytest.fixture
def inv_tenant(db):
    """Tenant "a": an administrator (every right) and an account manager (customers.view only)."""
    return build_tenant("a")


@pytest.fixture
def inv_other(db):
    return build_tenant("b")


def reseller_of(distributor_status="active", tag="r"):
    """A distributor (with `distributor_status`) and its cloud reseller with an administrator."""
    distributor = PartnerFactory(account_name=f"dist-{tag}", partner_type="distributor", status=distributor_status)
    reseller = PartnerFactory(account_name=f"resel-{tag}", partner_type="reseller", distributor=distributor)
    role = RoleFactory(partner=reseller, name="管理员", is_administrator=True)
    admin = MemberFactory(partner=reseller, user__username=f"{tag}.reseller", roles=[role])
    return distributor, reseller, admin
