"""Who may entrust and who sees what was entrusted, and bounded reads:

- entrusting (and cancelling) the reseller's whole customer book takes expansion.entrust, not expansion.manage,
  and the verification code when the partner has 验证码验证 on;
- at the distributor, the entrusted customers, their contacts and tasks are read by the members who may read a
  cloud reseller's book in the core (customers.selectors._book: resellers.view, and customers.view or
  customers.view_all), and only they are told of an entrusted customer's new task;
- the entrusted resellers' customer counts come from the customers list counter; a task's progress is paginated.
"""

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from customers.selectors import associations_for
from events.models import Event
from events.notifications import recipients
from expansion import selectors_tasks, tasks_entrustment
from expansion.choices import EntrustmentStatus
from expansion.models import Entrustment, TaskProgress
from partnercenter.errors import Codes, DomainError
from partnercenter.models import ListCount, OperationLog

from ..factories import AssociationFactory, CustomerFactory, MemberFactory, PartnerFactory, RoleFactory
from . import tasks_fixtures
from .tasks_fixtures import actor, assign, client_of

world = tasks_fixtures.world  # the fixture

pytestmark = pytest.mark.django_db

ENTRUSTMENT = reverse("expansion:entrustment")
CANCEL = reverse("expansion:entrustment_cancel")
ENTRUSTED = reverse("expansion:entrusted")


def refused(code, call):
    with pytest.raises(DomainError) as caught:
        call()
    assert caught.value.code == code, caught.value


def token(device):
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token():06d}"


# ---------------------------------------------------------------------------------------------------------
# Entrusting takes expansion.entrust (and the code)


def test_a_member_who_works_sales_tasks_may_not_entrust_or_cancel(world):
    sales = actor(world.reseller_sales)   # expansion.view + expansion.manage, no expansion.entrust
    assert sales.has_perm("expansion.manage") and not sales.has_perm("expansion.entrust")
    refused(Codes.FORBIDDEN, lambda: tasks_entrustment.entrust(sales, consent=True))
    client = client_of(world.reseller_sales)
    page = client.get(ENTRUSTMENT).content.decode()
    assert 'id="entrust-form"' not in page and 'id="manage-needed"' in page
    assert client.post(ENTRUSTMENT, {"consent": "on"}).status_code == 403
    assert not Entrustment.objects.exists()
    assert OperationLog.objects.filter(action="expansion.entrust", result="failure", error_code=Codes.FORBIDDEN,
                                       partner=world.reseller).exists()

    # entrusted by a member allowed to: the same account manager cannot cancel it either
    tasks_entrustment.entrust(actor(world.reseller_admin), consent=True)
    assert 'id="entrustment-cancel"' not in client.get(ENTRUSTMENT).content.decode()
    refused(Codes.FORBIDDEN, lambda: tasks_entrustment.cancel_entrustment(sales))
    assert client.get(CANCEL).status_code == 403 and client.post(CANCEL).status_code == 403
    assert Entrustment.objects.get().status == EntrustmentStatus.ACTIVE

    # a role with expansion.entrust (and no expansion.manage) entrusts and cancels
    entruster = MemberFactory(partner=world.reseller, user__username="r.entruster", roles=[RoleFactory(
        partner=world.reseller, name="委托", permissions=["expansion.view", "expansion.entrust"])])
    assert client_of(entruster).post(CANCEL).status_code == 302
    assert Entrustment.objects.get().status == EntrustmentStatus.CANCELLED
    assert client_of(entruster).post(ENTRUSTMENT, {"consent": "on"}).status_code == 302
    assert Entrustment.objects.filter(status=EntrustmentStatus.ACTIVE).count() == 1


