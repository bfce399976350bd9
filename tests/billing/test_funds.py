"""The money rules through the services: exact balances, one ledger entry per side, reclaim on
disassociation, cloud resellers, batch results, idempotency, verification codes, the ledger check."""

import threading
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections, transaction
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from billing import selectors, services
from billing.errors import BillingCodes
from billing.choices import RechargeStatus
from billing.models import Adjustment, CustomerAccount, LedgerEntry, PartnerAccount, Recharge
from customers import services as customer_services
from partnercenter.actors import SCHEDULER, actor_for_access_key
from partnercenter.errors import Codes, DomainError
from partnercenter.models import OperationLog

from ..billing_helpers import fund, snapshot
from ..conftest import actor_of, build_tenant
from ..factories import AssociationFactory, CustomerUserFactory, PartnerFactory, UserFactory, make_access_key
from ..signed import call

pytestmark = pytest.mark.django_db

ALLOCATE = "/v2/accounts/partner-accounts/adjust-amount"


def account(partner):
    return PartnerAccount.objects.get(partner=partner)


def balance(customer):
    return CustomerAccount.objects.get(customer=customer).balance


def test_an_allocation_writes_one_entry_per_side_with_balances_after(tenant_a):
    fund(tenant_a.partner, "100.00")
    adjustment = services.allocate_to_customer(actor_of(tenant_a.admin), customer_id=tenant_a.resale.domain_id,
                                               amount="12.34")
    entries = {e.balance_type: e for e in LedgerEntry.objects.filter(adjustment=adjustment)}
    assert (entries["allocated"].amount, entries["allocated"].available_after) == (Decimal("12.34"), Decimal("87.66"))
    assert (entries["cash"].customer, entries["cash"].balance_after) == (tenant_a.resale, Decimal("12.34"))
    assert account(tenant_a.partner).available == Decimal("87.66")
    call_command("verify_ledger")


def test_customer_consumption_never_lowers_the_partners_balance(tenant_a):
    fund(tenant_a.partner, "50.00")
    services.allocate_to_customer(actor_of(tenant_a.admin), customer_id=tenant_a.resale.domain_id, amount="20.00")
    services.consume(SCHEDULER, customer=tenant_a.resale, amount="15.00", trans_id="order-1")
    assert account(tenant_a.partner).available == Decimal("30.00")
    assert balance(tenant_a.resale) == Decimal("5.00")
    assert selectors.can_purchase(tenant_a.resale)
    services.consume(SCHEDULER, customer=tenant_a.resale, amount="5.00", trans_id="order-2")
    assert not selectors.can_purchase(tenant_a.resale)
    with pytest.raises(DomainError):
        services.consume(SCHEDULER, customer=tenant_a.resale, amount="0.01", trans_id="order-3")
    call_command("verify_ledger")


def test_disassociation_reclaims_the_remaining_balance_as_unbind(tenant_a):
    fund(tenant_a.partner, "80.00")
    services.allocate_to_customer(actor_of(tenant_a.admin), customer_id=tenant_a.resale.domain_id, amount="30.00")
    services.consume(SCHEDULER, customer=tenant_a.resale, amount="10.00", trans_id="order-1")
    customer_user = actor_of(CustomerUserFactory(customer=tenant_a.resale).user)
    event = customer_services.request_disassociation(actor_of(tenant_a.admin), customer_id=tenant_a.resale.domain_id,
                                                     reason="x")
    customer_services.decide_event(customer_user, event_id=event.pk, approve=True)

    unbind = Adjustment.objects.get(operation_type="SOURCE_OPERATION_BEUNBIND")
    assert (unbind.amount, balance(tenant_a.resale)) == (Decimal("20.00"), Decimal("0.00"))
    assert account(tenant_a.partner).available == Decimal("70.00")  # the 10.00 consumed stays spent
    call_command("verify_ledger")


