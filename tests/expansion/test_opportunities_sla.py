"""HO's SLA (合作伙伴接收华为云共享的机会点SLA为3个工作日，逾期默认拒绝，HO将回收), with a frozen clock: the deadline
is 3 working days after sharing on China's calendar; accepting on the last working day, even at the deadline's
minute, succeeds; one minute past it the partner is refused and the task rejects and recalls the opportunity,
telling the partner; running the task twice or late changes nothing more; the reminder goes out once, one
working day before."""

from datetime import timedelta

import pytest
import time_machine

from events.models import Event
from expansion import opportunities, opportunities_sla
from expansion.choices import OpportunityStatus
from expansion.errors_opportunities import OpportunityCodes
from expansion.event_types_opportunities import (
    OPPORTUNITY_ACCEPTED, OPPORTUNITY_DUE_SOON, OPPORTUNITY_RECALLED, OPPORTUNITY_SHARED,
)
from expansion.models import Opportunity
from partnercenter.errors import DomainError
from partnercenter.models import OperationLog, WorkdayOverride

from ..conftest import actor_of
from .opportunities_fixtures import make_operator, shanghai, share

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(db):
    return make_operator()

MONDAY = shanghai(2026, 3, 9, 10, 0)        # an ordinary week: no holiday
THURSDAY = shanghai(2026, 3, 12, 10, 0)     # 3 working days later, the same wall clock


def _status(opportunity):
    opportunity.refresh_from_db()
    return opportunity.status


def test_the_deadline_is_three_working_days_later_at_the_same_wall_clock(tenant_a, operator):
    ordinary = share(operator, tenant_a.partner, at=MONDAY)
    over_the_weekend = share(operator, tenant_a.partner, at=shanghai(2026, 3, 12, 16, 30))   # Thursday
    # National Day 2026: 1–7 October off, Saturday 10 October an adjusted working day (调休)
    before_national_day = share(operator, tenant_a.partner, at=shanghai(2026, 9, 30, 10, 0))

    assert ordinary.deadline == THURSDAY
    assert over_the_weekend.deadline == shanghai(2026, 3, 17, 16, 30)      # Fri, Mon, Tue
    assert before_national_day.deadline == shanghai(2026, 10, 10, 10, 0)   # 8th, 9th, Saturday the 10th
    assert Event.objects.filter(type=OPPORTUNITY_SHARED, partner=tenant_a.partner).count() == 3


def test_an_operator_override_counts_for_deadlines_shared_after_it(tenant_a, operator):
    WorkdayOverride.objects.create(date=shanghai(2026, 3, 10, 0, 0).date(), is_working_day=False, note="停电")
    assert share(operator, tenant_a.partner, at=MONDAY).deadline == shanghai(2026, 3, 13, 10, 0)


def test_accepting_on_the_last_working_day_succeeds_up_to_the_deadline_minute(tenant_a, operator):
    early, at_deadline, waiting = (share(operator, tenant_a.partner, at=MONDAY) for _ in range(3))
    actor = actor_of(tenant_a.admin)

    with time_machine.travel(THURSDAY - timedelta(hours=2), tick=False):   # the last working day, 08:00
        opportunities.accept(actor, opportunity=early)
    with time_machine.travel(THURSDAY, tick=False):                         # the deadline itself
        recalled_at_the_deadline = opportunities_sla.recall_overdue()       # still in time: nothing is due
        opportunities.accept(actor, opportunity=at_deadline)

    assert recalled_at_the_deadline == 0 and _status(waiting) == OpportunityStatus.PENDING
    assert (_status(early), _status(at_deadline)) == (OpportunityStatus.ACCEPTED, OpportunityStatus.ACCEPTED)
    assert early.decided_by == at_deadline.decided_by == tenant_a.admin.user.username
    assert Event.objects.filter(type=OPPORTUNITY_ACCEPTED).count() == 2


