"""签署协议, 测试券 and 券管理 in one story, in real Chromium against the live server (issue 15).

A solution provider in the 解决方案提供商计划, on the 数字化转型咨询与系统集成 path at 角色认证, has a new
agreement to sign: it names a new contracting entity from a day next month. Its administrator signs in,
reads the banner ("您有新的协议待签署…"), follows its link, ticks 我已阅读并同意本协议 and confirms; the banner
now says "尊敬的用户，从…起，您与华为的签约主体将变更为…". It then opens 权益 ▸ 测试券 from the menu and applies
for 支持计划专用券(角色认证) with an amount and a purpose, through the confirmation: the application shows as
申请中. An operator (a staff superuser, in a second browser context: each actor signs in once) selects it in
the Django admin, runs 批准 with a smaller amount, and the quota is granted. Back in the partner center the
application shows 已通过 with its quota; the administrator opens 销售 ▸ 券管理, the 代金券额度 tab, finds the
new quota and issues a coupon from it to its resale customer, through the confirmation.

The ORM sets the stage (definitions, membership, enrolment, the published agreement, the operator) and
checks the database afterwards; everything in between happens through the pages. The browser is zh-CN, so
the pages are in zh-hans; screenshots go to test-artifacts/programs-*.png.
"""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from partnercenter.models import Partner
from partnercenter.templatetags.display import CHINA
from programs.agreements import effective_midnight
from programs.catalogue import DTCSI, ROLE_CERTIFIED, SOLUTION_PROVIDER, seed_definitions
from programs.choices import ApplicationStatus, MembershipStatus
from programs.models import (
    Agreement, AgreementSignature, Membership, PathEnrolment, Program, Stage, TestCouponApplication, TestCouponPackage,
)
from vouchers.choices import QuotaType
from vouchers.models import Coupon, CouponQuota

from ..conftest import build_tenant
from ..factories import UserFactory
from .steps import sign_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OLD_ENTITY = "华为云计算技术有限公司"
NEW_ENTITY = "华为云计算技术（香港）有限公司"
TITLE = "华为云解决方案提供商合作协议"
PACKAGE = "支持计划专用券(角色认证)"
APPLIED, APPROVED, FACE_VALUE = "3000.00", "2000.00", "500.00"
PURPOSE = "为客户验证 ECS 与 OBS 的迁移方案（POC）"
COUPON_ID = re.compile(r"^[0-9a-f]{32}$")


def zh_date(moment) -> str:
    day = moment.astimezone(CHINA).date()
    return f"{day:%Y}年{day:%m}月{day:%d}日"


@pytest.fixture
def world(db):
    seed_definitions()
    t = build_tenant("prog")  # a solution provider, its administrator, a referral and a resale customer
    assert t.partner.contracting_entity == OLD_ENTITY
    programme = Program.objects.get(code=SOLUTION_PROVIDER)
    Membership.objects.create(partner=t.partner, program=programme, status=MembershipStatus.JOINED,
                              decided_at=timezone.now())
    stage = Stage.objects.select_related("path").get(path__code=DTCSI, code=ROLE_CERTIFIED)
    PathEnrolment.objects.create(partner=t.partner, path=stage.path, stage=stage)
    t.package = TestCouponPackage.objects.get(path__code=DTCSI, name=PACKAGE)
    effective = effective_midnight((timezone.now().astimezone(CHINA) + timedelta(days=30)).date())
    t.agreement = Agreement.objects.create(
        program=programme, title=TITLE, version="2026.2", contracting_entity=NEW_ENTITY, effective_at=effective,
        body="第一条 合作范围 …\n第二条 签约主体变更：自生效之日起，贵司与华为的签约主体变更为" + NEW_ENTITY + "。",
        published_at=timezone.now())
    t.operator = UserFactory(username="prog.ops", is_staff=True, is_superuser=True)
    return t


