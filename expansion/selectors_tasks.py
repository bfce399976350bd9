"""Reads of sales tasks (营销任务 › 销售拓展任务) and of entrustments (委托), scoped to the actor.

- A partner's own tasks are those of the customers it may see (customers.selectors.associations_for: the
  active associations, the whole book with customers.view_all, else its team's assigned customers only);
  a task of a customer that is no longer associated with it is not shown.
- A distributor sees, while a cloud reseller's entrustment to it is active (and the reseller is still its
  reseller), that reseller's associated customers with their contacts, and their tasks — whatever the
  member's own account-manager scope (that narrows the distributor's own book only). After the entrustment
  is cancelled it sees none of them: not found.
- Any other partner's task, customer or entrustment is not found.
"""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.utils import timezone

from customers.models import Association
from customers.selectors import associations_for
from partnercenter.choices import PartnerType
from partnercenter.templatetags.display import CHINA

from .choices import EntrustmentStatus, TaskStatus
from .models import Entrustment, SalesTask, TaskProgress

__all__ = [
    "today", "tasks_for", "entrusted_tasks_for", "visible_tasks_for", "task_for", "progress_of",
    "entrustment_of", "entrustments_for", "entrusting_resellers", "entrusted_resellers", "entrusted_reseller_for",
    "entrusted_customers_for", "active_association",
]


def today():
    """The day in China, as due dates are kept."""
    return timezone.localdate(timezone=CHINA)


def _pk(value) -> int | None:
    try:
        value = int(value)
    except (TypeError, ValueError):
        return None
    return value if 0 < value < 2 ** 63 else None


def active_association(customer_id, partner_id):
    """The active association between a customer and a partner (a queryset: lock or read it)."""
    return Association.objects.filter(customer_id=customer_id, partner_id=partner_id, ended_on__isnull=True)


def _listed(queryset):
    """What a list row shows: the customer, the account manager of its active association with the task's
    partner and the latest progress note, read in the same statement (a constant number per page)."""
    association = Association.objects.filter(customer_id=OuterRef("customer_id"), partner_id=OuterRef("partner_id"),
                                             ended_on__isnull=True)
    latest = TaskProgress.objects.filter(task_id=OuterRef("pk")).order_by("-id")
    return (queryset.select_related("customer", "partner")
            .annotate(manager_name=Subquery(association.values("account_manager__display_name")[:1]),
                      latest_progress=Subquery(latest.values("note")[:1]),
                      latest_progress_at=Subquery(latest.values("created_at")[:1]))
            .order_by("due_date", "id"))


def _own(actor) -> Q | None:
    if not actor.is_partner:
        return None
    return Q(partner_id=actor.partner.pk, customer_id__in=associations_for(actor).values("customer_id"))


def entrusting_resellers(actor):
    """The ids of the cloud resellers whose customers are entrusted to the actor's partner now (a subquery)."""
    if not actor.is_partner or not actor.partner.is_distributor:
        return Entrustment.objects.none().values("reseller_id")
    return Entrustment.objects.filter(
        distributor_id=actor.partner.pk, status=EntrustmentStatus.ACTIVE,
        reseller__distributor_id=actor.partner.pk, reseller__partner_type=PartnerType.RESELLER,
    ).values("reseller_id")


def _entrusted(actor) -> Q | None:
    if not actor.is_partner or not actor.partner.is_distributor or not actor.has_perm("expansion.view"):
        return None
    associated = Association.objects.filter(customer_id=OuterRef("customer_id"), partner_id=OuterRef("partner_id"),
                                            ended_on__isnull=True)
    return Q(partner_id__in=entrusting_resellers(actor)) & Q(Exists(associated))


def tasks_for(actor):
    """营销任务 › 销售拓展任务 › 我的客户: the partner's tasks of the customers the actor may see."""
    own = _own(actor)
    if own is None:
        return SalesTask.objects.none()
    return _listed(SalesTask.objects.filter(own))


