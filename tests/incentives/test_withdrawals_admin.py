"""The operator's withdrawal screens (area W): read-only, the account only masked, each decision on its own page
behind `incentives.change_rebatewithdrawal`, through the service, once."""

import pytest
from django.contrib.auth.models import Permission

from billing.choices import TradeType
from events.models import Event
from incentives import withdrawals
from incentives.choices import WithdrawalStatus
from incentives.models import RebateWithdrawal
from partnercenter.models import OperationLog

from ..conftest import actor_of, login_client
from ..factories import UserFactory
from .withdrawals_fixtures import (
    CERTIFIED_ACCOUNT, D, certify, code_of, credit, device_of, rebate_entries, rebate_of, verify_ledger,
)

ADMIN = "/admin/incentives/rebatewithdrawal/"


@pytest.fixture
def w_pending(tenant_a):
    certify(tenant_a.partner)
    credit(tenant_a.partner, "100.00")
    device = device_of(tenant_a.admin)
    return withdrawals.request_withdrawal(actor_of(tenant_a.admin), amount="40.00", bank_name="中国工商银行",
                                          account_holder="甲公司", verification_code=code_of(device))


def staff(username, *permissions):
    user = UserFactory(username=username, is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(
        content_type__app_label="incentives", codename__in=permissions))
    return login_client(user)


def test_the_list_and_the_withdrawal_show_the_account_masked_and_change_nothing(w_pending):
    operator = login_client(UserFactory(username="ops", is_staff=True, is_superuser=True))
    listing = operator.get(ADMIN).content.decode()
    assert w_pending.withdrawal_no in listing and "**** **** **** 3445" in listing
    assert CERTIFIED_ACCOUNT not in listing and "withdrawal-paid" in listing and "withdrawal-reject" in listing
    change = operator.get(f"{ADMIN}{w_pending.pk}/change/").content.decode()
    assert "**** **** **** 3445" in change and CERTIFIED_ACCOUNT not in change
    assert w_pending.bank_account_encrypted not in change
    assert operator.get(f"{ADMIN}add/").status_code == 403
    assert operator.post(f"{ADMIN}{w_pending.pk}/delete/", {"post": "yes"}).status_code == 403
    assert RebateWithdrawal.objects.count() == 1


def test_deciding_needs_the_permission_not_only_staff(w_pending):
    viewer = staff("ops.viewer", "view_rebatewithdrawal")
    assert viewer.get(ADMIN).status_code == 200
    assert viewer.get(f"{ADMIN}{w_pending.pk}/paid/").status_code == 403
    assert viewer.post(f"{ADMIN}{w_pending.pk}/reject/", {"reason": "x"}).status_code == 403
    assert RebateWithdrawal.objects.get().status == WithdrawalStatus.PENDING
    decider = staff("ops.decider", "change_rebatewithdrawal")
    assert decider.get(f"{ADMIN}{w_pending.pk}/paid/").status_code == 200


def test_a_rejection_in_the_admin_returns_the_amount_and_a_second_decision_is_refused(tenant_a, w_pending):
    decider = staff("ops.decider", "change_rebatewithdrawal")
    url = f"{ADMIN}{w_pending.pk}/reject/"
    blank = decider.post(url, {"reason": ""})
    assert blank.status_code == 200 and RebateWithdrawal.objects.get().status == WithdrawalStatus.PENDING
    done = decider.post(url, {"reason": "户名不符"})
    assert done.status_code == 302
    withdrawal = RebateWithdrawal.objects.get()
    assert withdrawal.status == WithdrawalStatus.REJECTED and withdrawal.reason == "户名不符"
    assert withdrawal.decided_by.username == "ops.decider"
    assert rebate_of(tenant_a.partner) == D("100.00")
    # a repeated POST (or another operator's payment) moves nothing and says so
    again = decider.post(url, {"reason": "again"}, follow=True)
    paid = decider.post(f"{ADMIN}{w_pending.pk}/paid/", {"reference": "R"}, follow=True)
    assert again.status_code == paid.status_code == 200
    assert RebateWithdrawal.objects.get().status == WithdrawalStatus.REJECTED
    assert [t for t, _a, _b in rebate_entries(tenant_a.partner)] == [
        TradeType.INCENTIVE, TradeType.WITHDRAW, TradeType.WITHDRAW_RETURN]
    assert Event.objects.filter(type="incentives.withdrawal_rejected").count() == 1
    assert OperationLog.objects.filter(action="incentives.withdrawal_rejected", result="success",
                                       partner=tenant_a.partner).count() == 1
    verify_ledger()


def test_marking_paid_in_the_admin(tenant_a, w_pending):
    decider = staff("ops.decider", "change_rebatewithdrawal")
    response = decider.post(f"{ADMIN}{w_pending.pk}/paid/", {"reference": "ICBC-20260401-1"})
    assert response.status_code == 302
    withdrawal = RebateWithdrawal.objects.get()
    assert withdrawal.status == WithdrawalStatus.PAID and withdrawal.payment_reference == "ICBC-20260401-1"
    assert rebate_of(tenant_a.partner) == D("60.00")
    assert Event.objects.filter(type="incentives.withdrawal_paid", partner=tenant_a.partner).count() == 1
    listing = decider.get(ADMIN).content.decode()
    assert "withdrawal-paid" not in listing   # decided: no decision links any more
    assert decider.get(f"{ADMIN}999999/paid/").status_code == 404
