"""An order's life in real Chromium against the live server: 代客下单 → the customer pays with a coupon →
the partner sees the order completed and the resource under 查看资源.

The partner's administrator goes 销售 ▸ 订单管理 ▸ 代客下单, chooses its resale customer (which granted
代客运维), a yearly/monthly ECS spec and three months, reads the rated price with its partner-discount
row, places the order and leaves it for the customer. The customer signs in to 费用中心 ▸ 订单, sees its
balance and the order, ticks one of its coupons, reads on the confirmation what the coupon and the
balance pay, and confirms. The partner finds the order completed in 订单管理 and the server it bought in
the customer's 查看资源.

The ORM only sets the stage (the catalogue, money, the grant, a coupon, a discount) and checks the
database afterwards. Assertions go by element ids, classes, data attributes, hrefs and numbers (the
catalogue may not be compiled while the suite runs). Screenshots (zh-CN browser) go to test-artifacts/.
"""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from customers.models import Resource
from trade.choices import OrderStatus, Payer, SourceType
from trade.models import Order, PartnerDiscount

from ..factories import PASSWORD
from ..trade.payment_helpers import World, balance, coupon, product

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SPEC = ("hws.resource.type.vm", "s6.small.1.linux")  # 73.70 a month in the demo catalogue
# 73.70 × 3 months = 221.10; the partner's 10% discount 22.11 → 198.99; the coupon pays 30.00, the balance 168.99
OFFICIAL, DISCOUNT, DUE, COUPON, FROM_BALANCE = "221.10", "22.11", "198.99", "30.00", "168.99"


@pytest.fixture
def world(db):
    w = World("story")
    w.allocate("500.00")
    w.grant_ops()
    server = product(*SPEC)
    PartnerDiscount.objects.create(partner=w.partner, customer=w.resale, service_type=server.service_type,
                                   rate=Decimal("0.90"))
    w.coupon_id = w.issue(COUPON, service_types=["hws.service.type.ec2"])
    w.other_coupon = w.issue("5.00")
    w.server = server
    return w


def sign_in(page, live_server, username, landing):
    page.goto(f"{live_server.url}/login/")
    form = page.locator("form:has(#id_username)")
    form.locator("#id_username").fill(username)
    form.locator("#id_password").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}{landing}")


def sign_out(page, live_server):
    page.locator('header.topbar form[action="/logout/"] button[type=submit]').click()
    page.wait_for_url(f"{live_server.url}/login/")


