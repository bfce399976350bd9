"""Notifications: who is told about an event (fan_out) and the e-mails and texts they asked for (send_pending).

Who is told, per event type (events/types.py):
- partner audience: the partner's active members whose permissions (partnercenter.actors.
  effective_permissions, as their actor would hold them) include the type's `permission`; when the event
  names a customer, a member who does not see all customers (no `customers.view_all`) is told only if the
  event's account manager is in its team (the same data scope as customers.selectors), so an account
  manager hears about its own customers only;
- customer audience: the active users of the event's customer (events.audiences, filled in by customers);
- both: both — an event without a partner (a customer that has none) only its customer's users.

`fan_out` runs in the dispatcher's transaction and reads everything for a batch at once — the members
of the batch's partners with their roles, the customers' users, the recipients' preferences — then
inserts the rows in one INSERT that ignores the unique (user, event): a batch costs the same few
statements whatever its size, and an event dispatched twice tells nobody twice.

The person who acted in a page is not told of its own act; a distributor's copy of an event in its cloud
reseller's book (`indirect_partner_id`) tells only its members with resellers.view, never the customer.

`send_pending` runs after the commit. Each message is claimed by a conditional UPDATE that takes a lease
(SEND_LEASE), so of two concurrent senders one sends it; the flag is cleared once it went out. A send that
fails frees the lease for the next run (given up after MAX_SEND_FAILURES), and a sender that dies leaves
the lease to run out: a message goes out at least once.
"""

import logging
from collections import defaultdict
from datetime import timedelta
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from partnercenter.actors import effective_permissions
from partnercenter.models import Member
from partnercenter.sms import send_sms

from . import audiences, types
from .choices import Audience
from .models import Notification, NotificationPreference

__all__ = ["fan_out", "send_pending", "recipients", "link_for", "SEND_LIMIT"]

logger = logging.getLogger("events.notifications")

SEND_LIMIT = 500  # messages per channel per run; the next run takes the rest
SEND_LEASE = timedelta(minutes=10)  # a claimed message not sent by then is sent again
MAX_SEND_FAILURES = 5  # a message that failed this often is given up (logged each time)
PARTNER_SIDE = (Audience.PARTNER, Audience.BOTH)
CUSTOMER_SIDE = (Audience.CUSTOMER, Audience.BOTH)


# -------------------------------------------------------------------------------------------------
# Who is told
# -------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Listener:
    user_id: int
    permissions: frozenset
    team: frozenset | None  # None: sees all customers


def _teams(members) -> dict[int, frozenset]:
    """partnercenter.actors.team_of for every member at once, from rows already read."""
    reports = defaultdict(list)
    for member in members:
        if member.supervisor_id:
            reports[(member.partner_id, member.supervisor_id)].append(member.pk)
    teams = {}
    for member in members:
        seen, frontier = {member.pk}, [member.pk]
        while frontier:
            frontier = [pk for boss in frontier for pk in reports.get((member.partner_id, boss), ()) if pk not in seen]
            seen.update(frontier)
        teams[member.pk] = frozenset(seen)
    return teams


def _listeners(partner_ids) -> dict[int, list[_Listener]]:
    """The active members of each partner with what they may hear about (two statements)."""
    members = list(Member.objects.filter(partner_id__in=partner_ids).select_related("partner")
                   .prefetch_related("roles").annotate(user_active=F("user__is_active")).order_by("pk"))
    teams = _teams(members)
    found = defaultdict(list)
    for member in members:
        if not member.user_active:
            continue
        granted = set()
        for role in member.roles.all():
            granted |= role.granted()
        permissions = effective_permissions(member.partner, granted)
        team = None if "customers.view_all" in permissions else teams[member.pk]
        found[member.partner_id].append(_Listener(member.user_id, permissions, team))
    return found


def _is_resellers_copy(event) -> bool:
    """A distributor's copy of an event in its cloud reseller's book (the services add
    `indirect_partner_id`): the reseller's own event tells the customer; the copy tells the distributor's
    members who may read that reseller's book."""
    return bool((event.data or {}).get("indirect_partner_id"))


def _hears(listener: _Listener, event, event_type) -> bool:
    if event_type.permission and event_type.permission not in listener.permissions:
        return False
    if _is_resellers_copy(event):
        return "resellers.view" in listener.permissions
    # An account manager hears of a customer's (or a lead's: account_manager without a customer) event only
    # when its team holds it; an event naming neither is the whole partner's.
    if listener.team is not None and (event.customer_pk is not None or event.account_manager_id is not None):
        return event.account_manager_id is not None and event.account_manager_id in listener.team
    return True


