"""The partner's subscription pages around one customer's resources: the resources page (expiry, state, what
happens at expiry; renew and unsubscribe offered where the partner holds `orders.place` and the customer's
valid 代客运维 grant), renewing for the customer (price, one order, paid by the partner from the order's
page), unsubscribing for it (the refund preview, confirmed once, the refund's page), and the links to the
refund from the order pages. 到期资源 is tested in test_partner_expiring.py.

Through the Django test client against the real services: resources are bought and paid through trade's
services, as production makes them; the ORM only sets the stage (a state, an expiry) and reads the result.
Two-step confirmations are posted back as the browser would (the hidden fields of #confirm-form).

Refund figures by hand (subscriptions/refunds.py): a server at 73.70 a month bought 2026-01-01 00:00 UTC
(31 days) with a 10% handling fee, unsubscribed 2026-01-11 12:00 (10.5 days in):
    used = 73.70 × 10.5 / 31 = 24.96, fee = (73.70 − 24.96) × 0.10 = 4.87, refund = 43.87.
"""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from customers.choices import PeriodStatus
from customers.models import OpsAuthorization, Resource
from partnercenter.models import OperationLog
from subscriptions import autorenew
from subscriptions.choices import ExpirePolicy
from subscriptions.models import RefundItem, Unsubscription
from trade.choices import OrderStatus, OrderType, SourceType
from trade.models import Order

from ..factories import ResourceFactory
from ..trade.payment_helpers import World, balance, partner_cash, verify_ledger
from .partner_helpers import (
    EC2, EXPIRING, body, buy, client_of, confirm_fields, resources_page, row_html, rows, stage, unsubscribed, world,
)
from .refund_helpers import at, moment, set_fee

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(db):
    return world()


# -------------------------------------------------------------------------------------------
# Who may open what, and the menus
# -------------------------------------------------------------------------------------------

def test_each_page_needs_its_right_and_customer_users_open_none(w):
    w.grant_ops()
    main, _subs = buy(w)
    refund = unsubscribed(w)
    pages = {
        EXPIRING: "customers.view", "/subscriptions/expiring/export.xlsx": "customers.view",
        "/subscriptions/expiring/export.csv": "customers.view",
        f"/subscriptions/resources/{main.resource_id}/renew/": "orders.place",
        f"/subscriptions/resources/{main.resource_id}/unsubscribe/": "orders.place",
        f"/subscriptions/refunds/{refund.order_id}/": "orders.view",
    }
    admin = client_of(w.admin)
    for url in pages:
        assert admin.get(url).status_code == 200, url
    rights = {"customers.view", "orders.view", "orders.place", "orders.pay"}
    for url, right in pages.items():
        assert client_of(w.member_with(*(rights - {right}))).get(url).status_code == 403, url
        assert client_of(w.member_with(right, "customers.view", "customers.view_all")).get(url).status_code == 200, url
    customer = client_of(w.resale_user)
    for url in pages:
        assert customer.get(url).status_code == 403, url


def test_the_menus_lead_to_the_new_pages(w):
    home = body(client_of(w.admin).get("/"))
    assert f'href="{EXPIRING}"' in home
    assert f'href="{EXPIRING}"' not in body(client_of(w.member_with("orders.view")).get("/"))
    fee_center = body(client_of(w.resale_user).get("/fee-center/"))
    assert 'href="/fee-center/subscriptions/renewals/"' in fee_center
    assert 'href="/fee-center/subscriptions/unsubscribe/"' in fee_center


