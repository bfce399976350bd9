"""Error codes of the FH staff incentive (专职人员激励): CBC.990113xx. Each documented refusal of the quarterly
payment application (季度付款申请) has its own code and message."""

from django.utils.translation import gettext_lazy as _

from partnercenter.errors import register

__all__ = ["FhCodes"]


class FhCodes:
    # -- 资格申请 (990113 00–09) ---------------------------------------------------------------------------
    NOT_ELIGIBLE = "CBC.99011300"
    ALREADY_QUALIFIED = "CBC.99011301"
    AGREEMENT_NOT_ACCEPTED = "CBC.99011302"
    SIGNER_NOT_A_PERSON = "CBC.99011303"
    QUALIFICATION_NOT_PENDING = "CBC.99011304"
    REASON_REQUIRED = "CBC.99011305"
    # -- the monthly list (990113 10–19) -------------------------------------------------------------------
    MONTH_CLOSED = "CBC.99011310"
    DEADLINE_PASSED = "CBC.99011311"
    NO_LINES_KEPT = "CBC.99011312"
    NO_MATERIALS = "CBC.99011313"
    TOO_MANY_FILES = "CBC.99011314"
    MONTH_NOT_SUBMITTED = "CBC.99011315"
    # -- 季度付款申请: the documented refusals (990113 20–29) -------------------------------------------------
    PAYMENT_NOT_CERTIFIED = "CBC.99011320"
    PAYMENT_QUARTER_NOT_OVER = "CBC.99011321"
    PAYMENT_LIST_PENDING = "CBC.99011322"
    PAYMENT_MONTH_OPEN = "CBC.99011323"
    PAYMENT_MONTH_UNDER_REVIEW = "CBC.99011324"
    PAYMENT_NOTHING_FINAL = "CBC.99011325"
    PAYMENT_ALREADY_APPLIED = "CBC.99011326"
    # -- after the application (990113 30–39) --------------------------------------------------------------
    PAYMENT_NOT_APPLIED = "CBC.99011330"
    PAYMENT_NOT_APPROVED = "CBC.99011331"
    INVOICE_NUMBER_INVALID = "CBC.99011332"
    PAYMENT_NOT_INVOICED = "CBC.99011333"


register({
    FhCodes.NOT_ELIGIBLE: (409, _(
        "Only partners on the development path of digital transformation consulting and system integration "
        "(数字化转型咨询与系统集成) at the stage of capability differentiation (能力差异化认证) or later can apply for the "
        "FH staff incentive.")),
    FhCodes.ALREADY_QUALIFIED: (409, _(
        "Your partner has already applied for the FH qualification, or is already qualified.")),
    FhCodes.AGREEMENT_NOT_ACCEPTED: (400, _("Read the FH agreement and tick that you agree to it before signing.")),
    FhCodes.SIGNER_NOT_A_PERSON: (403, _("The FH agreement is signed by a member in the partner center, not with an "
                                         "access key.")),
    FhCodes.QUALIFICATION_NOT_PENDING: (409, _("The FH qualification is no longer waiting for a decision.")),
    FhCodes.REASON_REQUIRED: (400, _("Say why.")),
    FhCodes.MONTH_CLOSED: (409, _(
        "This monthly list can no longer be changed: it was submitted, is final, or has lapsed.")),
    FhCodes.DEADLINE_PASSED: (409, _(
        "The 14 working days to check this list have passed: the incentive has lapsed.")),
    FhCodes.NO_LINES_KEPT: (400, _("Keep at least one project specialist on the list to submit it.")),
    FhCodes.NO_MATERIALS: (400, _("Upload the materials before submitting the list.")),
    FhCodes.TOO_MANY_FILES: (400, _("Too many files for one monthly list.")),
    FhCodes.MONTH_NOT_SUBMITTED: (409, _("Only a submitted monthly list can be made final or returned.")),
    FhCodes.PAYMENT_NOT_CERTIFIED: (409, _(
        "Applying for the FH quarterly payment needs business information certification first: "
        "complete it under Programmes › Business information certification.")),
    FhCodes.PAYMENT_QUARTER_NOT_OVER: (409, _(
        "This quarter has not ended yet: the quarterly payment is applied for once all its months are final.")),
    FhCodes.PAYMENT_LIST_PENDING: (409, _(
        "The list of the quarter's last month has not been generated yet: check and submit it first, and apply "
        "for the payment after its review.")),
    FhCodes.PAYMENT_MONTH_OPEN: (409, _(
        "Some months of this quarter can still be applied for: submit their incentive first, and apply for the "
        "payment after the review (初审) has ended.")),
    FhCodes.PAYMENT_MONTH_UNDER_REVIEW: (409, _(
        "Some months of this quarter are still under review (初审): apply for the payment once the review has "
        "ended.")),
    FhCodes.PAYMENT_NOTHING_FINAL: (409, _("No month of this quarter has a final incentive: there is nothing to "
                                           "pay.")),
    FhCodes.PAYMENT_ALREADY_APPLIED: (409, _("The payment of this quarter has already been applied for.")),
    FhCodes.PAYMENT_NOT_APPLIED: (409, _("The payment application is no longer waiting for a decision.")),
    FhCodes.PAYMENT_NOT_APPROVED: (409, _(
        "The invoice number is entered once the payment application has been approved, and only once.")),
    FhCodes.INVOICE_NUMBER_INVALID: (400, _("The invoice number is 8 to 20 letters or digits.")),
    FhCodes.PAYMENT_NOT_INVOICED: (409, _("Only a payment whose invoice was sent can be marked paid.")),
})
