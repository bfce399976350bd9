"""激励返点提现 at once, on PostgreSQL (area W): 20 concurrent withdrawals against a rebate balance that covers 5
leave exactly 5 (the conditional UPDATE of billing.rebates.debit_rebate decides; the others are refused and
change nothing); concurrent decisions on one withdrawal decide it once and return the amount at most once;
verify_ledger and verify_counts stay clean."""

import io

import pytest
from django.core.management import call_command
from django.db import connection

from billing.errors import BillingCodes
from billing.models import LedgerEntry
from incentives import withdrawals
from incentives.choices import WithdrawalStatus
from incentives.errors_withdrawals import WithdrawalCodes
from incentives.models import RebateWithdrawal
from partnercenter.actors import SCHEDULER
from partnercenter.errors import DomainError

from ..conftest import actor_of, build_tenant
from ..factories import MemberFactory
from ..trade.test_concurrency_pg import at_once
from .withdrawals_fixtures import D, certify, code_of, credit, device_of, rebate_of, verify_ledger

needs_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL")
pytestmark = [needs_postgres, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_twenty_concurrent_withdrawals_against_a_balance_for_five_leave_exactly_five():
    tenant = build_tenant("w")
    certify(tenant.partner)
    credit(tenant.partner, "50.00")
    # twenty members at once, each with its own authenticator (a TOTP code works once)
    members = [MemberFactory(partner=tenant.partner, user__username=f"w.finance{i}", roles=[tenant.admin_role])
               for i in range(20)]
    codes = [code_of(device_of(member)) for member in members]

    def job(member, code):
        return lambda: withdrawals.request_withdrawal(actor_of(member), amount="10.00", bank_name="中国工商银行",
                                                      account_holder="甲公司", verification_code=code)

    outcomes = at_once([job(member, code) for member, code in zip(members, codes)])

    made = [o for o in outcomes if isinstance(o, RebateWithdrawal)]
    refused = [o for o in outcomes if isinstance(o, DomainError)]
    assert len(made) == 5 and len(refused) == 15, [o for o in outcomes if not isinstance(o, (RebateWithdrawal,
                                                                                             DomainError))]
    assert {o.code for o in refused} == {BillingCodes.REBATE_INSUFFICIENT}
    assert rebate_of(tenant.partner) == D("0.00")
    assert RebateWithdrawal.objects.count() == 5
    assert LedgerEntry.objects.filter(partner=tenant.partner, trade_type="WITHDRAW").count() == 5
    verify_ledger()
    call_command("verify_counts", stdout=io.StringIO())


def test_concurrent_decisions_decide_once_and_return_at_most_once():
    tenant = build_tenant("v")
    certify(tenant.partner)
    credit(tenant.partner, "30.00")
    device = device_of(tenant.admin)
    first = withdrawals.request_withdrawal(actor_of(tenant.admin), amount="30.00", bank_name="工行",
                                           account_holder="甲公司", verification_code=code_of(device))

    outcomes = at_once([lambda: withdrawals.reject(SCHEDULER, withdrawal_id=first.pk, reason="x")] * 4
                       + [lambda: withdrawals.mark_paid(SCHEDULER, withdrawal_id=first.pk, reference="R")] * 4)

    decided = [o for o in outcomes if isinstance(o, RebateWithdrawal)]
    assert len(decided) == 1, outcomes
    assert {o.code for o in outcomes if isinstance(o, DomainError)} == {WithdrawalCodes.NOT_PENDING}
    status = RebateWithdrawal.objects.get().status
    assert rebate_of(tenant.partner) == (D("30.00") if status == WithdrawalStatus.REJECTED else D("0.00"))
    assert LedgerEntry.objects.filter(partner=tenant.partner, trade_type="WITHDRAW_RETURN").count() == (
        1 if status == WithdrawalStatus.REJECTED else 0)
    verify_ledger()
