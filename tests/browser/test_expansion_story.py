"""拓新 in one story, in real Chromium against the live server (issue 16).

A solution provider's administrator opens 销售 ▸ 拓新 from the menu, goes to 客户拓新 ▸ 企业百科 and searches
the directory for 杭州云杉: two enterprises match (a third 云杉 in 宁波 and an unrelated one do not); one of
them is already protected by another partner, which the row says with its date only. It opens the free one,
reports it (报备客户) with a contact and a note, and reads the confirmation: the enterprise is protected for its
company until a date 90 days on, the form is gone, the report is in its list and in 我的报备, and the search now
says 贵司已报备. Then 机会点: Huawei Cloud shared two HO with it, one just now (剩余 3 个工作日) and one two
working days ago (fewer left); it opens the new one, sees the deadline and the countdown there too, and
accepts it (接收) before the deadline: the status is 已接收, the countdown and the decision buttons are gone,
the update form is offered, and the list agrees. Last, 线下拓展: its invitation link's page shows the join
address and the QR code, and the browser really decoded the image (naturalWidth > 0); the PNG download is a
PNG whose pixels are a QR code (white quiet zone, black finder pattern).

The app's services set the stage: the operators' directory import (CSV), another partner's report through
expansion.directory_reports, the HO shared by an operator actor (expansion.opportunities.share_opportunity,
the older one under time-machine), the link through expansion.invitations.create_link. Everything the
administrator does happens through the pages; the database is checked afterwards. The browser is zh-CN, so
the pages are in zh-hans; screenshots go to test-artifacts/expansion-1…9-*.png.
"""

import re
import struct
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from expansion import directory_import, directory_reports, invitations
from expansion.choices import OpportunityStatus, ReportStatus
from expansion.demo_directory import credit_code
from expansion.invitations_qr import BORDER, BOX_SIZE
from expansion.models import Enterprise, InvitationLink, Opportunity, Report
from partnercenter import workdays
from partnercenter.models import OperationLog
from partnercenter.templatetags.display import moment

from ..conftest import actor_of, build_tenant
from ..expansion.opportunities_fixtures import make_operator, share
from .steps import sign_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TARGET, RIVALS, ELSEWHERE, UNRELATED = (
    "杭州云杉数据科技有限公司", "杭州云杉智能制造有限公司", "宁波云杉物流有限公司", "苏州青禾食品股份有限公司")
QUERY = "杭州云杉"
CONTACT, PHONE, NOTE = "周经理", "139 0571 2288", "客户计划上云，先做 ECS 与 OBS 的迁移评估"
HO_NAME, HO_OLDER = "华东区政务云迁移项目", "数据湖建设项目"
LINK_NAME = "2026 华东渠道大会"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def directory_csv() -> bytes:
    """The operators' import file (企业百科 › 导入), with Chinese headers."""
    rows = [
        "企业名称,统一社会信用代码,行业,地区,企业规模,注册资本（万元）,法定代表人,经营状态,成立日期",
        f"{TARGET},{credit_code('330106', 7101)},软件和信息技术服务业,浙江省杭州市,中型,5000,陈静,存续,2015-06-18",
        f"{RIVALS},{credit_code('330106', 7102)},制造业,浙江省杭州市,大型,12000,赵磊,存续,2009-03-02",
        f"{ELSEWHERE},{credit_code('330206', 7103)},交通运输、仓储和邮政业,浙江省宁波市,小型,800,王芳,存续,2018-11-20",
        f"{UNRELATED},{credit_code('320506', 7104)},制造业,江苏省苏州市,中型,3000,刘洋,存续,2012-08-08",
    ]
    return ("\n".join(rows) + "\n").encode("utf-8")


@pytest.fixture
def world(db):
    t = build_tenant("exp")  # a solution provider and its administrator (every right)
    rival = build_tenant("rival")
    plan = directory_import.apply_import(directory_csv(), "enterprises.csv")
    assert (len(plan.created), plan.failures) == (4, [])
    t.target, t.rivals = Enterprise.objects.get(name=TARGET), Enterprise.objects.get(name=RIVALS)
    t.rival_report = directory_reports.report_enterprise(actor_of(rival.admin), enterprise_id=t.rivals.pk,
                                                         contact_name="不应出现", note="其他伙伴的报备")
    t.rival = rival
    t.operator = make_operator()
    two_ago = workdays.add_working_days(timezone.now(), -2)
    t.older = share(t.operator, t.partner, at=two_ago, name=HO_OLDER, customer_name="温州某电器有限公司")
    t.ho = share(t.operator, t.partner, name=HO_NAME, customer_name=TARGET, enterprise=t.target,
                 contact_name="李工", contact_phone="13800138000", product="ECS、OBS、RDS", amount="860000")
    t.link = invitations.create_link(actor_of(t.admin), name=LINK_NAME, association_type="1",
                                     valid_until=workdays.local_date(timezone.now()) + timedelta(days=30))
    return t


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_MAGIC, data[:16]
    return struct.unpack(">II", data[16:24])