def test_one_minute_past_the_deadline_it_is_refused_then_rejected_by_default_and_recalled(tenant_a, operator):
    late = share(operator, tenant_a.partner, at=MONDAY)
    accepted = share(operator, tenant_a.partner, at=MONDAY)
    not_due = share(operator, tenant_a.partner, at=MONDAY + timedelta(days=1))
    actor = actor_of(tenant_a.admin)
    with time_machine.travel(MONDAY + timedelta(hours=1), tick=False):
        opportunities.accept(actor, opportunity=accepted)

    with time_machine.travel(THURSDAY + timedelta(minutes=1), tick=False):
        with pytest.raises(DomainError) as refused:
            opportunities.accept(actor, opportunity=late)
        with pytest.raises(DomainError) as refused_reject:
            opportunities.reject(actor, opportunity=late, reason="没有资源")
        assert _status(late) == OpportunityStatus.PENDING    # a refusal changes nothing; the task decides
        recalled = opportunities_sla.recall_overdue()

    assert refused.value.code == refused_reject.value.code == OpportunityCodes.DEADLINE_PASSED
    assert recalled == 1
    late.refresh_from_db()
    assert (late.status, late.decided_at, late.decided_by) == (
        OpportunityStatus.RECALLED, THURSDAY + timedelta(minutes=1), "scheduler")
    assert (_status(accepted), _status(not_due)) == (OpportunityStatus.ACCEPTED, OpportunityStatus.PENDING)
    [event] = Event.objects.filter(type=OPPORTUNITY_RECALLED)
    assert (event.partner_id, event.data["opportunity_id"], event.key) == (
        tenant_a.partner.pk, late.pk, f"{OPPORTUNITY_RECALLED}:{late.pk}")
    log = OperationLog.objects.get(action="expansion.opportunity_recall")
    assert (log.partner_id, log.detail["opportunities"], log.actor_kind) == (tenant_a.partner.pk, [late.pk], "scheduler")

    # after recall the partner still cannot accept it
    with time_machine.travel(THURSDAY + timedelta(minutes=2), tick=False), pytest.raises(DomainError) as after:
        opportunities.accept(actor, opportunity=late)
    assert after.value.code == OpportunityCodes.DEADLINE_PASSED


def test_running_the_task_twice_or_late_changes_nothing_more(tenant_a, tenant_b, operator):
    due = [share(operator, partner, at=MONDAY) for partner in (tenant_a.partner, tenant_a.partner, tenant_b.partner)]

    with time_machine.travel(THURSDAY + timedelta(minutes=1), tick=False):
        first = opportunities_sla.recall_overdue()
        second = opportunities_sla.recall_overdue()
    snapshot = list(Opportunity.objects.order_by("pk").values_list("pk", "status", "decided_at", "updated_at"))
    with time_machine.travel(THURSDAY + timedelta(days=30), tick=False):
        late = opportunities_sla.recall_overdue()

    assert (first, second, late) == (3, 0, 0)
    assert snapshot == list(Opportunity.objects.order_by("pk").values_list("pk", "status", "decided_at", "updated_at"))
    assert {o.pk for o in due} == {pk for pk, status, *_ in snapshot if status == OpportunityStatus.RECALLED}
    assert Event.objects.filter(type=OPPORTUNITY_RECALLED).count() == 3
    assert OperationLog.objects.filter(action="expansion.opportunity_recall").count() == 2   # one per partner


def test_the_task_moves_only_due_rows_in_batches(tenant_a, operator, monkeypatch):
    monkeypatch.setattr(opportunities_sla, "BATCH", 2)
    due = [share(operator, tenant_a.partner, at=MONDAY) for _ in range(5)]
    with time_machine.travel(THURSDAY + timedelta(minutes=1), tick=False):
        assert opportunities_sla.recall_overdue() == 5
        assert opportunities_sla.recall_overdue() == 0
    assert {_status(o) for o in due} == {OpportunityStatus.RECALLED}
    assert Event.objects.filter(type=OPPORTUNITY_RECALLED).count() == 5


def test_the_reminder_goes_out_once_one_working_day_before_the_deadline(tenant_a, operator):
    pending = share(operator, tenant_a.partner, at=MONDAY)
    accepted = share(operator, tenant_a.partner, at=MONDAY)
    with time_machine.travel(MONDAY + timedelta(hours=1), tick=False):
        opportunities.accept(actor_of(tenant_a.admin), opportunity=accepted)

    with time_machine.travel(THURSDAY - timedelta(days=1, minutes=1), tick=False):   # Wednesday 09:59
        too_early = opportunities_sla.remind_due()
    with time_machine.travel(THURSDAY - timedelta(days=1), tick=False):              # Wednesday 10:00
        reminded = opportunities_sla.remind_due()
        again = opportunities_sla.remind_due()
    with time_machine.travel(THURSDAY - timedelta(hours=1), tick=False):             # Thursday 09:00
        later = opportunities_sla.remind_due()

    assert (too_early, reminded, again, later) == (0, 1, 0, 0)
    pending.refresh_from_db()
    assert pending.reminded_at == THURSDAY - timedelta(days=1)
    [event] = Event.objects.filter(type=OPPORTUNITY_DUE_SOON)
    assert event.data["opportunity_id"] == pending.pk
    assert OperationLog.objects.filter(action="expansion.opportunity_remind").count() == 1


