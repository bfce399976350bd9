"""The notification centre's pages: the bell on every partner and fee-center page, the list (filters,
mark all read, empty state, flat query counts), the detail page (marks read, shows the event and links to
its subject), the preferences, and nobody ever reading another user's notification."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from events import services
from events.choices import Audience
from events.dispatch import dispatch_all
from events.models import Event, Notification, NotificationPreference
from events.types import EventType
from partnercenter.errors import DomainError
from partnercenter.models import OperationLog

from ..conftest import actor_of, login_client
from .test_notifications import BILLING, CHANGE, NEWS, World, registered

pytestmark = pytest.mark.django_db

LINKED = EventType("test.linked", "Linked event", audience=Audience.BOTH, summary="Linked %(account_name)s",
                   link=lambda event, side: "/customers/events/?customer=x" if side == "partner" else "/fee-center/")


@pytest.fixture
def world(db):
    with registered(NEWS, CHANGE, BILLING, LINKED):
        yield World()


def _notify(world, event_type=NEWS, n=1, **kwargs):
    events = [world.record(event_type, **kwargs) for _ in range(n)]
    dispatch_all(send=False)
    return events


def _mine(user, event):
    return Notification.objects.get(user=user, event=event)


# -------------------------------------------------------------------------------------------------
# The bell
# -------------------------------------------------------------------------------------------------

def test_the_bell_shows_the_unread_count_on_partner_and_fee_center_pages(world):
    _notify(world, NEWS, n=3)
    _notify(world, LINKED, customer=world.referral, data={"account_name": "r"})
    admin = login_client(world.admin.user)
    for url in (reverse("home"), reverse("customers:list"), reverse("notifications:list")):
        body = admin.get(url).content.decode()
        assert 'id="bell"' in body and f'href="{reverse("notifications:list")}"' in body
        assert '<span class="bell-count">4</span>' in body, url
    owner = login_client(world.owner.user)
    body = owner.get(reverse("fee_center")).content.decode()
    assert f'href="{reverse("fee_center_notifications")}"' in body
    assert '<span class="bell-count">1</span>' in body
    Notification.objects.filter(user=world.owner.user).update(read_at=timezone.now())
    assert 'class="bell-count"' not in owner.get(reverse("fee_center")).content.decode()


def test_the_bell_counts_at_most_99_plus(world):
    _notify(world, NEWS, n=120)
    body = login_client(world.am.user).get(reverse("home")).content.decode()
    assert '<span class="bell-count">99+</span>' in body


def test_the_bell_costs_one_statement_per_page(world):
    client = login_client(world.am.user)
    page = reverse("customers:list")  # a page that reads no notifications of its own
    client.get(page)

    def bell_statements():
        with CaptureQueriesContext(connection) as queries:
            client.get(page)
        return [q["sql"] for q in queries if "events_notification" in q["sql"]]

    assert len(bell_statements()) == 1
    _notify(world, NEWS, n=30)
    counted = bell_statements()
    assert len(counted) == 1 and "LIMIT 100" in counted[0]


# -------------------------------------------------------------------------------------------------
# The list
# -------------------------------------------------------------------------------------------------

def test_the_list_shows_ones_own_notifications_with_filters(world):
    news = _notify(world, NEWS, data={"title": "first"})[0]
    billing = _notify(world, BILLING, data={"what": "closed"})[0]
    Notification.objects.filter(user=world.admin.user, event=news).update(read_at=timezone.now())
    client = login_client(world.admin.user)
    url = reverse("notifications:list")

    body = client.get(url).content.decode()
    assert "News: first" in body and "Billing closed" in body
    assert 'class="filters"' in body and 'name="state"' in body and 'name="type"' in body
    assert 'name="created_from"' in body and 'name="created_to"' in body

    unread = client.get(url, {"state": "unread"}).content.decode()
    assert "Billing closed" in unread and "News: first" not in unread
    read = client.get(url, {"state": "read"}).content.decode()
    assert "News: first" in read and "Billing closed" not in read
    by_type = client.get(url, {"type": NEWS.code}).content.decode()
    assert "News: first" in by_type and "Billing closed" not in by_type
    Event.objects.filter(pk=billing.pk).update(created_at=timezone.now() - timedelta(days=10))
    day = (timezone.localtime() - timedelta(days=1)).date().isoformat()
    recent = client.get(url, {"created_from": day}).content.decode()
    assert "News: first" in recent and "Billing closed" not in recent
    older = client.get(url, {"created_to": day}).content.decode()
    assert "Billing closed" in older and "News: first" not in older
    bad = client.get(url, {"created_from": "not-a-date"})
    assert bad.status_code == 200 and 'class="bad"' in bad.content.decode()
    nothing = client.get(url, {"type": NEWS.code, "state": "unread"}).content.decode()
    assert 'class="empty"' in nothing


def test_the_type_filter_offers_only_what_the_member_may_hear_about(world):
    body = login_client(world.am.user).get(reverse("notifications:list")).content.decode()
    assert f'value="{NEWS.code}"' in body and f'value="{CHANGE.code}"' in body
    assert f'value="{BILLING.code}"' not in body  # billing.view: not this account manager's


def test_an_empty_list_says_so(world):
    body = login_client(world.am2.user).get(reverse("notifications:list")).content.decode()
    assert 'class="empty"' in body and "notification-link" not in body


def test_mark_all_read(world):
    _notify(world, NEWS, n=3)
    client = login_client(world.lead.user)
    assert client.get(reverse("notifications:read_all")).status_code == 405
    response = client.post(reverse("notifications:read_all"))
    assert response.status_code == 302 and response["Location"] == reverse("notifications:list")
    assert not Notification.objects.filter(user=world.lead.user, read_at__isnull=True).exists()
    assert Notification.objects.filter(user=world.admin.user, read_at__isnull=True).count() == 3  # others' stay
    owner = login_client(world.owner.user)
    _notify(world, LINKED, customer=world.referral, data={"account_name": "r"})
    assert owner.post(reverse("fee_center_notifications_read_all")).status_code == 302
    assert not Notification.objects.filter(user=world.owner.user, read_at__isnull=True).exists()
    assert Notification.objects.filter(user=world.colleague.user, read_at__isnull=True).exists()


@pytest.mark.parametrize("side", ["partner", "customer"])
def test_the_list_runs_the_same_statements_for_few_and_many_rows(world, side):
    user = world.admin.user if side == "partner" else world.owner.user
    url = reverse("notifications:list" if side == "partner" else "fee_center_notifications")
    client = login_client(user)

    def statements():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    _notify(world, LINKED, n=3, customer=world.referral, data={"account_name": "r"})
    few = statements()
    _notify(world, LINKED, n=40, customer=world.referral, data={"account_name": "r"})
    many = statements()
    assert few == many
    assert client.get(url, {"page": 2}).status_code == 200


# -------------------------------------------------------------------------------------------------
# The detail page
# -------------------------------------------------------------------------------------------------

def test_the_detail_page_marks_read_and_shows_the_event(world):
    event = _notify(world, LINKED, customer=world.referral, data={"account_name": "杭州客户", "customer_id": "c1"})[0]
    notification = _mine(world.am.user, event)
    client = login_client(world.am.user)
    body = client.get(reverse("notifications:detail", args=[notification.pk])).content.decode()
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert "Linked event" in body and "Linked 杭州客户" in body
    assert 'href="/customers/events/?customer=x"' in body
    assert "<dt><code>customer_id</code></dt><dd>c1</dd>" in body
    assert timezone.localtime(event.created_at).strftime("%Y-%m-%d %H:%M:%S") in body  # China time, |moment
    # The customer side links to the customer's side of the subject.
    owner_notification = _mine(world.owner.user, event)
    body = login_client(world.owner.user).get(reverse("fee_center_notification", args=[owner_notification.pk]))
    assert 'href="/fee-center/"' in body.content.decode()
    # … and shows the customer neither who acted at the partner nor the partner's data
    assert "event-data" not in body.content.decode() and "<dd>c1</dd>" not in body.content.decode()


def test_another_users_notification_is_not_found(world):
    event = _notify(world, LINKED, customer=world.referral, data={"account_name": "r"})[0]
    admins = _mine(world.admin.user, event)
    owners = _mine(world.owner.user, event)
    other = World("z")
    for client in (login_client(world.am.user), login_client(other.admin.user)):
        assert client.get(reverse("notifications:detail", args=[admins.pk])).status_code == 404
        assert client.get(reverse("notifications:detail", args=[owners.pk])).status_code == 404
    fee_center = login_client(world.colleague.user), login_client(world.owner.user)
    assert fee_center[0].get(reverse("fee_center_notification", args=[owners.pk])).status_code == 404
    assert fee_center[1].get(reverse("fee_center_notification", args=[admins.pk])).status_code == 404
    assert not Notification.objects.filter(read_at__isnull=False).exists()
    # Each side's pages are closed to the other kind of user.
    assert login_client(world.owner.user).get(reverse("notifications:list")).status_code == 403
    assert login_client(world.admin.user).get(reverse("fee_center_notifications")).status_code == 403
    assert login_client(world.admin.user).get(reverse("notifications:detail", args=[987654])).status_code == 404


# -------------------------------------------------------------------------------------------------
# Preferences
# -------------------------------------------------------------------------------------------------

def test_preferences_list_the_types_the_member_may_hear_about_and_save(world):
    client = login_client(world.am.user)
    url = reverse("notifications:preferences")
    body = client.get(url).content.decode()
    assert f'name="email:{NEWS.code}"' in body and f'name="email:{CHANGE.code}"' in body
    assert f'name="email:{BILLING.code}"' not in body
    assert 'name="sms:' not in body  # a member has no mobile number
    response = client.post(url, {f"email:{CHANGE.code}": "on", f"sms:{CHANGE.code}": "on",
                                 f"email:{BILLING.code}": "on"})  # SMS: no mobile; billing: not this member's
    assert response.status_code == 302
    assert list(NotificationPreference.objects.filter(user=world.am.user).values_list("type", "email", "sms")) == [
        (CHANGE.code, True, False)]
    assert f'name="email:{CHANGE.code}" id="email-' in client.get(url).content.decode()
    assert OperationLog.objects.filter(action="notification.preferences", actor_user=world.am.user).exists()
    client.post(url, {})  # everything off: in-app only, no rows
    assert not NotificationPreference.objects.filter(user=world.am.user).exists()


def test_a_customer_owner_with_a_mobile_may_choose_sms(world):
    client = login_client(world.owner.user)
    url = reverse("fee_center_notification_preferences")
    body = client.get(url).content.decode()
    assert f'name="sms:{LINKED.code}"' in body and f'name="email:{NEWS.code}"' not in body
    client.post(url, {f"sms:{LINKED.code}": "on"})
    assert NotificationPreference.objects.get(user=world.owner.user).sms is True
    assert 'name="sms:' not in login_client(world.colleague.user).get(url).content.decode()


def test_preferences_refuse_a_type_the_member_may_not_hear_about(world):
    with pytest.raises(DomainError):
        services.save_preferences(actor_of(world.am), channels={BILLING.code: {"email": True}})
    assert not NotificationPreference.objects.exists()
