"""Demo sales tasks and one entrustment (idempotent: each part is created once).

- 杭州云帆 (hz, a cloud reseller of 华东云联) has entrusted its customers to 华东云联 (hd): hd's members see hz's
  three customers with their contacts and tasks under 营销任务 › 委托客户; one of those tasks has progress
  recorded by hd.
- 北京智云 (bj): tasks assigned by the operator for its customers (so each account manager sees its own):
  renewal reminders, upgrades and follow-ups due today and over the next weeks, some in progress, one
  closed with its result, and two overdue ones.
"""

from datetime import timedelta

from django.utils import timezone

from customers.models import Customer
from partnercenter.actors import actor_for_user
from partnercenter.models import User

from . import tasks_entrustment, tasks_sales
from .choices import TaskKind, TaskStatus
from .models import Entrustment, SalesTask, TaskProgress
from .selectors_tasks import today

__all__ = ["seed"]

BJ_TASKS = [
    # customer, kind, title, description, due in days, progress notes, result
    ("bj-cust-02", TaskKind.RENEWAL, "包年云服务器到期续费提醒", "客户的 3 台包年云服务器本月到期，请提醒续费。",
     0, ["已电话联系客户 IT 负责人，客户确认续费意向。"], ""),
    ("bj-cust-03", TaskKind.UPGRADE, "推荐升级 GaussDB 企业版", "客户的业务量增长较快，建议从基础版升级到企业版。",
     3, [], ""),
    ("bj-cust-04", TaskKind.FOLLOW_UP, "新客户首月回访", "了解客户上云后的使用情况与问题。", 5,
     ["已预约下周二上门拜访。"], ""),
    ("bj-cust-05", TaskKind.RENEWAL, "对象存储资源包续订", "客户的 OBS 资源包即将用完。", 7, [], ""),
    ("bj-cust-06", TaskKind.FOLLOW_UP, "欠费客户跟进", "客户账户欠费，请跟进充值。", 2,
     ["客户财务已走付款流程。", "客户承诺本周内完成充值。"], ""),
    ("bj-cust-07", TaskKind.UPGRADE, "推荐 CDN 加速", "客户站点访问量大，推荐使用 CDN。", 14, [], ""),
    ("bj-cust-08", TaskKind.RENEWAL, "数据库实例续费提醒", "RDS 实例将于下月初到期。", 20, [], ""),
    ("bj-cust-09", TaskKind.FOLLOW_UP, "季度业务回顾", "与客户沟通下季度的上云计划。", 10,
     ["已发送季度回顾材料。"], "客户确认下季度扩容 20 台云服务器。"),
]
BJ_OVERDUE = [
    ("bj-cust-01", TaskKind.RENEWAL, "云硬盘续费提醒（已逾期）", "客户云硬盘已过到期日，请尽快联系。", 3,
     ["客户联系人休假，已留言。"]),
    ("bj-cust-10", TaskKind.FOLLOW_UP, "试用客户转化跟进（已逾期）", "客户试用期已结束，请跟进转化。", 10, []),
]
HZ_TASKS = [
    ("hz-cust-01", TaskKind.RENEWAL, "包年带宽续费提醒", "客户带宽资源即将到期。", 4),
    ("hz-cust-02", TaskKind.UPGRADE, "推荐升级云备份", "建议为核心业务开启云备份。", 9),
    ("hz-cust-03", TaskKind.FOLLOW_UP, "新签客户回访", "了解客户的上云体验。", 6),
]


def _actor(member_or_user):
    return actor_for_user(getattr(member_or_user, "user", member_or_user))


def _customer(domain_name):
    return Customer.objects.filter(domain_name=domain_name).first()


def seed(ctx: dict) -> None:
    partners, members = ctx["partners"], ctx["members"]
    bj, hz = partners.get("bj"), partners.get("hz")
    operator = User.objects.filter(username="operator").first()
    if bj is None or hz is None or operator is None:
        return
    if not Entrustment.objects.filter(reseller=hz).exists() and "hz.admin" in members:
        tasks_entrustment.entrust(_actor(members["hz.admin"]), consent=True)
    if not SalesTask.objects.filter(partner__in=[bj, hz]).exists():
        _seed_tasks(bj, hz, _actor(operator), members)


def _seed_tasks(bj, hz, operator, members):
    ceo = members.get("bj.ceo")
    for domain_name, kind, title, description, days, notes, result in BJ_TASKS:
        customer = _customer(domain_name)
        if customer is None:
            continue
        task = tasks_sales.assign_task(operator, partner=bj, customer=customer, kind=kind, title=title,
                                       description=description, due_date=today() + timedelta(days=days))
        if ceo is not None:
            for note in notes:
                tasks_sales.record_progress(_actor(ceo), task=task, note=note)
            if result:
                tasks_sales.close_task(_actor(ceo), task=task, result=result)
    now = timezone.now()
    for domain_name, kind, title, description, days, notes in BJ_OVERDUE:
        customer = _customer(domain_name)
        if customer is None:
            continue
        # due in the past: assigned weeks ago (the service takes today or later only)
        task = SalesTask.objects.create(
            partner=bj, customer=customer, kind=kind, title=title, description=description,
            due_date=today() - timedelta(days=days), created_by=operator.label, created_at=now - timedelta(days=30),
            status=TaskStatus.IN_PROGRESS if notes else TaskStatus.OPEN)
        for note in notes:
            TaskProgress.objects.create(task=task, note=note, created_by=ceo.user.username if ceo else "",
                                        created_at=now - timedelta(days=days + 2))
    distributor_admin = members.get("hd.admin")
    for index, (domain_name, kind, title, description, days) in enumerate(HZ_TASKS):
        customer = _customer(domain_name)
        if customer is None:
            continue
        task = tasks_sales.assign_task(operator, partner=hz, customer=customer, kind=kind, title=title,
                                       description=description, due_date=today() + timedelta(days=days))
        if index == 0 and distributor_admin is not None:
            tasks_sales.record_progress(_actor(distributor_admin), task=task,
                                        note="总经销商已联系客户，客户同意续费一年。")
