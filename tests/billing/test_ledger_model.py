"""A Hypothesis state machine drives random sequences of money movements and checks every balance
against a plain-Python model after each step, and the ledger at the end (RELIABILITY.md)."""

from decimal import Decimal
from itertools import count

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from billing import services
from billing.models import CustomerAccount, PartnerAccount
from partnercenter.actors import SCHEDULER
from partnercenter.errors import DomainError

from ..billing_helpers import fund
from ..conftest import actor_of, build_tenant
from ..factories import AssociationFactory, PartnerFactory

pytestmark = pytest.mark.django_db

amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("60.00"), places=2)
_tags = count()


class Ledger(RuleBasedStateMachine):
    @initialize()
    def setup(self):
        tenant = build_tenant(f"hyp{next(_tags)}", partner_type="distributor")
        self.actor = actor_of(tenant.admin)
        self.partner = tenant.partner
        self.reseller = PartnerFactory(partner_type="reseller", distributor=tenant.partner)
        self.customers = [tenant.resale] + [AssociationFactory(partner=tenant.partner).customer for _ in range(2)]
        fund(self.partner, "100.00")
        self.model = {"cash": Decimal("100.00"), "credit": Decimal("0"), "allocated": Decimal("0"),
                      "reseller_cash": Decimal("0"), "customers": [Decimal("0")] * 3}

    def available(self):
        return self.model["cash"] + self.model["credit"] - self.model["allocated"]

    @rule(index=st.integers(0, 2), amount=amounts)
    def allocate(self, index, amount):
        try:
            services.allocate_to_customer(self.actor, customer_id=self.customers[index].domain_id, amount=amount)
        except DomainError:
            assert amount > self.available()
        else:
            assert amount <= self.available()
            self.model["allocated"] += amount
            self.model["customers"][index] += amount

    @rule(index=st.integers(0, 2), amount=amounts)
    def reclaim(self, index, amount):
        try:
            services.reclaim_from_customer(self.actor, customer_id=self.customers[index].domain_id, amount=amount)
        except DomainError:
            assert amount > self.model["customers"][index]
        else:
            self.model["allocated"] -= amount
            self.model["customers"][index] -= amount

    @rule(index=st.integers(0, 2), amount=amounts)
    def consume(self, index, amount):
        try:
            services.consume(SCHEDULER, customer=self.customers[index], amount=amount, trans_id="hyp")
        except DomainError:
            assert amount > self.model["customers"][index]
        else:
            self.model["customers"][index] -= amount

    @rule(amount=amounts)
    def fund_reseller(self, amount):
        try:
            services.allocate_to_reseller(self.actor, indirect_partner_id=self.reseller.domain_id, amount=amount)
        except DomainError:
            assert amount > self.available()
        else:
            self.model["allocated"] += amount
            self.model["reseller_cash"] += amount

    @rule(amount=amounts)
    def defund_reseller(self, amount):
        try:
            services.reclaim_from_reseller(self.actor, indirect_partner_id=self.reseller.domain_id, amount=amount)
        except DomainError:
            assert amount > self.model["reseller_cash"]
        else:
            self.model["allocated"] -= amount
            self.model["reseller_cash"] -= amount

    @rule(limit=st.decimals(min_value=Decimal("0"), max_value=Decimal("80.00"), places=2))
    def set_credit(self, limit):
        try:
            services.set_credit_limit(SCHEDULER, partner=self.partner, credit_limit=limit)
        except DomainError:
            assert self.model["allocated"] > self.model["cash"] + limit
        else:
            self.model["credit"] = limit

    @invariant()
    def balances_match_the_model(self):
        if not hasattr(self, "model"):
            return
        account = PartnerAccount.objects.get(partner=self.partner)
        assert (account.cash_balance, account.credit_limit, account.allocated_amount) == (
            self.model["cash"], self.model["credit"], self.model["allocated"])
        assert account.available >= 0
        balances = [CustomerAccount.objects.filter(customer=c).values_list("balance", flat=True).first() or Decimal("0")
                    for c in self.customers]
        assert balances == self.model["customers"]

    def teardown(self):
        call_command("verify_ledger", stdout=None)


def test_random_money_movements_match_a_model_and_the_ledger():
    run_state_machine_as_test(Ledger, settings=settings(
        max_examples=25, stateful_step_count=20, deadline=None, derandomize=True, database=None,
        suppress_health_check=list(HealthCheck)))
