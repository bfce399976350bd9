"""How the money domain's actions read in the 操作记录 page."""

from django.utils.translation import gettext_lazy as _

from partnercenter.oplog import register_actions

register_actions({
    "funds.allocate": _("Allocate funds"),
    "funds.reclaim": _("Reclaim funds"),
    "funds.allocate_reseller": _("Allocate funds to cloud reseller"),
    "funds.reclaim_reseller": _("Reclaim funds from cloud reseller"),
    "funds.recharge_online": _("Start online recharge"),
    "funds.remittance": _("Record offline remittance"),
    "funds.recharge_succeeded": _("Recharge credited"),
    "funds.recharge_failed": _("Online recharge failed"),
    "funds.recharge_rejected": _("Remittance rejected"),
    "funds.export": _("Export adjustment records"),
    "funds.credit_limit": _("Set credit limit"),
    "funds.consume": _("Customer consumption"),
})
