"""激励返点提现 (area W): the service's rules and the rebate account's pages.

The code is always asked (the partner's 验证码验证 switch off included); only after 商业信息认证 is verified; the
amount at most the rebate balance with two decimals; the bank details prefilled from the certification, stored
encrypted and shown masked everywhere; a confirmation spent once; the platform's decision once, a rejection
returning the amount; verify_ledger clean. Test data: rebate credited with billing.rebates.credit_rebate."""

import re

import pytest
from django.test import Client

from billing.choices import TradeType
from billing.errors import BillingCodes
from events.models import Event
from incentives import withdrawals
from incentives.choices import WithdrawalStatus
from incentives.errors_withdrawals import WithdrawalCodes
from incentives.models import RebateWithdrawal
from partnercenter import secretbox
from partnercenter.actors import SCHEDULER, actor_for_access_key
from partnercenter.choices import OperationResult
from partnercenter.errors import MESSAGES, Codes, DomainError
from partnercenter.models import OperationLog
from programs.choices import CertificationStatus
from programs.errors_agreements import AgreementCodes

from ..conftest import actor_of, login_client
from ..factories import MemberFactory, RoleFactory
from .withdrawals_fixtures import (
    CERTIFIED_ACCOUNT, OTHER_ACCOUNT, D, certify, code_of, credit, device_of, posted_fields, rebate_entries,
    rebate_of, verify_ledger, zh,
)

URL = "/incentives/rebate/withdraw/"


@pytest.fixture
def w_ready(tenant_a):
    """Partner A certified, 100.00 of rebate, its administrator with an authenticator; the switch stays OFF."""
    certify(tenant_a.partner)
    credit(tenant_a.partner, "100.00")
    assert tenant_a.partner.verification_enabled is False
    return device_of(tenant_a.admin)


def withdraw(tenant, device, amount="30.00", **bank):
    return withdrawals.request_withdrawal(
        actor_of(tenant.admin), amount=amount, bank_name=bank.get("bank_name", "中国工商银行"),
        account_holder=bank.get("account_holder", "甲公司"), bank_branch=bank.get("bank_branch", ""),
        bank_account=bank.get("bank_account", ""), verification_code=code_of(device))


def refused(call) -> str:
    with pytest.raises(DomainError) as caught:
        call()
    return caught.value.code


# -------------------------------------------------------------------------------------------
# The service
# -------------------------------------------------------------------------------------------

def test_a_withdrawal_moves_the_rebate_and_stores_the_account_encrypted(tenant_a, w_ready):
    withdrawal = withdraw(tenant_a, w_ready, "30.00")
    assert withdrawal.status == WithdrawalStatus.PENDING and withdrawal.amount == D("30.00")
    assert rebate_of(tenant_a.partner) == D("70.00")
    assert rebate_entries(tenant_a.partner) == [(TradeType.INCENTIVE, D("100.00"), D("100.00")),
                                                (TradeType.WITHDRAW, D("-30.00"), D("70.00"))]
    assert CERTIFIED_ACCOUNT not in withdrawal.bank_account_encrypted
    assert secretbox.decrypt(withdrawal.bank_account_encrypted) == CERTIFIED_ACCOUNT   # the certified account
    assert withdrawal.masked_bank_account == "**** **** **** 3445"
    log = OperationLog.objects.get(action="incentives.withdraw")
    assert log.result == OperationResult.SUCCESS and CERTIFIED_ACCOUNT not in str(log.detail)
    assert log.detail["bank_account"] == "**** **** **** 3445"
    verify_ledger()


def test_the_code_is_always_asked_whatever_the_switch_says(tenant_a, w_ready):
    actor = actor_of(tenant_a.admin)
    call = dict(amount="10.00", bank_name="工行", account_holder="甲公司")
    assert refused(lambda: withdrawals.request_withdrawal(actor, **call)) == Codes.VERIFICATION_REQUIRED
    assert refused(lambda: withdrawals.request_withdrawal(actor, **call, verification_code="000000")) \
        == Codes.VERIFICATION_FAILED
    assert rebate_of(tenant_a.partner) == D("100.00") and not RebateWithdrawal.objects.exists()
    assert list(OperationLog.objects.filter(action="incentives.withdraw").order_by("id").values_list(
        "result", "error_code")) == [
        (OperationResult.FAILURE, Codes.VERIFICATION_REQUIRED), (OperationResult.FAILURE, Codes.VERIFICATION_FAILED)]
    # a member without any device is told to add one
    other = MemberFactory(partner=tenant_a.partner, user__username="a.finance", roles=[tenant_a.admin_role])
    assert refused(lambda: withdrawals.request_withdrawal(actor_of(other), **call, verification_code="123456")) \
        == Codes.VERIFICATION_NO_DEVICE
    withdrawals.request_withdrawal(actor, **call, verification_code=code_of(w_ready))
    assert rebate_of(tenant_a.partner) == D("90.00")


