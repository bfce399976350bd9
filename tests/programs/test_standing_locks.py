"""One lock order (programs/locks.py), on PostgreSQL: every write that changes where a partner stands or
re-checks it takes the partner's row first. While another transaction holds that row, each of them waits
(here: gives up at a short lock timeout) instead of reading or changing the stage, the requirements'
confirmations or the certified solutions underneath it; once the row is free the same call goes through."""

import threading
from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from django.db import OperationalError, connection, connections, transaction
from django.utils import timezone

from partnercenter.models import Partner
from programs import membership as services
from programs import reviews, solutions
from programs.catalogue import DTCSI, SOFTWARE, seed_definitions
from programs.choices import ApplicationStatus, RequirementKind, ReviewStatus
from programs.models import (
    LevelRequest, PathEnrolment, Requirement, RequirementConfirmation, Review, ReviewSubmission,
)
from tests.conftest import actor_of, build_tenant

from .test_standing_levels import joined
from .test_standing_support import certify, enrol, operator, sign, stage

needs_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="real row locks need PostgreSQL")
pytestmark = [needs_postgres, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@contextmanager
def locked_elsewhere(model, pk):
    """Another transaction holds the row (FOR NO KEY UPDATE, as programs/locks.py takes it) until the block
    ends; inserts referencing it (log entries, events) are not blocked by it."""
    locked, release = threading.Event(), threading.Event()

    def hold():
        try:
            with transaction.atomic():
                model.objects.select_for_update(no_key=True).get(pk=pk)
                locked.set()
                release.wait(30)
        finally:
            connections.close_all()

    thread = threading.Thread(target=hold)
    thread.start()
    try:
        assert locked.wait(30)
        yield
    finally:
        release.set()
        thread.join(30)


@contextmanager
def short_lock_timeout():
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '300ms'")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")


def _advance(tenant):
    enrolment = enrol(tenant.partner, SOFTWARE, "registered")
    certify(tenant.partner)
    sign(tenant.partner)
    return lambda: services.advance_stage(operator(), enrolment_id=enrolment.pk)


def _confirm(tenant):
    enrol(tenant.partner, DTCSI, "role-certified")
    requirement = Requirement.objects.get(kind=RequirementKind.CONFIRMED)
    return lambda: services.confirm_requirement(operator(), partner_id=tenant.partner.pk,
                                                requirement_id=requirement.pk)


def _revoke(tenant):
    confirmation = RequirementConfirmation.objects.create(
        partner=tenant.partner, requirement=Requirement.objects.get(kind=RequirementKind.CONFIRMED))
    return lambda: services.revoke_confirmation(operator(), confirmation_id=confirmation.pk)


def _request_level(tenant):
    membership = joined(tenant.partner)
    enrol(tenant.partner, DTCSI, "role-certified")
    return lambda: services.request_level(actor_of(tenant.admin), membership_id=membership.pk)


def _decide_level(tenant):
    membership = joined(tenant.partner)
    enrol(tenant.partner, DTCSI, "role-certified")
    request = LevelRequest.objects.create(membership=membership, level=membership.program.levels.get(rank=2))
    return lambda: services.decide_level_request(operator(), request_id=request.pk, approve=True)


def _review_approve(tenant):
    enrol(tenant.partner, DTCSI, "role-certified")
    now = timezone.now()
    review = Review.objects.create(path=stage(DTCSI, "registered").path, year=2026, opens_at=now - timedelta(days=1),
                                   closes_at=now + timedelta(days=1))
    submission = ReviewSubmission.objects.create(review=review, partner=tenant.partner, status=ReviewStatus.SUBMITTED,
                                                 submitted_at=now)
    return lambda: reviews.approve(operator(), submission=submission, result_stage=stage(DTCSI, "registered"))


def _record_solution(tenant):
    return lambda: solutions.record_solution(operator(), partner_id=tenant.partner.pk, name="云应用",
                                             certification="先进云软件认证", certified_on=date(2026, 1, 5))


WRITES = [_advance, _confirm, _revoke, _request_level, _decide_level, _review_approve, _record_solution]


@pytest.mark.parametrize("make", WRITES, ids=[make.__name__.strip("_") for make in WRITES])
def test_the_write_waits_for_the_partners_row(make):
    seed_definitions()
    tenant = build_tenant("a")
    call = make(tenant)

    with locked_elsewhere(Partner, tenant.partner.pk), short_lock_timeout():
        with pytest.raises(OperationalError) as waited:
            call()
    assert "lock timeout" in str(waited.value)

    call()          # the row is free: the same write goes through
    if make is _decide_level:
        assert LevelRequest.objects.get().status == ApplicationStatus.APPROVED


@pytest.mark.parametrize("make", [_request_level, _decide_level], ids=["request_level", "decide_level"])
def test_the_level_checks_read_the_stage_under_the_enrolments_lock(make):
    """A writer that holds the enrolment (whatever it does to the stage) is waited for: the stage is not read
    from under it."""
    seed_definitions()
    tenant = build_tenant("a")
    call = make(tenant)

    with locked_elsewhere(PathEnrolment, PathEnrolment.objects.get().pk), short_lock_timeout():
        with pytest.raises(OperationalError) as waited:
            call()
    assert "lock timeout" in str(waited.value)
