"""What the invitations area (线下拓展) plugs into the core when the app starts: error codes, event types,
operation-log labels."""

from django.utils.translation import gettext_lazy as _

from partnercenter.oplog import register_actions

from . import errors_invitations, event_types_invitations  # noqa: F401  (error codes, event types)

register_actions({
    "expansion.link_create": _("Create an invitation link"),
    "expansion.link_revoke": _("Revoke an invitation link"),
    "expansion.join_code": _("Send a registration code (invitation link)"),
    "expansion.join": _("Customer registered through an invitation link"),
})
