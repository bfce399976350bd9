"""The HO SLA's scheduled side: overdue HO are rejected by default and recalled, and a reminder goes out one
working day before the deadline (the beat runs expansion.tasks_opportunities every few minutes).

Both are idempotent (ARCHITECTURE rule 6): they select only what is due by state — pending HO whose
`deadline` is past (or within the reminder window and not yet reminded) through the partial index
`opportunity_ho_due` (deadline WHERE origin = HO AND status = pending), so they read the due rows and not
the table — lock those rows, and move them with a conditional UPDATE that repeats the condition. A second,
a concurrent or a late run finds nothing more to move; the events are keyed per opportunity as well.

A partner's accept that races the recall: `accept` locks the row and moves it only while
`deadline >= now`; the recall moves only `deadline < now`. Whichever locks the row first decides; the
other then reads the moved row (PostgreSQL re-checks the WHERE of a locked row) and leaves it.

"One working day before the deadline": the reminder is due once its moment — the deadline's wall-clock time
on the working day before the deadline's day — has come. On a working day `now` that is every deadline up
to `add_working_days(now, 1)`; on a rest day, every deadline up to the end of the next working day (their
moments were on the last working day, already past). An HO shared on a day off is due at 00:00 after its
third full working day (workdays.sla_deadline): its reminder goes out at 00:00 of that last working day — the
end of the one before —, when exactly one working day is left (e.g. shared Saturday 26 September 2026, due
Thursday 8 October 00:00 after National Day, reminded Wednesday 30 September 00:00).

The events of an opportunity naming a customer carry that customer and its account manager
(expansion.opportunities.audiences), as the partner's own writes do.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from events import outbox
from partnercenter import workdays
from partnercenter.actors import SCHEDULER
from partnercenter.models import Partner
from partnercenter.oplog import operation

from .choices import OpportunityStatus, Origin
from .event_types_opportunities import OPPORTUNITY_DUE_SOON, OPPORTUNITY_RECALLED
from .models import Opportunity
from .opportunities import audiences, event_data

__all__ = ["BATCH", "due_for_recall", "recall_overdue", "reminder_cutoff", "due_for_reminder", "remind_due"]

BATCH = 500  # rows moved per transaction: a long backlog commits in steps and holds few locks at a time


def _pending_ho():
    # exactly the partial index's condition, so the planner can use opportunity_ho_due
    return Opportunity.objects.filter(origin=Origin.HO, status=OpportunityStatus.PENDING)


def due_for_recall(now):
    return _pending_ho().filter(deadline__lt=now)


def _announce_and_log(actor, type_code, rows, action, now):
    """Keyed events for the moved rows (one INSERT) and one operation-log row per partner."""
    partners = Partner.objects.in_bulk({row.partner_id for row in rows})
    told = audiences(rows)
    outbox.record_many([{
        "type_code": type_code, "partner": partners[row.partner_id], "actor": actor,
        "key": f"{type_code}:{row.pk}", "data": event_data(row), **told.get(row.pk, {}),
    } for row in rows])
    by_partner: dict[int, list[int]] = {}
    for row in rows:
        by_partner.setdefault(row.partner_id, []).append(row.pk)
    for partner_id, pks in sorted(by_partner.items()):
        with operation(actor, action, partner=partners[partner_id],
                       detail={"now": now.isoformat(), "count": len(pks), "opportunities": pks[:50]}):
            pass


_FIELDS = ("pk", "partner_id", "customer_id", "origin", "name", "customer_name", "deadline")


def recall_overdue(actor=SCHEDULER, *, now=None) -> int:
    """逾期默认拒绝，HO将回收: every pending HO whose deadline has passed becomes RECALLED (decided by the
    scheduler), and its partner is told. Returns how many moved in this run."""
    now = now or timezone.now()
    recalled = 0
    while True:
        with transaction.atomic():
            # Locked in deadline order: the index's order, so the scan stops after BATCH due rows.
            rows = list(due_for_recall(now).order_by("deadline").select_for_update().only(*_FIELDS)[:BATCH])
            if not rows:
                break
            moved = due_for_recall(now).filter(pk__in=[row.pk for row in rows]).update(
                status=OpportunityStatus.RECALLED, decided_at=now, decided_by=actor.label[:150], updated_at=now)
            if moved != len(rows):  # a row changed between the read and the lock (no locks: SQLite serialises)
                rows = list(Opportunity.objects.filter(pk__in=[row.pk for row in rows],
                                                       status=OpportunityStatus.RECALLED, decided_at=now)
                            .only(*_FIELDS))
            if rows:
                _announce_and_log(actor, OPPORTUNITY_RECALLED, rows, "expansion.opportunity_recall", now)
            recalled += len(rows)
        if moved < BATCH:
            break
    return recalled


def reminder_cutoff(now, calendar=None) -> dt.datetime:
    """The latest deadline whose reminder is due at `now` (see the module's docstring)."""
    calendar = calendar or workdays.WorkdayCalendar()
    local = timezone.localtime(now, workdays.SHANGHAI)
    if calendar.is_working_day(local.date()):
        return calendar.add_working_days(local, 1)
    following = calendar.next_working_day(local.date())
    return dt.datetime.combine(following + dt.timedelta(days=1), dt.time.min, tzinfo=workdays.SHANGHAI)


def due_for_reminder(now, cutoff=None):
    cutoff = cutoff or reminder_cutoff(now)
    return _pending_ho().filter(deadline__gte=now, deadline__lte=cutoff, reminded_at__isnull=True)


def remind_due(actor=SCHEDULER, *, now=None) -> int:
    """One working day before its deadline, the partner of a pending HO is reminded — once (`reminded_at`
    is set with a conditional UPDATE, and the event is keyed). Returns how many were reminded now."""
    now = now or timezone.now()
    cutoff = reminder_cutoff(now)
    reminded = 0
    while True:
        with transaction.atomic():
            rows = list(due_for_reminder(now, cutoff).order_by("deadline").select_for_update().only(*_FIELDS)[:BATCH])
            if not rows:
                break
            moved = due_for_reminder(now, cutoff).filter(pk__in=[row.pk for row in rows]).update(reminded_at=now)
            if moved != len(rows):
                rows = list(Opportunity.objects.filter(pk__in=[row.pk for row in rows], reminded_at=now)
                            .only(*_FIELDS))
            if rows:
                _announce_and_log(actor, OPPORTUNITY_DUE_SOON, rows, "expansion.opportunity_remind", now)
            reminded += len(rows)
        if moved < BATCH:
            break
    return reminded
