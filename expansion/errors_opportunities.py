"""Error codes of opportunities (机会点 HO/PO): CBC.990133xx."""

from django.utils.translation import gettext_lazy as _

from partnercenter.errors import register

__all__ = ["OpportunityCodes", "NO_ACCOUNT_WARNING", "NOTHING_CHANGED"]

# 无账号报备: Huawei's own warning (共享给华为(PO) FAQ), shown on the form and by the API when it is not acknowledged.
NO_ACCOUNT_WARNING = _(
    "Registering an opportunity without a customer account (无账号报备) is risky: the CRM system may release it "
    "to the public pool. Invite the customer to register a Huawei Cloud account first, then register the "
    "opportunity with the account.")

# 机会点更新 saved with nothing changed and no note: not an error (nothing is written or logged), only this message.
NOTHING_CHANGED = _("Nothing was changed.")


class OpportunityCodes:
    # -- HO: accepting and rejecting (990133 00–09) ------------------------------------------------------
    NOT_PENDING = "CBC.99013300"
    DEADLINE_PASSED = "CBC.99013301"
    NOT_HO = "CBC.99013302"
    REASON_REQUIRED = "CBC.99013303"
    # -- PO: registering and the operators' decisions (990133 10–19) -------------------------------------
    NOT_PO = "CBC.99013310"
    NO_ACCOUNT_NOT_ACKNOWLEDGED = "CBC.99013311"
    CUSTOMER_NOT_ASSOCIATED = "CBC.99013312"
    NOT_RELEASABLE = "CBC.99013313"
    # -- updates and collaborators (990133 20–29) --------------------------------------------------------
    NOT_OPEN = "CBC.99013320"
    # CBC.99013321 retired (was NOTHING_CHANGED: an unchanged save is no longer refused); do not reuse it
    TOO_MANY_COLLABORATORS = "CBC.99013322"
    # -- sharing (990133 30–39) --------------------------------------------------------------------------
    PARTNER_INACTIVE = "CBC.99013330"
    CUSTOMER_OF_ANOTHER_PARTNER = "CBC.99013331"


register({
    OpportunityCodes.NOT_PENDING: (409, _("The opportunity is no longer waiting for a decision.")),
    OpportunityCodes.DEADLINE_PASSED: (409, _(
        "The deadline for accepting this opportunity has passed: it is rejected by default and recalled.")),
    OpportunityCodes.NOT_HO: (400, _("Only an opportunity shared by Huawei Cloud (HO) can be accepted or rejected.")),
    OpportunityCodes.REASON_REQUIRED: (400, _("Say why.")),
    OpportunityCodes.NOT_PO: (400, _("Only an opportunity registered by a partner (PO) can be approved, rejected or "
                                     "released.")),
    OpportunityCodes.NO_ACCOUNT_NOT_ACKNOWLEDGED: (400, NO_ACCOUNT_WARNING),
    OpportunityCodes.CUSTOMER_NOT_ASSOCIATED: (400, _("The customer account is not one of your customers.")),
    OpportunityCodes.NOT_RELEASABLE: (409, _("Only a pending or approved opportunity can be released to the public "
                                             "pool.")),
    OpportunityCodes.NOT_OPEN: (409, _(
        "Updates take effect only on an accepted (HO) or approved (PO) opportunity that is not closed.")),
    OpportunityCodes.TOO_MANY_COLLABORATORS: (400, _("An opportunity has at most 20 collaborators.")),
    OpportunityCodes.PARTNER_INACTIVE: (400, _("Opportunities can be shared only with an active partner.")),
    OpportunityCodes.CUSTOMER_OF_ANOTHER_PARTNER: (409, _(
        "The customer account is associated with another partner: an opportunity naming it cannot be shared "
        "with this partner.")),
})