def test_only_a_member_with_the_right_may_withdraw(tenant_a, w_ready):
    call = dict(amount="10.00", bank_name="工行", account_holder="甲公司", verification_code="123456")
    key_actor = actor_for_access_key(tenant_a.key)
    assert refused(lambda: withdrawals.request_withdrawal(key_actor, **call)) == Codes.FORBIDDEN   # no code asked, refused
    device_of(tenant_a.member)
    call["verification_code"] = code_of(tenant_a.member.user.totpdevice_set.get())
    assert refused(lambda: withdrawals.request_withdrawal(actor_of(tenant_a.member), **call)) == Codes.FORBIDDEN
    assert rebate_of(tenant_a.partner) == D("100.00")


@pytest.mark.parametrize("status", [None, CertificationStatus.DRAFT, CertificationStatus.SUBMITTED,
                                    CertificationStatus.RETURNED])
def test_no_withdrawal_before_the_certification_is_verified(tenant_b, status):
    if status is not None:
        certify(tenant_b.partner, status=status)
    credit(tenant_b.partner, "50.00")
    device = device_of(tenant_b.admin)
    assert refused(lambda: withdraw(tenant_b, device, "10.00")) == WithdrawalCodes.NOT_CERTIFIED
    assert rebate_of(tenant_b.partner) == D("50.00")


@pytest.mark.parametrize("amount, code", [
    ("10.001", Codes.PARAMETER), ("0", Codes.PARAMETER), ("-5", Codes.PARAMETER), ("1e2", Codes.PARAMETER),
    ("100.01", BillingCodes.REBATE_INSUFFICIENT),
])
def test_amounts_over_the_balance_or_beyond_the_fen_are_refused(tenant_a, w_ready, amount, code):
    assert refused(lambda: withdraw(tenant_a, w_ready, amount)) == code
    assert rebate_of(tenant_a.partner) == D("100.00") and not RebateWithdrawal.objects.exists()


def test_the_whole_balance_can_be_withdrawn_then_nothing_more(tenant_a, w_ready):
    withdraw(tenant_a, w_ready, "100.00")
    assert rebate_of(tenant_a.partner) == D("0.00")
    assert refused(lambda: withdraw(tenant_a, w_ready, "0.01")) == BillingCodes.REBATE_INSUFFICIENT


def test_another_account_of_the_company_and_bad_bank_details(tenant_a, w_ready):
    withdrawal = withdraw(tenant_a, w_ready, "5.00", bank_account="6217 0000-1111 2222 999", bank_name="招商银行")
    assert secretbox.decrypt(withdrawal.bank_account_encrypted) == OTHER_ACCOUNT
    assert withdrawal.bank_account_last4 == "2999" and withdrawal.bank_name == "招商银行"
    assert refused(lambda: withdraw(tenant_a, w_ready, bank_account="12ab")) == AgreementCodes.CERT_BANK_ACCOUNT
    assert refused(lambda: withdraw(tenant_a, w_ready, bank_name=" ")) == WithdrawalCodes.BANK_REQUIRED
    assert refused(lambda: withdraw(tenant_a, w_ready, account_holder="")) == WithdrawalCodes.BANK_REQUIRED


# -------------------------------------------------------------------------------------------
# The platform's decisions
# -------------------------------------------------------------------------------------------

