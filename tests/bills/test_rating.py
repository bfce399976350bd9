"""Rating: the erase (抹零) rule, the partner discount of the association at consumption time, unit
conversion, linear products, attribution across a partner change, late records after a closed month, records
that cannot be rated, idempotency and a constant number of statements per batch."""

from datetime import datetime, timedelta, timezone as dt_timezone
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bills import rating
from bills.choices import UsageStatus
from bills.errors import BillCodes
from bills.models import BillingPeriod, FeeRecord, UsageRecord, UsageWaiting
from bills.periods import cycle_of, previous_cycle
from catalog.choices import Measure
from catalog.models import ServiceType
from customers.models import Association
from trade.models import PartnerDiscount

from ..factories import AssociationFactory, PartnerFactory
from .rating_helpers import (
    ECS, EVS, OBS_UPFLOW, VPC_TRAFFIC, D, World, check_books, fee_of, on_demand_resource, rate, usage,
)

pytestmark = pytest.mark.django_db


def money(fee):
    return fee.official_amount, fee.discount_amount, fee.erase_amount, fee.consume_amount


@pytest.mark.parametrize("official,share,expected", [
    ("0.22", "1", ("0.22", "0.00", "0.00", "0.22")),
    ("0.0183333333", "1", ("0.02", "0.00", "0.01", "0.01")),        # 5 minutes at 0.22/h
    ("0.0183333333", "0.85", ("0.02", "0.00", "0.01", "0.01")),     # A = 0.015583…: A_r 0.02, trunc 0.01
    ("0.22", "0.85", ("0.22", "0.03", "0.01", "0.18")),             # A = 0.187
    ("0.0049999999", "1", ("0.00", "0.00", "0.00", "0.00")),
    ("0.005", "1", ("0.01", "0.00", "0.01", "0.00")),              # half up to the fen, truncated to zero
    ("10.999", "0.9", ("11.00", "1.10", "0.01", "9.89")),           # A = 9.8991: A_r 9.90, trunc 9.89
])
def test_the_rounding_rule(official, share, expected):
    got = rating.amounts(D(official), D(share))
    assert got == tuple(D(x) for x in expected)
    o, d, e, c = got
    assert o == d + e + c and c == c.quantize(D("0.01"))


def test_erase_and_the_partner_discount_of_the_association():
    """ECS allows partner discounts (at most 15 % off): a 0.85 rate. One hour: O 0.22, A 0.187 → official 0.22,
    discount 0.03, erase 0.01, consume 0.18. Five minutes (unit minute, 1 h = 60 min): O 0.0183333333,
    A 0.01558… → official 0.02, discount 0.00, erase 0.01, consume 0.01."""
    world = World()
    world.allocate("10.00")
    from trade.discounts import set_discount

    set_discount(world.admin, customer_id=world.resale.domain_id, service_type_code=ECS[0], rate="0.85")
    hour = usage(world.resale, ECS)
    minutes = usage(world.resale, ECS, amount="5", measure=Measure.MINUTE)
    referral = usage(world.referral, ECS)  # a referral customer gets no partner discount

    rate()

    assert money(fee_of(hour)) == (D("0.22"), D("0.03"), D("0.01"), D("0.18"))
    assert money(fee_of(minutes)) == (D("0.02"), D("0.00"), D("0.01"), D("0.01"))
    assert money(fee_of(referral)) == (D("0.22"), D("0.00"), D("0.00"), D("0.22"))
    assert fee_of(referral).partner == world.partner
    check_books()


def test_a_rate_beyond_the_ceiling_is_capped_as_pricing_caps_it():
    world = World()
    world.allocate("10.00")
    PartnerDiscount.objects.create(partner=world.partner, customer=world.resale,
                                   service_type=ServiceType.objects.get(code=ECS[0]), rate=D("0.50"),
                                   updated_at=timezone.now() - timedelta(days=1))
    record = usage(world.resale, ECS, amount="10")  # 2.20; at most 15 % off: A = 1.87
    rate()
    assert money(fee_of(record)) == (D("2.20"), D("0.33"), D("0.00"), D("1.87"))


def test_unit_conversion_and_linear_products():
    """512 MB of VPC traffic at 0.80/GB (1 GB = 1024 MB): 0.40. A 40 GB SSD disk for 3 hours at 0.0014/GB·h:
    0.168 → official 0.17, consume 0.16, erase 0.01. Two GB of OBS traffic: 1.00."""
    world = World()
    world.allocate("10.00")
    traffic = usage(world.resale, VPC_TRAFFIC, amount="512", measure=Measure.MB)
    disk = usage(world.resale, EVS, amount="3", size="40", hours=3)
    obs = usage(world.resale, OBS_UPFLOW, amount="2")
    rate()
    assert money(fee_of(traffic)) == (D("0.40"), D("0.00"), D("0.00"), D("0.40"))
    assert money(fee_of(disk)) == (D("0.17"), D("0.00"), D("0.01"), D("0.16"))
    assert money(fee_of(obs)) == (D("1.00"), D("0.00"), D("0.00"), D("1.00"))
    assert fee_of(traffic).usage_measure_id == Measure.MB and fee_of(traffic).usage_amount == D("512")
    check_books()


