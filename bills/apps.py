from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillsConfig(AppConfig):
    """Consumption and bills: usage records in (资源详单), rated and deducted into fee records (消费记录) —
    resource packages first, then coupons, then cash, the rest arrears — month close (月结) into the
    customers' monthly sums and the partners' bills (伙伴账单), low-balance thresholds, and the pages,
    charts and CBC endpoints that read them. Imports the core, `events`, `catalog`, `customers`,
    `billing`, `vouchers` and `trade` (rating uses trade's pricing; paid orders become fee records);
    `subscriptions` only to read refunds. Nothing below imports it (incentives will read its sums)."""

    name = "bills"
    verbose_name = _("Consumption and bills")

    def ready(self):
        from . import errors, event_types  # noqa: F401  (error codes, bill.closed and balance.low)
        from . import closing, exports, thresholds  # noqa: F401  (their operation-log and export labels)
        from . import fee_center_pages  # noqa: F401  (the spendable balance on the fee center's overview)
        from . import receivers  # noqa: F401  (arrears are paid first when money reaches a customer)