def test_a_rejection_returns_the_amount_once_and_tells_the_partner(tenant_a, w_ready):
    withdrawal = withdraw(tenant_a, w_ready, "40.00")
    assert rebate_of(tenant_a.partner) == D("60.00")
    assert refused(lambda: withdrawals.reject(SCHEDULER, withdrawal_id=withdrawal.pk, reason=" ")) \
        == WithdrawalCodes.REASON_REQUIRED
    done = withdrawals.reject(SCHEDULER, withdrawal_id=withdrawal.pk, reason="账户名与认证不一致")
    assert done.status == WithdrawalStatus.REJECTED and done.return_trans_id and done.decided_at
    assert rebate_of(tenant_a.partner) == D("100.00")
    assert rebate_entries(tenant_a.partner)[-1] == (TradeType.WITHDRAW_RETURN, D("40.00"), D("100.00"))
    event = Event.objects.get(type="incentives.withdrawal_rejected")
    assert event.partner == tenant_a.partner and event.data["reason"] == "账户名与认证不一致"
    assert event.data["amount"] == "40.00" and event.data["balance"] == "100.00"
    # decided once: neither a second rejection nor a payment moves anything
    assert refused(lambda: withdrawals.reject(SCHEDULER, withdrawal_id=withdrawal.pk, reason="again")) \
        == WithdrawalCodes.NOT_PENDING
    assert refused(lambda: withdrawals.mark_paid(SCHEDULER, withdrawal_id=withdrawal.pk, reference="B1")) \
        == WithdrawalCodes.NOT_PENDING
    assert rebate_of(tenant_a.partner) == D("100.00") and len(rebate_entries(tenant_a.partner)) == 3
    assert Event.objects.filter(type__startswith="incentives.withdrawal_").count() == 1
    verify_ledger()


def test_paid_once_with_a_reference_and_the_partner_is_told(tenant_a, w_ready):
    withdrawal = withdraw(tenant_a, w_ready, "25.50")
    assert refused(lambda: withdrawals.mark_paid(SCHEDULER, withdrawal_id=withdrawal.pk, reference="")) \
        == WithdrawalCodes.REFERENCE_REQUIRED
    done = withdrawals.mark_paid(SCHEDULER, withdrawal_id=withdrawal.pk, reference="ICBC-0001")
    assert done.status == WithdrawalStatus.PAID and done.payment_reference == "ICBC-0001"
    assert rebate_of(tenant_a.partner) == D("74.50")
    event = Event.objects.get(type="incentives.withdrawal_paid")
    assert event.data == {"withdrawal_no": withdrawal.withdrawal_no, "amount": "25.50",
                          "bank_account": "**** **** **** 3445", "payment_reference": "ICBC-0001"}
    assert refused(lambda: withdrawals.reject(SCHEDULER, withdrawal_id=withdrawal.pk, reason="x")) \
        == WithdrawalCodes.NOT_PENDING
    assert rebate_of(tenant_a.partner) == D("74.50")
    log = OperationLog.objects.get(action="incentives.withdrawal_paid", result=OperationResult.SUCCESS)
    assert log.partner == tenant_a.partner   # in the partner's 操作记录
    verify_ledger()


def test_only_the_platform_decides(tenant_a, w_ready):
    withdrawal = withdraw(tenant_a, w_ready, "1.00")
    admin = actor_of(tenant_a.admin)
    assert refused(lambda: withdrawals.mark_paid(admin, withdrawal_id=withdrawal.pk, reference="x")) == Codes.FORBIDDEN
    assert refused(lambda: withdrawals.reject(admin, withdrawal_id=withdrawal.pk, reason="x")) == Codes.FORBIDDEN
    assert refused(lambda: withdrawals.reject(SCHEDULER, withdrawal_id=0, reason="x")) == Codes.NOT_FOUND
    assert RebateWithdrawal.objects.get().status == WithdrawalStatus.PENDING


# -------------------------------------------------------------------------------------------
# The pages
# -------------------------------------------------------------------------------------------

def test_the_withdrawal_flow_in_the_browser_asks_the_code_with_the_switch_off(tenant_a, w_ready, admin_client_a):
    form = admin_client_a.get(URL)
    body = form.content.decode()
    assert form.status_code == 200 and 'id="withdraw-form"' in body
    assert 'value="中国工商银行"' in body and 'value="甲公司"' in body   # prefilled from the certification
    assert CERTIFIED_ACCOUNT not in body and "**** **** **** 3445" in body

    confirm = admin_client_a.post(URL, {"amount": "30.00", "bank_name": "中国工商银行", "bank_branch": "北京分行",
                                        "account_holder": "甲公司", "bank_account": ""})
    body = confirm.content.decode()
    assert 'id="withdraw-flow"' in body and 'name="verification_code"' in body
    assert [re.search(rf'id="{i}">([^<]*)<', body).group(1) for i in ("flow-before", "flow-amount", "flow-after")] \
        == ["100.00", "30.00", "70.00"]
    assert "**** **** **** 3445" in body and CERTIFIED_ACCOUNT not in body
    fields = posted_fields(confirm)

    no_code = admin_client_a.post(URL, fields)
    assert no_code.status_code == 200 and zh(MESSAGES[Codes.VERIFICATION_REQUIRED]) in no_code.content.decode()
    assert rebate_of(tenant_a.partner) == D("100.00")

    done = admin_client_a.post(URL, {**fields, "verification_code": code_of(w_ready)})
    withdrawal = RebateWithdrawal.objects.get()
    assert done.status_code == 302 and done["Location"] == f"/incentives/rebate/withdrawals/{withdrawal.withdrawal_no}/"
    assert rebate_of(tenant_a.partner) == D("70.00")
    # the same confirmation posted again (a double click, a refresh) moves nothing
    again = admin_client_a.post(URL, {**fields, "verification_code": code_of(w_ready)})
    assert again.status_code == 200 and RebateWithdrawal.objects.count() == 1
    assert rebate_of(tenant_a.partner) == D("70.00")

    detail = admin_client_a.get(done["Location"]).content.decode()
    assert "**** **** **** 3445" in detail and CERTIFIED_ACCOUNT not in detail and "30.00" in detail


