"""The events the money domain records (events.outbox), registered in BillingConfig.ready().

Data uses the CBC names of 调账记录: `amount` (a string with two decimals, CNY), `trans_id`,
`operation_type` (SOURCE_OPERATION_BEADJUST / BERETRIEVE / BEUNBIND), `customer_id`, and
`indirect_partner_id` for a cloud reseller. A distributor's movement with its reseller is recorded
twice: for the distributor (`indirect_partner_id` is the reseller) and for the reseller
(`distributor_id` names the distributor), each told in its own words.
"""

from django.utils.translation import gettext_lazy as _

from customers.event_types import page_url
from events.choices import Audience
from events.types import CUSTOMER_SIDE, EventType, register

__all__ = ["TYPES", "funds_link"]


def funds_link(event, side):
    """调账记录 filtered to the customer or reseller (the reseller's own copy: its 收支明细)."""
    if side == CUSTOMER_SIDE:
        return page_url("fee_center")
    data = event.data
    if data.get("distributor_id"):
        return page_url("billing:ledger", {"trade_id": data["trans_id"]} if data.get("trans_id") else None)
    if data.get("trans_id"):
        return page_url("billing:adjustments", {"trans_id": data["trans_id"]})
    return page_url("billing:adjustments")


def recharge_link(event, side):
    return None if side == CUSTOMER_SIDE else page_url("billing:recharge")


def _to_whom(texts):
    """The summary by who is on the other side of the money."""
    def reading(data):
        if data.get("operation_type") == "SOURCE_OPERATION_BEUNBIND":
            return texts.get("unbind")
        if data.get("distributor_id"):
            return texts["from_distributor"]
        if data.get("customer_id"):
            return texts["reseller_customer" if data.get("indirect_partner_id") else "customer"]
        return texts["reseller"]
    return reading


_ALLOCATED = {
    "customer": _("%(money)s allocated to customer %(account_name)s."),
    "reseller_customer": _("%(money)s allocated to customer %(account_name)s of your cloud reseller."),
    "reseller": _("%(money)s allocated to cloud reseller %(indirect_partner_id)s."),
    "from_distributor": _("Your distributor allocated %(money)s to you."),
}
_RECLAIMED = {
    "customer": _("%(money)s reclaimed from customer %(account_name)s."),
    "reseller_customer": _("%(money)s reclaimed from customer %(account_name)s of your cloud reseller."),
    "reseller": _("%(money)s reclaimed from cloud reseller %(indirect_partner_id)s."),
    "from_distributor": _("Your distributor reclaimed %(money)s from you."),
    "unbind": _("%(money)s returned from customer %(account_name)s when the association ended."),
}
_RECHARGES = {
    "succeeded": _("Your recharge of %(money)s was credited."),
    "failed": _("Your recharge of %(money)s failed."),
    "rejected": _("Your remittance of %(money)s was rejected."),
}

TYPES = (
    EventType("funds.allocated", _("Funds allocated"), audience=Audience.BOTH, permission="billing.view",
              summary=_("%(money)s allocated."),
              customer_summary=_("Your partner allocated %(money)s to your account."),
              reading=_to_whom(_ALLOCATED), link=funds_link),
    EventType("funds.reclaimed", _("Funds reclaimed"), audience=Audience.BOTH, permission="billing.view",
              summary=_("%(money)s reclaimed."),
              customer_summary=_("Your partner reclaimed %(money)s from your account."),
              reading=_to_whom(_RECLAIMED), link=funds_link),
    EventType("recharge.completed", _("Recharge completed"), permission="billing.view",
              summary=_("A recharge of %(money)s was completed."),
              reading=lambda data: _RECHARGES.get(data.get("status")), link=recharge_link),
)

register(*TYPES)
