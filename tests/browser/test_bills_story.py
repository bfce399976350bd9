"""A closed month read from both sides, in real Chromium against the live server.

In March 2026 the resale customer's pay-per-use server (s6.small.1.linux, 0.22 an hour in the demo catalogue)
ran 10 whole days: ten daily usage records of 24 hours each arrive through bills.ingest, are rated and paid
from the customer's balance (240 h × 0.22 = 52.80), and on 1 April the month is closed. On 10 April the
partner's administrator opens 销售 ▸ 伙伴账单 from the menu, picks 2026-03, reads the totals, finds the charts
(SVG, with the numbers under them) and exports the bill to Excel; the customer signs in to 费用中心 ▸ 账单,
picks 2026-03 and sees the same 52.80.

The clock is time-machine's (standing still; the live server runs in this process). Screenshots (zh-CN
browser) go to test-artifacts/.
"""

from datetime import datetime, timedelta
from datetime import timezone as dt_timezone
from decimal import Decimal

import openpyxl
import pytest
import time_machine
from playwright.sync_api import expect

from bills import closing, ingest, rating
from bills.choices import UsageSource
from bills.models import FeeRecord, PartnerBill
from partnercenter.actors import SCHEDULER

from ..trade.payment_helpers import World, verify_ledger
from .steps import sign_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CYCLE, TOTAL = "2026-03", Decimal("52.80")


def at(text):
    return time_machine.travel(datetime.fromisoformat(text).replace(tzinfo=dt_timezone.utc), tick=False)


@pytest.fixture
def world(db):
    with at("2026-03-01 00:00"):
        w = World("billstory")
        w.allocate("500.00")
    start = datetime(2026, 3, 2, 16, tzinfo=dt_timezone.utc)  # 3 March 00:00 in Shanghai
    records = [{
        "record_id": f"story-{day}", "customer_id": w.resale.domain_id, "resource_id": "story-server",
        "cloud_service_type": "hws.service.type.ec2", "resource_type": "hws.resource.type.vm",
        "resource_spec_code": "s6.small.1.linux", "usage_type": "Duration", "region": "cn-north-4", "usage": "24",
        "usage_measure_id": 4,
        "begin_time": (start + timedelta(days=day)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "end_time": (start + timedelta(days=day + 1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
    } for day in range(10)]
    with at("2026-03-20 00:00"):
        assert ingest.ingest(records, source=UsageSource.API).accepted == 10
        rating.rate_pending()
    with at("2026-03-31 16:30"):  # 1 April 00:30 in Shanghai, as the beat closes it
        closing.close_month(SCHEDULER, bill_cycle=CYCLE)
    return w


def test_the_partner_reads_and_exports_last_months_bill_and_the_customer_sees_the_same_sum(
        page, live_server, world, artifacts_dir, tmp_path):
    base, w = live_server.url, world
    assert sum(f.consume_amount for f in FeeRecord.objects.filter(customer=w.resale)) == TOTAL

    with at("2026-04-10 02:00"):
        # 1. 伙伴账单 from the menu; the cycle picker offers the closed month.
        sign_in(page, live_server, w.tenant.admin.user.username, "/")
        nav = page.locator("nav.mainnav")
        nav.locator('a[href="/sales/"]').hover()
        nav.locator('.submenu a[href="/bills/partner-bill/"]').click()
        page.wait_for_url(f"{base}/bills/partner-bill/*")
        page.locator('#cycle-picker select[name="cycle"]').select_option(CYCLE)
        page.locator("#cycle-picker button[type=submit]").click()
        page.wait_for_url(f"{base}/bills/partner-bill/?cycle={CYCLE}")
        expect(page.locator("#closed-notice")).to_be_visible()
        expect(page.locator("#total-consumption strong")).to_have_text("¥52.80")
        expect(page.locator("#total-resale-cash strong")).to_have_text("¥52.80")
        expect(page.locator("#total-customers strong")).to_have_text("1")
        expect(page.locator('#by-service tr[data-service-type="hws.service.type.ec2"]')).to_have_count(1)

        # 2. The charts are drawn (SVG, no script), with their numbers one click away.
        charts = page.locator("#charts figure.chart")
        expect(charts.first.locator("svg")).to_be_visible()
        assert page.locator("#charts script").count() == 0
        charts.first.locator("details.chart-data summary").click()
        expect(charts.first.locator("details.chart-data table")).to_contain_text("52.80")
        page.screenshot(path=artifacts_dir / "bills-1-partner-bill.png", full_page=True)

        # 3. Excel export: the same numbers.
        with page.expect_download() as download:
            page.locator("#export").click()
        path = tmp_path / "bill.xlsx"
        download.value.save_as(path)
        cells = [cell for row in openpyxl.load_workbook(path).active.iter_rows(values_only=True) for cell in row]
        assert any(str(c).startswith(CYCLE) for c in cells if c is not None)
        assert any(str(c).replace(",", "") in ("52.8", "52.80") for c in cells if c is not None)
        sign_out(page, live_server)

        # 4. The customer: 费用中心 ▸ 账单, March — the same sum.
        sign_in(page, live_server, w.resale_user.user.username, "/fee-center/")
        page.locator('nav.mainnav a[href="/fee-center/bills/"]').click()
        page.wait_for_url(f"{base}/fee-center/bills/*")
        page.locator('#cycle-picker select[name="cycle"]').select_option(CYCLE)
        page.locator("#cycle-picker button[type=submit]").click()
        page.wait_for_url(f"{base}/fee-center/bills/?cycle={CYCLE}")
        expect(page.locator("#cycle-state")).to_have_attribute("data-closed", "1")
        expect(page.locator("#total-due strong")).to_have_text("¥52.80")
        expect(page.locator("#total-cash strong")).to_have_text("¥52.80")
        page.screenshot(path=artifacts_dir / "bills-2-customer-bill.png", full_page=True)

    bill = PartnerBill.objects.get(partner=w.partner, bill_cycle=CYCLE)
    assert bill.consumption_amount == TOTAL
    assert "Ledger verified" in verify_ledger()
