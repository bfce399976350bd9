"""批量拨款 in real Chromium against the live server.

A funded solution provider's administrator ticks three resale customers in 我的客户, sends them to
批量拨款, gives amounts (one "same amount for all" plus two overrides), checks the total on the
confirmation page, confirms, reads three transaction ids on the result page and finds them again in
调账记录 (also filtered by one transaction id). The database then holds exactly those balances and the
ledger still verifies.

Everything happens through the pages; the ORM only sets the stage and checks the database afterwards.
Assertions go by element ids, names, hrefs and numbers (the catalogue may not be compiled while the
suite runs); where text is checked, the English msgid is accepted too.
"""

import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from billing.choices import OperationType
from billing.models import Adjustment, CustomerAccount, PartnerAccount

from ..billing_helpers import fund
from ..conftest import build_tenant
from ..factories import PASSWORD, AssociationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAME_AMOUNT = "10.00"  # for the customer whose own field is left empty
OVERRIDES = ("20.00", "30.50")  # typed into the other two customers' own fields
TOTAL = "60.50"
AVAILABLE_AFTER = "39.50"
TRANS_ID = re.compile(r"^\S{8,}$")


@pytest.fixture
def tenant(db):
    t = build_tenant("batch")  # brings one referral and one resale customer of its own
    t.extra_resale = [AssociationFactory(partner=t.partner, association_type="2").customer for _ in range(3)]
    fund(t.partner, "100.00")
    return t


def sign_in(page, live_server, username, password, landing):
    page.goto(f"{live_server.url}/login/")
    form = page.locator("form:has(#id_username)")
    form.locator("#id_username").fill(username)
    form.locator("#id_password").fill(password)
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}{landing}")


def text_re(*alternatives):
    return re.compile("|".join(re.escape(a) for a in alternatives))


