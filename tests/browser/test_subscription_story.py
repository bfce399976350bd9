"""A yearly/monthly server's life in 费用中心, in real Chromium against the live server: the customer renews
it with a coupon, later unsubscribes it, reads the refund before confirming, and finds the refund in its
balance.

On 2026-03-01 the resale customer bought a server for one month (73.70, through trade's services: the
stage). On 2026-03-28 it signs in, opens 续费管理 from the menu, finds the server four days from expiry,
renews it for one month (the price is shown first), and pays the renewal order with its 30.00 ECS coupon
and its balance. On 2026-04-10 12:00 it opens 退订管理, asks to unsubscribe the server and reads the refund
of each unsubscribe type — only the renewal (2026-04-01 → 2026-05-01, 30 days) is left to refund:
    used   = 73.70 × 9.5 / 30 = 23.338… → 23.34
    fee    = (73.70 − 23.34) × 10%      → 5.04   (the ECS handling fee set for this story)
    refund = 73.70 − 23.34 − 5.04       = 45.32
paid back as the renewal was paid (30.00 coupon + 43.70 balance): the coupon floor(45.32 × 30 / 73.70) =
18.44, the balance 26.88. It gives a reason, confirms, and reads the refund and its new balance.

The clock is time-machine's (standing still at each moment; the live server runs in this process).
Assertions go by element ids, classes, data attributes, hrefs and numbers. Screenshots (zh-CN browser)
go to test-artifacts/.
"""

from datetime import datetime
from datetime import timezone as dt_timezone
from decimal import Decimal

import pytest
import time_machine
from playwright.sync_api import expect

from catalog.models import ServiceType
from customers.choices import PeriodStatus
from customers.models import Resource
from subscriptions.models import RefundPayout, Unsubscription
from trade import services as trade
from trade.choices import OrderStatus, OrderType
from trade.models import Order

from ..factories import PASSWORD
from ..trade.payment_helpers import World, balance, coupon, period_item, verify_ledger

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SERVER = ("hws.resource.type.vm", "s6.small.1.linux")  # 73.70 a month in the demo catalogue
BOUGHT, RENEWING, UNSUBSCRIBING = "2026-03-01 00:00", "2026-03-28 00:00", "2026-04-10 12:00"
COUPON = "30.00"
USED, FEE, REFUND, TO_COUPON, TO_BALANCE = "23.34", "5.04", "45.32", "18.44", "26.88"


def at(text):
    return time_machine.travel(datetime.fromisoformat(text).replace(tzinfo=dt_timezone.utc), tick=False)


@pytest.fixture
def world(db):
    with at(BOUGHT):
        w = World("substory")
        w.allocate("500.00")
        ServiceType.objects.filter(code="hws.service.type.ec2").update(unsubscribe_fee_rate=Decimal("0.1"))
        order = trade.place_order(w.resale_user, customer_id=w.resale.domain_id, items=[period_item(*SERVER)])
        trade.pay_order(w.resale_user, order_id=order.order_id)
        w.server = Resource.objects.get(order_id=order.order_id, is_main_resource=True)
        w.server_order = order
        w.coupon_id = w.issue(COUPON, service_types=["hws.service.type.ec2"])
    return w


def sign_in(page, live_server, username, landing):
    page.goto(f"{live_server.url}/login/")
    form = page.locator("form:has(input[name=username])")
    form.locator("input[name=username]").fill(username)
    form.locator("input[name=password]").fill(PASSWORD)
    form.locator("button").click()
    page.wait_for_url(f"{live_server.url}{landing}")


def sign_out(page, live_server):
    page.locator('header.topbar form[action="/logout/"] button[type=submit]').click()
    page.wait_for_url(f"{live_server.url}/login/")


