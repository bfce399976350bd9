"""The money pages (账务): overview, batch allocation and reclaim in two steps, verification codes on the
confirmation, 调账记录 with filters and export, 收支明细, recharge through the sandbox provider, and the
recharge refusal for other contracting entities."""

import re
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.management import call_command
from django.utils import timezone, translation
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from openpyxl import load_workbook

from billing import services
from billing.errors import BillingCodes
from billing.models import Adjustment, CustomerAccount, LedgerEntry, PartnerAccount, Recharge
from customers.models import Association
from partnercenter.errors import MESSAGES, Codes

from ..billing_helpers import fund, snapshot
from ..conftest import actor_of, build_tenant, login_client
from ..factories import AssociationFactory, PartnerFactory, RoleFactory

pytestmark = pytest.mark.django_db


def zh(message) -> str:
    """A message as the pages show it by default (zh-hans)."""
    with translation.override("zh-hans"):
        return str(message)


def posted_fields(response, form_id="confirm-form") -> dict:
    """The hidden inputs of a confirmation form, as the browser would post them back."""
    html = response.content.decode()
    form = re.search(rf'<form method="post" id="{form_id}">(.*?)</form>', html, re.S).group(1)
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))


def balance_of(customer) -> Decimal:
    account = CustomerAccount.objects.filter(customer=customer).first()
    return account.balance if account else Decimal("0.00")


def account_of(partner) -> PartnerAccount:
    return PartnerAccount.objects.get(partner=partner)


def allocate_url(*customers) -> str:
    return "/billing/allocate/?" + "&".join(f"customer={c.domain_id}" for c in customers)


# -------------------------------------------------------------------------------------------
# Overview and navigation
# -------------------------------------------------------------------------------------------

def test_overview_shows_the_four_numbers_and_the_formula(tenant_a, admin_client_a):
    fund(tenant_a.partner, "100.00", credit_limit="50.00")
    services.allocate_to_customer(actor_of(tenant_a.admin), customer_id=tenant_a.resale.domain_id, amount="30.25")
    response = admin_client_a.get("/billing/")
    body = response.content.decode()
    assert response.status_code == 200
    for tile, value in (("cash-balance", "¥100.00"), ("credit-limit", "¥50.00"), ("allocated-amount", "¥30.25"),
                        ("available", "¥119.75")):
        assert re.search(rf'id="{tile}".*?<strong>{re.escape(value)}</strong>', body, re.S), tile
    assert "/billing/recharge/" in body and "/billing/adjustments/" in body and "/billing/ledger/" in body
    assert "reseller-balances" not in body  # not a distributor


def test_the_menu_points_at_the_billing_pages_and_the_placeholder_is_gone(tenant_a, admin_client_a):
    assert 'href="/billing/"' in admin_client_a.get("/").content.decode()
    assert admin_client_a.get("/section/billing/").status_code == 404
    member = login_client(tenant_a.member.user)  # customers.view only
    assert member.get("/billing/").status_code == 403
    assert member.get(allocate_url(tenant_a.resale)).status_code == 403


def test_a_distributor_sees_its_resellers_balances_and_moves_funds_in_two_steps(db):
    d = build_tenant("dist", partner_type="distributor")
    reseller = PartnerFactory(partner_type="reseller", distributor=d.partner, account_name="reseller-x")
    fund(d.partner, "100.00")
    client = login_client(d.admin.user)
    url = f"/billing/resellers/{reseller.domain_id}/allocate/"

    confirm = client.post(url, {"amount": "30.00"})
    assert confirm.status_code == 200 and 'id="confirm-form"' in confirm.content.decode()
    assert account_of(d.partner).allocated_amount == 0  # nothing moves before the confirmation
    done = client.post(url, posted_fields(confirm))
    assert done.status_code == 302
    assert account_of(reseller).cash_balance == Decimal("30.00")
    assert account_of(d.partner).allocated_amount == Decimal("30.00")

    overview = client.get("/billing/").content.decode()
    row = re.search(rf"<tr><td>{re.escape(reseller.name)}</td>.*?</tr>", overview, re.S).group(0)
    assert "30.00" in row and f"/billing/resellers/{reseller.domain_id}/reclaim/" in row

    reclaim_url = f"/billing/resellers/{reseller.domain_id}/reclaim/"
    client.post(reclaim_url, posted_fields(client.post(reclaim_url, {"amount": "10.00"})))
    assert account_of(reseller).cash_balance == Decimal("20.00")
    assert account_of(d.partner).allocated_amount == Decimal("20.00")
    assert client.get(f"/billing/resellers/{reseller.domain_id}/transfer/").status_code == 404
    call_command("verify_ledger")


