"""One submit, one effect: N simultaneous POSTs of one confirmation page (a double click, a retrying
proxy, a script) run the operation once, because its one-time token is claimed in the database before
the service runs. Real concurrent requests through the whole stack, in threads sharing one session,
on PostgreSQL."""

import threading
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections
from django.test import Client

from billing import services
from billing.models import Adjustment, CustomerAccount, LedgerEntry, PartnerAccount
from vouchers import services as voucher_services
from vouchers.models import Coupon, CouponQuota, CouponRecord

from ..billing_helpers import fund
from ..conftest import actor_of
from ..vouchers.test_pages import grant, hidden_fields

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]

N = 10


def together(client, url, data) -> list[str]:
    """POST `data` to `url` from N threads at once, each a browser tab of the same signed-in session."""
    barrier, outcomes, lock = threading.Barrier(N), [], threading.Lock()

    def run():
        tab = Client()
        tab.cookies[settings.SESSION_COOKIE_NAME] = client.cookies[settings.SESSION_COOKIE_NAME].value
        try:
            barrier.wait()
            response = tab.post(url, data)
            body = response.content.decode()
            if response.status_code == 302 or 'id="results"' in body:
                outcome = "done"
            elif response.status_code == 200 and 'id="confirm-form"' in body:
                outcome = "refused"
            else:
                outcome = f"{response.status_code}: {body[:200]}"
        except Exception as exc:  # a 500 shows here
            outcome = repr(exc)
        finally:
            connections.close_all()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=run) for _ in range(N)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


def confirmation(client, url, data) -> dict:
    response = client.post(url, data)
    assert 'id="confirm-form"' in response.content.decode(), response.content.decode()[:500]
    return hidden_fields(response)


def test_ten_simultaneous_confirmations_of_one_allocation_allocate_once(tenant_a, admin_client_a):
    fund(tenant_a.partner, "100.00")
    url = f"/billing/allocate/?customer={tenant_a.resale.domain_id}"
    fields = confirmation(admin_client_a, url, {f"amount_{tenant_a.resale.domain_id}": "10.00"})
    entries = LedgerEntry.objects.count()

    assert together(admin_client_a, url, fields) == ["done"] + ["refused"] * (N - 1)
    assert Adjustment.objects.count() == 1
    assert LedgerEntry.objects.count() == entries + 2  # one movement: an entry per side
    assert CustomerAccount.objects.get(customer=tenant_a.resale).balance == Decimal("10.00")
    assert PartnerAccount.objects.get(partner=tenant_a.partner).allocated_amount == Decimal("10.00")
    call_command("verify_ledger")


def test_ten_simultaneous_confirmations_of_one_reclaim_reclaim_once(tenant_a, admin_client_a):
    fund(tenant_a.partner, "100.00")
    services.allocate_to_customer(actor_of(tenant_a.admin), customer_id=tenant_a.resale.domain_id, amount="50.00")
    url = f"/billing/reclaim/{tenant_a.resale.domain_id}/"
    fields = confirmation(admin_client_a, url, {"amount": "5.00"})

    assert together(admin_client_a, url, fields) == ["done"] + ["refused"] * (N - 1)
    assert Adjustment.objects.filter(operation_type="SOURCE_OPERATION_BERETRIEVE").count() == 1
    assert CustomerAccount.objects.get(customer=tenant_a.resale).balance == Decimal("45.00")
    call_command("verify_ledger")


def test_ten_simultaneous_confirmations_of_one_coupon_issue_issue_once(tenant_a, admin_client_a):
    quota = grant(tenant_a.partner, "100.00")
    url = f"/vouchers/issue/{quota.quota_id}/"
    fields = confirmation(admin_client_a, url, {"customers": [tenant_a.resale.domain_id], "face_value": "10.00"})

    assert together(admin_client_a, url, fields) == ["done"] + ["refused"] * (N - 1)
    assert Coupon.objects.count() == 1
    assert CouponQuota.objects.get(pk=quota.pk).balance == Decimal("90.00")


def test_ten_simultaneous_confirmations_of_one_coupon_reclaim_reclaim_once(tenant_a, admin_client_a):
    quota = grant(tenant_a.partner, "100.00")
    infos, _errors = voucher_services.issue_coupons(actor_of(tenant_a.admin), quota_id=quota.quota_id,
                                                    customer_ids=[tenant_a.resale.domain_id], face_value="10.00")
    url = f"/vouchers/reclaim/?coupon={infos[0]['coupon_id']}"
    fields = confirmation(admin_client_a, url, {"remark": ""})

    assert together(admin_client_a, url, fields) == ["done"] + ["refused"] * (N - 1)
    assert CouponRecord.objects.filter(operation_type="2").count() == 1
    assert CouponQuota.objects.get(pk=quota.pk).balance == Decimal("100.00")
