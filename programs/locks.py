"""Where rows of programs are locked, in one order (cf. customers/locks.py, vouchers/locks.py).

The partner row is the first lock of every write that changes where a partner stands or depends on it:
joining and its decision, 提升等级 and its decision (which re-checks the stage), advancing a stage (which
re-checks the requirements), the annual review's approval (which sets the stage), confirming or withdrawing
a requirement, recording a certified solution. Holding it, a service reads the enrolments, confirmations
and counts no other of these writes can change until it commits.

The order:
1. the partner (`lock_partner`);
2. the application being decided — a membership application, a level request, a review submission;
3. the membership (`lock_membership`);
4. the path enrolment (`lock_enrolment`).

`no_key=True` (FOR NO KEY UPDATE) serialises these writers (and the agreements' FOR UPDATE of the partner)
without blocking inserts of rows that only reference the partner (an operation log entry, an event).

Project specialists' cancellation and decisions and a business certification's decision take the partner
lock too. An association ending (customers) does not: the CUSTOMERS count a stage advance read may be one
customer out of date.
"""

from partnercenter.models import Partner

from .models import Membership, PathEnrolment

__all__ = ["lock_partner", "lock_membership", "lock_enrolment", "lock_enrolments"]


def lock_partner(partner_id) -> Partner:
    """The partner, as it is now (its status re-read after any wait)."""
    return Partner.objects.select_for_update(no_key=True).get(pk=partner_id)


def lock_membership(membership_id) -> Membership:
    """One membership with its level, as it is now; take the partner's lock first."""
    return Membership.objects.select_for_update(no_key=True, of=("self",)).select_related("program", "level").get(
        pk=membership_id)


def lock_enrolment(*, partner_id, path_id=None, enrolment_id=None) -> PathEnrolment | None:
    """The partner's enrolment on a path (or the one named), with its stage, as it is now; None when the
    partner is not on that path. Take the partner's lock first."""
    rows = PathEnrolment.objects.select_for_update(no_key=True, of=("self",)).select_related(
        "partner", "path", "stage").filter(partner_id=partner_id)
    rows = rows.filter(pk=enrolment_id) if enrolment_id is not None else rows.filter(path_id=path_id)
    return rows.first()


def lock_enrolments(partner_id) -> dict:
    """Every enrolment of the partner, by path id, locked (pk order); take the partner's lock first."""
    rows = PathEnrolment.objects.select_for_update(no_key=True, of=("self",)).select_related("stage").filter(
        partner_id=partner_id).order_by("pk")
    return {enrolment.path_id: enrolment for enrolment in rows}
