from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubscriptionsConfig(AppConfig):
    """Subscriptions: the life of a yearly/monthly resource after its order was paid — expiry and its
    states (grace, retention, release), renewal by hand and automatically, switching to pay-per-use, and
    unsubscribing with its refund. Imports the core, `events`, `catalog`, `customers`, `billing`,
    `vouchers` and `trade` (renewals are trade orders, priced by trade's renewal rating); nothing below
    imports it."""

    name = "subscriptions"
    verbose_name = _("Subscriptions")

    def ready(self):
        from . import errors, event_types, oplog_labels  # noqa: F401  (error codes, the events, log labels)
        from . import pages  # noqa: F401  (the yearly/monthly rows of the customer's resources page)
        from . import receivers  # noqa: F401  (no VAT invoice for an order that was unsubscribed)
        from trade.api.rating import register_renewal_adjuster

        from .renewal import with_unified_expiry

        register_renewal_adjuster(with_unified_expiry)  # renew-rate charges the unified expiry day's days too
