"""A coupon's life in real Chromium against the live server.

A solution provider's administrator goes 销售 ▸ 券管理, issues a cash coupon from its quota to a
customer with a remark (through the confirmation), and signs out. The customer signs in to 费用中心,
opens 优惠券 and finds the coupon — without the remark. The customer spends part of it; the partner
then reclaims it from 已发放代金券 and reads the amount actually reclaimed; the database agrees.

Everything happens through the pages; the ORM only sets the stage (the quota, the customer's user,
the spending) and checks the database afterwards. Assertions go by element ids, classes, data
attributes, hrefs and numbers (the catalogue may not be compiled while the suite runs).
"""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from vouchers.models import Coupon, CouponQuota, CouponRecord

from ..conftest import build_tenant
from ..factories import PASSWORD, CustomerUserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REMARK = "内部备注：春季拉新，勿告知客户"
FACE_VALUE = "12.50"
SPENT = Decimal("4.50")  # what the customer uses before the reclaim
COUPON_ID = re.compile(r"^[0-9a-f]{32}$")


@pytest.fixture
def tenant(db):
    t = build_tenant("cpn")  # one referral and one resale customer of its own
    now = timezone.now()
    t.quota = CouponQuota.objects.create(
        partner=t.partner, quota_type=0, quota_value=Decimal("100.00"), balance=Decimal("100.00"),
        effective_time=now - timedelta(days=1), expire_time=now + timedelta(days=60),
        cloud_service_types=["hws.service.type.ec2", "hws.service.type.obs"],
    )
    t.customer = t.resale
    t.customer_user = CustomerUserFactory(customer=t.customer, user__username="cpn.customer")
    return t


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


