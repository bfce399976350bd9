"""激励 in one story, in real Chromium against the live server (issue 17).

A solution provider's administrator opens 销售 ▸ 激励 from the menu (it lands on 激励明细: last month's lines)
and goes to 业绩管理: the last 12 months' performance and incentives are drawn (two SVG charts, their numbers one
click away) with the same numbers in the table, the newest period first. It opens 激励对账 › 激励汇总: last
month's three statements wait for reconciliation (待对账) beside eleven final months. It raises an objection (提出异议) to the resale base
incentive with its reason: the statement is 有异议. An operator (a staff superuser, in a second browser context)
opens the disputed statement in the admin and answers it with a corrected amount: the statement is final at that
amount. Back in the partner center the statement shows 已定稿, the answer and the credit; the rebate account
(返点账户) has grown by the corrected amount. The administrator withdraws part of it (立即提现): the amount, the
bank details from its verified 商业信息认证 (the account shown masked), the flow to confirm (balance before,
amount, balance after) and the verification code — always asked: without it nothing happens; with the code of
its authenticator app (a TOTP device, its code computed as tests/core/test_login.py does) the withdrawal is made
and shows 处理中, the rebate balance lowered by it.

The ORM and the services set the stage (the verified certification, the policies, eleven months of final
statements confirmed and finalised through incentives.statements, last month's pending ones as the monthly run
writes them); everything the two people do happens through the pages; the database and the ledger are checked
afterwards. The browser is zh-CN, so the pages are in zh-hans; screenshots go to test-artifacts/incentives-*.png.
"""

import re
from decimal import Decimal

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from billing.models import LedgerEntry
from billing.rebates import rebate_balance
from catalog.choices import ChargeMode
from incentives import statements
from incentives.choices import PolicyCode, StatementStatus, WithdrawalStatus
from incentives.models import IncentiveStatement, RebateWithdrawal
from incentives.selectors_statements import cycle_choices
from partnercenter.templatetags.display import money

from ..conftest import actor_of, build_tenant
from ..factories import UserFactory
from ..incentives.statements_fixtures import line, make_statement, s_world
from ..incentives.withdrawals_fixtures import CERTIFIED_ACCOUNT, certify, verify_ledger
from ..bills.partner_helpers import EC2
from .steps import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

D = Decimal
# Eleven earlier months of performance under the resale policy (4 % on yearly/monthly), oldest first.
HISTORY = ["820.00", "760.00", "910.00", "1030.00", "980.00", "1150.00", "1240.00", "1190.00", "1320.00",
           "1280.00", "1410.00"]
REASON = "EVS 按需消费的返点率应为 8%，本期代售基础激励少计 4.00 元，请核实。"
ANSWER = "已核实：EVS 特定产品费率更正，本期代售基础激励调整为 48.00 元。"
CORRECTED, WITHDRAWN = D("48.00"), D("200.00")


@pytest.fixture
def world(db):
    t = build_tenant("inc")  # a solution provider, its administrator (every right), a referral and a resale customer
    certify(t.partner)       # 商业信息认证 verified, with the bank account withdrawals default to
    t.operator = UserFactory(username="inc.ops", is_staff=True, is_superuser=True)
    cycles = cycle_choices()  # the periods the pages offer, newest (last month) first
    t.newest = cycles[0]
    w = s_world(t, cycle=t.newest)  # last month: referral base 2.70, resale base 44.00, tier 10.50 — pending
    t.w = w
    admin, operator = actor_of(t.admin), actor_of(t.operator)
    t.history = []
    for cycle, performance in zip(reversed(cycles[1:12]), HISTORY):
        amount = (D(performance) * D("0.04")).quantize(D("0.01"))
        statement = make_statement(t.partner, w.resale_policy, cycle=cycle, amount=amount, performance=performance,
                                   lines=[line(w.resale, EC2, ChargeMode.PERIOD, PolicyCode.NON_SPECIFIC, performance,
                                               performance, "0.0400", amount)])
        statements.confirm(admin, statement=statement)
        t.history.append(statements.finalise(operator, statement=statement))
    t.balance = sum((s.amount for s in t.history), D("0.00"))
    assert rebate_balance(t.partner) == t.balance
    return t


