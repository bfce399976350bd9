"""The FH staff incentive's scheduled side: the monthly list (月初平台会根据已录入的专家信息生成满足条件的激励人员名单),
its 14-working-day deadline (您须在激励生成后14个工作日内核对激励，超出时间未核对系统将默认激励失效), a reminder one
working day before it, and the lapse (失效).

Generation (`generate_lists`, beat incentives.tasks_fh.generate_lists every few hours): from the 1st of month M+1
(Asia/Shanghai) the list of month M is generated for every partner that
- has its FhQualification APPROVED, decided before the 1st of M+1 (qualified during M),
- is on the path DTCSI at DIFFERENTIATED or later now (selectors_fh.eligible_enrolments),
- has at least one programs.ProjectSpecialist on DTCSI, APPROVED, decided before the 1st of M+1, whose member's
  user is active and whose member keeps its employment details (项目专员信息维护: "维护就职信息,填写岗位、开始从事
  华为云的时间") — a 岗位 (MemberProfile.post) and the day it started working with Huawei Cloud, before the 1st
  of M+1 — no such specialists, no list;
- and has no list for M yet.
Each list: one FhMonth (status GENERATED, `generated_at` = now, `deadline` = workdays.sla_deadline(now,
settings.FH_CHECK_WORKING_DAYS) — generated on a day off such as 1 October, the clock starts at 00:00 of the next
working day), one FhLine per specialist at settings.FH_AMOUNT_PER_SPECIALIST, `amount` their sum; the partner is
told (keyed event). Only the previous month is ever generated: a month whose generation month has passed is not
generated late.

Idempotent and concurrency-safe: the candidates exclude partners that have the month's list, and the unique
constraint fh_month_once decides between two concurrent runs — the second INSERT waits for the first to commit,
fails, and its partner is skipped (its transaction rolls back whole: no lines, no event, no log). Partners are
taken in pk order in batches, one short transaction each.

Lapse (`lapse_overdue`): every GENERATED or RETURNED list whose deadline has passed becomes LAPSED — selected
through the partial index fh_month_due, locked, moved by a conditional UPDATE repeating the condition; a second,
concurrent or late run finds nothing. A partner's submission racing it: `fh_months.submit` locks the row and moves
it only while `deadline >= now`; the lapse moves only `deadline < now`.

Reminder (`remind_due`, run by the same task after the lapse): one working day before the deadline the partner of
a list still open is told once (the event's key): due at the deadline's wall-clock time on the working day before
its day; on a rest day every deadline up to the end of the next working day.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy

from events import outbox
from events.models import Event
from partnercenter import workdays
from partnercenter.actors import SCHEDULER
from partnercenter.api.fields import wire_time
from partnercenter.models import Partner
from partnercenter.oplog import operation
from programs.catalogue import DTCSI
from programs.choices import SpecialistStatus
from programs.models import ProjectSpecialist

from .choices import FH_OPEN_MONTHS, FhMonthStatus, FhQualificationStatus
from .event_types_fh import FH_LIST_DUE_SOON, FH_LIST_GENERATED, FH_LIST_LAPSED
from .models_fh import FhLine, FhMonth
from .selectors_fh import eligible_enrolments, local_today, month_begins, month_start, next_month, previous_month

__all__ = [
    "ACTION_LABELS", "BATCH", "list_month", "amount_per_specialist", "specialists_for", "candidates",
    "would_generate", "generate_lists", "due_for_lapse", "lapse_overdue", "reminder_cutoff", "remind_due",
    "event_data",
]

BATCH = 200

ACTION_LABELS = {
    "incentives.fh_generate": gettext_lazy("Generate the FH monthly list"),
    "incentives.fh_lapse": gettext_lazy("Lapse FH monthly lists past their deadline"),
    "incentives.fh_remind": gettext_lazy("Remind of FH monthly lists due in one working day"),
}


def list_month(now=None) -> dt.date:
    """The month whose list is generated now: the previous month in Asia/Shanghai."""
    return previous_month(month_start(local_today(now)))


def amount_per_specialist() -> Decimal:
    return Decimal(str(settings.FH_AMOUNT_PER_SPECIALIST)).quantize(Decimal("0.01"))


def specialists_for(month: dt.date):
    """The specialists whose incentive month `month` lists (see the module docstring)."""
    return ProjectSpecialist.objects.filter(
        path__code=DTCSI, status=SpecialistStatus.APPROVED, decided_at__lt=month_begins(next_month(month)),
        member__user__is_active=True, member__program_profile__started_with_cloud_on__lt=next_month(month),
    ).exclude(member__program_profile__post="")


def candidates(month: dt.date):
    """The partners that get month's list and have none yet (one statement)."""
    boundary = month_begins(next_month(month))
    return Partner.objects.filter(
        fh_qualification__status=FhQualificationStatus.APPROVED, fh_qualification__decided_at__lt=boundary,
    ).filter(
        Exists(eligible_enrolments().filter(partner_id=OuterRef("pk"))),
        Exists(specialists_for(month).filter(member__partner_id=OuterRef("pk"))),
        ~Exists(FhMonth.objects.filter(partner_id=OuterRef("pk"), month=month)),
    )


def would_generate(partner, month: dt.date, now=None) -> bool:
    """Whether month's list of the partner is still to come: its generation month is now and a run would
    generate it (the quarterly payment waits for it)."""
    if list_month(now) != month:
        return False
    return candidates(month).filter(pk=partner.pk).exists()


def event_data(fh_month, **extra) -> dict:
    data = {"fh_month_id": fh_month.pk, "month": f"{fh_month.month:%Y-%m}", "amount": str(fh_month.amount),
            "deadline": wire_time(fh_month.deadline)}
    data.update(extra)
    return data


