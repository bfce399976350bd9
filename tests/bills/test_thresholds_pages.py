"""The low-balance pages (bills:thresholds and its forms): the list of resale customers below their threshold
(the default view), with their own setting, or all, filtered by customer; the default's form; a customer's own
setting with clear errors; removing it; who may open them (funds.allocate; another tenant's customer is 404; an
account manager sees its team's customers); a constant number of queries at two page sizes."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from billing import services as billing
from bills import thresholds
from bills.choices import ZeroBalancePolicy
from bills.models import LowBalanceSetting
from customers.models import Association

from ..conftest import login_client
from ..factories import AssociationFactory
from ..trade.payment_helpers import World

pytestmark = pytest.mark.django_db

D = Decimal
LIST = "/bills/thresholds/"
STOP, ARREARS = ZeroBalancePolicy.STOP_PURCHASES, ZeroBalancePolicy.ARREARS


@pytest.fixture
def w(db):
    world = World()
    billing.allocate_to_customer(world.admin, customer_id=world.resale.domain_id, amount=D("50.00"))
    return world


def client_of(actor):
    client = login_client(actor.user)
    client.cookies["django_language"] = "en"
    return client


def body(response) -> str:
    return response.content.decode()


def listed(client, **query) -> list[str]:
    response = client.get(LIST, query)
    assert response.status_code == 200
    table = re.search(r'<table[^>]*id="thresholds".*?</table>', body(response), re.S)
    assert table, "no table #thresholds"
    return re.findall(r'<tr[^>]* data-customer="([^"]+)"', table.group(0))


def edit_url(customer):
    return reverse("bills:threshold_edit", args=[customer.domain_id])


def test_the_urls_are_the_ones_the_navigation_names():
    assert reverse("bills:thresholds") == LIST
    assert reverse("bills:threshold_default") == "/bills/thresholds/default/"


def test_the_list_shows_customers_below_their_threshold_own_settings_or_all(w):
    rich = AssociationFactory(partner=w.partner, association_type="2").customer
    billing.allocate_to_customer(w.admin, customer_id=rich.domain_id, amount=D("500.00"))
    admin = client_of(w.admin)
    assert listed(admin) == []  # no setting: nobody is below
    assert 'id="default-none"' in body(admin.get(LIST))
    thresholds.set_default(w.admin, threshold="100.00", zero_balance_policy=ARREARS, arrears_limit="30.00")
    assert listed(admin) == [w.resale.domain_id]
    assert listed(admin, show="all") == [rich.domain_id, w.resale.domain_id]  # resale customers only, newest first
    assert listed(admin, show="own") == []
    thresholds.set_customer_setting(w.admin, customer_id=rich.domain_id, threshold="600.00",
                                    zero_balance_policy=STOP)
    assert listed(admin) == [rich.domain_id, w.resale.domain_id]
    assert listed(admin, show="own") == [rich.domain_id]
    assert listed(admin, show="all", customer=rich.domain_id) == [rich.domain_id]
    assert listed(admin, show="all", customer=w.resale.domain_name[3:].upper()) == [w.resale.domain_id]
    page = body(admin.get(LIST, {"show": "all"}))
    assert 'id="default-threshold">100.00<' in page and "arrears limit" in page
    row = re.search(rf'<tr[^>]* data-customer="{rich.domain_id}".*?</tr>', page, re.S).group(0)
    assert "600.00" in row and "own setting" in row and "stop new purchases only" in row
    assert 'class="delete-link"' in row
    assert "not yet told" in row  # below, the check has not run yet
    thresholds.check_low_balances()
    assert "not yet told" not in body(admin.get(LIST))


def test_the_default_form_saves_and_says_what_is_wrong(w):
    admin = client_of(w.admin)
    url = reverse("bills:threshold_default")
    assert admin.get(url).status_code == 200
    wrong = admin.post(url, {"threshold": "1.234", "zero_balance_policy": ARREARS, "arrears_limit": ""})
    assert wrong.status_code == 200
    assert "at most two decimals" in body(wrong) and "Give the arrears limit (0 for none)." in body(wrong)
    stop = admin.post(url, {"threshold": "80", "zero_balance_policy": STOP, "arrears_limit": "5"})
    assert "leave the limit empty" in body(stop)
    assert not LowBalanceSetting.objects.exists()
    saved = admin.post(url, {"threshold": "80", "zero_balance_policy": STOP, "arrears_limit": ""})
    assert saved.status_code == 302 and saved["Location"] == LIST
    setting = LowBalanceSetting.objects.get(customer__isnull=True)
    assert (setting.partner, setting.threshold, setting.zero_balance_policy) == (w.partner, D("80.00"), STOP)
    # a member without the whole book may not change what applies to every customer
    allocator = w.member_with("funds.allocate", "customers.view")
    assert client_of(allocator).get(url).status_code == 404
    assert 'id="edit-default"' not in body(client_of(allocator).get(LIST))


def test_a_customers_own_setting_is_saved_and_removed(w):
    admin = client_of(w.admin)
    page = admin.get(edit_url(w.resale))
    assert page.status_code == 200 and 'id="balance">50.00<' in body(page)
    wrong = admin.post(edit_url(w.resale), {"threshold": "-5", "zero_balance_policy": ARREARS, "arrears_limit": "1"})
    assert "The amount may not be negative." in body(wrong)
    assert not LowBalanceSetting.objects.exists()
    saved = admin.post(edit_url(w.resale), {"threshold": "75.50", "zero_balance_policy": ARREARS,
                                             "arrears_limit": "10"})
    assert saved.status_code == 302 and saved["Location"] == f"{LIST}?show=own"
    own = LowBalanceSetting.objects.get(customer=w.resale)
    assert (own.threshold, own.arrears_limit, own.updated_by) == (D("75.50"), D("10.00"), w.admin.user.username)
    delete = reverse("bills:threshold_delete", args=[w.resale.domain_id])
    assert 'id="threshold-delete"' in body(admin.get(delete))
    assert LowBalanceSetting.objects.filter(customer=w.resale).exists()  # a GET changes nothing
    assert admin.post(delete).status_code == 302
    assert not LowBalanceSetting.objects.filter(customer=w.resale).exists()
    assert 'id="no-setting"' in body(admin.get(delete))


def test_other_tenants_customers_referral_customers_and_members_without_the_right(w):
    stranger = World("sx")
    admin = client_of(w.admin)
    for customer in (stranger.resale, w.referral):
        assert admin.get(edit_url(customer)).status_code == 404
        post = {"threshold": "1", "zero_balance_policy": STOP}
        assert admin.post(edit_url(customer), post).status_code == 404
        assert admin.post(reverse("bills:threshold_delete", args=[customer.domain_id])).status_code == 404
    assert admin.get(reverse("bills:threshold_edit", args=["no-such-id"])).status_code == 404
    assert not LowBalanceSetting.objects.exists()
    thresholds.set_default(stranger.admin, threshold="999.00", zero_balance_policy=STOP)
    assert stranger.resale.domain_id not in listed(admin, show="all")
    viewer = client_of(w.member_with("customers.view", "customers.view_all", "billing.view"))
    assert viewer.get(LIST).status_code == 403
    assert viewer.get(edit_url(w.resale)).status_code == 403


def test_an_account_manager_sees_and_sets_its_own_customers_only(w):
    manager = w.member_with("funds.allocate", "customers.view")
    Association.objects.filter(customer=w.resale, ended_on__isnull=True).update(account_manager=manager.member)
    other = AssociationFactory(partner=w.partner, association_type="2").customer
    thresholds.set_default(w.admin, threshold="100.00", zero_balance_policy=STOP)
    client = client_of(manager)
    assert listed(client) == [w.resale.domain_id]
    assert client.get(edit_url(other)).status_code == 404
    assert client.get(edit_url(w.resale)).status_code == 200


def test_the_list_runs_the_same_number_of_queries_at_two_page_sizes(w):
    thresholds.set_default(w.admin, threshold="100.00", zero_balance_policy=STOP)
    admin = client_of(w.admin)
    counts = []
    for total in (3, 30):
        while Association.objects.filter(partner=w.partner, association_type="2", ended_on__isnull=True).count() < total:
            customer = AssociationFactory(partner=w.partner, association_type="2").customer
            if customer.pk % 3 == 0:
                thresholds.set_customer_setting(w.admin, customer_id=customer.domain_id, threshold="5.00",
                                                zero_balance_policy=ARREARS, arrears_limit="1.00")
        thresholds.check_low_balances()
        admin.get(LIST)
        with CaptureQueriesContext(connection) as queries:
            response = admin.get(LIST, {"show": "all"})
        counts.append(len(queries))  # read now: the next request empties the connection's query log
        assert response.status_code == 200
        assert len(listed(admin, show="all")) == min(total, 20)
    assert counts[0] == counts[1] > 0, counts
