"""A customer's whole life with a partner, in real Chromium against the live server.

The partner's administrator registers a customer (with an SMS code read from the test outbox), finds
it masked in 我的客户 and reveals it (which is logged), asks to end the association; the customer signs
in to 费用中心 and approves; the partner has lost the customer but keeps the event in 关联关系操作记录.

Everything happens through the pages; the ORM only sets the stage and checks the database afterwards.
Assertions go by element ids, classes and hrefs; where text is checked, the English msgid is accepted
too (the catalogue may not be compiled while the suite runs).
"""

import re

import pytest
from playwright.sync_api import expect

from customers.choices import EventInitiator, EventKind, EventStatus
from customers.models import Association, AssociationEvent, Customer, CustomerUser
from partnercenter import sms
from partnercenter.models import OperationLog

from ..conftest import build_tenant
from ..factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ACCOUNT = "browser-cust-01"
REAL_NAME = "杭州浏览器测试客户有限公司"
MOBILE = "13987654321"
CUSTOMER_PASSWORD = "Cloud#2026pass"
REASON = "合同到期，不再续签"


@pytest.fixture
def sms_outbox(settings):
    settings.SMS_BACKEND = "partnercenter.sms.OutboxSmsBackend"
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


@pytest.fixture
def tenant(db):
    return build_tenant("life")


def sign_in(page, live_server, username, password, landing):
    page.goto(f"{live_server.url}/login/")
    form = page.locator("form:has(#id_username)")
    form.locator("#id_username").fill(username)
    form.locator("#id_password").fill(password)
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}{landing}")


def sign_out(page, live_server):
    page.locator('header.topbar form[action="/logout/"] button[type=submit]').click()
    page.wait_for_url(f"{live_server.url}/login/")


def text_re(*alternatives):
    return re.compile("|".join(re.escape(a) for a in alternatives))


