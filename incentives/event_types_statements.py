"""The events of 激励对账 (events.outbox), registered when hooks_statements is imported. Told to the partner's
members with `incentives.view`, offered to its webhooks. Data always carries `statement_id` (the link opens
the statement's page), `statement_no`, `bill_cycle` (对账期次), `name` (激励名称) and `amount` (the final
激励金额, CNY, two decimals).

A statement is announced final exactly once (key `incentives.statement_final:<id>`, shared by both types):
- `incentives.statement_answered`: Huawei Cloud answered the partner's objection and made the statement final
  (`answer`; `amount_before` when the amount was corrected); the amount was credited to the rebate account.
- `incentives.statement_final`: a confirmed statement, or a pending one whose objection period ended without
  an objection, became final and its amount was credited to the rebate account (返点账户).
The partner's own confirmations and objections are its own doing and are not announced; the statements of a
new month are announced by the monthly run (event_types_policies).
"""

from django.urls import NoReverseMatch
from django.utils.translation import gettext_lazy as _

from customers.event_types import page_url
from events.choices import Audience
from events.types import EventType, register

__all__ = ["STATEMENT_ANSWERED", "STATEMENT_FINAL", "TYPES", "final_key"]

STATEMENT_ANSWERED = "incentives.statement_answered"
STATEMENT_FINAL = "incentives.statement_final"

PERMISSION = "incentives.view"


def final_key(statement_pk) -> str:
    """The one key of a statement's final announcement, whichever type announces it."""
    return f"{STATEMENT_FINAL}:{statement_pk}"


def statement_link(event, side):
    statement_id = event.data.get("statement_id")
    try:
        if statement_id:
            return page_url("incentives:statement_detail", None, statement_id)
        return page_url("incentives:statements")
    except NoReverseMatch:
        return None


def _answered(data):
    if data.get("amount_before") not in (None, ""):
        return _("Huawei Cloud answered your objection to %(name)s (%(bill_cycle)s) and corrected the amount: "
                 "%(money)s was credited to your rebate account. %(answer)s")
    return None


TYPES = (
    EventType(STATEMENT_ANSWERED, _("Incentive objection answered"), audience=Audience.PARTNER,
              permission=PERMISSION, link=statement_link, reading=_answered,
              summary=_("Huawei Cloud answered your objection to %(name)s (%(bill_cycle)s); the statement is final "
                        "and %(money)s was credited to your rebate account. %(answer)s")),
    EventType(STATEMENT_FINAL, _("Incentive statement final"), audience=Audience.PARTNER,
              permission=PERMISSION, link=statement_link,
              summary=_("The incentive statement %(name)s of %(bill_cycle)s is final: %(money)s was credited to "
                        "your rebate account.")),
)

register(*TYPES)
