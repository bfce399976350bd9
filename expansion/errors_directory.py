"""Error codes of the directory area (企业百科 and 报备客户): CBC.990131xx."""

from django.utils.translation import gettext_lazy as _

from partnercenter.errors import register

__all__ = ["DirectoryCodes"]


class DirectoryCodes:
    # -- 报备客户 (990131 00–19) -------------------------------------------------------------------------
    TAKEN = "CBC.99013100"              # another partner's report protects the enterprise
    ALREADY_REPORTED = "CBC.99013101"   # the partner's own report protects it already
    REFUSED = "CBC.99013102"            # the partner may not report (delisted distributor, not active)
    ENTERPRISE_CLOSED = "CBC.99013103"  # deregistered or licence revoked
    CUSTOMER_MISMATCH = "CBC.99013104"  # the customer is not a verified real-name customer of this enterprise
    NOT_ACTIVE = "CBC.99013105"         # withdraw: the report no longer protects the enterprise


register({
    DirectoryCodes.TAKEN: (409, _("This enterprise was already reported by another partner; it is protected until "
                                  "%(date)s.")),
    DirectoryCodes.ALREADY_REPORTED: (409, _("Your company already reported this enterprise; it is protected until "
                                             "%(date)s.")),
    DirectoryCodes.REFUSED: (403, _("Your company may not report customers.")),
    DirectoryCodes.ENTERPRISE_CLOSED: (400, _("This enterprise is deregistered or its licence was revoked: it "
                                              "cannot be reported.")),
    DirectoryCodes.CUSTOMER_MISMATCH: (400, _("Only an associated customer whose verified real-name name is this "
                                              "enterprise's name can be reported with it.")),
    DirectoryCodes.NOT_ACTIVE: (409, _("This report no longer protects the enterprise (withdrawn or expired).")),
})
