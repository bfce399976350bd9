"""Who is told about an event (events.notifications.fan_out), and the e-mails and texts they asked for
(send_pending): only members whose role and data scope cover the subject, the customer's own users for
customer-side events, each once; e-mail and SMS per preference, sent once even by two senders.

The test event types below are registered for these tests only (`event_types` fixture), so the tests do
not depend on which domain events exist.
"""

from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from events import notifications, outbox, types
from events.choices import Audience
from events.dispatch import dispatch_all
from events.models import Event, Notification, NotificationPreference
from events.types import EventType
from partnercenter import sms

from ..conftest import build_tenant
from ..factories import CustomerUserFactory, MemberFactory, RoleFactory

pytestmark = pytest.mark.django_db

NEWS = EventType("test.news", "Partner news", summary="News: %(title)s")  # any member
CHANGE = EventType("test.customer_changed", "Customer changed", audience=Audience.BOTH, permission="customers.view",
                   summary="Customer %(account_name)s changed")
BILLING = EventType("test.billing", "Billing changed", permission="billing.view", summary="Billing %(what)s")
FOR_CUSTOMER = EventType("test.for_customer", "For the customer", audience=Audience.CUSTOMER, summary="Hello customer")
SILENT = EventType("test.silent", "Silent", notify=False)
TEST_TYPES = (NEWS, CHANGE, BILLING, FOR_CUSTOMER, SILENT)


@contextmanager
def registered(*event_types):
    """Register test-only event types for the duration of a test (webhook=False: no endpoint offers them)."""
    event_types = [EventType(**{**t.__dict__, "webhook": False}) for t in event_types]
    types.register(*event_types)
    try:
        yield event_types
    finally:
        for event_type in event_types:
            types._TYPES.pop(event_type.code, None)


@pytest.fixture
def event_types():
    with registered(*TEST_TYPES) as registered_types:
        yield registered_types


class World:
    """One partner: its administrator (sees all customers), a team lead with two account managers under
    it (customers.view only, their own customers), a billing clerk (billing.view only), a member whose
    user is deactivated; the referral customer is managed by `am`, the resale customer by nobody, one
    customer by `am2`. The referral customer has two users (the owner has a mobile number)."""

    def __init__(self, tag="w"):
        t = build_tenant(tag)
        self.__dict__.update(t.__dict__)
        self.lead = MemberFactory(partner=self.partner, user__username=f"{tag}.lead", roles=[self.role])
        self.member.supervisor = self.lead
        self.member.save()
        self.am = self.member
        self.am2 = MemberFactory(partner=self.partner, user__username=f"{tag}.am2", roles=[self.role])
        from ..factories import AssociationFactory
        self.other_customer = AssociationFactory(partner=self.partner, association_type="2",
                                                 account_manager=self.am2).customer
        clerk_role = RoleFactory(partner=self.partner, name=f"clerk-{tag}", permissions=["billing.view"])
        self.clerk = MemberFactory(partner=self.partner, user__username=f"{tag}.clerk", roles=[clerk_role])
        self.gone = MemberFactory(partner=self.partner, user__username=f"{tag}.gone", user__is_active=False,
                                  roles=[self.admin_role])
        self.referral.mobile_phone = "13900000001"
        self.referral.save()
        self.owner = CustomerUserFactory(customer=self.referral, user__username=f"{tag}.owner", is_owner=True)
        self.colleague = CustomerUserFactory(customer=self.referral, user__username=f"{tag}.colleague", is_owner=False)
        self.resale_user = CustomerUserFactory(customer=self.resale, user__username=f"{tag}.resale")

    def record(self, event_type, *, customer=None, data=None, key=""):
        """Record one event as a service would (inside a transaction)."""
        manager = None
        if customer is not None:
            association = customer.associations.get(ended_on__isnull=True)
            manager = association.account_manager
        with transaction.atomic():
            return outbox.record(event_type.code, partner=self.partner, customer=customer,
                                 account_manager=manager, data=data or {}, key=key)


def told(event) -> set[str]:
    return set(Notification.objects.filter(event=event).values_list("user__username", flat=True))


@pytest.fixture
def world(db, event_types):
    return World()


def test_an_event_about_a_customer_reaches_its_manager_the_team_lead_and_administrators_only(world):
    about_referral = world.record(CHANGE, customer=world.referral, data={"account_name": "r"})
    about_other = world.record(CHANGE, customer=world.other_customer, data={"account_name": "o"})
    about_unmanaged = world.record(CHANGE, customer=world.resale, data={"account_name": "u"})
    dispatch_all()
    # The referral customer's account manager, its lead, the administrator — and the customer's users
    # (both sides); not the other account manager, the clerk (no customers.view) or the deactivated member.
    assert told(about_referral) == {"w.am", "w.lead", "w.admin", "w.owner", "w.colleague"}
    assert told(about_other) == {"w.am2", "w.admin"}  # am2 has no customer users here; not am nor the lead
    assert told(about_unmanaged) == {"w.admin", "w.resale"}


