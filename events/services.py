"""Writes of the notification centre: marking read and a person's channel preferences.

Marking read changes only the reader's own view of their inbox, like opening a mail; it is not a
business operation and is not written to the operation log. Changing one's channels is, so that an
administrator can see why a member stopped receiving e-mails.
"""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partnercenter import oplog
from partnercenter.errors import Codes, DomainError

from . import audiences, selectors
from .models import Notification, NotificationPreference

__all__ = ["mark_read", "mark_all_read", "save_preferences", "can_text"]

oplog.register_actions({"notification.preferences": _("Change notification preferences")})


def mark_read(actor, *, notification_id) -> Notification:
    """Mark one of the actor's notifications read (a second call changes nothing)."""
    notification = selectors.notification_for(actor, notification_id)
    if notification is None:
        raise DomainError(Codes.NOT_FOUND, _("Notification not found."))
    if notification.read_at is None:
        now = timezone.now()
        if Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now):
            notification.read_at = now
        else:
            notification.refresh_from_db(fields=["read_at"])
    return notification


def mark_all_read(actor) -> int:
    """Mark every unread notification of the actor read. Returns how many changed."""
    return selectors.notifications_for(actor).filter(read_at__isnull=True).update(read_at=timezone.now())


def can_text(actor) -> bool:
    """Whether the actor has a mobile number texts can go to."""
    user_id = getattr(actor.user, "pk", None)
    return user_id is not None and user_id in audiences.mobiles_of([user_id])


def save_preferences(actor, *, channels: dict[str, dict]) -> list[NotificationPreference]:
    """Set the actor's e-mail and SMS channels per event type: `{"customer.associated": {"email": True,
    "sms": False}, …}`. Types the actor may not hear about are refused; SMS needs a mobile number. Types
    left out keep their setting; a type with neither channel keeps no row (in-app only)."""
    allowed = {t.code for t in selectors.types_for(actor)}
    unknown = sorted(set(channels) - allowed)
    with oplog.operation(actor, "notification.preferences", detail={"types": sorted(channels)}):
        if unknown:
            raise DomainError(Codes.PARAMETER, _("Unknown event type: %(type)s") % {"type": unknown[0]})
        texts = can_text(actor)
        wanted = {code: (bool(c.get("email")), bool(c.get("sms")) and texts) for code, c in channels.items()}
        user = actor.user
        NotificationPreference.objects.filter(
            user=user, type__in=[code for code, (email, sms) in wanted.items() if not (email or sms)]).delete()
        rows = [NotificationPreference(user=user, type=code, email=email, sms=sms)
                for code, (email, sms) in sorted(wanted.items()) if email or sms]
        if rows:
            NotificationPreference.objects.bulk_create(rows, update_conflicts=True, unique_fields=["user", "type"],
                                                       update_fields=["email", "sms"])
    return rows