def test_another_partners_resources_and_refunds_are_not_found(w):
    w.grant_ops()
    main, _subs = buy(w)
    refund = unsubscribed(w)
    other = World("sq")
    stranger = client_of(other.admin)
    for url in (f"/subscriptions/resources/{main.resource_id}/renew/",
                f"/subscriptions/resources/{main.resource_id}/unsubscribe/",
                f"/subscriptions/refunds/{refund.order_id}/"):
        assert stranger.get(url).status_code == 404, url
        assert stranger.post(url, {"action": "place", "period": "2:1"}).status_code == 404, url
    assert rows(stranger.get(EXPIRING), "expiring") == []
    # an account manager sees only the resources of its own customers
    assert client_of(w.member_with("orders.place", "customers.view")).get(
        f"/subscriptions/resources/{main.resource_id}/renew/").status_code == 404
    # an order that is no refund has no refund page
    new_order = Order.objects.filter(order_type=OrderType.NEW, customer=w.resale).first()
    assert client_of(w.admin).get(f"/subscriptions/refunds/{new_order.order_id}/").status_code == 404
    assert Order.objects.filter(order_type=OrderType.RENEW).count() == 0


# -------------------------------------------------------------------------------------------
# The customer's resources page
# -------------------------------------------------------------------------------------------

def test_the_resources_page_shows_expiry_state_and_what_happens_at_expiry(w, settings):
    w.grant_ops()
    with at("2026-01-01 00:00"):
        main, (disk,) = buy(w, disk=True)
        grace, _ = buy(w)
        retention, _ = buy(w)
        released, _ = buy(w)
        switching, _ = buy(w)
        autorenew.set_auto_renew(w.resale_user, resource_id=main.resource_id, times=3, period_type="MONTH")
    now = moment("2026-01-21 00:00")
    Resource.objects.filter(pk=grace.pk).update(status=PeriodStatus.EXPIRED, expire_time=now - timedelta(days=3))
    Resource.objects.filter(pk=retention.pk).update(status=PeriodStatus.FROZEN, expire_time=now - timedelta(days=20))
    Resource.objects.filter(pk=released.pk).update(status=PeriodStatus.CLOSED)
    Resource.objects.filter(pk=switching.pk).update(expire_policy=ExpirePolicy.TO_ON_DEMAND)
    with at("2026-01-21 00:00"):
        page = resources_page(client_of(w.admin), w.resale)
    assert page.status_code == 200
    main_row = row_html(page, main.resource_id)
    assert "In use" in main_row and "11 days left" in main_row  # expires 2026-02-01 00:00
    assert "Renews automatically, one month at a time: 3 renewals of 3 left" in main_row
    assert "renew-link" in main_row and "unsubscribe-link" in main_row
    disk_row = row_html(page, disk.resource_id)
    assert "Subordinate of" in disk_row and main.resource_id in disk_row and "renew-link" not in disk_row
    grace_row = row_html(page, grace.resource_id)
    # frozen when the grace period ends: expiry (2026-01-18) + 15 days
    assert "Grace period" in grace_row and "Expired 3 days ago" in grace_row and "Frozen on 2026-02-02" in grace_row
    assert "Enter the grace period" in grace_row and "renew-link" in grace_row
    retention_row = row_html(page, retention.resource_id)
    # released when the retention period ends: expiry (2026-01-01) + 15 + 15 days
    assert "Retention period (frozen)" in retention_row and "Released on 2026-01-31" in retention_row
    released_row = row_html(page, released.resource_id)
    assert "Released" in released_row and "renew-link" not in released_row and "unsubscribe-link" not in released_row
    assert "Switch to pay-per-use" in row_html(page, switching.resource_id)
    assert 'id="period-reason"' not in body(page)


def test_the_actions_need_orders_place_and_the_customers_valid_grant(w):
    main, _subs = buy(w)
    admin = client_of(w.admin)
    page = resources_page(admin, w.resale)
    assert "renew-link" not in body(page) and 'id="period-reason"' in body(page)
    assert "not authorized delegated operations" in body(page)
    grant = w.grant_ops()
    assert "renew-link" in row_html(resources_page(admin, w.resale), main.resource_id)
    # a member that may not order for customers is offered nothing, and told nothing
    viewer = client_of(w.member_with("customers.view", "customers.view_all"))
    page = resources_page(viewer, w.resale)
    assert "renew-link" not in body(page) and 'id="period-reason"' not in body(page)
    # the grant expired: no actions, and the pages say why and place nothing
    OpsAuthorization.objects.filter(pk=grant.pk).update(valid_until=timezone.now() - timedelta(minutes=1))
    assert "renew-link" not in body(resources_page(admin, w.resale))
    renew_page = admin.get(f"/subscriptions/resources/{main.resource_id}/renew/")
    assert 'id="not-allowed"' in body(renew_page) and 'id="renew-form"' not in body(renew_page)
    assert admin.post(f"/subscriptions/resources/{main.resource_id}/renew/",
                      {"action": "place", "period": "2:1", "quote": f"{main.resource_id}|2:1"}).status_code == 200
    assert not Order.objects.filter(order_type=OrderType.RENEW).exists()