def test_batch_allocation_to_three_resale_customers(page, live_server, tenant, artifacts_dir):
    base = live_server.url
    partner = tenant.partner
    chosen = tenant.extra_resale
    chosen_ids = [c.domain_id for c in chosen]
    assert PartnerAccount.objects.get(partner=partner).available == Decimal("100.00")

    # 1. Sign in, 销售 ▸ 客户.
    sign_in(page, live_server, tenant.admin.user.username, PASSWORD, "/")
    nav = page.locator("nav.mainnav")
    nav.locator('a[href="/sales/"]').hover()
    nav.locator('.submenu a[href="/customers/"]').click()
    page.wait_for_url(f"{base}/customers/")

    # Every resale customer (four) has a checkbox, the referral customer none.
    batch = page.locator("form#batch-allocate")
    boxes = batch.locator('input[type=checkbox][name=customer]')
    expect(boxes).to_have_count(4)
    expect(batch.locator(f'input[type=checkbox][value="{tenant.referral.domain_id}"]')).to_have_count(0)
    for domain_id in chosen_ids:
        batch.locator(f'input[type=checkbox][name=customer][value="{domain_id}"]').check()
    expect(batch.locator("input[type=checkbox][name=customer]:checked")).to_have_count(3)
    expect(batch.locator(f'input[type=checkbox][value="{tenant.resale.domain_id}"]')).not_to_be_checked()
    page.screenshot(path=artifacts_dir / "batch-1-customers-ticked.png", full_page=True)

    # 2. 批量拨款 → the allocation page, with the three customers in the query.
    batch.locator("#batch-allocate-submit").click()
    page.wait_for_url(re.compile(rf"^{re.escape(base)}/billing/allocate/\?"))
    for domain_id in chosen_ids:
        assert f"customer={domain_id}" in page.url, page.url
    assert f"customer={tenant.resale.domain_id}" not in page.url
    expect(page.locator("#available")).to_have_text("¥100.00")
    form = page.locator("form#allocate-form")
    expect(form.locator("tbody tr")).to_have_count(3)
    expect(form.locator('input[name^="amount_"]')).to_have_count(3)
    for domain_id in chosen_ids:
        expect(form.locator(f'input[name="amount_{domain_id}"]')).to_be_visible()
    expect(form.locator('input[name="same_amount"]')).to_be_visible()
    expect(page.locator("#not-eligible")).to_have_count(0)

    # The first customer gets the same amount for all; the other two their own.
    amounts = {chosen_ids[0]: SAME_AMOUNT, chosen_ids[1]: OVERRIDES[0], chosen_ids[2]: OVERRIDES[1]}
    form.locator('input[name="same_amount"]').fill(SAME_AMOUNT)
    form.locator(f'input[name="amount_{chosen_ids[1]}"]').fill(OVERRIDES[0])
    form.locator(f'input[name="amount_{chosen_ids[2]}"]').fill(OVERRIDES[1])
    page.screenshot(path=artifacts_dir / "batch-2-allocation-form.png", full_page=True)
    form.locator("#allocate-next").click()

    # 3. The confirmation: three rows, the total, nothing moved yet.
    confirm_rows = page.locator("#confirm-rows tbody tr")
    expect(confirm_rows).to_have_count(3)
    expect(page.locator("#confirm-total")).to_have_text(TOTAL)
    for domain_id, amount in amounts.items():
        row = page.locator("#confirm-rows tbody tr", has=page.locator(f'code:text-is("{domain_id}")'))
        expect(row).to_have_count(1)
        expect(row.locator("td").nth(2)).to_have_text(amount)
    expect(page.locator("#available")).to_have_text("¥100.00")
    expect(page.locator("#confirm-form")).to_be_visible()
    assert not Adjustment.objects.exists()
    page.screenshot(path=artifacts_dir / "batch-3-confirmation.png", full_page=True)
    page.locator("#confirm-submit").click()

    # 4. The result page: three successes, each with its transaction id.
    results = page.locator("#results tbody tr")
    expect(results).to_have_count(3)
    expect(page.locator("#results tbody tr.row-ok")).to_have_count(3)
    expect(page.locator("#results tbody tr.row-failed")).to_have_count(0)
    expect(page.locator("#available")).to_have_text(f"¥{AVAILABLE_AFTER}")
    expect(page.locator("#result-summary")).to_contain_text(TOTAL)
    assert page.url.startswith(f"{base}/billing/allocate/")
    trans_ids = {}
    for domain_id, amount in amounts.items():
        row = page.locator("#results tbody tr", has=page.locator(f'code:text-is("{domain_id}")'))
        expect(row).to_have_count(1)
        expect(row.locator("td").nth(2)).to_have_text(amount)
        expect(row.locator("td").nth(3).locator(".ok")).to_have_count(1)
        trans_id = row.locator("td").nth(3).locator("code").inner_text().strip()
        assert TRANS_ID.match(trans_id), trans_id
        trans_ids[domain_id] = trans_id
    assert len(set(trans_ids.values())) == 3, trans_ids
    page.screenshot(path=artifacts_dir / "batch-4-result.png", full_page=True)

    # 5. 调账记录, through the result page's link: the three allocations with those ids.
    page.locator('p.actions a[href="/billing/adjustments/"]').click()
    page.wait_for_url(f"{base}/billing/adjustments/")
    table = page.locator("table#adjustments")
    expect(table.locator("tbody tr")).to_have_count(3)
    for domain_id, amount in amounts.items():
        row = table.locator("tbody tr", has=page.locator(f'code:text-is("{trans_ids[domain_id]}")'))
        expect(row).to_have_count(1)
        cells = row.locator("td")
        expect(cells.nth(1)).to_have_text(text_re("拨款", "allocation"))
        expect(cells.nth(3)).to_have_text(domain_id)
        expect(cells.nth(4)).to_have_text(amount)
        expect(cells.nth(6)).not_to_have_text("—")  # the operator is recorded
    page.screenshot(path=artifacts_dir / "batch-5-adjustments.png", full_page=True)

    # … filtered by one transaction id (and by type): exactly that row.
    one_customer = chosen_ids[2]
    filters = page.locator("form.filters")
    filters.locator("#id_trans_id").fill(trans_ids[one_customer])
    filters.locator("#id_operation_type").select_option(OperationType.ALLOCATE.value)
    filters.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/billing/adjustments/\?.*trans_id={re.escape(trans_ids[one_customer])}"))
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table.locator("tbody tr td").nth(3)).to_have_text(one_customer)
    expect(table.locator("tbody tr td").nth(4)).to_have_text(amounts[one_customer])
    expect(table.locator("tbody tr td").nth(5)).to_have_text(trans_ids[one_customer])
    page.screenshot(path=artifacts_dir / "batch-6-adjustments-filtered.png", full_page=True)

    # The 账务 menu reaches the same records: 销售 ▸ 账务 ▸ 调账记录 tab.
    nav.locator('a[href="/sales/"]').hover()
    nav.locator('.submenu a[href="/billing/"]').click()
    page.wait_for_url(f"{base}/billing/")
    page.locator('nav.tabs a[href="/billing/adjustments/"]').click()
    page.wait_for_url(f"{base}/billing/adjustments/")
    expect(page.locator("table#adjustments tbody tr")).to_have_count(3)

    # 6. The database agrees.
    assert PartnerAccount.objects.get(partner=partner).available == Decimal(AVAILABLE_AFTER)
    for customer in chosen:
        assert CustomerAccount.objects.get(customer=customer).balance == Decimal(amounts[customer.domain_id])
    untouched = CustomerAccount.objects.filter(customer=tenant.resale).first()
    assert untouched is None or untouched.balance == Decimal("0.00")
    adjustments = Adjustment.objects.filter(partner=partner)
    assert adjustments.count() == 3
    for adjustment in adjustments:
        assert adjustment.operation_type == OperationType.ALLOCATE
        assert adjustment.trans_id == trans_ids[adjustment.customer.domain_id]
        assert adjustment.amount == Decimal(amounts[adjustment.customer.domain_id])
    assert len({a.batch_id for a in adjustments}) == 1 and adjustments[0].batch_id
    call_command("verify_ledger")