def test_a_typed_account_travels_encrypted_and_is_paid_to(tenant_a, w_ready, admin_client_a):
    confirm = admin_client_a.post(URL, {"amount": "12.34", "bank_name": "招商银行", "account_holder": "甲公司",
                                        "bank_account": "6217 0000 1111 2222 999"})
    body = confirm.content.decode()
    assert "**** **** **** 2999" in body and OTHER_ACCOUNT not in body and "6217 0000" not in body
    fields = posted_fields(confirm)
    assert fields["bank_account"] == "" and secretbox.decrypt(fields["account_token"]) == OTHER_ACCOUNT
    admin_client_a.post(URL, {**fields, "verification_code": code_of(w_ready)})
    withdrawal = RebateWithdrawal.objects.get()
    assert secretbox.decrypt(withdrawal.bank_account_encrypted) == OTHER_ACCOUNT and withdrawal.bank_name == "招商银行"
    # a forged token is refused on the form, nothing moves
    forged = admin_client_a.post(URL, {**fields, "account_token": "x" + fields["account_token"][1:]})
    assert forged.status_code == 200 and 'id="withdraw-flow"' not in forged.content.decode()


@pytest.mark.parametrize("amount, message", [
    ("10.001", "金额最多保留两位小数。"),
    ("100.01", None),   # over the balance: BillingCodes.REBATE_INSUFFICIENT's message
    ("", None),
])
def test_the_form_says_what_is_wrong_with_the_amount(tenant_a, w_ready, admin_client_a, amount, message):
    from partnercenter.errors import MESSAGES as ALL
    response = admin_client_a.post(URL, {"amount": amount, "bank_name": "工行", "account_holder": "甲公司"})
    body = response.content.decode()
    assert response.status_code == 200 and 'id="withdraw-flow"' not in body and 'class="error"' in body
    if amount == "100.01":
        assert zh(ALL[BillingCodes.REBATE_INSUFFICIENT]) in body
    elif message:
        assert message in body
    assert rebate_of(tenant_a.partner) == D("100.00")


def test_a_bad_account_number_is_a_field_error(tenant_a, w_ready, admin_client_a):
    body = admin_client_a.post(URL, {"amount": "1.00", "bank_name": "工行", "account_holder": "甲公司",
                                     "bank_account": "12ab"}).content.decode()
    assert 'id="withdraw-flow"' not in body and 'class="error"' in body


def test_before_the_certification_the_pages_say_why_and_offer_no_form(tenant_b):
    credit(tenant_b.partner, "10.00")
    client = login_client(tenant_b.admin.user)
    page = client.get("/incentives/rebate/").content.decode()
    assert 'id="withdraw-refusal"' in page and 'id="withdraw-now"' not in page
    assert zh(MESSAGES[WithdrawalCodes.NOT_CERTIFIED]) in page
    for response in (client.get(URL), client.post(URL, {"amount": "1.00", "bank_name": "x", "account_holder": "y",
                                                         "bank_account": OTHER_ACCOUNT})):
        body = response.content.decode()
        assert response.status_code == 200 and 'id="withdraw-refusal"' in body and 'id="withdraw-form"' not in body
    assert rebate_of(tenant_b.partner) == D("10.00")


