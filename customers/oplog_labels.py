"""How the customers domain's actions read in the 操作记录 page."""

from django.utils.translation import gettext_lazy as _

from partnercenter.oplog import register_actions

register_actions({
    "customer.send_code": _("Send registration code"),
    "customer.create": _("Register customer"),
    "customer.reveal": _("Show masked customer details"),
    "customer.export": _("Export customers"),
    "customer.assign_manager": _("Assign account manager"),
    "association.request_disassociation": _("Request disassociation"),
    "association.request_type_switch": _("Request association type switch"),
    "association.approve": _("Approve association request"),
    "association.reject": _("Reject association request"),
    "association.cancel": _("Withdraw association request"),
    "ops.request": _("Request delegated operations"),
    "ops.authorize": _("Authorize delegated operations"),
    "ops.cancel": _("Cancel delegated operations"),
    "ops.revoke": _("Withdraw delegated operations request"),
})
