"""季度付款申请 of the FH staff incentive, its approval, the 开票清单, the invoice number and the payment progress.

The documented rule: 一个季度内的激励全部定稿后，伙伴可以发起季度付款申请 … 专职人员激励(FH)申请季度付款需要先完成商业信息认证 …
以下情况不可申请付款：本季度内仍有部分月份可申请激励，可先提交激励申请，并在初审结束后申请付款.

`refusal(...)` names the first reason a quarter cannot be applied for, each its own error code, in this order:
1. PAYMENT_ALREADY_APPLIED — the quarter has an application that was not rejected (a rejected one may be
   followed by a new application);
2. PAYMENT_NOT_CERTIFIED — the partner's 商业信息认证 (programs.BusinessCertification) is not VERIFIED;
3. PAYMENT_QUARTER_NOT_OVER — the quarter has not ended (Asia/Shanghai);
4. PAYMENT_MONTH_OPEN — a month of the quarter can still be applied for (its list GENERATED or RETURNED);
5. PAYMENT_MONTH_UNDER_REVIEW — a month's list is SUBMITTED (初审 not ended);
6. PAYMENT_LIST_PENDING — the last month's list may still be generated (fh_generation.would_generate: its
   generation month is now and the next run would generate it);
7. PAYMENT_NOTHING_FINAL — no month of the quarter is FINAL.
Months that LAPSED count for nothing; months without a list (no specialists) are no obstacle.

`apply` (a member or key holding incentives.fh; the verification code when the partner has codes on): the
partner's row is locked (one application at a time), `refusal` is read under it, and the application is created
with amount = the sum of the quarter's FINAL lists (never negative; the partial unique constraint fh_payment_once
catches anything that slipped through: ALREADY_APPLIED). Then:
- operators approve or reject (with a reason) an APPLIED application (`approve`, `reject`);
- the partner opens the 开票清单 of an approved one (`invoice_list`: payer — its contracting entity —, payee — its
  verified business information —, the months, the specialists and amounts, the total), prints it, and enters
  the invoice number (`enter_invoice`: 8–20 letters or digits, once) → INVOICED (发票已寄出);
- operators mark an INVOICED one PAID (`mark_paid`, with the payment reference).
Each step is one conditional UPDATE on the status (two clicks, one move); the partner is told of the decisions and
the payment. `progress` gives the steps the page shows.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.utils.translation import gettext_lazy

from events import outbox
from partnercenter.choices import ActorKind
from partnercenter.errors import Codes, DomainError
from partnercenter.models import Partner
from partnercenter.oplog import NOT_SENSITIVE, operation

from . import fh_generation, selectors_fh
from .choices import FH_OPEN_MONTHS, FhMonthStatus, FhPaymentStatus
from .errors_fh import FhCodes
from .event_types_fh import FH_PAYMENT_DECIDED, FH_PAYMENT_PAID
from .fh_qualification import clean_reason, require_member, require_operator
from .models_fh import FhLine, FhMonth, FhPayment

__all__ = [
    "ACTION_LABELS", "quarter_of", "quarter_months", "quarter_ends", "refusal", "apply", "approve", "reject",
    "enter_invoice", "mark_paid", "progress", "invoice_list", "Step", "INVOICE_NUMBER", "QuarterRow", "quarter_rows",
]

ACTION_LABELS = {
    "incentives.fh_payment_apply": gettext_lazy("Apply for the FH quarterly payment"),
    "incentives.fh_payment_approve": gettext_lazy("Approve an FH payment application"),
    "incentives.fh_payment_reject": gettext_lazy("Reject an FH payment application"),
    "incentives.fh_invoice": gettext_lazy("Enter the FH invoice number"),
    "incentives.fh_payment_paid": gettext_lazy("Mark an FH payment paid"),
}

INVOICE_NUMBER = re.compile(r"^[0-9A-Za-z]{8,20}$")
LIVE = (FhPaymentStatus.APPLIED, FhPaymentStatus.APPROVED, FhPaymentStatus.INVOICED, FhPaymentStatus.PAID)


def quarter_of(month: dt.date) -> tuple[int, int]:
    return month.year, (month.month - 1) // 3 + 1


def quarter_months(year: int, quarter: int) -> list[dt.date]:
    return [dt.date(year, 3 * quarter - 2 + i, 1) for i in range(3)]


def quarter_ends(year: int, quarter: int) -> dt.date:
    """The first day after the quarter."""
    return selectors_fh.next_month(quarter_months(year, quarter)[-1])


def _clean_quarter(year, quarter) -> tuple[int, int]:
    try:
        year, quarter = int(year), int(quarter)
    except (TypeError, ValueError):
        raise DomainError(Codes.PARAMETER, _("Choose a year and a quarter.")) from None
    if not (2000 <= year <= 2999 and 1 <= quarter <= 4):
        raise DomainError(Codes.PARAMETER, _("Choose a year and a quarter."))
    return year, quarter


def refusal(partner, year: int, quarter: int, *, now=None, months=None, payments=None, certification=None,
            pending=None) -> DomainError | None:
    """Why the quarter cannot be applied for now (see the module docstring), or None. A page showing many
    quarters passes what it read once: `months` (the partner's lists of the quarter), `payments` (its
    applications of the quarter), `certification` (False: read none), `pending` (whether the last month's list
    may still be generated)."""
    now = now or timezone.now()
    if payments is None:
        payments = list(FhPayment.objects.filter(partner_id=partner.pk, year=year, quarter=quarter))
    if any(payment.status in LIVE for payment in payments):
        return DomainError(FhCodes.PAYMENT_ALREADY_APPLIED)
    if certification is None:
        certification = selectors_fh.certification_of(partner)
    if not (certification and certification.is_verified):
        return DomainError(FhCodes.PAYMENT_NOT_CERTIFIED)
    if selectors_fh.local_today(now) < quarter_ends(year, quarter):
        return DomainError(FhCodes.PAYMENT_QUARTER_NOT_OVER)
    if months is None:
        months = list(FhMonth.objects.filter(partner_id=partner.pk, month__in=quarter_months(year, quarter)))
    statuses = {month.status for month in months}
    if statuses & set(FH_OPEN_MONTHS):
        return DomainError(FhCodes.PAYMENT_MONTH_OPEN)
    if FhMonthStatus.SUBMITTED in statuses:
        return DomainError(FhCodes.PAYMENT_MONTH_UNDER_REVIEW)
    last = quarter_months(year, quarter)[-1]
    if pending is None:
        pending = not any(month.month == last for month in months) and \
            fh_generation.would_generate(partner, last, now)
    if pending:
        return DomainError(FhCodes.PAYMENT_LIST_PENDING)
    if FhMonthStatus.FINAL not in statuses:
        return DomainError(FhCodes.PAYMENT_NOTHING_FINAL)
    return None


def apply(actor, *, year, quarter, verification_code=None) -> FhPayment:
    """发起季度付款申请 for the actor's partner (see the module docstring)."""
    code = verification_code if actor.kind == ActorKind.MEMBER else NOT_SENSITIVE
    with operation(actor, "incentives.fh_payment_apply", verification_code=code,
                   detail={"year": str(year)[:8], "quarter": str(quarter)[:4]}) as entry:
        require_member(actor)
        year, quarter = _clean_quarter(year, quarter)
        partner = Partner.objects.select_for_update().get(pk=actor.partner.pk)
        refused = refusal(partner, year, quarter)
        if refused is not None:
            raise refused
        amount = FhMonth.objects.filter(partner=partner, month__in=quarter_months(year, quarter),
                                        status=FhMonthStatus.FINAL).aggregate(total=Sum("amount"))["total"]
        if not amount or amount <= 0:
            raise DomainError(FhCodes.PAYMENT_NOTHING_FINAL)
        try:
            with transaction.atomic():
                payment = FhPayment.objects.create(partner=partner, year=year, quarter=quarter, amount=amount,
                                                   applied_by=actor.user, applied_at=timezone.now())
        except IntegrityError:
            raise DomainError(FhCodes.PAYMENT_ALREADY_APPLIED) from None
        entry.target = payment
        entry.detail["amount"] = str(amount)
    return payment


