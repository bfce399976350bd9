"""Error codes of incentive policies and the monthly run: CBC.990110xx."""

from django.utils.translation import gettext_lazy as _

from partnercenter.errors import register

__all__ = ["PolicyCodes"]


class PolicyCodes:
    # -- the monthly run (incentives/run.py): 990110 00–19 ----------------------------------------------
    PERIOD_NOT_CLOSED = "CBC.99011000"
    # -- policies (incentives/policies.py, the policy admin): 990110 20–49 -----------------------------
    POLICY_OVERLAP = "CBC.99011020"
    MONTH_INVALID = "CBC.99011021"


register({
    PolicyCodes.PERIOD_NOT_CLOSED: (409, _("The billing cycle is not closed yet: its incentives cannot be computed.")),
    PolicyCodes.POLICY_OVERLAP: (400, _("Another active policy of the same programme and association type is in "
                                        "force in some of these months.")),
    PolicyCodes.MONTH_INVALID: (400, _("Give the month as YYYY-MM.")),
})
