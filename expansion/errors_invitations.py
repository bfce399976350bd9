"""Error codes of the invitations area (线下拓展): CBC.990130xx."""

from django.utils.translation import gettext_lazy as _

from partnercenter.errors import register

__all__ = ["InvitationCodes"]


class InvitationCodes:
    # -- the partner's links (990130 00–09) ------------------------------------------------------------
    CANNOT_INVITE = "CBC.99013000"
    VALIDITY = "CBC.99013001"
    ALREADY_REVOKED = "CBC.99013002"
    TOO_MANY_LINKS = "CBC.99013003"
    # -- the public registration page (990130 10–19) ---------------------------------------------------
    LINK_UNKNOWN = "CBC.99013010"
    LINK_REVOKED = "CBC.99013011"
    LINK_EXPIRED = "CBC.99013012"
    PARTNER_REFUSED = "CBC.99013013"
    CODES_PER_MOBILE = "CBC.99013014"
    CODES_PER_LINK = "CBC.99013015"
    JOIN_THROTTLED = "CBC.99013016"


register({
    InvitationCodes.CANNOT_INVITE: (403, _("Your account cannot invite customers.")),
    InvitationCodes.VALIDITY: (400, _("The link must be valid until today or a later day, at most a year from now.")),
    InvitationCodes.ALREADY_REVOKED: (409, _("This link was already revoked.")),
    InvitationCodes.TOO_MANY_LINKS: (400, _("You have too many usable links; revoke some first.")),
    InvitationCodes.LINK_UNKNOWN: (404, _("This invitation link does not exist.")),
    InvitationCodes.LINK_REVOKED: (410, _("This invitation link was revoked by the partner.")),
    InvitationCodes.LINK_EXPIRED: (410, _("This invitation link has expired.")),
    InvitationCodes.PARTNER_REFUSED: (410, _("The partner that shared this link can no longer invite customers.")),
    InvitationCodes.CODES_PER_MOBILE: (429, _("Too many verification codes were sent to this mobile number. "
                                              "Try again later.")),
    InvitationCodes.CODES_PER_LINK: (429, _("This invitation link has sent too many verification codes today. "
                                            "Try again tomorrow, or ask the partner for another link.")),
    InvitationCodes.JOIN_THROTTLED: (429, _("Too many registration attempts from your network. "
                                            "Try again later.")),
})
