"""销售拓展任务委托: a cloud reseller entrusts its customers to its distributor after agreeing to the notice, and
cancels any time; the distributor sees the customers' contacts and tasks only while it lasts, another
distributor never; both sides hear of it; every write is logged."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from events.models import Event
from expansion import tasks_entrustment, tasks_sales
from expansion.choices import EntrustmentStatus, TaskStatus
from expansion.errors_tasks import TaskCodes
from expansion.models import Entrustment, ExpansionProfile, TaskProgress
from partnercenter.choices import PartnerStatus
from partnercenter.errors import Codes, DomainError
from partnercenter.models import OperationLog

from ..factories import AssociationFactory, CustomerFactory
from . import tasks_fixtures
from .tasks_fixtures import actor, assign, client_of

world = tasks_fixtures.world  # the fixture

pytestmark = pytest.mark.django_db

ENTRUSTMENT = reverse("expansion:entrustment")
ENTRUSTED = reverse("expansion:entrusted")


def refused(code, call):
    with pytest.raises(DomainError) as caught:
        call()
    assert caught.value.code == code, caught.value


def reseller_page(reseller, tab=""):
    return reverse("expansion:entrusted_reseller", args=[reseller.domain_id]) + (f"?tab={tab}" if tab else "")


def test_the_notice_names_the_distributor_after_a_colon_of_the_pages_language(world):
    """总经销商：<name> in Chinese (full-width colon, no space), "Distributor: <name>" in English."""
    client = client_of(world.reseller_admin)
    name = escape(world.dist.partner.name)
    zh = client.get(ENTRUSTMENT).content.decode()
    en = client.get(ENTRUSTMENT, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'总经销商：<strong id="entrust-distributor">{name}</strong>' in zh
    assert f'Distributor: <strong id="entrust-distributor">{name}</strong>' in en


def test_the_reseller_reads_the_notice_and_must_consent(world):
    client = client_of(world.reseller_admin)
    page = client.get(ENTRUSTMENT).content.decode()
    assert 'id="entrustment-notice"' in page and 'id="entrust-form"' in page
    assert world.dist.partner.name in page
    # Huawei's notice (partner-center-docs 004), in the page's language
    with translation.override("zh-hans"):
        assert escape(str(tasks_entrustment.NOTICE)) in page
    en = client.get(ENTRUSTMENT, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "You voluntarily open your customers" in en and "cancel the entrustment authorization" in en

    # without consent nothing happens
    response = client.post(ENTRUSTMENT, {})
    assert response.status_code == 400 and not Entrustment.objects.exists()
    refused(TaskCodes.CONSENT_REQUIRED, lambda: tasks_entrustment.entrust(actor(world.reseller_admin), consent=False))

    response = client.post(ENTRUSTMENT, {"consent": "on"})
    assert response.status_code == 302
    entrustment = Entrustment.objects.get()
    assert (entrustment.reseller, entrustment.distributor, entrustment.status) == (
        world.reseller, world.dist.partner, EntrustmentStatus.ACTIVE)
    page = client.get(ENTRUSTMENT).content.decode()
    assert 'id="entrustment-active"' in page and 'id="entrustment-cancel"' in page
    # both sides are told
    events = {(e.partner_id, e.data["role"]) for e in Event.objects.filter(type="expansion.entrustment_started")}
    assert events == {(world.reseller.pk, "reseller"), (world.dist.partner.pk, "distributor")}
    log = OperationLog.objects.get(action="expansion.entrust", result="success")
    assert log.partner == world.reseller and log.detail["consent"] is True


def test_one_active_entrustment_the_constraint_refuses_a_second(world):
    a = actor(world.reseller_admin)
    tasks_entrustment.entrust(a, consent=True)
    refused(TaskCodes.ALREADY_ENTRUSTED, lambda: tasks_entrustment.entrust(a, consent=True))
    assert Entrustment.objects.count() == 1
    assert OperationLog.objects.filter(action="expansion.entrust", result="failure",
                                       error_code=TaskCodes.ALREADY_ENTRUSTED).exists()


def test_who_may_entrust(world):
    # not a cloud reseller: the page is not found, the service refuses
    for member in (world.sp.admin, world.dist.admin):
        assert client_of(member).get(ENTRUSTMENT).status_code == 404
    refused(TaskCodes.NOT_A_RESELLER, lambda: tasks_entrustment.entrust(actor(world.sp.admin), consent=True))
    # expansion.view only: the notice without the form; posting is refused
    viewer = client_of(world.reseller_viewer)
    assert 'id="entrust-form"' not in viewer.get(ENTRUSTMENT).content.decode()
    assert viewer.post(ENTRUSTMENT, {"consent": "on"}).status_code == 403
    refused(Codes.FORBIDDEN, lambda: tasks_entrustment.entrust(actor(world.reseller_viewer), consent=True))
    # a distributor that is not active any more
    world.dist.partner.status = PartnerStatus.DELISTED
    world.dist.partner.save(update_fields=["status"])
    page = client_of(world.reseller_admin).get(ENTRUSTMENT).content.decode()
    assert 'id="entrust-refusal"' in page and 'id="entrust-form"' not in page
    refused(TaskCodes.DISTRIBUTOR_INACTIVE,
            lambda: tasks_entrustment.entrust(actor(world.reseller_admin), consent=True))
    assert not Entrustment.objects.exists()


def test_the_distributor_sees_the_customers_only_while_entrusted(world):
    task = assign(world, world.reseller, world.r1, title="带宽续费")
    dist = client_of(world.dist.admin)
    dist_reader = client_of(world.dist_reader)  # resellers.view + customers.view: reads a reseller's book
    dist_am = client_of(world.dist_am)   # an account manager of the distributor (customers.view only)
    other = client_of(world.other.admin)

    def sees(client):
        index = client.get(ENTRUSTED)
        customers = client.get(reseller_page(world.reseller, ))
        tasks = client.get(reseller_page(world.reseller, "tasks"))
        detail = client.get(reverse("expansion:task", args=[task.pk]))
        return (world.reseller.domain_id in index.content.decode(), customers.status_code, tasks.status_code,
                detail.status_code)

    # before
    assert sees(dist) == (False, 404, 404, 404)
    # while
    tasks_entrustment.entrust(actor(world.reseller_admin), consent=True)
    assert sees(dist) == (True, 200, 200, 200)
    assert sees(dist_reader) == (True, 200, 200, 200)
    # the distributor's account manager may not read its resellers' books in the core: nor entrusted ones
    assert sees(dist_am) == (False, 403, 403, 404)
    assert 'id="tab-entrusted"' not in dist_am.get(reverse("expansion:tasks")).content.decode()
    assert 'id="tab-entrusted"' in dist_reader.get(reverse("expansion:tasks")).content.decode()
    assert sees(other) == (False, 404, 404, 404)
    # the contacts and the tasks are on the pages (names behind the eye, as everywhere)
    page = dist.get(reseller_page(world.reseller) + "?reveal=mobile&reveal=email&reveal=name").content.decode()
    assert "13900001111" in page and "boss@shop-one.cn" in page and "经销客户一" in page and "经销客户二" in page
    tasks = dist.get(reseller_page(world.reseller, "tasks")).context["page"]
    assert [t.pk for t in tasks] == [task.pk]
    # the distributor's own 我的客户 list still holds only its own book, narrowed for its account manager
    own = assign(world, world.dist.partner, world.dist_customer)
    assert [t.pk for t in dist.get(reverse("expansion:tasks")).context["page"]] == [own.pk]
    assert not list(dist_am.get(reverse("expansion:tasks")).context["page"])
    assert dist_am.get(reverse("expansion:task", args=[own.pk])).status_code == 404
    # after
    tasks_entrustment.cancel_entrustment(actor(world.reseller_admin))
    assert sees(dist) == (False, 404, 404, 404)
    assert sees(dist_reader) == (False, 404, 404, 404)


def test_the_distributor_records_progress_but_only_the_reseller_closes(world):
    task = assign(world, world.reseller, world.r1, title="带宽续费")
    tasks_entrustment.entrust(actor(world.reseller_admin), consent=True)
    # the distributor's account manager (no resellers.view) neither opens nor works the entrusted task
    refused(Codes.NOT_FOUND, lambda: tasks_sales.record_progress(actor(world.dist_am), task=task, note="x"))
    assert client_of(world.dist_am).post(reverse("expansion:task_progress", args=[task.pk]),
                                         {"note": "x"}).status_code == 404
    assert not TaskProgress.objects.exists()
    client = client_of(world.dist_reader)
    page = client.get(reverse("expansion:task", args=[task.pk])).content.decode()
    assert 'id="progress-form"' in page and 'id="close-form"' not in page and world.reseller.name in page

    response = client.post(reverse("expansion:task_progress", args=[task.pk]), {"note": "总经销商已联系客户"})
    assert response.status_code == 302
    progress = TaskProgress.objects.get()
    assert progress.note == "总经销商已联系客户" and world.dist.partner.name in progress.created_by
    task.refresh_from_db()
    assert task.status == TaskStatus.IN_PROGRESS
    told = Event.objects.get(type="expansion.task_progress")
    assert told.partner == world.reseller and told.customer_pk == world.r1.pk
    assert OperationLog.objects.get(action="expansion.task_progress", result="success").partner == world.dist.partner

    # closing is the reseller's
    assert client.post(reverse("expansion:task_close", args=[task.pk]), {"result": "x"}).status_code == 400
    refused(Codes.NOT_FOUND, lambda: tasks_sales.close_task(actor(world.dist_reader), task=task, result="x"))
    task.refresh_from_db()
    assert task.status == TaskStatus.IN_PROGRESS

    # another distributor never records anything
    refused(Codes.NOT_FOUND, lambda: tasks_sales.record_progress(actor(world.other.admin), task=task, note="x"))
    # after cancellation the distributor neither
    tasks_entrustment.cancel_entrustment(actor(world.reseller_admin))
    assert client.post(reverse("expansion:task_progress", args=[task.pk]), {"note": "y"}).status_code == 404
    refused(Codes.NOT_FOUND, lambda: tasks_sales.record_progress(actor(world.dist_reader), task=task, note="y"))
    assert TaskProgress.objects.count() == 1


def test_a_new_task_of_an_entrusted_reseller_is_told_to_the_distributor(world):
    assign(world, world.reseller, world.r1)
    assert not Event.objects.filter(type="expansion.entrusted_task_assigned").exists()
    tasks_entrustment.entrust(actor(world.reseller_admin), consent=True)
    task = assign(world, world.reseller, world.r2)
    event = Event.objects.get(type="expansion.entrusted_task_assigned")
    assert event.partner == world.dist.partner and event.data["task_id"] == task.pk


def test_cancel_from_the_reseller_side_any_time(world):
    client = client_of(world.reseller_admin)
    tasks_entrustment.entrust(actor(world.reseller_admin), consent=True)
    cancel = reverse("expansion:entrustment_cancel")
    assert 'id="entrustment-cancel-confirm"' in client.get(cancel).content.decode()
    assert client.post(cancel).status_code == 302
    entrustment = Entrustment.objects.get()
    assert entrustment.status == EntrustmentStatus.CANCELLED and entrustment.cancelled_at is not None
    events = {(e.partner_id, e.data["role"]) for e in Event.objects.filter(type="expansion.entrustment_cancelled")}
    assert events == {(world.reseller.pk, "reseller"), (world.dist.partner.pk, "distributor")}
    # a second cancel changes nothing
    refused(TaskCodes.NOT_ENTRUSTED, lambda: tasks_entrustment.cancel_entrustment(actor(world.reseller_admin)))
    assert Event.objects.filter(type="expansion.entrustment_cancelled").count() == 2
    # the distributor cannot cancel it (no page of its own), nor the viewer
    assert client_of(world.dist.admin).post(cancel).status_code == 404
    assert client_of(world.reseller_viewer).post(cancel).status_code == 403
    # entrust again after cancelling: a new active entrustment
    tasks_entrustment.entrust(actor(world.reseller_admin), consent=True)
    assert Entrustment.objects.filter(status=EntrustmentStatus.ACTIVE).count() == 1
    assert Entrustment.objects.count() == 2
    assert set(OperationLog.objects.filter(action="expansion.entrust_cancel").values_list("result", flat=True)) == {
        "success", "failure"}


def test_contacts_are_masked_for_a_distributor_in_marketing_plan_2(world):
    ExpansionProfile.objects.create(partner=world.dist.partner, marketing_plan_v2=True)
    tasks_entrustment.entrust(actor(world.reseller_admin), consent=True)
    page = client_of(world.dist.admin).get(
        reseller_page(world.reseller) + "?reveal=mobile&reveal=email").content.decode()
    assert "13900001111" not in page and "139****1111" in page and "boss@shop-one.cn" not in page
    assert 'id="contacts-masked"' in page


def test_a_reseller_that_moved_to_another_distributor_is_not_seen_by_the_first(world):
    tasks_entrustment.entrust(actor(world.reseller_admin), consent=True)
    world.reseller.distributor = world.other.partner
    world.reseller.save(update_fields=["distributor"])
    assert client_of(world.dist.admin).get(reseller_page(world.reseller)).status_code == 404
    assert client_of(world.other.admin).get(reseller_page(world.reseller)).status_code == 404


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_constant_queries_on_the_distributors_pages(world):
    tasks_entrustment.entrust(actor(world.reseller_admin), consent=True)
    assign(world, world.reseller, world.r1)
    client = client_of(world.dist_reader)
    urls = [ENTRUSTED, reseller_page(world.reseller), reseller_page(world.reseller, "tasks"),
            reseller_page(world.reseller) + "?reveal=mobile&reveal=name",
            reseller_page(world.reseller, "tasks") + "&status=open&reveal=name"]
    before = [_queries(client, url) for url in urls]
    for n in range(16):
        customer = AssociationFactory(partner=world.reseller, customer=CustomerFactory(mobile_phone=f"1380000{n:04d}")
                                      ).customer
        task = assign(world, world.reseller, customer, days=n)
        TaskProgress.objects.create(task=task, note=f"进展{n}", created_by="x")
    assert len(client.get(reseller_page(world.reseller)).context["page"]) == 18
    assert len(client.get(reseller_page(world.reseller, "tasks")).context["page"]) == 17
    assert [_queries(client, url) for url in urls] == before
