"""The notification centre (消息通知): a member's under /notifications/, a customer user's in the fee
center under /fee-center/notifications/. The same views serve both sides; `SIDES` names each side's pages.
Everyone reads only their own notifications (events.selectors): another user's id is not found."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from partnercenter.errors import DomainError
from partnercenter.pages import customer_page, form_error, member_page, paginate

from . import selectors, services
from .filters import NotificationFilter

__all__ = [
    "notification_list", "notification_detail", "read_all", "preferences",
    "fee_center_notifications", "fee_center_notification", "fee_center_read_all", "fee_center_preferences",
]

SIDES = {
    "partner": {"list": "notifications:list", "detail": "notifications:detail", "read_all": "notifications:read_all",
                "preferences": "notifications:preferences"},
    "customer": {"list": "fee_center_notifications", "detail": "fee_center_notification",
                 "read_all": "fee_center_notifications_read_all", "preferences": "fee_center_notification_preferences"},
}


def _list(request, side):
    filters = NotificationFilter(request.GET or None, queryset=selectors.notifications_for(request.actor),
                                 request=request)
    page = paginate(request, filters.qs)
    return render(request, "events/notification_list.html", {
        "form": filters.form, "page": page, "side": side, "urls": SIDES[side],
        "filtered": any(request.GET.get(name) for name in filters.form.fields),
    })


def _detail(request, pk, side):
    try:
        notification = services.mark_read(request.actor, notification_id=pk)
    except DomainError as exc:
        raise Http404 from exc
    event = notification.event
    return render(request, "events/notification_detail.html", {
        "notification": notification, "event": event, "link": event.link(side), "side": side, "urls": SIDES[side],
        "data": sorted(event.data.items()) if isinstance(event.data, dict) else [],
    })


def _read_all(request, side):
    changed = services.mark_all_read(request.actor)
    text = ngettext("%(count)d notification marked as read.", "%(count)d notifications marked as read.", changed)
    messages.success(request, text % {"count": changed})
    return redirect(SIDES[side]["list"])


def _preferences(request, side):
    actor = request.actor
    event_types = selectors.types_for(actor)
    texts = services.can_text(actor)
    if request.method == "POST":
        channels = {t.code: {"email": f"email:{t.code}" in request.POST,
                             "sms": texts and f"sms:{t.code}" in request.POST} for t in event_types}
        try:
            services.save_preferences(actor, channels=channels)
        except DomainError as exc:
            form_error(request, None, exc)
        else:
            messages.success(request, _("Notification preferences saved."))
            return redirect(SIDES[side]["preferences"])
    saved = selectors.preferences_for(actor)
    rows = [{"type": t, "email": t.code in saved and saved[t.code].email, "sms": t.code in saved and saved[t.code].sms}
            for t in event_types]
    return render(request, "events/preferences.html", {
        "rows": rows, "texts": texts, "has_email": bool(actor.user.email), "side": side, "urls": SIDES[side],
    })


# -- 伙伴中心 --------------------------------------------------------------------------------------

@member_page()
def notification_list(request):
    return _list(request, "partner")


@member_page()
def notification_detail(request, pk):
    return _detail(request, pk, "partner")


@member_page()
@require_POST
def read_all(request):
    return _read_all(request, "partner")


@member_page()
def preferences(request):
    return _preferences(request, "partner")


# -- 费用中心 --------------------------------------------------------------------------------------

@customer_page
def fee_center_notifications(request):
    return _list(request, "customer")


@customer_page
def fee_center_notification(request, pk):
    return _detail(request, pk, "customer")


@customer_page
@require_POST
def fee_center_read_all(request):
    return _read_all(request, "customer")


@customer_page
def fee_center_preferences(request):
    return _preferences(request, "customer")
