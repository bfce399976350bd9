"""The customer's reads below the pages and endpoints: scoped to the actor's own customer (nothing for anyone
else), a month's sums equal before and after the real month close, the trend, and the amortisation rule —
the months of a record add up to it exactly, whatever its window."""

import importlib.util
from datetime import timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bills import customer_costs, customer_selectors as selectors
from bills.choices import BillType
from bills.models import FeeRecord
from bills.periods import cycle_of, next_cycle
from catalog.choices import ChargeMode
from partnercenter.actors import SCHEDULER

from ..conftest import actor_of
from .customer_helpers import EVS, VOLUME, Shop, close, fee, package, shanghai, use

pytestmark = pytest.mark.django_db

CYCLE = "2026-03"


@pytest.fixture
def shop(db):
    shop = Shop("e")
    a = shop.association
    fee(shop.customer, at=shanghai("2026-03-02 10:00"), association=a, official="0.22", discount="0.02")
    fee(shop.customer, at=shanghai("2026-03-05 08:00"), association=a, service=EVS, resource_type=VOLUME,
        official="0.06", erase="0.01", coupon="0.03", debt="0.01")
    fee(shop.customer, at=shanghai("2026-03-10 09:30"), association=a, bill_type=BillType.NEW, mode=ChargeMode.PERIOD,
        official="737.00", discount="73.70", flexi="100.00", expire=shanghai("2027-03-10 09:30"))
    fee(shop.customer, at=shanghai("2026-03-20 12:00"), association=a, bill_type=BillType.REFUND,
        mode=ChargeMode.PERIOD, official="-100.00", discount="-10.00", expire=shanghai("2027-03-10 09:30"))
    fee(shop.customer, at=shanghai("2026-03-25 00:00"), association=a, bill_type=BillType.COMPENSATION, official="5")
    # a late record: consumed in February (closed), landed in March as an adjustment
    fee(shop.customer, at=shanghai("2026-02-27 10:00"), cycle=CYCLE, is_adjustment=True, association=a,
        official="0.22")
    shop.other = Shop("f")
    fee(shop.other.customer, at=shanghai("2026-03-03 10:00"), official="9.99")
    return shop


def sums(actor, cycle=CYCLE):
    found = selectors.monthly_sums(actor, cycle)
    return [dict(row) for row in found.rows], found.totals


def test_nobody_but_the_customer_reads_its_bills(shop):
    for actor in (actor_of(shop.tenant.admin), SCHEDULER):
        assert not selectors.fee_records_for(actor).exists()
        assert not selectors.packages_for(actor).exists() and not selectors.package_uses_for(actor).exists()
        assert not selectors.usage_records_for(actor).exists()
        assert selectors.spendable_of(actor) is None
        rows, totals = sums(actor)
        assert rows == [] and totals["consume_amount"] == Decimal("0")
        assert all(not any(values.values()) for _cycle, values in selectors.monthly_trend(actor))
    assert selectors.fee_records_for(shop.other.actor).count() == 1


def test_an_open_month_reads_as_the_month_close_writes_it(shop):
    """The real month close (bills.closing), where it is installed, gives the same sums as the open month."""
    if importlib.util.find_spec("bills.closing") is None:
        pytest.skip("the month close is not installed")
    from bills.closing import close_month

    before = sums(shop.actor)
    close_month(SCHEDULER, bill_cycle=CYCLE)
    after = sums(shop.actor)

    assert selectors.is_closed(CYCLE)
    assert after == before
    kinds = {(row["service_type__code"], row["charging_mode"], row["kind"]): row["consume_amount"] for row in after[0]}
    assert kinds[("hws.service.type.ec2", ChargeMode.ON_DEMAND, 3)] == Decimal("5.22")  # compensation + late record
    assert kinds[("hws.service.type.ec2", ChargeMode.PERIOD, 2)] == Decimal("-90.00")


def test_the_helpers_close_matches_too(shop):
    before = sums(shop.actor)
    close(CYCLE)
    assert sums(shop.actor) == before


