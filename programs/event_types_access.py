"""The events of the access area (events.outbox), registered when hooks_access is imported.

- `programs.account_registered` (partner): a new partner account was registered through a registration
  link (注册新账号) the partner asked for. Data: `account_name`, `domain_id` (the new account's), `path`.
  Told to members with `programs.view`.
- `programs.reseller_requested` / `programs.reseller_withdrawn` (partner): a customer account asks the
  distributor to make it a cloud reseller, or withdrew that request. Data: `request_id`, `customer_id`,
  `account_name`, `company_name`. Told to members with `resellers.manage` (no customer attached: the
  account is nobody's customer in the distributor's book).
- `programs.reseller_created` (partner): the distributor accepted and the reseller partner exists. Data as
  above plus `reseller_id` (the new reseller's account ID; deliberately not `indirect_partner_id`, which
  marks a distributor's copy of a reseller's event). Told to members with `resellers.view`.
- `programs.reseller_accepted` / `programs.reseller_rejected` (customer): the account's users hear the
  decision (with `reason` on a rejection). Not offered to webhooks (the distributor's receivers hear
  `programs.reseller_created`).
"""

from django.urls import NoReverseMatch
from django.utils.translation import gettext_lazy as _

from customers.event_types import page_url
from events.choices import Audience
from events.types import EventType, register

__all__ = ["ACCOUNT_REGISTERED", "RESELLER_REQUESTED", "RESELLER_WITHDRAWN", "RESELLER_CREATED",
           "RESELLER_ACCEPTED", "RESELLER_REJECTED", "TYPES"]

ACCOUNT_REGISTERED = "programs.account_registered"
RESELLER_REQUESTED = "programs.reseller_requested"
RESELLER_WITHDRAWN = "programs.reseller_withdrawn"
RESELLER_CREATED = "programs.reseller_created"
RESELLER_ACCEPTED = "programs.reseller_accepted"
RESELLER_REJECTED = "programs.reseller_rejected"


def _url(name, *args):
    try:
        return page_url(name, None, *args)
    except NoReverseMatch:
        return None


def _paths_link(event, side):
    return _url("programs:paths")


def _request_link(event, side):
    request_id = event.data.get("request_id")
    return _url("programs:reseller_request", request_id) if request_id else _url("programs:reseller_requests")


def _resellers_link(event, side):
    return _url("resellers")


def _fee_center_link(event, side):
    return _url("fee_center_reseller")


TYPES = (
    EventType(ACCOUNT_REGISTERED, _("New partner account registered"), audience=Audience.PARTNER,
              permission="programs.view",
              summary=_("A new partner account %(account_name)s was registered with your link for the path "
                        "%(path)s."),
              link=_paths_link),
    EventType(RESELLER_REQUESTED, _("Cloud reseller request received"), audience=Audience.PARTNER,
              permission="resellers.manage",
              summary=_("Account %(account_name)s (%(company_name)s) asks to become your cloud reseller. Please "
                        "accept or reject."),
              link=_request_link),
    EventType(RESELLER_WITHDRAWN, _("Cloud reseller request withdrawn"), audience=Audience.PARTNER,
              permission="resellers.manage",
              summary=_("Account %(account_name)s withdrew its request to become your cloud reseller."),
              link=_request_link),
    EventType(RESELLER_CREATED, _("Cloud reseller created"), audience=Audience.PARTNER, permission="resellers.view",
              summary=_("%(company_name)s (account %(account_name)s) is now your cloud reseller; its administrator "
                        "was invited."),
              link=_resellers_link),
    EventType(RESELLER_ACCEPTED, _("Cloud reseller request accepted"), audience=Audience.CUSTOMER, webhook=False,
              summary=_("The distributor accepted: your account is now a cloud reseller. Your administrator "
                        "receives an invitation by e-mail."),
              customer_summary=_("The distributor accepted: your account is now a cloud reseller. Your administrator "
                                 "receives an invitation by e-mail."),
              link=_fee_center_link),
    EventType(RESELLER_REJECTED, _("Cloud reseller request rejected"), audience=Audience.CUSTOMER, webhook=False,
              summary=_("The distributor rejected your request to become a cloud reseller: %(reason)s"),
              customer_summary=_("The distributor rejected your request to become a cloud reseller: %(reason)s"),
              link=_fee_center_link),
)

register(*TYPES)
