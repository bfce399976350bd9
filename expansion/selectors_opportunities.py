"""Reads of opportunities, scoped to the actor: a partner sees its own HO and PO, nobody else's (another
partner's id is "not found" on pages and the API). A member (or key) without `customers.view_all` — an
account manager, whose customers are its team's (customers.selectors.associations_for) — sees the
opportunities naming no customer account and those naming one of its visible customers, never one naming a
customer another account manager looks after (`scoped`, which the services lock through as well).

Lists are read in one statement per page; the working-days countdown of a page's rows is computed with one
working-day calendar (one statement per calendar year the page's deadlines touch), whatever the page size. A
deadline at 00:00 (an HO shared on a day off) leaves no time on its own day, which the countdown does not count.
"""

from __future__ import annotations

from dataclasses import dataclass

import datetime as dt

from django.db.models import Prefetch, Q
from django.utils import timezone

from customers.selectors import associations_for

from partnercenter import workdays

from .choices import OpportunityStatus, Origin
from .models import Collaborator, Opportunity, OpportunityUpdate

__all__ = [
    "opportunities_for", "opportunity_for", "with_countdown", "Countdown", "countdown_of", "history_for",
    "collaborators_for", "contacts_masked_for", "shown_phone",
]

# What a list row reads (the notes, up to 4,000 characters each, stay in the table).
LIST_FIELDS = (
    "pk", "partner_id", "origin", "name", "customer_name", "customer_id", "customer__domain_id",
    "customer__domain_name", "contact_name", "contact_phone", "product", "stage", "amount", "expected_close",
    "status", "shared_at", "deadline", "decided_at", "reason", "updated_at",
)


def scoped(actor):
    """Every opportunity the actor may read and act on (one statement: the scope is a subquery): its
    partner's, and without customers.view_all only those naming no customer or one of its visible
    customers. No rows for anyone but a partner's member or key."""
    if not actor.is_partner:
        return Opportunity.objects.none()
    queryset = Opportunity.objects.filter(partner_id=actor.partner.pk)
    if not actor.sees_all_customers:
        queryset = queryset.filter(Q(customer__isnull=True)
                                   | Q(customer_id__in=associations_for(actor).values("customer_id")))
    return queryset


def opportunities_for(actor):
    """The actor's opportunities (`scoped`), newest first, with their customer account."""
    return scoped(actor).select_related("customer").only(*LIST_FIELDS).order_by("-id")


def opportunity_for(actor, pk) -> Opportunity | None:
    """One of the actor's opportunities (`scoped`, every field), or None."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    if not 0 < pk < 2 ** 63 or not actor.is_partner:
        return None
    return scoped(actor).filter(pk=pk).select_related("customer", "enterprise").first()


_INSTANT = dt.timedelta(microseconds=1)


@dataclass(frozen=True)
class Countdown:
    """Where a pending HO stands against its deadline: `state` is "days" (working days left > 0),
    "due_today" (the deadline is today, not yet past) or "overdue" (past; the task recalls it soon); None
    for an opportunity with no running deadline."""

    state: str
    working_days_left: int


def countdown_of(opportunity, now=None, calendar=None) -> Countdown | None:
    if opportunity.origin != Origin.HO or opportunity.status != OpportunityStatus.PENDING \
            or opportunity.deadline is None:
        return None
    now = now or timezone.now()
    if now > opportunity.deadline:
        return Countdown("overdue", 0)
    # A deadline at 00:00 (an HO shared on a day off: workdays.sla_deadline) ends the day before: no working
    # time is left on the deadline's own day, so it is not counted (one microsecond earlier is that day's end).
    left = (calendar or workdays.WorkdayCalendar()).working_days_left(opportunity.deadline - _INSTANT, now)
    return Countdown("days" if left > 0 else "due_today", left)


def working_days_left(opportunity, now=None, calendar=None) -> int | None:
    """The API's `working_days_left`: for a pending HO, working days d with today < d <= the deadline's
    date (0 when due today or overdue); None otherwise."""
    countdown = countdown_of(opportunity, now, calendar)
    return None if countdown is None else countdown.working_days_left


def with_countdown(rows, now=None):
    """Give each row its `countdown` (Countdown or None), with one calendar for all of them."""
    now = now or timezone.now()
    calendar = workdays.WorkdayCalendar()
    rows = list(rows)
    deadlines = [row.deadline for row in rows if row.deadline is not None]
    if deadlines:
        calendar.preload(workdays.local_date(now), max(workdays.local_date(d) for d in deadlines))
    for row in rows:
        row.countdown = countdown_of(row, now, calendar)
    return rows


def history_for(opportunity):
    """The updates of an opportunity, newest first (both sides): a queryset, paged by its readers."""
    return OpportunityUpdate.objects.filter(opportunity=opportunity).order_by("-id")


def collaborators_for(opportunity):
    return Collaborator.objects.filter(opportunity=opportunity).select_related("member").order_by("side", "id")


def with_details(queryset):
    """The collaborators (at most MAX_COLLABORATORS) in one more statement; the history is paged
    (`history_for`), never prefetched whole."""
    return queryset.prefetch_related(Prefetch("collaborators", queryset=Collaborator.objects.order_by("side", "id")))


def contacts_masked_for(partner) -> bool:
    """营销计划2.0 partners see contacts masked (expansion.masking, the leads area's rule)."""
    from . import masking

    return masking.contacts_masked(partner)


def shown_phone(opportunity, masked: bool) -> str:
    """The contact phone as the partner sees it: HO contacts are the cloud's, masked for 营销计划2.0
    partners; a PO's are the partner's own."""
    from . import masking

    if masked and opportunity.origin == Origin.HO and opportunity.contact_phone:
        return masking.mask_phone(opportunity.contact_phone)
    return opportunity.contact_phone


def partner_to_share_with(partner_id):
    """The partner an HO is shared with through the API (the platform key names it by its account ID)."""
    from partnercenter.models import Partner

    if not partner_id or not isinstance(partner_id, str):
        return None
    return Partner.objects.filter(domain_id=partner_id).first()


def customer_to_share(customer_id):
    """The customer account an HO names, by its account ID (any account of the cloud), or None. Whether it
    may be named for a partner is the service's to say (`associated_elsewhere`)."""
    from customers.models import Customer

    if not customer_id or not isinstance(customer_id, str):
        return None
    return Customer.objects.filter(domain_id=customer_id).first()


def associated_elsewhere(customer, partner) -> bool:
    """Whether a customer account is actively associated with a partner other than `partner`: such a
    customer is that partner's, and an HO naming it is not shared with another."""
    from customers.models import Association

    return Association.objects.filter(customer_id=customer.pk, ended_on__isnull=True) \
        .exclude(partner_id=partner.pk).exists()


__all__ += ["working_days_left", "with_details", "LIST_FIELDS", "partner_to_share_with", "customer_to_share",
            "scoped", "associated_elsewhere"]