def test_the_trend_reads_closed_months_from_their_sums(shop):
    close(CYCLE)
    FeeRecord.objects.filter(bill_cycle=CYCLE, customer=shop.customer).update(status=1, cash_amount=0, debt_amount=0,
                                                                             writeoff_amount=0, coupon_amount=0,
                                                                             flexipurchase_coupon_amount=0,
                                                                             consume_amount=0, official_amount=0,
                                                                             discount_amount=0, erase_amount=0)
    trend = dict(selectors.monthly_trend(shop.actor, now=shanghai("2026-04-15 00:00")))
    assert list(trend)[-2:] == ["2026-03", "2026-04"] and len(trend) == 12
    assert trend["2026-03"]["consume_amount"] == Decimal("578.77")  # as closed, not as the rows read now


def test_package_cycles_and_remaining_as_of_a_moment(shop):
    pack = package(shop.customer, original="100", remaining="10", effective=shanghai("2026-01-15 00:00"),
                   cycle_start=shanghai("2026-03-15 00:00"), cycle_end=shanghai("2026-04-15 00:00"),
                   expire=shanghai("2026-06-01 00:00"))
    assert selectors.current_remaining(pack, shanghai("2026-04-01 00:00")) == Decimal("10")
    assert selectors.current_remaining(pack, shanghai("2026-05-20 00:00")) == Decimal("100")
    assert selectors.current_window(pack, shanghai("2026-05-20 00:00")) == (
        shanghai("2026-05-15 00:00"), shanghai("2026-06-01 00:00"))  # the last cycle ends with the package
    record = fee(shop.customer, at=shanghai("2026-04-01 00:00"), official="0.00", usage="5", free_usage="5")
    use(pack, record, "5", before="15")
    assert selectors.package_use_counts([pack]) == {pack.pk: {"uses": 1, "used": Decimal("5")}}


# -------------------------------------------------------------------------------------------------
# The amortisation rule
# -------------------------------------------------------------------------------------------------

@settings(max_examples=60, deadline=None)
@given(start_days=st.integers(0, 400), minutes=st.integers(1, 60 * 24 * 800),
       parts=st.lists(st.integers(0, 10**7), min_size=4, max_size=4))
def test_the_months_of_a_record_add_up_to_it(start_days, minutes, parts):
    effective = shanghai("2026-01-01 00:00") + timedelta(days=start_days, minutes=start_days * 7)
    cash, coupon, flexi, debt = (Decimal(p) / 100 for p in parts)
    record = FeeRecord(charging_mode=ChargeMode.PERIOD, effective_time=effective,
                       expire_time=effective + timedelta(minutes=minutes), bill_cycle=cycle_of(effective),
                       cash_amount=cash, coupon_amount=coupon, flexipurchase_coupon_amount=flexi, debt_amount=debt,
                       writeoff_amount=Decimal("0"), consume_amount=cash + coupon + flexi + debt)
    month, total, past = cycle_of(effective), Decimal("0"), Decimal("0")
    while month <= cycle_of(record.expire_time):
        share = customer_costs.month_breakdown(record, month)
        assert share["past_months_amortized_amount"] == past
        assert (share["past_months_amortized_amount"] + share["current_month_amortized_amount"]
                + share["future_months_amortized_amount"]) == record.consume_amount
        assert share["current_month_amortized_amount"] == sum(
            share[f"amortized_{kind}_amount"] for kind in ("cash", "coupon", "flexipurchase_coupon", "credit"))
        total += share["current_month_amortized_amount"]
        past += share["current_month_amortized_amount"]
        month = next_cycle(month)
    assert total == record.consume_amount


def test_pay_per_use_is_its_months_whole_cost():
    record = FeeRecord(charging_mode=ChargeMode.ON_DEMAND, effective_time=shanghai("2026-03-31 23:30"),
                       expire_time=shanghai("2026-04-01 00:30"), bill_cycle="2026-03", cash_amount=Decimal("0.30"),
                       coupon_amount=Decimal("0.20"), flexipurchase_coupon_amount=Decimal("0"),
                       debt_amount=Decimal("0"), writeoff_amount=Decimal("0.10"), consume_amount=Decimal("0.60"))
    share = customer_costs.month_breakdown(record, "2026-03")
    assert (share["current_month_amortized_amount"], share["amortized_credit_amount"],
            share["future_months_amortized_amount"]) == (Decimal("0.60"), Decimal("0.10"), Decimal("0.00"))
