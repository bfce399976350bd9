from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    """The product catalogue (service types, resource types, usage types, measurement units, regions,
    products and their prices) — reference data in the core layer: it imports only `partnercenter`, so
    every domain app may name a service type by its catalogue name. Pricing (rating) lives in `trade`."""

    name = "catalog"
    verbose_name = _("Product catalogue")

    def ready(self):
        from .selectors import connect_signals

        connect_signals()
