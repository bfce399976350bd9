"""The monthly incentive run (incentives/run.py) against incentives computed by hand: policies by programme and
association type, 非特定产品 / 特定产品 / 无业绩无返点 / 有业绩无返点 services, rates per charging mode, a tier,
a new customer's first order, a customer that moved to another partner mid-month, refunds (a month of net
refunds pays 0, no clawback), half-fen rounding, and consumption rated after the month closed, which earns in
the next month's run. Then: a second run changes nothing, a policy correction replaces drafts and leaves
confirmed and final statements alone, a run that stopped half-way resumes, and the number of statements the run
sends does not grow with the fee records."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from bills.choices import BillType
from catalog.choices import ChargeMode
from incentives import policies, run
from incentives.choices import IncentiveKind, PolicyCode, RunStatus, StatementStatus
from incentives.errors_policies import PolicyCodes
from incentives.models import IncentiveDetail, IncentiveRun, IncentiveStatement, PolicyServiceRule, PolicyTier
from partnercenter.actors import SCHEDULER
from partnercenter.errors import DomainError

from ..factories import AssociationFactory, CustomerFactory
from .conftest import EC2, EVS, INC_CYCLE, OBS, close_month, day_of, fee, make_policy, shanghai

D = Decimal
APRIL = "2026-04"


class Scenario:
    """inc_world + inc_policies, and around them (every amount below is in the module's expectations):

    partner A (joined the solution-provider programme)
      referral policy ref-general 5 % / 3 %, OBS 无业绩无返点, EVS 有业绩无返点 (added here)
        referral customer: EC2 pay-per-use 100 (10 coupon) → 90 × 3 % = 2.70; OBS 20 → nothing;
                           EVS pay-per-use 30 → 30 × 0 = 0; EC2 yearly/monthly renewal 10.10 → 0.505 → 0.51
        mover C, associated with A until the 15th: EC2 pay-per-use 40 → 1.20
        → base 170.10 / 4.41
      resale policy resale-sp (programme) 4 % / 2 %, EVS 特定产品 6 % / 8 %, tiers 500 → 1 %, 1000 → 2 %, 2000 → 3 %,
      first order 2 % (set here)
        resale customer: EC2 yearly/monthly new 1000 and a refund −200 → 800 × 4 % = 32.00;
                         EVS pay-per-use 50 (20 of it arrears) → 50 × 8 % = 4.00
        new customer N, associated on the 10th: EC2 yearly/monthly new 500 + renewal 100 → 600 × 4 % = 24.00,
                         first order 500 × 2 % = 10.00
        → base 1450.00 / 60.00, tier 1450 × 2 % = 29.00 (the highest tier reached), first order 500.00 / 10.00
    partner B (no programme): resale-general 3 % / 1 %
        mover C from the 15th (resale): EC2 pay-per-use 60 → 0.60
        refunding customer R: EC2 yearly/monthly refund −300 → −9.00
        → base −240.00, amount floored at 0.00
    also: C's consumption between its two associations (none: earns nobody), and late consumption of A's
    referral customer (7.00, consumed in March, rated after March closed → April's cycle).
    """

    def __init__(self, world, pols, tenant_b):
        self.w, self.p, self.b = world, pols, tenant_b
        self.a = world.partner
        PolicyServiceRule.objects.create(policy=pols.referral, service_type=world.services[EVS],
                                         incentive_policy=PolicyCode.PERFORMANCE_ONLY)
        pols.resale.first_order_rate = D("0.0200")
        pols.resale.save()
        PolicyTier.objects.create(policy=pols.resale, min_performance=D("1000.00"), extra_rate=D("0.0200"))
        PolicyTier.objects.create(policy=pols.resale, min_performance=D("2000.00"), extra_rate=D("0.0300"))
        self.resale_general = make_policy("resale-general", association_type="2", name="代售通用",
                                          period_rate="0.0300", on_demand_rate="0.0100")
        referral, resale = world.referral, world.resale
        fee(referral.customer, referral, cycle=INC_CYCLE, amount="30.00", code=EVS)
        fee(referral.customer, referral, cycle=INC_CYCLE, amount="10.10", mode=ChargeMode.PERIOD,
            bill_type=BillType.RENEW)
        fee(resale.customer, resale, cycle=INC_CYCLE, amount="-200.00", mode=ChargeMode.PERIOD,
            bill_type=BillType.REFUND)
        # C leaves A on the 15th and joins B (resale)
        self.mover = CustomerFactory(domain_name="mover")
        self.c_at_a = AssociationFactory(partner=self.a, customer=self.mover, association_type="1",
                                         associated_on=shanghai("2025-11-01 10:00"),
                                         ended_on=shanghai("2026-03-15 00:00"))
        self.c_at_b = AssociationFactory(partner=tenant_b.partner, customer=self.mover, association_type="2",
                                         associated_on=shanghai("2026-03-15 12:00"))
        fee(self.mover, self.c_at_a, cycle=INC_CYCLE, amount="40.00", when=day_of(INC_CYCLE, 5))
        fee(self.mover, None, cycle=INC_CYCLE, amount="5.00", when=day_of(INC_CYCLE, 15, 6))
        fee(self.mover, self.c_at_b, cycle=INC_CYCLE, amount="60.00", when=day_of(INC_CYCLE, 20))
        # N: A's new resale customer of the month
        self.new = AssociationFactory(partner=self.a, association_type="2",
                                      associated_on=shanghai("2026-03-10 09:00"))
        fee(self.new.customer, self.new, cycle=INC_CYCLE, amount="500.00", mode=ChargeMode.PERIOD,
            bill_type=BillType.NEW)
        fee(self.new.customer, self.new, cycle=INC_CYCLE, amount="100.00", mode=ChargeMode.PERIOD,
            bill_type=BillType.RENEW)
        # R: B's customer with nothing but a refund
        self.refunding = AssociationFactory(partner=tenant_b.partner, association_type="2",
                                            associated_on=shanghai("2025-06-01 10:00"))
        fee(self.refunding.customer, self.refunding, cycle=INC_CYCLE, amount="-300.00", mode=ChargeMode.PERIOD,
            bill_type=BillType.REFUND)
        # consumed on 31 March, rated after March closed: it landed in April
        fee(referral.customer, referral, cycle=APRIL, amount="7.00", is_adjustment=True,
            when=day_of(INC_CYCLE, 31))


@pytest.fixture
def scenario(inc_world, inc_policies, tenant_b):
    return Scenario(inc_world, inc_policies, tenant_b)


def statements(**filters):
    """{(partner, policy code, kind): (performance, amount, status)}."""
    return {(s.partner.account_name, s.policy.code, s.kind): (s.performance, s.amount, s.status)
            for s in IncentiveStatement.objects.filter(**filters).select_related("partner", "policy")}


def details(**filters):
    """{(partner, customer, service, mode, kind): (code, fee records, consumption, performance, rate, rebate)}."""
    return {(d.partner.account_name, d.customer.domain_name, d.service_type.code, d.charging_mode, d.kind):
            (d.incentive_policy, d.fee_records, d.consumption, d.performance, d.rate, d.rebate)
            for d in IncentiveDetail.objects.filter(**filters).select_related("partner", "customer", "service_type")}


def everything():
    """Every row the run wrote, ids and numbers included: equal before and after means nothing changed."""
    return (sorted(IncentiveStatement.objects.values_list(
                "id", "statement_no", "partner_id", "bill_cycle", "policy_id", "kind", "name", "association_type",
                "performance", "amount", "status", "generated_at", "dispute_deadline")),
            sorted(IncentiveDetail.objects.values_list(
                "id", "statement_id", "association_id", "service_type_id", "charging_mode", "kind",
                "incentive_policy", "fee_records", "consumption", "performance", "rate", "rebate")))


PENDING = StatementStatus.PENDING
BASE, TIER, FIRST = IncentiveKind.BASE, IncentiveKind.TIER, IncentiveKind.FIRST_ORDER
PERIOD, ON_DEMAND = ChargeMode.PERIOD, ChargeMode.ON_DEMAND

EXPECTED_STATEMENTS = {
    ("partner-a", "ref-general", BASE): (D("170.10"), D("4.41"), PENDING),
    ("partner-a", "resale-sp", BASE): (D("1450.00"), D("60.00"), PENDING),
    ("partner-a", "resale-sp", TIER): (D("1450.00"), D("29.00"), PENDING),
    ("partner-a", "resale-sp", FIRST): (D("500.00"), D("10.00"), PENDING),
    ("partner-b", "resale-general", BASE): (D("-240.00"), D("0.00"), PENDING),
}


def expected_details(scenario):
    referral = scenario.w.referral.customer.domain_name
    resale = scenario.w.resale.customer.domain_name
    new = scenario.new.customer.domain_name
    refunding = scenario.refunding.customer.domain_name
    return {
        ("partner-a", referral, EC2, ON_DEMAND, BASE): (0, 1, D("100.00"), D("90.00"), D("0.0300"), D("2.70")),
        ("partner-a", referral, EVS, ON_DEMAND, BASE): (13, 1, D("30.00"), D("30.00"), D("0.0000"), D("0.00")),
        ("partner-a", referral, EC2, PERIOD, BASE): (0, 1, D("10.10"), D("10.10"), D("0.0500"), D("0.51")),
        ("partner-a", "mover", EC2, ON_DEMAND, BASE): (0, 1, D("40.00"), D("40.00"), D("0.0300"), D("1.20")),
        ("partner-a", resale, EC2, PERIOD, BASE): (0, 2, D("800.00"), D("800.00"), D("0.0400"), D("32.00")),
        ("partner-a", resale, EVS, ON_DEMAND, BASE): (1, 1, D("50.00"), D("50.00"), D("0.0800"), D("4.00")),
        ("partner-a", new, EC2, PERIOD, BASE): (0, 2, D("600.00"), D("600.00"), D("0.0400"), D("24.00")),
        ("partner-a", new, EC2, PERIOD, FIRST): (0, 1, D("500.00"), D("500.00"), D("0.0200"), D("10.00")),
        ("partner-b", "mover", EC2, ON_DEMAND, BASE): (0, 1, D("60.00"), D("60.00"), D("0.0100"), D("0.60")),
        ("partner-b", refunding, EC2, PERIOD, BASE): (0, 1, D("-300.00"), D("-300.00"), D("0.0300"),
                                                      D("-9.00")),
    }


def test_the_month_as_computed_by_hand(scenario):
    result = run.run_month(SCHEDULER, bill_cycle=INC_CYCLE)

    assert result.ran and result.done
    assert statements() == EXPECTED_STATEMENTS
    assert details() == expected_details(scenario)
    assert (result.partners, result.statements, result.details) == (2, 5, 10)
    state = IncentiveRun.objects.get(bill_cycle=INC_CYCLE)
    assert state.status == RunStatus.DONE and (state.partners, state.statements, state.details) == (2, 5, 10)
    # the tier and the first order are statements of their own; every line belongs to its statement
    assert not IncentiveStatement.objects.get(kind=TIER).details.exists()
    for statement in IncentiveStatement.objects.exclude(kind=TIER):
        lines = list(statement.details.all())
        assert sum(line.performance for line in lines) == statement.performance
        assert {line.kind for line in lines} == {statement.kind}
        assert {line.policy_id for line in lines} == {statement.policy_id}


def test_statements_are_named_pending_and_open_to_objections(scenario):
    run.run_month(SCHEDULER, bill_cycle=INC_CYCLE)
    statement = IncentiveStatement.objects.get(kind=TIER)
    with translation.override("zh-hans"):
        assert statement.name == f"代售激励 · {IncentiveKind.TIER.label}"
    assert statement.association_type == "2" and statement.status == PENDING
    assert statement.dispute_deadline > statement.generated_at
    assert len(statement.statement_no) == 20
    assert len(set(IncentiveStatement.objects.values_list("statement_no", flat=True))) == 5


def test_late_consumption_earns_in_the_next_months_run(scenario):
    run.run_month(SCHEDULER, bill_cycle=INC_CYCLE)
    assert not IncentiveStatement.objects.filter(bill_cycle=APRIL).exists()
    with pytest.raises(DomainError) as refused:
        run.run_month(SCHEDULER, bill_cycle=APRIL)  # April is not closed yet
    assert refused.value.code == PolicyCodes.PERIOD_NOT_CLOSED

    close_month(APRIL)
    run.run_month(SCHEDULER, bill_cycle=APRIL)
    assert statements(bill_cycle=APRIL) == {("partner-a", "ref-general", BASE): (D("7.00"), D("0.21"), PENDING)}
    assert statements(bill_cycle=INC_CYCLE) == EXPECTED_STATEMENTS


def test_a_policy_outside_its_months_does_not_apply(scenario):
    scenario.p.resale.valid_until = policies.month_of_cycle("2026-02")
    scenario.p.resale.valid_from = policies.month_of_cycle("2026-01")
    scenario.p.resale.save()
    run.run_month(SCHEDULER, bill_cycle=INC_CYCLE)
    found = statements(partner=scenario.a)
    # partner A's resale customers now earn under the general resale policy: 3 % / 1 %, no tier, no first order
    assert found[("partner-a", "resale-general", BASE)] == (D("1450.00"), D("42.50"), PENDING)
    assert set(found) == {("partner-a", "ref-general", BASE), ("partner-a", "resale-general", BASE)}


def test_a_second_run_changes_nothing(scenario):
    run.run_month(SCHEDULER, bill_cycle=INC_CYCLE)
    before = everything()
    again = run.run_month(SCHEDULER, bill_cycle=INC_CYCLE)
    assert not again.ran and again.done
    assert everything() == before


def test_a_policy_correction_replaces_drafts_and_leaves_confirmed_and_final_alone(scenario, operator_actor):
    run.run_month(SCHEDULER, bill_cycle=INC_CYCLE)
    final = IncentiveStatement.objects.get(partner=scenario.a, kind=BASE, association_type="1")
    IncentiveStatement.objects.filter(pk=final.pk).update(status=StatementStatus.FINAL, trans_id="T-FINAL")
    confirmed = IncentiveStatement.objects.get(kind=TIER)
    IncentiveStatement.objects.filter(pk=confirmed.pk).update(status=StatementStatus.CONFIRMED)
    disputed = IncentiveStatement.objects.get(partner=scenario.b.partner)
    IncentiveStatement.objects.filter(pk=disputed.pk).update(status=StatementStatus.DISPUTED, dispute_reason="少算")
    draft = IncentiveStatement.objects.get(partner=scenario.a, kind=BASE, association_type="2")
    kept_lines = sorted(final.details.values_list("id", "rebate"))

    # the operator corrects the resale policy: EVS pay-per-use 10 %, and the general referral rates 10 % / 10 %
    PolicyServiceRule.objects.filter(policy=scenario.p.resale).update(on_demand_rate=D("0.1000"))
    scenario.p.referral.on_demand_rate = scenario.p.referral.period_rate = D("0.1000")
    scenario.p.referral.save()
    assert policies.policy_changed(operator_actor, scenario.p.resale) == [INC_CYCLE]
    assert IncentiveRun.objects.get(bill_cycle=INC_CYCLE).status == RunStatus.STALE

    result = run.run_month(SCHEDULER, bill_cycle=INC_CYCLE)

    assert result.ran and result.done and result.statements == 5
    found = statements()
    # the final one and the confirmed one: untouched, lines and all
    assert found[("partner-a", "ref-general", BASE)] == (D("170.10"), D("4.41"), StatementStatus.FINAL)
    assert sorted(IncentiveStatement.objects.get(pk=final.pk).details.values_list("id", "rebate")) == kept_lines
    assert found[("partner-a", "resale-sp", TIER)] == (D("1450.00"), D("29.00"), StatementStatus.CONFIRMED)
    assert IncentiveStatement.objects.filter(pk=confirmed.pk).exists()
    # the drafts: replaced with the corrected amounts (EVS 50 × 10 % = 5.00), the disputed one pending again
    assert not IncentiveStatement.objects.filter(pk__in=[draft.pk, disputed.pk]).exists()
    assert found[("partner-a", "resale-sp", BASE)] == (D("1450.00"), D("61.00"), PENDING)
    assert found[("partner-b", "resale-general", BASE)] == (D("-240.00"), D("0.00"), PENDING)
    assert IncentiveStatement.objects.count() == 5
    assert IncentiveDetail.objects.filter(kind=BASE, partner=scenario.a, association_type="1").count() == 4


def test_a_run_that_stopped_half_way_resumes_after_its_last_chunk(scenario, monkeypatch):
    real, calls = run._compute_chunk, []

    def failing_second(values):
        calls.append(values["hi"])
        if len(calls) == 2:
            raise RuntimeError("the worker died")
        return real(values)

    monkeypatch.setattr(run, "_compute_chunk", failing_second)
    with pytest.raises(RuntimeError):
        run.run_month(SCHEDULER, bill_cycle=INC_CYCLE, chunk_size=1)
    state = IncentiveRun.objects.get(bill_cycle=INC_CYCLE)
    assert state.status == RunStatus.RUNNING and state.cursor == scenario.a.pk
    assert set(IncentiveStatement.objects.values_list("partner_id", flat=True)) == {scenario.a.pk}
    assert run.due_cycles() == [INC_CYCLE]  # the beat task would resume it

    monkeypatch.setattr(run, "_compute_chunk", real)
    result = run.run_month(SCHEDULER, bill_cycle=INC_CYCLE, chunk_size=1)
    assert result.done and result.chunks == 1  # only B's chunk was left
    assert statements() == EXPECTED_STATEMENTS
    assert details() == expected_details(scenario)


def test_the_statements_sent_do_not_grow_with_the_fee_records(inc_world, inc_policies):
    def statements_sent():
        IncentiveRun.objects.all().delete()
        with CaptureQueriesContext(connection) as queries:
            run.run_month(SCHEDULER, bill_cycle=INC_CYCLE, chunk_size=1)
        return len(queries)

    few = statements_sent()
    customers = [AssociationFactory(partner=inc_world.partner, association_type=kind,
                                    associated_on=shanghai("2025-01-01 10:00")) for kind in "1212"]
    for association in customers:
        for code in (EC2, EVS, OBS):
            for _ in range(5):
                fee(association.customer, association, cycle=INC_CYCLE, amount="3.00", code=code)
    many = statements_sent()
    assert IncentiveDetail.objects.count() > 10
    assert many == few


def test_only_the_platform_runs_a_closed_month(inc_world, inc_policies):
    from ..conftest import actor_of

    with pytest.raises(DomainError) as refused:
        run.run_month(actor_of(inc_world.tenant.admin), bill_cycle=INC_CYCLE)
    assert refused.value.code == "CBC.0151"
    with pytest.raises(DomainError) as refused:
        run.run_month(SCHEDULER, bill_cycle="2026-3")
    assert refused.value.code == "CBC.0100"
    assert not IncentiveRun.objects.exists()
