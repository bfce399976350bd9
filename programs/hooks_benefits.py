"""What the benefits area registers when the app starts (operation-log labels, home panels, banners, events).

The operation-log labels are registered by the service modules themselves (next to their actions, as
bills.thresholds does), so importing them here is enough; the event types by event_types_benefits."""

from . import badges, benefits, errors_benefits, event_types_benefits, profiles, specialists  # noqa: F401