def test_a_type_switch_away_from_resale_reclaims_too(tenant_a):
    fund(tenant_a.partner, "10.00")
    services.allocate_to_customer(actor_of(tenant_a.admin), customer_id=tenant_a.resale.domain_id, amount="10.00")
    event = customer_services.request_type_switch(actor_of(tenant_a.admin), customer_id=tenant_a.resale.domain_id,
                                                  reason="改为顾问销售")
    customer_services.decide_event(actor_of(CustomerUserFactory(customer=tenant_a.resale).user), event_id=event.pk,
                                   approve=True)
    assert balance(tenant_a.resale) == Decimal("0.00")
    assert account(tenant_a.partner).available == Decimal("10.00")


def test_a_batch_reports_each_row_and_the_ledger_stays_exact(tenant_a):
    fund(tenant_a.partner, "10.00")
    other = AssociationFactory(partner=tenant_a.partner, association_type="2").customer
    results = services.batch_allocate(actor_of(tenant_a.admin), rows=[
        (tenant_a.resale.domain_id, "4.00"), (tenant_a.referral.domain_id, "1.00"), ("f" * 32, "1.00"),
        (other.domain_id, "1.005"), (other.domain_id, "7.00"), (other.domain_id, "6.00"),
    ])
    assert [(r["ok"], r.get("error_code")) for r in results] == [
        (True, None), (False, BillingCodes.NOT_RESALE), (False, Codes.NOT_FOUND), (False, Codes.PARAMETER),
        (False, BillingCodes.INSUFFICIENT_BALANCE), (True, None),
    ]
    assert (balance(tenant_a.resale), balance(other)) == (Decimal("4.00"), Decimal("6.00"))
    assert account(tenant_a.partner).available == Decimal("0.00")
    call_command("verify_ledger")


def test_distributor_funds_and_defunds_its_reseller(db):
    distributor = build_tenant("fd", partner_type="distributor")
    reseller = PartnerFactory(partner_type="reseller", distributor=distributor.partner)
    reseller_customer = AssociationFactory(partner=reseller, association_type="2").customer
    fund(distributor.partner, "100.00")
    actor = actor_of(distributor.admin)

    services.allocate_to_reseller(actor, indirect_partner_id=reseller.domain_id, amount="40.00")
    # The distributor allocates the reseller's money to the reseller's customer.
    services.allocate_to_customer(actor, customer_id=reseller_customer.domain_id, amount="30.00",
                                  indirect_partner_id=reseller.domain_id)
    with pytest.raises(DomainError) as too_much:  # only 10.00 is not yet allocated by the reseller
        services.reclaim_from_reseller(actor, indirect_partner_id=reseller.domain_id, amount="10.01")
    services.reclaim_from_reseller(actor, indirect_partner_id=reseller.domain_id, amount="10.00")

    assert too_much.value.code == BillingCodes.RECLAIM_EXCEEDS_BALANCE
    assert account(distributor.partner).available == Decimal("70.00")
    assert (account(reseller).cash_balance, account(reseller).available) == (Decimal("30.00"), Decimal("0.00"))
    assert balance(reseller_customer) == Decimal("30.00")
    call_command("verify_ledger")


def test_allocation_asks_for_the_verification_code_when_on(tenant_a):
    fund(tenant_a.partner, "10.00")
    tenant_a.partner.verification_enabled = True
    tenant_a.partner.save()
    TOTPDevice.objects.create(user=tenant_a.admin.user, name="app", confirmed=True)
    before = snapshot()
    for call_service in (
        lambda code: services.allocate_to_customer(actor_of(tenant_a.admin), customer_id=tenant_a.resale.domain_id,
                                                   amount="1.00", verification_code=code),
        lambda code: services.reclaim_from_customer(actor_of(tenant_a.admin), customer_id=tenant_a.resale.domain_id,
                                                    amount="1.00", verification_code=code),
        lambda code: services.batch_allocate(actor_of(tenant_a.admin), rows=[(tenant_a.resale.domain_id, "1.00")],
                                             verification_code=code),
    ):
        with pytest.raises(DomainError) as refused:
            call_service("")
        assert refused.value.code == Codes.VERIFICATION_REQUIRED
    assert snapshot() == before


