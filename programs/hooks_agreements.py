"""What the agreements area registers when the app starts (operation-log labels, home panels, banners, events)."""

from django.utils.translation import gettext_lazy as _

from partnercenter import panels
from partnercenter.oplog import register_actions

from . import errors_agreements, event_types_agreements  # noqa: F401  (error codes, event types)
from .agreements import banners

register_actions({
    "programs.agreement_publish": _("Publish an agreement"),
    "programs.agreement_sign": _("Sign an agreement"),
    "programs.contracting_entity": _("Change the contracting entity"),
    "programs.certification_save": _("Save business information"),
    "programs.certification_licence": _("Replace the business licence"),
    "programs.certification_submit": _("Submit business information certification"),
    "programs.certification_verify": _("Verify business information certification"),
    "programs.certification_return": _("Return business information certification"),
})

panels.register_banner("programs.agreement", banners)
