from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "billing"
    verbose_name = _("Billing")

    def ready(self):
        from . import errors, oplog_labels, receivers  # noqa: F401  (codes, log labels, reclaim on disassociation)
        from . import dashboard, event_types  # noqa: F401  (the home page's tiles, the events it records)
