"""激励对账: a statement (激励汇总 row) goes 待对账 → 已确认 or 有异议 → 已定稿, and a final one credits the
partner's rebate account (返点账户) once.

- The monthly run (incentives.run) writes each statement PENDING with `dispute_deadline` =
  `objection_deadline(generated_at)`: INCENTIVE_OBJECTION_WORKING_DAYS working days (China's calendar,
  partnercenter.workdays.sla_deadline).
- While `now <= dispute_deadline` a member (or key) of the partner holding `incentives.reconcile` confirms a
  PENDING statement (`confirm` → CONFIRMED) or disputes it with a reason (`dispute` → DISPUTED). Only a
  PENDING statement takes either: a confirmation cannot be turned into an objection, nor an objection
  withdrawn. The row is locked, then moved with a conditional UPDATE that repeats the condition (`status =
  pending AND dispute_deadline >= now`); `finalise_due` moves only `dispute_deadline < now`, so a decision
  racing it ends in exactly one of them.
- Operators (the admin) answer a DISPUTED statement (`answer`): an answer text and, optionally, a corrected
  amount (zero or more, two decimals) → FINAL at that amount. They may make a CONFIRMED statement final at
  once (`finalise`).
- `finalise_due` (the beat, incentives.tasks_statements): once the objection period has ended, CONFIRMED and
  PENDING statements become FINAL — silence is consent. DISPUTED ones wait for the operators' answer, and so
  do the PENDING drafts of a month whose run is not DONE (STALE after a policy correction, or running): the
  re-run replaces them, and only its statements can become final by silence.

**Final exactly once.** Becoming FINAL is one conditional UPDATE (`status IN (allowed) → final`, with a new
`trans_id`) followed, in the same transaction, by `billing.rebates.credit_rebate` of the statement's amount
with that trans_id (the ledger entry's counterparty is the statement number). A concurrent second
finalisation — the operator and the task, two tasks, a double click — finds 0 rows and credits nothing. A
statement of amount 0 (a month whose refunds outweighed its consumption: the base incentive is floored at 0
and nothing is clawed back; or 有业绩无返点 only) becomes final with a trans_id of its own and no credit, since
the ledger moves no zero amounts. Each finalisation is announced once (event_types_statements).

Every write runs in `partnercenter.oplog.operation`, filed under the statement's partner, refusals included.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from billing.models import new_trans_id
from billing.rebates import credit_rebate
from events import outbox
from partnercenter import workdays
from partnercenter.actors import SCHEDULER
from partnercenter.choices import ActorKind
from partnercenter.errors import Codes, DomainError
from partnercenter.money import parse_amount
from partnercenter.oplog import operation

from .choices import RunStatus, StatementStatus
from .errors_statements import StatementCodes
from .event_types_statements import STATEMENT_ANSWERED, STATEMENT_FINAL, final_key
from .models import IncentiveRun, IncentiveStatement

__all__ = ["ACTION_LABELS", "RECONCILE", "BATCH", "TEXT_MAX", "objection_deadline", "confirm", "dispute", "answer", "finalise",
           "finalise_due", "due_for_finalising", "event_data", "require_reconciler", "require_cloud"]

RECONCILE = "incentives.reconcile"
BATCH = 500  # statements made final per transaction by finalise_due
TEXT_MAX = 500  # the model's dispute_reason and answer

ACTION_LABELS = {
    "incentives.statement_confirm": gettext_lazy("Confirm an incentive statement"),
    "incentives.statement_dispute": gettext_lazy("Dispute an incentive statement"),
    "incentives.statement_answer": gettext_lazy("Answer an objection to an incentive statement"),
    "incentives.statement_finalise": gettext_lazy("Make an incentive statement final"),
    "incentives.statements_finalise_due": gettext_lazy("Make incentive statements final after the objection period"),
    "incentives.export_details": gettext_lazy("Export incentive details"),
}

_PENDING, _CONFIRMED = StatementStatus.PENDING, StatementStatus.CONFIRMED
_DISPUTED, _FINAL = StatementStatus.DISPUTED, StatementStatus.FINAL


def objection_deadline(generated_at):
    """Until when the partner may confirm or dispute a statement generated at `generated_at`."""
    return workdays.sla_deadline(generated_at, settings.INCENTIVE_OBJECTION_WORKING_DAYS)


# ---------------------------------------------------------------------------------------------
# Shared checks
# ---------------------------------------------------------------------------------------------

def require_reconciler(actor) -> None:
    """A member or partner key holding incentives.reconcile."""
    if not (actor.is_partner and actor.has_perm(RECONCILE)):
        raise DomainError(Codes.FORBIDDEN)


def require_cloud(actor) -> None:
    """Huawei Cloud's side: a platform operator (or the scheduler's task)."""
    if actor.kind not in (ActorKind.OPERATOR, ActorKind.PLATFORM, ActorKind.SCHEDULER):
        raise DomainError(Codes.FORBIDDEN, _("Only Huawei Cloud's operators do this."))


def _pk(statement) -> int | None:
    pk = getattr(statement, "pk", statement)
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return pk if 0 < pk < 2 ** 63 else None


def _clean(value, label, *, required_code) -> str:
    value = "" if value is None else str(value).strip()
    if "\x00" in value:
        raise DomainError(Codes.PARAMETER, _("%(field)s contains an invalid character.") % {"field": label})
    if not value:
        raise DomainError(required_code)
    if len(value) > TEXT_MAX:
        raise DomainError(Codes.PARAMETER, _("%(field)s is longer than %(max)d characters.")
                          % {"field": label, "max": TEXT_MAX})
    return value


def _user(actor):
    return actor.user if getattr(actor.user, "pk", None) else None


def event_data(statement, **extra) -> dict:
    data = {"statement_id": statement.pk, "statement_no": statement.statement_no, "bill_cycle": statement.bill_cycle,
            "name": statement.name, "association_type": statement.association_type,
            "amount": f"{statement.amount:.2f}"}
    data.update(extra)
    return data


def _detail(statement) -> dict:
    return {"statement_no": statement.statement_no, "bill_cycle": statement.bill_cycle, "name": statement.name,
            "amount": f"{statement.amount:.2f}", "status": statement.status}


def _locked_own(actor, statement) -> IncentiveStatement:
    """One of the actor's partner's statements, its row locked; any other (or an id that is not one) is not
    found."""
    pk = _pk(statement)
    row = None
    if pk is not None and actor.partner is not None:
        row = IncentiveStatement.objects.select_for_update().filter(pk=pk, partner_id=actor.partner.pk).first()
    if row is None:
        raise DomainError(Codes.NOT_FOUND)
    return row


def _any(statement) -> IncentiveStatement | None:
    pk = _pk(statement)
    return IncentiveStatement.objects.select_related("partner").filter(pk=pk).first() if pk else None


def _locked_any(pk) -> IncentiveStatement:
    row = IncentiveStatement.objects.select_for_update(of=("self",)).select_related("partner").filter(pk=pk).first()
    if row is None:
        raise DomainError(Codes.NOT_FOUND)
    return row


# ---------------------------------------------------------------------------------------------
# The partner: confirm or dispute while the objection period runs
# ---------------------------------------------------------------------------------------------

def _require_open(row, now) -> None:
    if row.status != _PENDING:
        raise DomainError(StatementCodes.ALREADY_FINAL if row.status == _FINAL else StatementCodes.NOT_PENDING)
    if now > row.dispute_deadline:
        raise DomainError(StatementCodes.DEADLINE_PASSED)


def _decide(row, now, **fields) -> IncentiveStatement:
    """PENDING → fields["status"] while the objection period runs (conditional UPDATE; see the module)."""
    moved = IncentiveStatement.objects.filter(pk=row.pk, status=_PENDING, dispute_deadline__gte=now).update(**fields)
    if not moved:  # only if the lock did not hold (it always does where locks exist)
        raise DomainError(StatementCodes.DEADLINE_PASSED)
    for name, value in fields.items():
        setattr(row, name, value)
    return row


def confirm(actor, *, statement) -> IncentiveStatement:
    """确认: the partner agrees with a pending statement; it becomes final when the objection period ends (or
    when operators make it final earlier)."""
    with operation(actor, "incentives.statement_confirm",
                   detail={"statement": str(getattr(statement, "pk", statement))[:32]}) as entry:
        require_reconciler(actor)
        row = _locked_own(actor, statement)
        entry.target = row
        now = timezone.now()
        _require_open(row, now)
        _decide(row, now, status=_CONFIRMED, confirmed_at=now, confirmed_by=_user(actor))
        entry.detail.update(_detail(row))
    return row


def dispute(actor, *, statement, reason) -> IncentiveStatement:
    """提出异议: the partner disputes a pending statement, saying why, before its objection deadline; operators
    answer it (and may correct the amount) before it becomes final."""
    with operation(actor, "incentives.statement_dispute",
                   detail={"statement": str(getattr(statement, "pk", statement))[:32]}) as entry:
        require_reconciler(actor)
        reason = _clean(reason, _("Objection"), required_code=StatementCodes.REASON_REQUIRED)
        row = _locked_own(actor, statement)
        entry.target = row
        now = timezone.now()
        _require_open(row, now)
        _decide(row, now, status=_DISPUTED, dispute_reason=reason, disputed_at=now, disputed_by=_user(actor))
        entry.detail.update(_detail(row), reason=reason)
    return row


# ---------------------------------------------------------------------------------------------
# Becoming final (once)
# ---------------------------------------------------------------------------------------------

def _make_final(row, actor, now, *, allowed, due_only=False, fields=None, event_type=STATEMENT_FINAL,
                event_extra=None) -> bool:
    """`row` (locked) → FINAL if its status is in `allowed` (and, with `due_only`, its objection period has
    ended), crediting its amount to the rebate account in the caller's transaction. False when another
    finalisation got there first (nothing done)."""
    trans_id = new_trans_id()
    changes = {"status": _FINAL, "finalised_at": now, "trans_id": trans_id, **(fields or {})}
    queryset = IncentiveStatement.objects.filter(pk=row.pk, status__in=allowed)
    if due_only:  # repeats due_for_finalising's condition: a STALE marking committed meanwhile is respected
        queryset = queryset.filter(dispute_deadline__lt=now).exclude(status=_PENDING,
                                                                      bill_cycle__in=_unsettled_months())
    if not queryset.update(**changes):
        return False
    for name, value in changes.items():
        setattr(row, name, value)
    if row.amount > 0:
        credit_rebate(row.partner, row.amount, trans_id=trans_id, counterparty=row.statement_no)
    outbox.record(event_type, partner=row.partner, actor=actor, key=final_key(row.pk),
                  data=event_data(row, **(event_extra or {})))
    return True


def _operator_write(actor, action, statement, work) -> IncentiveStatement:
    """An operator's write on any partner's statement, logged under that partner."""
    found = _any(statement)
    with operation(actor, action, target=found, partner=getattr(found, "partner", None),
                   detail={"statement": str(getattr(statement, "pk", statement))[:32]}) as entry:
        require_cloud(actor)
        if found is None:
            raise DomainError(Codes.NOT_FOUND)
        row = _locked_any(found.pk)
        entry.detail.update(_detail(row))
        work(row, entry)
    return row


def answer(actor, *, statement, answer, amount=None) -> IncentiveStatement:
    """Operators answer a DISPUTED statement — the answer text, and optionally the corrected amount (blank:
    unchanged) — which makes it final at that amount and credits it. The partner is told."""
    text = answer

    def work(row, entry):
        reply = _clean(text, _("Answer"), required_code=StatementCodes.ANSWER_REQUIRED)
        corrected = None if amount in (None, "") else parse_amount(amount, allow_zero=True)
        if row.status != _DISPUTED:
            raise DomainError(StatementCodes.ALREADY_FINAL if row.status == _FINAL else StatementCodes.NOT_DISPUTED)
        now = timezone.now()
        before = row.amount
        fields = {"answer": reply, "answered_at": now}
        extra = {"answer": reply}
        if corrected is not None and corrected != before:
            fields["amount"] = corrected
            extra["amount_before"] = f"{before:.2f}"
        if not _make_final(row, actor, now, allowed=(_DISPUTED,), fields=fields, event_type=STATEMENT_ANSWERED,
                           event_extra=extra):
            raise DomainError(StatementCodes.NOT_DISPUTED)
        entry.detail.update(answer=reply, amount_before=f"{before:.2f}", amount=f"{row.amount:.2f}",
                            status=row.status, trans_id=row.trans_id)

    return _operator_write(actor, "incentives.statement_answer", statement, work)


def finalise(actor, *, statement) -> IncentiveStatement:
    """Operators make a CONFIRMED statement final at once (without waiting for the objection period to end)."""

    def work(row, entry):
        if row.status != _CONFIRMED:
            raise DomainError(StatementCodes.ALREADY_FINAL if row.status == _FINAL else StatementCodes.NOT_CONFIRMED)
        if not _make_final(row, actor, timezone.now(), allowed=(_CONFIRMED,)):
            raise DomainError(StatementCodes.ALREADY_FINAL)
        entry.detail.update(status=row.status, trans_id=row.trans_id)

    return _operator_write(actor, "incentives.statement_finalise", statement, work)


# ---------------------------------------------------------------------------------------------
# The objection period ends: finalise_due (the beat)
# ---------------------------------------------------------------------------------------------

def _unsettled_months():
    """The months whose run is not DONE: STALE (a policy of the month was corrected) or still running. Their
    PENDING statements are drafts about to be replaced by the re-run, so silence cannot make them final."""
    return IncentiveRun.objects.exclude(status=RunStatus.DONE).values("bill_cycle")


def due_for_finalising(now):
    """Confirmed and pending statements whose objection period has ended (index statement_status_due) — but
    not the PENDING drafts of a month waiting to be run again (a CONFIRMED statement is kept by any re-run)."""
    return IncentiveStatement.objects.filter(status__in=(_PENDING, _CONFIRMED), dispute_deadline__lt=now).exclude(
        status=_PENDING, bill_cycle__in=_unsettled_months())


def finalise_due(actor=SCHEDULER, *, now=None) -> int:
    """Every CONFIRMED or PENDING statement whose objection period has ended becomes FINAL and is credited,
    BATCH at a time (one transaction each: the rows locked in deadline order, each moved by `_make_final`).
    Idempotent: a second, concurrent or late run finds nothing more to move. Returns how many moved now."""
    now = now or timezone.now()
    total = 0
    while True:
        with transaction.atomic():
            rows = list(due_for_finalising(now).select_related("partner").select_for_update(of=("self",))
                        .order_by("dispute_deadline", "pk")[:BATCH])
            moved: dict[int, list] = {}
            for row in rows:
                if _make_final(row, actor, now, allowed=(_PENDING, _CONFIRMED), due_only=True):
                    moved.setdefault(row.partner_id, []).append(row)
            for partner_rows in moved.values():
                partner = partner_rows[0].partner
                with operation(actor, "incentives.statements_finalise_due", partner=partner, detail={
                        "now": now.isoformat(), "count": len(partner_rows),
                        "statements": [row.statement_no for row in partner_rows[:50]],
                        "amount": f"{sum(row.amount for row in partner_rows):.2f}"}):
                    pass
            total += sum(len(partner_rows) for partner_rows in moved.values())
        if len(rows) < BATCH:
            return total
