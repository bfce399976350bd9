"""主页 shows what needs doing (issue 11, part 5): tiles the apps register (partnercenter/dashboard.py), each a
number scoped to the viewer — an account manager counts its own customers only — that links to the list
showing exactly those rows; a tile needs its permission; the page runs a fixed number of statements."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from billing import services as billing
from customers import services as customers
from customers.models import Association, AssociationEvent, OpsAuthorization
from events.models import Event, Notification
from partnercenter import dashboard
from partnercenter.actors import SCHEDULER
from vouchers import services as vouchers
from vouchers.models import Coupon, CouponQuota

from ..billing_helpers import fund
from ..conftest import actor_of, login_client
from ..factories import AssociationFactory, CustomerUserFactory, MemberFactory, RoleFactory

pytestmark = pytest.mark.django_db

COUNTS = ("customers.referral", "customers.resale", "customers.requests_to_decide", "customers.ops_waiting",
          "vouchers.coupons_expiring", "vouchers.cash_quotas_expiring", "vouchers.flexi_quotas_expiring",
          "notifications.unread")


def grant(partner, *, days, quota_type=0, value="100.00"):
    now = timezone.now()
    return CouponQuota.objects.create(partner=partner, quota_type=quota_type, quota_value=Decimal(value),
                                      balance=Decimal(value), effective_time=now - timedelta(days=1),
                                      expire_time=now + timedelta(days=days))


def tiles(client) -> dict:
    """{tile key: (value, url)} of the home page, parts included, as the viewer sees it."""
    response = client.get("/")
    assert response.status_code == 200
    shown = {}
    for _section, tops in response.context["sections"]:
        for tile in tops:
            shown[tile.tile.key] = (tile.value, tile.url)
            shown.update((part.tile.key, (part.value, part.url)) for part in tile.parts)
    return shown


def listed(client, url) -> tuple[int, set]:
    """(the list's total, the ids of its rows) of the page a tile links to."""
    response = client.get(url)
    assert response.status_code == 200, url
    page = response.context["page"]
    return page.paginator.count, {row.pk for row in page.object_list}


def book(tenant):
    """A partner whose tiles all have something to count: for the administrator, and for the account
    manager (tenant.member: its customers are the referral one and `mine`)."""
    partner, admin, am = tenant.partner, actor_of(tenant.admin), tenant.member
    tenant.role.permissions = ["customers.view", "vouchers.view"]
    tenant.role.save()
    mine = AssociationFactory(partner=partner, association_type="2", account_manager=am).customer
    fund(partner, "100.00", credit_limit="30.00")
    billing.allocate_to_customer(admin, customer_id=tenant.resale.domain_id, amount="10.00")
    # Requests the partner must decide: from the referral customer (the AM's) and the resale one (not the AM's).
    customers.customer_request_disassociation(actor_of(CustomerUserFactory(customer=tenant.referral).user), reason="r")
    customers.customer_request_disassociation(actor_of(CustomerUserFactory(customer=tenant.resale).user), reason="r")
    # A request the partner made (the customer decides): not the partner's to decide.
    other = AssociationFactory(partner=partner, association_type="1").customer
    customers.request_type_switch(admin, customer_id=other.domain_id, reason="r")
    # Delegated operations waiting for the customer: the AM's customer and one of another manager's.
    customers.request_ops_authorization(admin, customer_id=mine.domain_id, reason="r")
    others = AssociationFactory(partner=partner, association_type="2").customer
    customers.request_ops_authorization(admin, customer_id=others.domain_id, reason="r")
    granted = AssociationFactory(partner=partner, association_type="2").customer
    authorization = customers.request_ops_authorization(admin, customer_id=granted.domain_id, reason="r")
    OpsAuthorization.objects.filter(pk=authorization.pk).update(status="authorized")
    # Coupons: two expiring within 7 days (the AM's customer's and another's), one in 10 days, one reclaimed.
    now = timezone.now()
    quota = grant(partner, days=60, value="1000.00")
    soon = vouchers.issue_coupons(admin, quota_id=quota.quota_id, face_value="1.00",
                                  expire_time=now + timedelta(days=5),
                                  customer_ids=[tenant.referral.domain_id, others.domain_id])[0]
    vouchers.issue_coupons(admin, quota_id=quota.quota_id, face_value="1.00", expire_time=now + timedelta(days=10),
                           customer_ids=[mine.domain_id])
    gone = vouchers.issue_coupons(admin, quota_id=quota.quota_id, face_value="1.00",
                                  expire_time=now + timedelta(days=2), customer_ids=[mine.domain_id])[0]
    vouchers.reclaim_coupons(admin, coupon_ids=[gone[0]["coupon_id"]])
    # Quotas: a cash quota expiring in 20 days, one in 40, a flexi-purchase one in 5.
    grant(partner, days=20)
    grant(partner, days=40)
    grant(partner, days=5, quota_type=1)
    # Unread notifications: two of the administrator's (and one read), one of the AM's.
    ping = Event.objects.create(type="ping", partner=partner)
    pong = Event.objects.create(type="ping", partner=partner)
    Notification.objects.create(user=tenant.admin.user, event=ping)
    Notification.objects.create(user=tenant.admin.user, event=pong)
    Notification.objects.create(user=tenant.admin.user, event=Event.objects.create(type="ping", partner=partner),
                                read_at=now)
    Notification.objects.create(user=am.user, event=ping)
    return {"mine": mine, "others": others, "soon": soon}


def test_the_administrator_sees_the_whole_books_numbers(tenant_a):
    book(tenant_a)
    shown = tiles(login_client(tenant_a.admin.user))

    assert {key: shown[key][0] for key in COUNTS} == {
        "customers.referral": 2, "customers.resale": 4, "customers.requests_to_decide": 2, "customers.ops_waiting": 2,
        "vouchers.coupons_expiring": 2, "vouchers.cash_quotas_expiring": 1, "vouchers.flexi_quotas_expiring": 1,
        "notifications.unread": 2}
    assert {key: shown[key][0] for key in ("billing.available", "billing.cash", "billing.credit",
                                           "billing.allocated")} == {
        "billing.available": Decimal("120.00"), "billing.cash": Decimal("100.00"), "billing.credit": Decimal("30.00"),
        "billing.allocated": Decimal("10.00")}
    assert shown["notifications.unread"] == (2, "/notifications/?state=unread")


def test_an_account_manager_counts_its_own_customers_only(tenant_a):
    book(tenant_a)
    shown = tiles(login_client(tenant_a.member.user))

    assert {key: shown[key][0] for key in COUNTS} == {
        "customers.referral": 1, "customers.resale": 1, "customers.requests_to_decide": 1, "customers.ops_waiting": 1,
        "vouchers.coupons_expiring": 1, "vouchers.cash_quotas_expiring": 1, "vouchers.flexi_quotas_expiring": 1,
        "notifications.unread": 1}
    assert "billing.available" not in shown  # no billing.view


@pytest.mark.parametrize("viewer", ["admin", "member"])
def test_each_number_links_to_a_list_showing_exactly_those_rows(tenant_a, viewer):
    made = book(tenant_a)
    client = login_client(getattr(tenant_a, viewer).user)
    shown = tiles(client)

    for key in COUNTS:
        value, url = shown[key]
        total, rows = listed(client, url)
        assert total == value == len(rows), (key, url, total, value)

    admin = viewer == "admin"
    _n, customers_waiting = listed(client, shown["customers.ops_waiting"][1])
    assert customers_waiting == ({made["mine"].pk, made["others"].pk} if admin else {made["mine"].pk})
    _n, requests = listed(client, shown["customers.requests_to_decide"][1])
    expected = {tenant_a.referral.pk, tenant_a.resale.pk} if admin else {tenant_a.referral.pk}
    assert set(AssociationEvent.objects.filter(pk__in=requests).values_list("customer_id", flat=True)) == expected
    _n, coupons = listed(client, shown["vouchers.coupons_expiring"][1])
    assert set(Coupon.objects.filter(pk__in=coupons).values_list("coupon_id", flat=True)) == (
        {c["coupon_id"] for c in made["soon"]} if admin else {made["soon"][0]["coupon_id"]})


def test_the_balance_parts_link_to_the_entries_of_that_balance(tenant_a):
    book(tenant_a)
    client = login_client(tenant_a.admin.user)
    shown = tiles(client)

    assert shown["billing.available"][1] == "/billing/"
    parts = (("billing.cash", "cash"), ("billing.credit", "credit"), ("billing.allocated", "allocated"))
    for key, balance_type in parts:
        response = client.get(shown[key][1])
        assert {entry.balance_type for entry in response.context["page"]} == {balance_type}, key
    html = client.get("/").content.decode()
    assert "¥120.00" in html and "¥100.00" in html and "¥30.00" in html


def test_a_member_without_the_permission_does_not_see_the_tile(tenant_a):
    book(tenant_a)
    nobody = MemberFactory(partner=tenant_a.partner, roles=[RoleFactory(partner=tenant_a.partner, permissions=[])])
    reader = MemberFactory(partner=tenant_a.partner, roles=[RoleFactory(partner=tenant_a.partner,
                                                                         permissions=["customers.view"])])

    assert set(tiles(login_client(nobody.user))) == {"notifications.unread"}
    seen = tiles(login_client(reader.user))
    assert {"customers.referral", "customers.requests_to_decide"} <= set(seen)
    assert not {"vouchers.coupons_expiring", "billing.available", "org.members"} & set(seen)
    html = login_client(reader.user).get("/").content.decode()
    assert 'data-tile="vouchers.coupons_expiring"' not in html and 'data-tile="customers.resale"' in html


def test_the_home_page_runs_a_fixed_number_of_statements(tenant_a):
    """The same statements for a small book and for a larger one (every tile is one indexed statement or a
    counter; the partner account is read once for 账户余额 and its parts)."""
    client = login_client(tenant_a.admin.user)
    member_client = login_client(tenant_a.member.user)
    counts = {}
    book(tenant_a)
    for size in ("small", "large"):
        if size == "large":
            book_more(tenant_a, 6)
        for name, viewer in (("admin", client), ("member", member_client)):
            viewer.get("/")  # warm: session, language
            with CaptureQueriesContext(connection) as queries:
                assert viewer.get("/").status_code == 200
            counts[size, name] = len(queries)
    assert counts["small", "admin"] == counts["large", "admin"], counts
    assert counts["small", "member"] == counts["large", "member"], counts
    assert counts["small", "admin"] <= 30, counts


def book_more(tenant, extra):
    """More rows of every kind the tiles count."""
    admin = actor_of(tenant.admin)
    quota = grant(tenant.partner, days=60, value="1000.00")
    for _i in range(extra):
        customer = AssociationFactory(partner=tenant.partner, association_type="2",
                                      account_manager=tenant.member).customer
        AssociationFactory(partner=tenant.partner, association_type="1", account_manager=tenant.member)
        customers.request_ops_authorization(admin, customer_id=customer.domain_id, reason="r")
        customers.customer_request_disassociation(actor_of(CustomerUserFactory(customer=customer).user), reason="r")
        vouchers.issue_coupons(admin, quota_id=quota.quota_id, face_value="1.00",
                               expire_time=timezone.now() + timedelta(days=3), customer_ids=[customer.domain_id])
        grant(tenant.partner, days=10)
        ping = Event.objects.create(type="ping", partner=tenant.partner)
        Notification.objects.create(user=tenant.admin.user, event=ping)


def test_a_new_tile_is_one_registration(tenant_a):
    dashboard.register(dashboard.Tile(
        "test.associations", _("Associations ever made"), permission="customers.view", section=dashboard.BOOK,
        value=lambda actor: Association.objects.filter(partner=actor.partner).count(),
        url=lambda actor: "/customers/"))
    try:
        shown = tiles(login_client(tenant_a.admin.user))
    finally:
        dashboard.unregister("test.associations")
    assert shown["test.associations"] == (2, "/customers/")
    assert "test.associations" not in tiles(login_client(tenant_a.admin.user))


def test_a_scheduler_or_customer_sees_no_tiles(tenant_a):
    assert dashboard.tiles_for(SCHEDULER) == []
    assert dashboard.tiles_for(actor_of(CustomerUserFactory(customer=tenant_a.resale).user)) == []
