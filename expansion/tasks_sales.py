"""Sales tasks (营销任务 › 销售拓展任务): the services. (Not Celery tasks: the area is called "tasks".)

Huawei's flow: 销售 > 拓新 > 营销任务, the 销售拓展任务 > 我的客户 tab; set the query conditions to find the sales
expansion tasks to look at. Here:

- Operators assign a task per customer in the admin (`assign_task`): a renewal reminder, an upgrade or a
  follow-up, with a title, a description and a due date (today or later, China's calendar day). The customer
  must be associated with the partner now: its association is locked and read again inside the transaction.
  The partner hears of it (`expansion.task_assigned`, naming the customer, so an account manager hears of
  its own customers' only); while the partner, a cloud reseller, has its customers entrusted to its
  distributor, the distributor hears of it too.
- Members with `expansion.manage` who may see the task (expansion.selectors_tasks) record progress
  (`record_progress`: an OPEN task becomes IN_PROGRESS) and close it with a result (`close_task`). A
  distributor may record progress on an entrusted reseller's task (the reseller hears of it) but only the
  reseller closes it. A closed task takes nothing more. Visibility is checked again once the task row is
  locked.
- Every write goes through partnercenter.oplog.operation (the operator's assignment is filed under the
  partner's log).
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy

from events import outbox
from partnercenter.choices import ActorKind, PartnerStatus, PartnerType
from partnercenter.errors import Codes, DomainError
from partnercenter.oplog import operation

from . import selectors_tasks
from .choices import EntrustmentStatus, TaskKind, TaskStatus
from .errors_tasks import TaskCodes
from .event_types_tasks import ENTRUSTED_TASK_ASSIGNED, TASK_ASSIGNED, TASK_PROGRESS
from .models import Entrustment, SalesTask, TaskProgress

__all__ = ["ACTION_LABELS", "MANAGE", "assignment_refusal", "assign_task", "record_progress", "close_task",
           "may_close"]

MANAGE = "expansion.manage"

ACTION_LABELS = {
    "expansion.task_assign": gettext_lazy("Assign a sales task"),
    "expansion.task_progress": gettext_lazy("Record progress on a sales task"),
    "expansion.task_close": gettext_lazy("Close a sales task"),
    "expansion.task_export": gettext_lazy("Export sales tasks"),
}


def _customer_name(customer) -> str:
    return customer.real_name or customer.domain_name


def _require_operator(actor):
    if actor.kind != ActorKind.OPERATOR:
        raise DomainError(Codes.FORBIDDEN, gettext_lazy("Only the platform's operators assign sales tasks."))


def _require_manager(actor):
    if not (actor.is_partner and actor.has_perm(MANAGE)):
        raise DomainError(Codes.FORBIDDEN)


def assignment_refusal(*, partner, customer, due_date) -> DomainError | None:
    """Why a task for `customer` at `partner` due on `due_date` cannot be assigned now (read without locks:
    the admin form shows it; assign_task checks again under the lock)."""
    if due_date is not None and due_date < selectors_tasks.today():
        return DomainError(TaskCodes.DUE_IN_PAST)
    if partner is not None and customer is not None \
            and not selectors_tasks.active_association(customer.pk, partner.pk).exists():
        return DomainError(TaskCodes.NOT_ASSOCIATED)
    return None


def _clean(text, *, limit, code) -> str:
    text = (text or "").strip()
    if not text:
        raise DomainError(code)
    if len(text) > limit:
        raise DomainError(Codes.PARAMETER, gettext_lazy("At most %(limit)d characters.") % {"limit": limit})
    return text


def assign_task(actor, *, partner, customer, kind, title, due_date, description: str = "") -> SalesTask:
    """An operator assigns a sales task for one of the partner's associated customers."""
    detail = {"customer": getattr(customer, "domain_id", ""), "kind": kind,
              "due_date": due_date.isoformat() if due_date else ""}
    with operation(actor, "expansion.task_assign", partner=partner, detail=detail) as entry:
        _require_operator(actor)
        if kind not in TaskKind.values:
            raise DomainError(Codes.PARAMETER, gettext_lazy("Choose the task type."))
        title = _clean(title, limit=200, code=TaskCodes.TITLE_REQUIRED)
        description = (description or "").strip()
        if len(description) > 2000:
            raise DomainError(Codes.PARAMETER, gettext_lazy("At most %(limit)d characters.") % {"limit": 2000})
        if due_date is None:
            raise DomainError(Codes.PARAMETER, gettext_lazy("Give the due date."))
        refusal = assignment_refusal(partner=partner, customer=None, due_date=due_date)
        if refusal is not None:
            raise refusal
        # customers/locks.py: the association is the first lock of a write that needs the customer to be
        # the partner's; a disassociation committing meanwhile is seen here.
        association = selectors_tasks.active_association(customer.pk, partner.pk) \
            .select_for_update(no_key=True).first()
        if association is None:
            raise DomainError(TaskCodes.NOT_ASSOCIATED)
        task = SalesTask.objects.create(partner=partner, customer=customer, kind=kind, title=title,
                                        description=description, due_date=due_date, created_by=actor.label[:150])
        entry.target = task
        data = {"task_id": task.pk, "title": title, "kind": kind, "customer_name": _customer_name(customer),
                "due_date": due_date.isoformat()}
        outbox.record(TASK_ASSIGNED, partner=partner, customer=customer, account_manager=association.account_manager,
                      actor=actor, data=data)
        _tell_distributor(partner, actor, data)
    return task