# -------------------------------------------------------------------------------------------
# 拨款 / 批量拨款
# -------------------------------------------------------------------------------------------

def test_batch_allocation_in_two_steps_with_a_row_that_fails(tenant_a, admin_client_a):
    fund(tenant_a.partner, "100.00")
    second = AssociationFactory(partner=tenant_a.partner, association_type="2").customer
    url = allocate_url(tenant_a.resale, second, tenant_a.referral)

    page = admin_client_a.get(url)
    body = page.content.decode()
    assert f'name="amount_{tenant_a.resale.domain_id}"' in body and f'name="amount_{second.domain_id}"' in body
    assert f'name="amount_{tenant_a.referral.domain_id}"' not in body
    not_eligible = re.search(r'id="not-eligible">(.*?)</table>', body, re.S).group(1)
    assert tenant_a.referral.domain_id in not_eligible

    confirm = admin_client_a.post(url, {f"amount_{tenant_a.resale.domain_id}": "10.50",
                                        f"amount_{second.domain_id}": "20.00"})
    body = confirm.content.decode()
    assert re.search(r'id="confirm-total">30.50<', body)
    assert re.search(r'id="available">¥100.00<', body)
    assert Adjustment.objects.count() == 0

    # Between the confirmation and the click, the second customer stops being a resale customer.
    Association.objects.filter(customer=second).update(association_type="1")
    result = admin_client_a.post(url, posted_fields(confirm))
    assert result.status_code == 200
    rows = {r["customer_id"]: r for r in result.context["results"]}
    assert rows[tenant_a.resale.domain_id]["ok"] is True
    assert rows[second.domain_id]["ok"] is False and rows[second.domain_id]["error_code"] == BillingCodes.NOT_RESALE
    body = result.content.decode()
    assert rows[tenant_a.resale.domain_id]["trans_id"] in body and rows[second.domain_id]["error_msg"] in body

    assert balance_of(tenant_a.resale) == Decimal("10.50") and balance_of(second) == Decimal("0.00")
    account = account_of(tenant_a.partner)
    assert (account.cash_balance, account.allocated_amount, account.available) == (
        Decimal("100.00"), Decimal("10.50"), Decimal("89.50"))
    call_command("verify_ledger")

    # Refreshing the result page posts the confirmation again: refused, nothing moves twice.
    before = snapshot()
    again = admin_client_a.post(url, posted_fields(confirm))
    assert again.status_code == 200 and "results" not in again.context
    assert snapshot() == before


def test_the_same_amount_fills_the_rows_left_empty(tenant_a, admin_client_a):
    fund(tenant_a.partner, "100.00")
    second = AssociationFactory(partner=tenant_a.partner, association_type="2").customer
    url = allocate_url(tenant_a.resale, second)
    confirm = admin_client_a.post(url, {"same_amount": "5.00", f"amount_{second.domain_id}": "7.25"})
    assert re.search(r'id="confirm-total">12.25<', confirm.content.decode())
    admin_client_a.post(url, posted_fields(confirm))
    assert (balance_of(tenant_a.resale), balance_of(second)) == (Decimal("5.00"), Decimal("7.25"))


@pytest.mark.parametrize("amount", ["1.001", "0", "-5", "abc", "", "1,000"])
def test_bad_amounts_are_form_errors_and_change_nothing(tenant_a, admin_client_a, amount):
    fund(tenant_a.partner, "100.00")
    before = snapshot()
    response = admin_client_a.post(allocate_url(tenant_a.resale), {f"amount_{tenant_a.resale.domain_id}": amount})
    assert response.status_code == 200
    assert response.context["form"].errors and "confirm" not in response.context
    assert snapshot() == before


