"""Error codes of the access area (注册新账号, 成为云经销商): CBC.990123xx."""

from django.utils.translation import gettext_lazy as _

from partnercenter.errors import register

__all__ = ["AccessCodes"]


class AccessCodes:
    # -- 注册新账号: the verification code (990123 00–09) ----------------------------------------------
    NO_CONTACT = "CBC.99012300"
    CODE_TOO_SOON = "CBC.99012301"
    CODE_EXPIRED = "CBC.99012302"
    CODE_WRONG = "CBC.99012303"
    CODE_THROTTLED = "CBC.99012304"
    CODE_NOT_SENT = "CBC.99012305"
    PARTNER_INACTIVE = "CBC.99012306"
    # -- 注册新账号: the link and the new account (990123 10–19) -------------------------------------
    LINK_UNKNOWN = "CBC.99012310"
    LINK_EXPIRED = "CBC.99012311"
    LINK_USED = "CBC.99012312"
    ACCOUNT_TAKEN = "CBC.99012313"
    USERNAME_TAKEN = "CBC.99012314"
    # -- 成为云经销商 (990123 20–29) ------------------------------------------------------------------
    NOT_ELIGIBLE = "CBC.99012320"
    NOT_ACKNOWLEDGED = "CBC.99012321"
    REQUEST_OPEN = "CBC.99012322"
    REQUEST_DECIDED = "CBC.99012323"
    NOT_OWNER = "CBC.99012324"
    RESELLER_TAKEN = "CBC.99012325"


register({
    AccessCodes.NO_CONTACT: (400, _("The main account has no such contact to send a code to.")),
    AccessCodes.CODE_TOO_SOON: (429, _("A code was sent less than a minute ago; wait before asking again.")),
    AccessCodes.CODE_EXPIRED: (400, _("The verification code has expired or was already used; get a new one.")),
    AccessCodes.CODE_WRONG: (400, _("The verification code is wrong.")),
    AccessCodes.CODE_THROTTLED: (429, _("Too many wrong codes or requests; get a new code later.")),
    AccessCodes.CODE_NOT_SENT: (503, _("The verification code could not be sent; try again later.")),
    AccessCodes.PARTNER_INACTIVE: (400, _("Your partner account is not active.")),
    AccessCodes.LINK_UNKNOWN: (404, _("This registration link does not exist.")),
    AccessCodes.LINK_EXPIRED: (410, _("This registration link has expired: links are valid for 24 hours. Ask for a "
                                      "new one.")),
    AccessCodes.LINK_USED: (410, _("This registration link was already used. Ask for a new one.")),
    AccessCodes.ACCOUNT_TAKEN: (409, _("This account name is taken.")),
    AccessCodes.USERNAME_TAKEN: (409, _("This username is taken.")),
    AccessCodes.NOT_ELIGIBLE: (400, _("The account does not meet the conditions to become a cloud reseller.")),
    AccessCodes.NOT_ACKNOWLEDGED: (400, _("Confirm that you know unused coupons, discounts and stored-value cards "
                                          "will lapse.")),
    AccessCodes.REQUEST_OPEN: (409, _("The account already has a request waiting for a distributor.")),
    AccessCodes.REQUEST_DECIDED: (409, _("This request was already decided or withdrawn.")),
    AccessCodes.NOT_OWNER: (403, _("Only the account owner can do this.")),
    AccessCodes.RESELLER_TAKEN: (409, _("A partner with this account name or ID already exists.")),
})
