"""Month close (bills.closing.close_month): the customers' monthly sums against fee records computed by hand
(refunds negative, adjustments, a customer that changed partners mid-month → two sums for two partners, a
customer without a partner), the partner bills from those sums and from the partners' ledger entries of the
month (recharges, allocations, reclaims, partner-paid orders, refunds; credit used at the cycle's end, read
from the ledger, Asia/Shanghai month boundaries), the cycle's counts and `bill.closed` events, a second run
changing nothing, and a closed month's sums unchanged after new records (they land in the next cycle)."""

from decimal import Decimal

import pytest
from django.db import transaction

from billing import purchases
from billing import services as billing
from bills import closing
from bills.choices import BillSumType, BillType, PeriodStatus
from bills.models import BillingPeriod, CustomerMonthlySum, PartnerBill
from catalog.choices import ChargeMode
from customers.models import Association
from events.models import Event
from partnercenter.actors import SCHEDULER
from partnercenter.errors import Codes, DomainError
from partnercenter.models import OperationLog

from ..billing_helpers import fund
from ..conftest import actor_of, build_tenant
from ..factories import AssociationFactory, CustomerFactory
from .closing_helpers import EC2, EVS, at, fee, service, shanghai, snapshot

pytestmark = pytest.mark.django_db

D = Decimal
MARCH = "2026-03"
ON_DEMAND, PERIOD = ChargeMode.ON_DEMAND, ChargeMode.PERIOD


class World:
    """Partner A (resale customer R, referral customer F, customer M that left A for B on March 15), partner B,
    partner C (only a recharge in March), partner D (nothing), a customer with no partner; fee records of
    March by hand, and records of February and April that March must not see."""

    def __init__(self):
        with at("2026-02-10 10:00"):
            self.a, self.b, self.c, self.d = (build_tenant(tag) for tag in "abcd")
            fund(self.a.partner, "100.00", credit_limit="500.00")
            self.moved = CustomerFactory()
            self.old = AssociationFactory(partner=self.a.partner, customer=self.moved, association_type="2")
        self.old.ended_on = shanghai("2026-03-15 00:00")
        self.old.save()
        self.new = AssociationFactory(partner=self.b.partner, customer=self.moved, association_type="1",
                                      associated_on=shanghai("2026-03-15 00:00"))
        self.r, self.f = self.a.resale, self.a.referral
        self.ra = Association.objects.get(customer=self.r, ended_on__isnull=True)
        self.fa = Association.objects.get(customer=self.f, ended_on__isnull=True)
        self.nobody = CustomerFactory()
        self._fees()
        self._ledger()

    def _fees(self):
        r, ra = self.r, self.ra
        fee(r, cycle=MARCH, association=ra, official="10.00", discount="1.00", erase="0.01", coupon="2.00")
        fee(r, cycle=MARCH, association=ra, official="5.50", discount="0.50", debt="2.00")
        fee(r, cycle=MARCH, association=ra, bill_type=BillType.NEW, mode=PERIOD, official="100.00",
            discount="10.00", flexi="20.00")
        fee(r, cycle=MARCH, association=ra, bill_type=BillType.REFUND, mode=PERIOD, official="-50.00",
            discount="-5.00")
        fee(r, cycle=MARCH, association=ra, bill_type=BillType.COMPENSATION, official="3.00")
        fee(r, cycle=MARCH, association=ra, code=EVS, official="1.20", is_adjustment=True)  # late, from February
        fee(self.f, cycle=MARCH, association=self.fa, official="7.00")
        fee(self.moved, cycle=MARCH, association=self.old, official="4.00")
        fee(self.moved, cycle=MARCH, association=self.new, official="6.00")
        fee(self.nobody, cycle=MARCH, official="2.00")
        fee(r, cycle="2026-02", association=ra, official="99.00")
        fee(r, cycle="2026-04", association=ra, official="98.00")

    def _ledger(self):
        admin = actor_of(self.a.admin)
        with at("2026-03-01 00:00"):  # the first moment of March in Shanghai
            fund(self.a.partner, "200.00")
        with at("2026-03-10 09:00"):
            billing.allocate_to_customer(admin, customer_id=self.r.domain_id, amount=D("450.00"))
        with at("2026-03-12 09:00"):
            billing.reclaim_from_customer(admin, customer_id=self.r.domain_id, amount=D("50.00"))
        with at("2026-03-20 09:00"), transaction.atomic():
            purchases.pay_from_partner_cash(self.a.partner, D("80.00"), trans_id="ORDER-1")
        with at("2026-03-31 23:59"), transaction.atomic():
            purchases.refund_to_partner_cash(self.a.partner, D("30.00"), trans_id="ORDER-1")
            fund(self.c.partner, "10.00")
        with at("2026-04-01 00:00"):  # April in Shanghai (still March 31 in UTC): not March's
            fund(self.a.partner, "1000.00")
            fund(self.d.partner, "5.00")