def generate_lists(actor=SCHEDULER, *, now=None) -> int:
    """Generate the previous month's lists that are due; returns how many this run generated."""
    now = now or timezone.now()
    month = list_month(now)
    deadline = workdays.WorkdayCalendar().sla_deadline(now, settings.FH_CHECK_WORKING_DAYS)
    each = amount_per_specialist()
    generated, after = 0, 0
    while True:
        ids = list(candidates(month).filter(pk__gt=after).order_by("pk").values_list("pk", flat=True)[:BATCH])
        if not ids:
            break
        partners = Partner.objects.in_bulk(ids)
        people: dict[int, list] = {}
        for specialist in (specialists_for(month).filter(member__partner_id__in=ids)
                           .select_related("member").order_by("member__display_name", "pk")):
            people.setdefault(specialist.member.partner_id, []).append(specialist)
        for partner_id in ids:
            if people.get(partner_id) and _generate_one(actor, partners[partner_id], month, people[partner_id],
                                                         each, now, deadline):
                generated += 1
        after = ids[-1]
    return generated


def _generate_one(actor, partner, month, specialists, each, now, deadline) -> bool:
    try:
        with operation(actor, "incentives.fh_generate", partner=partner,
                       detail={"month": f"{month:%Y-%m}", "specialists": len(specialists)}) as entry:
            fh_month = FhMonth.objects.create(partner=partner, month=month, status=FhMonthStatus.GENERATED,
                                              generated_at=now, deadline=deadline, amount=each * len(specialists))
            FhLine.objects.bulk_create([
                FhLine(fh_month=fh_month, specialist=specialist, amount=each,
                       member_name=(specialist.member.display_name or str(specialist.member))[:150])
                for specialist in specialists])
            entry.target = fh_month
            outbox.record(FH_LIST_GENERATED, partner=partner, actor=actor, key=f"{FH_LIST_GENERATED}:{fh_month.pk}",
                          data=event_data(fh_month, specialists=len(specialists)))
    except IntegrityError:   # a concurrent run generated this list first (fh_month_once)
        return False
    return True


# ---------------------------------------------------------------------------------------------
# The lapse and the reminder
# ---------------------------------------------------------------------------------------------

_FIELDS = ("pk", "partner_id", "month", "amount", "deadline", "status")


def _open():
    return FhMonth.objects.filter(status__in=FH_OPEN_MONTHS)     # the partial index fh_month_due's condition


def due_for_lapse(now):
    return _open().filter(deadline__lt=now)


def _announce(actor, type_code, rows, action, now):
    """Keyed events for the rows (one INSERT) and one operation-log row per partner."""
    partners = Partner.objects.in_bulk({row.partner_id for row in rows})
    outbox.record_many([{
        "type_code": type_code, "partner": partners[row.partner_id], "actor": actor,
        "key": f"{type_code}:{row.pk}", "data": event_data(row)} for row in rows])
    by_partner: dict[int, list[int]] = {}
    for row in rows:
        by_partner.setdefault(row.partner_id, []).append(row.pk)
    for partner_id, pks in sorted(by_partner.items()):
        with operation(actor, action, partner=partners[partner_id],
                       detail={"now": now.isoformat(), "count": len(pks), "lists": pks[:50]}):
            pass


def lapse_overdue(actor=SCHEDULER, *, now=None) -> int:
    """超出时间未核对系统将默认激励失效: open lists past their deadline become LAPSED; returns how many now."""
    now = now or timezone.now()
    lapsed = 0
    while True:
        with transaction.atomic():
            rows = list(due_for_lapse(now).order_by("deadline").select_for_update().only(*_FIELDS)[:BATCH])
            if not rows:
                break
            moved = due_for_lapse(now).filter(pk__in=[row.pk for row in rows]).update(
                status=FhMonthStatus.LAPSED, lapsed_at=now)
            if moved != len(rows):   # changed between the read and the lock (SQLite takes no row locks)
                rows = list(FhMonth.objects.filter(pk__in=[row.pk for row in rows], status=FhMonthStatus.LAPSED,
                                                   lapsed_at=now).only(*_FIELDS))
            if rows:
                _announce(actor, FH_LIST_LAPSED, rows, "incentives.fh_lapse", now)
            lapsed += len(rows)
        if moved < BATCH:
            break
    return lapsed


def reminder_cutoff(now, calendar=None) -> dt.datetime:
    """The latest deadline whose reminder is due at `now`."""
    calendar = calendar or workdays.WorkdayCalendar()
    local = timezone.localtime(now, workdays.SHANGHAI)
    if calendar.is_working_day(local.date()):
        return calendar.add_working_days(local, 1)
    following = calendar.next_working_day(local.date())
    return dt.datetime.combine(following + dt.timedelta(days=1), dt.time.min, tzinfo=workdays.SHANGHAI)


def remind_due(actor=SCHEDULER, *, now=None) -> int:
    """Tell the partner of each open list due within one working day, once; returns how many now."""
    now = now or timezone.now()
    cutoff = reminder_cutoff(now)
    rows = list(_open().filter(deadline__gte=now, deadline__lte=cutoff).only(*_FIELDS).order_by("deadline"))
    if not rows:
        return 0
    told = set(Event.objects.filter(type=FH_LIST_DUE_SOON, key__in=[f"{FH_LIST_DUE_SOON}:{row.pk}" for row in rows])
               .values_list("key", flat=True))
    rows = [row for row in rows if f"{FH_LIST_DUE_SOON}:{row.pk}" not in told]
    if rows:
        with transaction.atomic():
            _announce(actor, FH_LIST_DUE_SOON, rows, "incentives.fh_remind", now)
    return len(rows)