def test_order_for_a_customer_who_pays_with_a_coupon(page, live_server, world, artifacts_dir):
    base = live_server.url
    w = world

    # 1. The partner's administrator: 销售 ▸ 订单管理, the 代客下单 tab.
    sign_in(page, live_server, w.tenant.admin.user.username, "/")
    nav = page.locator("nav.mainnav")
    nav.locator('a[href="/sales/"]').hover()
    nav.locator('.submenu a[href="/trade/orders/"]').click()
    page.wait_for_url(f"{base}/trade/orders/")
    page.locator('#order-tabs a[href="/trade/place/"]').click()
    page.wait_for_url(f"{base}/trade/place/")
    expect(page.locator(f'#not-available tr[data-customer="{w.referral.domain_id}"]')).to_have_count(1)

    # 2. Customer, billing mode, service type, region → the products on sale there.
    form = page.locator("form#place-form")
    form.locator("#id_customer").select_option(w.resale.domain_id)
    form.locator('input[name="charge_mode"][value="1"]').check()
    form.locator("#id_service_type").select_option("hws.service.type.ec2")
    form.locator("#id_region").select_option("cn-north-4")
    page.screenshot(path=artifacts_dir / "trade-1-place-choose.png", full_page=True)
    form.locator("#show-products").click()
    page.wait_for_load_state()

    # 3. The spec, three months, one server → the rated price with the partner-discount row.
    form = page.locator("form#place-form")
    form.locator("#id_product").select_option(w.server.product_id)
    form.locator("#id_period").select_option("2:3")
    form.locator("#get-price").click()
    expect(page.locator("#price-official")).to_have_text(f"¥{OFFICIAL}")
    expect(page.locator('#price-rows tr.discount-row[data-discount-type="607"] td')).to_have_text(f"-¥{DISCOUNT}")
    expect(page.locator("#price-amount")).to_have_text(f"¥{DUE}")
    assert not Order.objects.exists()
    page.screenshot(path=artifacts_dir / "trade-2-place-price.png", full_page=True)

    # 4. Place the order; leave it for the customer.
    page.locator("#place-order").click()
    page.wait_for_url(re.compile(rf"{re.escape(base)}/trade/orders/CS[0-9A-Z]+/\?placed=1$"))
    order = Order.objects.get()
    assert (order.source_type, order.status, order.amount_after_discount) == (
        SourceType.AGENT, OrderStatus.PENDING_PAYMENT, Decimal(DUE))
    expect(page.locator("#order-id")).to_have_text(order.order_id)
    expect(page.locator("#amount-due")).to_have_text(f"¥{DUE}")
    expect(page.locator('#order-discounts tr[data-discount-type="607"]')).to_have_count(1)
    expect(page.locator("#pay-as-partner")).to_be_visible()
    page.screenshot(path=artifacts_dir / "trade-3-placed.png", full_page=True)
    page.locator("#leave-for-customer").click()
    page.wait_for_url(f"{base}/trade/orders/")
    expect(page.locator(f'#orders tr[data-order="{order.order_id}"] .badge.status-6')).to_have_count(1)
    sign_out(page, live_server)

    # 5. The customer: 费用中心 ▸ 订单 shows its balance and the order waiting for payment.
    sign_in(page, live_server, w.resale_user.user.username, "/fee-center/")
    page.locator('nav.mainnav a[href="/fee-center/orders/"]').click()
    page.wait_for_url(f"{base}/fee-center/orders/")
    expect(page.locator("#my-balance strong")).to_have_text("¥500.00")
    row = page.locator(f'#my-orders tr[data-order="{order.order_id}"]')
    expect(row.locator(".order-amount")).to_have_text(f"¥{DUE}")
    page.screenshot(path=artifacts_dir / "trade-4-customer-orders.png", full_page=True)
    row.locator("a.pay-link").click()
    page.wait_for_url(f"{base}/fee-center/orders/{order.order_id}/pay/")

    # 6. Tick the ECS coupon; the confirmation shows what the coupon and the balance pay.
    expect(page.locator("#usable-coupons tbody tr")).to_have_count(2)
    page.locator(f'#usable-coupons input[value="{w.coupon_id}"]').check()
    page.screenshot(path=artifacts_dir / "trade-5-pay-choose-coupon.png", full_page=True)
    page.locator("#pay-next").click()
    expect(page.locator("#confirm-form")).to_be_visible()
    expect(page.locator("#coupons-pay")).to_have_text(f"¥{COUPON}")
    expect(page.locator("#balance-pays")).to_have_text(f"¥{FROM_BALANCE}")
    expect(page.locator("#balance-after")).to_have_text("¥331.01")
    assert Order.objects.get().status == OrderStatus.PENDING_PAYMENT
    page.screenshot(path=artifacts_dir / "trade-6-pay-confirm.png", full_page=True)
    page.locator("#confirm-submit").click()
    page.wait_for_url(f"{base}/fee-center/orders/{order.order_id}/")
    expect(page.locator("#order-status .badge.status-5")).to_have_count(1)
    expect(page.locator(f'#order-coupons tr[data-coupon="{w.coupon_id}"] .coupon-used')).to_have_text(f"¥{COUPON}")
    expect(page.locator("#cash-amount")).to_have_text(f"¥{FROM_BALANCE}")
    page.screenshot(path=artifacts_dir / "trade-7-customer-paid.png", full_page=True)
    sign_out(page, live_server)

    # 7. The partner: the order completed in 订单管理, the server under 查看资源.
    sign_in(page, live_server, w.tenant.admin.user.username, "/")
    page.goto(f"{base}/trade/orders/?status=5")
    listed = page.locator(f'#orders tr[data-order="{order.order_id}"]')
    expect(listed.locator(".badge.status-5")).to_have_count(1)
    page.screenshot(path=artifacts_dir / "trade-8-partner-orders.png", full_page=True)
    listed.locator(f'a[href="/trade/orders/{order.order_id}/"]').first.click()
    page.wait_for_url(f"{base}/trade/orders/{order.order_id}/")
    resource = Resource.objects.get(customer=w.resale, order_id=order.order_id)
    page.locator("#view-resources").click()
    page.wait_for_url(f"{base}/customers/{w.resale.domain_id}/resources/?mode=period")
    expect(page.locator("table.table tbody code", has_text=resource.resource_id)).to_have_count(1)
    page.screenshot(path=artifacts_dir / "trade-9-resources.png", full_page=True)

    # 8. The database agrees.
    order.refresh_from_db()
    assert (order.status, order.payer, order.coupon_amount, order.cash_amount) == (
        OrderStatus.COMPLETED, Payer.CUSTOMER, Decimal(COUPON), Decimal(FROM_BALANCE))
    assert balance(w.resale) == Decimal("331.01")
    assert coupon(w.coupon_id).balance == Decimal("0.00") and coupon(w.other_coupon).balance == Decimal("5.00")
    assert resource.product_id == w.server.product_id and resource.expire_time is not None
