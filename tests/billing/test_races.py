"""Checked, locked, checked again (RELIABILITY.md): a movement of money that overlaps a disassociation
ends in a refusal, never in money stranded on a customer no partner can reach.

Each race is made deterministic without sleeping: the test holds the disassociation's transaction open
(its row locks taken), starts the competing movement in a thread on its own connection, waits until
PostgreSQL reports that thread waiting for a lock (pg_locks) or finished, and only then commits.
"""

import threading
import time
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.test import Client

from billing import services
from billing.errors import BillingCodes
from billing.models import CustomerAccount, PartnerAccount
from customers import services as customer_services
from partnercenter.errors import Codes, DomainError

from ..billing_helpers import fund
from ..conftest import actor_of
from ..factories import AssociationFactory, CustomerUserFactory
from ..signed import call

needs_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL")
pytestmark = [needs_postgres, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


class Contender:
    """Runs `job` in a thread on its own database connection; the test can wait until it is blocked on
    a row lock (or done) — a condition PostgreSQL reports, not a guess about time."""

    def __init__(self, job):
        self.job, self.pid, self.outcome = job, None, None
        self.started, self.done = threading.Event(), threading.Event()
        self.thread = threading.Thread(target=self._run)

    def _run(self):
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                self.pid = cursor.fetchone()[0]
            self.started.set()
            self.outcome = self.job()
        except Exception as exc:  # a DomainError is the expected refusal; anything else fails the test later
            self.outcome = exc
        finally:
            self.started.set()
            connections.close_all()
            self.done.set()

    def start(self):
        self.thread.start()
        assert self.started.wait(30)
        return self

    def blocked_or_done(self, timeout=30) -> str:
        """Wait (polling pg_locks from the test's own connection) until the job waits for a lock or ends."""
        deadline = time.monotonic() + timeout
        while not self.done.wait(0.01):
            with connection.cursor() as cursor:
                cursor.execute("SELECT EXISTS (SELECT 1 FROM pg_locks WHERE pid = %s AND NOT granted)", [self.pid])
                if cursor.fetchone()[0]:
                    return "blocked"
            assert time.monotonic() < deadline, "the contender neither blocked nor finished"
        return "done"

    def finish(self):
        self.thread.join(60)
        assert not self.thread.is_alive()
        return self.outcome


def while_committing(before_commit, job):
    """Run `before_commit()` in an open transaction, start `job` in a thread, wait until it is blocked or
    done, then commit; return the job's outcome."""
    with transaction.atomic():
        before_commit()
        contender = Contender(job).start()
        contender.blocked_or_done()
    return contender.finish()


def refusal(outcome):
    """The error code a service refusal (or the API's CBC body) carries; the outcome itself otherwise."""
    if isinstance(outcome, DomainError):
        return outcome.code
    if isinstance(outcome, list):  # a batch: its only row
        [row] = outcome
        return row.get("error_code", "moved")
    if hasattr(outcome, "status_code"):
        return outcome.json().get("error_code", outcome.status_code)
    return outcome


def balance(customer):
    return CustomerAccount.objects.filter(customer=customer).values_list("balance", flat=True).first() or Decimal("0")


def allocated(partner):
    return PartnerAccount.objects.get(partner=partner).allocated_amount


def approve_disassociation(tenant, customer):
    """The partner asked (committed); the customer's approval is what the test holds open."""
    event = customer_services.request_disassociation(actor_of(tenant.admin), customer_id=customer.domain_id, reason="x")
    customer_user = actor_of(CustomerUserFactory(customer=customer).user)
    return lambda: customer_services.decide_event(customer_user, event_id=event.pk, approve=True)


ALLOCATIONS = {
    "single": lambda t, c: services.allocate_to_customer(actor_of(t.admin), customer_id=c.domain_id, amount="5.00"),
    "batch": lambda t, c: services.batch_allocate(actor_of(t.admin), rows=[(c.domain_id, "5.00")]),
    "api": lambda t, c: call(Client(), "POST", "/v2/accounts/partner-accounts/adjust-amount", ak=t.key.ak,
                             sk=t.secret, json={"customer_id": c.domain_id, "amount": "5.00"}),
}


@pytest.mark.parametrize("entry", ALLOCATIONS)
def test_an_allocation_overlapping_an_approved_disassociation_is_refused(tenant_a, entry):
    # given a resale customer holding 10.00 whose disassociation is being approved
    fund(tenant_a.partner, "100.00")
    services.allocate_to_customer(actor_of(tenant_a.admin), customer_id=tenant_a.resale.domain_id, amount="10.00")
    approve = approve_disassociation(tenant_a, tenant_a.resale)

    # when an allocation checked before the approval commits runs into it
    outcome = while_committing(approve, lambda: ALLOCATIONS[entry](tenant_a, tenant_a.resale))

    # then the allocation is refused and every fen is back with the partner
    assert refusal(outcome) in (Codes.NOT_FOUND, BillingCodes.NOT_RESALE), outcome
    assert (balance(tenant_a.resale), allocated(tenant_a.partner)) == (Decimal("0.00"), Decimal("0.00"))
    call_command("verify_ledger")


def test_an_allocation_overlapping_a_switch_to_referral_is_refused_as_not_resale(tenant_a):
    fund(tenant_a.partner, "100.00")
    services.allocate_to_customer(actor_of(tenant_a.admin), customer_id=tenant_a.resale.domain_id, amount="10.00")
    event = customer_services.request_type_switch(actor_of(tenant_a.admin), customer_id=tenant_a.resale.domain_id,
                                                  reason="改为顾问销售")
    customer_user = actor_of(CustomerUserFactory(customer=tenant_a.resale).user)

    outcome = while_committing(
        lambda: customer_services.decide_event(customer_user, event_id=event.pk, approve=True),
        lambda: ALLOCATIONS["single"](tenant_a, tenant_a.resale))

    assert refusal(outcome) == BillingCodes.NOT_RESALE
    assert (balance(tenant_a.resale), allocated(tenant_a.partner)) == (Decimal("0.00"), Decimal("0.00"))
    call_command("verify_ledger")


def test_a_reclaim_overlapping_a_disassociation_cannot_take_the_next_partners_money(tenant_a, tenant_b):
    # given partner A's resale customer with 20.00 (and another customer, so A still has 30.00 allocated)
    fund(tenant_a.partner, "100.00")
    fund(tenant_b.partner, "100.00")
    actor_a = actor_of(tenant_a.admin)
    services.allocate_to_customer(actor_a, customer_id=tenant_a.resale.domain_id, amount="20.00")
    other = AssociationFactory(partner=tenant_a.partner, association_type="2").customer
    services.allocate_to_customer(actor_a, customer_id=other.domain_id, amount="30.00")
    approve = approve_disassociation(tenant_a, tenant_a.resale)

    def leave_and_join_b():
        # the customer leaves A (its 20.00 returns to A), joins B, and B allocates 10.00 — one commit
        approve()
        AssociationFactory(partner=tenant_b.partner, customer=tenant_a.resale, association_type="2")
        services.allocate_to_customer(actor_of(tenant_b.admin), customer_id=tenant_a.resale.domain_id, amount="10.00")

    # when A's reclaim, checked while the customer was still A's, runs into all that
    outcome = while_committing(leave_and_join_b, lambda: services.reclaim_from_customer(
        actor_a, customer_id=tenant_a.resale.domain_id, amount="10.00"))

    # then A takes nothing: B's 10.00 stays on B's customer
    assert refusal(outcome) == Codes.NOT_FOUND, outcome
    assert balance(tenant_a.resale) == Decimal("10.00")
    assert (allocated(tenant_a.partner), allocated(tenant_b.partner)) == (Decimal("30.00"), Decimal("10.00"))
    call_command("verify_ledger")
