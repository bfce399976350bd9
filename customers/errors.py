"""Error codes of the customers domain. Huawei documents CBC.99000050 (the sales-platform account is
already bound; the existing domain_id is returned) and CBC.99007004 (eligibility checks failed, with
failCheckItems); the others are ours, in the same range, listed here for clients and tests."""

from django.utils.translation import gettext_lazy as _

from partnercenter.errors import register

__all__ = ["CustomerCodes"]


class CustomerCodes:
    XACCOUNT_BOUND = "CBC.99000050"
    NAME_IN_USE = "CBC.99000051"
    MOBILE_EXHAUSTED = "CBC.99000052"
    EMAIL_IN_USE = "CBC.99000053"
    CODE_INVALID = "CBC.99000054"
    CODE_TOO_FREQUENT = "CBC.99000055"
    NOT_ELIGIBLE = "CBC.99007004"
    REQUEST_PENDING = "CBC.99007005"
    NOT_RESALE = "CBC.99007006"
    NOTHING_TO_DECIDE = "CBC.99007007"


register({
    CustomerCodes.XACCOUNT_BOUND: (400, _("This sales-platform account is already bound to a cloud account.")),
    CustomerCodes.NAME_IN_USE: (400, _("This account name is already in use.")),
    CustomerCodes.MOBILE_EXHAUSTED: (400, _("No more accounts can be registered with this mobile number.")),
    CustomerCodes.EMAIL_IN_USE: (400, _("This e-mail address is already in use.")),
    CustomerCodes.CODE_INVALID: (400, _("The SMS verification code is wrong or has expired.")),
    CustomerCodes.CODE_TOO_FREQUENT: (429, _("A code was sent to this number less than a minute ago.")),
    CustomerCodes.NOT_ELIGIBLE: (400, _("The customer does not pass the eligibility checks.")),
    CustomerCodes.REQUEST_PENDING: (400, _("A request for this customer is already waiting for a decision.")),
    CustomerCodes.NOT_RESALE: (400, _("Only resale customers allow this operation.")),
    CustomerCodes.NOTHING_TO_DECIDE: (400, _("This request is no longer waiting for your decision.")),
})
