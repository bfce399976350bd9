"""Error codes of agreements (签署协议) and business information certification (商业信息认证): CBC.990121xx
(the range agreements, reviews and certification share; this module takes 99012100–139)."""

from django.utils.translation import gettext_lazy as _

from partnercenter.errors import register

__all__ = ["AgreementCodes"]


class AgreementCodes:
    # -- agreements (programs/agreements.py): 99012100–119 ------------------------------------------
    NOT_ACCEPTED = "CBC.99012101"
    ALREADY_PUBLISHED = "CBC.99012102"
    NOT_EFFECTIVE_MIDNIGHT = "CBC.99012103"
    SIGNER_NOT_A_PERSON = "CBC.99012104"
    # -- business information certification (programs/certification.py): 99012120–139 ---------------
    CERT_LOCKED = "CBC.99012120"
    CERT_CREDIT_CODE = "CBC.99012121"
    CERT_BANK_ACCOUNT = "CBC.99012122"
    CERT_TAX_ID = "CBC.99012123"
    CERT_NOT_SUBMITTABLE = "CBC.99012124"
    CERT_NOT_SUBMITTED = "CBC.99012125"
    CERT_REASON_REQUIRED = "CBC.99012126"
    CERT_MISSING = "CBC.99012127"


register({
    AgreementCodes.NOT_ACCEPTED: (400, _("Tick “I have read and agree to this agreement” to sign it.")),
    AgreementCodes.ALREADY_PUBLISHED: (409, _("This agreement is already published; its text can no longer change.")),
    AgreementCodes.NOT_EFFECTIVE_MIDNIGHT: (400, _(
        "An agreement takes effect at 00:00:00 (China time) of a day: choose the effective date.")),
    AgreementCodes.SIGNER_NOT_A_PERSON: (403, _("An agreement is signed by a person: sign it in the partner center.")),
    AgreementCodes.CERT_LOCKED: (409, _(
        "The certification is being verified or is verified and cannot be changed. Contact your ecosystem manager "
        "to change verified information.")),
    AgreementCodes.CERT_CREDIT_CODE: (400, _(
        "The unified social credit code is 18 characters (digits and capital letters except I, O, S, V and Z) and "
        "its last character must match its check digit.")),
    AgreementCodes.CERT_BANK_ACCOUNT: (400, _("The bank account number is 8 to 32 digits.")),
    AgreementCodes.CERT_TAX_ID: (400, _("The taxpayer ID is 15 to 20 digits and capital letters.")),
    AgreementCodes.CERT_NOT_SUBMITTABLE: (409, _("Only a draft or returned certification can be submitted.")),
    AgreementCodes.CERT_NOT_SUBMITTED: (409, _("Only a submitted certification can be verified or returned.")),
    AgreementCodes.CERT_REASON_REQUIRED: (400, _("Give the reason for returning the certification.")),
    AgreementCodes.CERT_MISSING: (400, _("Enter the bank account number.")),
})
