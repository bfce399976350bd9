"""销售 ▸ 客户 ▸ 到期资源 (subscriptions:expiring): the customers' main yearly/monthly resources expiring within N
days and those already in the grace or retention period — the window, the filters, an account manager's
scope, the renew link where the partner may renew, a constant number of queries at two page sizes, and the
Excel and CSV exports (logged). The ORM sets the stage (resources in each state); the page is read through
the Django test client.
"""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from customers import services as customer_services
from customers.choices import PeriodStatus
from customers.models import Customer, Resource
from partnercenter.models import OperationLog
from subscriptions import autorenew

from ..conftest import actor_of
from ..factories import ResourceFactory
from ..trade.payment_helpers import World
from .partner_helpers import EXPIRING, body, client_of, row_html, rows, stage, world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(db):
    return world()


def listed(client, **query) -> list[str]:
    response = client.get(EXPIRING, query)
    assert response.status_code == 200
    return rows(response, "expiring")


def test_the_list_shows_what_expires_within_the_window_and_what_is_already_expired(w):
    soon = stage(w.resale, days=5)
    later = stage(w.referral, days=20)
    far = stage(w.resale, days=45)
    grace = stage(w.resale, days=-3, status=PeriodStatus.EXPIRED)
    frozen = stage(w.referral, days=-20, status=PeriodStatus.FROZEN)
    overdue = stage(w.resale, days=-0.05)  # expired an hour ago; the expiry run has not moved it yet
    stage(w.resale, days=-40, status=PeriodStatus.CLOSED)  # released: nothing to chase
    stage(w.resale, days=5, is_main_resource=False, parent_resource_id=soon.resource_id)  # follows its main one
    ResourceFactory(customer=w.resale, charging_mode="on_demand", status=1)
    stranger = World("sx")
    stage(stranger.resale, days=5)
    admin = client_of(w.admin)
    # most urgent first: by expiry
    assert listed(admin) == [r.resource_id for r in (frozen, grace, overdue, soon, later)]
    assert listed(admin, within=7) == [r.resource_id for r in (frozen, grace, overdue, soon)]
    assert listed(admin, within=60) == [r.resource_id for r in (frozen, grace, overdue, soon, later, far)]
    assert listed(admin, within=8) == listed(admin)  # a window not offered: the default one (30 days)
    assert listed(admin, status=PeriodStatus.EXPIRED) == [grace.resource_id]
    assert listed(admin, status=PeriodStatus.FROZEN) == [frozen.resource_id]
    page = admin.get(EXPIRING)
    assert "Grace period" in row_html(page, grace.resource_id)
    assert "Retention period (frozen)" in row_html(page, frozen.resource_id)
    assert "5 days left" in row_html(page, soon.resource_id)
    assert "Expired 3 days ago" in row_html(page, grace.resource_id)


def test_the_list_filters_by_customer_service_type_and_account_manager(w):
    Resource.objects.all().delete()
    Customer.objects.filter(pk=w.resale.pk).update(domain_name="hz-jiayi-tech")
    mine = stage(w.resale, days=5)
    disk = stage(w.resale, days=6, service_type_code="hws.service.type.evs", resource_type_code="hws.resource.type.volume")
    managed = stage(w.referral, days=7)
    admin = client_of(w.admin)
    assert listed(admin, customer=w.referral.domain_id) == [managed.resource_id]
    assert listed(admin, customer="JIAYI") == [mine.resource_id, disk.resource_id]  # a part of the name, any case
    assert listed(admin, service_type="hws.service.type.evs") == [disk.resource_id]
    manager = w.tenant.member  # the referral customer's account manager
    assert listed(admin, account_manager=manager.pk) == [managed.resource_id]
    assert 'name="account_manager"' in body(admin.get(EXPIRING))
    # an account manager sees its own customers' resources only, and chooses no manager
    own = client_of(actor_of(manager))
    assert listed(own) == [managed.resource_id]
    assert 'name="account_manager"' not in body(own.get(EXPIRING))
    assert listed(own, customer=w.resale.domain_id) == []


def test_the_renew_link_is_offered_for_customers_that_authorized_the_partner(w):
    resale = stage(w.resale, days=5)
    referral = stage(w.referral, days=6)
    admin = client_of(w.admin)
    assert "renew-link" not in body(admin.get(EXPIRING))
    w.grant_ops()
    page = admin.get(EXPIRING)
    assert f'href="/subscriptions/resources/{resale.resource_id}/renew/"' in row_html(page, resale.resource_id)
    assert "renew-link" not in row_html(page, referral.resource_id)
    assert f"/customers/{w.referral.domain_id}/resources/?mode=period" in row_html(page, referral.resource_id)
    viewer = client_of(w.member_with("customers.view", "customers.view_all"))
    assert "renew-link" not in body(viewer.get(EXPIRING))


@pytest.mark.parametrize("who", ["admin", "account manager"])
def test_the_list_runs_the_same_number_of_queries_at_two_page_sizes(w, who):
    w.grant_ops()
    manager = w.tenant.member
    customer_services.assign_account_manager(w.admin, customer_id=w.resale.domain_id, member_id=manager.pk)
    client = client_of(w.admin) if who == "admin" else client_of(actor_of(manager))
    counts = []
    for total in (3, 30):
        for n in range(Resource.objects.count(), total):
            customer = (w.resale, w.referral)[n % 2]
            resource = stage(customer, days=n % 25 + 1)
            if customer == w.resale and n % 4 == 0:  # some with their auto-renewal, read with the rows
                autorenew.set_auto_renew(w.resale_user, resource_id=resource.resource_id, times=2, period_type="MONTH")
        client.get(EXPIRING)  # the catalogue's names are cached once per process
        with CaptureQueriesContext(connection) as queries:
            response = client.get(EXPIRING)
        assert len(rows(response, "expiring")) == min(total, 20)
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_the_exports_hold_the_filtered_rows_and_are_logged(w):
    soon = stage(w.resale, days=5, resource_name="=HYPERLINK(\"http://x\")")
    later = stage(w.referral, days=20)
    stage(w.resale, days=45)
    admin = client_of(w.admin)
    workbook = admin.get("/subscriptions/expiring/export.xlsx", {"within": 30})
    assert workbook.status_code == 200 and workbook["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(workbook.content)).active
    lines = list(sheet.iter_rows(values_only=True))
    assert [line[3] for line in lines[1:]] == [soon.resource_id, later.resource_id]
    assert lines[1][0] == w.resale.domain_id and lines[1][2] == soon.resource_name  # a text cell, not a formula
    assert lines[1][8] == 5 and lines[1][6] == "In use"
    exported = admin.get("/subscriptions/expiring/export.csv", {"customer": w.referral.domain_id})
    assert exported.status_code == 200 and exported["Content-Type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert [line[3] for line in table[1:]] == [later.resource_id]
    everything = list(csv.reader(io.StringIO(admin.get("/subscriptions/expiring/export.csv").content.decode("utf-8-sig"))))
    assert everything[1][2] == "'" + soon.resource_name  # kept as text: a spreadsheet runs no formula
    logs = list(OperationLog.objects.filter(action="subscription.export_expiring", partner=w.partner).order_by("id"))
    assert [log.detail["count"] for log in logs] == [2, 1, 2]
    assert logs[1].detail["filters"] == {"customer": w.referral.domain_id}