def test_the_rebate_pages_show_the_balance_the_withdrawals_and_the_ledger(tenant_a, w_ready, admin_client_a):
    empty = admin_client_a.get("/incentives/rebate/").content.decode()
    assert 'id="no-withdrawals"' in empty and 'id="withdraw-now"' in empty and "100.00" in empty
    first = withdraw(tenant_a, w_ready, "10.00")
    second = withdraw(tenant_a, w_ready, "20.00", bank_account=OTHER_ACCOUNT)
    withdrawals.reject(SCHEDULER, withdrawal_id=first.pk, reason="x")
    page = admin_client_a.get("/incentives/rebate/").content.decode()
    assert first.withdrawal_no in page and second.withdrawal_no in page and 'id="rebate-balance"' in page
    assert re.search(r'id="rebate-balance"><strong>80.00<', page)
    assert "**** **** **** 3445" in page and "**** **** **** 2999" in page
    assert CERTIFIED_ACCOUNT not in page and OTHER_ACCOUNT not in page
    rejected = admin_client_a.get("/incentives/rebate/?status=rejected").content.decode()
    assert first.withdrawal_no in rejected and second.withdrawal_no not in rejected
    assert 'id="no-withdrawals"' in admin_client_a.get("/incentives/rebate/?status=paid").content.decode()
    assert admin_client_a.get("/incentives/rebate/?date_from=garbage&page=zz").status_code == 200

    ledger = admin_client_a.get("/incentives/rebate/ledger/").content.decode()
    assert ledger.count("<tr data-trans=") == 4   # credited, two withdrawals, one return
    assert first.trans_id in ledger and first.withdrawal_no in ledger
    only = admin_client_a.get("/incentives/rebate/ledger/?trade_type=WITHDRAW_RETURN").content.decode()
    assert only.count("<tr data-trans=") == 1
    assert 'id="no-entries"' in admin_client_a.get("/incentives/rebate/ledger/?trade_type=INCENTIVE&date_from=2000-01-01"
                                                  "&date_to=2000-01-02").content.decode()


def test_pages_are_the_partners_own_and_need_their_rights(tenant_a, tenant_b, w_ready):
    withdrawal = withdraw(tenant_a, w_ready, "10.00")
    detail = f"/incentives/rebate/withdrawals/{withdrawal.withdrawal_no}/"
    other = login_client(tenant_b.admin.user)
    assert other.get(detail).status_code == 404
    assert withdrawal.withdrawal_no not in other.get("/incentives/rebate/").content.decode()
    assert other.get("/incentives/rebate/withdrawals/NOPE/").status_code == 404
    # an account manager holds no incentive right unless a role grants it
    manager = login_client(tenant_a.member.user)
    for url in ("/incentives/rebate/", "/incentives/rebate/ledger/", URL, detail):
        assert manager.get(url).status_code == 403, url
    assert manager.post(URL, {"amount": "1.00"}).status_code == 403
    # a role with incentives.view reads, but cannot withdraw
    tenant_a.member.roles.add(RoleFactory(partner=tenant_a.partner, name="激励查看", permissions=["incentives.view"]))
    manager = login_client(tenant_a.member.user)
    assert manager.get(detail).status_code == 200
    page = manager.get("/incentives/rebate/").content.decode()
    assert withdrawal.withdrawal_no in page and 'id="withdraw-now"' not in page
    assert manager.get(URL).status_code == 403
    assert Client().get("/incentives/rebate/").status_code == 302   # to the login


@pytest.mark.parametrize("count", [3, 25])
def test_the_pages_run_a_constant_number_of_queries(tenant_a, w_ready, admin_client_a, django_assert_max_num_queries,
                                                    count):
    credit(tenant_a.partner, "1000.00")
    for _ in range(count):
        withdraw(tenant_a, w_ready, "1.00")
    for url in ("/incentives/rebate/", "/incentives/rebate/ledger/", URL):
        with django_assert_max_num_queries(14):
            assert admin_client_a.get(url).status_code == 200, url


def test_the_events_link_to_the_withdrawal(tenant_a, w_ready):
    from events.types import get as event_type

    withdrawal = withdraw(tenant_a, w_ready, "10.00")
    withdrawals.mark_paid(SCHEDULER, withdrawal_id=withdrawal.pk, reference="R-1")
    event = Event.objects.get(type="incentives.withdrawal_paid")
    kind = event_type(event.type)
    assert kind.link(event, "partner") == f"/incentives/rebate/withdrawals/{withdrawal.withdrawal_no}/"
    assert "3445" in kind.text(event.data) and "R-1" in kind.text(event.data)
