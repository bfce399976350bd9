"""How the vouchers domain's actions read in the 操作记录 page."""

from django.utils.translation import gettext_lazy as _

from partnercenter.oplog import register_actions

register_actions({
    "coupons.issue": _("Issue coupons"),
    "coupons.reclaim": _("Reclaim coupon"),
    "quotas.issue_reseller": _("Issue quota to cloud reseller"),
    "quotas.reclaim_reseller": _("Reclaim quota from cloud reseller"),
    "coupons.export": _("Export issued coupons"),
    "vouchers.expire": _("Expire coupons and quotas"),
})
