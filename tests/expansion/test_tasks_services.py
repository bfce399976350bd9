"""Sales tasks: operators assign them for associated customers; members with expansion.manage record progress
and close them; every write is logged; the partner (and its account manager only) hears of an assignment."""

from datetime import timedelta

import pytest
from django.utils import timezone

from customers.models import Association
from events.models import Event
from events.notifications import recipients
from expansion import tasks_sales
from expansion.choices import TaskStatus
from expansion.errors_tasks import TaskCodes
from expansion.models import SalesTask, TaskProgress
from expansion.selectors_tasks import today
from partnercenter.errors import Codes, DomainError
from partnercenter.models import OperationLog

from . import tasks_fixtures
from .tasks_fixtures import actor, assign, operator_actor

world = tasks_fixtures.world  # the fixture

pytestmark = pytest.mark.django_db


def refused(code, call):
    with pytest.raises(DomainError) as caught:
        call()
    assert caught.value.code == code, caught.value
    return caught.value


def test_an_operator_assigns_a_task_the_partner_and_its_account_manager_hear_of_it(world):
    # given a customer assigned to the account manager
    task = assign(world, world.sp.partner, world.mine, kind="upgrade", title="推荐升级", days=0,
                  description="说明")
    # then the task is stored, logged under the partner, and announced naming the customer
    assert (task.partner, task.customer, task.kind, task.status, task.due_date) == (
        world.sp.partner, world.mine, "upgrade", TaskStatus.OPEN, today())
    assert task.created_by == "ops"
    log = OperationLog.objects.get(action="expansion.task_assign")
    assert (log.partner, log.result, log.target_id) == (world.sp.partner, "success", str(task.pk))
    event = Event.objects.get(type="expansion.task_assigned")
    assert (event.partner, event.customer_pk, event.account_manager) == (world.sp.partner, world.mine.pk, world.am)
    assert event.data["title"] == "推荐升级" and event.data["customer_name"] == "我的客户公司"
    told = set(recipients([event])[event.pk])
    assert world.am.user_id in told and world.sp.admin.user_id in told
    # the other account manager (customers.view only, no expansion.view) is not told
    assert world.sp.member.user_id not in told

    # a task for the customer nobody manages is not told to the account manager
    other = assign(world, world.sp.partner, world.theirs)
    event = Event.objects.get(type="expansion.task_assigned", data__task_id=other.pk)
    assert world.am.user_id not in recipients([event]).get(event.pk, [])


def test_assignment_is_refused_for_a_customer_not_associated_a_past_due_date_or_a_non_operator(world):
    # another partner's customer
    refused(TaskCodes.NOT_ASSOCIATED, lambda: assign(world, world.sp.partner, world.r1))
    # an ended association
    Association.objects.filter(customer=world.theirs).update(ended_on=timezone.now())
    refused(TaskCodes.NOT_ASSOCIATED, lambda: assign(world, world.sp.partner, world.theirs))
    refused(TaskCodes.DUE_IN_PAST, lambda: assign(world, world.sp.partner, world.mine, days=-1))
    refused(Codes.FORBIDDEN, lambda: tasks_sales.assign_task(
        actor(world.sp.admin), partner=world.sp.partner, customer=world.mine, kind="renewal", title="x",
        due_date=today()))
    refused(TaskCodes.TITLE_REQUIRED, lambda: assign(world, world.sp.partner, world.mine, title="  "))
    refused(Codes.PARAMETER, lambda: assign(world, world.sp.partner, world.mine, kind="nonsense"))
    assert not SalesTask.objects.exists() and not Event.objects.filter(type__startswith="expansion.").exists()
    assert set(OperationLog.objects.filter(action="expansion.task_assign").values_list("result", flat=True)) == {
        "failure"}


def test_progress_moves_an_open_task_in_progress_and_closing_needs_a_result(world):
    task = assign(world, world.sp.partner, world.mine)
    am = actor(world.am)
    tasks_sales.record_progress(am, task=task, note="  已联系客户  ")
    task.refresh_from_db()
    assert task.status == TaskStatus.IN_PROGRESS
    assert list(TaskProgress.objects.values_list("note", "created_by")) == [("已联系客户", "s.sales")]
    refused(TaskCodes.NOTE_REQUIRED, lambda: tasks_sales.record_progress(am, task=task, note=" "))
    refused(TaskCodes.RESULT_REQUIRED, lambda: tasks_sales.close_task(am, task=task, result=""))

    tasks_sales.close_task(am, task=task, result="客户已续费")
    task.refresh_from_db()
    assert (task.status, task.result) == (TaskStatus.CLOSED, "客户已续费") and task.closed_at is not None
    # a closed task takes nothing more
    refused(TaskCodes.TASK_CLOSED, lambda: tasks_sales.record_progress(am, task=task, note="再次跟进"))
    refused(TaskCodes.TASK_CLOSED, lambda: tasks_sales.close_task(am, task=task, result="again"))
    actions = list(OperationLog.objects.filter(action__in=["expansion.task_progress", "expansion.task_close"])
                   .order_by("pk").values_list("action", "result"))
    assert actions == [
        ("expansion.task_progress", "success"), ("expansion.task_progress", "failure"),
        ("expansion.task_close", "failure"), ("expansion.task_close", "success"),
        ("expansion.task_progress", "failure"), ("expansion.task_close", "failure")]


def test_only_members_who_may_see_the_task_and_manage_record_progress(world):
    theirs = assign(world, world.sp.partner, world.theirs)
    # the account manager does not see the customer assigned to nobody: not found
    refused(Codes.NOT_FOUND, lambda: tasks_sales.record_progress(actor(world.am), task=theirs, note="x"))
    refused(Codes.NOT_FOUND, lambda: tasks_sales.close_task(actor(world.am), task=theirs, result="x"))
    # another tenant: not found
    refused(Codes.NOT_FOUND, lambda: tasks_sales.record_progress(actor(world.dist.admin), task=theirs, note="x"))
    # without expansion.manage: forbidden
    refused(Codes.FORBIDDEN, lambda: tasks_sales.record_progress(actor(world.sp.member), task=theirs, note="x"))
    # after the customer left the partner, its task is not found any more
    mine = assign(world, world.sp.partner, world.mine)
    Association.objects.filter(customer=world.mine).update(ended_on=timezone.now())
    refused(Codes.NOT_FOUND, lambda: tasks_sales.record_progress(actor(world.sp.admin), task=mine, note="x"))
    assert not TaskProgress.objects.exists()


def test_the_admin_assigns_through_the_service_and_refuses_on_the_form(world, client):
    client.force_login(world.operator)
    due = (today() + timedelta(days=2)).isoformat()
    data = {"partner": world.sp.partner.pk, "customer": world.r1.pk, "kind": "follow_up", "title": "回访",
            "description": "", "due_date": due}
    response = client.post("/admin/expansion/salestask/add/", data)
    assert response.status_code == 200 and "errornote" in response.content.decode()
    assert not SalesTask.objects.exists()

    response = client.post("/admin/expansion/salestask/add/", {**data, "customer": world.mine.pk})
    assert response.status_code == 302, response.content.decode()[:3000]
    task = SalesTask.objects.get()
    assert task.customer == world.mine and task.created_by == "ops"
    assert OperationLog.objects.get(action="expansion.task_assign").partner == world.sp.partner
    assert client.get(f"/admin/expansion/salestask/{task.pk}/change/").status_code == 200
    assert client.get("/admin/expansion/salestask/").status_code == 200
    assert client.get("/admin/expansion/entrustment/").status_code == 200
    assert operator_actor(world.operator).kind == "operator"