def test_sign_a_new_agreement_apply_for_a_test_coupon_and_issue_from_the_granted_quota(
        page, operator_page, live_server, world, artifacts_dir):
    base, t = live_server.url, world
    date = zh_date(t.agreement.effective_at)
    banner = page.locator(".banners p.banner")

    # 1. The administrator signs in: the banner on the home page says what changes when, with a link.
    sign_in(page, live_server, t.admin.user.username, "/")
    expect(banner).to_have_count(1)
    expect(banner).to_contain_text(f"您有新的协议待签署：《{TITLE}》")
    expect(banner).to_contain_text(f"从{date}00:00:00起，您与华为的签约主体将变更为{NEW_ENTITY}")
    page.screenshot(path=artifacts_dir / "programs-1-banner.png", full_page=True)
    banner.get_by_role("link", name="阅读并签署").click()
    page.wait_for_url(f"{base}/programs/agreements/{t.agreement.pk}/")

    # 2. It reads the agreement, ticks 我已阅读并同意本协议, submits and confirms.
    expect(page.locator("#new-entity")).to_have_text(NEW_ENTITY)
    expect(page.locator("#agreement-text")).to_contain_text("第二条 签约主体变更")
    page.get_by_label("我已阅读并同意本协议").check()
    page.locator("#sign-submit").click()
    expect(page.locator("#sign-confirm-text")).to_contain_text(TITLE)
    assert not AgreementSignature.objects.exists()  # nothing signed before the confirmation
    page.locator("#confirm-submit").click()
    page.wait_for_url(f"{base}/programs/agreements/{t.agreement.pk}/")
    expect(page.locator("#signature")).to_contain_text(t.admin.display_name)
    expect(banner).to_have_count(1)
    expect(banner).to_have_text(f"尊敬的用户，从{date}00:00:00起，您与华为的签约主体将变更为{NEW_ENTITY}。")
    expect(banner.get_by_role("link")).to_have_count(0)
    page.screenshot(path=artifacts_dir / "programs-2-signed.png", full_page=True)
    signature = AgreementSignature.objects.get(agreement=t.agreement, partner=t.partner)
    assert signature.signed_by_id == t.admin.user_id and signature.applied_at is None
    assert Partner.objects.get(pk=t.partner.pk).contracting_entity == OLD_ENTITY  # not before its day

    # 3. 权益 ▸ 测试券 from the menu; 申请 支持计划专用券(角色认证): an amount and a purpose, then the confirmation.
    nav = page.locator("nav.mainnav")
    nav.locator('a[href="/benefits/"]').hover()
    nav.locator('.submenu a[href="/programs/benefits/test-coupons/"]').click()
    page.wait_for_url(f"{base}/programs/benefits/test-coupons/")
    expect(page.locator("#no-applications")).to_be_visible()
    package_row = page.locator(f'#packages tbody tr[data-package="{t.package.pk}"]')
    expect(package_row).to_contain_text(PACKAGE)
    package_row.locator("a.apply-link").click()
    page.wait_for_url(f"{base}/programs/benefits/test-coupons/{t.package.pk}/apply/")
    form = page.locator("form#test-coupon-form")
    form.locator("#id_amount").fill(APPLIED)
    form.locator("#id_purpose").fill(PURPOSE)
    form.locator("#test-coupon-next").click()
    expect(page.locator("h1")).to_have_text("确认提交此申请？")
    expect(page.locator("#confirm-amount")).to_have_text(APPLIED.replace("3000", "3,000"))
    expect(page.locator("#confirm-purpose")).to_have_text(PURPOSE)
    assert not TestCouponApplication.objects.exists()
    page.locator("#confirm-submit").click()
    page.wait_for_url(f"{base}/programs/benefits/test-coupons/")
    application = TestCouponApplication.objects.get(partner=t.partner, package=t.package)
    applied_row = page.locator(f'#applications tbody tr[data-application="{application.pk}"]')
    expect(applied_row.locator(".tag")).to_have_text("申请中")
    expect(applied_row).to_contain_text(PURPOSE)
    expect(package_row).to_contain_text("已申请，待审批")  # one open application per package: no 申请 link
    expect(package_row.locator("a.apply-link")).to_have_count(0)
    page.screenshot(path=artifacts_dir / "programs-3-application.png", full_page=True)
    assert (application.status, application.amount, application.quota_id) == (
        ApplicationStatus.APPLYING, Decimal(APPLIED), None)

    # 4. The operator, in the admin: selects the application, runs 批准, grants less than applied for.
    op = operator_page
    sign_in(op, live_server, t.operator.username, "/admin/")
    op.locator('a[href="/admin/programs/testcouponapplication/"]').first.click()
    op.wait_for_url(f"{base}/admin/programs/testcouponapplication/")
    op.locator(f'input[name="_selected_action"][value="{application.pk}"]').check()
    op.locator('select[name="action"]').select_option("approve")
    op.locator('button[name="index"]').click()
    expect(op.locator("#action-objects")).to_contain_text(PACKAGE)
    op.locator("#id_amount").fill(APPROVED)
    op.screenshot(path=artifacts_dir / "programs-4-admin-approve.png", full_page=True)
    op.locator("#action-submit").click()
    op.wait_for_url(f"{base}/admin/programs/testcouponapplication/")
    expect(op.locator("ul.messagelist li.success")).to_be_visible()
    expect(op.locator("#result_list tbody tr").first).to_contain_text("已通过")
    op.screenshot(path=artifacts_dir / "programs-5-admin-approved.png", full_page=True)
    application.refresh_from_db()
    quota = application.quota
    assert (application.status, application.approved_amount, application.decided_by_id) == (
        ApplicationStatus.APPROVED, Decimal(APPROVED), t.operator.pk)
    assert (quota.partner_id, quota.quota_type, quota.quota_value, quota.balance) == (
        t.partner.pk, QuotaType.CASH_COUPON, Decimal(APPROVED), Decimal(APPROVED))

    # 5. The administrator: the application is 已通过 with its quota; 销售 ▸ 券管理, 代金券额度, 发放优惠券.
    page.reload()
    expect(applied_row.locator(".tag")).to_have_text("已通过")
    expect(applied_row.locator("a.quota-link")).to_have_text(quota.quota_id)
    nav.locator('a[href="/sales/"]').hover()
    nav.locator('.submenu a[href="/vouchers/"]').click()
    page.wait_for_url(f"{base}/vouchers/")
    page.locator("#tab-cash").click()
    page.wait_for_url(f"{base}/vouchers/?quota_type=0")
    quota_row = page.locator(f'#quotas tbody tr[data-quota="{quota.quota_id}"]')
    expect(quota_row.locator(".quota-balance")).to_have_text("¥2,000.00")
    page.screenshot(path=artifacts_dir / "programs-6-quota.png", full_page=True)
    quota_row.locator("a.issue-link").click()
    page.wait_for_url(f"{base}/vouchers/issue/{quota.quota_id}/")
    form = page.locator("form#issue-form")
    expect(form.locator(f'#id_customers option[value="{t.resale.domain_id}"]')).to_have_count(1)
    form.locator("#id_customers").select_option([t.resale.domain_id])
    form.locator("#id_face_value").fill(FACE_VALUE)
    form.locator("#issue-next").click()
    expect(page.locator("#confirm-total")).to_have_text(FACE_VALUE)
    assert not Coupon.objects.exists()
    page.locator("#confirm-submit").click()
    result = page.locator(f'#results tbody tr[data-customer="{t.resale.domain_id}"]')
    expect(result).to_have_class(re.compile("row-ok"))
    expect(page.locator("#quota-balance")).to_have_text("1,500.00")
    page.screenshot(path=artifacts_dir / "programs-7-issued.png", full_page=True)
    coupon_id = result.locator("code.coupon-id").inner_text().strip()
    assert COUPON_ID.match(coupon_id), coupon_id
    sign_out(page, live_server)

    # 6. The database agrees: one coupon of the face value to the resale customer, from the granted quota.
    coupon = Coupon.objects.get(coupon_id=coupon_id)
    assert (coupon.quota_id, coupon.partner_id, coupon.customer_id, coupon.face_value, coupon.balance) == (
        quota.pk, t.partner.pk, t.resale.pk, Decimal(FACE_VALUE), Decimal(FACE_VALUE))
    assert CouponQuota.objects.get(pk=quota.pk).balance == Decimal(APPROVED) - Decimal(FACE_VALUE)
    assert Coupon.objects.count() == 1
