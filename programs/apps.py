from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgramsConfig(AppConfig):
    """A partner's standing with the cloud (伙伴计划, 发展路径, 等级, 年度复核), what it signed (签署协议), who
    it certified (商业信息认证, 项目专员) and the benefits of its path (测试券, 考试券, 能力认证徽章). Imports
    the core, `customers` and `billing`/`trade` selectors (eligibility) and `vouchers` (granted quotas);
    nothing below imports it (incentives will read its paths, stages and specialists)."""

    name = "programs"
    verbose_name = _("Programmes and benefits")

    def ready(self):
        from . import hooks  # noqa: F401  (home panel, agreement banner, operation-log labels, event types)
