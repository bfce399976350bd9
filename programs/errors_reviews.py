"""Error codes of annual reviews (年度复核) and uploaded materials (CBC.990124xx)."""

from django.utils.translation import gettext_lazy as _

from partnercenter.errors import register

__all__ = ["ReviewCodes"]


class ReviewCodes:
    # -- uploads (programs/uploads.py): 99012401–09 ---------------------------------------------------
    UPLOAD_TYPE = "CBC.99012401"
    UPLOAD_TOO_LARGE = "CBC.99012402"
    UPLOAD_TOO_MANY = "CBC.99012403"
    UPLOAD_EMPTY = "CBC.99012404"
    MATERIAL_LOCKED = "CBC.99012405"
    # -- reviews (programs/reviews.py): 99012410–29 ---------------------------------------------------
    REVIEW_CLOSED = "CBC.99012410"
    NO_MATERIALS = "CBC.99012411"
    ALREADY_SUBMITTED = "CBC.99012412"
    NOT_SUBMITTED = "CBC.99012413"
    STAGE_NOT_ON_PATH = "CBC.99012414"
    REASON_REQUIRED = "CBC.99012415"
    REVIEW_EXISTS = "CBC.99012416"
    REVIEW_WINDOW = "CBC.99012417"
    NOT_ENROLLED = "CBC.99012418"


register({
    ReviewCodes.UPLOAD_TYPE: (400, _(
        "Only PDF, PNG, JPEG, ZIP, DOCX and XLSX files are accepted, and the file's content must match its name.")),
    ReviewCodes.UPLOAD_TOO_LARGE: (400, _("The file is too large.")),
    ReviewCodes.UPLOAD_TOO_MANY: (400, _("Too many files.")),
    ReviewCodes.UPLOAD_EMPTY: (400, _("The file is empty.")),
    ReviewCodes.MATERIAL_LOCKED: (409, _("Materials can be changed only before they are submitted, or after they "
                                         "were returned.")),
    ReviewCodes.REVIEW_CLOSED: (400, _("The annual review is not open now.")),
    ReviewCodes.NO_MATERIALS: (400, _("Upload the review materials before submitting.")),
    ReviewCodes.ALREADY_SUBMITTED: (409, _("The review was already submitted or approved.")),
    ReviewCodes.NOT_SUBMITTED: (409, _("Only a submitted review can be approved or returned.")),
    ReviewCodes.STAGE_NOT_ON_PATH: (400, _("The stage must be a stage of the review's path.")),
    ReviewCodes.REASON_REQUIRED: (400, _("Say why the review is returned.")),
    ReviewCodes.REVIEW_EXISTS: (409, _("This path already has an annual review for that year.")),
    ReviewCodes.REVIEW_WINDOW: (400, _("The review must close after it opens.")),
    ReviewCodes.NOT_ENROLLED: (400, _("The partner is not on the review's path.")),
})
