"""The events the customers domain records (events.outbox), registered in CustomersConfig.ready().

Data uses the CBC names: `customer_id` (the customer's domain id), `account_name`, `association_type`
("1" referral, "2" resale), `indirect_partner_id` on a distributor's copy of an event in its cloud
reseller's book. Requests carry `request_id` (the association event), `kind` ("disassociate",
"type_switch"), `initiator` ("partner", "customer"); decisions `decision` ("approved", "rejected").

A change that follows from a decided request (disassociated, type switched) is told in the app once, by
`association.request_decided`; its own type goes to webhooks only (`notify=False`), so the bell does not
ring twice for one click.
"""

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from events.choices import Audience
from events.types import CUSTOMER_SIDE, EventType, register

__all__ = ["page_url", "customer_events_link", "customer_link", "TYPES"]



def page_url(name, query=None, *args) -> str:
    path = reverse(name, args=args)
    return f"{path}?{urlencode(query)}" if query else path


def customer_link(event, side):
    """A customer's page in the partner's book: its detail page (the distributor's copy: its resellers)."""
    if side == CUSTOMER_SIDE:
        return page_url("fee_center")
    if event.data.get("indirect_partner_id"):
        return page_url("resellers")
    customer_id = event.data.get("customer_id")
    return page_url("customers:detail", None, customer_id) if customer_id else page_url("customers:list")


def customer_events_link(event, side):
    """关联关系操作记录 filtered to the customer — where the request is decided or its outcome shown (also
    after a disassociation, when the customer's detail page is no longer the partner's)."""
    if side == CUSTOMER_SIDE:
        return page_url("fee_center")
    if event.data.get("indirect_partner_id"):
        return page_url("resellers")
    customer_id = event.data.get("customer_id")
    return page_url("customers:events", {"customer": customer_id} if customer_id else None)


_REQUESTS = {
    ("disassociate", "partner"): _("Disassociation of customer %(account_name)s requested; the customer decides."),
    ("disassociate", "customer"): _("Customer %(account_name)s asks to end the association. Please approve or reject."),
    ("type_switch", "partner"): _("Association type switch of customer %(account_name)s requested; the customer "
                                  "decides."),
}
_DECISIONS = {
    ("disassociate", "approved"): _("The disassociation of customer %(account_name)s was approved."),
    ("disassociate", "rejected"): _("The disassociation of customer %(account_name)s was rejected."),
    ("type_switch", "approved"): _("The association type switch of customer %(account_name)s was approved."),
    ("type_switch", "rejected"): _("The association type switch of customer %(account_name)s was rejected."),
}
_OPS_DECISIONS = {
    "authorized": _("Customer %(account_name)s authorized delegated operations."),
    "cancelled": _("Customer %(account_name)s cancelled delegated operations."),
}

TYPES = (
    EventType("customer.associated", _("Customer associated"), permission="customers.view",
              summary=_("Customer %(account_name)s (%(customer_id)s) is now associated with you."), link=customer_link),
    EventType("customer.disassociated", _("Customer disassociated"), audience=Audience.BOTH,
              permission="customers.view", notify=False,
              summary=_("Customer %(account_name)s (%(customer_id)s) is no longer associated with you."),
              link=customer_events_link),
    EventType("customer.type_switched", _("Association type switched"), audience=Audience.BOTH,
              permission="customers.view", notify=False,
              summary=_("The association type of customer %(account_name)s was switched."), link=customer_link),
    EventType("association.request_made", _("Association request made"), audience=Audience.BOTH,
              permission="customers.view", summary=_("A request about customer %(account_name)s was made."),
              customer_summary=_("A request to change the association between you and your partner was made. "
                                 "See it in the fee center."),
              reading=lambda d: _REQUESTS.get((d.get("kind"), d.get("initiator"))), link=customer_events_link),
    EventType("association.request_decided", _("Association request decided"), audience=Audience.BOTH,
              permission="customers.view", summary=_("A request about customer %(account_name)s was decided."),
              customer_summary=_("A request about the association between you and your partner was decided. "
                                 "See it in the fee center."),
              reading=lambda d: _DECISIONS.get((d.get("kind"), d.get("decision"))), link=customer_events_link),
    EventType("association.request_cancelled", _("Association request withdrawn"), audience=Audience.BOTH,
              permission="customers.view",
              summary=_("A pending request about customer %(account_name)s was withdrawn."),
              customer_summary=_("A pending request about the association between you and your partner was "
                                 "withdrawn."), link=customer_events_link),
    EventType("ops.authorization_requested", _("Delegated operations requested"), audience=Audience.BOTH,
              permission="customers.view",
              summary=_("Delegated operations of customer %(account_name)s requested; the customer decides."),
              customer_summary=_("Your partner asks to operate your resources for you (delegated operations). "
                                 "Please authorize or decline in the fee center."),
              link=customer_link),
    EventType("ops.authorization_decided", _("Delegated operations decided"), permission="customers.view",
              summary=_("Customer %(account_name)s answered the delegated operations request."),
              reading=lambda d: _OPS_DECISIONS.get(d.get("decision")), link=customer_link),
    EventType("ops.authorization_revoked", _("Delegated operations revoked"), audience=Audience.BOTH,
              permission="customers.view",
              summary=_("Delegated operations of customer %(account_name)s ended."),
              customer_summary=_("Your partner's delegated operations of your resources ended."),
              link=customer_events_link),
)

register(*TYPES)