def entrusted_tasks_for(actor, reseller=None):
    """The tasks of the customers cloud resellers entrusted to the actor's partner (one reseller's, if named)."""
    entrusted = _entrusted(actor)
    if entrusted is None:
        return SalesTask.objects.none()
    queryset = SalesTask.objects.filter(entrusted)
    if reseller is not None:
        queryset = queryset.filter(partner_id=reseller.pk)
    return _listed(queryset)


def visible_tasks_for(actor):
    """Every task the actor may open: its own and, at a distributor, the entrusted ones."""
    conditions = [q for q in (_own(actor), _entrusted(actor)) if q is not None]
    if not conditions:
        return SalesTask.objects.none()
    condition = conditions[0]
    for other in conditions[1:]:
        condition |= other
    return SalesTask.objects.filter(condition)


def task_for(actor, pk) -> SalesTask | None:
    """One task the actor may open (with `entrusted`: True when it is a reseller's, seen through an
    entrustment), or None."""
    pk = _pk(pk)
    if pk is None:
        return None
    task = _listed(visible_tasks_for(actor).filter(pk=pk)).first()
    if task is not None:
        task.entrusted = task.partner_id != actor.partner.pk
    return task


def progress_of(task):
    return list(TaskProgress.objects.filter(task=task).order_by("-id"))


# ---------------------------------------------------------------------------------------------------------
# Entrustment


def entrustment_of(actor) -> Entrustment | None:
    """The active entrustment of the actor's partner (a cloud reseller), or None."""
    if not actor.is_partner:
        return None
    return (Entrustment.objects.filter(reseller_id=actor.partner.pk, status=EntrustmentStatus.ACTIVE)
            .select_related("distributor").first())


def entrustments_for(actor):
    """The reseller's entrustment history, newest first."""
    if not actor.is_partner:
        return Entrustment.objects.none()
    return Entrustment.objects.filter(reseller_id=actor.partner.pk).select_related("distributor").order_by("-id")


def entrusted_resellers(actor):
    """At a distributor: the active entrustments of its cloud resellers, each with `customer_count` (its
    associated customers) and `open_task_count` (their tasks not closed)."""
    if _entrusted(actor) is None:
        return Entrustment.objects.none()
    customers = (Association.objects.filter(partner_id=OuterRef("reseller_id"), ended_on__isnull=True)
                 .order_by().values("partner_id").annotate(n=Count("pk")).values("n"))
    open_tasks = (SalesTask.objects.filter(partner_id=OuterRef("reseller_id")).exclude(status=TaskStatus.CLOSED)
                  .filter(Exists(Association.objects.filter(customer_id=OuterRef("customer_id"),
                                                            partner_id=OuterRef("partner_id"), ended_on__isnull=True)))
                  .order_by().values("partner_id").annotate(n=Count("pk")).values("n"))
    return (Entrustment.objects.filter(reseller_id__in=entrusting_resellers(actor), status=EntrustmentStatus.ACTIVE,
                                       distributor_id=actor.partner.pk)
            .select_related("reseller")
            .annotate(customer_count=Subquery(customers), open_task_count=Subquery(open_tasks))
            .order_by("-id"))


def entrusted_reseller_for(actor, domain_id):
    """The active entrustment of the cloud reseller `domain_id` to the actor's partner, or None (also after
    it was cancelled)."""
    if not domain_id or len(str(domain_id)) > 64:
        return None
    return entrusted_resellers(actor).filter(reseller__domain_id=domain_id).first()


def entrusted_customers_for(actor, reseller):
    """The associations of the customers `reseller` entrusted to the actor's partner (none unless the
    entrustment is active), with the customer and its open task count, newest association first."""
    if _entrusted(actor) is None:
        return Association.objects.none()
    open_tasks = (SalesTask.objects.filter(partner_id=OuterRef("partner_id"), customer_id=OuterRef("customer_id"))
                  .exclude(status=TaskStatus.CLOSED)
                  .order_by().values("customer_id").annotate(n=Count("pk")).values("n"))
    return (Association.objects.filter(partner_id=reseller.pk, ended_on__isnull=True,
                                       partner_id__in=entrusting_resellers(actor))
            .select_related("customer")
            .annotate(open_task_count=Subquery(open_tasks))
            .order_by("-associated_on", "-id"))
