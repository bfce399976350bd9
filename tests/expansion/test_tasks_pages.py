"""营销任务 › 销售拓展任务 › 我的客户: scope (an account manager sees its customers' tasks only), the query
conditions, export, the task page with progress and closing, another tenant's task not found, and a constant
number of queries per page."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from expansion.choices import TaskStatus
from expansion.models import SalesTask, TaskProgress
from expansion.selectors_tasks import today
from partnercenter.models import OperationLog

from ..factories import AssociationFactory, CustomerFactory
from . import tasks_fixtures
from .tasks_fixtures import assign, client_of

world = tasks_fixtures.world  # the fixture

pytestmark = pytest.mark.django_db

LIST = reverse("expansion:tasks")


def listed(client, query=""):
    response = client.get(LIST + query)
    assert response.status_code == 200
    return {task.pk for task in response.context["page"]}


def test_the_account_manager_sees_its_customers_tasks_the_administrator_all(world):
    mine = assign(world, world.sp.partner, world.mine)
    theirs = assign(world, world.sp.partner, world.theirs)
    foreign = assign(world, world.reseller, world.r1)
    assert listed(client_of(world.sp.admin)) == {mine.pk, theirs.pk}
    assert listed(client_of(world.am)) == {mine.pk}
    # the distributor's own list holds none of its reseller's tasks (nothing entrusted)
    assert listed(client_of(world.dist.admin)) == set()
    # the customer's name is masked until revealed
    page = client_of(world.am).get(LIST).content.decode()
    assert "我的客户公司" not in page and "mine-corp" not in page
    assert "我的客户公司" in client_of(world.am).get(LIST + "?reveal=name").content.decode()
    assert OperationLog.objects.filter(action="customer.reveal").exists()
    # a member without expansion.view is refused the page
    assert client_of(world.sp.member).get(LIST).status_code == 403
    assert foreign.pk


def test_query_conditions(world):
    renewal = assign(world, world.sp.partner, world.mine, kind="renewal", days=1)
    upgrade = assign(world, world.sp.partner, world.theirs, kind="upgrade", days=10)
    closed = assign(world, world.sp.partner, world.theirs, kind="follow_up", days=5)
    SalesTask.objects.filter(pk=closed.pk).update(status=TaskStatus.CLOSED, result="done")
    overdue = SalesTask.objects.create(partner=world.sp.partner, customer=world.mine, kind="follow_up", title="逾期",
                                       due_date=today() - timedelta(days=2))
    due_today = SalesTask.objects.create(partner=world.sp.partner, customer=world.theirs, kind="renewal",
                                         title="今天到期", due_date=today())
    client = client_of(world.sp.admin)
    assert listed(client, "?kind=upgrade") == {upgrade.pk}
    assert listed(client, "?status=closed") == {closed.pk}
    assert listed(client, "?status=open") == {renewal.pk, upgrade.pk, overdue.pk, due_today.pk}
    assert listed(client, "?status=overdue") == {overdue.pk}
    assert listed(client, "?customer=mine-corp") == {renewal.pk, overdue.pk}
    assert listed(client, "?customer=别人的") == {upgrade.pk, closed.pk, due_today.pk}
    assert listed(client, f"?customer={world.mine.domain_id}") == {renewal.pk, overdue.pk}
    start, end = today() + timedelta(days=1), today() + timedelta(days=5)
    assert listed(client, f"?due_from={start}&due_to={end}") == {renewal.pk, closed.pk}
    assert listed(client, f"?due_from={start}&kind=follow_up") == {closed.pk}
    # an overdue row is marked as such
    assert 'class="badge status-6 overdue"' in client.get(LIST + "?status=overdue").content.decode()


def test_export_has_the_filtered_rows_of_the_scope_and_is_logged(world):
    assign(world, world.sp.partner, world.mine, title="任务甲", kind="renewal")
    assign(world, world.sp.partner, world.theirs, title="任务乙", kind="upgrade")
    assign(world, world.sp.partner, world.mine, title="=HYPERLINK(1)", kind="upgrade")
    response = client_of(world.am).get(reverse("expansion:task_export") + "?kind=upgrade")
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][0] == "mine-corp" and rows[1][4] == "=HYPERLINK(1)"
    assert sheet.cell(row=2, column=5).data_type == "s"
    log = OperationLog.objects.get(action="expansion.task_export")
    assert log.detail["count"] == 1 and log.detail["filters"] == {"kind": "upgrade"}


def test_progress_and_closing_from_the_task_page(world):
    task = assign(world, world.sp.partner, world.mine, title="续费提醒")
    client = client_of(world.am)
    url = reverse("expansion:task", args=[task.pk])
    page = client.get(url).content.decode()
    assert "续费提醒" in page and 'id="progress-form"' in page and 'id="close-form"' in page

    # an empty note is refused on the form
    response = client.post(reverse("expansion:task_progress", args=[task.pk]), {"note": ""})
    assert response.status_code == 400 and not TaskProgress.objects.exists()
    response = client.post(reverse("expansion:task_progress", args=[task.pk]), {"note": "已电话联系"})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "已电话联系" in page
    task.refresh_from_db()
    assert task.status == TaskStatus.IN_PROGRESS

    response = client.post(reverse("expansion:task_close", args=[task.pk]), {"result": "客户续费一年"})
    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.status, task.result) == (TaskStatus.CLOSED, "客户续费一年")
    page = client.get(url).content.decode()
    assert 'id="progress-form"' not in page and 'id="close-form"' not in page and "客户续费一年" in page

    # a member with expansion.view only sees the task without the forms
    viewer_task = assign(world, world.reseller, world.r1)
    page = client_of(world.reseller_viewer).get(reverse("expansion:task", args=[viewer_task.pk])).content.decode()
    assert 'id="progress-form"' not in page and 'id="close-form"' not in page
    assert client_of(world.reseller_viewer).post(reverse("expansion:task_progress", args=[viewer_task.pk]),
                                                 {"note": "x"}).status_code == 403


def test_another_tenants_or_another_managers_task_is_not_found(world):
    theirs = assign(world, world.sp.partner, world.theirs)
    mine = assign(world, world.sp.partner, world.mine)
    for member, task in ((world.am, theirs), (world.other.admin, mine), (world.dist.admin, mine),
                         (world.reseller_admin, mine)):
        client = client_of(member)
        assert client.get(reverse("expansion:task", args=[task.pk])).status_code == 404
        assert client.post(reverse("expansion:task_progress", args=[task.pk]), {"note": "x"}).status_code == 404
        assert client.post(reverse("expansion:task_close", args=[task.pk]), {"result": "x"}).status_code == 404
    assert client_of(world.am).get(reverse("expansion:task", args=[10 ** 12])).status_code == 404
    assert not TaskProgress.objects.exists()
    assert SalesTask.objects.filter(status=TaskStatus.OPEN).count() == 2


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("who", ["admin", "am"])
def test_constant_queries_per_page(world, who):
    member = world.sp.admin if who == "admin" else world.am
    client = client_of(member)
    assign(world, world.sp.partner, world.mine)
    one = _queries(client, LIST)
    one_revealed = _queries(client, LIST + "?reveal=name&status=open")
    for n in range(18):
        customer = AssociationFactory(partner=world.sp.partner, account_manager=world.am,
                                      customer=CustomerFactory()).customer
        task = assign(world, world.sp.partner, customer, days=n)
        TaskProgress.objects.create(task=task, note=f"进展{n}", created_by="x")
    assert len(client.get(LIST).context["page"]) == 19
    assert _queries(client, LIST) == one
    assert _queries(client, LIST + "?reveal=name&status=open") == one_revealed