def test_verify_ledger_finds_a_tampered_balance(tenant_a):
    fund(tenant_a.partner, "10.00")
    call_command("verify_ledger")
    PartnerAccount.objects.filter(partner=tenant_a.partner).update(cash_balance=Decimal("10.01"))
    with pytest.raises(CommandError):
        call_command("verify_ledger")


def test_the_database_refuses_a_negative_balance(tenant_a):
    from django.db import IntegrityError

    services.customer_account(tenant_a.resale)
    with pytest.raises(IntegrityError), transaction.atomic():
        CustomerAccount.objects.filter(customer=tenant_a.resale).update(balance=Decimal("-0.01"))


def test_customer_balances_for_partners_leave_out_non_resale_and_foreign_customers(tenant_a, tenant_b):
    fund(tenant_a.partner, "5.00")
    services.allocate_to_customer(actor_of(tenant_a.admin), customer_id=tenant_a.resale.domain_id, amount="5.00")
    body = {"customer_infos": [{"customer_id": c.domain_id} for c in (tenant_a.resale, tenant_a.referral, tenant_b.resale)]}
    response = call(Client(), "POST", "/v2/accounts/customer-accounts/balances/batch-query", ak=tenant_a.key.ak,
                    sk=tenant_a.secret, json=body).json()
    assert response["customer_balances"] == [{"customer_id": tenant_a.resale.domain_id, "debt_amount": 0.0,
                                              "amount": 5.0, "currency": "CNY", "measure_id": 1}]
    key, secret = make_access_key(CustomerUserFactory(customer=tenant_a.resale).user)
    own = call(Client(), "GET", "/v2/accounts/customer-accounts/balances", ak=key.ak, sk=secret).json()
    assert own["account_balances"][0]["amount"] == 5.0


def test_an_allocation_checked_before_a_disassociation_is_refused_after_it(tenant_a):
    """The service's steps driven one by one: the check before the transaction passes, the customer
    leaves, and the locked re-check refuses — SQLite's view of what tests/billing/test_races.py races."""
    fund(tenant_a.partner, "10.00")
    actor = actor_of(tenant_a.admin)
    owner, customer = services._resale_customer(actor, tenant_a.resale.domain_id, None)  # checked: still resale
    event = customer_services.request_disassociation(actor, customer_id=customer.domain_id, reason="x")
    customer_services.decide_event(actor_of(CustomerUserFactory(customer=customer).user), event_id=event.pk,
                                   approve=True)
    before = snapshot()

    with pytest.raises(DomainError) as refused, transaction.atomic():
        services._allocate(actor, owner, customer, Decimal("5.00"))

    assert refused.value.code == Codes.NOT_FOUND
    assert snapshot() == before


# -------------------------------------------------------------------------------------------
# Who completes a recharge, and who sets a credit limit
# -------------------------------------------------------------------------------------------

def _actor(who, tenant_a, tenant_b):
    return {
        "scheduler": lambda: SCHEDULER,
        "operator": lambda: actor_of(UserFactory(username="operator", is_staff=True)),
        "member": lambda: actor_of(tenant_a.admin),
        "member without the right": lambda: actor_of(tenant_a.member),
        "access key": lambda: actor_for_access_key(tenant_a.key),
        "customer": lambda: actor_of(CustomerUserFactory(customer=tenant_a.resale).user),
        "another partner": lambda: actor_of(tenant_b.admin),
    }[who]()


