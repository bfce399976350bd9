"""What the access area registers when the app starts (operation-log labels, home panels, banners, events)."""

from django.utils.translation import gettext_lazy as _

from partnercenter.oplog import register_actions

from . import errors_access, event_types_access  # noqa: F401  (error codes, event types)

register_actions({
    "programs.new_account_code": _("Send a code to register a new account"),
    "programs.new_account_link": _("Create a new-account registration link"),
    "programs.new_account_register": _("Register a new partner account by link"),
    "programs.reseller_request": _("Ask to become a cloud reseller"),
    "programs.reseller_withdraw": _("Withdraw a cloud reseller request"),
    "programs.reseller_accept": _("Accept a cloud reseller request"),
    "programs.reseller_reject": _("Reject a cloud reseller request"),
})
