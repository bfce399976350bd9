from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TradeConfig(AppConfig):
    """Trade: rating (询价), partner discounts, orders and their payment. Imports the core, `catalog`,
    `customers`, `billing` (balances and the ledger) and `vouchers` (coupons spent at checkout); the
    subscriptions, bills and incentives work builds on it, nothing below imports it."""

    name = "trade"
    verbose_name = _("Trade")

    def ready(self):
        from . import errors  # noqa: F401  (error codes)
