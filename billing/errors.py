"""Error codes of the money domain (ours, in Huawei's CBC range; CBC.0100 stays Huawei's)."""

from django.utils.translation import gettext_lazy as _

from partnercenter.errors import register

__all__ = ["BillingCodes"]


class BillingCodes:
    INSUFFICIENT_BALANCE = "CBC.99003005"
    RECLAIM_EXCEEDS_BALANCE = "CBC.99003006"
    RECHARGE_NOT_ALLOWED = "CBC.99003007"
    IDEMPOTENCY_MISMATCH = "CBC.99003008"
    IDEMPOTENCY_IN_PROGRESS = "CBC.99003009"
    NOT_PENDING = "CBC.99003010"
    ONLINE_RECHARGE_UNAVAILABLE = "CBC.99003011"
    REBATE_INSUFFICIENT = "CBC.99003012"
    NOT_RESALE = "CBC.99007006"  # the customers domain's: only resale customers hold allocated funds


register({
    BillingCodes.INSUFFICIENT_BALANCE: (400, _("The allocatable balance is not enough.")),
    BillingCodes.RECLAIM_EXCEEDS_BALANCE: (400, _("The amount is more than the balance that can be reclaimed.")),
    BillingCodes.RECHARGE_NOT_ALLOWED: (400, _(
        "Only partners contracted with Huawei Software Technologies or Huawei Cloud Computing Technologies can "
        "recharge here. Please consult your ecosystem manager.")),
    BillingCodes.IDEMPOTENCY_MISMATCH: (422, _("This idempotency key was used for a different request.")),
    BillingCodes.IDEMPOTENCY_IN_PROGRESS: (409, _("A request with this idempotency key is still being processed.")),
    BillingCodes.NOT_PENDING: (400, _("This recharge has already been decided.")),
    BillingCodes.ONLINE_RECHARGE_UNAVAILABLE: (400, _(
        "Online payment is not available: no payment provider is configured. Record an offline remittance instead.")),
    BillingCodes.REBATE_INSUFFICIENT: (400, _("The amount is more than the rebate balance that can be withdrawn.")),
})