# In the page: load the image at `url` (or wait for an <img> already there), draw it on a canvas and read
# its size and two pixels: one in the quiet zone (white) and one in the top-left finder pattern (black).
LOAD_IMAGE = """async ([url, quiet, finder]) => {
  const img = new Image();
  const loaded = new Promise((resolve) => { img.onload = () => resolve(true); img.onerror = () => resolve(false); });
  img.src = url;
  if (!await loaded) return {ok: false};
  const canvas = document.createElement("canvas");
  canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
  const g = canvas.getContext("2d");
  g.drawImage(img, 0, 0);
  const at = (x) => Array.from(g.getImageData(x, x, 1, 1).data);
  return {ok: true, width: img.naturalWidth, height: img.naturalHeight, quiet: at(quiet), finder: at(finder)};
}"""

IMG_DECODED = """(img) => img.complete && img.naturalWidth > 0 ? img.naturalWidth
  : new Promise((resolve) => { img.onload = () => resolve(img.naturalWidth); img.onerror = () => resolve(-1); })"""


def test_search_the_directory_report_a_prospect_accept_an_ho_and_show_the_invitation_qr(
        page, live_server, world, artifacts_dir):
    base, t = live_server.url, world
    messages = page.locator("ul.messages li.msg-success")
    rival_until = moment(t.rival_report.protected_until, "date")

    # 1. 销售 ▸ 拓新 from the menu lands on 客户拓新 ▸ 线下拓展; the 企业百科 tab asks for a name.
    sign_in(page, live_server, t.admin.user.username, "/")
    nav = page.locator("nav.mainnav")
    nav.locator('a[href="/sales/"]').hover()
    nav.locator('.submenu a[href="/expansion/"]').click()
    page.wait_for_url(f"{base}/expansion/")
    expect(page.locator("h1")).to_have_text("拓新")
    tabs, subtabs = page.locator("#expansion-tabs"), page.locator("#expansion-subtabs")
    expect(tabs.locator("a.active")).to_have_text("客户拓新")
    subtabs.get_by_role("link", name="企业百科").click()
    page.wait_for_url(f"{base}/expansion/directory/")
    expect(page.locator("#directory-prompt")).to_be_visible()

    # 2. It searches 杭州云杉: the two Hangzhou 云杉 match, the Ningbo one and the unrelated one do not; the one
    #    another partner reported says so with its date only (never who, never its contact).
    search = page.locator("form#directory-search")
    search.get_by_label("企业名称或统一社会信用代码").fill(QUERY)
    search.locator("#directory-search-submit").click()
    page.wait_for_url(re.compile(r"/expansion/directory/\?.*q="))
    rows = page.locator("#enterprises tbody tr")
    expect(rows).to_have_count(2)
    by_name = list(Enterprise.objects.filter(name__in=[TARGET, RIVALS]).order_by("name").values_list("name", flat=True))
    expect(rows.locator("td:first-child a")).to_have_text(by_name)  # ordered by name (the database's collation)
    target_row = page.locator(f'#enterprises tr[data-enterprise="{t.target.pk}"]')
    rival_row = page.locator(f'#enterprises tr[data-enterprise="{t.rivals.pk}"]')
    expect(target_row.locator("td.protection")).to_have_text("未报备")
    expect(target_row).to_contain_text(t.target.credit_code)
    expect(target_row).to_contain_text("浙江省杭州市")
    expect(rival_row.locator("td.protection")).to_have_text(f"已被其他伙伴报备，保护期至 {rival_until}")
    expect(page.locator("#enterprises")).not_to_contain_text(ELSEWHERE)
    expect(page.locator("#enterprises")).not_to_contain_text(t.rival.partner.name)
    page.screenshot(path=artifacts_dir / "expansion-1-search.png", full_page=True)

    # 3. It opens the free one and reports it (报备客户) with a contact and a note.
    target_row.get_by_role("link", name=TARGET).click()
    page.wait_for_url(f"{base}/expansion/directory/{t.target.pk}/")
    expect(page.locator("#enterprise-name")).to_have_text(TARGET)
    details = page.locator("#enterprise-details")
    expect(details).to_contain_text(t.target.credit_code)
    expect(details).to_contain_text("陈静")
    expect(details).to_contain_text("2015-06-18")
    form = page.locator("form#report-form")
    expect(page.locator("#report-card p.help")).to_contain_text("90")
    form.get_by_label("联系人", exact=True).fill(CONTACT)
    form.get_by_label("联系电话").fill(PHONE)
    form.get_by_label("备注").fill(NOTE)
    page.screenshot(path=artifacts_dir / "expansion-2-report-form.png", full_page=True)
    assert not Report.objects.filter(partner=t.partner).exists()
    form.locator("#report-submit").click()

    # 4. The confirmation: protected for its company until a date, no form any more, the report in its list.
    page.wait_for_url(f"{base}/expansion/directory/{t.target.pk}/")
    expect(messages).to_have_text(f"已报备 {TARGET}。")
    report = Report.objects.get(partner=t.partner)
    until = moment(report.protected_until, "date")
    expect(page.locator("#protected-own")).to_contain_text(until)
    expect(page.locator("form#report-form")).to_have_count(0)
    own = page.locator(f'#own-reports tr[data-report="{report.pk}"]')
    expect(own).to_contain_text("保护中")
    expect(own).to_contain_text(until)
    page.screenshot(path=artifacts_dir / "expansion-3-reported.png", full_page=True)
    assert (report.enterprise_id, report.status, report.contact_name, report.contact_phone, report.note,
            report.created_by_id, report.customer_id) == (
        t.target.pk, ReportStatus.ACTIVE, CONTACT, PHONE, NOTE, t.admin.pk, None)
    today = workdays.local_date(timezone.now())
    assert workdays.local_date(report.protected_until) == today + timedelta(days=directory_reports.protection_days())

    # 我的报备 lists it as protected; a new search says the company reported it.
    subtabs.get_by_role("link", name="我的报备").click()
    page.wait_for_url(f"{base}/expansion/reports/")
    mine = page.locator(f'#reports tr[data-report="{report.pk}"]')
    expect(page.locator("#reports tbody tr")).to_have_count(1)
    expect(mine.locator("td.status")).to_have_text("保护中")
    expect(mine).to_contain_text(CONTACT)
    page.screenshot(path=artifacts_dir / "expansion-4-my-reports.png", full_page=True)
    subtabs.get_by_role("link", name="企业百科").click()
    search.get_by_label("企业名称或统一社会信用代码").fill(QUERY)
    search.locator("#directory-search-submit").click()
    expect(target_row.locator("td.protection")).to_have_text(f"贵司已报备，保护期至 {until}")
    expect(target_row.locator("td.protection")).to_have_attribute("data-protection", "own")

    # 5. 机会点 (HO): two pending, each with its working-days countdown; the new one has all three left.
    tabs.get_by_role("link", name="机会点").click()
    page.wait_for_url(f"{base}/expansion/opportunities/")
    expect(page.locator("#opportunity-origins a.active")).to_have_text("由华为共享（HO）")
    expect(page.locator("#ho-sla")).to_contain_text("3")
    ho_row = page.locator(f'#opportunities tr[data-opportunity="{t.ho.pk}"]')
    older_row = page.locator(f'#opportunities tr[data-opportunity="{t.older.pk}"]')
    expect(page.locator("#opportunities tbody tr")).to_have_count(2)
    expect(ho_row).to_have_attribute("data-status", "pending")
    expect(ho_row.locator("td.status")).to_have_text("待处理")
    expect(ho_row.locator("td.deadline")).to_have_text(moment(t.ho.deadline))
    countdown = ho_row.locator(".countdown[data-countdown]")
    expect(countdown).to_have_attribute("data-countdown", "3")
    expect(countdown).to_have_text("剩余 3 个工作日")
    older_left = workdays.working_days_left(t.older.deadline)
    assert 0 < older_left < 3, older_left
    expect(older_row.locator(".countdown")).to_have_attribute("data-countdown", str(older_left))
    expect(older_row.locator(".countdown")).to_have_text(f"剩余 {older_left} 个工作日")
    expect(ho_row.locator("button.accept")).to_be_visible()
    expect(ho_row.locator("button.accept")).to_have_text("接收")
    page.screenshot(path=artifacts_dir / "expansion-5-opportunities.png", full_page=True)
    assert t.ho.deadline == workdays.sla_deadline(t.ho.shared_at, 3)
    assert timezone.now() < t.ho.deadline

    # 6. It opens the new HO: the deadline with its countdown; 接收 before the deadline.
    ho_row.get_by_role("link", name=HO_NAME).click()
    page.wait_for_url(f"{base}/expansion/opportunities/{t.ho.pk}/")
    card = page.locator("#opportunity")
    expect(card).to_have_attribute("data-status", "pending")
    expect(page.locator("#deadline")).to_contain_text(moment(t.ho.deadline))
    expect(page.locator("#deadline .countdown")).to_have_attribute("data-countdown", "3")
    expect(page.locator("#deadline .countdown")).to_have_text("剩余 3 个工作日")
    expect(page.locator("#update-form")).to_have_count(0)  # updates take effect once accepted
    page.screenshot(path=artifacts_dir / "expansion-6-ho-detail.png", full_page=True)
    page.locator("#accept").click()
    page.wait_for_url(f"{base}/expansion/opportunities/{t.ho.pk}/")
    expect(messages).to_have_text("您已接收该机会点，双方的机会点更新现已生效。")
    expect(card).to_have_attribute("data-status", "accepted")
    expect(card.locator("h2 .tag.status")).to_have_text("已接收")
    expect(page.locator("#deadline .countdown")).to_have_count(0)
    expect(page.locator("#accept")).to_have_count(0)
    expect(page.locator("#reject")).to_have_count(0)
    expect(page.locator("#update-form")).to_be_visible()
    page.screenshot(path=artifacts_dir / "expansion-7-ho-accepted.png", full_page=True)

    # … and the list agrees: accepted, no countdown, no 接收; the older one still counts down.
    page.get_by_role("link", name="‹ 机会点").click()
    page.wait_for_url(f"{base}/expansion/opportunities/?origin=HO")
    expect(ho_row).to_have_attribute("data-status", "accepted")
    expect(ho_row.locator("td.status")).to_have_text("已接收")
    expect(ho_row.locator(".countdown")).to_have_count(0)
    expect(ho_row.locator("button.accept")).to_have_count(0)
    expect(older_row.locator(".countdown")).to_have_attribute("data-countdown", str(older_left))
    page.screenshot(path=artifacts_dir / "expansion-8-ho-list-after.png", full_page=True)

    ho = Opportunity.objects.get(pk=t.ho.pk)
    assert ho.status == OpportunityStatus.ACCEPTED
    assert ho.shared_at < ho.decided_at <= ho.deadline
    assert t.admin.user.username in ho.decided_by
    assert Opportunity.objects.get(pk=t.older.pk).status == OpportunityStatus.PENDING

    # 7. 线下拓展: the link's page, the join address and its QR code, decoded by the browser.
    tabs.get_by_role("link", name="客户拓新").click()
    page.wait_for_url(f"{base}/expansion/")
    link_row = page.locator(f'#invitation-links tr[data-link="{t.link.pk}"]')
    expect(link_row.locator("td.state")).to_have_text("有效")
    expect(link_row.locator("td.registrations")).to_have_text("0")
    link_row.get_by_role("link", name=LINK_NAME).click()
    page.wait_for_url(f"{base}/expansion/invitations/{t.link.pk}/")
    expect(page.locator("#invitation h2")).to_have_text(LINK_NAME)
    expect(page.locator("#join-url")).to_have_text(invitations.join_url(t.link))
    expect(page.locator("#link-state")).to_have_text("有效")
    qr = page.get_by_role("img", name="邀请链接二维码")
    expect(qr).to_be_visible()
    assert qr.evaluate(IMG_DECODED) > 0, "the QR code <img> did not load"
    box = qr.bounding_box()
    assert box["width"] == box["height"] == 240
    page.screenshot(path=artifacts_dir / "expansion-9-invitation-qr.png", full_page=True)

    # The PNG: drawn in the browser, it is a QR code (quiet zone white, the finder pattern's corner black) …
    png_url = f"/expansion/invitations/{t.link.pk}/qr.png"
    quiet, finder = BORDER * BOX_SIZE // 2, BORDER * BOX_SIZE + BOX_SIZE // 2
    drawn = page.evaluate(LOAD_IMAGE, [png_url, quiet, finder])
    assert drawn["ok"], "the QR code PNG did not load"
    assert drawn["width"] == drawn["height"] > 2 * BORDER * BOX_SIZE
    assert drawn["quiet"][:3] == [255, 255, 255] and drawn["finder"][:3] == [0, 0, 0], drawn
    # … and 下载 PNG downloads it as a file.
    with page.expect_download() as download:
        page.locator("#qr-png").click()
    saved = download.value
    assert saved.suggested_filename == f"invitation-{t.link.pk}.png"
    assert png_size(open(saved.path(), "rb").read()) == (drawn["width"], drawn["height"])
    sign_out(page, live_server)

    # 8. The database agrees, and every write is in the operation log.
    assert Report.objects.count() == 2
    assert Report.objects.get(pk=t.rival_report.pk).partner_id == t.rival.partner.pk
    logged = OperationLog.objects.filter(partner=t.partner, result="success", actor_user=t.admin.user)
    assert logged.filter(action="expansion.report", target_id=str(report.pk)).count() == 1
    assert logged.filter(action="expansion.opportunity_accept", target_id=str(ho.pk)).count() == 1
    assert InvitationLink.objects.get(pk=t.link.pk).registrations == 0