def test_entrusting_and_cancelling_ask_for_the_verification_code_when_the_partner_has_it_on(world):
    world.reseller.verification_enabled = True
    world.reseller.save(update_fields=["verification_enabled"])
    user = world.reseller_admin.user
    first = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    second = TOTPDevice.objects.create(user=user, name="app2", confirmed=True)
    client = client_of(world.reseller_admin)

    # the service: no code, no entrustment (and the refusal is logged)
    refused(Codes.VERIFICATION_REQUIRED, lambda: tasks_entrustment.entrust(actor(world.reseller_admin), consent=True))
    assert OperationLog.objects.filter(action="expansion.entrust", result="failure",
                                       error_code=Codes.VERIFICATION_REQUIRED).exists()
    # the page asks for it next to the consent, with the button that e-mails one
    page = client.get(ENTRUSTMENT).content.decode()
    assert 'id="entrust-code"' in page and 'name="verification_code"' in page and 'class="send-code"' in page
    response = client.post(ENTRUSTMENT, {"consent": "on"})
    assert response.status_code == 400 and not Entrustment.objects.exists()
    response = client.post(ENTRUSTMENT, {"consent": "on", "verification_code": token(first)})
    assert response.status_code == 302
    assert Entrustment.objects.get().status == EntrustmentStatus.ACTIVE

    # cancelling too
    refused(Codes.VERIFICATION_REQUIRED, lambda: tasks_entrustment.cancel_entrustment(actor(world.reseller_admin)))
    page = client.get(CANCEL).content.decode()
    assert 'name="verification_code"' in page and 'class="send-code"' in page
    assert client.post(CANCEL).status_code == 400
    assert Entrustment.objects.get().status == EntrustmentStatus.ACTIVE
    assert client.post(CANCEL, {"verification_code": token(second)}).status_code == 302
    assert Entrustment.objects.get().status == EntrustmentStatus.CANCELLED


def test_without_verification_the_pages_ask_for_no_code(world):
    client = client_of(world.reseller_admin)
    assert 'name="verification_code"' not in client.get(ENTRUSTMENT).content.decode()
    assert client.post(ENTRUSTMENT, {"consent": "on"}).status_code == 302
    assert 'name="verification_code"' not in client.get(CANCEL).content.decode()


# ---------------------------------------------------------------------------------------------------------
# The distributor side reads as the core reads a reseller's book


DISTRIBUTOR_ROLES = [
    ["expansion.view", "expansion.manage"],
    ["expansion.view", "expansion.manage", "customers.view"],
    ["expansion.view", "expansion.manage", "customers.view_all"],
    ["expansion.view", "expansion.manage", "resellers.view"],
    ["expansion.view", "expansion.manage", "resellers.view", "customers.view"],
    ["expansion.view", "expansion.manage", "resellers.view", "customers.view_all"],
    ["expansion.view", "resellers.view", "customers.view", "customers.view_all"],
]


def _role_id(permissions):
    return "+".join(sorted(set(permissions) - {"expansion.view", "expansion.manage"})) or "expansion-only"


@pytest.mark.parametrize("permissions", DISTRIBUTOR_ROLES, ids=[_role_id(p) for p in DISTRIBUTOR_ROLES])
def test_the_distributor_sees_entrusted_customers_exactly_when_the_core_lets_it_read_the_resellers_book(
        world, permissions):
    task = assign(world, world.reseller, world.r1)
    tasks_entrustment.entrust(actor(world.reseller_admin), consent=True)
    member = MemberFactory(partner=world.dist.partner, user__username="d.probe",
                           roles=[RoleFactory(partner=world.dist.partner, name="probe", permissions=permissions)])
    a = actor(member)
    core = associations_for(a, indirect_partner_id=world.reseller.domain_id)
    reads = core.exists()
    assert selectors_tasks.reads_entrusted(a) is reads
    seen = set(selectors_tasks.entrusted_customers_for(a, world.reseller).values_list("customer_id", flat=True))
    assert seen == (set(core.values_list("customer_id", flat=True)) if reads else set())
    assert seen == ({world.r1.pk, world.r2.pk} if reads else set())
    assert selectors_tasks.visible_tasks_for(a).filter(pk=task.pk).exists() is reads
    assert selectors_tasks.entrusted_tasks_for(a, world.reseller).exists() is reads
    assert selectors_tasks.entrusted_resellers(a).exists() is reads
    assert (selectors_tasks.task_for(a, task.pk) is not None) is reads
    client = client_of(member)
    assert client.get(reverse("expansion:entrusted_reseller", args=[world.reseller.domain_id])).status_code == (
        200 if reads else 403)
    assert client.get(reverse("expansion:task", args=[task.pk])).status_code == (200 if reads else 404)