@pytest.fixture
def w():
    return World()


def close(cycle=MARCH, when="2026-04-01 00:30"):
    with at(when):
        return closing.close_month(SCHEDULER, bill_cycle=cycle)


def sums_of(customer, **filters):
    return {
        (s.partner_id, s.service_type.code, s.charging_mode, s.bill_type): (
            s.records, s.official_amount, s.discount_amount, s.erase_amount, s.consume_amount, s.coupon_amount,
            s.flexipurchase_coupon_amount, s.cash_amount, s.debt_amount)
        for s in CustomerMonthlySum.objects.filter(customer=customer, **filters).select_related("service_type")
    }


def test_the_sums_are_the_fee_records_of_the_cycle_by_customer_partner_service_mode_and_kind(w):
    result = close()
    a, b = w.a.partner.pk, w.b.partner.pk
    assert sums_of(w.r) == {
        (a, EC2, ON_DEMAND, BillSumType.CONSUMPTION): (
            2, D("15.50"), D("1.50"), D("0.01"), D("13.99"), D("2.00"), D("0.00"), D("9.99"), D("2.00")),
        (a, EC2, PERIOD, BillSumType.CONSUMPTION): (
            1, D("100.00"), D("10.00"), D("0.00"), D("90.00"), D("0.00"), D("20.00"), D("70.00"), D("0.00")),
        (a, EC2, PERIOD, BillSumType.REFUND): (
            1, D("-50.00"), D("-5.00"), D("0.00"), D("-45.00"), D("0.00"), D("0.00"), D("-45.00"), D("0.00")),
        (a, EC2, ON_DEMAND, BillSumType.ADJUSTMENT): (
            1, D("3.00"), D("0.00"), D("0.00"), D("3.00"), D("0.00"), D("0.00"), D("3.00"), D("0.00")),
        (a, EVS, ON_DEMAND, BillSumType.ADJUSTMENT): (
            1, D("1.20"), D("0.00"), D("0.00"), D("1.20"), D("0.00"), D("0.00"), D("1.20"), D("0.00")),
    }
    # a customer that left A for B in the middle of the month: one sum for each partner, each its own part
    assert sums_of(w.moved) == {
        (a, EC2, ON_DEMAND, BillSumType.CONSUMPTION): (
            1, D("4.00"), D("0.00"), D("0.00"), D("4.00"), D("0.00"), D("0.00"), D("4.00"), D("0.00")),
        (b, EC2, ON_DEMAND, BillSumType.CONSUMPTION): (
            1, D("6.00"), D("0.00"), D("0.00"), D("6.00"), D("0.00"), D("0.00"), D("6.00"), D("0.00")),
    }
    assert set(CustomerMonthlySum.objects.filter(customer=w.moved).values_list("association_id", flat=True)) == {
        w.old.pk, w.new.pk}
    assert sums_of(w.nobody) == {(None, EC2, ON_DEMAND, BillSumType.CONSUMPTION): (
        1, D("2.00"), D("0.00"), D("0.00"), D("2.00"), D("0.00"), D("0.00"), D("2.00"), D("0.00"))}
    assert len(sums_of(w.f)) == 1
    # February and April are not March's
    assert not CustomerMonthlySum.objects.exclude(bill_cycle=MARCH).exists()
    assert result.closed and result.sums == 9 == CustomerMonthlySum.objects.count()


