"""Funds through the official SDK: balances → allocate → adjust record → reclaim → balances back;
every refusal returns its CBC error and changes nothing."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from huaweicloudsdkbss.v2 import (
    AdjustAccountReq, ListPartnerAdjustRecordsRequest, ListPartnerBalancesRequest, ReclaimToPartnerAccountBalancesReq,
    ReclaimToPartnerAccountRequest, UpdateCustomerAccountAmountRequest,
)
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException

from ..billing_helpers import fund, snapshot
from ..factories import make_access_key
from ..signed import bss_client

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def client(live_server, tenant_a):
    fund(tenant_a.partner, "100.00", credit_limit="50.00")
    return bss_client(live_server.url, ak=tenant_a.key.ak, sk=tenant_a.secret, domain_id=tenant_a.partner.domain_id)


def balances(client):
    response = client.list_partner_balances(ListPartnerBalancesRequest())
    return {b.account_type: Decimal(str(b.amount)) for b in response.account_balances}


def test_allocate_then_reclaim_round_trip(client, tenant_a):
    before = balances(client)

    allocated = client.update_customer_account_amount(UpdateCustomerAccountAmountRequest(
        body=AdjustAccountReq(customer_id=tenant_a.resale.domain_id, amount=Decimal("30.25"))))
    during = balances(client)
    records = client.list_partner_adjust_records(ListPartnerAdjustRecordsRequest(trans_id=allocated.transfer_id))
    reclaimed = client.reclaim_to_partner_account(ReclaimToPartnerAccountRequest(
        body=ReclaimToPartnerAccountBalancesReq(customer_id=tenant_a.resale.domain_id, amount=Decimal("30.25"))))
    after = balances(client)
    both = client.list_partner_adjust_records(ListPartnerAdjustRecordsRequest(customer_id=tenant_a.resale.domain_id))

    assert before == {1: Decimal("100.00"), 2: Decimal("50.00"), 8: Decimal("150.00")}
    assert during[8] == Decimal("119.75")
    assert [(r.customer_id, r.operation_type, r.amount) for r in records.records] == [
        (tenant_a.resale.domain_id, "SOURCE_OPERATION_BEADJUST", "30.25")]
    assert reclaimed.trans_id and after == before
    assert both.total_count == 2
    call_command("verify_ledger")


@pytest.mark.parametrize("amount,code", [
    ("1.001", "CBC.0100"), ("0", "CBC.0100"), ("-5", "CBC.0100"), ("150.01", "CBC.99003005"),
])
def test_bad_amounts_are_refused_and_change_nothing(client, tenant_a, amount, code):
    before = snapshot()
    with pytest.raises(ClientRequestException) as refused:
        client.update_customer_account_amount(UpdateCustomerAccountAmountRequest(
            body=AdjustAccountReq(customer_id=tenant_a.resale.domain_id, amount=Decimal(amount))))
    assert refused.value.error_code == code
    assert snapshot() == before


def test_referral_unknown_and_other_partners_customers_are_refused(client, tenant_a, tenant_b):
    before = snapshot()
    for customer_id, code in [(tenant_a.referral.domain_id, "CBC.99007006"), ("0" * 32, "CBC.0156"),
                              (tenant_b.resale.domain_id, "CBC.0156")]:
        with pytest.raises(ClientRequestException) as refused:
            client.update_customer_account_amount(UpdateCustomerAccountAmountRequest(
                body=AdjustAccountReq(customer_id=customer_id, amount=Decimal("1.00"))))
        assert refused.value.error_code == code
    assert snapshot() == before


def test_reclaiming_more_than_the_customer_holds_is_refused(client, tenant_a):
    client.update_customer_account_amount(UpdateCustomerAccountAmountRequest(
        body=AdjustAccountReq(customer_id=tenant_a.resale.domain_id, amount=Decimal("10.00"))))
    before = snapshot()
    with pytest.raises(ClientRequestException) as refused:
        client.reclaim_to_partner_account(ReclaimToPartnerAccountRequest(
            body=ReclaimToPartnerAccountBalancesReq(customer_id=tenant_a.resale.domain_id, amount=Decimal("10.01"))))
    assert refused.value.error_code == "CBC.99003006"
    assert snapshot() == before


def test_an_account_managers_key_is_refused_the_partners_balances(client, live_server, tenant_a):
    key, secret = make_access_key(tenant_a.member.user, partner=tenant_a.partner)  # customers.view only
    manager = bss_client(live_server.url, ak=key.ak, sk=secret, domain_id=tenant_a.partner.domain_id)
    with pytest.raises(ClientRequestException) as refused:
        manager.list_partner_balances(ListPartnerBalancesRequest())
    assert (refused.value.status_code, refused.value.error_code) == (403, "CBC.0151")
    assert balances(client)[1] == Decimal("100.00")  # the administrator's key still reads them
