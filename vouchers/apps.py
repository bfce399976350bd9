from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VouchersConfig(AppConfig):
    name = "vouchers"
    verbose_name = _("Vouchers")

    def ready(self):
        from . import errors, oplog_labels, receivers  # noqa: F401
        from . import dashboard, event_types  # noqa: F401  (the home page's tiles, the events it records)