def bill_of(partner):
    return PartnerBill.objects.get(partner=partner, bill_cycle=MARCH)


def test_the_partner_bills_add_their_customers_sums_and_their_own_ledger_of_the_month(w):
    result = close()
    bill = bill_of(w.a.partner)
    assert bill.customers == 3  # R, F and M (its part of the month)
    assert bill.consumption_amount == D("74.19")  # R 63.19 + F 7.00 + M 4.00 (refund negative)
    assert bill.resale_cash_amount == D("43.19")  # R's cash 39.19 and M's 4.00 while resale; not F's (referral)
    assert bill.coupon_amount == D("22.00")
    assert bill.debt_amount == D("2.00")
    assert bill.recharge_amount == D("200.00")  # not February's 100.00, not April's 1,000.00
    assert bill.allocation_amount == D("450.00")
    assert bill.reclaim_amount == D("50.00")
    assert bill.partner_paid_amount == D("80.00")
    assert bill.refund_amount == D("30.00")
    # at the end of March: cash 100 + 200 − 80 + 30 = 250, allocated 400, credit 500 → 150 of the credit used
    assert (bill.credit_limit, bill.credit_used, bill.amount_due) == (D("500.00"), D("150.00"), D("150.00"))
    moved_to = bill_of(w.b.partner)
    assert (moved_to.customers, moved_to.consumption_amount, moved_to.resale_cash_amount) == (1, D("6.00"), D("0.00"))
    assert (moved_to.recharge_amount, moved_to.credit_used) == (D("0.00"), D("0.00"))
    only_money = bill_of(w.c.partner)  # no consumption, a recharge at 23:59 on March 31
    assert (only_money.customers, only_money.consumption_amount, only_money.recharge_amount) == (
        0, D("0.00"), D("10.00"))
    assert not PartnerBill.objects.filter(partner=w.d.partner).exists()  # its recharge was in April
    assert result.bills == 3 == PartnerBill.objects.count()


def test_the_cycle_is_closed_with_its_counts_an_event_per_partner_bill_and_a_log_row(w):
    close()
    period = BillingPeriod.objects.get(bill_cycle=MARCH)
    assert (period.status, period.fee_records, period.customers) == (PeriodStatus.CLOSED, 10, 4)
    assert period.closed_at == shanghai("2026-04-01 00:30")
    events = Event.objects.filter(type="bill.closed").order_by("partner_id")
    assert [e.partner_id for e in events] == sorted([w.a.partner.pk, w.b.partner.pk, w.c.partner.pk])
    mine = events.get(partner=w.a.partner)
    assert mine.data == {"bill_cycle": MARCH, "customers": 3, "amount": "74.19", "amount_due": "150.00"}
    assert mine.key == f"bill.closed:{MARCH}:{w.a.partner.pk}"
    assert "¥74.19" in mine.text and MARCH in mine.text
    log = OperationLog.objects.get(action="bills.close_month")
    assert log.partner is None and log.detail["sums"] == 9 and log.detail["bills"] == 3


def test_a_second_close_changes_nothing(w):
    first = close()
    before = snapshot()
    again = close(when="2026-04-02 08:00")
    assert first.closed and not again.closed
    assert snapshot() == before


