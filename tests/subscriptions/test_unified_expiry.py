"""The unified expiry day (续费后资源统一到期日, renew/config EXPIRE_DATE) applied to renewals
(subscriptions/renewal.py): the new expiry moves on to the customer's day of the month (Beijing time), the
extra days are charged by the day at a thirtieth of the month's renewal price (with the partner discount),
stored on the order line, honoured by the payment (trade/provisioning.py) and by a later refund.

Every amount and date below is worked out by hand in the comments. The clock: Beijing = UTC+8; the demo
server costs 73.70 a month, the 40 GB SSD disk 40.00 a month."""

from datetime import datetime, timedelta, timezone as dt_timezone
from decimal import Decimal

import pytest
import time_machine

from customers.models import Resource
from subscriptions import autorenew, renewal, unsubscribing
from subscriptions.models import AutoRenewAttempt, RefundItem
from trade import discounts
from trade import services as trade
from trade.models import Order, OrderDiscount, OrderLine

from ..trade.payment_helpers import EC2, EVS, World, balance, verify_ledger
from .refund_helpers import set_fee
from .test_lifecycle import buy

pytestmark = pytest.mark.django_db

D = Decimal
BEIJING = dt_timezone(timedelta(hours=8))


def beijing(text) -> datetime:
    """'2026-03-10 10:00' Beijing time → an aware datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=BEIJING)


def at(text):
    """Travel to that moment (Beijing time), the clock standing still."""
    return time_machine.travel(beijing(text), tick=False)


def lines_of(order):
    """(resource id, extra days, official, discount, amount, effective, expires) per line."""
    return [(line.resource_id, line.extra_days, line.official_amount, line.discount_amount,
             line.amount_after_discount, line.effective_time, line.expire_time)
            for line in OrderLine.objects.filter(order=order).order_by("id")]


def expiries(*resources):
    return [Resource.objects.get(pk=r.pk).expire_time for r in resources]


def world_with_server(when, *, expire_day=None):
    """A world made at `when`, its resale customer holding a monthly server with its 40 GB disk bought then
    (1,000.00 allocated first), and its unified expiry day set."""
    with at(when):
        world = World()
        main, [disk] = buy(world)
        if expire_day is not None:
            autorenew.set_renew_config(world.resale_user, name="EXPIRE_DATE", value=str(expire_day))
    return world, main, disk


# ---------------------------------------------------------------------------------------------
# The days: first date on or after the natural expiry whose day is expire_day (Beijing time)
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("natural, expire_day, days", [
    ("2026-04-10 10:00", 15, 5),
    ("2026-04-10 10:00", -1, 20),     # → 04-30
    ("2026-04-15 10:00", 15, 0),      # already on the day
    ("2026-04-20 10:00", 15, 25),     # → 05-15
    ("2026-04-30 23:30", -1, 0),      # the last day already
    ("2026-01-29 10:00", 28, 30),     # → 02-28, the longest move
    ("2026-02-28 10:00", 28, 0),
    ("2026-02-01 10:00", -1, 27),     # → 02-28
    ("2028-02-01 10:00", -1, 28),     # a leap year → 02-29
    ("2026-12-20 10:00", 15, 26),     # → 2027-01-15
    ("2026-12-31 10:00", 1, 1),       # → 2027-01-01
    ("2026-04-15 07:00", 15, 0),      # 2026-04-14 23:00 UTC: the day is Beijing's
    ("2026-04-10 10:00", None, 0),    # not set
])
def test_the_days_to_the_unified_expiry_day(natural, expire_day, days):
    assert renewal.extra_days(beijing(natural), expire_day) == days
    assert renewal.extra_days(beijing(natural).astimezone(dt_timezone.utc), expire_day) == days


# ---------------------------------------------------------------------------------------------
# Renewals by hand
# ---------------------------------------------------------------------------------------------

def test_a_monthly_renewal_with_expire_day_15_pays_the_extra_days_and_ends_on_the_15th():
    """Bought 2026-03-10 10:00 (expires 04-10 10:00); renewed on 03-20 for one month: natural expiry
    2026-05-10 10:00 → 2026-05-15 10:00, 5 extra days.
        server 73.70 + 73.70 × 5/30 = 73.70 + 12.28333… = 85.98333… → 85.98
        disk   40.00 + 40.00 × 5/30 = 40.00 +  6.66666… = 46.66666… → 46.67
        order  132.65"""
    world, main, disk = world_with_server("2026-03-10 10:00", expire_day=15)
    assert expiries(main, disk) == [beijing("2026-04-10 10:00")] * 2

    with at("2026-03-20 09:00"):
        outcome = renewal.renew(world.resale_user, resource_ids=[main.resource_id], period_type=2, period_num=1)
    order = outcome.order
    assert outcome.failures == []
    assert (order.official_amount, order.discount_amount, order.amount_after_discount) == (
        D("132.65"), D("0.00"), D("132.65"))
    assert [row[:5] for row in lines_of(order)] == [
        (main.resource_id, 5, D("85.98"), D("0.00"), D("85.98")),
        (disk.resource_id, 5, D("46.67"), D("0.00"), D("46.67"))]
    assert expiries(main, disk) == [beijing("2026-04-10 10:00")] * 2  # placed, not paid: nothing moved yet

    before = balance(world.resale)
    with at("2026-03-20 09:05"):
        trade.pay_order(world.resale_user, order_id=order.order_id)
    assert balance(world.resale) == before - D("132.65")
    assert expiries(main, disk) == [beijing("2026-05-15 10:00")] * 2
    assert [row[5:] for row in lines_of(order)] == [(beijing("2026-04-10 10:00"), beijing("2026-05-15 10:00"))] * 2
    assert "Ledger verified" in verify_ledger()


def test_expire_day_minus_1_with_a_partner_discount_rates_each_part_and_quantizes_the_line_once():
    """Bought 2026-01-05 12:00 (expires 02-05 12:00); the partner gives 90% on ECS and 95% on EVS; renewed on
    01-25 for two months: natural expiry 2026-04-05 12:00 → the month's last day, 2026-04-30 12:00: 25 days.
        server official 147.40 + 73.70 × 25/30 (61.41666…)   = 208.81666… → 208.82
               amount   132.66 + 66.33 × 25/30 (55.275, exact) = 187.935    → 187.94 (half up)
               discount 208.82 − 187.94 = 20.88
        disk   official  80.00 + 40.00 × 25/30 (33.33333…)   = 113.33333… → 113.33
               amount    76.00 + 38.00 × 25/30 (31.66666…)   = 107.66666… → 107.67
               discount 113.33 − 107.67 = 5.66
        order  official 322.15, discount 26.54, amount 295.61"""
    world, main, disk = world_with_server("2026-01-05 12:00", expire_day=-1)
    with at("2026-01-06 12:00"):
        for code, rate in ((EC2, "0.90"), (EVS, "0.95")):
            discounts.set_discount(world.admin, customer_id=world.resale.domain_id, service_type_code=code, rate=rate)

    with at("2026-01-25 12:00"):
        quoted = renewal.quote(world.resale, resource_ids=[main.resource_id], period_type=2, period_num=2)
        order = renewal.renew(world.resale_user, resource_ids=[main.resource_id], period_type=2, period_num=2,
                              auto_pay=True).order
    # the pages' price before the order is placed is the order's
    assert [(line.item.extra_days, line.in_fen().official, line.in_fen().amount)
            for line in quoted.results[0].lines] == [(25, D("208.82"), D("187.94")), (25, D("113.33"), D("107.67"))]
    assert order.status == 5
    assert (order.official_amount, order.discount_amount, order.amount_after_discount) == (
        D("322.15"), D("26.54"), D("295.61"))
    assert [row[:5] for row in lines_of(order)] == [
        (main.resource_id, 25, D("208.82"), D("20.88"), D("187.94")),
        (disk.resource_id, 25, D("113.33"), D("5.66"), D("107.67"))]
    assert sorted(OrderDiscount.objects.filter(order=order).values_list("discount_type", "amount")) == [
        (607, D("5.66")), (607, D("20.88"))]
    assert expiries(main, disk) == [beijing("2026-04-30 12:00")] * 2
    assert [row[5:] for row in lines_of(order)] == [(beijing("2026-02-05 12:00"), beijing("2026-04-30 12:00"))] * 2
    assert "Ledger verified" in verify_ledger()


def test_without_the_setting_a_renewal_is_whole_periods():
    world, main, disk = world_with_server("2026-03-10 10:00")
    with at("2026-03-20 09:00"):
        order = renewal.renew(world.resale_user, resource_ids=[main.resource_id], period_type=2, period_num=1,
                              auto_pay=True).order
    assert [row[1:5] for row in lines_of(order)] == [(0, D("73.70"), D("0.00"), D("73.70")),
                                                    (0, D("40.00"), D("0.00"), D("40.00"))]
    assert expiries(main, disk) == [beijing("2026-05-10 10:00")] * 2


def test_an_expired_resource_counts_from_now():
    """Bought 2026-03-10 10:00, expired 04-10 10:00 (grace); renewed 2026-04-12 15:00 for a month: from now,
    natural expiry 2026-05-12 15:00 → 05-15 15:00, 3 days: 73.70 + 7.37 = 81.07; 40.00 + 4.00 = 44.00."""
    world, main, disk = world_with_server("2026-03-10 10:00", expire_day=15)
    with at("2026-04-12 15:00"):
        order = renewal.renew(world.resale_user, resource_ids=[main.resource_id], period_type=2, period_num=1,
                              auto_pay=True).order
    assert [row[1:5] for row in lines_of(order)] == [(3, D("81.07"), D("0.00"), D("81.07")),
                                                    (3, D("44.00"), D("0.00"), D("44.00"))]
    assert expiries(main, disk) == [beijing("2026-05-15 15:00")] * 2


# ---------------------------------------------------------------------------------------------
# The scheduler's auto-renewal goes through the same code
# ---------------------------------------------------------------------------------------------

def test_auto_renewal_moves_to_the_day_once_and_then_renews_whole_months():
    """Bought 2026-03-10 10:00, expire_day 15, auto-renew monthly. 6 days before expiry (04-04 10:00) the
    run renews: 2026-05-10 → 05-15 (5 days): 85.98 + 46.67 = 132.65. 6 days before the next expiry
    (05-09 10:00): natural 2026-06-15 10:00 is on the day: 0 days, 73.70 + 40.00 = 113.70."""
    world, main, disk = world_with_server("2026-03-10 10:00", expire_day=15)
    with at("2026-03-10 10:00"):
        autorenew.set_auto_renew(world.resale_user, resource_id=main.resource_id)
    start = balance(world.resale)

    with at("2026-04-04 10:00"):
        assert autorenew.run_due() == {"paid": 1, "unpaid": 0, "failed": 0}
        assert autorenew.run_due() == {"paid": 0, "unpaid": 0, "failed": 0}
    [first] = Order.objects.filter(order_type=2)
    assert (first.source_type, first.status, first.amount_after_discount) == (8, 5, D("132.65"))
    assert [row[1] for row in lines_of(first)] == [5, 5]
    assert expiries(main, disk) == [beijing("2026-05-15 10:00")] * 2
    assert AutoRenewAttempt.objects.get().for_expiry == beijing("2026-04-10 10:00")

    with at("2026-05-09 10:00"):
        assert autorenew.run_due() == {"paid": 1, "unpaid": 0, "failed": 0}
    second = Order.objects.filter(order_type=2).exclude(pk=first.pk).get()
    assert [row[1:5] for row in lines_of(second)] == [(0, D("73.70"), D("0.00"), D("73.70")),
                                                     (0, D("40.00"), D("0.00"), D("40.00"))]
    assert expiries(main, disk) == [beijing("2026-06-15 10:00")] * 2
    assert balance(world.resale) == start - D("132.65") - D("113.70")
    assert "Ledger verified" in verify_ledger()


# ---------------------------------------------------------------------------------------------
# A refund covers the extra days
# ---------------------------------------------------------------------------------------------

def test_unsubscribing_the_renewal_right_after_refunds_the_extra_days_too():
    """The renewal of the first test (85.98 + 46.67, 2026-04-10 → 05-15), ECS with a 10% handling fee;
    unsubscribed (type 2, renewals only) a minute after paying: not started, nothing used.
        server fee 85.98 × 10% = 8.598 → 8.60, refund 77.38;  disk (no fee) refund 46.67
    The resources end again at 2026-04-10 10:00."""
    world, main, disk = world_with_server("2026-03-10 10:00", expire_day=15)
    set_fee(EC2, "0.10")
    with at("2026-03-20 09:00"):
        order = renewal.renew(world.resale_user, resource_ids=[main.resource_id], period_type=2, period_num=1,
                              auto_pay=True).order
    paid = balance(world.resale)

    with at("2026-03-20 09:01"):
        [refund] = unsubscribing.unsubscribe(world.resale_user, resource_ids=[main.resource_id],
                                             unsubscribe_type=2, reason_type=2).orders
    items = RefundItem.objects.filter(order=refund).order_by("resource_id")
    assert sorted((i.resource_id, i.base_line.order_id, i.period_start, i.period_end, i.paid, i.used, i.fee, i.refund)
                  for i in items) == sorted([
        (main.resource_id, order.pk, beijing("2026-04-10 10:00"), beijing("2026-05-15 10:00"), D("85.98"),
         D("0.00"), D("8.60"), D("77.38")),
        (disk.resource_id, order.pk, beijing("2026-04-10 10:00"), beijing("2026-05-15 10:00"), D("46.67"),
         D("0.00"), D("0.00"), D("46.67"))])
    assert balance(world.resale) == paid + D("124.05")  # 77.38 + 46.67
    assert expiries(main, disk) == [beijing("2026-04-10 10:00")] * 2
    assert "Ledger verified" in verify_ledger()


def test_unsubscribing_during_the_renewal_counts_the_extra_days_in_its_period():
    """The same renewal (2026-04-10 10:00 → 05-15 10:00: 35 days), unsubscribed (type 1) on 2026-04-27 10:00,
    17 days in; the bought month is over (used up, refund 0).
        server used 85.98 × 17/35 = 41.7617… → 41.76, refund 44.22
        disk   used 46.67 × 17/35 = 22.6682… → 22.67, refund 24.00"""
    world, main, disk = world_with_server("2026-03-10 10:00", expire_day=15)
    with at("2026-03-20 09:00"):
        order = renewal.renew(world.resale_user, resource_ids=[main.resource_id], period_type=2, period_num=1,
                              auto_pay=True).order
    paid = balance(world.resale)

    with at("2026-04-27 10:00"):
        [refund] = unsubscribing.unsubscribe(world.resale_user, resource_ids=[main.resource_id],
                                             unsubscribe_type=1, reason_type=2).orders
    renewed = {i.resource_id: (i.paid, i.used, i.fee, i.refund)
               for i in RefundItem.objects.filter(order=refund, base_line__order=order)}
    assert renewed == {main.resource_id: (D("85.98"), D("41.76"), D("0.00"), D("44.22")),
                       disk.resource_id: (D("46.67"), D("22.67"), D("0.00"), D("24.00"))}
    assert sum(i.refund for i in RefundItem.objects.filter(order=refund).exclude(base_line__order=order)) == 0
    assert balance(world.resale) == paid + D("68.22")
    assert "Ledger verified" in verify_ledger()
