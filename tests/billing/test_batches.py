"""批量拨款 set-based (issue 10, item 4): a constant number of statements whatever the number of rows,
and every promise of RELIABILITY.md kept — a failing row fails alone, the balance running out fails
exactly the last rows, the verification code is asked once, the ledger stays exact, and no overdraft
when batches race each other or a disassociation on PostgreSQL."""

import sqlite3
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from billing import services
from billing.errors import BillingCodes
from billing.models import Adjustment, CustomerAccount, LedgerEntry, PartnerAccount
from customers import services as customer_services
from customers.models import Association
from partnercenter.errors import Codes, DomainError
from partnercenter.models import OperationLog

from ..billing_helpers import fund, snapshot
from ..conftest import actor_of
from ..factories import AssociationFactory, CustomerUserFactory
from .test_funds import _race
from .test_pages import allocate_url, posted_fields
from .test_races import while_committing

pytestmark = pytest.mark.django_db

needs_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL")


def resale_customers(partner, count):
    return [AssociationFactory(partner=partner, association_type="2").customer for _ in range(count)]


def balance(customer) -> Decimal:
    return CustomerAccount.objects.filter(customer=customer).values_list("balance", flat=True).first() or Decimal("0")


def account(partner) -> PartnerAccount:
    return PartnerAccount.objects.get(partner=partner)


def outcomes(results):
    return [r["error_code"] if not r["ok"] else "ok" for r in results]