def test_more_than_the_balance_is_refused_before_the_confirmation(tenant_a, admin_client_a):
    fund(tenant_a.partner, "10.00")
    before = snapshot()
    response = admin_client_a.post(allocate_url(tenant_a.resale), {f"amount_{tenant_a.resale.domain_id}": "10.01"})
    assert "confirm" not in response.context
    assert "¥10.01" in str(response.context["form"].non_field_errors()) and "¥10.00" in str(
        response.context["form"].non_field_errors())
    assert snapshot() == before


def test_a_balance_spent_after_the_confirmation_opened_fails_on_its_row(tenant_a, admin_client_a):
    fund(tenant_a.partner, "10.00")
    url = allocate_url(tenant_a.resale)
    confirm = admin_client_a.post(url, {f"amount_{tenant_a.resale.domain_id}": "10.00"})
    assert "confirm" in confirm.context
    second = AssociationFactory(partner=tenant_a.partner).customer
    services.allocate_to_customer(actor_of(tenant_a.admin), customer_id=second.domain_id, amount="5.00")
    result = admin_client_a.post(url, posted_fields(confirm))
    assert result.context["results"][0]["error_code"] == BillingCodes.INSUFFICIENT_BALANCE
    assert balance_of(tenant_a.resale) == 0 and account_of(tenant_a.partner).allocated_amount == Decimal("5.00")


def test_another_partners_customer_is_not_eligible(tenant_a, tenant_b, admin_client_a):
    body = admin_client_a.get(allocate_url(tenant_b.resale)).content.decode()
    assert f'name="amount_{tenant_b.resale.domain_id}"' not in body
    row = re.search(r'id="not-eligible">.*?<tbody>(.*?)</tbody>', body, re.S).group(1)
    assert "<td>—</td>" in row and tenant_b.resale.domain_id in row  # the id typed, nothing of the customer


# -------------------------------------------------------------------------------------------
# 回收
# -------------------------------------------------------------------------------------------

def test_reclaim_through_the_confirmation(tenant_a, admin_client_a):
    fund(tenant_a.partner, "100.00")
    services.allocate_to_customer(actor_of(tenant_a.admin), customer_id=tenant_a.resale.domain_id, amount="40.00")
    url = f"/billing/reclaim/{tenant_a.resale.domain_id}/"

    page = admin_client_a.get(url)
    assert 'value="40.00"' in page.content.decode()  # the whole balance, prefilled
    confirm = admin_client_a.post(url, {"amount": "15.00"})
    assert re.search(r'id="confirm-amount">15.00<', confirm.content.decode())
    assert balance_of(tenant_a.resale) == Decimal("40.00")

    done = admin_client_a.post(url, posted_fields(confirm), follow=True)
    reclaim = Adjustment.objects.get(operation_type="SOURCE_OPERATION_BERETRIEVE")
    assert reclaim.trans_id in done.content.decode()
    assert balance_of(tenant_a.resale) == Decimal("25.00")
    assert account_of(tenant_a.partner).allocated_amount == Decimal("25.00")

    before = snapshot()
    assert admin_client_a.post(url, posted_fields(confirm)).status_code == 200  # the same confirmation again
    assert snapshot() == before

    too_much = admin_client_a.post(url, posted_fields(admin_client_a.post(url, {"amount": "25.01"})))
    assert zh(MESSAGES[BillingCodes.RECLAIM_EXCEEDS_BALANCE]) in too_much.content.decode()
    assert snapshot() == before
    call_command("verify_ledger")


def test_a_referral_customer_has_nothing_to_reclaim(tenant_a, admin_client_a):
    before = snapshot()
    response = admin_client_a.post(f"/billing/reclaim/{tenant_a.referral.domain_id}/", {"amount": "1.00"})
    assert response.status_code == 200 and 'id="amount-form"' not in response.content.decode()
    assert snapshot() == before


# -------------------------------------------------------------------------------------------
# Verification codes
# -------------------------------------------------------------------------------------------

@pytest.fixture
def device(tenant_a):
    tenant_a.partner.verification_enabled = True
    tenant_a.partner.save()
    return TOTPDevice.objects.create(user=tenant_a.admin.user, name="app", confirmed=True)


