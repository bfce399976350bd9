from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnerCenterConfig(AppConfig):
    name = "partnercenter"
    verbose_name = _("Partner Center")

    def ready(self):
        from . import checks  # noqa: F401  (registers our system checks)
        from .api import schema  # noqa: F401  (registers the AK/SK scheme with drf-spectacular)
