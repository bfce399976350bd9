"""The rebate account stays out of 账务 (area W): a rebate credited (a final statement) or withdrawn changes
neither 收支明细 (page and `GET /v2/accounts/partner-accounts/account-change-records`, their rows and totals), nor
the balances (账户总览, `GET /v2/accounts/partner-accounts/balances`), nor 调账记录
(`GET /v3/accounts/partner-accounts/adjust-records`); the ledger's counter leaves rebate entries out, as its
declaration says (verify_counts)."""

import io

import pytest
from django.core.management import call_command
from django.test import Client

from billing import services
from billing.models import LedgerEntry
from incentives import withdrawals

from ..billing_helpers import fund
from ..conftest import actor_of
from ..signed import call
from .withdrawals_fixtures import certify, code_of, credit, device_of

LEDGER_API = "/v2/accounts/partner-accounts/account-change-records"
BALANCES_API = "/v2/accounts/partner-accounts/balances"
ADJUST_API = "/v3/accounts/partner-accounts/adjust-records"


def api(tenant, path, query=()):
    response = call(Client(), "GET", path, ak=tenant.key.ak, sk=tenant.secret, query=query)
    assert response.status_code == 200, response.content
    return response.json()


def outputs(tenant, client):
    """What 账务 shows of partner A: pages and CBC answers (the rows' ids, totals and balances)."""
    ledger_page = client.get("/billing/ledger/")
    overview = client.get("/billing/").content.decode()
    return {
        "ledger_page": [entry.pk for entry in ledger_page.context["page"]],
        "ledger_page_count": ledger_page.context["page"].paginator.count,
        "ledger_api": api(tenant, LEDGER_API, [("limit", "100")]),
        "ledger_api_debit": api(tenant, LEDGER_API, [("balance_type", "BALANCE_TYPE_DEBIT")])["total_count"],
        "ledger_api_incentive": api(tenant, LEDGER_API, [("trade_type", "INCENTIVE")])["total_count"],
        "balances": api(tenant, BALANCES_API),
        "adjust_records": api(tenant, ADJUST_API, [("limit", "100")]),
        "overview_has_balances": ("1,000.00" in overview, "60.00" in overview),
    }


@pytest.fixture
def w_moving(tenant_a):
    fund(tenant_a.partner, "1000.00")
    services.allocate_to_customer(actor_of(tenant_a.admin), customer_id=tenant_a.resale.domain_id, amount="60.00")
    certify(tenant_a.partner)
    return tenant_a


def test_rebate_credits_and_withdrawals_change_nothing_of_the_account_pages_and_endpoints(w_moving, admin_client_a):
    tenant = w_moving
    before = outputs(tenant, admin_client_a)
    assert before["ledger_page_count"] == before["ledger_api"]["total_count"] == 2   # the recharge, the allocation
    credit(tenant.partner, "500.00")
    credit(tenant.partner, "20.00")
    withdrawals.request_withdrawal(actor_of(tenant.admin), amount="100.00", bank_name="工行", account_holder="甲公司",
                                   verification_code=code_of(device_of(tenant.admin)))
    assert LedgerEntry.objects.filter(partner=tenant.partner, balance_type="rebate").count() == 3
    after = outputs(tenant, admin_client_a)
    assert after == before
    assert after["ledger_api_incentive"] == 0
    assert {b["account_type"]: b["amount"] for b in after["balances"]["account_balances"]}[8] == \
        {b["account_type"]: b["amount"] for b in before["balances"]["account_balances"]}[8]
    # the ledger page's filter offers no rebate account nor rebate trade types
    body = admin_client_a.get("/billing/ledger/").content.decode()
    assert 'value="rebate"' not in body and 'value="INCENTIVE"' not in body and 'value="WITHDRAW"' not in body
    call_command("verify_counts", stdout=io.StringIO())   # the counters match their declarations
