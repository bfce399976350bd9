"""The events of the directory area (events.outbox), registered when hooks_directory is imported.

- `expansion.report_expired` (partner): a report's protection period ended (the beat task
  `expansion.tasks_directory.expire_reports`, or another partner reporting the enterprise after the end of
  the period, before the task ran). Data: `report_id`, `enterprise_name`, `credit_code`, `protected_until`
  (wire time). Told to members with `expansion.view`. Keyed `report:<id>`: recorded once per report.
"""

from django.urls import NoReverseMatch
from django.utils.translation import gettext_lazy as _

from customers.event_types import page_url
from events.choices import Audience
from events.types import EventType, register

__all__ = ["REPORT_EXPIRED", "TYPES", "report_key"]

REPORT_EXPIRED = "expansion.report_expired"


def report_key(report_id) -> str:
    return f"report:{report_id}"


def _reports_link(event, side):
    try:
        return page_url("expansion:reports")
    except NoReverseMatch:
        return None


TYPES = (
    EventType(REPORT_EXPIRED, _("Report expired"), audience=Audience.PARTNER, permission="expansion.view",
              summary=_("Your report of %(enterprise_name)s expired at %(protected_until)s: the enterprise is no "
                        "longer protected for your company."),
              link=_reports_link),
)

register(*TYPES)
