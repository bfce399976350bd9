from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TradeConfig(AppConfig):
    """Trade: rating (询价), partner discounts, orders and their payment. Imports the core, `catalog`,
    `customers`, `billing` (balances and the ledger) and `vouchers` (coupons spent at checkout); the
    subscriptions, bills and incentives work builds on it, nothing below imports it."""

    name = "trade"
    verbose_name = _("Trade")

    def ready(self):
        from . import errors, event_types, oplog_labels  # noqa: F401  (error codes, the events, log labels)
        from . import receivers  # noqa: F401  (payment requests end with a disassociation)
        from . import dashboard  # noqa: F401  (the home page's tile: payment requests waiting)