def _payment_data(payment, **extra) -> dict:
    data = {"payment_id": payment.pk, "payment_no": payment.payment_no, "year": payment.year,
            "quarter": payment.quarter, "amount": str(payment.amount)}
    data.update(extra)
    return data


def _move(payment, source, **changes) -> FhPayment:
    """The one conditional UPDATE of a step; refused with `error` when the payment is no longer at `source`."""
    moved = FhPayment.objects.filter(pk=payment.pk, status=source).update(**changes)
    return FhPayment.objects.select_related("partner").get(pk=payment.pk) if moved else None


def _decide(actor, payment, status, reason, action, *, reason_required):
    with operation(actor, action, target=payment, partner=payment.partner,
                   detail={"reason": (reason or "").strip()[:500]}):
        require_operator(actor)
        reason = clean_reason(reason, required=reason_required)
        row = _move(payment, FhPaymentStatus.APPLIED, status=status, reason=reason, decided_by=actor.user,
                    decided_at=timezone.now())
        if row is None:
            raise DomainError(FhCodes.PAYMENT_NOT_APPLIED)
        outbox.record(FH_PAYMENT_DECIDED, partner=row.partner, actor=actor,
                      data=_payment_data(row, decision=status, reason=reason))
    return row


def approve(actor, *, payment, reason: str = "") -> FhPayment:
    return _decide(actor, payment, FhPaymentStatus.APPROVED, reason, "incentives.fh_payment_approve",
                   reason_required=False)