def totp_code(device) -> str:
    device.refresh_from_db()
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token():06d}"


def test_read_the_performance_dispute_a_statement_get_it_corrected_and_withdraw_part_of_the_rebate(
        page, operator_page, live_server, world, artifacts_dir):
    base, t = live_server.url, world
    disputed = t.w.resale_base
    messages = page.locator("ul.messages li.msg-success")

    # 1. 销售 ▸ 激励 from the menu, then 业绩管理: two charts of the last 12 months, and the same numbers below.
    sign_in(page, live_server, t.admin.user.username, "/")
    nav = page.locator("nav.mainnav")
    nav.locator('a[href="/sales/"]').hover()
    nav.locator('.submenu a[href="/incentives/details/"]').click()
    page.wait_for_url(f"{base}/incentives/details/")
    expect(page.locator("h1")).to_have_text("激励")
    # 激励明细 opens on last month's lines (the newest period with statements), with the note on consumption
    expect(page.locator('#detail-filters select[name="cycle"]')).to_have_value(t.newest)
    expect(page.locator("#details tbody tr")).to_have_count(3)
    expect(page.locator("#detail-totals td.num").last).to_have_text("¥46.70")  # 2.70 + 40.00 + 4.00 (no tier line)
    expect(page.locator("#details-note")).to_be_visible()
    page.screenshot(path=artifacts_dir / "incentives-0-details.png", full_page=True)
    tabs = page.locator("#incentive-tabs")
    tabs.get_by_role("link", name="业绩管理").click()
    page.wait_for_url(f"{base}/incentives/performance/")
    charts = page.locator(".charts figure.chart")
    expect(charts).to_have_count(2)
    expect(charts.nth(0).locator("figcaption")).to_contain_text("12")
    expect(charts.nth(0).locator("svg")).to_be_visible()
    expect(charts.nth(1).locator("svg")).to_be_visible()
    assert page.locator(".charts script").count() == 0
    rows = page.locator("#performance tbody tr")
    expect(rows).to_have_count(12)
    expect(rows.first).to_have_attribute("data-cycle", t.newest)
    # last month: the base statements' performance (90.00 referral + 1,050.00 resale), none of it final yet
    expect(rows.first.locator("td.performance")).to_have_text("¥1,140.00")
    expect(rows.first.locator("td.total")).to_have_text("¥57.20")
    expect(rows.first.locator("td.final")).to_have_text("¥0.00")
    oldest = t.history[0]
    expect(rows.last).to_have_attribute("data-cycle", oldest.bill_cycle)
    expect(rows.last.locator("td.performance")).to_have_text(money(oldest.performance))
    expect(rows.last.locator("td.final")).to_have_text(money(oldest.amount))
    charts.nth(0).locator("details.chart-data summary").click()
    expect(charts.nth(0).locator("details.chart-data table")).to_contain_text("1,140.00")
    page.screenshot(path=artifacts_dir / "incentives-1-performance.png", full_page=True)

    # 2. 激励对账 › 激励汇总: last month's three statements wait (待对账), the eleven months before are final.
    page.locator("#incentive-subtabs").get_by_role("link", name="激励对账").click()
    page.wait_for_url(f"{base}/incentives/statements/")
    listed = page.locator("#statements tbody tr")
    expect(listed).to_have_count(14)
    expect(page.locator('#statements tbody tr[data-status="pending"]')).to_have_count(3)
    expect(page.locator('#statements tbody tr[data-status="final"]')).to_have_count(11)
    row = page.locator(f'#statements tbody tr[data-statement="{disputed.pk}"]')
    expect(row.locator("td.status")).to_have_text("待对账")
    expect(row.locator("td.amount")).to_have_text("¥44.00")
    page.screenshot(path=artifacts_dir / "incentives-2-statements.png", full_page=True)

    # 3. 提出异议 with the reason: the statement is 有异议 and waits for Huawei Cloud's answer.
    row.locator("a.dispute").click()
    page.wait_for_url(f"{base}/incentives/statements/{disputed.pk}/dispute/")
    expect(page.locator("#statement-amount")).to_have_text("¥44.00")
    page.get_by_label("异议").fill(REASON)
    page.screenshot(path=artifacts_dir / "incentives-3-dispute.png", full_page=True)
    page.locator("#dispute-submit").click()
    page.wait_for_url(f"{base}/incentives/statements/{disputed.pk}/")
    expect(messages).to_be_visible()
    expect(page.locator("#statement-status")).to_have_text("有异议")
    expect(page.locator("#dispute-reason")).to_have_text(REASON)
    expect(page.locator("#awaiting-answer")).to_be_visible()
    expect(page.locator("#dispute")).to_have_count(0)
    page.screenshot(path=artifacts_dir / "incentives-4-disputed.png", full_page=True)
    disputed.refresh_from_db()
    assert (disputed.status, disputed.dispute_reason, disputed.disputed_by_id) == (
        StatementStatus.DISPUTED, REASON, t.admin.user_id)

    # 4. The operator, in the admin: the disputed statement's 答复异议 page, an answer and the corrected amount.
    op = operator_page
    sign_in(op, live_server, t.operator.username, "/admin/")
    op.goto(f"{base}/admin/incentives/incentivestatement/?status__exact=disputed")
    expect(op.locator("#result_list tbody tr")).to_have_count(1)
    op.locator("#result_list a.statement-answer").click()
    op.wait_for_url(f"{base}/admin/incentives/incentivestatement/{disputed.pk}/answer/")
    expect(op.locator("#dispute-reason")).to_have_text(REASON)
    op.locator("#id_answer").fill(ANSWER)
    op.locator("#id_amount").fill(str(CORRECTED))
    op.screenshot(path=artifacts_dir / "incentives-5-admin-answer.png", full_page=True)
    op.locator("#statement-action-submit").click()
    op.wait_for_url(f"{base}/admin/incentives/incentivestatement/{disputed.pk}/change/")
    expect(op.locator("ul.messagelist li.success")).to_be_visible()
    disputed.refresh_from_db()
    assert (disputed.status, disputed.amount, disputed.answer) == (StatementStatus.FINAL, CORRECTED, ANSWER)
    assert disputed.trans_id

    # 5. The partner: the statement is 已定稿 at the corrected amount, with the answer; the rebate account grew.
    page.reload()
    expect(page.locator("#statement-status")).to_have_text("已定稿")
    expect(page.locator("#statement-amount")).to_have_text("¥48.00")
    expect(page.locator("#answer")).to_have_text(ANSWER)
    expect(page.locator("#credited")).to_contain_text("¥48.00")
    page.screenshot(path=artifacts_dir / "incentives-6-final.png", full_page=True)
    page.locator("#credited a").click()
    page.wait_for_url(f"{base}/incentives/rebate/")
    grown = t.balance + CORRECTED
    expect(page.locator("#rebate-balance")).to_have_text(money(grown, ""))
    expect(page.locator("#no-withdrawals")).to_be_visible()

    # 6. 立即提现: the amount, the certified bank (its account masked), then the flow to confirm.
    device = TOTPDevice.objects.create(user=t.admin.user, name="手机验证器", confirmed=True)  # its authenticator app
    page.locator("#withdraw-now").click()
    page.wait_for_url(f"{base}/incentives/rebate/withdraw/")
    form = page.locator("form#withdraw-form")
    expect(page.locator("#withdrawable")).to_have_text(money(grown, ""))
    expect(form.locator("#id_bank_name")).to_have_value("中国工商银行")
    expect(form.locator("#id_account_holder")).to_have_value("甲公司")
    expect(page.locator("#paying-to")).to_contain_text("**** **** **** 3445")
    assert CERTIFIED_ACCOUNT not in page.content()
    form.locator("#id_amount").fill(str(WITHDRAWN))
    page.screenshot(path=artifacts_dir / "incentives-7-withdraw.png", full_page=True)
    form.locator("#withdraw-next").click()
    expect(page.locator("#withdraw h2")).to_have_text("确认流水信息")
    expect(page.locator("#flow-before")).to_have_text(money(grown, ""))
    expect(page.locator("#flow-amount")).to_have_text(money(WITHDRAWN, ""))
    expect(page.locator("#flow-after")).to_have_text(money(grown - WITHDRAWN, ""))
    expect(page.locator("#flow-account")).to_have_text("**** **** **** 3445")
    assert CERTIFIED_ACCOUNT not in page.content()
    code = page.locator("form#confirm-form").get_by_label("验证码")
    expect(code).to_be_visible()

    # Without the code nothing is withdrawn: the page asks for it again.
    page.locator("#confirm-submit").click()
    expect(page.locator("form#confirm-form .form-errors")).to_have_text("此操作需要验证码。")
    expect(page.locator("#flow-amount")).to_have_text(money(WITHDRAWN, ""))  # still the same flow to confirm
    assert not RebateWithdrawal.objects.exists() and rebate_balance(t.partner) == grown
    page.screenshot(path=artifacts_dir / "incentives-8-code-asked.png", full_page=True)

    # With the authenticator's code: the withdrawal is made, 处理中.
    page.locator("form#confirm-form").get_by_label("验证码").fill(totp_code(device))
    page.screenshot(path=artifacts_dir / "incentives-9-confirm.png", full_page=True)
    page.locator("#confirm-submit").click()
    page.wait_for_url(re.compile(rf"{re.escape(base)}/incentives/rebate/withdrawals/\w+/$"))
    withdrawal = RebateWithdrawal.objects.get(partner=t.partner)
    assert page.url == f"{base}/incentives/rebate/withdrawals/{withdrawal.withdrawal_no}/"
    expect(messages).to_contain_text(withdrawal.withdrawal_no)
    expect(page.locator("#withdrawal-state")).to_have_text("处理中")
    expect(page.locator("#withdrawal-amount")).to_have_text(money(WITHDRAWN, ""))
    expect(page.locator("#withdrawal-account")).to_have_text("**** **** **** 3445")
    page.screenshot(path=artifacts_dir / "incentives-10-withdrawal.png", full_page=True)

    # The rebate account: lowered by the withdrawal, which is listed as 处理中.
    page.locator("a", has_text="提现记录").first.click()
    page.wait_for_url(f"{base}/incentives/rebate/")
    expect(page.locator("#rebate-balance")).to_have_text(money(grown - WITHDRAWN, ""))
    listed = page.locator(f'#withdrawals tbody tr[data-withdrawal="{withdrawal.withdrawal_no}"]')
    expect(listed.locator("td.state")).to_have_text("处理中")
    page.screenshot(path=artifacts_dir / "incentives-11-rebate-account.png", full_page=True)

    assert (withdrawal.status, withdrawal.amount, withdrawal.bank_account_last4, withdrawal.requested_by_id) == (
        WithdrawalStatus.PENDING, WITHDRAWN, "3445", t.admin.user_id)
    assert rebate_balance(t.partner) == grown - WITHDRAWN
    rebate = list(LedgerEntry.objects.filter(partner=t.partner, balance_type="rebate").order_by("id")
                  .values_list("trade_type", "amount", "balance_after"))
    assert rebate[-2:] == [("INCENTIVE", CORRECTED, grown), ("WITHDRAW", -WITHDRAWN, grown - WITHDRAWN)], rebate[-2:]
    assert IncentiveStatement.objects.filter(partner=t.partner, status=StatementStatus.PENDING).count() == 2
    assert "Ledger verified" in verify_ledger()