def current_code(device) -> str:
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token():06d}"


def test_the_confirmation_asks_for_the_verification_code(tenant_a, admin_client_a, device):
    fund(tenant_a.partner, "100.00")
    url = allocate_url(tenant_a.resale)
    confirm = admin_client_a.post(url, {f"amount_{tenant_a.resale.domain_id}": "12.00"})
    assert 'name="verification_code"' in confirm.content.decode()
    fields = posted_fields(confirm)

    before = snapshot()
    refused = admin_client_a.post(url, fields)
    assert refused.status_code == 200 and "results" not in refused.context
    assert zh(MESSAGES[Codes.VERIFICATION_REQUIRED]) in refused.content.decode()
    assert snapshot() == before

    done = admin_client_a.post(url, {**fields, "verification_code": current_code(device)})
    assert done.context["results"][0]["ok"] is True
    assert balance_of(tenant_a.resale) == Decimal("12.00")


def test_reclaim_without_the_code_changes_nothing(tenant_a, admin_client_a, device):
    fund(tenant_a.partner, "100.00")
    tenant_a.partner.verification_enabled = False
    tenant_a.partner.save()
    services.allocate_to_customer(actor_of(tenant_a.admin), customer_id=tenant_a.resale.domain_id, amount="9.00")
    tenant_a.partner.verification_enabled = True
    tenant_a.partner.save()
    url = f"/billing/reclaim/{tenant_a.resale.domain_id}/"
    before = snapshot()
    refused = admin_client_a.post(url, posted_fields(admin_client_a.post(url, {"amount": "9.00"})))
    assert refused.status_code == 200
    assert zh(MESSAGES[Codes.VERIFICATION_REQUIRED]) in refused.content.decode()
    assert snapshot() == before


# -------------------------------------------------------------------------------------------
# 调账记录 and 收支明细
# -------------------------------------------------------------------------------------------

@pytest.fixture
def movements(tenant_a):
    fund(tenant_a.partner, "100.00")
    actor = actor_of(tenant_a.admin)
    second = AssociationFactory(partner=tenant_a.partner, association_type="2").customer
    allocation = services.allocate_to_customer(actor, customer_id=tenant_a.resale.domain_id, amount="30.25")
    reclaim = services.reclaim_from_customer(actor, customer_id=tenant_a.resale.domain_id, amount="5.00")
    other = services.allocate_to_customer(actor, customer_id=second.domain_id, amount="1.00")
    return {"allocation": allocation, "reclaim": reclaim, "other": other, "second": second}


def test_adjustments_page_filters(tenant_a, admin_client_a, movements):
    def shown(query=""):
        body = admin_client_a.get(f"/billing/adjustments/?{query}").content.decode()
        return {name for name, adjustment in movements.items() if name != "second" and adjustment.trans_id in body}

    assert shown() == {"allocation", "reclaim", "other"}
    assert shown("operation_type=SOURCE_OPERATION_BERETRIEVE") == {"reclaim"}
    assert shown(f"customer_id={movements['second'].domain_id}") == {"other"}
    assert shown(f"trans_id={movements['allocation'].trans_id}") == {"allocation"}
    today = timezone.localdate()
    assert shown(f"date_from={today}&date_to={today}") == {"allocation", "reclaim", "other"}
    assert shown(f"date_from={today + timezone.timedelta(days=1)}") == set()


def test_adjustments_export_holds_the_filtered_rows(tenant_a, admin_client_a, movements):
    response = admin_client_a.get(f"/billing/adjustments/export.xlsx?customer_id={tenant_a.resale.domain_id}")
    assert response["Content-Disposition"].startswith("attachment")
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert sorted((row[2], row[4], row[5]) for row in rows[1:]) == sorted([  # amounts are numbers, not text
        (tenant_a.resale.domain_id, 30.25, movements["allocation"].trans_id),
        (tenant_a.resale.domain_id, 5, movements["reclaim"].trans_id),
    ])
    assert tenant_a.resale.domain_name not in {row[3] for row in rows[1:]}  # masked, as on the page


