"""The monthly incentive run: one closed billing cycle's fee records → 激励明细 (IncentiveDetail) and 激励汇总
statements (IncentiveStatement), for every partner.

    run_month(SCHEDULER, bill_cycle="2026-03")   # RunResult(ran=True, partners=…, statements=…, details=…)

**What it reads.** `bills.FeeRecord` rows with `bill_cycle` = the month and an association (the customer's
association when it consumed: a customer that left a partner mid-month earns that partner the part consumed
before it left, and its new partner the rest), only once `bills.BillingPeriod` of the month is CLOSED.
Consumption rated after the month closed lands in the next open cycle (bills), so it earns in the next run —
why a month's incentive details differ from the customers' consumption of that month, with the service types a
policy gives no rebate (激励政策 page).

**What it writes** (the SQL is incentives/run_sql.py; the policy rule incentives/policies.py):
- per partner, association, customer, service type and charging mode a BASE detail line: performance (业绩 =
  cash + arrears + arrears paid, coupons are not money paid; refunds lower it), consumption, the rate the policy
  gives (general, the rule's, or 0 for 有业绩无返点; 无业绩无返点 lines are left out) and rebate =
  ROUND(performance × rate, 2), half away from zero;
- FIRST_ORDER lines for a new customer's first order: the NEW yearly/monthly fee records of associations that
  began in the month (Asia/Shanghai), at the policy's `first_order_rate` when it is above 0, for service types
  that earn rebate;
- one statement per partner, policy and kind: performance = Σ lines, amount = Σ rebates floored at 0 (a month
  of net refunds pays nothing and takes nothing back: no clawback of earlier months); all-zero statements are
  not kept; a TIER statement (no lines) when the base performance reached a tier: the highest tier reached ×
  that performance. Statements start PENDING (待对账), objections allowed for INCENTIVE_OBJECTION_WORKING_DAYS
  working days (`dispute_deadline`), named "<policy name> · <kind>" (a snapshot, in the site's language).

**Set-based.** Per chunk of partners a fixed number of statements (run_sql.py's docstring): one pass over
the fee records (INSERT … SELECT … GROUP BY), nothing per fee record, per customer or per partner in Python.

**Idempotent, resumable, serialised.** An `IncentiveRun` row per month holds the progress: partners are taken
in id order in chunks of `chunk_size`, each chunk one transaction that locks the run row (SELECT … FOR UPDATE),
replaces the chunk's drafts and advances `cursor` — a run that stopped resumes after the last committed chunk;
two runs at once take turns chunk by chunk under that lock and never compute a chunk twice; the last one to
find no partner left marks the month DONE. A DONE month is not run again (a second run changes nothing) unless
it is STALE — an operator corrected a policy of the month (policies.policy_changed) — or forced: then the run
starts over from the first partner and, per chunk, deletes and recomputes the PENDING and DISPUTED statements
and their lines; CONFIRMED and FINAL statements and their lines are never touched, and no new statement of the
same partner, month, association type and kind is written beside them (a policy that now applies instead
cannot pay a month twice).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from bills import periods
from bills.choices import BillType, PeriodStatus
from bills.models import BillingPeriod
from catalog.choices import ChargeMode
from customers.choices import AssociationType
from partnercenter.choices import ActorKind
from partnercenter.errors import Codes, DomainError
from partnercenter.oplog import operation, register_actions
from partnercenter.workdays import sla_deadline
from programs.choices import MembershipStatus

from . import run_sql
from .choices import IncentiveKind, PolicyCode, RunStatus, StatementStatus
from .errors_policies import PolicyCodes
from .models import IncentivePolicy, IncentiveRun
from .policies import month_of_cycle

__all__ = ["RunResult", "run_month", "due_cycles", "CHUNK_SIZE", "ACTION_LABELS"]

logger = logging.getLogger("incentives.run")

CHUNK_SIZE = 200  # partners per transaction

ACTION_LABELS = {"incentives.run": _("Compute monthly incentives")}
register_actions(ACTION_LABELS)


@dataclass(frozen=True)
class RunResult:
    bill_cycle: str
    ran: bool                # False: the month was done already (nothing written)
    chunks: int = 0          # chunks this call computed (a concurrent run may have computed others)
    partners: int = 0        # the month's totals when done
    statements: int = 0
    details: int = 0
    done: bool = False


def _require_platform(actor):
    if actor.kind not in (ActorKind.OPERATOR, ActorKind.SCHEDULER):
        raise DomainError(Codes.FORBIDDEN)


def _labels() -> dict:
    with translation.override(settings.LANGUAGE_CODE):
        return {kind: f" · {label}" for kind, label in IncentiveKind.choices}


def _values(cycle: str, now: datetime, deadline: datetime) -> dict:
    ops = connection.ops
    start, end = periods.cycle_bounds(cycle)
    labels = _labels()
    return {
        "cycle": cycle, "month": ops.adapt_datefield_value(month_of_cycle(cycle)),
        "start": ops.adapt_datetimefield_value(start), "end": ops.adapt_datetimefield_value(end),
        "now": ops.adapt_datetimefield_value(now), "deadline": ops.adapt_datetimefield_value(deadline),
        "true": True, "joined": MembershipStatus.JOINED.value, "left": MembershipStatus.LEFT.value,
        "referral": AssociationType.REFERRAL.value, "resale": AssociationType.RESALE.value,
        "pending": StatementStatus.PENDING.value, "disputed": StatementStatus.DISPUTED.value,
        "base": IncentiveKind.BASE.value, "tier": IncentiveKind.TIER.value,
        "first_order": IncentiveKind.FIRST_ORDER.value,
        "base_label": labels[IncentiveKind.BASE], "tier_label": labels[IncentiveKind.TIER],
        "first_order_label": labels[IncentiveKind.FIRST_ORDER],
        "period": int(ChargeMode.PERIOD), "new": int(BillType.NEW),
        "non_specific": int(PolicyCode.NON_SPECIFIC), "specific": int(PolicyCode.SPECIFIC),
        **run_sql.defaults(),
    }


def _execute(sql: str, values: dict) -> int:
    query, params = run_sql.positional(sql, values)
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.rowcount


def _fetch(sql: str, values: dict):
    query, params = run_sql.positional(sql, values)
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchone()


def _compute_chunk(values: dict) -> tuple[int, int, int]:
    """The chunk's statements in order (run_sql.py's docstring); (partners, statements, lines) of the chunk."""
    execute = _execute
    execute(run_sql.delete_statements(), values)
    execute(run_sql.delete_details(), values)
    execute(run_sql.placeholders("base", "base_label"), values)
    execute(run_sql.placeholders("first_order", "first_order_label", first_order=True), values)
    written = execute(run_sql.base_details(), values) + execute(run_sql.first_order_details(), values)
    execute(run_sql.totals(), values)
    written -= execute(run_sql.delete_empty_details(), values)
    execute(run_sql.delete_empty(), values)
    execute(run_sql.tiers(), values)
    partners, statements = _fetch(run_sql.count_chunk(), values)
    kept = _fetch(run_sql.count_kept_lines(), values)[0]
    return partners or 0, statements or 0, written + (kept or 0)


def _check(cycle: str) -> None:
    if not periods.is_cycle(cycle):
        raise DomainError(Codes.PARAMETER, "bill_cycle must be YYYY-MM.")
    if not BillingPeriod.objects.filter(bill_cycle=cycle, status=PeriodStatus.CLOSED).exists():
        raise DomainError(PolicyCodes.PERIOD_NOT_CLOSED)


def run_month(actor, *, bill_cycle: str, force: bool = False, chunk_size: int = CHUNK_SIZE,
              now: datetime | None = None) -> RunResult:
    """Compute the incentives of the closed month `bill_cycle` (see the module docstring). `force` runs a DONE
    month again (drafts replaced). Only the platform (the scheduler, an operator) runs it."""
    _require_platform(actor)
    _check(bill_cycle)
    run, _created = IncentiveRun.objects.get_or_create(bill_cycle=bill_cycle)
    if force:
        IncentiveRun.objects.filter(pk=run.pk).update(status=RunStatus.STALE)
    elif run.status == RunStatus.DONE:
        return RunResult(bill_cycle, ran=False, partners=run.partners, statements=run.statements,
                         details=run.details, done=True)
    now = now or timezone.now()
    values = _values(bill_cycle, now, sla_deadline(now, settings.INCENTIVE_OBJECTION_WORKING_DAYS))
    values["size"] = chunk_size
    chunks = 0
    while True:
        with transaction.atomic():
            run = IncentiveRun.objects.select_for_update().get(pk=run.pk)
            if run.status == RunStatus.DONE:
                break
            if run.status == RunStatus.STALE:  # start over: a policy of the month changed, or forced
                run.status, run.cursor, run.started_at, run.finished_at = RunStatus.RUNNING, 0, now, None
                run.partners = run.statements = run.details = 0
            values["lo"] = run.cursor
            upper = _fetch(run_sql.next_upper(), values)[0]
            if upper is None:
                with operation(actor, "incentives.run", target=run, detail={"bill_cycle": bill_cycle}) as entry:
                    run.status, run.finished_at = RunStatus.DONE, timezone.now()
                    run.save()
                    entry.detail.update(partners=run.partners, statements=run.statements, details=run.details)
                break
            values["hi"] = upper
            partners, statements, details = _compute_chunk(values)
            run.cursor = upper
            run.partners += partners
            run.statements += statements
            run.details += details
            run.save()
        chunks += 1
    logger.info("incentives.run %s: %s chunks here; %s partners, %s statements, %s details", bill_cycle, chunks,
                run.partners, run.statements, run.details)
    return RunResult(bill_cycle, ran=True, chunks=chunks, partners=run.partners, statements=run.statements,
                     details=run.details, done=run.status == RunStatus.DONE)


def due_cycles(now: datetime | None = None) -> list[str]:
    """The months the beat task runs, oldest first: the previous month (Asia/Shanghai) from INCENTIVE_RUN_DAY
    on, once it is closed and not done; every closed month whose run is STALE (a policy was corrected) or
    stopped half-way (RUNNING: resumed); and every earlier closed month never run (the beat missed it)."""
    now = now or timezone.now()
    current = periods.current_cycle(now)
    due = set(IncentiveRun.objects.exclude(status=RunStatus.DONE).filter(bill_cycle__lt=current)
              .values_list("bill_cycle", flat=True))
    previous = periods.previous_cycle(current)
    if now.astimezone(periods.SHANGHAI).day >= settings.INCENTIVE_RUN_DAY:
        if not IncentiveRun.objects.filter(bill_cycle=previous, status=RunStatus.DONE).exists():
            due.add(previous)
    # a month the beat missed (the worker was down in its window, or bills closed it late): every closed month
    # before the previous one with no run yet, from the first month a policy was in force
    first = IncentivePolicy.objects.order_by("valid_from").values_list("valid_from", flat=True).first()
    if first is not None:
        due.update(BillingPeriod.objects.filter(
            status=PeriodStatus.CLOSED, bill_cycle__gte=first.strftime("%Y-%m"), bill_cycle__lt=previous)
            .exclude(bill_cycle__in=IncentiveRun.objects.values("bill_cycle"))
            .values_list("bill_cycle", flat=True))
    closed = set(BillingPeriod.objects.filter(bill_cycle__in=due, status=PeriodStatus.CLOSED)
                 .values_list("bill_cycle", flat=True))
    return sorted(due & closed)
