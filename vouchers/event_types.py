"""The events the vouchers domain records (events.outbox), registered in VouchersConfig.ready().

Data uses the CBC names of 已发放代金券 and quotas: `coupon_id`, `customer_id`, `quota_id`, `coupon_type`,
`face_value` / `amount` (strings with two decimals), `expire_time` (UTC, `YYYY-MM-DDTHH:MM:SSZ`),
`operation_type` (the coupon record's: "2" manual reclaim, "3" on disassociation, "8" on a type switch),
`quota_type`, `quota_value`, `quota_balance`, `indirect_partner_id`.

A coupon issue records one event per coupon, not one per batch: each coupon has its own customer, so
its own audience (the customer's account manager, the customer itself), and a receiver stores and
later reclaims coupons one by one; the batch is still one INSERT (`batch_id` ties them together).
"""

from django.utils.translation import gettext_lazy as _

from customers.event_types import page_url
from events.choices import Audience
from events.types import CUSTOMER_SIDE, EventType, register

__all__ = ["TYPES", "coupon_link", "quota_link"]


def coupon_link(event, side):
    """已发放代金券 filtered to the coupon (the customer: its 优惠券)."""
    if side == CUSTOMER_SIDE:
        return page_url("fee_center_coupons")
    if event.data.get("indirect_partner_id"):
        return page_url("resellers")
    coupon_id = event.data.get("coupon_id")
    return page_url("vouchers:coupons", {"coupon_id": coupon_id} if coupon_id else None)


def quota_link(event, side):
    """The quota in its tab of 代金券额度 / 现金券额度."""
    if side == CUSTOMER_SIDE:
        return None
    query = {"quota_type": event.data.get("quota_type", 0)}
    if event.data.get("quota_id"):
        query["quota_id"] = event.data["quota_id"]
    return page_url("vouchers:quotas", query)


_RECLAIMS = {
    "3": _("Coupon %(coupon_id)s of customer %(account_name)s was reclaimed when the association ended."),
    "8": _("Coupon %(coupon_id)s of customer %(account_name)s was reclaimed when the association type switched."),
}

TYPES = (
    EventType("coupon.issued", _("Coupon issued"), audience=Audience.BOTH, permission="vouchers.view",
              money_field="face_value", link=coupon_link,
              customer_summary=_("You received a coupon of %(money)s."),
              summary=_("A coupon of %(money)s was issued to customer %(account_name)s.")),
    EventType("coupon.reclaimed", _("Coupon reclaimed"), audience=Audience.BOTH, permission="vouchers.view",
              summary=_("Coupon %(coupon_id)s of customer %(account_name)s was reclaimed (%(money)s)."),
              customer_summary=_("Coupon %(coupon_id)s was reclaimed from your account."),
              reading=lambda data: _RECLAIMS.get(data.get("operation_type")), link=coupon_link),
    EventType("coupon.expiring", _("Coupon expiring soon"), audience=Audience.BOTH, permission="vouchers.view",
              money_field="balance", link=coupon_link,
              customer_summary=_("Your coupon %(coupon_id)s expires at %(expire_time)s; %(money)s is left."),
              summary=_("Coupon %(coupon_id)s of customer %(account_name)s expires at %(expire_time)s; "
                        "%(money)s is left.")),
    EventType("quota.received", _("Quota received"), permission="vouchers.view",
              money_field="quota_value", link=quota_link,
              summary=_("Your distributor gave you a quota of %(money)s.")),
    EventType("quota.reclaimed", _("Quota reclaimed"), permission="vouchers.view",
              summary=_("Your distributor reclaimed quota %(quota_id)s."), link=quota_link),
)

register(*TYPES)
