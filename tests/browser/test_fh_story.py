"""专职人员激励 (FH) in one story, in real Chromium against the live server (issue 17).

A partner on the path 数字化转型咨询与系统集成 at 能力差异化认证, with two approved project specialists (王工, 李工) and its
商业信息认证 verified, goes through one quarter (2026 Q3) of the FH staff incentive:

1. 6 July: its administrator opens 权益 ▸ 专职人员激励(FH) from the menu, reads where it stands, signs the FH agreement
   (资格申请: 申请中); an operator approves the qualification in the admin; the partner is 已获资格.
2. On the 1st of August, September and October the beat's generation task (incentives.tasks_fh.generate_lists)
   writes the previous month's list. Each month the administrator opens 月度激励, reads the list (待核对, the
   specialists, the amount, the 14-working-day countdown), checks it — in July it unticks 李工, so July's amount is
   one specialist's —, uploads the materials (PDFs) and submits it (初审中).
3. Each time an operator opens the submitted list in the admin (its specialists and materials), and makes it final
   (定稿); the partner reads 已定稿.
4. On 9 October (the September list generated on 1 October, a holiday, and not yet submitted) 付款申请 shows the
   quarter with July and August final and September 待核对, and says why it cannot be applied for (CBC.99011323:
   本季度内仍有部分月份可申请激励); while September is under review it says so (CBC.99011324). Once September is
   final the administrator applies for the quarter's payment (the amount read on the page, then a confirmation).
5. An operator approves the application; the administrator opens the printable 开票清单 (a new tab; the print
   layout too), enters the invoice number (发票已寄出); an operator marks it paid; the progress shows every step.

The ORM sets the stage (the partner, its path stage, its specialists and certification); everything after that
happens through the pages, but for the generation, which is the scheduled task itself run with the clock at the
1st of the month. The clock is time-machine's (standing still; the live server runs in this process), so each
scene signs in again. The browser is zh-CN, so the pages are zh-hans; screenshots go to test-artifacts/fh-*.png.
"""

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from playwright.sync_api import expect

from incentives import tasks_fh
from incentives.choices import FhMonthStatus, FhPaymentStatus, FhQualificationStatus
from incentives.models_fh import FhMaterial, FhMonth, FhPayment, FhQualification
from incentives.selectors_fh import countdown_of
from partnercenter.models import OperationLog
from partnercenter.templatetags.display import money, moment

from ..conftest import build_tenant
from ..incentives.fh_fixtures import PDF, certify, enrol, make_operator, shanghai, specialist
from .steps import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

D = Decimal
EACH = D("8000.00")
JULY, AUGUST, SEPTEMBER = date(2026, 7, 1), date(2026, 8, 1), date(2026, 9, 1)
INVOICE_NUMBER = "26332001"
PAID_REFERENCE = "HW-FH-2026Q3-001"
MATERIALS = {
    JULY: ["王工-劳动合同.pdf", "王工-2026年7月社保缴纳证明.pdf"],
    AUGUST: ["2026年8月专职人员材料.pdf"],
    SEPTEMBER: ["2026年9月专职人员材料.pdf"],
}
MONTH_OPEN = "本季度内仍有部分月份可申请激励"  # part of CBC.99011323's zh-hans message


def at(*args):
    return time_machine.travel(shanghai(*args), tick=False)


