from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "customers"
    verbose_name = _("Customers")

    def ready(self):
        from . import errors, oplog_labels  # noqa: F401  (register error codes and action labels)
        from . import event_audience  # noqa: F401  (tell the events app who a customer's users are)
        from . import dashboard, event_types  # noqa: F401  (the home page's tiles, the events it records)
