"""报备客户: a partner reports a prospect from the enterprise directory and protects it for
settings.EXPANSION_REPORT_PROTECTION_DAYS; first come, first served.

- **One protection per enterprise, by the database.** `report_one_active_per_enterprise` (a partial unique
  index on the ACTIVE reports) decides who was first: the report is inserted and the IntegrityError of a
  concurrent or earlier report is the refusal — never a check-then-insert, which two partners pass at once.
- **A stale protection does not block.** An ACTIVE report past its protected_until (the beat task had not
  moved it yet) is expired in the same transaction, before the insert, with the event and log the task
  would have written. Two partners doing so at once: the conditional UPDATE lets one expire it, both
  insert, the index keeps one.
- **Who-neutral.** A refused partner learns "reported by another partner until <date>", never who.
- **Delisted.** A cloud reseller whose distributor was delisted (摘牌退出) may not report ("同时您也无法线下
  邀请报备客户"), nor may a partner that is not active: `expansion.invitations.invite_refusal` says why.
- An associated real-name customer is reported with its enterprise entry: the customer must be one the
  member sees, verified, and its real-name name the enterprise's name.
- `expire_due()` (the beat task): the ACTIVE reports past protected_until become EXPIRED, read through the
  partial index `report_due`, locked (SKIP LOCKED: a concurrent run takes the others) and moved with a
  conditional UPDATE, so a second or late run changes nothing; each gets one `expansion.report_expired`
  event (keyed by the report) and each partner one operation-log row per run.
"""

from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from events import outbox
from partnercenter.actors import SCHEDULER
from partnercenter.api.fields import wire_time
from partnercenter.errors import Codes, DomainError
from partnercenter.models import Partner
from partnercenter.oplog import operation
from partnercenter.templatetags.display import moment

from . import event_types_directory as event_types
from .choices import EnterpriseStatus, ReportStatus
from .errors_directory import DirectoryCodes
from .invitations import invite_refusal
from .models import Enterprise, Report

__all__ = ["report_enterprise", "withdraw_report", "expire_due", "protection_days", "report_refusal",
           "EXPIRE_BATCH", "EXPIRE_BATCHES"]

EXPIRE_BATCH = 500
EXPIRE_BATCHES = 40   # a run moves at most 20,000 reports; the next run (30 minutes later) takes the rest


def protection_days() -> int:
    return int(settings.EXPANSION_REPORT_PROTECTION_DAYS)


def report_refusal(partner) -> str | None:
    """Why the partner may not report, or None: the rule of inviting (expansion.invitations)."""
    return invite_refusal(partner)


def _day(when) -> str:
    return moment(when, "date")  # YYYY-MM-DD in China time, as every page shows a date


def _message(code, until) -> str:
    from partnercenter.errors import MESSAGES

    return str(MESSAGES[code]) % {"date": _day(until)}


def _require_manager(actor):
    if not (actor.is_partner and actor.has_perm("expansion.manage")):
        raise DomainError(Codes.FORBIDDEN)


# ---------------------------------------------------------------------------------------------
# 报备客户
# ---------------------------------------------------------------------------------------------

def report_enterprise(actor, *, enterprise_id, customer_id: str | None = None, contact_name: str = "",
                      contact_phone: str = "", note: str = "", now=None) -> Report:
    """Report the enterprise (with one of the actor's associated real-name customers when `customer_id`,
    its account ID, is given) and protect it for protection_days(). Refusals: TAKEN (another partner,
    with the date only), ALREADY_REPORTED, REFUSED (delisted / not active), ENTERPRISE_CLOSED,
    CUSTOMER_MISMATCH; NOT_FOUND for an unknown enterprise or a customer the member does not see."""
    from .selectors_directory import reportable_customers

    _require_manager(actor)
    now = now or timezone.now()
    enterprise = Enterprise.objects.filter(pk=enterprise_id).first()
    with operation(actor, "expansion.report", target=enterprise, detail={
            "enterprise_id": enterprise_id, "customer_id": customer_id or ""}) as entry:
        if enterprise is None:
            raise DomainError(Codes.NOT_FOUND)
        entry.detail["credit_code"] = enterprise.credit_code
        # read now, not from the request's actor: a distributor delisted meanwhile refuses this report
        refusal = report_refusal(Partner.objects.select_related("distributor").get(pk=actor.partner.pk))
        if refusal:
            raise DomainError(DirectoryCodes.REFUSED, refusal)
        if enterprise.status != EnterpriseStatus.OPERATING:
            raise DomainError(DirectoryCodes.ENTERPRISE_CLOSED)
        customer = None
        if customer_id:
            customer = reportable_customers(actor, enterprise).filter(domain_id=customer_id).first()
            if customer is None:
                raise DomainError(DirectoryCodes.CUSTOMER_MISMATCH)
        _expire_stale(enterprise, now)
        try:
            with transaction.atomic():
                report = Report.objects.create(
                    partner=actor.partner, enterprise=enterprise, customer=customer,
                    contact_name=contact_name.strip()[:64], contact_phone=contact_phone.strip()[:32],
                    note=note.strip()[:500], status=ReportStatus.ACTIVE,
                    protected_until=now + timedelta(days=protection_days()), created_by=actor.member,
                    created_at=now)
        except IntegrityError:
            holder = Report.objects.filter(enterprise=enterprise, status=ReportStatus.ACTIVE).only(
                "partner_id", "protected_until").first()
            if holder is None:
                raise  # not the one-active-report index: a real error
            if holder.partner_id == actor.partner.pk:
                raise DomainError(DirectoryCodes.ALREADY_REPORTED,
                                  _message(DirectoryCodes.ALREADY_REPORTED, holder.protected_until)) from None
            raise DomainError(DirectoryCodes.TAKEN, _message(DirectoryCodes.TAKEN, holder.protected_until)) from None
        entry.target = report
        entry.detail.update(report_id=report.pk, protected_until=wire_time(report.protected_until))
    return report


