"""Error codes of the leads area (线索管理): CBC.990132xx."""

from django.utils.translation import gettext_lazy as _

from partnercenter.errors import register

__all__ = ["LeadCodes"]


class LeadCodes:
    # -- the lead and its status (990132 00–09) ---------------------------------------------------------
    LEAD_CLOSED = "CBC.99013200"
    STATUS_CHANGE = "CBC.99013201"
    REASON_REQUIRED = "CBC.99013202"
    OWNER_NOT_FOUND = "CBC.99013203"
    CONTACTS_MASKED = "CBC.99013204"
    PARTNER_INACTIVE = "CBC.99013205"
    NEXT_IN_PAST = "CBC.99013206"
    METHOD_RESERVED = "CBC.99013207"
    # -- 外呼 (990132 10–19) ---------------------------------------------------------------------------
    CALLS_NOT_IN_PLAN = "CBC.99013210"
    NO_PHONE = "CBC.99013211"
    CALLS_UNAVAILABLE = "CBC.99013212"
    # -- conversion (990132 20–29) ---------------------------------------------------------------------
    ALREADY_CONVERTED = "CBC.99013220"
    CUSTOMER_NOT_FOUND = "CBC.99013221"
    OPPORTUNITIES_UNAVAILABLE = "CBC.99013222"


register({
    LeadCodes.LEAD_CLOSED: (409, _("This lead is converted or invalid; reopen an invalid lead to work on it again.")),
    LeadCodes.STATUS_CHANGE: (409, _("The lead cannot move to this status from its current one.")),
    LeadCodes.REASON_REQUIRED: (400, _("Say why the lead is invalid.")),
    LeadCodes.OWNER_NOT_FOUND: (404, _("The member does not exist in your organisation.")),
    LeadCodes.CONTACTS_MASKED: (400, _("Contacts of leads are anonymised for partners in marketing plan 2.0: their "
                                       "phone and e-mail cannot be changed.")),
    LeadCodes.PARTNER_INACTIVE: (400, _("The partner is not active: leads cannot be dispatched to it.")),
    LeadCodes.NEXT_IN_PAST: (400, _("The next follow-up must be in the future.")),
    LeadCodes.METHOD_RESERVED: (400, _("Outbound calls are recorded by the outbound call itself; choose another "
                                       "follow-up method.")),
    LeadCodes.CALLS_NOT_IN_PLAN: (400, _("Outbound calls are offered to partners in marketing plan 2.0.")),
    LeadCodes.NO_PHONE: (400, _("The lead has no phone number to call.")),
    LeadCodes.CALLS_UNAVAILABLE: (503, _("Outbound calls are not available now; try again later.")),
    LeadCodes.ALREADY_CONVERTED: (409, _("The lead was already converted to this kind of record.")),
    LeadCodes.CUSTOMER_NOT_FOUND: (404, _("No customer with this account ID is associated with you.")),
    LeadCodes.OPPORTUNITIES_UNAVAILABLE: (503, _("Opportunities cannot be registered now; try again later.")),
})