def test_a_closed_month_keeps_its_sums_new_records_land_in_the_next_cycle(w):
    close()
    before = snapshot()
    with transaction.atomic():
        assert closing.lock_landing([MARCH, "2026-04"]) == {MARCH: ("2026-04", True), "2026-04": ("2026-04", False)}
        fee(w.r, cycle="2026-04", association=w.ra, official="8.00", is_adjustment=True)  # late March usage
    assert close(when="2026-04-03 00:00").closed is False
    after = snapshot()
    assert (after["sums"], after["bills"], after["events"]) == (before["sums"], before["bills"], before["events"])
    assert after["periods"] == before["periods"] + [("2026-04", PeriodStatus.OPEN, None, 0, 0)]  # lock_landing's row
    close("2026-04", when="2026-05-01 00:30")
    assert sums_of(w.r, bill_cycle="2026-04") == {
        (w.a.partner.pk, EC2, ON_DEMAND, BillSumType.ADJUSTMENT): (
            1, D("8.00"), D("0.00"), D("0.00"), D("8.00"), D("0.00"), D("0.00"), D("8.00"), D("0.00")),
        (w.a.partner.pk, EC2, ON_DEMAND, BillSumType.CONSUMPTION): (
            1, D("98.00"), D("0.00"), D("0.00"), D("98.00"), D("0.00"), D("0.00"), D("98.00"), D("0.00")),
    }
    assert snapshot()["sums"][:len(before["sums"])] == before["sums"]


def test_a_cycle_an_operator_reopened_closes_anew_without_duplicates(w):
    close()
    sums = sorted(CustomerMonthlySum.objects.values_list("customer_id", "partner_id", "bill_type", "consume_amount"))
    BillingPeriod.objects.filter(bill_cycle=MARCH).update(status=PeriodStatus.OPEN, closed_at=None)
    assert close(when="2026-04-05 00:00").closed
    assert sorted(CustomerMonthlySum.objects.values_list("customer_id", "partner_id", "bill_type",
                                                         "consume_amount")) == sums
    assert PartnerBill.objects.count() == 3
    assert Event.objects.filter(type="bill.closed").count() == 3  # keyed: told once


def test_only_the_platform_closes_only_ended_months(w):
    with pytest.raises(DomainError) as refused:
        closing.close_month(actor_of(w.a.admin), bill_cycle=MARCH)
    assert refused.value.code == Codes.FORBIDDEN
    with at("2026-03-31 23:59"), pytest.raises(DomainError) as early:
        closing.close_month(SCHEDULER, bill_cycle=MARCH)
    assert early.value.code == "CBC.99009030"
    for bad in ("2026-13", "2026-3", "march", ""):
        with pytest.raises(DomainError) as wrong:
            close(bad)
        assert wrong.value.code == Codes.PARAMETER
    assert not BillingPeriod.objects.exists() and not CustomerMonthlySum.objects.exists()


def test_an_empty_month_closes_with_no_sums_and_no_bills(db):
    service()
    result = close("2026-01", when="2026-02-01 00:30")
    assert (result.closed, result.sums, result.bills, result.fee_records, result.customers) == (True, 0, 0, 0, 0)
    assert BillingPeriod.objects.get(bill_cycle="2026-01").status == PeriodStatus.CLOSED


def test_paid_orders_not_yet_recorded_are_recorded_first_when_the_module_exists(w, monkeypatch):
    calls = []

    class OrderFees:
        @staticmethod
        def record_missing(*, up_to):
            calls.append(up_to)
            fee(w.r, cycle=MARCH, association=w.ra, bill_type=BillType.RENEW, mode=PERIOD, official="12.00")

    monkeypatch.setattr(closing, "order_fees_module", lambda: OrderFees)
    close()
    assert calls == [shanghai("2026-04-01 00:00")]
    assert sums_of(w.r)[(w.a.partner.pk, EC2, PERIOD, BillSumType.CONSUMPTION)][:2] == (2, D("112.00"))
    calls.clear()
    close(when="2026-04-02 00:00")  # closed: nothing is recorded for it any more
    assert calls == []
