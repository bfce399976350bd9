"""What the FH pages, services and tasks read (专职人员激励). Everything a partner reads is scoped to its own
partner: another partner's list, material or payment is as absent as one that does not exist.

Eligibility (资格): a partner on the development path programs.catalogue.DTCSI (数字化转型咨询与系统集成) at a stage
whose rank is at least the rank of that path's stage DIFFERENTIATED (能力差异化认证). `eligible_enrolments()` is
that rule as one queryset (the stage threshold is a subquery), read by the qualification, the operators' approval
and the monthly generation alike.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from partnercenter import workdays
from programs.catalogue import DIFFERENTIATED, DTCSI
from programs.models import BusinessCertification, PathEnrolment, Stage

from .choices import FH_OPEN_MONTHS
from .models_fh import FhMaterial, FhMonth, FhPayment, FhQualification

__all__ = [
    "Eligibility", "eligibility", "eligible_enrolments", "required_stage", "qualification_of", "months_for",
    "month_for", "payments_for", "payment_for", "certification_of", "Countdown", "countdown_of", "with_countdown",
    "month_start", "previous_month", "next_month", "month_begins", "local_today", "materials_of",
]


# ---------------------------------------------------------------------------------------------
# Months (Asia/Shanghai)
# ---------------------------------------------------------------------------------------------

def local_today(now=None) -> dt.date:
    return workdays.local_date(now or timezone.now())


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def previous_month(month: dt.date) -> dt.date:
    return (month.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def month_begins(month: dt.date) -> dt.datetime:
    """00:00 Asia/Shanghai of the month's first day."""
    return dt.datetime.combine(month.replace(day=1), dt.time.min, tzinfo=workdays.SHANGHAI)


# ---------------------------------------------------------------------------------------------
# Eligibility and qualification
# ---------------------------------------------------------------------------------------------

def _threshold():
    return Stage.objects.filter(path__code=DTCSI, code=DIFFERENTIATED).values("rank")[:1]


def eligible_enrolments():
    """Enrolments on DTCSI at DIFFERENTIATED or a later stage (one statement)."""
    return PathEnrolment.objects.filter(path__code=DTCSI, stage__rank__gte=Subquery(_threshold()))


def required_stage() -> Stage | None:
    return Stage.objects.filter(path__code=DTCSI, code=DIFFERENTIATED).select_related("path").first()


@dataclass
class Eligibility:
    """Where a partner stands against the FH threshold; `reason` says why it may not apply (None: it may)."""

    enrolment: PathEnrolment | None
    required: Stage | None

    @property
    def eligible(self) -> bool:
        return (self.enrolment is not None and self.required is not None
                and self.enrolment.path_id == self.required.path_id and self.enrolment.stage.rank >= self.required.rank)

    @property
    def reason(self) -> str | None:
        if self.eligible:
            return None
        if self.required is None:
            return _("The FH staff incentive is not offered: the development path of digital transformation "
                     "consulting and system integration (数字化转型咨询与系统集成) is not defined.")
        if self.enrolment is None:
            return _("Your partner is not on the development path %(path)s. Only partners on this path at the stage "
                     "%(stage)s (or later) can apply for the FH staff incentive.") % {
                "path": self.required.path.name, "stage": self.required.name}
        return _("Your partner is at the stage %(current)s of the development path %(path)s. The FH staff incentive "
                 "needs the stage %(stage)s (or later).") % {
            "current": self.enrolment.stage.name, "path": self.required.path.name, "stage": self.required.name}


def eligibility(partner) -> Eligibility:
    """Two queries: the threshold stage and the partner's enrolment on the path."""
    required = required_stage()
    enrolment = None
    if required is not None:
        enrolment = PathEnrolment.objects.filter(partner_id=partner.pk, path_id=required.path_id) \
            .select_related("stage", "path").first()
    return Eligibility(enrolment, required)


def qualification_of(partner) -> FhQualification | None:
    return FhQualification.objects.filter(partner_id=partner.pk).first()


def certification_of(partner) -> BusinessCertification | None:
    return BusinessCertification.objects.filter(partner_id=partner.pk).first()


# ---------------------------------------------------------------------------------------------
# Monthly lists
# ---------------------------------------------------------------------------------------------

def _partner_pk(actor):
    return actor.partner.pk if actor.is_partner else None


def _pk(value) -> int | None:
    try:
        value = int(value)
    except (TypeError, ValueError):
        return None
    return value if 0 < value < 2 ** 63 else None


def months_for(actor):
    """The partner's monthly lists, newest first, each with `n_lines` and `n_kept` (one statement)."""
    partner = _partner_pk(actor)
    if partner is None:
        return FhMonth.objects.none()
    return (FhMonth.objects.filter(partner_id=partner)
            .annotate(n_lines=Count("lines"), n_kept=Count("lines", filter=Q(lines__included=True)))
            .order_by("-month", "-id"))


def month_for(actor, pk) -> FhMonth | None:
    pk, partner = _pk(pk), _partner_pk(actor)
    if pk is None or partner is None:
        return None
    return FhMonth.objects.filter(pk=pk, partner_id=partner).first()


def materials_of(month):
    return FhMaterial.objects.filter(fh_month=month).order_by("uploaded_at", "id")


# ---------------------------------------------------------------------------------------------
# Countdown of a list to check (the 14 working days)
# ---------------------------------------------------------------------------------------------

@dataclass
class Countdown:
    """"days" (working days left > 0), "due_today" (the deadline is today, not yet past) or "overdue"."""

    state: str
    working_days_left: int


def countdown_of(month, now=None, calendar=None) -> Countdown | None:
    if month.status not in FH_OPEN_MONTHS:
        return None
    now = now or timezone.now()
    if now > month.deadline:
        return Countdown("overdue", 0)
    # a deadline at 00:00 ends the day before: its own day has no working time left
    deadline = month.deadline - dt.timedelta(microseconds=1)
    left = (calendar or workdays.WorkdayCalendar()).working_days_left(deadline, now)
    return Countdown("days", left) if left > 0 else Countdown("due_today", 0)


def with_countdown(months, now=None):
    """The rows with `.countdown`, one calendar for the page (a query per calendar year touched)."""
    now = now or timezone.now()
    calendar = workdays.WorkdayCalendar()
    rows = list(months)
    for row in rows:
        row.countdown = countdown_of(row, now, calendar)
    return rows


# ---------------------------------------------------------------------------------------------
# Quarterly payments
# ---------------------------------------------------------------------------------------------

def payments_for(actor):
    partner = _partner_pk(actor)
    if partner is None:
        return FhPayment.objects.none()
    return FhPayment.objects.filter(partner_id=partner).order_by("-year", "-quarter", "-id")


def payment_for(actor, pk) -> FhPayment | None:
    pk, partner = _pk(pk), _partner_pk(actor)
    if pk is None or partner is None:
        return None
    return FhPayment.objects.filter(pk=pk, partner_id=partner).first()

