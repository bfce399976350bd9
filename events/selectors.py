"""Every read of notifications, scoped to the actor: a person reads only their own, whoever they are
(member or customer user) — another user's notification is simply not found."""

from django.db.models import QuerySet

from . import types
from .choices import Audience
from .models import Notification, NotificationPreference

__all__ = ["notifications_for", "notification_for", "unread_count", "UNREAD_CAP", "types_for", "preferences_for"]

UNREAD_CAP = 100  # the bell counts at most this many (shown as "99+"): the count stays cheap however many there are


def notifications_for(actor) -> QuerySet:
    """The actor's notifications, newest first, with their events (one statement per page)."""
    user_id = getattr(actor.user, "pk", None)
    if user_id is None or not (actor.is_partner or actor.is_customer):
        return Notification.objects.none()
    return Notification.objects.filter(user_id=user_id).select_related("event").order_by("-id")


def notification_for(actor, pk) -> Notification | None:
    return notifications_for(actor).select_related("event__partner").filter(pk=pk).first()


def unread_count(user, *, cap: int = UNREAD_CAP) -> int:
    """At most `cap` unread notifications of the user, counted on the partial index `notification_unread`."""
    if getattr(user, "pk", None) is None:
        return 0
    return Notification.objects.filter(user_id=user.pk, read_at__isnull=True).order_by()[:cap].count()


def types_for(actor) -> list:
    """The event types the actor may be told about: for a member, the partner-side types whose permission
    it holds; for a customer user, the customer-side types."""
    if actor.is_partner:
        return [t for t in types.all_types(audience=Audience.PARTNER)
                if t.notify and (not t.permission or actor.has_perm(t.permission))]
    if actor.is_customer:
        return [t for t in types.all_types(audience=Audience.CUSTOMER) if t.notify]
    return []


def preferences_for(actor) -> dict[str, NotificationPreference]:
    if getattr(actor.user, "pk", None) is None:
        return {}
    return {p.type: p for p in NotificationPreference.objects.filter(user_id=actor.user.pk)}