@pytest.mark.parametrize("who, method, provider, sandbox, expected", [
    ("scheduler", "online", "realpay", False, None),  # the payment provider's confirmation
    ("scheduler", "remittance", "", False, None),
    ("operator", "remittance", "", False, None),  # after checking the bank statement
    ("operator", "online", "realpay", False, Codes.FORBIDDEN),  # a gateway's payment is the gateway's to confirm
    ("member", "online", "sandbox", True, None),  # the sandbox page, where the sandbox is enabled
    ("member", "online", "sandbox", False, Codes.FORBIDDEN),
    ("member", "online", "realpay", True, Codes.FORBIDDEN),
    ("member", "remittance", "", True, Codes.FORBIDDEN),
    ("member without the right", "online", "sandbox", True, Codes.FORBIDDEN),
    ("access key", "online", "sandbox", True, Codes.FORBIDDEN),
    ("customer", "online", "sandbox", True, Codes.FORBIDDEN),
    ("another partner", "online", "sandbox", True, Codes.NOT_FOUND),
])
def test_only_the_provider_the_platform_or_the_sandbox_payer_completes_a_recharge(
        tenant_a, tenant_b, settings, who, method, provider, sandbox, expected):
    settings.PAYMENT_SANDBOX = sandbox
    recharge = Recharge.objects.create(partner=tenant_a.partner, method=method, amount=Decimal("1000000.00"),
                                       provider=provider, reference="REF")
    actor = _actor(who, tenant_a, tenant_b)

    if expected is None:
        services.complete_recharge(actor, recharge_id=recharge.pk, succeeded=True)
        assert account(tenant_a.partner).cash_balance == Decimal("1000000.00")
        return
    with pytest.raises(DomainError) as refused:
        services.complete_recharge(actor, recharge_id=recharge.pk, succeeded=True)
    assert refused.value.code == expected
    recharge.refresh_from_db()
    assert recharge.status == RechargeStatus.PENDING
    assert not PartnerAccount.objects.filter(partner=tenant_a.partner, cash_balance__gt=0).exists()


def test_a_refused_completion_is_in_the_partners_operation_log(tenant_a):
    recharge = Recharge.objects.create(partner=tenant_a.partner, method="remittance", amount=Decimal("5.00"))
    with pytest.raises(DomainError):
        services.complete_recharge(actor_of(tenant_a.admin), recharge_id=recharge.pk, succeeded=True)
    entry = OperationLog.objects.get(action="funds.recharge_succeeded")
    assert (entry.partner, entry.result, entry.error_code) == (tenant_a.partner, "failure", Codes.FORBIDDEN)


@pytest.mark.parametrize("who", ["member", "access key", "customer"])
def test_only_the_platform_sets_a_credit_limit(tenant_a, tenant_b, who):
    with pytest.raises(DomainError) as refused:
        services.set_credit_limit(_actor(who, tenant_a, tenant_b), partner=tenant_a.partner, credit_limit="100.00")
    assert refused.value.code == Codes.FORBIDDEN
    assert not PartnerAccount.objects.filter(partner=tenant_a.partner, credit_limit__gt=0).exists()


# -------------------------------------------------------------------------------------------
# Idempotency keys
# -------------------------------------------------------------------------------------------

def test_a_replayed_key_returns_the_first_result_and_moves_money_once(tenant_a):
    fund(tenant_a.partner, "10.00")
    api = Client()
    body = {"customer_id": tenant_a.resale.domain_id, "amount": "2.00"}
    first = call(api, "POST", ALLOCATE, ak=tenant_a.key.ak, sk=tenant_a.secret, json=body,
                 extra={"X-Idempotency-Key": "order-7"})
    again = call(api, "POST", ALLOCATE, ak=tenant_a.key.ak, sk=tenant_a.secret, json=body,
                 extra={"X-Idempotency-Key": "order-7"})
    different = call(api, "POST", ALLOCATE, ak=tenant_a.key.ak, sk=tenant_a.secret,
                     json={**body, "amount": "3.00"}, extra={"X-Idempotency-Key": "order-7"})

    assert first.json() == again.json() and again["Idempotent-Replayed"] == "true"
    assert (different.status_code, different.json()["error_code"]) == (422, BillingCodes.IDEMPOTENCY_MISMATCH)
    assert balance(tenant_a.resale) == Decimal("2.00")
    assert Adjustment.objects.count() == 1


