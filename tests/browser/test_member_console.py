"""A member's console in real Chromium: sign in, a menu cut to their roles, an access key whose SK is shown once.

Assertions go by link href (the UI speaks zh-hans, and the catalogue may not be compiled while
the suite runs); where text is checked, the English msgid is accepted too.
"""

import base64
import csv
import io
import re

import pytest
from playwright.sync_api import expect

from partnercenter import secretbox
from partnercenter.models import AccessKey

from ..factories import MemberFactory, PartnerFactory, RoleFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Secret-pass-1"  # what UserFactory sets

# Every link the 伙伴中心 top navigation can hold, and the ones a customers.view + credentials.manage
# member should see: 首页, 销售 ▸ 客户, 我的凭证.
ALL_MENU_HREFS = {
    "/", "/sales/", "/customers/", "/expansion/", "/billing/", "/vouchers/", "/incentives/details/",
    "/resellers/", "/benefits/", "/programmes/", "/organization/", "/org/members/", "/org/roles/", "/org/operation-logs/",
    "/org/security/", "/credentials/",
}
# 权益 ▸ 考试券 is every member's own (HCIA/HCIP exam coupons are applied for by the member)
MEMBER_MENU_HREFS = {"/", "/sales/", "/customers/", "/subscriptions/expiring/", "/benefits/",
                     "/programs/benefits/exam-coupons/", "/credentials/"}


@pytest.fixture
def console_partner(db):
    partner = PartnerFactory(account_name="browser-partner", name="浏览器测试伙伴有限公司")
    admin_role = RoleFactory(partner=partner, name="管理员", is_administrator=True)
    sales_role = RoleFactory(partner=partner, name="客户经理", permissions=["customers.view", "credentials.manage"])
    admin = MemberFactory(partner=partner, user__username="browser.admin", roles=[admin_role])
    member = MemberFactory(partner=partner, user__username="browser.am", display_name="王客户经理", roles=[sales_role])
    return {"partner": partner, "admin": admin, "member": member}


def sign_in(page, live_server, username):
    page.goto(f"{live_server.url}/login/")
    form = page.locator("form:has(#id_username)")
    form.locator("#id_username").fill(username)
    form.locator("#id_password").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/")


def nav_hrefs(page) -> list[str]:
    return page.locator("nav.mainnav a").evaluate_all("links => links.map(a => a.getAttribute('href'))")


def test_member_sees_only_their_menu_and_their_new_secret_once(page, live_server, console_partner, artifacts_dir):
    member = console_partner["member"]

    # 1. Sign in through the form; the member lands on 伙伴中心's home page.
    sign_in(page, live_server, member.user.username)
    expect(page).to_have_title(re.compile("(伙伴中心|Partner Center)$"))
    expect(page.locator("header .who")).to_contain_text(f"{console_partner['partner'].name} · browser.am")

    # 2. The top navigation holds exactly what the role grants.
    nav = page.locator("nav.mainnav")
    hrefs = nav_hrefs(page)
    assert sorted(hrefs) == sorted(MEMBER_MENU_HREFS), hrefs
    for href in MEMBER_MENU_HREFS:
        expect(nav.locator(f'a[href="{href}"]')).to_have_count(1)
    for href in ALL_MENU_HREFS - MEMBER_MENU_HREFS:  # 组织, 人员, 角色, 操作记录, 云经销商, 权益 …
        expect(nav.locator(f'a[href="{href}"]')).to_have_count(0)
    expect(nav.locator('a[href="/credentials/"]')).to_have_text(re.compile(r"^\s*(我的凭证|My credentials)\s*$"))
    page.screenshot(path=artifacts_dir / "member-home.png", full_page=True)
    # 客户 sits in 销售's drop-down, which opens on hover.
    customers_link = nav.locator('li.has-children:has(> a[href="/sales/"]) .submenu a[href="/customers/"]')
    expect(customers_link).to_be_hidden()
    nav.locator('a[href="/sales/"]').hover()
    expect(customers_link).to_be_visible()
    expect(customers_link).to_have_text(re.compile(r"^\s*(客户|Customers)\s*$"))
    page.screenshot(path=artifacts_dir / "member-home-sales-menu.png")
    page.mouse.move(1000, 700)  # close the drop-down again
    expect(customers_link).to_be_hidden()
    # The home page's tiles and link list follow the same rights.
    main = page.locator("main")
    expect(main.locator('.tile a[href="/credentials/"]')).to_have_count(1)
    expect(main.locator('a[href^="/org/"], a[href="/resellers/"]')).to_have_count(0)

    # Typing the address of a page outside the role is refused, not just hidden.
    response = page.goto(f"{live_server.url}/org/roles/")
    assert response.status == 403
    response = page.goto(f"{live_server.url}/")
    assert response.status == 200

    # 3. 我的凭证: create a key; the SK is on the page this one time.
    nav.locator('a[href="/credentials/"]').click()
    page.wait_for_url(f"{live_server.url}/credentials/")
    expect(page.locator("#new-sk")).to_have_count(0)
    page.locator("#id_description").fill("浏览器测试密钥")
    page.locator("#create-key").click()
    expect(page.locator("#new-sk")).to_be_visible()
    ak = page.locator("#new-ak").inner_text().strip()
    sk = page.locator("#new-sk").inner_text().strip()
    assert re.fullmatch(r"[A-Za-z0-9]{40}", sk), sk

    key = AccessKey.objects.get(ak=ak)
    assert key.user_id == member.user_id and key.partner_id == member.partner_id
    assert key.description == "浏览器测试密钥"
    assert secretbox.decrypt(key.sk_encrypted) == sk
    assert sk not in key.sk_encrypted

    download = page.locator('a[download="credentials.csv"]')
    expect(download).to_have_count(1)
    href = download.get_attribute("href")
    prefix = "data:text/csv;charset=utf-8;base64,"
    assert href.startswith(prefix), href[:60]
    rows = list(csv.reader(io.StringIO(base64.b64decode(href[len(prefix):]).decode())))
    assert rows == [["User Name", "Access Key Id", "Secret Access Key"], [member.user.username, ak, sk]]
    assert page.content().count(sk) == 1  # in #new-sk only; the CSV link carries it base64-encoded
    expect(page.locator("table.table tbody")).to_contain_text(ak)
    page.screenshot(path=artifacts_dir / "member-credentials-created.png", full_page=True)

    # 4. Open the page again (a GET): the key is listed, its SK is gone for good.
    response = page.goto(f"{live_server.url}/credentials/")
    assert response.status == 200
    assert response.request.method == "GET"
    assert "no-store" in response.headers.get("cache-control", "")
    expect(page.locator("table.table tbody")).to_contain_text(ak)
    expect(page.locator("#new-sk")).to_have_count(0)
    expect(page.locator('a[download="credentials.csv"]')).to_have_count(0)
    assert sk not in page.content()
    page.screenshot(path=artifacts_dir / "member-credentials.png", full_page=True)


def test_administrator_menu_includes_organization(page, live_server, console_partner, artifacts_dir):
    """The contrast: the same href checks see 组织 ▸ 人员 / 角色 / 操作记录 for the built-in administrator."""
    sign_in(page, live_server, console_partner["admin"].user.username)
    hrefs = set(nav_hrefs(page))
    assert {"/", "/sales/", "/customers/", "/organization/", "/org/members/", "/org/roles/",
            "/org/operation-logs/", "/org/security/", "/credentials/"} <= hrefs, hrefs
    assert "/resellers/" not in hrefs  # a solution provider, not a distributor
    page.screenshot(path=artifacts_dir / "admin-home.png", full_page=True)
