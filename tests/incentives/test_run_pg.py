"""The monthly incentive run at once, on PostgreSQL (real row locks): runs started together take turns on the
month's IncentiveRun row, chunk by chunk, and every partner is computed once — the same statements and lines as
one run alone, no duplicate, one DONE; the same after a policy correction (drafts replaced once, the final
statement untouched); and a run waits while another holds the run row."""

import threading
import time

import pytest
from django.db import connection, connections, transaction

from incentives import policies, run
from incentives.choices import IncentiveKind, RunStatus, StatementStatus
from incentives.models import IncentiveDetail, IncentiveRun, IncentiveStatement, PolicyServiceRule
from partnercenter.actors import SCHEDULER
from partnercenter.models import OperationLog

from ..trade.test_concurrency_pg import at_once
from .conftest import D, INC_CYCLE
from .test_run import EXPECTED_STATEMENTS, Scenario, details, expected_details, statements

needs_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL")
pytestmark = [needs_postgres, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def scenario(inc_world, inc_policies, tenant_b):
    return Scenario(inc_world, inc_policies, tenant_b)


def _run():
    return run.run_month(SCHEDULER, bill_cycle=INC_CYCLE, chunk_size=1)


def test_four_runs_at_once_compute_every_partner_once(scenario):
    outcomes = at_once([_run] * 4)

    assert all(isinstance(o, run.RunResult) for o in outcomes), outcomes
    assert sum(o.chunks for o in outcomes) == 2          # two partners, one chunk each, computed once in all
    assert all(o.done for o in outcomes)
    assert statements() == EXPECTED_STATEMENTS
    assert details() == expected_details(scenario)
    assert IncentiveStatement.objects.count() == 5 and IncentiveDetail.objects.count() == 10
    state = IncentiveRun.objects.get(bill_cycle=INC_CYCLE)
    assert (state.status, state.statements, state.details) == (RunStatus.DONE, 5, 10)
    assert OperationLog.objects.filter(action="incentives.run").count() == 1


def test_runs_at_once_after_a_policy_correction_replace_the_drafts_once(scenario, operator_actor):
    _run()
    final = IncentiveStatement.objects.get(partner=scenario.a, kind=IncentiveKind.BASE, association_type="1")
    IncentiveStatement.objects.filter(pk=final.pk).update(status=StatementStatus.FINAL, trans_id="T-FINAL")
    kept = sorted(final.details.values_list("id", "rebate"))
    PolicyServiceRule.objects.filter(policy=scenario.p.resale).update(on_demand_rate=D("0.1000"))
    policies.policy_changed(operator_actor, scenario.p.resale)

    outcomes = at_once([_run] * 3)

    assert all(isinstance(o, run.RunResult) and o.done for o in outcomes), outcomes
    found = statements()
    assert found[("partner-a", "ref-general", IncentiveKind.BASE)] == (D("170.10"), D("4.41"), StatementStatus.FINAL)
    assert sorted(IncentiveStatement.objects.get(pk=final.pk).details.values_list("id", "rebate")) == kept
    assert found[("partner-a", "resale-sp", IncentiveKind.BASE)][1] == D("61.00")
    assert IncentiveStatement.objects.count() == 5 and IncentiveDetail.objects.count() == 10


def test_a_run_waits_while_another_holds_the_months_run_row(scenario):
    IncentiveRun.objects.create(bill_cycle=INC_CYCLE)
    results, waited = {}, threading.Event()

    def second():
        try:
            results["run"] = _run()
        except Exception as exc:  # reported below
            results["run"] = exc
        finally:
            connections.close_all()

    with transaction.atomic():
        IncentiveRun.objects.select_for_update().get(bill_cycle=INC_CYCLE)
        thread = threading.Thread(target=second)
        thread.start()
        with connection.cursor() as cursor:
            give_up = time.monotonic() + 20
            while time.monotonic() < give_up:
                cursor.execute("SELECT pg_stat_clear_snapshot()")
                cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                               "AND datname = current_database()")
                if cursor.fetchone()[0]:
                    waited.set()
                    break
        assert "run" not in results and not IncentiveStatement.objects.exists()
    thread.join(30)
    assert waited.is_set()
    assert isinstance(results["run"], run.RunResult) and results["run"].done
    assert statements() == EXPECTED_STATEMENTS
