"""What the leads area plugs into the core when the app starts: error codes, event types, operation-log
labels and the system check of the call backend."""

from django.utils.translation import gettext_lazy as _

from partnercenter.oplog import register_actions

from . import checks_leads, errors_leads, event_types_leads  # noqa: F401  (checks, error codes, event types)

register_actions({
    "expansion.lead_create": _("Create a lead"),
    "expansion.lead_dispatch": _("Dispatch a lead"),
    "expansion.lead_update": _("Change a lead"),
    "expansion.lead_assign": _("Assign a lead"),
    "expansion.lead_status": _("Change a lead's status"),
    "expansion.lead_follow_up": _("Record a lead follow-up"),
    "expansion.lead_call": _("Call a lead's contact (outbound call)"),
    "expansion.lead_convert_customer": _("Convert a lead to a customer"),
    "expansion.lead_convert_opportunity": _("Convert a lead to an opportunity"),
    "expansion.lead_export": _("Export leads"),
    "expansion.marketing_plan": _("Change marketing plan 2.0"),
})
