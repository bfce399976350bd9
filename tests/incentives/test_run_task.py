"""The beat task incentives.tasks_run.run_incentives (every three hours, Asia/Shanghai): the previous month from
INCENTIVE_RUN_DAY (the 3rd) once bills has closed it, once; a month a policy correction made STALE is run again;
nothing on the 2nd, nothing for an open month, nothing twice."""

import time_machine

from incentives import policies, run
from incentives.choices import RunStatus
from incentives.models import IncentiveRun, IncentiveStatement
from incentives.tasks_run import run_incentives

from .conftest import INC_CYCLE, close_month, shanghai


def at(text):
    return time_machine.travel(shanghai(text), tick=False)


def test_from_the_run_day_the_previous_closed_month_once(inc_world, inc_policies, settings):
    assert settings.INCENTIVE_RUN_DAY == 3
    with at("2026-04-02 21:00"):
        assert run.due_cycles() == []
        assert run_incentives() == []
    assert not IncentiveStatement.objects.exists()
    with at("2026-04-03 00:00"):
        assert run_incentives() == [INC_CYCLE]
        statements = IncentiveStatement.objects.count()
        assert statements == 3
        assert run_incentives() == []           # done: the next beat changes nothing
    assert IncentiveRun.objects.get(bill_cycle=INC_CYCLE).status == RunStatus.DONE
    assert IncentiveStatement.objects.count() == statements


def test_an_open_month_waits_for_its_close(inc_world, inc_policies):
    inc_world.period.status = "open"
    inc_world.period.save()
    with at("2026-04-05 03:00"):
        assert run_incentives() == []
    close_month(INC_CYCLE)
    with at("2026-04-05 06:00"):
        assert run_incentives() == [INC_CYCLE]


def test_a_stale_month_is_run_again_later(inc_world, inc_policies, operator_actor):
    with at("2026-04-03 00:00"):
        run_incentives()
    first = set(IncentiveStatement.objects.values_list("id", flat=True))
    with at("2026-06-10 12:00"):
        assert run_incentives() == []             # May is not closed: nothing; March is done
        policies.policy_changed(operator_actor, inc_policies.resale)
        assert run.due_cycles() == [INC_CYCLE]
        assert run_incentives() == [INC_CYCLE]
    assert IncentiveRun.objects.get(bill_cycle=INC_CYCLE).status == RunStatus.DONE
    assert not first & set(IncentiveStatement.objects.values_list("id", flat=True))   # drafts replaced