@pytest.fixture
def world(db, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private")
    t = build_tenant("fhs")  # a solution provider and its administrator (every right, incentives.fh included)
    t.admin.display_name = "张三"
    t.admin.save(update_fields=["display_name"])
    with at(2026, 6, 10, 10, 0):
        enrol(t.partner)     # 数字化转型咨询与系统集成 at 能力差异化认证
        t.specialists = [specialist(t.partner, name, decided_at=shanghai(2026, 6, 10, 10, 0)) for name in ("王工", "李工")]
        certify(t.partner)   # 商业信息认证 verified (bank account ending 5678)
    t.operator = make_operator("fh.ops")
    return t


def fresh_sign_in(page, live_server, username, landing):
    """Each scene is days or weeks later: the session of the last one has expired; sign in again."""
    page.context.clear_cookies()
    sign_in(page, live_server, username, landing)


def generate(expected_month):
    """The beat's task at 00:15 on the 1st (Asia/Shanghai): the previous month's list."""
    assert tasks_fh.generate_lists() == 1
    month = FhMonth.objects.get(month=expected_month)
    assert (month.status, month.amount, month.lines.count()) == (FhMonthStatus.GENERATED, 2 * EACH, 2)
    return month


def open_months(page, base):
    """权益 ▸ 专职人员激励(FH) from the menu, then the 月度激励 tab."""
    nav = page.locator("nav.mainnav")
    nav.locator('a[href="/benefits/"]').hover()
    nav.locator('.submenu a[href="/incentives/fh/"]').click()
    page.wait_for_url(f"{base}/incentives/fh/")
    page.locator("#fh-tabs").get_by_role("link", name="月度激励").click()
    page.wait_for_url(f"{base}/incentives/fh/months/")


def partner_checks_and_submits(page, base, month, *, drop=None, shots=None):
    """月度激励: the month's row (待核对), its list; untick `drop`, save; upload the materials; submit."""
    kept = [s for s in ("李工", "王工") if s != drop]
    row = page.locator(f'#fh-months tbody tr[data-fh-month="{month.pk}"]')
    expect(row.locator("td").nth(0)).to_have_text(f"{month.month:%Y-%m}")
    expect(row.locator("td").nth(1)).to_have_text("2 / 2")
    expect(row.locator("td").nth(2)).to_have_text(money(2 * EACH, ""))
    expect(row.locator("td").nth(3)).to_have_text("待核对")
    expect(row.locator("td").nth(4)).to_have_text(moment(month.generated_at))
    expect(row.locator("td").nth(5)).to_have_text(moment(month.deadline))
    left = countdown_of(month).working_days_left
    assert left > 0
    expect(row.locator(".countdown")).to_have_attribute("data-countdown", str(left))
    expect(row.locator(".countdown")).to_contain_text(f"{left}")
    if shots:
        page.screenshot(path=shots / "fh-3-months.png", full_page=True)
    row.locator("a.fh-month-link").click()
    page.wait_for_url(f"{base}/incentives/fh/months/{month.pk}/")

    # The list: the two specialists at 8,000.00 each, to be checked before the deadline.
    expect(page.locator("#fh-month-status")).to_have_text("待核对")
    expect(page.locator("#fh-amount")).to_have_text(money(2 * EACH, ""))
    expect(page.locator("#fh-deadline")).to_contain_text(moment(month.deadline))
    lines = page.locator("#fh-lines tbody tr")
    expect(lines).to_have_count(2)
    expect(lines.locator("td:nth-child(2)")).to_have_text(["李工", "王工"])
    expect(lines.locator("td.num")).to_have_text([money(EACH, ""), money(EACH, "")])
    expect(page.locator("#no-materials")).to_be_visible()

    # 核对: untick who is not confirmed, save — the amount follows.
    if drop:
        page.get_by_label(drop, exact=True).uncheck()
        page.locator("#fh-lines-save").click()
        page.wait_for_url(f"{base}/incentives/fh/months/{month.pk}/")
        expect(page.locator("ul.messages li.msg-success")).to_contain_text(f"¥{EACH * len(kept):,.2f}")
    amount = EACH * len(kept)
    expect(page.locator("#fh-amount")).to_have_text(money(amount, ""))
    expect(page.locator('#fh-lines tbody tr[data-included="1"]')).to_have_count(len(kept))
    expect(page.locator("#fh-lines tfoot th").first).to_contain_text(str(len(kept)))

    # Materials: PDFs, several at once.
    names = MATERIALS[month.month]
    page.locator("#fh-materials-input").set_input_files(
        [{"name": name, "mimeType": "application/pdf", "buffer": PDF} for name in names])
    page.locator("#fh-upload-submit").click()
    page.wait_for_url(f"{base}/incentives/fh/months/{month.pk}/")
    expect(page.locator("ul.messages li.msg-success")).to_be_visible()
    expect(page.locator("#materials a.material-link")).to_have_text(names)
    if shots:
        page.screenshot(path=shots / "fh-4-checked.png", full_page=True)

    # 提交: the summary to confirm, then the list is under review (初审中) and no longer editable.
    page.locator("#fh-submit").click()
    page.wait_for_url(f"{base}/incentives/fh/months/{month.pk}/submit/")
    expect(page.locator("#fh-submit-amount")).to_have_text(money(amount, ""))
    expect(page.locator("#fh-submit-summary")).to_contain_text(f"{len(kept)} / 2")
    expect(page.locator("#fh-submit-text")).to_be_visible()
    if shots:
        page.screenshot(path=shots / "fh-5-submit.png", full_page=True)
    page.locator("#fh-submit-confirm").click()
    page.wait_for_url(f"{base}/incentives/fh/months/{month.pk}/")
    expect(page.locator("ul.messages li.msg-success")).to_be_visible()
    expect(page.locator("#fh-month-status")).to_have_text("初审中")
    expect(page.locator("#fh-under-review")).to_be_visible()
    expect(page.locator("#fh-upload-form")).to_have_count(0)
    expect(page.locator("#fh-lines input[type=checkbox]")).to_have_count(0)
    if shots:
        page.screenshot(path=shots / "fh-6-submitted.png", full_page=True)
    month.refresh_from_db()
    assert (month.status, month.amount) == (FhMonthStatus.SUBMITTED, amount)
    return amount


def operator_finalises(op, base, month, amount, *, shots=None):
    """The admin's FH monthly lists: the submitted one, its specialists and materials, then 定稿."""
    op.goto(f"{base}/admin/incentives/fhmonth/?status__exact=submitted")
    rows = op.locator("#result_list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first.locator("td.field-status")).to_have_text("初审中")
    expect(rows.first.locator("td.field-amount")).to_have_text(f"{amount:.2f}")
    rows.first.locator("th.field-partner a").click()
    op.wait_for_url(f"{base}/admin/incentives/fhmonth/{month.pk}/change/?*")
    expect(op.locator("a.material-download")).to_have_text(MATERIALS[month.month])
    if shots:
        op.screenshot(path=shots / "fh-7-admin-list.png", full_page=True)
    op.locator("a.fh-finalise").click()
    op.wait_for_url(f"{base}/admin/incentives/fhmonth/{month.pk}/finalise/")
    expect(op.locator("#fh-decision-summary")).to_contain_text(f"{month.month:%Y-%m}")
    expect(op.locator("#fh-decision-summary")).to_contain_text(f"{amount:,.2f}".replace(",", ""))
    op.locator("#fh-decide-submit").click()
    op.wait_for_url(f"{base}/admin/incentives/fhmonth/{month.pk}/change/")
    expect(op.locator("ul.messagelist li.success")).to_be_visible()
    month.refresh_from_db()
    assert month.status == FhMonthStatus.FINAL


def test_qualify_check_three_months_apply_for_the_quarter_print_the_invoice_list_and_follow_the_payment(
        page, operator_page, live_server, world, artifacts_dir):
    base, t, op = live_server.url, world, operator_page
    admin_name, operator_name = t.admin.user.username, t.operator.username
    messages = page.locator("ul.messages li.msg-success")

    # 1. 资格申请: where the partner stands, the FH agreement signed; an operator approves it.
    with at(2026, 7, 6, 10, 0):
        fresh_sign_in(page, live_server, admin_name, "/")
        nav = page.locator("nav.mainnav")
        nav.locator('a[href="/benefits/"]').hover()
        nav.locator('.submenu a[href="/incentives/fh/"]').click()
        page.wait_for_url(f"{base}/incentives/fh/")
        expect(page.locator("h1")).to_have_text("专职人员激励(FH)")
        expect(page.locator("#fh-standing")).to_contain_text("数字化转型咨询与系统集成")
        expect(page.locator("#fh-stage")).to_have_text("能力差异化认证")
        expect(page.locator("#fh-qualification-status")).to_have_text("未申请")
        expect(page.locator("#fh-not-eligible")).to_have_count(0)
        page.screenshot(path=artifacts_dir / "fh-0-qualification.png", full_page=True)
        page.locator("#fh-apply").click()
        page.wait_for_url(f"{base}/incentives/fh/apply/")
        expect(page.locator("#fh-agreement h3")).to_contain_text("专职人员激励（FH）协议")
        expect(page.locator("#fh-agreement")).to_contain_text(t.partner.name)
        form = page.locator("form#fh-sign-form")
        expect(form.locator("input[name=signer_name]")).to_have_value("张三")
        form.locator("input[name=accepted]").check()
        page.screenshot(path=artifacts_dir / "fh-1-sign.png", full_page=True)
        form.locator("#fh-sign").click()
        page.wait_for_url(f"{base}/incentives/fh/")
        expect(messages).to_be_visible()
        expect(page.locator("#fh-qualification-status")).to_have_text("申请中")
        expect(page.locator("#fh-applying")).to_be_visible()
        expect(page.locator("#fh-apply")).to_have_count(0)

        fresh_sign_in(op, live_server, operator_name, "/admin/")
        op.goto(f"{base}/admin/incentives/fhqualification/?status__exact=applying")
        expect(op.locator("#result_list tbody tr")).to_have_count(1)
        op.locator("#result_list a.fh-approve").click()
        qualification = FhQualification.objects.get(partner=t.partner)
        op.wait_for_url(f"{base}/admin/incentives/fhqualification/{qualification.pk}/approve/")
        expect(op.locator("#fh-decision-summary")).to_contain_text("张三")
        op.locator("#fh-decide-submit").click()
        op.wait_for_url(f"{base}/admin/incentives/fhqualification/{qualification.pk}/change/")
        expect(op.locator("ul.messagelist li.success")).to_be_visible()

        page.reload()
        expect(page.locator("#fh-qualification-status")).to_have_text("已获资格")
        expect(page.locator("#fh-qualified")).to_be_visible()
        page.screenshot(path=artifacts_dir / "fh-2-qualified.png", full_page=True)
    qualification.refresh_from_db()
    assert (qualification.status, qualification.signer_name, qualification.signed_by_id) == (
        FhQualificationStatus.APPROVED, "张三", t.admin.user_id)

    # 2–3. July: generated on 1 August; checked (李工 unticked), materials, submitted; made final by the operator.
    with at(2026, 8, 1, 0, 15):
        july = generate(JULY)
    with at(2026, 8, 5, 10, 0):
        fresh_sign_in(page, live_server, admin_name, "/")
        open_months(page, base)
        july_amount = partner_checks_and_submits(page, base, july, drop="李工", shots=artifacts_dir)
    assert july_amount == EACH
    with at(2026, 8, 6, 10, 0):
        fresh_sign_in(op, live_server, operator_name, "/admin/")
        operator_finalises(op, base, july, july_amount, shots=artifacts_dir)
        fresh_sign_in(page, live_server, admin_name, "/")
        open_months(page, base)
        row = page.locator(f'#fh-months tbody tr[data-fh-month="{july.pk}"]')
        expect(row.locator("td").nth(3)).to_have_text("已定稿")
        expect(row.locator("td").nth(1)).to_have_text("1 / 2")
        expect(row.locator("td").nth(2)).to_have_text(money(EACH, ""))
        row.locator("a.fh-month-link").click()
        expect(page.locator("#fh-month-status")).to_have_text("已定稿")
        page.screenshot(path=artifacts_dir / "fh-8-july-final.png", full_page=True)

    # August: both specialists kept.
    with at(2026, 9, 1, 0, 15):
        august = generate(AUGUST)
    with at(2026, 9, 3, 10, 0):
        fresh_sign_in(page, live_server, admin_name, "/")
        open_months(page, base)
        august_amount = partner_checks_and_submits(page, base, august)
    with at(2026, 9, 4, 10, 0):
        fresh_sign_in(op, live_server, operator_name, "/admin/")
        operator_finalises(op, base, august, august_amount)

    # 4. September's list is generated on 1 October (a holiday); on 9 October the quarter cannot be applied for yet.
    with at(2026, 10, 1, 0, 15):
        september = generate(SEPTEMBER)
    with at(2026, 10, 9, 10, 0):
        fresh_sign_in(page, live_server, admin_name, "/")
        open_months(page, base)
        page.locator("#fh-tabs").get_by_role("link", name="付款申请").click()
        page.wait_for_url(f"{base}/incentives/fh/payments/")
        quarter = page.locator('#fh-quarters tr[data-quarter="2026-Q3"]')
        expect(quarter.locator("td").nth(1)).to_contain_text("2026-07: 已定稿")
        expect(quarter.locator("td").nth(1)).to_contain_text("2026-08: 已定稿")
        expect(quarter.locator("td").nth(1)).to_contain_text("2026-09: 待核对")
        expect(quarter.locator("td.num")).to_have_text(money(july_amount + august_amount, ""))
        refusal = quarter.locator(".quarter-refusal")
        expect(refusal).to_have_attribute("data-code", "CBC.99011323")
        expect(refusal).to_contain_text(MONTH_OPEN)
        expect(quarter.locator("a.quarter-apply")).to_have_count(0)
        expect(page.locator("#no-fh-payments")).to_be_visible()
        page.screenshot(path=artifacts_dir / "fh-9-refused.png", full_page=True)
        # The application page itself (an old link, a bookmark) says the same, as an alert, and offers no button.
        page.goto(f"{base}/incentives/fh/payments/apply/?year=2026&quarter=3")
        refused = page.locator("#fh-apply-refused")
        expect(refused).to_have_attribute("data-code", "CBC.99011323")
        expect(refused).to_contain_text(MONTH_OPEN)
        expect(page.locator("#fh-apply-amount")).to_have_text(money(july_amount + august_amount, ""))
        expect(page.locator("#fh-apply-next")).to_have_count(0)
        page.screenshot(path=artifacts_dir / "fh-9b-apply-refused.png", full_page=True)
        page.go_back()
        page.wait_for_url(f"{base}/incentives/fh/payments/")

        # September from the quarter's row: checked with both specialists and submitted.
        quarter.get_by_role("link", name="待核对").click()
        page.wait_for_url(f"{base}/incentives/fh/months/{september.pk}/")
        page.locator("#fh-tabs").get_by_role("link", name="月度激励").click()
        page.wait_for_url(f"{base}/incentives/fh/months/")
        september_amount = partner_checks_and_submits(page, base, september)
        page.locator("#fh-tabs").get_by_role("link", name="付款申请").click()
        page.wait_for_url(f"{base}/incentives/fh/payments/")
        expect(quarter.locator(".quarter-refusal")).to_have_attribute("data-code", "CBC.99011324")  # 初审中
        expect(quarter.locator("td").nth(1)).to_contain_text("2026-09: 初审中")
    with at(2026, 10, 10, 10, 0):
        fresh_sign_in(op, live_server, operator_name, "/admin/")
        operator_finalises(op, base, september, september_amount)

    # All three months final: 申请付款, the amount read on the page, then the confirmation.
    total = july_amount + august_amount + september_amount
    assert total == D("40000.00")
    with at(2026, 10, 12, 10, 0):
        fresh_sign_in(page, live_server, admin_name, "/")
        open_months(page, base)
        page.locator("#fh-tabs").get_by_role("link", name="付款申请").click()
        page.wait_for_url(f"{base}/incentives/fh/payments/")
        quarter = page.locator('#fh-quarters tr[data-quarter="2026-Q3"]')
        expect(quarter.locator("td").nth(1)).to_contain_text("2026-09: 已定稿")
        expect(quarter.locator("td.num")).to_have_text(money(total, ""))
        expect(quarter.locator(".quarter-refusal")).to_have_count(0)
        quarter.locator("a.quarter-apply").click()
        page.wait_for_url(f"{base}/incentives/fh/payments/apply/?year=2026&quarter=3")
        summary = page.locator("#fh-apply-summary")
        expect(summary).to_contain_text("2026 Q3")
        expect(summary).to_contain_text(f"2026-07 ({money(july_amount, '')})")
        expect(summary).to_contain_text(f"2026-08 ({money(august_amount, '')})")
        expect(summary).to_contain_text(f"2026-09 ({money(september_amount, '')})")
        expect(page.locator("#fh-apply-amount")).to_have_text(money(total, ""))
        expect(page.locator("#fh-apply-refused")).to_have_count(0)
        page.locator("#fh-apply-next").click()
        expect(page.locator("#confirm-submit")).to_be_visible()
        expect(page.locator("#fh-apply-amount")).to_have_text(money(total, ""))
        page.screenshot(path=artifacts_dir / "fh-10-apply-confirm.png", full_page=True)
        assert not FhPayment.objects.exists()
        page.locator("#confirm-submit").click()
        page.wait_for_url(f"{base}/incentives/fh/payments/*/")
        payment = FhPayment.objects.get(partner=t.partner)
        assert page.url == f"{base}/incentives/fh/payments/{payment.pk}/"
        expect(messages).to_be_visible()
        expect(page.locator("#fh-payment-status")).to_have_text("付款申请审核中")
        expect(page.locator("#fh-payment-amount")).to_have_text(money(total, ""))
        expect(page.locator("#fh-progress li")).to_have_count(4)
        expect(page.locator("#fh-progress li").nth(0)).to_have_attribute("data-state", "done")
        expect(page.locator("#fh-progress li").nth(1)).to_have_attribute("data-state", "current")
        expect(page.locator("#fh-invoice-list")).to_have_count(0)   # not before the approval
        expect(page.locator("#fh-invoice-form")).to_have_count(0)
    assert (payment.status, payment.amount, payment.year, payment.quarter) == (
        FhPaymentStatus.APPLIED, total, 2026, 3)

    # 5. The operator approves the application.
    with at(2026, 10, 13, 10, 0):
        fresh_sign_in(op, live_server, operator_name, "/admin/")
        op.goto(f"{base}/admin/incentives/fhpayment/?status__exact=applied")
        expect(op.locator("#result_list tbody tr")).to_have_count(1)
        op.locator("#result_list a.fh-approve").click()
        op.wait_for_url(f"{base}/admin/incentives/fhpayment/{payment.pk}/approve/")
        expect(op.locator("#fh-decision-summary")).to_contain_text("2026 Q3")
        op.locator("#fh-decide-submit").click()
        op.wait_for_url(f"{base}/admin/incentives/fhpayment/{payment.pk}/change/")
        expect(op.locator("ul.messagelist li.success")).to_be_visible()

    # The partner: approved; the printable 开票清单 in a new tab; the invoice number; 发票已寄出.
    with at(2026, 10, 14, 10, 0):
        fresh_sign_in(page, live_server, admin_name, "/")
        open_months(page, base)
        page.locator("#fh-tabs").get_by_role("link", name="付款申请").click()
        page.wait_for_url(f"{base}/incentives/fh/payments/")
        listed = page.locator(f'#fh-payments tbody tr[data-payment="{payment.pk}"]')
        expect(listed.locator("td").nth(3)).to_have_text("付款申请审核通过")
        expect(listed.locator("td").nth(2)).to_have_text(money(total, ""))
        listed.get_by_role("link", name="进展").click()
        page.wait_for_url(f"{base}/incentives/fh/payments/{payment.pk}/")
        expect(page.locator("#fh-payment-status")).to_have_text("付款申请审核通过")
        states = page.locator("#fh-progress li")
        for n, state in enumerate(["done", "done", "current", "todo"]):
            expect(states.nth(n)).to_have_attribute("data-state", state)
        with page.context.expect_page() as opened:
            page.locator("#fh-invoice-list").click()
        sheet = opened.value
        sheet.wait_for_load_state()
        assert sheet.url == f"{base}/incentives/fh/payments/{payment.pk}/invoice-list/"
        expect(sheet.locator("#sheet-number")).to_have_text(payment.payment_no)
        expect(sheet.locator("#sheet-payer")).to_contain_text("华为云计算技术有限公司")
        expect(sheet.locator("#sheet-payee .masked")).to_have_text("**** **** **** 5678")
        assert "6225880112345678" not in sheet.content()
        sheet_rows = sheet.locator("#sheet-lines tbody tr[data-month]")
        expect(sheet_rows).to_have_count(5)   # July: 王工; August and September: 李工, 王工
        expect(sheet_rows.locator("td:nth-child(2)")).to_have_text(["王工", "李工", "王工", "李工", "王工"])
        expect(sheet.locator("#sheet-lines tr.subtotal td.num")).to_have_text(
            [money(july_amount, ""), money(august_amount, ""), money(september_amount, "")])
        expect(sheet.locator("#sheet-total")).to_have_text(money(total, ""))
        expect(sheet.locator("#fh-print")).to_be_visible()
        sheet.screenshot(path=artifacts_dir / "fh-11-invoice-list.png", full_page=True)
        sheet.emulate_media(media="print")
        expect(sheet.locator("#fh-print")).to_be_hidden()
        expect(sheet.locator("header.topbar")).to_be_hidden()
        sheet.screenshot(path=artifacts_dir / "fh-12-invoice-list-print.png", full_page=True)
        sheet.close()

        invoice = page.locator("form#fh-invoice-form")
        invoice.locator("input[name=invoice_number]").fill("12-34")      # not 8–20 letters or digits
        invoice.locator("#fh-invoice-save").click()
        expect(page.locator("form#fh-invoice-form .form-errors")).to_contain_text("8")
        page.locator("form#fh-invoice-form input[name=invoice_number]").fill(INVOICE_NUMBER)
        page.locator("#fh-invoice-save").click()
        page.wait_for_url(f"{base}/incentives/fh/payments/{payment.pk}/")
        expect(messages).to_be_visible()
        expect(page.locator("#fh-payment-status")).to_have_text("发票已寄出")
        expect(page.locator("#fh-invoice-number")).to_have_text(INVOICE_NUMBER)
        expect(page.locator("#fh-invoice-form")).to_have_count(0)
        for n, state in enumerate(["done", "done", "done", "current"]):
            expect(states.nth(n)).to_have_attribute("data-state", state)
        expect(states.nth(2)).to_contain_text(INVOICE_NUMBER)
        page.screenshot(path=artifacts_dir / "fh-13-invoice-sent.png", full_page=True)

    # The operator records the payment; the partner follows it to 已付款.
    with at(2026, 10, 20, 10, 0):
        fresh_sign_in(op, live_server, operator_name, "/admin/")
        op.goto(f"{base}/admin/incentives/fhpayment/?status__exact=invoiced")
        expect(op.locator("#result_list tbody tr")).to_have_count(1)
        expect(op.locator("#result_list tbody tr")).to_contain_text(INVOICE_NUMBER)
        op.locator("#result_list a.fh-paid").click()
        op.wait_for_url(f"{base}/admin/incentives/fhpayment/{payment.pk}/paid/")
        op.locator("#fh-decide-form input[name=reference]").fill(PAID_REFERENCE)
        op.locator("#fh-decide-submit").click()
        op.wait_for_url(f"{base}/admin/incentives/fhpayment/{payment.pk}/change/")
        expect(op.locator("ul.messagelist li.success")).to_be_visible()

        fresh_sign_in(page, live_server, admin_name, "/")
        open_months(page, base)
        page.locator("#fh-tabs").get_by_role("link", name="付款申请").click()
        page.wait_for_url(f"{base}/incentives/fh/payments/")
        expect(page.locator('#fh-quarters tr[data-quarter="2026-Q3"] a.fh-payment-link')).to_have_text("已付款")
        page.locator('#fh-quarters tr[data-quarter="2026-Q3"] a.fh-payment-link').click()
        page.wait_for_url(f"{base}/incentives/fh/payments/{payment.pk}/")
        expect(page.locator("#fh-payment-status")).to_have_text("已付款")
        states = page.locator("#fh-progress li")
        for n in range(4):
            expect(states.nth(n)).to_have_attribute("data-state", "done")
        expect(states.nth(3)).to_contain_text(PAID_REFERENCE)
        page.screenshot(path=artifacts_dir / "fh-14-paid.png", full_page=True)

    payment.refresh_from_db()
    assert (payment.status, payment.invoice_number, payment.payment_reference, payment.amount) == (
        FhPaymentStatus.PAID, INVOICE_NUMBER, PAID_REFERENCE, total)
    assert list(FhMonth.objects.filter(partner=t.partner).order_by("month").values_list("month", "status", "amount")) \
        == [(JULY, "final", july_amount), (AUGUST, "final", august_amount), (SEPTEMBER, "final", september_amount)]
    assert FhMaterial.objects.filter(fh_month__partner=t.partner).count() == 4
    assert OperationLog.objects.filter(partner=t.partner, action="incentives.fh_submit", result="success").count() == 3