def _tell_distributor(partner, actor, data):
    """A cloud reseller's new task is told to the distributor its customers are entrusted to."""
    if partner.partner_type != PartnerType.RESELLER or partner.distributor_id is None:
        return
    entrusted = Entrustment.objects.filter(reseller=partner, distributor_id=partner.distributor_id,
                                           status=EntrustmentStatus.ACTIVE).select_related("distributor").first()
    if entrusted is None or entrusted.distributor.status != PartnerStatus.ACTIVE:
        return
    # The distributor's copy of an event in its reseller's book (`indirect_partner_id`): told to its members
    # who may read that book (events.notifications: resellers.view), as expansion.selectors_tasks shows it.
    outbox.record(ENTRUSTED_TASK_ASSIGNED, partner=entrusted.distributor, actor=actor,
                  data={**data, "reseller": partner.name, "reseller_id": partner.domain_id,
                        "indirect_partner_id": partner.domain_id})


def _locked_visible(actor, task, *, own_only=False) -> SalesTask:
    """The task's row locked, if the actor may still see it (its own, or entrusted to it unless own_only).

    The lock is taken through the actor's scope, so a task the actor may not see is never locked (nor waited
    for) by it; once the row is held, the scope is read again in a new statement, which sees what committed
    while it waited (an association ended, an entrustment cancelled)."""
    scope = selectors_tasks.own_tasks_for if own_only else selectors_tasks.visible_tasks_for
    locked = scope(actor).select_for_update(of=("self",)).filter(pk=task.pk).first()
    if locked is None or not scope(actor).filter(pk=task.pk).exists():
        raise DomainError(Codes.NOT_FOUND)
    if locked.status == TaskStatus.CLOSED:
        raise DomainError(TaskCodes.TASK_CLOSED)
    return locked


def record_progress(actor, *, task, note) -> TaskProgress:
    """Record progress on a task the actor may see (its own or an entrusted reseller's)."""
    with operation(actor, "expansion.task_progress", target=task, detail={"note": str(note or "")[:200]}) as entry:
        _require_manager(actor)
        note = _clean(note, limit=1000, code=TaskCodes.NOTE_REQUIRED)
        task = _locked_visible(actor, task)
        entrusted = task.partner_id != actor.partner.pk
        by = actor.label if not entrusted else f"{actor.label} ({actor.partner.name})"
        progress = TaskProgress.objects.create(task=task, note=note, created_by=by[:150])
        if task.status == TaskStatus.OPEN:
            task.status = TaskStatus.IN_PROGRESS
            task.save(update_fields=["status"])
        entry.target = task
        if entrusted:
            entry.detail["reseller"] = task.partner.domain_id
            association = selectors_tasks.active_association(task.customer_id, task.partner_id) \
                .select_related("account_manager").first()
            outbox.record(TASK_PROGRESS, partner=task.partner, customer=task.customer_id,
                          account_manager=association.account_manager if association else None, actor=actor,
                          data={"task_id": task.pk, "title": task.title, "note": note, "by": actor.partner.name,
                                "customer_name": _customer_name(task.customer)})
    return progress


def may_close(actor, task) -> bool:
    """Whether the actor may close the task: its own partner's, not closed, with expansion.manage."""
    return (actor.is_partner and actor.has_perm(MANAGE) and task.partner_id == actor.partner.pk
            and task.status != TaskStatus.CLOSED)


def close_task(actor, *, task, result) -> SalesTask:
    """Close one of the partner's tasks with its result."""
    with operation(actor, "expansion.task_close", target=task, detail={"result": str(result or "")[:200]}):
        _require_manager(actor)
        result = _clean(result, limit=500, code=TaskCodes.RESULT_REQUIRED)
        task = _locked_visible(actor, task, own_only=True)
        task.status, task.result, task.closed_at = TaskStatus.CLOSED, result, timezone.now()
        task.save(update_fields=["status", "result", "closed_at"])
    return task
