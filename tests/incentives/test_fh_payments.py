"""季度付款申请 of the FH staff incentive: every documented refusal with its own code (商业信息认证 first; not while a
month of the quarter can still be applied for or is under review, or its last list may still come; not without a
final month; not twice), the amount, the operators' approval, the invoice number and the payment."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine

from events.models import Event
from incentives import fh_payments
from incentives.choices import FhMonthStatus as S
from incentives.choices import FhPaymentStatus
from incentives.errors_fh import FhCodes
from incentives.event_types_fh import FH_PAYMENT_DECIDED, FH_PAYMENT_PAID
from incentives.models_fh import FhPayment
from partnercenter.errors import DomainError
from partnercenter.models import OperationLog
from programs.choices import CertificationStatus
from programs.models import BusinessCertification

from ..conftest import actor_of
from .fh_fixtures import fh_partner, generate_at, make_operator, month_row, shanghai

pytestmark = pytest.mark.django_db

JUL, AUG, SEP = date(2026, 7, 1), date(2026, 8, 1), date(2026, 9, 1)
AFTER_Q3 = shanghai(2026, 10, 20, 10, 0)


@pytest.fixture
def world(tenant_a):
    return fh_partner(tenant_a)


def quarter(world, *statuses, skip=()):
    rows = {}
    for month, status in zip((JUL, AUG, SEP), statuses):
        if month not in skip:
            rows[month] = month_row(world.partner, month, status, lines=world.specialists)
    return rows


def refused_with(world, code, at=AFTER_Q3, year=2026, q=3):
    with time_machine.travel(at, tick=False), pytest.raises(DomainError) as refused:
        fh_payments.apply(actor_of(world.tenant.admin), year=year, quarter=q)
    assert refused.value.code == code, refused.value
    assert not FhPayment.objects.exists()
    return refused.value


def test_the_payment_is_the_sum_of_the_final_months(world):
    quarter(world, S.FINAL, S.LAPSED, S.FINAL)
    with time_machine.travel(AFTER_Q3, tick=False):
        payment = fh_payments.apply(actor_of(world.tenant.admin), year=2026, quarter=3)
    assert (payment.status, payment.amount) == (FhPaymentStatus.APPLIED, Decimal("32000.00"))
    assert (payment.year, payment.quarter, payment.partner) == (2026, 3, world.partner)
    assert OperationLog.objects.get(action="incentives.fh_payment_apply").result == "success"


def test_refused_before_the_business_information_certification(world):
    quarter(world, S.FINAL, S.FINAL, S.FINAL)
    BusinessCertification.objects.filter(partner=world.partner).update(status=CertificationStatus.SUBMITTED)
    error = refused_with(world, FhCodes.PAYMENT_NOT_CERTIFIED)
    assert "商业信息认证" in str(error.message)
    BusinessCertification.objects.filter(partner=world.partner).delete()
    refused_with(world, FhCodes.PAYMENT_NOT_CERTIFIED)
    assert OperationLog.objects.filter(action="incentives.fh_payment_apply", result="failure",
                                       error_code=FhCodes.PAYMENT_NOT_CERTIFIED).count() == 2


def test_refused_before_the_quarter_has_ended(world):
    quarter(world, S.FINAL, S.FINAL, skip=(SEP,))
    refused_with(world, FhCodes.PAYMENT_QUARTER_NOT_OVER, at=shanghai(2026, 9, 30, 23, 59))


def test_refused_while_a_month_can_still_be_applied_for(world):
    quarter(world, S.FINAL, S.FINAL, S.GENERATED)
    refused_with(world, FhCodes.PAYMENT_MONTH_OPEN)
    S_RETURNED = S.RETURNED
    world.partner.fh_months.filter(month=SEP).update(status=S_RETURNED)
    refused_with(world, FhCodes.PAYMENT_MONTH_OPEN)


def test_refused_while_a_month_is_under_review(world):
    quarter(world, S.SUBMITTED, S.FINAL, S.FINAL)
    refused_with(world, FhCodes.PAYMENT_MONTH_UNDER_REVIEW)


def test_refused_while_the_last_months_list_may_still_be_generated(world):
    quarter(world, S.FINAL, S.FINAL, skip=(SEP,))
    # 1 October 00:05: the quarter has ended, September's list comes with the 00:15 run
    refused_with(world, FhCodes.PAYMENT_LIST_PENDING, at=shanghai(2026, 10, 1, 0, 5))
    generate_at(shanghai(2026, 10, 1, 0, 15))
    refused_with(world, FhCodes.PAYMENT_MONTH_OPEN, at=shanghai(2026, 10, 1, 0, 20))


def test_a_month_without_a_list_is_no_obstacle_once_none_can_come(world):
    quarter(world, S.FINAL, S.FINAL, skip=(SEP,))
    for item in world.specialists:                      # no specialists in September: no list
        item.status = "cancelled"
        item.save(update_fields=["status"])
    with time_machine.travel(shanghai(2026, 10, 1, 0, 5), tick=False):
        payment = fh_payments.apply(actor_of(world.tenant.admin), year=2026, quarter=3)
    assert payment.amount == Decimal("32000.00")


def test_refused_when_no_month_is_final(world):
    quarter(world, S.LAPSED, S.LAPSED, S.LAPSED)
    refused_with(world, FhCodes.PAYMENT_NOTHING_FINAL)
    refused_with(world, FhCodes.PAYMENT_NOTHING_FINAL, year=2026, q=1)     # a quarter with no lists at all


def test_refused_twice_but_a_rejected_application_may_be_followed_by_another(world):
    quarter(world, S.FINAL, S.FINAL, S.FINAL)
    actor = actor_of(world.tenant.admin)
    with time_machine.travel(AFTER_Q3, tick=False):
        first = fh_payments.apply(actor, year=2026, quarter=3)
        with pytest.raises(DomainError) as refused:
            fh_payments.apply(actor, year=2026, quarter=3)
        assert refused.value.code == FhCodes.PAYMENT_ALREADY_APPLIED
        fh_payments.reject(actor_of(make_operator()), payment=first, reason="材料不全")
        second = fh_payments.apply(actor, year=2026, quarter=3)
    assert second.pk != first.pk and second.status == FhPaymentStatus.APPLIED
    assert Event.objects.get(type=FH_PAYMENT_DECIDED).data["decision"] == "rejected"


def test_a_bad_quarter_is_a_parameter_error(world):
    refused_with(world, "CBC.0100", year="x", q=3)
    refused_with(world, "CBC.0100", year=2026, q=5)


def test_approval_invoice_number_and_payment(world):
    quarter(world, S.FINAL, S.FINAL, S.FINAL)
    partner_actor, operator = actor_of(world.tenant.admin), actor_of(make_operator())
    with time_machine.travel(AFTER_Q3, tick=False):
        payment = fh_payments.apply(partner_actor, year=2026, quarter=3)
    with pytest.raises(DomainError) as refused:                       # not before the approval
        fh_payments.enter_invoice(partner_actor, payment=payment, invoice_number="12345678")
    assert refused.value.code == FhCodes.PAYMENT_NOT_APPROVED
    with pytest.raises(DomainError) as refused:                       # a partner cannot approve
        fh_payments.approve(partner_actor, payment=payment)
    assert refused.value.code == "CBC.0151"

    fh_payments.approve(operator, payment=payment)
    with pytest.raises(DomainError) as refused:
        fh_payments.approve(operator, payment=payment)
    assert refused.value.code == FhCodes.PAYMENT_NOT_APPLIED
    assert Event.objects.get(type=FH_PAYMENT_DECIDED).data["decision"] == "approved"
    with pytest.raises(DomainError) as refused:
        fh_payments.mark_paid(operator, payment=payment, reference="X")
    assert refused.value.code == FhCodes.PAYMENT_NOT_INVOICED

    for bad in ("", "1234567", "12345678901234567890X", "1234-5678"):
        with pytest.raises(DomainError) as refused:
            fh_payments.enter_invoice(partner_actor, payment=payment, invoice_number=bad)
        assert refused.value.code == FhCodes.INVOICE_NUMBER_INVALID
    invoiced = fh_payments.enter_invoice(partner_actor, payment=payment, invoice_number=" 2633200000012345678a ")
    assert (invoiced.status, invoiced.invoice_number) == (FhPaymentStatus.INVOICED, "2633200000012345678A")
    with pytest.raises(DomainError) as refused:                       # once
        fh_payments.enter_invoice(partner_actor, payment=payment, invoice_number="87654321")
    assert refused.value.code == FhCodes.PAYMENT_NOT_APPROVED

    paid = fh_payments.mark_paid(operator, payment=payment, reference="HW-PAY-001")
    assert paid.status == FhPaymentStatus.PAID and paid.payment_reference == "HW-PAY-001"
    assert Event.objects.get(type=FH_PAYMENT_PAID).data["amount"] == "48000.00"
    assert [step.state for step in fh_payments.progress(paid)] == ["done"] * 4


def test_the_progress_steps(world):
    quarter(world, S.FINAL, S.FINAL, S.FINAL)
    with time_machine.travel(AFTER_Q3, tick=False):
        payment = fh_payments.apply(actor_of(world.tenant.admin), year=2026, quarter=3)
    assert [s.state for s in fh_payments.progress(payment)] == ["done", "current", "todo", "todo"]
    payment.status = FhPaymentStatus.APPROVED
    assert [s.state for s in fh_payments.progress(payment)] == ["done", "done", "current", "todo"]
    payment.status, payment.reason = FhPaymentStatus.REJECTED, "不符合条件"
    steps = fh_payments.progress(payment)
    assert [s.state for s in steps] == ["done", "failed", "todo", "todo"] and steps[1].note == "不符合条件"


def test_another_partners_payment_is_not_found(world, tenant_b):
    quarter(world, S.FINAL, S.FINAL, S.FINAL)
    with time_machine.travel(AFTER_Q3, tick=False):
        payment = fh_payments.apply(actor_of(world.tenant.admin), year=2026, quarter=3)
    fh_payments.approve(actor_of(make_operator()), payment=payment)
    with pytest.raises(DomainError) as refused:
        fh_payments.enter_invoice(actor_of(tenant_b.admin), payment=payment.pk, invoice_number="12345678")
    assert refused.value.code == "CBC.0156"