@pytest.mark.parametrize("count", [3, 30])
def test_the_lists_run_a_constant_number_of_queries(tenant_a, admin_client_a, django_assert_max_num_queries, count):
    fund(tenant_a.partner, "1000.00")
    actor = actor_of(tenant_a.admin)
    for _ in range(count):
        customer = AssociationFactory(partner=tenant_a.partner, association_type="2").customer
        services.allocate_to_customer(actor, customer_id=customer.domain_id, amount="1.00")
    for url in ("/billing/adjustments/", "/billing/ledger/", "/billing/", "/billing/recharge/"):
        with django_assert_max_num_queries(12):
            assert admin_client_a.get(url).status_code == 200, url


def test_ledger_shows_income_expense_and_the_balance_after(tenant_a, admin_client_a, movements):
    body = admin_client_a.get("/billing/ledger/").content.decode()
    rows = {m.group(1): m.group(0) for m in re.finditer(r"<tr><td>[^<]*</td>.*?<code>(\w+)</code>.*?</tr>", body, re.S)}
    allocation = rows[movements["allocation"].trans_id]
    assert "30.25" in allocation and "69.75" in allocation and tenant_a.resale.domain_id in allocation
    assert 'class="bad"' in allocation  # an allocation is an expense of the account balance
    reclaim = rows[movements["reclaim"].trans_id]
    assert "74.75" in reclaim and 'class="ok"' in reclaim
    recharge = LedgerEntry.objects.get(partner=tenant_a.partner, trade_type="RECHARGE")
    assert "100.00" in rows[recharge.trans_id] and 'class="ok"' in rows[recharge.trans_id]

    filtered = admin_client_a.get("/billing/ledger/?trade_type=BERETRIEVE").content.decode()
    assert movements["reclaim"].trans_id in filtered and movements["allocation"].trans_id not in filtered


# -------------------------------------------------------------------------------------------
# 充值
# -------------------------------------------------------------------------------------------

def test_sandbox_payment_credits_the_cash_account_once(tenant_a, admin_client_a):
    started = admin_client_a.post("/billing/recharge/", {"method": "online", "online-amount": "88.80"})
    recharge = Recharge.objects.get(partner=tenant_a.partner)
    assert started.status_code == 302 and started["Location"] == f"/billing/sandbox-pay/{recharge.trans_id}/"
    assert re.search(r'id="pay-amount">88.80<', admin_client_a.get(started["Location"]).content.decode())

    paid = admin_client_a.post(started["Location"], {"outcome": "success"})
    assert paid.status_code == 302 and paid["Location"] == "/billing/recharge/"
    assert account_of(tenant_a.partner).cash_balance == Decimal("88.80")
    before = snapshot()
    assert admin_client_a.post(started["Location"], {"outcome": "success"}).status_code == 404
    assert snapshot() == before
    assert LedgerEntry.objects.filter(trans_id=recharge.trans_id).count() == 1
    call_command("verify_ledger")


def test_a_failed_sandbox_payment_credits_nothing(tenant_a, admin_client_a):
    started = admin_client_a.post("/billing/recharge/", {"method": "online", "online-amount": "5.00"})
    admin_client_a.post(started["Location"], {"outcome": "failure"})
    assert Recharge.objects.get(partner=tenant_a.partner).status == "failed"
    assert not PartnerAccount.objects.filter(partner=tenant_a.partner, cash_balance__gt=0).exists()


def test_the_sandbox_page_is_only_for_the_partners_own_pending_payment(tenant_a, tenant_b, admin_client_a):
    theirs = services.start_online_recharge(actor_of(tenant_b.admin), amount="1.00")
    assert admin_client_a.get(f"/billing/sandbox-pay/{theirs.trans_id}/").status_code == 404
    assert admin_client_a.post(f"/billing/sandbox-pay/{theirs.trans_id}/", {"outcome": "success"}).status_code == 404
    remittance = services.record_remittance(actor_of(tenant_a.admin), amount="1.00", reference="BANK-1")
    assert admin_client_a.post(f"/billing/sandbox-pay/{remittance.trans_id}/", {"outcome": "success"}).status_code == 404
    assert set(Recharge.objects.values_list("status", flat=True)) == {"pending"}


