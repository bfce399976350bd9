"""The vouchers domain's tiles on the home page (partnercenter/dashboard.py), registered in ready().

Coupons expiring within 7 days (effective ones, to the end of the 7th day in China time) link to
已发放代金券 with the same filter; an account manager counts its team's customers' coupons only
(coupons_for). Served by the index on coupons (partner, status, expire_time): the window bounds the rows read.
Quotas expiring within 30 days, one tile per quota tab (代金券额度 / 现金券额度); a partner has few quotas.
"""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partnercenter import dashboard
from partnercenter.dashboard import TODO, list_tile

from . import selectors
from .choices import CouponStatus, QuotaStatus, QuotaType
from .filters import CouponFilter, QuotaFilter

__all__ = ["TILES", "COUPON_DAYS", "QUOTA_DAYS"]

COUPON_DAYS = 7
QUOTA_DAYS = 30


def _window(days, **query):
    def params(actor) -> dict:
        today = timezone.localdate()
        return {**query, "expires_from": today.isoformat(), "expires_to": (today + timedelta(days=days)).isoformat()}
    return params


def _quota_tile(key, label, quota_type, order):
    return list_tile(key, label, filterset=QuotaFilter,
                     queryset=lambda actor: selectors.quotas_for(actor).filter(quota_type=quota_type),
                     params=_window(QUOTA_DAYS, quota_type=quota_type, status=QuotaStatus.NORMAL),
                     url_name="vouchers:quotas", permission="vouchers.view", section=TODO, order=order)


TILES = (
    list_tile("vouchers.coupons_expiring", _("Coupons expiring within 7 days"), filterset=CouponFilter,
              queryset=selectors.coupons_for, params=_window(COUPON_DAYS, status=CouponStatus.EFFECTIVE),
              url_name="vouchers:coupons", permission="vouchers.view", section=TODO, order=30, todo=True),
    _quota_tile("vouchers.cash_quotas_expiring", _("Cash coupon quotas expiring within 30 days"),
                QuotaType.CASH_COUPON, 40),
    _quota_tile("vouchers.flexi_quotas_expiring", _("Flexi-purchase coupon quotas expiring within 30 days"),
                QuotaType.FLEXI_COUPON, 41),
)

dashboard.register(*TILES)
