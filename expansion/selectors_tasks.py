"""Reads of sales tasks (营销任务 › 销售拓展任务) and of entrustments (委托), scoped to the actor.

- A partner's own tasks are those of the customers it may see (customers.selectors.associations_for: the
  active associations, the whole book with customers.view_all, else its team's assigned customers only);
  a task of a customer that is no longer associated with it is not shown.
- A distributor sees, while a cloud reseller's entrustment to it is active (and the reseller is still its
  reseller), that reseller's associated customers with their contacts, and their tasks — to its members who
  may read a cloud reseller's book in the core (customers.selectors._book with an indirect_partner_id:
  resellers.view, and customers.view or customers.view_all; the reseller's whole book then), with
  expansion.view. Anyone else of the distributor (an account manager with customers.view only) sees none of
  them. After the entrustment is cancelled nobody there sees them: not found.
- Any other partner's task, customer or entrustment is not found.
"""

from __future__ import annotations

from django.db import connections
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.utils import timezone

from customers.models import Association
from customers.selectors import CUSTOMERS, associations_for
from partnercenter.api.pagination import counted
from partnercenter.choices import PartnerType
from partnercenter.models import ListCount
from partnercenter.templatetags.display import CHINA

from .choices import EntrustmentStatus, TaskStatus
from .models import Entrustment, SalesTask, TaskProgress

__all__ = [
    "today", "tasks_for", "own_tasks_for", "entrusted_tasks_for", "visible_tasks_for", "task_for", "progress_of",
    "entrustment_of", "entrustments_for", "reads_entrusted", "entrusting_resellers", "entrusted_resellers",
    "with_customer_counts", "entrusted_reseller_for", "entrusted_customers_for", "active_association",
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


def reads_entrusted(actor) -> bool:
    """Whether the actor may see what cloud resellers entrusted to its partner: a distributor's member with
    expansion.view who may read a reseller's book as the core has it (customers.selectors._book: the
    reseller named through partnercenter.selectors.reseller_for, which asks resellers.view, then
    customers.view or customers.view_all — and the whole book)."""
    return (actor.is_partner and actor.partner.is_distributor and actor.has_perm("expansion.view")
            and actor.has_perm("resellers.view")
            and (actor.has_perm("customers.view") or actor.sees_all_customers))


def _entrusted(actor) -> Q | None:
    if not reads_entrusted(actor):
        return None
    associated = Association.objects.filter(customer_id=OuterRef("customer_id"), partner_id=OuterRef("partner_id"),
                                            ended_on__isnull=True)
    return Q(partner_id__in=entrusting_resellers(actor)) & Q(Exists(associated))


def own_tasks_for(actor):
    """The partner's tasks of the customers the actor may see, bare (no joins: to lock through)."""
    own = _own(actor)
    if own is None:
        return SalesTask.objects.none()
    return SalesTask.objects.filter(own)


def tasks_for(actor):
    """营销任务 › 销售拓展任务 › 我的客户: the partner's tasks of the customers the actor may see."""
    return _listed(own_tasks_for(actor))


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
    """Every task the actor may open: its own and, at a distributor, the entrusted ones (bare: no joins)."""
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
    """The task's progress records, newest first (a queryset: the page paginates it)."""
    return TaskProgress.objects.filter(task=task).order_by("-id")


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
    """At a distributor: the active entrustments of its cloud resellers, each with `open_task_count` (their
    customers' tasks not closed); `with_customer_counts` adds each one's number of customers to a page."""
    if _entrusted(actor) is None:
        return Entrustment.objects.none()
    open_tasks = (SalesTask.objects.filter(partner_id=OuterRef("reseller_id")).exclude(status=TaskStatus.CLOSED)
                  .filter(Exists(Association.objects.filter(customer_id=OuterRef("customer_id"),
                                                            partner_id=OuterRef("partner_id"), ended_on__isnull=True)))
                  .order_by().values("partner_id").annotate(n=Count("pk")).values("n"))
    return (Entrustment.objects.filter(reseller_id__in=entrusting_resellers(actor), status=EntrustmentStatus.ACTIVE,
                                       distributor_id=actor.partner.pk)
            .select_related("reseller")
            .annotate(open_task_count=Subquery(open_tasks))
            .order_by("-id"))


def with_customer_counts(entrustments):
    """Set `customer_count` on each entrustment of a page: its cloud reseller's associated customers, read from
    the reseller's customers list counter (customers.selectors.CUSTOMERS, the whole list: scope 0) — one
    statement for the page, never a COUNT over a reseller's associations. As `partnercenter.api.pagination.
    Total.value` reads one counter, with this transaction's pending changes on PostgreSQL."""
    rows = list(entrustments)
    ids = sorted({row.reseller_id for row in rows})
    counts = {}
    if ids:
        connection = connections[Entrustment.objects.db]
        marks = ", ".join(["%s"] * len(ids))
        where = f"list_name = %s AND scope = 0 AND partner_id IN ({marks})"
        params = [CUSTOMERS.name, *ids]
        sql = f'SELECT partner_id, "count" AS n FROM {ListCount._meta.db_table} WHERE {where}'
        if connection.vendor == "postgresql":
            sql += f" UNION ALL SELECT partner_id, delta AS n FROM partnercenter_listcount_pending WHERE {where}"
            params = params * 2
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT partner_id, COALESCE(SUM(n), 0) FROM ({sql}) counts GROUP BY partner_id", params)
            counts = {partner_id: int(n) for partner_id, n in cursor.fetchall()}
    for row in rows:
        row.customer_count = counts.get(row.reseller_id, 0)
    return rows


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
    queryset = (Association.objects.filter(partner_id=reseller.pk, ended_on__isnull=True,
                                           partner_id__in=entrusting_resellers(actor))
                .select_related("customer")
                .annotate(open_task_count=Subquery(open_tasks))
                .order_by("-associated_on", "-id"))
    # The reseller's active associations are its customers list (customers.selectors.CUSTOMERS): the page's
    # total is that counter (while the entrustment holds, as the view checked just before).
    return counted(queryset, CUSTOMERS.total_for(reseller))