def test_an_event_without_a_customer_reaches_everyone_holding_the_permission(world):
    news = world.record(NEWS, data={"title": "x"})
    billing = world.record(BILLING, data={"what": "closed"})
    dispatch_all()
    assert told(news) == {"w.admin", "w.lead", "w.am", "w.am2", "w.clerk"}
    assert told(billing) == {"w.admin", "w.clerk"}


def test_customer_audience_events_go_to_the_customers_users_only(world):
    event = world.record(FOR_CUSTOMER, customer=world.referral)
    silent = world.record(SILENT, customer=world.referral)
    dispatch_all()
    assert told(event) == {"w.owner", "w.colleague"}
    assert told(silent) == set()


def test_a_suspended_partners_members_lose_their_rights_and_hear_only_what_needs_none(world):
    world.partner.status = "suspended"
    world.partner.save()
    change = world.record(CHANGE, customer=world.referral, data={"account_name": "r"})
    dispatch_all()
    assert told(change) == {"w.owner", "w.colleague"}


def test_another_partners_members_are_never_told(world):
    other = World("z")
    event = world.record(NEWS)
    dispatch_all()
    assert not told(event) & {"z.admin", "z.am", "z.lead", "z.am2", "z.clerk"}
    assert Notification.objects.filter(user__member__partner=other.partner).count() == 0


def test_fan_out_runs_the_same_statements_for_a_small_and_a_large_batch(world):
    def statements(n):
        events = [world.record(CHANGE if i % 2 else FOR_CUSTOMER, customer=world.referral, data={"account_name": "r"})
                  for i in range(n)]
        events = list(Event.objects.filter(pk__in=[e.pk for e in events]).select_related("partner"))
        with CaptureQueriesContext(connection) as queries:
            with transaction.atomic():
                notifications.fan_out(events, now=timezone.now())
        return len(queries)

    # (20, not more: past 999 parameters Django splits an INSERT on SQLite — still per batch, not per event)
    assert statements(2) == statements(20)
    assert Notification.objects.filter(event__type=CHANGE.code).count() == 11 * 5
    assert Notification.objects.filter(event__type=FOR_CUSTOMER.code).count() == 11 * 2


# -------------------------------------------------------------------------------------------------
# E-mail and SMS
# -------------------------------------------------------------------------------------------------

@pytest.fixture
def sms_outbox(settings):
    settings.SMS_BACKEND = "partnercenter.sms.OutboxSmsBackend"
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


def test_preferences_set_the_channels_and_each_message_goes_out_once(world, sms_outbox, settings):
    settings.SITE_URL = "https://partner.example.com"
    NotificationPreference.objects.create(user=world.am.user, type=CHANGE.code, email=True)
    NotificationPreference.objects.create(user=world.owner.user, type=CHANGE.code, email=True, sms=True)
    NotificationPreference.objects.create(user=world.admin.user, type=NEWS.code, email=True)  # another type
    event = world.record(CHANGE, customer=world.referral, data={"account_name": "杭州客户"})
    dispatch_all(send=False)
    pending = Notification.objects.filter(event=event)
    assert set(pending.filter(email_pending=True).values_list("user__username", flat=True)) == {"w.am", "w.owner"}
    assert set(pending.filter(sms_pending=True).values_list("user__username", flat=True)) == {"w.owner"}

    assert notifications.send_pending() == 3
    assert notifications.send_pending() == 0  # a second run sends nothing again
    dispatch_all()  # nor does a second dispatch
    assert sorted(m.to[0] for m in mail.outbox) == sorted([world.am.user.email, world.owner.user.email])
    am_mail = next(m for m in mail.outbox if m.to == [world.am.user.email])
    am_notification = pending.get(user=world.am.user)
    assert am_mail.subject.endswith("Customer changed")
    assert f"https://partner.example.com/notifications/{am_notification.pk}/" in am_mail.body
    assert "Customer 杭州客户 changed" in am_mail.body
    owner_notification = pending.get(user=world.owner.user)
    assert sms_outbox == [("13900000001", sms_outbox[0][1])]
    assert f"https://partner.example.com/fee-center/notifications/{owner_notification.pk}/" in sms_outbox[0][1]
    assert not pending.filter(email_pending=True).exists() and not pending.filter(sms_pending=True).exists()


def test_recipients_without_an_address_are_skipped(world, sms_outbox):
    world.am.user.email = ""
    world.am.user.save()
    NotificationPreference.objects.create(user=world.am.user, type=CHANGE.code, email=True, sms=True)
    NotificationPreference.objects.create(user=world.colleague.user, type=CHANGE.code, sms=True)  # not the owner
    world.record(CHANGE, customer=world.referral, data={"account_name": "r"})
    dispatch_all()
    assert mail.outbox == [] and sms_outbox == []
    assert not Notification.objects.filter(email_pending=True).exists()
    assert not Notification.objects.filter(sms_pending=True).exists()