def test_issue_see_and_reclaim_a_coupon(page, live_server, tenant, artifacts_dir):
    base = live_server.url
    quota, customer = tenant.quota, tenant.customer

    # 1. The partner's administrator: 销售 ▸ 券管理, the cash-coupon quota, 发放.
    sign_in(page, live_server, tenant.admin.user.username, "/")
    nav = page.locator("nav.mainnav")
    nav.locator('a[href="/sales/"]').hover()
    nav.locator('.submenu a[href="/vouchers/"]').click()
    page.wait_for_url(f"{base}/vouchers/")
    row = page.locator(f'#quotas tbody tr[data-quota="{quota.quota_id}"]')
    expect(row).to_have_count(1)
    expect(row.locator(".quota-balance")).to_have_text("¥100.00")  # a "Balance" column: the sign shows the currency
    page.screenshot(path=artifacts_dir / "coupons-1-quotas.png", full_page=True)
    row.locator("a.issue-link").click()
    page.wait_for_url(f"{base}/vouchers/issue/{quota.quota_id}/")

    # 2. The form: the customer, the face value, the remark (validity and limits left as the quota's).
    form = page.locator("form#issue-form")
    expect(form.locator("#id_customers option")).to_have_count(2)  # the partner's two customers
    form.locator("#id_customers").select_option([customer.domain_id])
    form.locator("#id_face_value").fill(FACE_VALUE)
    form.locator("#id_remark").fill(REMARK)
    expect(form.locator("#id_valid_time")).not_to_have_value("")
    page.screenshot(path=artifacts_dir / "coupons-2-issue-form.png", full_page=True)
    form.locator("#issue-next").click()

    # 3. The confirmation: face value × customers = total, the quota balance; nothing issued yet.
    expect(page.locator("#confirm-total")).to_have_text(FACE_VALUE)
    expect(page.locator("#confirm-formula")).to_contain_text(f"{FACE_VALUE} × 1")
    expect(page.locator("#quota-balance")).to_have_text("100.00")
    expect(page.locator("#confirm-remark")).to_contain_text(REMARK)
    assert not Coupon.objects.exists()
    page.screenshot(path=artifacts_dir / "coupons-3-confirmation.png", full_page=True)
    page.locator("#confirm-submit").click()

    # 4. The result: one success with its coupon ID; the quota is down by the face value.
    result = page.locator(f'#results tbody tr[data-customer="{customer.domain_id}"]')
    expect(result).to_have_class(re.compile("row-ok"))
    coupon_id = result.locator("code.coupon-id").inner_text().strip()
    assert COUPON_ID.match(coupon_id), coupon_id
    expect(page.locator("#quota-balance")).to_have_text("87.50")
    page.screenshot(path=artifacts_dir / "coupons-4-result.png", full_page=True)
    sign_out(page, live_server)

    # 5. The customer: 费用中心 ▸ 优惠券 shows the coupon, never the remark.
    sign_in(page, live_server, tenant.customer_user.user.username, "/fee-center/")
    page.locator('nav.mainnav a[href="/fee-center/coupons/"]').click()
    page.wait_for_url(f"{base}/fee-center/coupons/")
    mine = page.locator(f'#my-coupons tbody tr[data-coupon="{coupon_id}"]')
    expect(mine).to_have_count(1)
    expect(mine.locator(".coupon-balance")).to_have_text(FACE_VALUE)
    expect(mine.locator(".coupon-partner")).to_have_text(tenant.partner.name)
    expect(mine.locator(".limits-services")).to_contain_text("hws.service.type.ec2")
    assert REMARK not in page.content() and "内部备注" not in page.content()
    page.screenshot(path=artifacts_dir / "coupons-5-customer.png", full_page=True)
    sign_out(page, live_server)

    # The customer spends part of the coupon.
    Coupon.objects.filter(coupon_id=coupon_id).update(balance=Decimal(FACE_VALUE) - SPENT, last_used_at=timezone.now())
    remaining = f"{Decimal(FACE_VALUE) - SPENT:.2f}"

    # 6. The partner reclaims it from 已发放代金券 and reads the amount actually reclaimed.
    sign_in(page, live_server, tenant.admin.user.username, "/")
    page.goto(f"{base}/vouchers/")
    page.locator('nav.tabs a[href="/vouchers/coupons/"]').click()
    page.wait_for_url(f"{base}/vouchers/coupons/")
    listed = page.locator(f'#coupons tbody tr[data-coupon="{coupon_id}"]')
    expect(listed.locator(".coupon-remark")).to_have_text(REMARK)  # the issuer sees its remark
    expect(listed.locator(".coupon-balance")).to_have_text(f"¥{remaining}")
    page.screenshot(path=artifacts_dir / "coupons-6-issued-list.png", full_page=True)
    listed.locator("a.reclaim-link").click()
    page.wait_for_url(f"{base}/vouchers/reclaim/?coupon={coupon_id}")
    expect(page.locator("#reclaim-total")).to_have_text(remaining)
    expect(page.locator('input[name="amount"]')).to_have_count(0)  # always the whole balance
    page.locator("#reclaim-next").click()
    expect(page.locator("#confirm-form")).to_be_visible()
    assert Coupon.objects.get(coupon_id=coupon_id).status == 2
    page.screenshot(path=artifacts_dir / "coupons-7-reclaim-confirmation.png", full_page=True)
    page.locator("#confirm-submit").click()
    reclaimed = page.locator(f'#results tbody tr[data-coupon="{coupon_id}"]')
    expect(reclaimed).to_have_class(re.compile("row-ok"))
    expect(reclaimed.locator(".reclaimed-amount")).to_have_text(remaining)
    expect(page.locator("#result-summary")).to_contain_text(remaining)
    page.screenshot(path=artifacts_dir / "coupons-8-reclaim-result.png", full_page=True)

    # 7. The database agrees: reclaimed, and the quota got back exactly what was left.
    coupon = Coupon.objects.get(coupon_id=coupon_id)
    assert (coupon.status, coupon.balance, coupon.remark, coupon.customer_id) == (5, Decimal("0.00"), REMARK, customer.pk)
    assert CouponQuota.objects.get(pk=quota.pk).balance == Decimal("100.00") - SPENT
    assert list(CouponRecord.objects.filter(coupon=coupon).order_by("pk").values_list("operation_type", "amount")) == [
        ("1", Decimal(FACE_VALUE)), ("2", Decimal(remaining))]