def reject(actor, *, payment, reason: str) -> FhPayment:
    return _decide(actor, payment, FhPaymentStatus.REJECTED, reason, "incentives.fh_payment_reject",
                   reason_required=True)


def enter_invoice(actor, *, payment, invoice_number) -> FhPayment:
    """填写发票号码: the partner enters the number of the invoice it mails with the 开票清单 (once)."""
    number = str(invoice_number or "").strip().upper()
    with operation(actor, "incentives.fh_invoice", target=payment if isinstance(payment, FhPayment) else None,
                   detail={"invoice_number": number[:32]}) as entry:
        require_member(actor)
        own = selectors_fh.payment_for(actor, getattr(payment, "pk", payment))
        if own is None:
            raise DomainError(Codes.NOT_FOUND)
        entry.target = own
        if own.status != FhPaymentStatus.APPROVED:
            raise DomainError(FhCodes.PAYMENT_NOT_APPROVED)
        if not INVOICE_NUMBER.match(number):
            raise DomainError(FhCodes.INVOICE_NUMBER_INVALID)
        row = _move(own, FhPaymentStatus.APPROVED, status=FhPaymentStatus.INVOICED, invoice_number=number,
                    invoiced_at=timezone.now())
        if row is None:
            raise DomainError(FhCodes.PAYMENT_NOT_APPROVED)
    return row


def mark_paid(actor, *, payment, reference: str = "") -> FhPayment:
    """An operator records the payment of an invoiced application."""
    reference = (reference or "").strip()
    with operation(actor, "incentives.fh_payment_paid", target=payment, partner=payment.partner,
                   detail={"reference": reference[:64]}):
        require_operator(actor)
        if len(reference) > 64 or "\x00" in reference:
            raise DomainError(Codes.PARAMETER, _("The payment reference is at most 64 characters."))
        row = _move(payment, FhPaymentStatus.INVOICED, status=FhPaymentStatus.PAID, paid_at=timezone.now(),
                    payment_reference=reference)
        if row is None:
            raise DomainError(FhCodes.PAYMENT_NOT_INVOICED)
        outbox.record(FH_PAYMENT_PAID, partner=row.partner, actor=actor,
                      data=_payment_data(row, payment_reference=reference))
    return row


# ---------------------------------------------------------------------------------------------
# What the pages show
# ---------------------------------------------------------------------------------------------

@dataclass
class Step:
    label: str
    state: str          # done | current | todo | failed
    at: dt.datetime | None = None
    note: str = ""


