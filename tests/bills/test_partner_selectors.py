"""The partner's reads of consumption and bills (bills.selectors): whose fee records a partner sees (its
customers' while associated with it — also after they left — never before or after; a distributor naming a
reseller; an account manager's team only), monthly sums that read the same from an open month's fee records
and from a closed month's sums, and the running partner bill."""

from decimal import Decimal

import pytest

from billing import services as billing_services
from bills import periods, running_sums, selectors
from bills.choices import BillSumType
from partnercenter.actors import actor_for_user

from ..billing_helpers import fund
from .partner_helpers import EC2, EVS, OBS, World, close, partner_bill

pytestmark = pytest.mark.django_db

CYCLE = periods.previous_cycle(periods.previous_cycle(periods.current_cycle()))


def actor(member):
    return actor_for_user(member.user)


@pytest.fixture
def world(db):
    world = World(CYCLE)
    world.records = world.month()
    return world


def amounts(queryset):
    return sorted(record.consume_amount for record in queryset)


def test_a_customer_that_left_mid_month_is_seen_by_each_partner_for_its_own_part(world):
    a_sees = selectors.fee_records_for(actor(world.admin)).filter(customer=world.mover)
    b_sees = selectors.fee_records_for(actor(world.b_admin)).filter(customer=world.mover)

    assert amounts(a_sees) == [Decimal("4.00"), Decimal("11.00")]
    assert amounts(b_sees) == [Decimal("6.00"), Decimal("13.00")]
    # and the customers that consumed: A still lists the customer that left it
    a_customers = [row["customer__domain_id"] for row in selectors.consuming_customers(actor(world.admin), CYCLE)]
    assert sorted(a_customers) == sorted([world.mine.domain_id, world.theirs.domain_id, world.mover.domain_id])
    b_customers = [row["customer__domain_id"] for row in selectors.consuming_customers(actor(world.b_admin), CYCLE)]
    assert b_customers == [world.mover.domain_id]


def test_a_partner_sees_only_its_own_fee_records(world):
    seen = selectors.fee_records_for(actor(world.admin))
    assert set(seen.values_list("partner_id", flat=True)) == {world.a.pk}
    assert seen.count() == 3 + 1 + 2


def test_an_account_manager_sees_its_team_customers_also_after_they_left(world):
    assert amounts(selectors.fee_records_for(actor(world.am))) == sorted(
        Decimal(v) for v in ("100.00", "30.00", "-5.00", "11.00", "4.00"))
    assert amounts(selectors.fee_records_for(actor(world.am2))) == [Decimal("7.50")]
    # without billing.view nothing at all
    assert not selectors.fee_records_for(actor(world.nobody)).exists()


def test_a_distributor_reads_its_resellers_records_only_when_it_names_the_reseller(world):
    d = actor(world.d_admin)
    assert not selectors.fee_records_for(d).exists()
    named = selectors.fee_records_for(d, indirect_partner_id=world.r.domain_id)
    assert list(named.values_list("customer_id", flat=True)) == [world.r_customer.pk]
    # another partner's id, or a reseller's id named by someone who is not its distributor: nothing
    assert not selectors.fee_records_for(d, indirect_partner_id=world.a.domain_id).exists()
    assert not selectors.fee_records_for(actor(world.admin), indirect_partner_id=world.r.domain_id).exists()


def _by_service(rows):
    return {row["service_type__code"]: (row["records"], row["consume_amount"], row["cash_amount"])
            for row in selectors.summed(rows, "service_type__code")}


