"""Error codes of consumption and bills, ours in the CBC range (CBC.99009xxx). Each part of the app adds
its codes in its own block."""

from django.utils.translation import gettext_lazy as _

from partnercenter.errors import register

__all__ = ["BillCodes"]


class BillCodes:
    # -- usage in (ingest.py, importing.py): 99009010–019 --------------------------------------------
    USAGE_CONFLICT = "CBC.99009010"
    USAGE_UNKNOWN_CUSTOMER = "CBC.99009011"
    USAGE_UNKNOWN_TYPE = "CBC.99009012"
    USAGE_UNKNOWN_REGION = "CBC.99009013"
    USAGE_UNKNOWN_MEASURE = "CBC.99009014"
    USAGE_BAD_WINDOW = "CBC.99009015"
    USAGE_NO_SPEC = "CBC.99009016"
    USAGE_FILE = "CBC.99009017"
    # -- rating and deduction (rating.py, deduction.py): 99009020–029 ---------------------------------
    RATING_NO_PRODUCT = "CBC.99009020"
    RATING_NO_SPEC = "CBC.99009021"
    RATING_USAGE_TYPE = "CBC.99009022"
    RATING_WRONG_UNIT = "CBC.99009023"
    RATING_NO_SIZE = "CBC.99009024"
    RATING_ERROR = "CBC.99009025"
    # -- month close and low balance (closing.py, thresholds.py): 99009030–039 ------------------------
    CYCLE_NOT_ENDED = "CBC.99009030"
    THRESHOLD_NOT_RESALE = "CBC.99009031"
    # -- the CBC bill endpoints (api/): 99009040–049 ---------------------------------------------------
    # (customer endpoints, api/customer_views.py: 99009045–049)
    MONTH_NOT_QUERYABLE = "CBC.99009045"
    DATES_OUTSIDE_CYCLE = "CBC.99009046"
    RANGE_TOO_LONG = "CBC.99009047"
    pass


register({
    # -- usage in --
    BillCodes.USAGE_CONFLICT: (409, _("A usage record with this record_id was already received with other content.")),
    BillCodes.USAGE_UNKNOWN_CUSTOMER: (404, _("The customer does not exist.")),
    BillCodes.USAGE_UNKNOWN_TYPE: (400, _(
        "The catalogue has no such usage type of this resource type and cloud service type.")),
    BillCodes.USAGE_UNKNOWN_REGION: (400, _("The region is not in the catalogue.")),
    BillCodes.USAGE_UNKNOWN_MEASURE: (400, _("The usage unit is not in the catalogue.")),
    BillCodes.USAGE_BAD_WINDOW: (400, _(
        "The usage window must begin before it ends, last at most 24 hours, not end in the future and not "
        "begin more than a year ago.")),
    BillCodes.USAGE_NO_SPEC: (400, _(
        "resource_spec_code is missing and the customer has no pay-per-use resource with this resource_id.")),
    BillCodes.USAGE_FILE: (400, _("The usage file cannot be read.")),
    # -- rating and deduction --
    BillCodes.RATING_NO_PRODUCT: (400, _(
        "No pay-per-use product with a price for this resource type, specification and region.")),
    BillCodes.RATING_NO_SPEC: (400, _(
        "The record names no specification and the customer has no pay-per-use resource with its resource ID.")),
    BillCodes.RATING_USAGE_TYPE: (400, _("The product is not metered by the record's usage type.")),
    BillCodes.RATING_WRONG_UNIT: (400, _("The record's usage unit cannot be converted into the product's.")),
    BillCodes.RATING_NO_SIZE: (400, _("The product is priced by size and the record gives none.")),
    BillCodes.RATING_ERROR: (500, _("The record could not be rated.")),
    # -- month close and low balance --
    BillCodes.CYCLE_NOT_ENDED: (400, _("A billing cycle can be closed only after it has ended.")),
    BillCodes.THRESHOLD_NOT_RESALE: (400, _("Low-balance settings are for resale customers only.")),
    # -- the CBC bill endpoints --
    BillCodes.MONTH_NOT_QUERYABLE: (400, _("This month cannot be queried here.")),
    BillCodes.DATES_OUTSIDE_CYCLE: (400, _(
        "The first and last dates must be in the billing cycle's month, the first not after the last.")),
    BillCodes.RANGE_TOO_LONG: (400, _("The time range is too long.")),
})
