"""Error codes of the standing area (programmes, levels, paths): CBC.990120xx."""

from django.utils.translation import gettext_lazy as _

from partnercenter.errors import register

__all__ = ["StandingCodes"]


class StandingCodes:
    JOIN_REFUSED = "CBC.99012001"
    NOT_APPLICABLE = "CBC.99012002"
    LEVEL_REFUSED = "CBC.99012003"
    NOT_PENDING = "CBC.99012004"
    REQUIREMENTS_NOT_MET = "CBC.99012005"
    LAST_STAGE = "CBC.99012006"
    NOT_CONFIRMABLE = "CBC.99012007"
    ALREADY_ON_PATH = "CBC.99012008"
    REASON_REQUIRED = "CBC.99012009"
    NOT_JOINED = "CBC.99012010"


register({
    StandingCodes.JOIN_REFUSED: (400, _("Your account cannot join this programme.")),
    StandingCodes.NOT_APPLICABLE: (400, _("This programme is not applied for here.")),
    StandingCodes.LEVEL_REFUSED: (400, _("Your partner level cannot be raised now.")),
    StandingCodes.NOT_PENDING: (409, _("This application has already been decided.")),
    StandingCodes.REQUIREMENTS_NOT_MET: (400, _("The requirements of the next stage are not all met.")),
    StandingCodes.LAST_STAGE: (400, _("The partner is already at the last stage of this path.")),
    StandingCodes.NOT_CONFIRMABLE: (400, _("Only a requirement confirmed by an operator can be confirmed.")),
    StandingCodes.ALREADY_ON_PATH: (409, _("The partner is already on this path.")),
    StandingCodes.REASON_REQUIRED: (400, _("Give a reason for the rejection.")),
    StandingCodes.NOT_JOINED: (409, _("Only a joined programme membership can be ended.")),
})