def progress(payment) -> list[Step]:
    """付款申请 → 付款申请审核通过 → 发票已寄出 → 已付款 (a rejection fails the second step)."""
    status = payment.status
    order = [FhPaymentStatus.APPLIED, FhPaymentStatus.APPROVED, FhPaymentStatus.INVOICED, FhPaymentStatus.PAID]
    if status == FhPaymentStatus.REJECTED:
        return [Step(_("Payment applied for"), "done", payment.applied_at),
                Step(_("Application rejected"), "failed", payment.decided_at, payment.reason),
                Step(_("Invoice sent"), "todo"), Step(pgettext("FH payment step", "Paid"), "todo")]
    reached = order.index(status)
    steps = [
        Step(_("Payment applied for"), "done", payment.applied_at),
        Step(_("Application approved"), "", payment.decided_at, payment.reason),
        Step(_("Invoice sent"), "", payment.invoiced_at, payment.invoice_number),
        Step(pgettext("FH payment step", "Paid"), "", payment.paid_at, payment.payment_reference),
    ]
    for index, step in enumerate(steps[1:], start=1):
        step.state = "done" if index <= reached else "current" if index == reached + 1 else "todo"
    return steps


def invoice_list(payment) -> dict:
    """The 开票清单 of an approved (or later) payment: the FINAL lists of its quarter with their kept lines."""
    months = list(FhMonth.objects.filter(partner_id=payment.partner_id, status=FhMonthStatus.FINAL,
                                         month__in=quarter_months(payment.year, payment.quarter)).order_by("month"))
    lines = FhLine.objects.filter(fh_month__in=months, included=True).order_by("fh_month__month", "member_name", "pk")
    by_month: dict[int, list] = {}
    for line in lines:
        by_month.setdefault(line.fh_month_id, []).append(line)
    for month in months:
        month.kept_lines = by_month.get(month.pk, [])
    total = sum((month.amount for month in months), Decimal("0.00"))
    return {"months": months, "total": total, "count": sum(len(month.kept_lines) for month in months)}


@dataclass
class QuarterRow:
    year: int
    quarter: int
    months: list            # [(first day, FhMonth or None)] × 3
    final_amount: Decimal
    payment: FhPayment | None
    refusal: DomainError | None


def quarter_rows(partner, *, now=None, limit: int = 8) -> list[QuarterRow]:
    """The partner's quarters that have lists (newest first, at most `limit`), each with its months, the final
    amount, its live application and why it cannot be applied for. At most four queries whatever the count."""
    now = now or timezone.now()
    months = list(FhMonth.objects.filter(partner_id=partner.pk).only("pk", "month", "status", "amount")
                  .order_by("-month")[:limit * 3])
    quarters = sorted({quarter_of(month.month) for month in months}, reverse=True)[:limit]
    if not quarters:
        return []
    payments = list(FhPayment.objects.filter(partner_id=partner.pk, year__in={year for year, _q in quarters})
                    .order_by("-id"))
    certification = selectors_fh.certification_of(partner) or False
    by_month = {month.month: month for month in months}
    current = fh_generation.list_month(now)
    rows = []
    for year, quarter in quarters:
        firsts = quarter_months(year, quarter)
        own = [by_month[first] for first in firsts if first in by_month]
        own_payments = [payment for payment in payments if (payment.year, payment.quarter) == (year, quarter)]
        pending = False
        if firsts[-1] == current and firsts[-1] not in by_month and selectors_fh.local_today(now) >= \
                quarter_ends(year, quarter):
            pending = fh_generation.would_generate(partner, firsts[-1], now)
        rows.append(QuarterRow(
            year, quarter, [(first, by_month.get(first)) for first in firsts],
            sum((m.amount for m in own if m.status == FhMonthStatus.FINAL), Decimal("0.00")),
            next((payment for payment in own_payments if payment.status in LIVE), None),
            refusal(partner, year, quarter, now=now, months=own, payments=own_payments,
                    certification=certification, pending=pending)))
    return rows