def test_the_spec_comes_from_the_customers_resource_when_the_record_has_none():
    world = World()
    server = on_demand_resource(world.resale, ECS)
    record = usage(world.resale, ECS, spec="", resource_id=server.resource_id)
    rate()
    fee = fee_of(record)
    assert fee.product.resource_spec == ECS[2] and fee.resource_name == server.resource_name


@pytest.mark.parametrize("change,code", [
    ({"spec": "no.such.spec"}, BillCodes.RATING_NO_PRODUCT),
    ({"region": "cn-south-9"}, BillCodes.RATING_NO_PRODUCT),
    ({"spec": ""}, BillCodes.RATING_NO_SPEC),
    ({"measure": Measure.GB}, BillCodes.RATING_WRONG_UNIT),
])
def test_records_that_cannot_be_rated_fail_with_their_code_and_do_not_block(change, code):
    world = World()
    bad = usage(world.resale, ECS, **change)
    good = usage(world.resale, ECS)
    result = rate()
    bad.refresh_from_db()
    assert (bad.status, bad.error_code) == (UsageStatus.FAILED, code)
    assert result.failed == 1 and result.rated == 1 and result.errors == {code: 1}
    assert not FeeRecord.objects.filter(usage_record=bad).exists() and fee_of(good)
    assert rate().claimed == 0  # a failed record is not tried again
    check_books()


def test_a_failed_record_put_back_on_the_queue_is_rated():
    """No spec and no resource to read it from: FAILED, off the queue. Once its resource exists, an operator puts
    it back (`requeue`: the code cleared, queued once however often asked) and the next run rates it."""
    world = World()
    bad = usage(world.resale, ECS, spec="", resource_id="vm-later")
    assert rate().errors == {BillCodes.RATING_NO_SPEC: 1}
    bad.refresh_from_db()
    assert bad.status == UsageStatus.FAILED and not UsageWaiting.objects.exists()
    on_demand_resource(world.resale, ECS, resource_id="vm-later")

    assert (rating.requeue([bad.pk]), rating.requeue([bad.pk])) == (1, 0)
    bad.refresh_from_db()
    assert (bad.status, bad.error_code) == (UsageStatus.NEW, "")
    assert rate().rated == 1
    bad = UsageRecord.objects.select_related("fee_record").get(pk=bad.pk)
    assert bad.status == UsageStatus.RATED and bad.rated_at == bad.fee_record.trade_time
    assert rating.requeue([bad.pk]) == 0  # a rated record is never put back
    check_books()


def test_another_usage_type_and_a_linear_product_without_size_fail():
    world = World()
    wrong_type = usage(world.resale, (ECS[0], ECS[1], ECS[2], "upflow", Measure.HOUR))
    no_size = usage(world.resale, EVS)
    rate()
    assert UsageRecord.objects.get(pk=wrong_type.pk).error_code == BillCodes.RATING_USAGE_TYPE
    assert UsageRecord.objects.get(pk=no_size.pk).error_code == BillCodes.RATING_NO_SIZE


def _shanghai(text):
    return datetime.fromisoformat(text).replace(tzinfo=dt_timezone(timedelta(hours=8)))


def test_a_customer_that_left_mid_month_is_attributed_by_consumption_time():
    """Associated with A (resale, 0.85 on ECS set during it) until the 15th, with B from the 15th: the record of
    the 10th is A's at A's discount, the record of the 20th B's at the official price. A discount A set after
    the customer left does not apply to A's older records either."""
    world = World()
    customer = world.resale
    Association.objects.filter(customer=customer).delete()
    a, b = world.partner, PartnerFactory(account_name="partner-b14")
    first = AssociationFactory(partner=a, customer=customer, associated_on=_shanghai("2026-09-01 00:00"),
                               ended_on=_shanghai("2026-10-15 00:00"))
    second = AssociationFactory(partner=b, customer=customer, associated_on=_shanghai("2026-10-15 00:00"))
    ec2 = ServiceType.objects.get(code=ECS[0])
    PartnerDiscount.objects.create(partner=a, customer=customer, service_type=ec2, rate=D("0.85"),
                                   updated_at=_shanghai("2026-09-05 00:00"))
    before = usage(customer, ECS, begin=_shanghai("2026-10-10 12:00"))
    edge = usage(customer, ECS, begin=_shanghai("2026-10-15 00:00"))
    after = usage(customer, ECS, begin=_shanghai("2026-10-20 12:00"))
    rate()
    assert (fee_of(before).association, fee_of(before).partner) == (first, a)
    assert money(fee_of(before)) == (D("0.22"), D("0.03"), D("0.01"), D("0.18"))
    assert (fee_of(edge).association, fee_of(after).association) == (second, second)
    assert fee_of(after).partner == b and money(fee_of(after))[1] == 0
    assert {fee_of(r).bill_cycle for r in (before, edge, after)} == {"2026-10"}


