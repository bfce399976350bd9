from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    """Domain events (the outbox), notifications and signed webhooks — part of the core layer:
    it imports only `partnercenter`; every domain app records its events through `events.outbox`."""

    name = "events"
    verbose_name = _("Events and notifications")

    def ready(self):
        from . import core_types, dashboard, errors  # noqa: F401  (the webhook event type, action labels, error
        # codes and the unread tile of the home page)