def test_a_reminder_missed_on_friday_goes_out_over_the_weekend_and_an_overdue_one_never(tenant_a, operator):
    due_monday = share(operator, tenant_a.partner, at=shanghai(2026, 3, 11, 15, 0))    # Wed → Mon 16th 15:00
    overdue = share(operator, tenant_a.partner, at=MONDAY)                             # due Thursday

    with time_machine.travel(shanghai(2026, 3, 14, 12, 0), tick=False):                # Saturday
        reminded = opportunities_sla.remind_due()

    assert due_monday.deadline == shanghai(2026, 3, 16, 15, 0)
    assert reminded == 1
    due_monday.refresh_from_db()
    overdue.refresh_from_db()
    assert due_monday.reminded_at is not None and overdue.reminded_at is None


# Shared on a day off, the clock starts at 00:00 of the next working day (workdays.sla_deadline). China's 2026
# calendar (chinese-calendar 1.11.0): Friday 25 September is 中秋节, 1–7 October 国庆节; the working days after
# Saturday 26 September are Monday 28, Tuesday 29, Wednesday 30 September, then Thursday 8 October.
SATURDAY = shanghai(2026, 9, 26, 10, 0)
RESTDAY_DEADLINE = shanghai(2026, 10, 8, 0, 0)   # after three full working days: 28, 29 and 30 September


def test_an_ho_shared_on_a_day_off_gets_three_full_working_days(tenant_a, operator):
    from expansion.selectors_opportunities import countdown_of

    ho = share(operator, tenant_a.partner, at=SATURDAY)
    on_working_day = share(operator, tenant_a.partner, at=shanghai(2026, 9, 28, 10, 0))    # Monday: same wall clock
    actor = actor_of(tenant_a.admin)

    assert ho.deadline == RESTDAY_DEADLINE
    assert on_working_day.deadline == shanghai(2026, 10, 8, 10, 0)                          # 29th, 30th, 8th
    assert ho.deadline == opportunities.deadline_for(SATURDAY)
    # the countdown counts the working days left after today (the deadline's own day has no time left)
    assert (countdown_of(ho, SATURDAY).state, countdown_of(ho, SATURDAY).working_days_left) == ("days", 3)
    assert countdown_of(ho, shanghai(2026, 9, 28, 10, 0)).working_days_left == 2
    assert countdown_of(ho, shanghai(2026, 9, 30, 10, 0)).state == "due_today"
    assert countdown_of(ho, shanghai(2026, 10, 5, 10, 0)).state == "due_today"               # on holiday
    # the last full working day, up to its very end, is in time; a moment past 00:00 is not
    with time_machine.travel(RESTDAY_DEADLINE - timedelta(minutes=1), tick=False):           # Wed 30th 23:59
        opportunities.accept(actor, opportunity=ho)
    late = share(operator, tenant_a.partner, at=SATURDAY)
    with time_machine.travel(RESTDAY_DEADLINE + timedelta(seconds=1), tick=False):
        with pytest.raises(DomainError) as refused:
            opportunities.accept(actor, opportunity=late)
        assert opportunities_sla.recall_overdue() == 1
    assert refused.value.code == OpportunityCodes.DEADLINE_PASSED
    assert (_status(ho), _status(late)) == (OpportunityStatus.ACCEPTED, OpportunityStatus.RECALLED)


def test_an_ho_shared_on_a_day_off_is_reminded_one_working_day_before_its_deadline(tenant_a, operator):
    ho = share(operator, tenant_a.partner, at=SATURDAY)
    runs = {}
    for label, moment in (("sunday", shanghai(2026, 9, 27, 12, 0)),
                          ("monday", shanghai(2026, 9, 28, 10, 0)),
                          ("tuesday night", shanghai(2026, 9, 29, 23, 59)),
                          ("wednesday 00:00", shanghai(2026, 9, 30, 0, 0)),        # one working day left
                          ("wednesday noon", shanghai(2026, 9, 30, 12, 0))):
        with time_machine.travel(moment, tick=False):
            runs[label] = opportunities_sla.remind_due()

    assert runs == {"sunday": 0, "monday": 0, "tuesday night": 0, "wednesday 00:00": 1, "wednesday noon": 0}
    ho.refresh_from_db()
    assert ho.reminded_at == shanghai(2026, 9, 30, 0, 0)
    [event] = Event.objects.filter(type=OPPORTUNITY_DUE_SOON)
    assert event.data["deadline"] == "2026-10-07T16:00:00Z"