def recipients(events) -> dict[int, list[int]]:
    """{event pk: [user id, …]} of the users told about each event (no duplicates)."""
    known = [(event, types.get(event.type)) for event in events]
    known = [(event, event_type) for event, event_type in known if event_type is not None and event_type.notify]
    partner_side = [(e, t) for e, t in known if t.audience in PARTNER_SIDE]
    customer_side = [(e, t) for e, t in known
                     if t.audience in CUSTOMER_SIDE and e.customer_pk is not None and not _is_resellers_copy(e)]
    partners = {e.partner_id for e, _t in partner_side if e.partner_id is not None}  # none: the customer's only
    listeners = _listeners(partners) if partners else {}
    users_of = audiences.users_of_customers(e.customer_pk for e, _t in customer_side) if customer_side else {}
    told: dict[int, list[int]] = {}
    for event, event_type in known:
        users = []
        if event_type.audience in PARTNER_SIDE:
            users += [one.user_id for one in listeners.get(event.partner_id, ()) if _hears(one, event, event_type)]
        if event_type.audience in CUSTOMER_SIDE and event.customer_pk is not None and not _is_resellers_copy(event):
            users += users_of.get(event.customer_pk, [])
        users = [user for user in dict.fromkeys(users) if user != event.actor_user_id]  # not about their own act
        if users:
            told[event.pk] = users
    return told


def fan_out(events, *, now) -> int:
    """Create the notifications of a batch of events (inside the dispatcher's transaction). Returns how
    many rows were offered (rows that already existed are skipped by the database)."""
    told = recipients(events)
    if not told:
        return 0
    type_of = {event.pk: event.type for event in events}
    users = {user_id for user_ids in told.values() for user_id in user_ids}
    preferences = {
        (user_id, type_code): (email, sms)
        for user_id, type_code, email, sms in NotificationPreference.objects.filter(
            user_id__in=users, type__in=set(type_of.values())).values_list("user_id", "type", "email", "sms")
    }
    rows = []
    for event_pk, user_ids in told.items():
        for user_id in user_ids:
            email, sms = preferences.get((user_id, type_of[event_pk]), (False, False))
            rows.append(Notification(user_id=user_id, event_id=event_pk, created_at=now,
                                     email_pending=email, sms_pending=sms))
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


# -------------------------------------------------------------------------------------------------
# E-mail and SMS
# -------------------------------------------------------------------------------------------------

def _is_member(user) -> bool:
    try:
        return user.member is not None
    except Member.DoesNotExist:
        return False


def link_for(notification) -> str:
    """The notification's page on the recipient's side (partner or fee center), absolute when SITE_URL is set."""
    if _is_member(notification.user):
        path = reverse("notifications:detail", args=[notification.pk])
    else:
        path = reverse("fee_center_notification", args=[notification.pk])
    return getattr(settings, "SITE_URL", "").rstrip("/") + path


def _language_of(user) -> str:
    """The recipient's language where the account keeps one, else the product's first language (zh-hans)."""
    chosen = getattr(user, "language", "") or ""
    return chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def _message(notification) -> tuple[str, str, str]:
    """(subject, e-mail body, SMS text) in the recipient's language."""
    event = notification.event
    member = _is_member(notification.user)
    with translation.override(_language_of(notification.user)):
        site = _("Partner Center") if member else _("Billing Center")
        link = link_for(notification)
        subject = f"[{site}] {event.label}"
        said = event.text_for(types.PARTNER_SIDE if member else types.CUSTOMER_SIDE)
        body = "\n\n".join([said, _("View it in the %(site)s: %(link)s") % {"site": site, "link": link}])
        text = f"【{site}】{said} {link}"
    return subject, body, text


def _send_one(channel, notification, mobiles) -> bool:
    """Send one claimed message; False when the recipient has no address for the channel."""
    subject, body, text = _message(notification)
    if channel == "email":
        if not notification.user.email:
            return False
        send_mail(subject, body, None, [notification.user.email])
    else:
        mobile = mobiles.get(notification.user_id)
        if not mobile:
            return False
        send_sms(mobile, text)
    return True


def _send_channel(channel: str, limit: int) -> int:
    flag, lease = f"{channel}_pending", f"{channel}_lease"
    now = timezone.now()
    free = Q(**{f"{lease}__isnull": True}) | Q(**{f"{lease}__lte": now})
    ids = list(Notification.objects.filter(free, **{flag: True}).order_by("pk").values_list("pk", flat=True)[:limit])
    if not ids:
        return 0
    rows = {n.pk: n for n in Notification.objects.filter(pk__in=ids)
            .select_related("user", "user__member", "event", "event__partner")}
    mobiles = audiences.mobiles_of(n.user_id for n in rows.values()) if channel == "sms" else {}
    sent = 0
    for pk in ids:
        # The claim: only the sender whose UPDATE takes the lease sends; one that dies leaves the lease to
        # run out, and the message is sent again (at least once).
        if not Notification.objects.filter(free, pk=pk, **{flag: True}).update(**{lease: now + SEND_LEASE}):
            continue
        try:
            sent += _send_one(channel, rows[pk], mobiles)
        except Exception:  # noqa: BLE001 — one bad message must not stop the others; retried next run
            logger.exception("sending %s for notification %s failed", channel, pk)
            failures = rows[pk].send_failures + 1
            give_up = {flag: False} if failures >= MAX_SEND_FAILURES else {}
            Notification.objects.filter(pk=pk).update(send_failures=F("send_failures") + 1, **{lease: None},
                                                       **give_up)
        else:
            Notification.objects.filter(pk=pk).update(**{flag: False, lease: None})
    return sent


def send_pending(limit: int = SEND_LIMIT) -> int:
    """Send the e-mails and texts notifications owe. Returns how many went out."""
    return _send_channel("email", limit) + _send_channel("sms", limit)
