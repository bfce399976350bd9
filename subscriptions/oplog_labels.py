"""How subscriptions' actions read in the 操作记录 page."""

from django.utils.translation import gettext_lazy as _

from partnercenter.oplog import register_actions

register_actions({
    "subscription.renew": _("Renew resources"),
    "subscription.auto_renew_set": _("Set auto-renew"),
    "subscription.auto_renew_cancel": _("Cancel auto-renew"),
    "subscription.auto_renew_run": _("Auto-renew resources"),
    "subscription.renew_config": _("Change renew settings"),
    "subscription.expire_policy": _("Change what happens at expiry"),
    "subscription.to_on_demand": _("Switch to pay-per-use at expiry"),
    "subscription.to_on_demand_instantly": _("Switch to pay-per-use now"),
    "subscription.unsubscribe": _("Unsubscribe resources"),
    "subscription.advance": _("Move expired resources on"),
    "subscription.export_expiring": _("Export expiring resources"),
})
