"""A change and its event commit or roll back together (events.outbox): a service that fails after
recording leaves no event and no notification; recording outside a transaction is refused; a committed
event is dispatched at the commit (the Celery task runs eagerly in the tests)."""

import pytest
from django.db import transaction
from django.utils import translation

from customers import services as customer_services
from events import outbox
from events.dispatch import dispatch_all
from events.models import Event, Notification
from partnercenter import oplog
from partnercenter.errors import Codes, DomainError
from partnercenter.models import OperationLog

from ..conftest import actor_of
from .test_notifications import NEWS, TEST_TYPES, World, registered


@pytest.fixture
def event_types():
    with registered(*TEST_TYPES) as registered_types:
        yield registered_types


def failing_service(actor, *, partner):
    """A service shaped like the real ones (operation log, one transaction) that records its event and
    then refuses: the refusal must take the event with it."""
    with oplog.operation(actor, "test.failing"):
        outbox.record(NEWS.code, partner=partner, actor=actor, data={"title": "never"})
        raise DomainError(Codes.PARAMETER, "refused after recording")


@pytest.mark.django_db
def test_a_service_failing_after_recording_leaves_no_event_and_no_notification(event_types):
    world = World()
    with pytest.raises(DomainError):
        failing_service(actor_of(world.admin), partner=world.partner)
    assert not Event.objects.exists()
    assert dispatch_all() == 0
    assert not Notification.objects.exists()
    # The refusal itself is in the operation log, written after the rollback.
    assert OperationLog.objects.get(action="test.failing").result == "failure"


@pytest.mark.django_db
def test_an_event_recorded_in_a_rolled_back_transaction_is_gone(event_types):
    world = World()
    with pytest.raises(RuntimeError), transaction.atomic():
        outbox.record(NEWS.code, partner=world.partner, data={"title": "x"})
        outbox.record_many([{"type_code": NEWS.code, "partner": world.partner, "data": {"title": "y"}}])
        assert Event.objects.count() == 2  # visible inside the transaction …
        raise RuntimeError("the change failed")
    assert not Event.objects.exists()  # … and gone with it
    dispatch_all()
    assert not Notification.objects.exists()


@pytest.mark.django_db
def test_a_real_service_whose_caller_rolls_back_leaves_no_event():
    """customers.services.request_disassociation records `association.request_made`; when the transaction
    around it fails afterwards, the request and its event are both gone."""
    world = World("real")
    with pytest.raises(RuntimeError), transaction.atomic():
        customer_services.request_disassociation(actor_of(world.admin), customer_id=world.resale.domain_id,
                                                 reason="x")
        assert Event.objects.filter(type="association.request_made").exists()
        raise RuntimeError("a later step of the same change failed")
    assert not Event.objects.exists()
    dispatch_all()
    assert not Notification.objects.exists()
    customer_services.request_disassociation(actor_of(world.admin), customer_id=world.resale.domain_id, reason="x")
    dispatch_all()
    told = set(Notification.objects.filter(event__type="association.request_made").values_list("user", flat=True))
    # the customer, who must decide, is told; the administrator who asked is not told of their own act
    assert told == {world.resale_user.user.pk}


@pytest.mark.django_db
def test_an_unknown_event_type_is_refused(event_types):
    world = World()
    with pytest.raises(ValueError), transaction.atomic():
        outbox.record("test.no_such_type", partner=world.partner, data={})


@pytest.mark.django_db
def test_an_unknown_event_type_is_refused_by_insert_from_select_too(event_types):
    """The set-based INSERT (PostgreSQL) checks the type against the registry as record does, before any SQL."""
    with pytest.raises(ValueError, match="unknown event type"), transaction.atomic():
        outbox.insert_from_select("test.no_such_type", actor=None, rows_sql="SELECT 1")
    assert not Event.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_recording_outside_a_transaction_is_refused():
    with registered(NEWS):
        world = World()
        with pytest.raises(RuntimeError, match="inside the transaction"):
            outbox.record(NEWS.code, partner=world.partner, data={"title": "x"})
        with pytest.raises(RuntimeError, match="inside the transaction"):
            outbox.record_many([{"type_code": NEWS.code, "partner": world.partner, "data": {}}])
        assert not Event.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_committed_event_is_dispatched_at_the_commit():
    with registered(NEWS):
        world = World()
        with transaction.atomic():
            event = outbox.record(NEWS.code, partner=world.partner, data={"title": "x"})
            assert not Notification.objects.filter(event=event).exists()
        event.refresh_from_db()
        assert event.dispatched_at is not None
        assert Notification.objects.filter(event=event, user=world.admin.user).count() == 1


@pytest.mark.django_db
def test_a_keyed_event_is_recorded_once(event_types):
    world = World()
    with transaction.atomic():
        first = outbox.record(NEWS.code, partner=world.partner, data={}, key="2026-01")
        second = outbox.record(NEWS.code, partner=world.partner, data={}, key="2026-01")
    assert first is not None and second is None
    assert Event.objects.filter(type=NEWS.code).count() == 1


@pytest.mark.django_db
def test_a_change_made_with_an_access_key_tells_the_keys_owner_too():
    """Only a person acting in a page saw it happen; a sales platform acting with a member's key did not
    tell that member, so the member hears of it like anyone else."""
    from partnercenter.actors import actor_for_access_key
    from partnercenter.models import AccessKey

    world = World("key")
    key = AccessKey.objects.select_related("partner", "user__member").get(pk=world.key.pk)
    assert key.user_id == world.admin.user_id
    customer_services.request_disassociation(actor_for_access_key(key), customer_id=world.resale.domain_id,
                                             reason="x")
    dispatch_all()
    told = set(Notification.objects.filter(event__type="association.request_made").values_list("user", flat=True))
    assert told == {world.resale_user.user.pk, world.admin.user.pk}


@pytest.mark.django_db
def test_a_customer_reads_an_event_written_to_the_customer():
    """One event, two readers: the partner's members read about "customer X", the customer about itself."""
    world = World("sides")
    with transaction.atomic():
        event = outbox.record("funds.allocated", partner=world.partner, customer=world.resale,
                              data={"customer_id": world.resale.domain_id, "account_name": "acme",
                                    "amount": "1234.50", "trans_id": "T1"})
    with translation.override("en"):
        assert event.text_for("partner") == "¥1,234.50 allocated to customer acme."
        assert event.text_for("customer") == "Your partner allocated ¥1,234.50 to your account."
