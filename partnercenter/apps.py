from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnerCenterConfig(AppConfig):
    name = "partnercenter"
    verbose_name = _("Partner Center")

    def ready(self):
        from django.db.backends.signals import connection_created

        from . import checks  # noqa: F401  (registers our system checks)
        from . import collation

        connection_created.connect(collation.register, dispatch_uid="partnercenter-name-collation")
        from .api import schema  # noqa: F401  (registers the AK/SK scheme with drf-spectacular)