def test_a_second_sender_starting_mid_run_sends_each_message_once(world):
    """Two senders interleaved deterministically: while the first is sending its first message, a second
    run starts and sends what is still pending; the first then finds the rest claimed and skips them."""
    for member in (world.admin, world.lead, world.am):
        NotificationPreference.objects.create(user=member.user, type=NEWS.code, email=True)
    world.record(NEWS, data={"title": "t"})
    dispatch_all(send=False)
    real_send = notifications._send_one
    second_run = []

    def send_and_let_another_sender_in(channel, notification, mobiles):
        if not second_run:
            second_run.append(None)
            second_run[0] = notifications.send_pending()  # the concurrent sender, between two claims
        return real_send(channel, notification, mobiles)

    notifications._send_one = send_and_let_another_sender_in
    try:
        first_run = notifications.send_pending()
    finally:
        notifications._send_one = real_send
    assert second_run == [2] and first_run == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted(m.user.email for m in (world.admin, world.lead, world.am))


def test_a_failed_send_is_retried_by_the_next_run(world, monkeypatch):
    NotificationPreference.objects.create(user=world.admin.user, type=NEWS.code, email=True)
    world.record(NEWS, data={"title": "t"})
    dispatch_all(send=False)

    def broken(*args, **kwargs):
        raise OSError("mail server down")

    monkeypatch.setattr(notifications, "send_mail", broken)
    assert notifications.send_pending() == 0
    assert Notification.objects.filter(email_pending=True).count() == 1
    monkeypatch.undo()
    assert notifications.send_pending() == 1
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_distributors_copy_of_a_resellers_event_tells_only_who_reads_that_resellers_book():
    """Money moved in a cloud reseller's book is recorded twice: the reseller's event (its members, the
    customer) and the distributor's copy (`indirect_partner_id`). The customer hears it once, and at the
    distributor only members who may read the reseller's book (resellers.view) hear the copy."""
    from partnercenter.models import Partner

    from ..factories import AssociationFactory, CustomerUserFactory, MemberFactory, PartnerFactory, RoleFactory

    dist = build_tenant("copy", partner_type="distributor")
    clerk = MemberFactory(partner=dist.partner, user__username="copy.clerk",
                          roles=[RoleFactory(partner=dist.partner, name="clerk", permissions=[
                              "billing.view", "customers.view", "customers.view_all"])])
    reseller = PartnerFactory(partner_type="reseller", distributor=dist.partner, account_name="copy-reseller")
    customer = AssociationFactory(partner=reseller, association_type="2").customer
    CustomerUserFactory(customer=customer, user__username="copy.customer")
    data = {"customer_id": customer.domain_id, "account_name": customer.domain_name, "amount": "5.00"}
    with transaction.atomic():
        outbox.record("funds.allocated", partner=reseller, customer=customer, data=data)
        outbox.record("funds.allocated", partner=dist.partner, customer=customer,
                      data={**data, "indirect_partner_id": reseller.domain_id})
    dispatch_all(send=False)
    told = sorted(Notification.objects.values_list("user__username", flat=True))
    assert told == sorted(["copy.customer", dist.admin.user.username])
    assert Partner.objects.get(pk=dist.partner.pk).is_distributor and clerk.partner_id == dist.partner.pk


def test_a_message_claimed_by_a_sender_that_died_is_sent_once_its_lease_runs_out(world):
    NotificationPreference.objects.create(user=world.admin.user, type=NEWS.code, email=True)
    world.record(NEWS, data={"title": "t"})
    dispatch_all(send=False)
    # A sender took the lease and died before sending: nobody else sends it while the lease holds …
    Notification.objects.filter(email_pending=True).update(email_lease=timezone.now() + notifications.SEND_LEASE)
    assert notifications.send_pending() == 0 and mail.outbox == []
    # … and once it has run out the message goes out, once.
    Notification.objects.filter(email_pending=True).update(email_lease=timezone.now() - timedelta(seconds=1))
    assert notifications.send_pending() == 1 and notifications.send_pending() == 0
    assert len(mail.outbox) == 1


def test_a_message_that_keeps_failing_is_given_up(world, monkeypatch):
    NotificationPreference.objects.create(user=world.admin.user, type=NEWS.code, email=True)
    world.record(NEWS, data={"title": "t"})
    dispatch_all(send=False)
    monkeypatch.setattr(notifications, "send_mail", lambda *a, **k: (_ for _ in ()).throw(OSError("down")))
    for _ in range(notifications.MAX_SEND_FAILURES):
        assert notifications.send_pending() == 0
    assert not Notification.objects.filter(email_pending=True).exists()
    assert Notification.objects.get(user=world.admin.user).send_failures == notifications.MAX_SEND_FAILURES