def test_a_remittance_is_recorded_and_listed(tenant_a, admin_client_a):
    response = admin_client_a.post("/billing/recharge/", {"method": "remittance", "remittance-amount": "1000.00",
                                                          "remittance-reference": "ICBC-20260101-1",
                                                          "remittance-remitter": "6222 0000"}, follow=True)
    recharge = Recharge.objects.get(partner=tenant_a.partner)
    assert (recharge.method, recharge.amount, recharge.status) == ("remittance", Decimal("1000.00"), "pending")
    assert "ICBC-20260101-1" in response.content.decode()
    assert not PartnerAccount.objects.filter(partner=tenant_a.partner, cash_balance__gt=0).exists()
    filtered = admin_client_a.get("/billing/recharge/?status=succeeded").content.decode()
    assert "ICBC-20260101-1" not in filtered


def test_another_contracting_entity_is_told_it_cannot_recharge(tenant_a, admin_client_a):
    tenant_a.partner.contracting_entity = "其他公司"
    tenant_a.partner.save()
    message = zh(MESSAGES[BillingCodes.RECHARGE_NOT_ALLOWED])
    assert message in admin_client_a.get("/billing/recharge/").content.decode()
    refused = admin_client_a.post("/billing/recharge/", {"method": "online", "online-amount": "10.00"})
    assert refused.status_code == 200 and message in refused.content.decode()
    assert refused.context["online"].non_field_errors() == [message]
    assert not Recharge.objects.exists()


# -------------------------------------------------------------------------------------------
# Links from the customer pages
# -------------------------------------------------------------------------------------------

def test_customer_pages_link_to_allocation_for_resale_customers_only(tenant_a, admin_client_a):
    body = admin_client_a.get("/customers/").content.decode()
    assert 'action="/billing/allocate/"' in body
    assert f'name="customer" value="{tenant_a.resale.domain_id}"' in body
    assert f'name="customer" value="{tenant_a.referral.domain_id}"' not in body
    assert f"/billing/reclaim/{tenant_a.resale.domain_id}/" in body
    assert f"/billing/reclaim/{tenant_a.referral.domain_id}/" not in body
    detail = admin_client_a.get(f"/customers/{tenant_a.resale.domain_id}/").content.decode()
    assert f"/billing/allocate/?customer={tenant_a.resale.domain_id}" in detail
    assert f"/billing/reclaim/{tenant_a.resale.domain_id}/" in detail

    viewer = RoleFactory(partner=tenant_a.partner, permissions=["customers.view", "customers.view_all"])
    tenant_a.member.roles.set([viewer])
    body = login_client(tenant_a.member.user).get("/customers/").content.decode()
    assert "/billing/allocate/" not in body and "/billing/reclaim/" not in body


class GatewayProvider:
    """A stand-in for a real payment gateway: the payer leaves for the gateway's own page."""

    name = "gateway"

    def create_payment(self, recharge):
        return f"GW-{recharge.trans_id[:8]}"

    def payment_url(self, recharge):
        return f"https://pay.example.com/checkout/{recharge.reference}"


def test_with_a_real_gateway_the_payer_goes_there_and_the_sandbox_page_is_closed(tenant_a, admin_client_a, settings):
    sandbox = services.start_online_recharge(actor_of(tenant_a.admin), amount="3.00")
    settings.PAYMENT_PROVIDER = "tests.billing.test_pages.GatewayProvider"
    started = admin_client_a.post("/billing/recharge/", {"method": "online", "online-amount": "9.00"})
    gateway = Recharge.objects.get(provider="gateway")
    assert started["Location"] == f"https://pay.example.com/checkout/{gateway.reference}"
    for trans_id in (sandbox.trans_id, gateway.trans_id):
        assert admin_client_a.post(f"/billing/sandbox-pay/{trans_id}/", {"outcome": "success"}).status_code == 404
    assert set(Recharge.objects.values_list("status", flat=True)) == {"pending"}


def test_reseller_funds_are_for_distributors_only(tenant_a, admin_client_a):
    stranger = PartnerFactory(partner_type="reseller", distributor=PartnerFactory(partner_type="distributor"))
    for action in ("allocate", "reclaim"):
        assert admin_client_a.get(f"/billing/resellers/{stranger.domain_id}/{action}/").status_code == 404