# -------------------------------------------------------------------------------------------
# Concurrency (PostgreSQL)
# -------------------------------------------------------------------------------------------

needs_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL")


def _race(workers, job):
    barrier, results, lock = threading.Barrier(len(workers)), [], threading.Lock()

    def run(arg):
        try:
            barrier.wait()
            outcome = job(arg)
        except DomainError as exc:
            outcome = exc.code
        except Exception as exc:  # a 500 would show here
            outcome = repr(exc)
        finally:
            connections.close_all()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=run, args=(arg,)) for arg in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_allocations_of_one_from_twenty(tenant_a):
    fund(tenant_a.partner, "20.00")
    actor = actor_of(tenant_a.admin)
    results = _race(range(50), lambda _n: services.allocate_to_customer(
        actor, customer_id=tenant_a.resale.domain_id, amount="1.00").trans_id)

    assert sum(1 for r in results if r == BillingCodes.INSUFFICIENT_BALANCE) == 30
    assert sum(1 for r in results if isinstance(r, str) and len(r) == 32) == 20
    assert account(tenant_a.partner).available == Decimal("0.00")
    assert balance(tenant_a.resale) == Decimal("20.00")
    call_command("verify_ledger")


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_reclaims_racing_allocations_keep_the_books_exact(tenant_a):
    fund(tenant_a.partner, "20.00")
    actor = actor_of(tenant_a.admin)
    services.allocate_to_customer(actor, customer_id=tenant_a.resale.domain_id, amount="10.00")

    def job(n):
        if n % 2:
            return services.reclaim_from_customer(actor, customer_id=tenant_a.resale.domain_id, amount="1.00").trans_id
        return services.allocate_to_customer(actor, customer_id=tenant_a.resale.domain_id, amount="1.00").trans_id

    results = _race(range(60), job)
    assert not [r for r in results if r.startswith(("Operational", "Integrity", "<"))], results
    account_now = account(tenant_a.partner)
    assert account_now.allocated_amount == balance(tenant_a.resale)
    assert Decimal("0.00") <= account_now.available <= Decimal("20.00")
    call_command("verify_ledger")


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_replays_of_one_key_move_money_once(tenant_a):
    fund(tenant_a.partner, "20.00")
    body = {"customer_id": tenant_a.resale.domain_id, "amount": "1.00"}
    statuses = _race(range(50), lambda _n: call(Client(), "POST", ALLOCATE, ak=tenant_a.key.ak, sk=tenant_a.secret,
                                                json=body, extra={"X-Idempotency-Key": "same"}).status_code)
    assert set(statuses) <= {200, 409}
    assert balance(tenant_a.resale) == Decimal("1.00")
    assert Adjustment.objects.count() == 1


def test_a_reseller_id_from_a_partner_that_is_no_distributor_is_not_found_never_ignored(tenant_a):
    """Naming a cloud reseller is resolved in one place (book_owner): a solution provider that names one
    (its own or anybody's) is told it does not exist, instead of the name being dropped and its own
    customer funded."""
    other = build_tenant("fx", partner_type="distributor")
    reseller = PartnerFactory(partner_type="reseller", distributor=other.partner)
    fund(tenant_a.partner, "50.00")
    before = snapshot()
    for call_service in (
        lambda: services.allocate_to_customer(actor_of(tenant_a.admin), customer_id=tenant_a.resale.domain_id,
                                              amount="1.00", indirect_partner_id=reseller.domain_id),
        lambda: services.allocate_to_reseller(actor_of(tenant_a.admin), indirect_partner_id=reseller.domain_id,
                                              amount="1.00"),
        lambda: customer_services.create_customer(actor_of(tenant_a.admin), xaccount_id="fx-1", xaccount_type="fx",
                                                  indirect_partner_id=reseller.domain_id),
    ):
        with pytest.raises(DomainError) as refused:
            call_service()
        assert refused.value.code == Codes.NOT_FOUND
    assert snapshot() == before
