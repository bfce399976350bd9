"""Error codes of the vouchers domain (ours, in Huawei's CBC range)."""

from django.utils.translation import gettext_lazy as _

from partnercenter.errors import register

__all__ = ["VoucherCodes"]


class VoucherCodes:
    QUOTA_NOT_USABLE = "CBC.99005001"
    QUOTA_SHORT = "CBC.99005002"
    OUTSIDE_QUOTA = "CBC.99005003"
    NOT_RECLAIMABLE = "CBC.99005004"
    CUSTOMER_NOT_ELIGIBLE = "CBC.99005005"
    DESIGNATED_CUSTOMER = "CBC.99005006"


register({
    VoucherCodes.QUOTA_NOT_USABLE: (400, _("The quota cannot be used now (not normal, or outside its validity).")),
    VoucherCodes.QUOTA_SHORT: (400, _("The quota balance is not enough.")),
    VoucherCodes.OUTSIDE_QUOTA: (400, _("The coupon's validity or limits must stay within the quota's.")),
    VoucherCodes.NOT_RECLAIMABLE: (400, _("Only an effective coupon can be reclaimed.")),
    VoucherCodes.CUSTOMER_NOT_ELIGIBLE: (400, _("The customer cannot receive coupons from you.")),
    VoucherCodes.DESIGNATED_CUSTOMER: (400, _("This quota holds a reclaimed flexi-purchase coupon: it can be issued "
                                              "only to the customer the coupon was designated to.")),
})