def test_monthly_sums_of_an_open_month_and_of_the_closed_month_agree(world):
    open_rows, closed = selectors.cycle_rows(actor(world.admin), CYCLE)
    # the running sums the database keeps (PostgreSQL), else the fee records grouped
    assert closed is False and open_rows.model.__name__ == ("RunningSum" if running_sums.kept() else "FeeRecord")
    before = _by_service(open_rows)
    # EC2: mine 100 (80 cash, 20 coupons), theirs 7.50 (2.50 arrears), the mover 11; EVS: 30 and a 5 refund
    assert before == {EC2: (3, Decimal("118.50"), Decimal("96.00")), EVS: (2, Decimal("25.00"), Decimal("25.00")),
                      OBS: (1, Decimal("4.00"), Decimal("4.00"))}

    close(CYCLE)
    closed_rows, closed = selectors.cycle_rows(actor(world.admin), CYCLE)
    assert closed is True and closed_rows.model.__name__ == "CustomerMonthlySum"
    assert _by_service(closed_rows) == before
    kinds = {row["kind"]: row["consume_amount"] for row in selectors.summed(closed_rows, "kind")}
    assert kinds == {BillSumType.CONSUMPTION: Decimal("152.50"), BillSumType.REFUND: Decimal("-5.00")}


def test_an_account_manager_sums_only_its_team_in_open_and_closed_months(world):
    rows, _closed = selectors.cycle_rows(actor(world.am2), CYCLE)
    assert [(r["customer__domain_id"], r["consume_amount"]) for r in selectors.summed(rows, "customer__domain_id")] \
        == [(world.theirs.domain_id, Decimal("7.50"))]
    close(CYCLE)
    rows, _closed = selectors.cycle_rows(actor(world.am2), CYCLE)
    assert [(r["customer__domain_id"], r["consume_amount"]) for r in selectors.summed(rows, "customer__domain_id")] \
        == [(world.theirs.domain_id, Decimal("7.50"))]


def test_the_trend_reads_closed_months_from_the_sums_and_open_ones_from_the_fee_records(world):
    earlier = periods.previous_cycle(CYCLE)
    close(earlier)  # nothing consumed then
    trend = selectors.trend_for(actor(world.admin), [earlier, CYCLE])
    assert trend == {earlier: Decimal("0.00"), CYCLE: Decimal("147.50")}
    close(CYCLE)
    assert selectors.trend_for(actor(world.admin), [earlier, CYCLE]) == trend


def test_the_running_bill_adds_up_the_month_and_the_closed_bill_is_the_month_close_s(world):
    view = selectors.partner_bill_for(actor(world.finance), CYCLE)
    bill = view.bill
    assert view.running and bill.pk is None
    # A's customers: 100 + 30 − 5 (mine), 7.50 (theirs, 2.50 of it arrears), 11 + 4 (mover until it left)
    assert (bill.customers, bill.consumption_amount) == (3, Decimal("147.50"))
    # paid from allocations: the resale customers' cash (mine 80 + 30 − 5, the mover 15); theirs is referral
    assert bill.resale_cash_amount == Decimal("120.00")
    assert (bill.coupon_amount, bill.debt_amount) == (Decimal("20.00"), Decimal("2.50"))

    close(CYCLE)
    partner_bill(world.a, CYCLE, customers=3, consumption_amount="147.50", amount_due="1.00")
    view = selectors.partner_bill_for(actor(world.finance), CYCLE)
    assert view.closed and view.bill.consumption_amount == Decimal("147.50") and view.bill.amount_due == Decimal("1.00")


def test_the_running_bill_reads_the_partners_own_account_in_the_month(world):
    current = periods.current_cycle()
    fund(world.a, "500.00")
    billing_services.allocate_to_customer(actor(world.admin), customer_id=world.mine.domain_id, amount="120.00")
    billing_services.reclaim_from_customer(actor(world.admin), customer_id=world.mine.domain_id, amount="20.00")
    bill = selectors.partner_bill_for(actor(world.admin), current).bill
    assert (bill.allocation_amount, bill.reclaim_amount) == (Decimal("120.00"), Decimal("20.00"))
    assert bill.credit_used == Decimal("0.00")
    # the earlier month saw none of it
    assert selectors.partner_bill_for(actor(world.admin), CYCLE).bill.allocation_amount == Decimal("0.00")


def test_nobody_without_billing_view_reads_a_bill(world):
    assert selectors.partner_bill_for(actor(world.nobody), CYCLE) is None
    customer_actor = actor_for_user(world.customer_user.user)
    assert selectors.partner_bill_for(customer_actor, CYCLE) is None
    assert not selectors.fee_records_for(customer_actor).exists()