@pytest.fixture
def sqlite_bulk_limit(monkeypatch):
    """Django splits a bulk INSERT on SQLite at 999 parameters (the limit of SQLite builds before 3.32),
    so 100 ledger entries become several INSERTs there for reasons of Django's, not of the service. The
    count tests raise that cap to what the SQLite in use really allows; PostgreSQL has no cap."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        limit = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        monkeypatch.setattr(connection.features, "max_query_params", limit)


# -------------------------------------------------------------------------------------------
# Statements per batch
# -------------------------------------------------------------------------------------------

def test_a_batch_runs_the_same_number_of_statements_for_10_and_for_50_rows(tenant_a, sqlite_bulk_limit):
    fund(tenant_a.partner, "1000.00")
    actor = actor_of(tenant_a.admin)
    counts = {}
    for size in (10, 50):
        rows = [(c.domain_id, "1.00") for c in resale_customers(tenant_a.partner, size)]
        with CaptureQueriesContext(connection) as first:  # the customers have no account yet
            assert all(r["ok"] for r in services.batch_allocate(actor, rows=rows))
        with CaptureQueriesContext(connection) as again:  # now they have one
            assert all(r["ok"] for r in services.batch_allocate(actor, rows=rows))
        counts[size] = (len(first), len(again))

    assert counts[10] == counts[50], counts
    assert Adjustment.objects.count() == 120
    call_command("verify_ledger")


def test_failing_rows_cost_no_statements_per_row_either(tenant_a, tenant_b, sqlite_bulk_limit):
    fund(tenant_a.partner, "20.00")
    actor = actor_of(tenant_a.admin)
    counts = {}
    for size in (10, 50):
        customers = resale_customers(tenant_a.partner, size)
        # a bad amount, another partner's customer, a referral customer, and more than the balance
        rows = [(c.domain_id, "1.00") for c in customers] + [
            (customers[0].domain_id, "0.001"), (tenant_b.resale.domain_id, "1.00"),
            (tenant_a.referral.domain_id, "1.00"), (customers[1].domain_id, "1000.00")]
        fund(tenant_a.partner, f"{size}.00")
        with CaptureQueriesContext(connection) as queries:
            results = services.batch_allocate(actor, rows=rows)
        assert outcomes(results)[-4:] == [Codes.PARAMETER, Codes.NOT_FOUND, BillingCodes.NOT_RESALE,
                                          BillingCodes.INSUFFICIENT_BALANCE]
        counts[size] = len(queries)
    assert counts[10] == counts[50], counts


# -------------------------------------------------------------------------------------------
# Rows fail alone, in input order, as if run one by one
# -------------------------------------------------------------------------------------------

def test_each_row_gets_its_result_in_input_order_and_a_failing_row_takes_no_other_down(tenant_a, tenant_b):
    fund(tenant_a.partner, "100.00")
    first, second = resale_customers(tenant_a.partner, 2)
    rows = [
        (first.domain_id, "10.00"), ("", "1.00"), (second.domain_id, "1e2"), (tenant_b.resale.domain_id, "1.00"),
        (tenant_a.referral.domain_id, "1.00"), (second.domain_id, Decimal("2.50")), (first.domain_id, "3"),
    ]
    with translation.override("en"):
        results = services.batch_allocate(actor_of(tenant_a.admin), rows=rows)

    trans = [r.get("trans_id") for r in results]
    assert results == [
        {"customer_id": first.domain_id, "amount": "10.00", "ok": True, "trans_id": trans[0]},
        {"customer_id": "", "amount": "1.00", "ok": False, "error_code": Codes.NOT_FOUND,
         "error_msg": "The customer does not exist."},
        {"customer_id": second.domain_id, "amount": "1e2", "ok": False, "error_code": Codes.PARAMETER,
         "error_msg": "The amount is not a number."},
        {"customer_id": tenant_b.resale.domain_id, "amount": "1.00", "ok": False, "error_code": Codes.NOT_FOUND,
         "error_msg": "The customer does not exist."},
        {"customer_id": tenant_a.referral.domain_id, "amount": "1.00", "ok": False,
         "error_code": BillingCodes.NOT_RESALE, "error_msg": results[4]["error_msg"]},
        {"customer_id": second.domain_id, "amount": "2.50", "ok": True, "trans_id": trans[5]},
        {"customer_id": first.domain_id, "amount": "3.00", "ok": True, "trans_id": trans[6]},
    ]
    assert len({trans[0], trans[5], trans[6]}) == 3
    assert {a.trans_id: (a.customer, a.amount) for a in Adjustment.objects.all()} == {
        trans[0]: (first, Decimal("10.00")), trans[5]: (second, Decimal("2.50")), trans[6]: (first, Decimal("3.00"))}
    assert len({a.batch_id for a in Adjustment.objects.all()}) == 1
    assert (balance(first), balance(second), balance(tenant_b.resale)) == (
        Decimal("13.00"), Decimal("2.50"), Decimal("0"))
    assert account(tenant_a.partner).available == Decimal("84.50")
    call_command("verify_ledger")


def test_the_balance_running_out_fails_exactly_the_last_rows(tenant_a):
    fund(tenant_a.partner, "10.00")
    customers = resale_customers(tenant_a.partner, 15)
    results = services.batch_allocate(actor_of(tenant_a.admin), rows=[(c.domain_id, "1.00") for c in customers])

    assert outcomes(results) == ["ok"] * 10 + [BillingCodes.INSUFFICIENT_BALANCE] * 5
    assert [balance(c) for c in customers] == [Decimal("1.00")] * 10 + [Decimal("0")] * 5
    account_now = account(tenant_a.partner)
    assert (account_now.allocated_amount, account_now.available) == (Decimal("10.00"), Decimal("0.00"))
    call_command("verify_ledger")


def test_a_row_that_does_not_fit_fails_and_a_later_smaller_one_still_goes_through(tenant_a):
    """The rows are decided in input order as if each ran alone: 5 fits, 7 does not, 3 and 1 do."""
    fund(tenant_a.partner, "9.00")
    customers = resale_customers(tenant_a.partner, 4)
    rows = [(c.domain_id, amount) for c, amount in zip(customers, ["5.00", "7.00", "3.00", "1.00"])]
    results = services.batch_allocate(actor_of(tenant_a.admin), rows=rows)

    assert outcomes(results) == ["ok", BillingCodes.INSUFFICIENT_BALANCE, "ok", "ok"]
    assert account(tenant_a.partner).available == Decimal("0.00")
    call_command("verify_ledger")


def test_each_ledger_entry_carries_the_balance_after_its_own_row(tenant_a):
    fund(tenant_a.partner, "50.00", credit_limit="10.00")
    first, second = resale_customers(tenant_a.partner, 2)
    services.allocate_to_customer(actor_of(tenant_a.admin), customer_id=first.domain_id, amount="4.00")
    rows = [(first.domain_id, "1.00"), (second.domain_id, "20.00"), (first.domain_id, "2.00"),
            (first.domain_id, "40.00"), (second.domain_id, "3.00")]
    results = services.batch_allocate(actor_of(tenant_a.admin), rows=rows)

    assert outcomes(results) == ["ok", "ok", "ok", BillingCodes.INSUFFICIENT_BALANCE, "ok"]
    batch = LedgerEntry.objects.filter(adjustment__batch_id__gt="").order_by("id")
    assert [(e.amount, e.balance_after, e.available_after) for e in batch.filter(partner=tenant_a.partner)] == [
        (Decimal("1.00"), Decimal("5.00"), Decimal("55.00")), (Decimal("20.00"), Decimal("25.00"), Decimal("35.00")),
        (Decimal("2.00"), Decimal("27.00"), Decimal("33.00")), (Decimal("3.00"), Decimal("30.00"), Decimal("30.00"))]
    assert [(e.amount, e.balance_after) for e in batch.filter(customer=first)] == [
        (Decimal("1.00"), Decimal("5.00")), (Decimal("2.00"), Decimal("7.00"))]
    assert [(e.amount, e.balance_after) for e in batch.filter(customer=second)] == [
        (Decimal("20.00"), Decimal("20.00")), (Decimal("3.00"), Decimal("23.00"))]
    for entry in batch:  # each entry belongs to its own row's adjustment, with its counterparty
        assert entry.trans_id == entry.adjustment.trans_id
        assert entry.counterparty == (entry.adjustment.customer.domain_id if entry.partner_id
                                      else tenant_a.partner.domain_id)
    call_command("verify_ledger")


def test_each_row_that_ran_has_its_operation_log_row(tenant_a):
    fund(tenant_a.partner, "5.00")
    first, second = resale_customers(tenant_a.partner, 2)
    results = services.batch_allocate(actor_of(tenant_a.admin), rows=[
        (first.domain_id, "2.00"), (second.domain_id, "4.00"), (second.domain_id, "3.00")])

    logged = OperationLog.objects.filter(action="funds.allocate").order_by("id")
    assert [(e.target_id, e.result, e.error_code, e.detail.get("trans_id"), e.detail["amount"]) for e in logged] == [
        (first.domain_id, "success", "", results[0]["trans_id"], "2.00"),
        (second.domain_id, "failure", BillingCodes.INSUFFICIENT_BALANCE, None, "4.00"),
        (second.domain_id, "success", "", results[2]["trans_id"], "3.00"),
    ]
    assert len({e.detail["batch_id"] for e in logged}) == 1
    assert {(e.actor_kind, e.actor_label, e.partner_id) for e in logged} == {
        ("member", actor_of(tenant_a.admin).label, tenant_a.partner.pk)}


# -------------------------------------------------------------------------------------------
# The verification code: once for the batch
# -------------------------------------------------------------------------------------------

def test_one_verification_code_serves_the_whole_batch_and_only_once(tenant_a):
    fund(tenant_a.partner, "100.00")
    tenant_a.partner.verification_enabled = True
    tenant_a.partner.save()
    device = TOTPDevice.objects.create(user=tenant_a.admin.user, name="app", confirmed=True)
    code = f"{TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token():06d}"
    rows = [(c.domain_id, "1.00") for c in resale_customers(tenant_a.partner, 5)]

    results = services.batch_allocate(actor_of(tenant_a.admin), rows=rows, verification_code=code)
    before = snapshot()
    with pytest.raises(DomainError) as reused:  # a TOTP code works once: the batch used it once, not per row
        services.batch_allocate(actor_of(tenant_a.admin), rows=rows, verification_code=code)

    assert outcomes(results) == ["ok"] * 5
    assert reused.value.code == Codes.VERIFICATION_FAILED
    assert snapshot() == before
    failure = OperationLog.objects.filter(action="funds.allocate", result="failure").get()
    assert failure.error_code == Codes.VERIFICATION_FAILED


# -------------------------------------------------------------------------------------------
# A customer who leaves between the page and the batch
# -------------------------------------------------------------------------------------------

def leave(tenant, customer):
    event = customer_services.request_disassociation(actor_of(tenant.admin), customer_id=customer.domain_id,
                                                     reason="x")
    customer_services.decide_event(actor_of(CustomerUserFactory(customer=customer).user), event_id=event.pk,
                                   approve=True)


def test_a_customer_disassociated_after_the_rows_were_chosen_fails_alone(tenant_a):
    fund(tenant_a.partner, "100.00")
    first, leaving, last = resale_customers(tenant_a.partner, 3)
    rows = [(c.domain_id, "10.00") for c in (first, leaving, last)]  # as the confirmation page posts them

    leave(tenant_a, leaving)  # between the confirmation and the click
    results = services.batch_allocate(actor_of(tenant_a.admin), rows=rows)

    assert outcomes(results) == ["ok", Codes.NOT_FOUND, "ok"]
    assert (balance(first), balance(leaving), balance(last)) == (Decimal("10.00"), Decimal("0.00"), Decimal("10.00"))
    assert account(tenant_a.partner).available == Decimal("80.00")
    call_command("verify_ledger")


def test_a_customer_switched_to_referral_after_the_confirmation_page_fails_alone(tenant_a, admin_client_a):
    fund(tenant_a.partner, "100.00")
    first, switching, last = resale_customers(tenant_a.partner, 3)
    url = allocate_url(first, switching, last)
    confirm = admin_client_a.post(url, {f"amount_{c.domain_id}": "10.00" for c in (first, switching, last)})

    event = customer_services.request_type_switch(actor_of(tenant_a.admin), customer_id=switching.domain_id,
                                                  reason="改为顾问销售")
    customer_services.decide_event(actor_of(CustomerUserFactory(customer=switching).user), event_id=event.pk,
                                   approve=True)
    result = admin_client_a.post(url, posted_fields(confirm))

    assert outcomes(result.context["results"]) == ["ok", BillingCodes.NOT_RESALE, "ok"]
    assert (balance(first), balance(switching), balance(last)) == (Decimal("10.00"), Decimal("0.00"), Decimal("10.00"))
    call_command("verify_ledger")


# -------------------------------------------------------------------------------------------
# Concurrency (PostgreSQL)
# -------------------------------------------------------------------------------------------

@needs_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("shared", [True, False], ids=["same-customers", "own-customers"])
def test_five_concurrent_batches_of_twenty_from_fifty_allocate_exactly_fifty(tenant_a, shared):
    fund(tenant_a.partner, "50.00")
    actor = actor_of(tenant_a.admin)
    pool = resale_customers(tenant_a.partner, 20 if shared else 100)
    batches = [pool[:20] if shared else pool[20 * n:20 * (n + 1)] for n in range(5)]

    results = _race(batches, lambda customers: services.batch_allocate(
        actor, rows=[(c.domain_id, "1.00") for c in customers]))

    assert all(isinstance(r, list) for r in results), results  # no 500, no deadlock
    rows = [outcome for batch in results for outcome in outcomes(batch)]
    assert (rows.count("ok"), rows.count(BillingCodes.INSUFFICIENT_BALANCE)) == (50, 50)
    for batch in results:  # in each batch the balance ran out on its last rows
        oks = outcomes(batch).count("ok")
        assert outcomes(batch) == ["ok"] * oks + [BillingCodes.INSUFFICIENT_BALANCE] * (20 - oks)
    account_now = account(tenant_a.partner)
    assert (account_now.allocated_amount, account_now.available) == (Decimal("50.00"), Decimal("0.00"))
    assert sum(balance(c) for c in pool) == Decimal("50.00")
    assert Adjustment.objects.count() == 50
    call_command("verify_ledger")


@needs_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_batches_racing_singles_and_reclaims_keep_the_books_exact(tenant_a):
    fund(tenant_a.partner, "30.00")
    actor = actor_of(tenant_a.admin)
    customers = resale_customers(tenant_a.partner, 10)
    services.batch_allocate(actor, rows=[(c.domain_id, "1.00") for c in customers])

    def job(n):
        customer = customers[n % 10]
        if n % 3 == 0:
            return services.batch_allocate(actor, rows=[(c.domain_id, "2.00") for c in reversed(customers)])
        if n % 3 == 1:
            return services.reclaim_from_customer(actor, customer_id=customer.domain_id, amount="1.00").trans_id
        return services.allocate_to_customer(actor, customer_id=customer.domain_id, amount="1.00").trans_id

    results = _race(range(30), job)

    assert not [r for r in results if isinstance(r, str) and r.startswith(("Operational", "Integrity", "<"))], results
    account_now = account(tenant_a.partner)
    assert account_now.allocated_amount == sum(balance(c) for c in customers)
    assert Decimal("0.00") <= account_now.available <= Decimal("30.00")
    call_command("verify_ledger")


def _held_open(tenant, customer, switch=False):
    """The customer's approval of a disassociation (or of a switch to referral), to run in the test's
    open transaction."""
    request = customer_services.request_type_switch if switch else customer_services.request_disassociation
    event = request(actor_of(tenant.admin), customer_id=customer.domain_id, reason="x")
    customer_user = actor_of(CustomerUserFactory(customer=customer).user)
    return lambda: customer_services.decide_event(customer_user, event_id=event.pk, approve=True)


@needs_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("switch, refused", [(False, Codes.NOT_FOUND), (True, BillingCodes.NOT_RESALE)],
                         ids=["disassociation", "switch-to-referral"])
def test_a_row_whose_association_ends_while_the_batch_waits_fails_alone(tenant_a, switch, refused):
    # given three resale customers, the middle one holding 10.00 and about to leave (or become referral)
    fund(tenant_a.partner, "100.00")
    first, leaving, last = resale_customers(tenant_a.partner, 3)
    services.allocate_to_customer(actor_of(tenant_a.admin), customer_id=leaving.domain_id, amount="10.00")
    approve = _held_open(tenant_a, leaving, switch)

    # when a batch checked before the approval commits runs into it
    outcome = while_committing(approve, lambda: services.batch_allocate(
        actor_of(tenant_a.admin), rows=[(c.domain_id, "5.00") for c in (first, leaving, last)]))

    # then that row alone is refused and its customer keeps nothing; the others are funded
    assert outcomes(outcome) == ["ok", refused, "ok"], outcome
    assert (balance(first), balance(leaving), balance(last)) == (Decimal("5.00"), Decimal("0.00"), Decimal("5.00"))
    assert account(tenant_a.partner).allocated_amount == Decimal("10.00")
    assert Association.objects.filter(customer=leaving, ended_on__isnull=True).count() == (1 if switch else 0)
    call_command("verify_ledger")


@needs_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_batch_waiting_on_the_partners_account_sees_the_balance_left_by_the_one_before(tenant_a):
    """Two batches of one partner: the second waits for the first's lock on the account and then decides
    its rows on the balance the first left, not on the one it would have read before."""
    fund(tenant_a.partner, "10.00")
    actor = actor_of(tenant_a.admin)
    ahead, behind = resale_customers(tenant_a.partner, 2)

    outcome = while_committing(
        lambda: services.batch_allocate(actor, rows=[(ahead.domain_id, "7.00")]),
        lambda: services.batch_allocate(actor, rows=[(behind.domain_id, "4.00"), (behind.domain_id, "3.00")]))

    assert outcomes(outcome) == [BillingCodes.INSUFFICIENT_BALANCE, "ok"]
    assert (balance(ahead), balance(behind), account(tenant_a.partner).available) == (
        Decimal("7.00"), Decimal("3.00"), Decimal("0.00"))
    call_command("verify_ledger")

