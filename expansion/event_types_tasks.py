"""The events of sales tasks and entrustment (events.outbox), told to the partner's members with
`expansion.view` (a task's events name its customer, so an account manager hears of its own customers' only):

- `expansion.task_assigned`: operators assigned a sales task (`task_id`, `title`, `kind`, `customer_name`,
  `due_date` as YYYY-MM-DD) for one of the partner's customers.
- `expansion.entrusted_task_assigned`: the same, told to the distributor a cloud reseller (`reseller`) entrusted
  its customers to, while the entrustment is active.
- `expansion.task_progress`: the distributor (`by`) recorded progress (`note`) on one of the reseller's tasks.
- `expansion.entrustment_started` / `expansion.entrustment_cancelled`: a cloud reseller (`reseller`,
  `reseller_id`) entrusted its customers to its distributor (`distributor`), or cancelled that; each side gets
  its own event, `role` says which side reads it ("reseller" or "distributor").
"""

from django.urls import NoReverseMatch
from django.utils.translation import gettext_lazy as _

from customers.event_types import page_url
from events.choices import Audience
from events.types import EventType, register

__all__ = [
    "TASK_ASSIGNED", "ENTRUSTED_TASK_ASSIGNED", "TASK_PROGRESS", "ENTRUSTMENT_STARTED", "ENTRUSTMENT_CANCELLED",
    "TYPES",
]

TASK_ASSIGNED = "expansion.task_assigned"
ENTRUSTED_TASK_ASSIGNED = "expansion.entrusted_task_assigned"
TASK_PROGRESS = "expansion.task_progress"
ENTRUSTMENT_STARTED = "expansion.entrustment_started"
ENTRUSTMENT_CANCELLED = "expansion.entrustment_cancelled"
PERMISSION = "expansion.view"


def task_link(event, side):
    task_id = event.data.get("task_id")
    try:
        return page_url("expansion:task", None, task_id) if task_id else page_url("expansion:tasks")
    except NoReverseMatch:
        return None


def entrustment_link(event, side):
    try:
        if event.data.get("role") == "distributor":
            reseller_id = event.data.get("reseller_id")
            if reseller_id and event.type == ENTRUSTMENT_STARTED:
                return page_url("expansion:entrusted_reseller", None, reseller_id)
            return page_url("expansion:entrusted")
        return page_url("expansion:entrustment")
    except NoReverseMatch:
        return None


def _started(data):
    if data.get("role") == "distributor":
        return _("The cloud reseller %(reseller)s entrusted the operation of its customers to you: you can now see "
                 "their contacts and sales tasks.")
    return _("Your customers are entrusted to your distributor %(distributor)s.")


def _cancelled(data):
    if data.get("role") == "distributor":
        return _("The cloud reseller %(reseller)s cancelled the entrustment of its customers.")
    return _("The entrustment of your customers to %(distributor)s was cancelled.")


TYPES = (
    EventType(TASK_ASSIGNED, _("Sales task assigned"), audience=Audience.PARTNER, permission=PERMISSION,
              summary=_("A sales task for %(customer_name)s was assigned to you: %(title)s (due %(due_date)s)."),
              link=task_link),
    EventType(ENTRUSTED_TASK_ASSIGNED, _("Sales task of an entrusted customer"), audience=Audience.PARTNER,
              permission=PERMISSION,
              summary=_("A sales task for %(customer_name)s, a customer %(reseller)s entrusted to you, was "
                        "assigned: %(title)s (due %(due_date)s)."),
              link=task_link),
    EventType(TASK_PROGRESS, _("Progress on a sales task by the distributor"), audience=Audience.PARTNER,
              permission=PERMISSION,
              summary=_("%(by)s recorded progress on the sales task %(title)s for %(customer_name)s: %(note)s"),
              link=task_link),
    EventType(ENTRUSTMENT_STARTED, _("Customers entrusted"), audience=Audience.PARTNER, permission=PERMISSION,
              reading=_started, link=entrustment_link),
    EventType(ENTRUSTMENT_CANCELLED, _("Entrustment cancelled"), audience=Audience.PARTNER, permission=PERMISSION,
              reading=_cancelled, link=entrustment_link),
)

register(*TYPES)