def _expire_stale(enterprise, now) -> None:
    """The enterprise's ACTIVE report past its protected_until, if any, expires now (as the task would)."""
    stale = list(Report.objects.filter(enterprise=enterprise, status=ReportStatus.ACTIVE, protected_until__lte=now)
                 .select_related("enterprise", "partner"))
    moved = [report for report in stale
             if Report.objects.filter(pk=report.pk, status=ReportStatus.ACTIVE).update(
                 status=ReportStatus.EXPIRED, ended_at=now)]
    if moved:
        _announce_expired(moved, now)


# ---------------------------------------------------------------------------------------------
# Withdraw
# ---------------------------------------------------------------------------------------------

def withdraw_report(actor, *, report_id, now=None) -> Report:
    """The partner gives up its protection at once. Another partner's report is NOT_FOUND; one that no
    longer protects (withdrawn, expired, past protected_until) is NOT_ACTIVE."""
    _require_manager(actor)
    now = now or timezone.now()
    report = Report.objects.filter(pk=report_id, partner=actor.partner).select_related("enterprise").first()
    with operation(actor, "expansion.report_withdraw", target=report, detail={"report_id": report_id}):
        if report is None:
            raise DomainError(Codes.NOT_FOUND)
        moved = Report.objects.filter(pk=report.pk, status=ReportStatus.ACTIVE, protected_until__gt=now).update(
            status=ReportStatus.WITHDRAWN, ended_at=now)
        if not moved:
            raise DomainError(DirectoryCodes.NOT_ACTIVE)
        report.status, report.ended_at = ReportStatus.WITHDRAWN, now
    return report


# ---------------------------------------------------------------------------------------------
# Expiry (Celery beat: expansion.tasks_directory.expire_reports)
# ---------------------------------------------------------------------------------------------

def expire_due(actor=SCHEDULER, *, now=None, batch=EXPIRE_BATCH, batches=EXPIRE_BATCHES) -> int:
    """Expire the ACTIVE reports past protected_until; returns how many this run moved."""
    now = now or timezone.now()
    moved = 0
    for _round in range(batches):
        with transaction.atomic():
            # The partial index report_due (protected_until WHERE status = 'active') is the path to the due
            # rows; SKIP LOCKED leaves a concurrent run's rows to it.
            pks = list(Report.objects.filter(status=ReportStatus.ACTIVE, protected_until__lte=now)
                       .order_by("protected_until").select_for_update(skip_locked=True)
                       .values_list("pk", flat=True)[:batch])
            if not pks:
                break
            Report.objects.filter(pk__in=pks, status=ReportStatus.ACTIVE).update(
                status=ReportStatus.EXPIRED, ended_at=now)
            reports = list(Report.objects.filter(pk__in=pks).select_related("enterprise", "partner"))
            _announce_expired(reports, now, actor=actor)
            moved += len(reports)
        if len(pks) < batch:
            break
    return moved


def _announce_expired(reports, now, *, actor=SCHEDULER) -> None:
    """The events (one per report, keyed: never twice) and one operation-log row per partner, in the
    partner's 操作记录, by the scheduler (the time ran out: no one else acted on the partner's report)."""
    outbox.record_many([{
        "type_code": event_types.REPORT_EXPIRED, "partner": report.partner, "actor": actor,
        "key": event_types.report_key(report.pk),
        "data": {"report_id": report.pk, "enterprise_name": report.enterprise.name,
                 "credit_code": report.enterprise.credit_code,
                 "protected_until": wire_time(report.protected_until)},
    } for report in reports])
    by_partner = defaultdict(list)
    for report in reports:
        by_partner[report.partner].append(report.pk)
    for partner, ids in by_partner.items():
        with operation(actor, "expansion.reports_expire", partner=partner, detail={
                "now": wire_time(now), "count": len(ids), "report_ids": ids[:100]}):
            pass