def test_a_new_entrusted_task_is_told_to_the_distributors_members_who_read_reseller_books_only(world):
    tasks_entrustment.entrust(actor(world.reseller_admin), consent=True)
    assign(world, world.reseller, world.r1)
    event = Event.objects.get(type="expansion.entrusted_task_assigned")
    told = set(recipients([event])[event.pk])
    assert world.dist_reader.user_id in told and world.dist.admin.user_id in told
    assert world.dist_am.user_id not in told


# ---------------------------------------------------------------------------------------------------------
# Bounded reads


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        assert response.status_code == 200
    return len(captured), response


def _add_to_counter(partner, n):
    """Move the reseller's customers counter by n (SQLite keeps it in the table; PostgreSQL folds a test's
    changes only at a COMMIT that never comes, so the row may not exist yet)."""
    if not ListCount.objects.filter(partner=partner, list_name="customers", scope=0).update(count=F("count") + n):
        ListCount.objects.create(partner=partner, list_name="customers", scope=0, count=n)


def test_the_entrusted_resellers_customer_counts_come_from_the_counter_in_constant_queries(world):
    tasks_entrustment.entrust(actor(world.reseller_admin), consent=True)
    client = client_of(world.dist_reader)
    one, response = _queries(client, ENTRUSTED)
    assert [row.customer_count for row in response.context["page"]] == [2]

    # the counter, not a COUNT over the associations
    _add_to_counter(world.reseller, 100)
    _, response = _queries(client, ENTRUSTED)
    assert [row.customer_count for row in response.context["page"]] == [102]
    assert '<td>102</td>' in response.content.decode()

    for n in range(4):
        reseller = PartnerFactory(account_name=f"reseller-{n}", partner_type="reseller", distributor=world.dist.partner)
        for _i in range(n):
            AssociationFactory(partner=reseller, customer=CustomerFactory())
        Entrustment.objects.create(reseller=reseller, distributor=world.dist.partner, created_by="x")
    many, response = _queries(client, ENTRUSTED)
    assert sorted(row.customer_count for row in response.context["page"]) == [0, 1, 2, 3, 102]
    assert many == one


def test_the_entrusted_customers_page_total_is_the_counter(world):
    tasks_entrustment.entrust(actor(world.reseller_admin), consent=True)
    client = client_of(world.dist_reader)
    url = reverse("expansion:entrusted_reseller", args=[world.reseller.domain_id])
    _, response = _queries(client, url)
    assert response.context["page"].paginator.count == 2
    _add_to_counter(world.reseller, 100)
    _, response = _queries(client, url)
    assert response.context["page"].paginator.count == 102


def test_a_tasks_progress_is_paginated_in_constant_queries(world):
    task = assign(world, world.sp.partner, world.mine)
    TaskProgress.objects.create(task=task, note="进展-first", created_by="x")
    client = client_of(world.am)
    url = reverse("expansion:task", args=[task.pk])
    one, response = _queries(client, url)
    assert response.content.decode().count('class="progress-row"') == 1

    TaskProgress.objects.bulk_create([TaskProgress(task=task, note=f"进展-{n}", created_by="x") for n in range(44)])
    many, response = _queries(client, url)
    page = response.content.decode()
    assert page.count('class="progress-row"') == 20 and "进展-43" in page and "进展-first" not in page
    assert 'class="pager"' in page and response.context["progress"].paginator.count == 45
    assert many == one
    last = client.get(url + "?page=3").content.decode()
    assert last.count('class="progress-row"') == 5 and "进展-first" in last
