"""Customer orders through the official SDK (huaweicloudsdkbss BssClient) on a live server: the list with
its filters, paging and scoping, the details, usable coupons and discounts — another tenant's order is not
found (refund-orders too: its rows are tested with real unsubscriptions in tests/subscriptions), each refusal
answers its CBC code — and what a page of them costs."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from huaweicloudsdkbss.v2 import (
    ListOrderCouponsByOrderIdRequest, ListOrderDiscountsRequest, ShowCustomerOrderDetailsRequest,
    ShowRefundOrderDetailsRequest,
)

from trade.choices import DiscountType, OrderStatus
from trade.models import Order

from ..conftest import actor_of, build_tenant
from ..factories import AssociationFactory, PartnerFactory, RoleFactory, make_access_key
from ..signed import call
from .order_factories import EC2, EVS, make_order
from .order_sdk import (  # noqa: F401 — the fixtures book and funded
    book_fixture, customer_client, ids, issue_coupon, orders, partner_client, refused, state, utc,
)

pytestmark = pytest.mark.django_db(transaction=True)


# -------------------------------------------------------------------------------------------------
# The list
# -------------------------------------------------------------------------------------------------

def test_the_partner_lists_its_customers_orders_newest_first_with_their_amounts(live_server, book):
    response = orders(partner_client(live_server, book))

    assert response.total_count == 4
    assert ids(response) == [book.pending.order_id, book.completed.order_id, book.partner_paid.order_id,
                             book.cancelled.order_id]
    pending, completed, partner_paid, cancelled = response.order_infos
    assert (pending.customer_id, pending.service_type_code, pending.service_type_name) == (
        book.resale.domain_id, EC2, "Elastic Cloud Server")
    assert (pending.status, pending.order_type, pending.source_type, pending.measure_id, pending.currency) == (
        6, 1, 1, 1, "CNY")
    assert (pending.official_amount, pending.amount_after_discount) == (76.0, 68.4)
    assert [(d.discount_type, d.discount_amount) for d in pending.amount_info.discounts] == [("607", 7.6)]
    assert pending.create_time == utc(book.now - timedelta(hours=1)) and pending.payment_time is None
    assert (pending.agent_pay_info.is_agent_pay, pending.agent_pay_info.paying_agent_id) == (False, None)
    assert (completed.amount_info.coupon_amount, completed.amount_info.flexipurchase_coupon_amount) == (5.0, 1.0)
    assert completed.amount_info.discounts == [] and completed.status == 5
    assert completed.payment_time == utc(book.completed.payment_time)
    assert (partner_paid.agent_pay_info.is_agent_pay, partner_paid.agent_pay_info.paying_agent_id) == (
        True, book.partner.domain_id)
    assert (partner_paid.customer_id, partner_paid.source_type) == (book.referral.domain_id, 2)
    assert (cancelled.status, cancelled.order_type) == (4, 2)
    assert book.other.order_id not in ids(response)


def test_filters(live_server, book):
    client = partner_client(live_server, book)
    day = timedelta(days=1)

    assert ids(orders(client, order_id=book.completed.order_id.lower())) == [book.completed.order_id]
    assert ids(orders(client, customer_id=book.referral.domain_id)) == [book.partner_paid.order_id]
    assert ids(orders(client, status=4)) == [book.cancelled.order_id]
    assert orders(client, status=1).total_count == 0  # 待审核: documented, never ours
    assert ids(orders(client, order_type="2")) == [book.cancelled.order_id]
    assert orders(client, service_type_code=EC2.upper()).total_count == 4
    assert orders(client, service_type_code=EVS).total_count == 0
    assert ids(orders(client, create_time_begin=utc(book.now - 2 * day - timedelta(hours=1)),
                      create_time_end=utc(book.now - day))) == [book.completed.order_id]
    assert ids(orders(client, payment_time_begin=utc(book.now - 10 * day), payment_time_end=utc(book.now))) == [
        book.completed.order_id, book.partner_paid.order_id]
    assert ids(orders(client, order_by="createTime")) == [book.cancelled.order_id, book.partner_paid.order_id,
                                                          book.completed.order_id, book.pending.order_id]
    assert ids(orders(client, order_by="-CREATETIME"))[0] == book.pending.order_id
    assert orders(client, order_id="", customer_id="", service_type_code="").total_count == 4  # empty: no filter
    # another partner's order and customer are simply not there
    assert orders(client, order_id=book.other.order_id).total_count == 0
    assert orders(client, customer_id=book.b.resale.domain_id).total_count == 0
    assert orders(client, method="sub_customer").total_count == 0


def test_paging(live_server, book):
    client = partner_client(live_server, book)

    first = orders(client, limit=2)
    second = orders(client, limit=2, offset=2)
    beyond = orders(client, limit=2, offset=10)

    assert (first.total_count, second.total_count, beyond.total_count) == (4, 4, 4)
    assert ids(first) + ids(second) == ids(orders(client))
    assert ids(beyond) == []


@pytest.mark.parametrize("params", [
    {"create_time_begin": "2024-01-01T00:00:00Z", "create_time_end": "2025-01-01T00:00:01Z"},
    {"payment_time_begin": "2023-03-01T00:00:00Z", "payment_time_end": "2024-03-01T00:00:01Z"},
    {"create_time_begin": "2024-05-01T00:00:00Z", "create_time_end": "2024-04-30T00:00:00Z"},
    {"create_time_begin": "2024-05-01"},
    {"order_by": "amount"},
    {"order_type": "new"},
    {"method": "everyone"},
    {"limit": 101},
    {"offset": -1},
])
def test_bad_list_parameters_are_refused(live_server, book, params):
    assert refused(lambda: orders(partner_client(live_server, book), **params)) == (400, "CBC.0100")


def test_a_year_exactly_is_allowed(live_server, book):
    response = orders(partner_client(live_server, book), create_time_begin="2024-01-01T00:00:00Z",
                      create_time_end="2025-01-01T00:00:00Z")
    assert response.total_count == 0


def test_an_account_manager_sees_its_customers_orders_only(live_server, book):
    book.member.roles.add(RoleFactory(partner=book.partner, permissions=["orders.view"]))
    key, secret = make_access_key(book.member.user, partner=book.partner)
    client = partner_client(live_server, book, key, secret)

    listed = orders(client)

    assert ids(listed) == [book.partner_paid.order_id] and listed.total_count == 1
    assert refused(lambda: client.show_customer_order_details(ShowCustomerOrderDetailsRequest(
        order_id=book.pending.order_id))) == (404, "CBC.99008001")


def test_a_key_without_orders_view_is_refused(live_server, book):
    key, secret = make_access_key(book.member.user, partner=book.partner)  # customers.view only
    client = partner_client(live_server, book, key, secret)
    assert refused(lambda: orders(client)) == (403, "CBC.0151")
    assert refused(lambda: client.list_order_discounts(ListOrderDiscountsRequest(order_id=book.pending.order_id))) == (
        403, "CBC.0151")


def test_a_distributor_reads_its_resellers_orders_by_naming_it(live_server, db):
    d = build_tenant("dist", partner_type="distributor")
    reseller = PartnerFactory(partner_type="reseller", distributor=d.partner)
    customer = AssociationFactory(partner=reseller, association_type="2").customer
    own = make_order(d.resale, partner=d.partner)
    theirs = make_order(customer, partner=reseller)
    stranger = PartnerFactory(partner_type="reseller", distributor=PartnerFactory(partner_type="distributor"))
    client = partner_client(live_server, d)

    assert ids(orders(client)) == [own.order_id]
    assert ids(orders(client, indirect_partner_id=reseller.domain_id)) == [theirs.order_id]
    details = client.show_customer_order_details(ShowCustomerOrderDetailsRequest(
        order_id=theirs.order_id, indirect_partner_id=reseller.domain_id))
    assert details.order_info.order_id == theirs.order_id
    assert refused(lambda: client.show_customer_order_details(ShowCustomerOrderDetailsRequest(
        order_id=theirs.order_id))) == (404, "CBC.99008001")
    for other in (stranger.domain_id, "0" * 32):
        assert refused(lambda: orders(client, indirect_partner_id=other)) == (404, "CBC.0156")
    refund = client.show_refund_order_details(ShowRefundOrderDetailsRequest(
        order_id=theirs.order_id, customer_id=customer.domain_id, indirect_partner_id=reseller.domain_id))
    assert refund.total_count == 0


def test_a_customer_key_lists_its_own_orders(live_server, book):
    client = customer_client(live_server, book)

    listed = orders(client)

    assert ids(listed) == [book.pending.order_id, book.completed.order_id, book.cancelled.order_id]
    assert listed.total_count == 3
    assert orders(client, customer_id=book.referral.domain_id).total_count == 0
    assert refused(lambda: client.show_customer_order_details(ShowCustomerOrderDetailsRequest(
        order_id=book.partner_paid.order_id))) == (404, "CBC.99008001")


# -------------------------------------------------------------------------------------------------
# Details, coupons, discounts, refunds
# -------------------------------------------------------------------------------------------------

def test_details_show_the_order_and_a_page_of_its_lines(live_server, book):
    client = partner_client(live_server, book)

    whole = client.show_customer_order_details(ShowCustomerOrderDetailsRequest(order_id=book.pending.order_id))
    second = client.show_customer_order_details(ShowCustomerOrderDetailsRequest(
        order_id=book.pending.order_id, limit=1, offset=1, x_language="zh_CN"))

    info = whole.order_info
    assert whole.total_count == 2 and second.total_count == 2
    assert (info.order_id, info.customer_id, info.status, info.user_name) == (
        book.pending.order_id, book.resale.domain_id, 6, "customer.user")
    assert info.pending_payment_end_time == utc(book.pending.pending_payment_end_time)
    assert [(d.discount_type, d.discount_amount) for d in info.amount_info.discounts] == [("607", 7.6)]
    server, disk = whole.order_line_items
    assert (server.service_type_code, server.official_amount, server.amount_after_discount) == (EC2, 36.0, 32.4)
    assert (server.period_type, server.period_num, server.subscription_num) == (2, 1, 1)
    assert server.commercial_resource == "hws.resource.type.vm" and server.order_id == book.pending.order_id
    assert [(d.discount_type, d.discount_amount) for d in disk.amount_info.discounts] == [("607", 4.0)]
    # the disk is the server's: its base product is the server
    assert disk.base_product_info.product_id == server.product_id
    assert disk.base_product_info.commercial_resource == "hws.resource.type.vm"
    assert [line.order_line_item_id for line in second.order_line_items] == [disk.order_line_item_id]
    assert second.order_line_items[0].service_type_name == "云硬盘"
    assert second.order_info.service_type_name == "弹性云服务器"


def test_another_partners_order_is_not_found_anywhere(live_server, book):
    client = partner_client(live_server, book)
    before = state()
    order_id = book.other.order_id
    for call_sdk in (
        lambda: client.show_customer_order_details(ShowCustomerOrderDetailsRequest(order_id=order_id)),
        lambda: client.list_order_coupons_by_order_id(ListOrderCouponsByOrderIdRequest(order_id=order_id)),
        lambda: client.list_order_discounts(ListOrderDiscountsRequest(order_id=order_id)),
        lambda: client.show_refund_order_details(ShowRefundOrderDetailsRequest(order_id=order_id)),
        lambda: client.show_customer_order_details(ShowCustomerOrderDetailsRequest(order_id="CS0000000000XXXXX")),
    ):
        assert refused(call_sdk) == (404, "CBC.99008001")
    assert state() == before


def test_order_coupons_are_the_customers_usable_ones_with_their_limits(live_server, book):
    for_ecs = issue_coupon(book, "10.00", service_types=[EC2, EVS])  # the order's server and its disk
    flexi = issue_coupon(book, "3.00", quota_type=1)
    issue_coupon(book, "7.00", service_types=["hws.service.type.obs"])  # not for this order

    response = customer_client(live_server, book).list_order_coupons_by_order_id(
        ListOrderCouponsByOrderIdRequest(order_id=book.pending.order_id))
    by_partner = partner_client(live_server, book).list_order_coupons_by_order_id(
        ListOrderCouponsByOrderIdRequest(order_id=book.pending.order_id))

    by_id = {c.coupon_id: c for c in response.user_coupons}
    assert response.count == 2 and set(by_id) == {for_ecs.coupon_id, flexi.coupon_id}
    assert {c.coupon_id for c in by_partner.user_coupons} == set(by_id)
    ecs = by_id[for_ecs.coupon_id]
    assert (ecs.coupon_type, ecs.status, ecs.face_value, ecs.balance, ecs.measure_id) == (1, 2, 10.0, 10.0, 1)
    assert [(limit.limit_key, limit.value1) for limit in ecs.use_limits] == [("CLOUD_SERVICE_TYPE", EC2),
                                                                              ("CLOUD_SERVICE_TYPE", EVS)]
    assert by_id[flexi.coupon_id].coupon_type == 4 and by_id[flexi.coupon_id].use_limits == []
    assert ecs.expire_time == utc(for_ecs.expire_time)
    assert {(q.coupon_type, q.use_quantity_value) for q in response.coupon_max_use_quantity} == {(1, 3), (4, 3)}


def test_order_discounts_show_the_partner_discount_and_the_price_adjustment(live_server, book):
    adjusted = make_order(book.resale, partner=book.partner, lines=(("server", "36.00", "6.00"),),
                          discount_type=DiscountType.PRICE_ADJUSTMENT, discount_id="609-1")
    client = customer_client(live_server, book)

    partner_discount = client.list_order_discounts(ListOrderDiscountsRequest(order_id=book.pending.order_id))
    adjustment = client.list_order_discounts(ListOrderDiscountsRequest(order_id=adjusted.order_id))
    none = client.list_order_discounts(ListOrderDiscountsRequest(order_id=book.completed.order_id))

    (discount,) = partner_discount.discounts
    assert (discount.discount_id, discount.discount_type, discount.discount_value) == (
        f"607-{book.resale.domain_id}", 3, "0.9")
    (order,) = discount.orders
    assert order.order_id == book.pending.order_id
    assert [(len(item.order_line_item_ids), item.discount_mode, item.discount_amount, item.discount_ratio)
            for item in order.order_line_items] == [(1, 0, Decimal("3.6"), Decimal("0.9")),
                                                    (1, 0, Decimal("4"), Decimal("0.9"))]
    (fixed,) = adjustment.discounts
    assert (fixed.discount_id, fixed.discount_type, fixed.discount_value) == ("609-1", 609, None)
    assert fixed.orders[0].order_line_items[0].discount_mode == 1
    assert none.discounts == []


# -------------------------------------------------------------------------------------------------
# Cost
# -------------------------------------------------------------------------------------------------

def _queries(api, ak, sk, path, query):
    with CaptureQueriesContext(connection) as captured:
        response = call(api, "GET", path, ak=ak, sk=sk, query=query)
    assert response.status_code == 200, response.content
    return [q["sql"] for q in captured.captured_queries], response.json()


def test_the_order_list_and_details_run_the_same_queries_at_two_page_sizes(book):
    for n in range(30):
        customer = book.resale if n % 2 else book.referral
        make_order(customer, partner=book.partner, status=OrderStatus.COMPLETED if n % 3 else OrderStatus.PENDING_PAYMENT,
                   lines=(("server", "36.00", "3.60"), ("disk", "40.00", "4.00")) * 3, paid_by=None)
    api = Client()
    keys = {"partner": (book.key.ak, book.secret), "customer": (book.customer_key.ak, book.customer_secret)}
    manager_role = RoleFactory(partner=book.partner, permissions=["orders.view"])
    book.member.roles.add(manager_role)
    keys["manager"] = make_access_key(book.member.user, partner=book.partner)
    keys["manager"] = (keys["manager"][0].ak, keys["manager"][1])
    path = "/v2/orders/customer-orders"
    big = Order.objects.filter(lines__isnull=False).order_by("-id").first()
    for who, (ak, sk) in keys.items():
        call(api, "GET", path, ak=ak, sk=sk)  # the key's last use, written once a minute
        few, small = _queries(api, ak, sk, path, [("limit", "2")])
        many, large = _queries(api, ak, sk, path, [("limit", "30")])
        assert len(small["order_infos"]) == 2 and len(large["order_infos"]) > 10, who
        assert len(few) == len(many), (who, "\n".join(few), "\n".join(many))
    # The whole book's total comes from the counter, not from a COUNT over the orders.
    sql, listed = _queries(api, book.key.ak, book.secret, path, [("limit", "10")])
    assert listed["total_count"] == Order.objects.filter(partner=book.partner).count()
    assert not any("COUNT(" in q.upper() and "trade_order" in q for q in sql), sql
    detail = f"/v2/orders/customer-orders/details/{big.order_id}"
    few, small = _queries(api, book.key.ak, book.secret, detail, [("limit", "1")])
    many, large = _queries(api, book.key.ak, book.secret, detail, [("limit", "6")])
    assert (len(small["order_line_items"]), len(large["order_line_items"]), large["total_count"]) == (1, 6, 6)
    assert len(few) == len(many)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the plan of PostgreSQL")
def test_the_default_order_is_read_from_the_index(book):
    """A page of the list reads the first rows of the partner's (or the customer's) index in its order (an incremental sort
    only breaks ties of create_time by id): it never sorts all of the partner's orders."""
    from trade.selectors import orders_for

    template = Order.objects.get(pk=book.completed.pk)
    start = timezone.now() - timedelta(days=300)
    Order.objects.bulk_create([
        Order(customer_id=template.customer_id, partner_id=template.partner_id, order_type=1, status=5,
              source_type=1, service_type_id=template.service_type_id, official_amount=Decimal("1.00"),
              amount_after_discount=Decimal("1.00"), cash_amount=Decimal("1.00"), payer="customer",
              create_time=start + timedelta(minutes=n), payment_time=start + timedelta(minutes=n),
              order_id=f"CS{n:015d}") for n in range(5000)])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE trade_order")
    for actor, index in ((actor_of(book.admin), "order_partner_created"),
                         (actor_of(book.customer_user.user), "order_customer_created")):
        plan = orders_for(actor)[:10].explain()
        assert index in plan, plan
        assert not any(line.strip().startswith("->  Sort") or line.startswith("Sort")
                       for line in plan.splitlines()), plan
