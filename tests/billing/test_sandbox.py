"""No money from a test double: the sandbox payment provider exists only where settings enable it.
Without it and without a real gateway, online recharge is unavailable with a clear message and the
sandbox page is not found, while offline remittance still works."""

from decimal import Decimal

import pytest

from billing import payments, services
from billing.models import LedgerEntry, PartnerAccount, Recharge

from ..conftest import actor_of

pytestmark = pytest.mark.django_db

GATEWAY = "tests.billing.test_pages.GatewayProvider"  # a stand-in for a real gateway


@pytest.fixture
def no_sandbox(settings):
    settings.PAYMENT_SANDBOX = False
    settings.PAYMENT_PROVIDER = ""


def test_the_provider_is_the_gateway_else_the_enabled_sandbox_else_none(settings):
    settings.PAYMENT_PROVIDER, settings.PAYMENT_SANDBOX = GATEWAY, True
    assert payments.provider().name == "gateway" and not payments.sandbox_enabled()
    settings.PAYMENT_PROVIDER = ""
    assert isinstance(payments.provider(), payments.SandboxProvider) and payments.sandbox_enabled()
    settings.PAYMENT_SANDBOX = False
    assert payments.provider() is None and not payments.sandbox_enabled()


def test_without_a_provider_online_recharge_is_unavailable_and_remittance_works(tenant_a, admin_client_a, no_sandbox):
    body = admin_client_a.get("/billing/recharge/").content.decode()
    assert 'id="online-unavailable"' in body and 'name="online-amount"' not in body
    assert 'name="remittance-amount"' in body

    refused = admin_client_a.post("/billing/recharge/", {"method": "online", "online-amount": "1000000.00"})
    assert refused.status_code == 200
    assert refused.context["online"].non_field_errors() == [refused.context["online_unavailable"]]
    assert not Recharge.objects.exists()

    recorded = admin_client_a.post("/billing/recharge/", {"method": "remittance", "remittance-amount": "10.00",
                                                          "remittance-reference": "BANK-9"})
    assert recorded.status_code == 302
    assert Recharge.objects.get().method == "remittance"


def test_without_the_sandbox_its_page_is_not_found_and_credits_nothing(tenant_a, admin_client_a, settings):
    pending = services.start_online_recharge(actor_of(tenant_a.admin), amount="1000000.00")  # made while enabled
    url = f"/billing/sandbox-pay/{pending.trans_id}/"
    assert url in admin_client_a.get("/billing/recharge/").content.decode()  # "continue payment"

    settings.PAYMENT_SANDBOX = False
    assert url not in admin_client_a.get("/billing/recharge/").content.decode()
    assert admin_client_a.get(url).status_code == 404
    assert admin_client_a.post(url, {"outcome": "success"}).status_code == 404
    assert Recharge.objects.get().status == "pending"
    assert not PartnerAccount.objects.filter(partner=tenant_a.partner, cash_balance__gt=Decimal("0")).exists()
    assert not LedgerEntry.objects.exists()
