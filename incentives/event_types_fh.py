"""The events of the FH staff incentive (专职人员激励, events.outbox), registered when hooks_fh is imported. Told
to the partner's members with `incentives.fh`, offered to its webhooks.

- `incentives.fh_qualification_decided`: operators decided on the 资格申请: `decision` approved | rejected,
  `reason`.
- `incentives.fh_list_generated`: the monthly list of `month` (YYYY-MM) was generated: `fh_month_id`,
  `specialists` (how many), `amount`, `deadline` (UTC wire time; 14 working days, Asia/Shanghai). Once per list
  (key `incentives.fh_list_generated:<id>`).
- `incentives.fh_list_due_soon`: one working day before the deadline of a list still to be checked (once per
  list, key `incentives.fh_list_due_soon:<id>`).
- `incentives.fh_list_lapsed`: the deadline passed without a submission: the incentive lapsed (失效) (once, key
  `incentives.fh_list_lapsed:<id>`).
- `incentives.fh_list_reviewed`: operators reviewed a submitted list: `decision` final | returned, `reason`.
- `incentives.fh_payment_decided`: operators decided on the quarterly payment application (`payment_id`,
  `year`, `quarter`, `amount`, `decision` approved | rejected, `reason`); approved: print the 开票清单.
- `incentives.fh_payment_paid`: the quarterly payment was paid (`payment_reference`).
The partner's own writes (signing, submitting, applying, the invoice number) are its own doing and are not
announced.
"""

from django.urls import NoReverseMatch
from django.utils.translation import gettext_lazy as _

from customers.event_types import page_url
from events.choices import Audience
from events.types import EventType, register

__all__ = [
    "FH_QUALIFICATION_DECIDED", "FH_LIST_GENERATED", "FH_LIST_DUE_SOON", "FH_LIST_LAPSED", "FH_LIST_REVIEWED",
    "FH_PAYMENT_DECIDED", "FH_PAYMENT_PAID", "TYPES", "PERMISSION",
]

FH_QUALIFICATION_DECIDED = "incentives.fh_qualification_decided"
FH_LIST_GENERATED = "incentives.fh_list_generated"
FH_LIST_DUE_SOON = "incentives.fh_list_due_soon"
FH_LIST_LAPSED = "incentives.fh_list_lapsed"
FH_LIST_REVIEWED = "incentives.fh_list_reviewed"
FH_PAYMENT_DECIDED = "incentives.fh_payment_decided"
FH_PAYMENT_PAID = "incentives.fh_payment_paid"

PERMISSION = "incentives.fh"


def _link(name, field=None):
    def link(event, side):
        try:
            value = event.data.get(field) if field else None
            return page_url(name, None, value) if value else page_url("incentives:fh")
        except NoReverseMatch:
            return None
    return link


def _qualification(data):
    return {
        "approved": _("Your partner is qualified for the FH staff incentive: its monthly lists are generated at "
                      "the start of each month."),
        "rejected": _("Your application for the FH staff incentive was rejected: %(reason)s"),
    }.get(data.get("decision"))


def _review(data):
    return {
        "final": _("The FH list of %(month)s was reviewed and is final: %(money)s."),
        "returned": _("The FH list of %(month)s was returned for changes: %(reason)s Submit it again by "
                      "%(deadline)s."),
    }.get(data.get("decision"))


def _payment(data):
    return {
        "approved": _("The FH payment application of %(year)s Q%(quarter)s (%(money)s) was approved: print the "
                      "invoice list, enter the invoice number and mail both to Huawei."),
        "rejected": _("The FH payment application of %(year)s Q%(quarter)s was rejected: %(reason)s"),
    }.get(data.get("decision"))


TYPES = (
    EventType(FH_QUALIFICATION_DECIDED, _("FH qualification decided"), audience=Audience.PARTNER,
              permission=PERMISSION, link=_link("incentives:fh"), reading=_qualification,
              summary=_("Huawei Cloud decided on your FH qualification.")),
    EventType(FH_LIST_GENERATED, _("FH monthly list generated"), audience=Audience.PARTNER,
              permission=PERMISSION, link=_link("incentives:fh_month", "fh_month_id"),
              summary=_("The FH staff incentive list of %(month)s was generated (%(specialists)s specialists, "
                        "%(money)s). Check it and submit the materials by %(deadline)s, or the incentive lapses.")),
    EventType(FH_LIST_DUE_SOON, _("FH monthly list due in one working day"), audience=Audience.PARTNER,
              permission=PERMISSION, link=_link("incentives:fh_month", "fh_month_id"),
              summary=_("The FH list of %(month)s must be checked and submitted by %(deadline)s, or the incentive "
                        "lapses.")),
    EventType(FH_LIST_LAPSED, _("FH monthly list lapsed"), audience=Audience.PARTNER,
              permission=PERMISSION, link=_link("incentives:fh_month", "fh_month_id"),
              summary=_("The FH list of %(month)s was not submitted by %(deadline)s: the incentive lapsed.")),
    EventType(FH_LIST_REVIEWED, _("FH monthly list reviewed"), audience=Audience.PARTNER,
              permission=PERMISSION, link=_link("incentives:fh_month", "fh_month_id"), reading=_review,
              summary=_("The FH list of %(month)s was reviewed.")),
    EventType(FH_PAYMENT_DECIDED, _("FH payment application decided"), audience=Audience.PARTNER,
              permission=PERMISSION, link=_link("incentives:fh_payment", "payment_id"), reading=_payment,
              summary=_("Huawei Cloud decided on your FH payment application.")),
    EventType(FH_PAYMENT_PAID, _("FH payment paid"), audience=Audience.PARTNER,
              permission=PERMISSION, link=_link("incentives:fh_payment", "payment_id"),
              summary=_("The FH payment of %(year)s Q%(quarter)s was paid: %(money)s.")),
)

register(*TYPES)