def test_a_referral_customers_resources_offer_no_actions(w):
    w.grant_ops()  # of the resale customer: a referral customer cannot grant one
    main = ResourceFactory(customer=w.referral, charging_mode="period", status=PeriodStatus.IN_USE,
                           expire_time=timezone.now() + timedelta(days=20))
    page = resources_page(client_of(w.admin), w.referral)
    assert main.resource_id in rows(page, "resources")
    assert "renew-link" not in body(page) and "Referral customers" in body(page)


# -------------------------------------------------------------------------------------------
# Renew for the customer
# -------------------------------------------------------------------------------------------

def test_the_partner_renews_for_the_customer_then_pays_the_order_from_its_account(w):
    w.grant_ops()
    with at("2026-01-01 00:00"):
        main, (disk,) = buy(w, disk=True)
    admin = client_of(w.admin)
    url = f"/subscriptions/resources/{main.resource_id}/renew/"
    with at("2026-01-20 00:00"):
        assert 'id="renew-form"' in body(admin.get(url))
        priced = admin.post(url, {"action": "rate", "period": "2:1"})
        # the server (73.70 a month) and its 40 GB disk (1.00 per GB a month), renewed together
        assert rows(priced, "price-rows") == [main.resource_id, disk.resource_id]
        assert "¥113.70" in re.search(r'id="price-amount">(.*?)</td>', body(priced), re.S).group(1)
        quote = re.search(r'name="quote" value="([^"]+)"', body(priced)).group(1)
        placed = admin.post(url, {"action": "place", "period": "2:1", "quote": quote})
    order = Order.objects.get(order_type=OrderType.RENEW)
    assert placed.status_code == 302 and placed.url == f"/trade/orders/{order.order_id}/?placed=1"
    assert order.status == OrderStatus.PENDING_PAYMENT and order.source_type == SourceType.AGENT
    assert order.customer == w.resale and order.amount_after_discount == Decimal("113.70")
    assert set(order.lines.values_list("resource_id", flat=True)) == {main.resource_id, disk.resource_id}
    # the order's page offers 余额支付; the partner pays it (two steps) and the expiry moves on a month
    detail = admin.get(placed.url)
    assert 'id="pay-as-partner"' in body(detail) and 'id="leave-for-customer"' in body(detail)
    cash = partner_cash(w.partner)
    pay_url = f"/trade/orders/{order.order_id}/pay/"
    with at("2026-01-20 00:10"):
        confirm = admin.post(pay_url, {})
        assert admin.post(pay_url, confirm_fields(confirm)).status_code == 302
    assert partner_cash(w.partner) == cash - Decimal("113.70")
    main.refresh_from_db()
    disk.refresh_from_db()
    assert main.expire_time == moment("2026-03-01 00:00") == disk.expire_time
    assert "Ledger verified" in verify_ledger()


def test_a_changed_period_is_priced_again_before_anything_is_ordered(w):
    w.grant_ops()
    main, _subs = buy(w)
    admin = client_of(w.admin)
    url = f"/subscriptions/resources/{main.resource_id}/renew/"
    priced = admin.post(url, {"action": "rate", "period": "2:1"})
    quote = re.search(r'name="quote" value="([^"]+)"', body(priced)).group(1)
    changed = admin.post(url, {"action": "place", "period": "3:1", "quote": quote})
    assert changed.status_code == 200 and 'id="price-changed"' in body(changed)
    # a year costs ten months in the demo catalogue: 737.00
    assert "¥737.00" in re.search(r'id="price-amount">(.*?)</td>', body(changed), re.S).group(1)
    assert not Order.objects.filter(order_type=OrderType.RENEW).exists()


