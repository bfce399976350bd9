from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncentivesConfig(AppConfig):
    """激励: incentive policies, the monthly incentive run over closed consumption, 激励明细 and 业绩管理,
    激励对账 (statements confirmed, disputed and made final into the rebate account), 激励返点提现, and the FH
    staff incentive (专职人员激励) with its 14-working-day check. Imports the core, `billing`, `bills`,
    `customers`, `catalog` and `programs`; nothing imports it."""

    name = "incentives"
    verbose_name = _("Incentives")

    def ready(self):
        from . import hooks  # noqa: F401  (event types, operation-log labels)