def test_register_reveal_disassociate_and_customer_approves(page, live_server, tenant, sms_outbox, artifacts_dir):
    base = live_server.url
    partner = tenant.partner

    # 1–2. The administrator signs in and opens 销售 ▸ 客户 ▸ 注册客户.
    sign_in(page, live_server, tenant.admin.user.username, PASSWORD, "/")
    nav = page.locator("nav.mainnav")
    nav.locator('a[href="/sales/"]').hover()
    nav.locator('.submenu a[href="/customers/"]').click()
    page.wait_for_url(f"{base}/customers/")
    page.locator('nav.tabs a[href="/customers/register/"]').click()
    page.wait_for_url(f"{base}/customers/register/")
    expect(page.locator("#register-submit")).to_be_visible()

    form = page.locator("form:has(#register-submit)")
    form.locator("#id_domain_name").fill(ACCOUNT)
    form.locator("#id_real_name").fill(REAL_NAME)
    form.locator("#id_mobile_phone").fill(MOBILE)
    form.locator("button[name=send_code]").click()
    # The page comes back with what was typed and a notice that the code is on its way.
    expect(page.locator("ul.messages li.msg-info")).to_be_visible()
    expect(form.locator("#id_domain_name")).to_have_value(ACCOUNT)
    expect(form.locator("#id_mobile_phone")).to_have_value(MOBILE)
    assert len(sms_outbox) == 1, sms_outbox
    mobile, text = sms_outbox[0]
    assert mobile == MOBILE
    code = re.search(r"(?<!\d)(\d{8})(?!\d)", text).group(1)

    form.locator("#id_verification_code").fill(code)
    form.locator("#id_xaccount_id").fill("isv-user-0001")
    form.locator("#id_xaccount_type").fill("browser_isv")
    form.locator("#id_password").fill(CUSTOMER_PASSWORD)
    page.screenshot(path=artifacts_dir / "lifecycle-1-register-filled.png", full_page=True)
    form.locator("#register-submit").click()

    page.wait_for_url(re.compile(rf"^{re.escape(base)}/customers/[^/]+/$"))
    customer = Customer.objects.get(domain_name=ACCOUNT)
    assert page.url == f"{base}/customers/{customer.domain_id}/"
    assert customer.real_name == REAL_NAME and customer.mobile_phone == MOBILE
    assert customer.xaccount_id == "isv-user-0001" and customer.xaccount_type == "browser_isv"
    owner = CustomerUser.objects.select_related("user").get(customer=customer, is_owner=True)
    assert owner.user.username == ACCOUNT and owner.user.check_password(CUSTOMER_PASSWORD)
    association = Association.objects.get(customer=customer, ended_on__isnull=True)
    assert association.partner == partner
    expect(page.locator("ul.messages li.msg-success")).to_contain_text(ACCOUNT)
    expect(page.locator("h1")).to_contain_text(REAL_NAME)

    # 3. 我的客户, filtered by account name: one row, masked until revealed.
    page.goto(f"{base}/customers/")
    filters = page.locator("form.filters")
    filters.locator("#id_account_name").fill(ACCOUNT)
    filters.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/customers/\?.*account_name=browser-cust-01"))
    rows = page.locator("table.table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.locator(f'a[href="/customers/{customer.domain_id}/"]')).to_have_count(1)
    masked_account = rows.locator(".cust-account").inner_text().strip()
    masked_name = rows.locator(".cust-name").inner_text().strip()
    assert masked_account != ACCOUNT and "*" in masked_account, masked_account
    assert masked_name != REAL_NAME and "*" in masked_name, masked_name
    assert ACCOUNT not in page.locator("table.table").inner_text()
    assert not OperationLog.objects.filter(action="customer.reveal").exists()
    page.screenshot(path=artifacts_dir / "lifecycle-2-list-masked.png", full_page=True)

    # The eye beside each masked column's label shows that column only (as the console's 眼睛按钮).
    page.locator('thead a.eye[data-field="account"]').click()
    page.wait_for_url(re.compile(r"reveal=account"))
    assert "account_name=browser-cust-01" in page.url  # the filter survives the toggle
    rows = page.locator("table.table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.locator(".cust-account")).to_have_text(ACCOUNT)
    expect(rows.locator(".cust-name")).not_to_have_text(REAL_NAME)
    page.locator('thead a.eye[data-field="name"]').click()
    page.wait_for_url(re.compile(r"reveal=name"))
    expect(rows.locator(".cust-account")).to_have_text(ACCOUNT)
    expect(rows.locator(".cust-name")).to_have_text(REAL_NAME)
    expect(page.locator('thead a.eye[data-field="account"]')).to_have_attribute("aria-pressed", "true")
    page.screenshot(path=artifacts_dir / "lifecycle-3-list-revealed.png", full_page=True)
    first, second = OperationLog.objects.filter(action="customer.reveal").order_by("pk")
    assert first.partner_id == partner.pk and first.actor_user_id == tenant.admin.user_id
    assert first.detail == {"customers": [customer.domain_id], "fields": ["account"]}
    assert second.detail == {"customers": [customer.domain_id], "fields": ["account", "name"]}
    page.locator('thead a.eye[data-field="account"]').click()  # and hides it again
    page.wait_for_url(lambda url: "reveal=account" not in url)
    expect(rows.locator(".cust-account")).not_to_have_text(ACCOUNT)

    # 4. The customer's page: 解除关联, with a reason.
    rows.locator(f'a[href="/customers/{customer.domain_id}/"]').click()
    page.wait_for_url(f"{base}/customers/{customer.domain_id}/")
    page.locator("#request-disassociation").click()
    page.wait_for_url(f"{base}/customers/{customer.domain_id}/request/disassociate/")
    page.locator("#id_reason").fill(REASON)
    page.locator("#form-submit").click()
    page.wait_for_url(f"{base}/customers/{customer.domain_id}/")
    expect(page.locator("ul.messages li.msg-success")).to_be_visible()
    expect(page.locator("#request-disassociation")).to_have_count(0)  # one pending request at a time
    event = AssociationEvent.objects.get(customer=customer, status=EventStatus.PENDING)
    assert event.kind == EventKind.DISASSOCIATE and event.initiator == EventInitiator.PARTNER
    assert event.reason == REASON and event.partner == partner and event.association == association
    page.screenshot(path=artifacts_dir / "lifecycle-4-detail-pending.png", full_page=True)

    # 5. The customer signs in with the account name and password set at registration.
    sign_out(page, live_server)
    sign_in(page, live_server, ACCOUNT, CUSTOMER_PASSWORD, "/fee-center/")
    expect(page.locator("header .who")).to_contain_text(ACCOUNT)
    expect(page.locator("main")).to_contain_text(partner.name)
    approve = page.locator(f'a.approve-link[href="/fee-center/requests/{event.pk}/approve/"]')
    expect(approve).to_have_count(1)
    pending_row = page.locator("tr:has(a.approve-link)")
    expect(pending_row).to_contain_text(REASON)
    expect(pending_row).to_contain_text(partner.name)
    page.screenshot(path=artifacts_dir / "lifecycle-5-fee-center-pending.png", full_page=True)

    approve.click()
    page.wait_for_url(f"{base}/fee-center/requests/{event.pk}/approve/")
    expect(page.locator("main dl.props")).to_contain_text(REASON)
    page.screenshot(path=artifacts_dir / "lifecycle-6-confirm-approve.png", full_page=True)
    page.locator("#confirm-decision").click()
    page.wait_for_url(f"{base}/fee-center/")
    expect(page.locator("ul.messages li.msg-success")).to_be_visible()
    event.refresh_from_db()
    association.refresh_from_db()
    assert event.status == EventStatus.APPROVED
    assert event.decided_by_id == owner.user_id and event.decided_at is not None
    assert association.ended_on is not None
    assert not Association.objects.filter(customer=customer, ended_on__isnull=True).exists()
    expect(page.locator("a.approve-link")).to_have_count(0)
    expect(page.locator('a[href="/fee-center/leave/"]')).to_have_count(0)
    expect(page.locator("main section.card").nth(1)).to_contain_text(
        text_re("未关联伙伴", "未关联", "Not associated with a partner"))
    page.screenshot(path=artifacts_dir / "lifecycle-7-fee-center-after.png", full_page=True)

    # 6. Back on the partner's side: the customer is gone, its history is not.
    sign_out(page, live_server)
    sign_in(page, live_server, tenant.admin.user.username, PASSWORD, "/")
    page.goto(f"{base}/customers/")
    table = page.locator("table.table")
    expect(table.locator(f'a[href="/customers/{customer.domain_id}/"]')).to_have_count(0)
    expect(table.locator("tbody tr")).to_have_count(2)  # build_tenant's referral and resale customers
    page.goto(f"{base}/customers/?account_name={ACCOUNT}&reveal=account")
    expect(page.locator("table.table tbody tr")).to_have_count(1)
    expect(page.locator("table.table tbody td.empty")).to_have_count(1)

    response = page.goto(f"{base}/customers/{customer.domain_id}/")
    assert response.status == 404

    page.goto(f"{base}/customers/events/")
    event_row = page.locator("table.table tbody tr", has_text=REASON)
    expect(event_row).to_have_count(1)
    expect(event_row).to_contain_text(ACCOUNT)
    expect(event_row.locator("td").nth(5)).to_have_text(text_re("已同意", "已批准", "approved"))
    page.screenshot(path=artifacts_dir / "lifecycle-8-events.png", full_page=True)