def test_a_second_renewal_waits_for_the_first_to_be_paid_or_cancelled(w):
    w.grant_ops()
    main, _subs = buy(w)
    admin = client_of(w.admin)
    url = f"/subscriptions/resources/{main.resource_id}/renew/"
    first = admin.post(url, {"action": "place", "period": "2:1", "quote": f"{main.resource_id}|2:1"})
    assert first.status_code == 302
    pending = Order.objects.get(order_type=OrderType.RENEW)
    page = admin.get(url)
    assert f'href="/trade/orders/{pending.order_id}/"' in body(page)  # the order waiting for payment
    again = admin.post(url, {"action": "place", "period": "2:1", "quote": f"{main.resource_id}|2:1"})
    assert again.status_code == 200 and 'class="form-errors"' in body(again)
    assert "waiting for payment" in body(again)
    assert Order.objects.filter(order_type=OrderType.RENEW).count() == 1


def test_subordinate_and_released_resources_are_not_renewed_or_unsubscribed_by_themselves(w):
    w.grant_ops()
    main, (disk,) = buy(w, disk=True)
    admin = client_of(w.admin)
    for url in (f"/subscriptions/resources/{disk.resource_id}/renew/",
                f"/subscriptions/resources/{disk.resource_id}/unsubscribe/"):
        page = admin.get(url)
        assert 'id="not-allowed"' in body(page) and main.resource_id in body(page)
        assert 'id="renew-form"' not in body(page) and 'id="unsubscribe-form"' not in body(page)
    Resource.objects.filter(pk=main.pk).update(status=PeriodStatus.CLOSED)
    page = admin.get(f"/subscriptions/resources/{main.resource_id}/unsubscribe/")
    assert 'id="not-allowed"' in body(page)
    assert admin.post(f"/subscriptions/resources/{main.resource_id}/unsubscribe/",
                      {"unsubscribe_type": 1, "reason_type": 5}).status_code == 200
    assert not Unsubscription.objects.exists() and not Order.objects.filter(order_type=OrderType.RENEW).exists()


# -------------------------------------------------------------------------------------------
# Unsubscribe for the customer: preview, confirm once, the refund's page
# -------------------------------------------------------------------------------------------

def test_the_partner_unsubscribes_after_the_refund_preview_and_sees_the_refund(w):
    set_fee(EC2, "0.10")
    w.grant_ops()
    with at("2026-01-01 00:00"):
        main, _subs = buy(w)
    admin = client_of(w.admin)
    url = f"/subscriptions/resources/{main.resource_id}/unsubscribe/"
    before = balance(w.resale)
    with at("2026-01-11 12:00"):
        assert 'id="unsubscribe-form"' in body(admin.get(url))
        confirm = admin.post(url, {"unsubscribe_type": 1, "reason_type": 5, "reason": "客户不再需要"})
        preview = body(confirm)
        assert 'id="refund-preview"' in preview and 'id="confirm-form"' in preview
        item = re.search(r'<tr class="refund-item".*?</tr>', preview, re.S).group(0)
        assert "¥73.70" in item and "¥24.96" in item and "¥4.87" in item and "¥43.87" in item
        assert 'data-destination="customer_balance"' in preview
        assert not Unsubscription.objects.exists()  # nothing happens before the confirmation
        fields = confirm_fields(confirm)
        done = admin.post(url, fields)
        order = Order.objects.get(order_type=OrderType.UNSUBSCRIBE)
        assert done.status_code == 302 and done.url == f"/subscriptions/refunds/{order.order_id}/"
        again = admin.post(url, fields)  # the same confirmation, sent twice (a double click): runs once
    assert again.status_code == 200 and Order.objects.filter(order_type=OrderType.UNSUBSCRIBE).count() == 1
    assert balance(w.resale) == before + Decimal("43.87")
    main.refresh_from_db()
    assert main.status == PeriodStatus.CLOSED
    unsubscription = Unsubscription.objects.get()
    assert unsubscription.reason == "客户不再需要" and unsubscription.reason_type == 5
    assert order.source_type == SourceType.AGENT
    refund = admin.get(done.url)
    assert refund.status_code == 200
    page = body(refund)
    assert "¥43.87" in re.search(r'id="refund-amount">(.*?)</dd>', page, re.S).group(1)
    assert main.resource_id in page and "客户不再需要" in page
    assert re.search(r'data-destination="customer_balance".*?¥43\.87', page, re.S)
    assert "Ledger verified" in verify_ledger()