def test_a_customer_renews_with_a_coupon_then_unsubscribes_and_gets_the_refund(page, live_server, world,
                                                                              artifacts_dir):
    base, w = live_server.url, world
    server = w.server
    renewals = f"{base}/fee-center/subscriptions/renewals/"

    # 1. Four days before expiry: 费用中心 ▸ 续费管理 shows the server, its days left, what happens at expiry.
    with at(RENEWING):
        sign_in(page, live_server, w.resale_user.user.username, "/fee-center/")
        page.locator('nav.mainnav a[href="/fee-center/subscriptions/renewals/"]').click()
        page.wait_for_url(renewals)
        row = page.locator(f'#renewals tr[data-resource="{server.resource_id}"]')
        expect(row.locator(".days-left")).to_have_attribute("data-days", "4")
        expect(row.locator(".res-status")).to_have_attribute("data-status", "2")
        expect(row.locator(".res-policy")).to_have_attribute("data-policy", "0")
        page.screenshot(path=artifacts_dir / "subscriptions-1-renewals.png", full_page=True)

        # 2. Renew: the price for one month first, then the renewal order.
        row.locator("button.renew-one").click()
        page.wait_for_url(f"{renewals}renew/")
        expect(page.locator(f'#renew-resources tr[data-resource="{server.resource_id}"]')).to_have_count(1)
        page.locator("#id_period").select_option("2:1")
        page.locator("#renew-price").click()
        expect(page.locator("#renew-total")).to_have_text("¥73.70")
        assert not Order.objects.filter(order_type=OrderType.RENEW).exists()
        page.screenshot(path=artifacts_dir / "subscriptions-2-renew-price.png", full_page=True)
        page.locator("#renew-submit").click()
        page.wait_for_url(f"{base}/fee-center/orders/*/")
        renewal = Order.objects.get(order_type=OrderType.RENEW)
        assert page.url == f"{base}/fee-center/orders/{renewal.order_id}/"
        expect(page.locator("#amount-due")).to_have_text("¥73.70")

        # 3. Pay it with the ECS coupon and the balance.
        page.locator("#pay-order").click()
        page.wait_for_url(f"{base}/fee-center/orders/{renewal.order_id}/pay/")
        page.locator(f'#usable-coupons input[value="{w.coupon_id}"]').check()
        page.locator("#pay-next").click()
        expect(page.locator("#coupons-pay")).to_have_text(f"¥{COUPON}")
        expect(page.locator("#balance-pays")).to_have_text("¥43.70")
        page.screenshot(path=artifacts_dir / "subscriptions-3-pay-renewal.png", full_page=True)
        page.locator("#confirm-submit").click()
        page.wait_for_url(f"{base}/fee-center/orders/{renewal.order_id}/")
        expect(page.locator("#order-status .badge.status-5")).to_have_count(1)
        renewal.refresh_from_db()
        assert renewal.status == OrderStatus.COMPLETED and renewal.coupon_amount == Decimal(COUPON)

        # 4. Back in 续费管理: the server now expires a month later.
        page.locator('nav.mainnav a[href="/fee-center/subscriptions/renewals/"]').click()
        page.wait_for_url(renewals)
        row = page.locator(f'#renewals tr[data-resource="{server.resource_id}"]')
        expect(row.locator(".res-expires")).to_contain_text("2026-05-01")
        expect(row.locator(".days-left")).to_have_attribute("data-days", "34")
        page.screenshot(path=artifacts_dir / "subscriptions-4-renewed.png", full_page=True)
        sign_out(page, live_server)
    balance_before = balance(w.resale)

    # 5. Later: 退订管理 lists the server; unsubscribing it shows the refund of each type first.
    with at(UNSUBSCRIBING):
        sign_in(page, live_server, w.resale_user.user.username, "/fee-center/")
        page.locator('nav.mainnav a[href="/fee-center/subscriptions/unsubscribe/"]').click()
        page.wait_for_url(f"{base}/fee-center/subscriptions/unsubscribe/")
        expect(page.locator("#my-balance strong")).to_have_text(f"¥{balance_before:,.2f}")
        listed = page.locator(f'#unsubscribable tr[data-resource="{server.resource_id}"]')
        page.screenshot(path=artifacts_dir / "subscriptions-5-unsubscribe-list.png", full_page=True)
        listed.locator("button.unsubscribe-one").click()
        page.wait_for_url(f"{base}/fee-center/subscriptions/unsubscribe/preview/")
        whole = page.locator("#preview-1")
        renewal_item = whole.locator(f'tr.refund-item[data-base-order="{renewal.order_id}"]')
        expect(renewal_item.locator(".item-paid")).to_have_text("¥73.70")
        expect(renewal_item.locator(".item-used")).to_have_text(f"¥{USED}")
        expect(renewal_item.locator(".item-fee")).to_have_text(f"¥{FEE}")
        expect(renewal_item.locator(".item-refund")).to_have_text(f"¥{REFUND}")
        expect(whole.locator("#total-refund")).to_have_text(f"¥{REFUND}")
        expect(whole.locator('tr.refund-payout[data-destination="coupon"] .payout-amount')).to_have_text(
            f"¥{TO_COUPON}")
        expect(whole.locator('tr.refund-payout[data-destination="customer_balance"] .payout-amount')).to_have_text(
            f"¥{TO_BALANCE}")
        expect(page.locator("#preview-2 .preview-refused")).to_have_count(1)  # the renewal has started
        assert not Unsubscription.objects.exists()
        page.screenshot(path=artifacts_dir / "subscriptions-6-refund-preview.png", full_page=True)

        # 6. The reason, then the confirmation (the chosen type's refund again), then confirm.
        form = page.locator("#unsubscribe-form")
        form.locator('input[name="unsubscribe_type"][value="1"]').check()
        form.locator("#id_reason_type").select_option("4")
        form.locator("#id_reason").fill("项目结束，不再需要")
        page.locator("#unsubscribe-next").click()
        expect(page.locator("#confirm-form")).to_be_visible()
        expect(page.locator("#preview-2")).to_have_count(0)
        expect(page.locator("#preview-1 #total-refund")).to_have_text(f"¥{REFUND}")
        expect(page.locator("#confirm-reason")).to_contain_text("项目结束，不再需要")
        assert Resource.objects.get(pk=server.pk).status == PeriodStatus.IN_USE
        page.screenshot(path=artifacts_dir / "subscriptions-7-confirm.png", full_page=True)
        page.locator("#confirm-submit").click()
        page.wait_for_url(f"{base}/fee-center/subscriptions/refunds/*/")

        # 7. The refund: what it was, where it went, and the balance with it.
        unsubscription = Unsubscription.objects.get()
        order = unsubscription.order
        assert page.url == f"{base}/fee-center/subscriptions/refunds/{order.order_id}/"
        expect(page.locator("#refund-total")).to_have_text(f"¥{REFUND}")
        expect(page.locator("#refund-cash")).to_have_text(f"¥{TO_BALANCE}")
        expect(page.locator("#my-balance")).to_have_text(f"¥{balance_before + Decimal(TO_BALANCE):,.2f}")
        page.screenshot(path=artifacts_dir / "subscriptions-8-refund.png", full_page=True)
        page.locator('a[href="/fee-center/subscriptions/unsubscribe/?tab=history"]').first.click()
        expect(page.locator(f'#unsubscriptions tr[data-order="{order.order_id}"] .refunded')).to_have_text(
            f"¥{REFUND}")
        page.screenshot(path=artifacts_dir / "subscriptions-9-history.png", full_page=True)
        page.locator('nav.mainnav a[href="/fee-center/orders/"]').click()
        expect(page.locator("#my-balance strong")).to_have_text(f"¥{balance_before + Decimal(TO_BALANCE):,.2f}")

    # 8. The database agrees.
    assert Resource.objects.get(pk=server.pk).status == PeriodStatus.CLOSED
    assert (unsubscription.unsubscribe_type, unsubscription.reason_type) == (1, 4)
    assert order.amount_after_discount == Decimal(REFUND) and order.cash_amount == Decimal(TO_BALANCE)
    assert balance(w.resale) == balance_before + Decimal(TO_BALANCE)
    assert coupon(w.coupon_id).balance == Decimal(TO_COUPON)
    assert sorted(RefundPayout.objects.values_list("destination", "amount")) == [
        ("coupon", Decimal(TO_COUPON)), ("customer_balance", Decimal(TO_BALANCE))]
    assert "Ledger verified" in verify_ledger()