def test_a_discount_updated_after_the_association_ended_does_not_apply():
    world = World()
    customer = world.resale
    Association.objects.filter(customer=customer).delete()
    AssociationFactory(partner=world.partner, customer=customer, associated_on=_shanghai("2026-09-01 00:00"),
                       ended_on=_shanghai("2026-10-15 00:00"))
    PartnerDiscount.objects.create(partner=world.partner, customer=customer,
                                   service_type=ServiceType.objects.get(code=ECS[0]), rate=D("0.85"),
                                   updated_at=_shanghai("2026-10-16 00:00"))
    record = usage(customer, ECS, begin=_shanghai("2026-10-10 12:00"))
    rate()
    assert money(fee_of(record))[1:] == (D("0.00"), D("0.00"), D("0.22"))


def test_no_association_no_partner():
    world = World()
    Association.objects.filter(customer=world.resale).delete()
    record = usage(world.resale, ECS)
    rate()
    assert fee_of(record).association is None and fee_of(record).partner is None


def test_a_late_record_after_its_month_closed_lands_in_the_next_open_month():
    world = World()
    now = timezone.now()
    last_month = previous_cycle(cycle_of(now))
    BillingPeriod.objects.create(bill_cycle=last_month, status="closed", closed_at=now)
    start = datetime.strptime(last_month, "%Y-%m").replace(day=10, tzinfo=dt_timezone.utc)
    late = usage(world.resale, ECS, begin=start)
    timely = usage(world.resale, ECS)
    rate()
    assert (fee_of(late).bill_cycle, fee_of(late).is_adjustment) == (cycle_of(now), True)
    assert fee_of(late).effective_time == start
    assert (fee_of(timely).bill_cycle, fee_of(timely).is_adjustment) == (cycle_of(timely.begin_time), False)


def test_rating_twice_rates_once():
    world = World()
    world.allocate("5.00")
    records = [usage(world.resale, ECS) for _i in range(5)]
    first = rate()
    second = rate()
    assert (first.rated, second.claimed) == (5, 0)
    assert FeeRecord.objects.count() == 5
    assert all(fee_of(r) for r in records)
    from bills.models import UsageRecord as Usage

    assert {u.status for u in Usage.objects.select_related("fee_record")} == {UsageStatus.RATED}
    assert not UsageWaiting.objects.exists()
    check_books()


def test_statements_per_batch_do_not_grow_with_the_batch():
    """A batch of 5 and a batch of 60 records (several customers, coupons and a package each way) cost the
    same number of statements: everything is read and written set-based."""
    def batch(n, tag):
        world = World(tag=tag)
        world.allocate("1.00")
        world.issue("0.10")
        for i in range(n):
            usage(world.resale if i % 2 else world.referral, ECS if i % 3 else OBS_UPFLOW, amount=str(1 + i % 4))
        with CaptureQueriesContext(connection) as queries:
            rating.rate_batch(limit=1000)
        return len(queries)

    small, large = batch(5, "s"), batch(60, "l")
    bulk_chunks = 60 * 45 // 999 if connection.vendor == "sqlite" else 0  # SQLite splits big INSERTs
    assert large <= small + bulk_chunks + 2, (small, large)


def test_the_fee_record_names_what_was_consumed():
    world = World()
    record = usage(world.resale, ECS, hours=1)
    rate()
    fee = fee_of(record)
    assert (fee.trade_id, fee.resource_id, fee.effective_time, fee.expire_time) == (
        record.record_id, record.resource_id, record.begin_time, record.end_time)
    assert fee.service_type.code == ECS[0] and fee.usage_type.code == "Duration" and fee.region.code == "cn-north-4"
    assert fee.bill_cycle == cycle_of(record.begin_time) and not fee.is_adjustment
    assert Decimal(fee.usage_amount) == D("1")


def test_a_poisoned_record_fails_alone_and_the_rest_of_its_batch_is_rated(monkeypatch):
    """A batch that fails as a whole (here: an unexpected error building one record's fee) is rolled back and
    rated record by record: the poisoned record is FAILED with RATING_ERROR, the others are rated, nothing is
    charged twice and the queue is not blocked."""
    world = World()
    world.allocate("1.00")
    records = [usage(world.resale, ECS) for _i in range(4)]
    poisoned = records[2].pk
    real_fee = rating._fee

    def fee(line, book, now, record_id):
        if line.record.pk == poisoned:
            raise ValueError("boom")
        return real_fee(line, book, now, record_id)

    monkeypatch.setattr(rating, "_fee", fee)
    result = rate(sql=False)   # the per-record path (test_rating_fast.py covers the SQL path's poisoned batch)
    assert (result.claimed, result.rated, result.failed) == (4, 3, 1)
    assert UsageRecord.objects.get(pk=poisoned).error_code == BillCodes.RATING_ERROR
    assert FeeRecord.objects.count() == 3
    from .rating_helpers import account

    assert account(world.resale).balance == D("1.00") - 3 * D("0.22")
    assert rate().claimed == 0
    check_books()