def test_a_refused_preview_stays_on_the_first_step_and_changes_nothing(w):
    w.grant_ops()
    main, _subs = buy(w)
    admin = client_of(w.admin)
    # type 2 returns only renewals not started yet: there are none
    page = admin.post(f"/subscriptions/resources/{main.resource_id}/unsubscribe/",
                      {"unsubscribe_type": 2, "reason_type": 1})
    assert page.status_code == 200 and 'id="confirm-form"' not in body(page)
    assert 'class="form-errors"' in body(page) and 'id="unsubscribe-form"' in body(page)
    assert not Unsubscription.objects.exists() and not RefundItem.objects.exists()


def test_the_order_pages_link_to_the_refund_of_an_unsubscription(w):
    w.grant_ops()
    refund = unsubscribed(w)
    partner_page = body(client_of(w.admin).get(f"/trade/orders/{refund.order_id}/"))
    assert f'href="/subscriptions/refunds/{refund.order_id}/"' in partner_page
    customer_page = body(client_of(w.resale_user).get(f"/fee-center/orders/{refund.order_id}/"))
    assert f'href="/fee-center/subscriptions/refunds/{refund.order_id}/"' in customer_page
    bought = Order.objects.filter(order_type=OrderType.NEW, customer=w.resale).first()
    assert 'id="refund-link"' not in body(client_of(w.admin).get(f"/trade/orders/{bought.order_id}/"))
    assert 'id="refund-link"' not in body(client_of(w.resale_user).get(f"/fee-center/orders/{bought.order_id}/"))



def test_the_resources_page_runs_the_same_number_of_queries_at_two_page_sizes(w):
    w.grant_ops()
    admin = client_of(w.admin)
    counts = []
    for total in (3, 30):
        for n in range(Resource.objects.count(), total):
            resource = stage(w.resale, days=n + 1)
            if n % 4 == 0:
                autorenew.set_auto_renew(w.resale_user, resource_id=resource.resource_id, times=2, period_type="MONTH")
        resources_page(admin, w.resale)
        with CaptureQueriesContext(connection) as queries:
            response = resources_page(admin, w.resale)
        assert len(rows(response, "resources")) == min(total, 20)
        assert body(response).count("renew-link") == min(total, 20)
        counts.append(len(queries))
    assert counts[0] == counts[1], counts



def test_the_unsubscription_asks_for_the_verification_code_when_the_partner_turned_it_on(w):
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    w.grant_ops()
    main, _subs = buy(w)
    w.partner.verification_enabled = True
    w.partner.save()
    device = TOTPDevice.objects.create(user=w.tenant.admin.user, name="app", confirmed=True)
    admin = client_of(w.admin)
    url = f"/subscriptions/resources/{main.resource_id}/unsubscribe/"
    confirm = admin.post(url, {"unsubscribe_type": 1, "reason_type": 2})
    assert 'name="verification_code"' in body(confirm)
    refused = admin.post(url, confirm_fields(confirm))  # no code
    assert refused.status_code == 200 and 'id="confirm-form"' in body(refused)
    assert not Unsubscription.objects.exists()
    assert OperationLog.objects.filter(action="subscription.unsubscribe", result="failure").exists()
    code = f"{TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token():06d}"
    done = admin.post(url, {**confirm_fields(refused), "verification_code": code})
    assert done.status_code == 302 and Unsubscription.objects.count() == 1
