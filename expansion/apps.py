from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExpansionConfig(AppConfig):
    """How partners win customers (拓新): invitation links and QR codes (线下拓展), the enterprise directory and
    reports (企业百科, 报备), leads (线索管理) with follow-ups and outbound calls, opportunities shared by the cloud
    (HO, a 3-working-day SLA) or registered by the partner (PO), sales tasks (营销任务) and a cloud reseller's
    entrustment of its customers to its distributor (委托). Imports the core and `customers`; nothing below
    imports it."""

    name = "expansion"
    verbose_name = _("Expansion")

    def ready(self):
        from . import hooks  # noqa: F401  (event types, operation-log labels, customer-page links)
