"""trade.pricing against hand-computed prices: period and pay-per-use, linear and not, subscription numbers,
unit conversions, the partner discount (applied, capped, refused where it must not apply), the precision
modes and the one rounding rule of money."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from catalog.choices import ChargeMode, PeriodType
from customers.models import Association
from partnercenter.errors import DomainError
from trade import pricing
from trade.pricing import DiscountRow, Item, LineRating

from ..factories import AssociationFactory, PartnerFactory, ResourceFactory
from .pricing_helpers import pricing_catalogue, set_discount_row, wire_item

pytestmark = pytest.mark.django_db

D = Decimal
MONTH, YEAR, DAY = PeriodType.MONTH, PeriodType.YEAR, PeriodType.DAY


@pytest.fixture
def cat(db):
    return pricing_catalogue()


def one(item, customer=None) -> LineRating:
    return pricing.rate([item], customer=customer)[0]


def code_of(call) -> str:
    with pytest.raises(DomainError) as refused:
        call()
    return refused.value.code


# ---------------------------------------------------------------------------------------------
# Official prices
# ---------------------------------------------------------------------------------------------

def test_non_linear_period_price_is_price_times_periods_times_quantity(cat):
    # 36.50 a month × 2 months × 3 servers; 365.00 a year × 3 years × 1
    assert one(Item("a", cat.server, subscription_num=3, period_type=MONTH, period_num=2)).official == D("219.00")
    assert one(Item("b", cat.server, period_type=YEAR, period_num=3)).official == D("1095.00")
    assert one(Item("c", cat.server, period_type=MONTH, period_num=11)).official == D("401.50")


def test_linear_period_price_is_per_unit_of_size(cat):
    # SSD 0.70 per GB a month × 40 GB × 2 months × 2 disks = 112.00; 7.00 per GB a year × 40 GB × 1
    disk = dict(product=cat.disk, resource_size=40, size_measure_id=17)
    assert one(Item("a", **disk, subscription_num=2, period_type=MONTH, period_num=2)).official == D("112.00")
    assert one(Item("b", **disk, period_type=YEAR, period_num=1)).official == D("280.00")


def test_month_and_year_are_different_prices_not_twelve_months(cat):
    twelve = one(Item("m", cat.server, period_type=MONTH, period_num=11)).official + D("36.50")
    year = one(Item("y", cat.server, period_type=YEAR, period_num=1)).official
    assert (twelve, year) == (D("438.00"), D("365.00"))


@pytest.mark.parametrize("period_type,period_num", [
    (MONTH, 12), (MONTH, 0), (YEAR, 4), (DAY, 1), (PeriodType.HOUR, 1), (7, 1), (None, 1), (MONTH, None),
])
def test_a_period_the_product_has_no_price_for_is_cbc_30050008(cat, period_type, period_num):
    item = Item("x", cat.server, period_type=period_type, period_num=period_num)
    assert code_of(lambda: one(item)) == "CBC.30050008"


def test_a_day_priced_product_takes_days(cat):
    from catalog.models import Price

    Price.objects.create(product=cat.server, period_type=DAY, amount=D("1.30"))
    assert one(Item("d", cat.server, period_type=DAY, period_num=31)).official == D("40.30")
    assert code_of(lambda: one(Item("d", cat.server, period_type=DAY, period_num=32))) == "CBC.30050008"


def test_pay_per_use_price_is_unit_price_times_usage_times_quantity(cat):
    # 0.0735 an hour × 3 hours × 2 servers
    item = Item("h", cat.server_hourly, subscription_num=2, usage_value=D("3"), usage_measure_id=4)
    assert one(item).official == D("0.4410")


@pytest.mark.parametrize("minutes,expected", [
    ("90", "0.110250"),        # 1.5 hours
    ("1", "0.001225"),         # 0.0735 / 60
    ("7", "0.008575"),
    ("0.5", "0.0006125"),
])
def test_usage_in_minutes_is_converted_into_hours(cat, minutes, expected):
    item = Item("m", cat.server_hourly, usage_value=D(minutes), usage_measure_id=5)
    assert one(item).official == D(expected)


def test_a_conversion_that_does_not_divide_evenly_is_truncated_at_ten_decimals(cat):
    # SAS 0.000097222 per GB-hour × 100 GB × 1 minute = 0.0097222 / 60 = 0.000162036666…
    item = Item("s", cat.disk_hourly, resource_size=100, size_measure_id=17, usage_value=D(1), usage_measure_id=5)
    assert one(item).official == D("0.0001620366")


# ---------------------------------------------------------------------------------------------
# The wire: product lookup, sizes, units
# ---------------------------------------------------------------------------------------------

def test_item_from_wire_finds_the_product_by_its_codes(cat):
    item = pricing.item_from_wire(wire_item(cat.disk, resource_size=40, size_measure_id=17, period_type=2,
                                            period_num=1, subscription_num=3), charge_mode=ChargeMode.PERIOD)
    assert (item.product, item.subscription_num, item.resource_size) == (cat.disk, 3, 40)
    assert one(item).official == D("84.00")
    hourly = pricing.item_from_wire(wire_item(cat.server_hourly, usage_factor="duration", usage_value=2,
                                              usage_measure_id=4), charge_mode=ChargeMode.ON_DEMAND)
    assert hourly.product == cat.server_hourly and one(hourly).official == D("0.1470")


@pytest.mark.parametrize("fields", [
    {},                                                   # linear without its size
    {"resource_size": 40},                                # … or its size unit
    {"resource_size": 40, "size_measure_id": 15},         # another size unit (Mbps)
    {"resource_size": 5, "size_measure_id": 17},          # below the smallest size
    {"resource_size": 40000, "size_measure_id": 17},      # above the largest
    {"resource_size": -1, "size_measure_id": 17},
])
def test_a_linear_product_without_a_valid_size_is_cbc_0100(cat, fields):
    wire = wire_item(cat.disk, period_type=2, period_num=1, **fields)
    assert code_of(lambda: pricing.item_from_wire(wire, charge_mode=ChargeMode.PERIOD)) == "CBC.0100"


def test_a_non_linear_product_ignores_a_size(cat):
    wire = wire_item(cat.server, period_type=2, period_num=1, resource_size=40, size_measure_id=17)
    assert one(pricing.item_from_wire(wire, charge_mode=ChargeMode.PERIOD)).official == D("36.50")


@pytest.mark.parametrize("change", [
    {"resource_spec": "s6.huge.99.linux"}, {"region": "cn-east-3"}, {"cloud_service_type": "hws.service.type.evs"},
    {"resource_type": "hws.resource.type.volume"},
])
def test_an_unknown_product_is_cbc_99006006(cat, change):
    wire = {**wire_item(cat.server, period_type=2, period_num=1), **change}
    assert code_of(lambda: pricing.item_from_wire(wire, charge_mode=ChargeMode.PERIOD)) == "CBC.99006006"


def test_a_product_off_the_shelf_or_of_the_other_charging_mode_is_not_found(cat):
    wire = wire_item(cat.server, usage_value=1, usage_measure_id=4, resource_spec="s6.small.1.linux")
    cat.server_hourly.is_active = False
    cat.server_hourly.save()
    assert code_of(lambda: pricing.item_from_wire(wire, charge_mode=ChargeMode.ON_DEMAND)) == "CBC.99006006"


@pytest.mark.parametrize("measure", [11, 17, 999])  # MB, GB (size), unknown
def test_a_usage_unit_that_is_not_convertible_is_cbc_99006050(cat, measure):
    wire = wire_item(cat.server_hourly, usage_value=1, usage_measure_id=measure)
    assert code_of(lambda: pricing.item_from_wire(wire, charge_mode=ChargeMode.ON_DEMAND)) == "CBC.99006050"


@pytest.mark.parametrize("fields", [
    {"usage_value": 0}, {"usage_value": -1}, {"usage_value": "1e2"}, {"usage_value": "0.00000000001"},
    {"usage_value": None}, {"usage_measure_id": None}, {"subscription_num": 0}, {"subscription_num": True},
    {"subscription_num": 1.5}, {"id": ""},
])
def test_malformed_pay_per_use_entries_are_cbc_0100(cat, fields):
    wire = {**wire_item(cat.server_hourly, usage_value=1, usage_measure_id=4), **fields}
    assert code_of(lambda: pricing.item_from_wire(wire, charge_mode=ChargeMode.ON_DEMAND)) == "CBC.0100"


def test_repeated_ids_and_too_many_items_are_cbc_0100(cat):
    twice = [wire_item(cat.server, "same", period_type=2, period_num=1)] * 2
    assert code_of(lambda: pricing.items_from_wire(twice, charge_mode=ChargeMode.PERIOD)) == "CBC.0100"
    many = [wire_item(cat.server, str(n), period_type=2, period_num=1) for n in range(101)]
    assert code_of(lambda: pricing.items_from_wire(many, charge_mode=ChargeMode.PERIOD)) == "CBC.0100"
    assert code_of(lambda: pricing.items_from_wire([], charge_mode=ChargeMode.PERIOD)) == "CBC.0100"


def test_a_hundred_items_cost_the_statements_of_one(cat, tenant_a):
    set_discount_row(tenant_a.partner, tenant_a.resale, cat.ec2, "0.90")

    def statements(n):
        wires = [wire_item(cat.server if k % 2 else cat.disk, str(k), period_type=2, period_num=1,
                           resource_size=40, size_measure_id=17) for k in range(n)]
        with CaptureQueriesContext(connection) as queries:
            pricing.rate(pricing.items_from_wire(wires, charge_mode=ChargeMode.PERIOD), customer=tenant_a.resale)
        return len(queries)

    assert statements(100) == statements(2) == 2  # the products with their prices, the partner discounts


def test_rate_reads_the_prices_of_products_it_was_given(cat):
    from catalog.models import Product

    server = Product.objects.get(pk=cat.server.pk)  # read without its prices (a page's own choice)
    with CaptureQueriesContext(connection) as queries:
        line = pricing.rate([Item("a", server, period_type=MONTH, period_num=1)])[0]
    assert line.official == D("36.50") and len(queries) == 1


# ---------------------------------------------------------------------------------------------
# Partner discount (607)
# ---------------------------------------------------------------------------------------------

def test_the_partner_discount_is_a_607_row_and_lowers_the_amount(cat, tenant_a):
    set_discount_row(tenant_a.partner, tenant_a.resale, cat.ec2, "0.90")
    line = one(Item("a", cat.server, subscription_num=2, period_type=MONTH, period_num=1), tenant_a.resale)
    assert (line.official, line.discount, line.amount) == (D("73.00"), D("7.30"), D("65.70"))
    assert [(row.discount_type, row.discount_id, row.amount) for row in line.discounts] == [
        (607, f"607-{tenant_a.resale.domain_id}", D("7.30"))]


def test_the_discount_applies_per_service_type(cat, tenant_a):
    set_discount_row(tenant_a.partner, tenant_a.resale, cat.evs, "0.95")
    server, disk = pricing.rate([Item("s", cat.server, period_type=MONTH, period_num=1),
                                 Item("d", cat.disk, resource_size=100, size_measure_id=17, period_type=MONTH,
                                      period_num=1)], customer=tenant_a.resale)
    assert (server.discount, disk.official, disk.discount, disk.amount) == (0, D("70.00"), D("3.50"), D("66.50"))


def test_pay_per_use_is_discounted_too(cat, tenant_a):
    set_discount_row(tenant_a.partner, tenant_a.resale, cat.ec2, "0.88")
    line = one(Item("h", cat.server_hourly, usage_value=D(1), usage_measure_id=4), tenant_a.resale)
    assert (line.official, line.discount, line.amount) == (D("0.0735"), D("0.008820"), D("0.064680"))


def test_a_discount_beyond_the_ceiling_is_capped(cat, tenant_a):
    # ECS allows at most 15 % off: a rate of 0.80 (set before the operator lowered the ceiling) pays 0.85
    set_discount_row(tenant_a.partner, tenant_a.resale, cat.ec2, "0.80")
    line = one(Item("a", cat.server, period_type=MONTH, period_num=1), tenant_a.resale)
    assert (line.discount, line.amount) == (D("5.475"), D("31.025"))


def test_no_discount_where_the_service_type_allows_none(cat, tenant_a):
    set_discount_row(tenant_a.partner, tenant_a.resale, cat.vpc, "0.50")
    set_discount_row(tenant_a.partner, tenant_a.resale, cat.ec2, "0.90")
    cat.ec2.allow_discount = False
    cat.ec2.save()
    lines = pricing.rate([Item("b", cat.bw, resource_size=10, size_measure_id=15, period_type=MONTH, period_num=1),
                          Item("s", cat.server, period_type=MONTH, period_num=1)], customer=tenant_a.resale)
    assert [(line.official, line.discounts) for line in lines] == [(D("230.00"), ()), (D("36.50"), ())]


def test_no_discount_without_a_customer_or_for_a_referral_customer(cat, tenant_a):
    set_discount_row(tenant_a.partner, tenant_a.referral, cat.ec2, "0.90")
    item = Item("a", cat.server, period_type=MONTH, period_num=1)
    assert one(item).discounts == () and one(item, tenant_a.referral).discounts == ()


def test_no_discount_after_disassociation_nor_from_a_former_partner(cat, tenant_a):
    set_discount_row(tenant_a.partner, tenant_a.resale, cat.ec2, "0.90")
    item = Item("a", cat.server, period_type=MONTH, period_num=1)
    assert one(item, tenant_a.resale).discount == D("3.65")
    Association.objects.filter(customer=tenant_a.resale, ended_on__isnull=True).update(ended_on=timezone.now())
    assert one(item, tenant_a.resale).discounts == ()
    # associated with another partner now: the former partner's setting does not follow the customer
    AssociationFactory(partner=PartnerFactory(), customer=tenant_a.resale, association_type="2")
    assert one(item, tenant_a.resale).discounts == ()


def test_a_discount_set_before_the_customer_left_and_came_back_is_stale(cat, tenant_a):
    row = set_discount_row(tenant_a.partner, tenant_a.resale, cat.ec2, "0.90")
    Association.objects.filter(customer=tenant_a.resale, ended_on__isnull=True).update(
        ended_on=timezone.now() - timedelta(minutes=1))
    row.updated_at = timezone.now() - timedelta(minutes=5)
    row.save()
    AssociationFactory(partner=tenant_a.partner, customer=tenant_a.resale, association_type="2")
    item = Item("a", cat.server, period_type=MONTH, period_num=1)
    assert one(item, tenant_a.resale).discounts == ()


# ---------------------------------------------------------------------------------------------
# Precision and money
# ---------------------------------------------------------------------------------------------

def test_precision_modes_truncate_at_six_or_ten_decimals(cat, tenant_a):
    set_discount_row(tenant_a.partner, tenant_a.resale, cat.evs, "0.93")
    item = Item("s", cat.disk_hourly, resource_size=100, size_measure_id=17, usage_value=D(1), usage_measure_id=5)
    line = one(item, tenant_a.resale)
    # official 0.0001620366 (truncated from 0.000162036666…), amount × 0.93 = 0.000150694038
    assert (line.official, line.amount) == (D("0.0001620366"), D("0.000150694038"))
    six, ten = line.truncated(6), line.truncated(10)
    assert (six.official, six.amount, six.discount) == (D("0.000162"), D("0.000150"), D("0.000012"))
    assert (ten.official, ten.amount, ten.discount) == (D("0.0001620366"), D("0.0001506940"), D("0.0000113426"))
    assert [row.amount for row in ten.discounts] == [D("0.0000113426")]


def test_in_fen_rounds_half_up_once_per_line(cat, tenant_a):
    set_discount_row(tenant_a.partner, tenant_a.resale, cat.ec2, "0.85")
    line = one(Item("a", cat.server, period_type=MONTH, period_num=1), tenant_a.resale).in_fen()
    # 36.50 × 0.85 = 31.025 → 31.03 (half up, not to even: 31.02); the discount is what is left, 5.47
    assert (line.official, line.amount, line.discount) == (D("36.50"), D("31.03"), D("5.47"))
    assert [row.amount for row in line.discounts] == [D("5.47")]
    assert pricing.quantize_fen(D("0.125")) == D("0.13") and pricing.quantize_fen(D("0.135")) == D("0.14")


def test_in_fen_rescales_several_rows_to_sum_to_the_discount():
    rows = (DiscountRow(607, "p", "partner", D("1.0001")), DiscountRow(609, "q", "adjustment", D("1.0000")))
    line = LineRating(item=None, official=D("10.005"), discounts=rows).in_fen()
    # official 10.005 → 10.01; amount 8.0049 → 8.00; discount 2.01 shared 1.01 / 1.00 (the fen left to the larger)
    assert (line.official, line.amount, line.discount) == (D("10.01"), D("8.00"), D("2.01"))
    assert [(row.discount_type, row.amount) for row in line.discounts] == [(607, D("1.01")), (609, D("1.00"))]


def test_in_fen_drops_a_discount_smaller_than_half_a_fen():
    line = LineRating(item=None, official=D("1.00"), discounts=(DiscountRow(607, "p", "partner", D("0.004")),))
    fen = line.in_fen()
    assert (fen.official, fen.amount, fen.discounts) == (D("1.00"), D("1.00"), ())


# ---------------------------------------------------------------------------------------------
# Renewals
# ---------------------------------------------------------------------------------------------

def _resource(customer, product, **fields):
    return ResourceFactory(customer=customer, charging_mode="period", status=2, product_id=product.product_id,
                           service_type_code=product.service_type.code, resource_type_code=product.resource_type.code,
                           resource_spec_code=product.resource_spec, region_code=product.region.code, **fields)


def test_renewal_rates_main_resources_with_their_subordinates(cat, tenant_a):
    set_discount_row(tenant_a.partner, tenant_a.resale, cat.ec2, "0.90")
    server = _resource(tenant_a.resale, cat.server)
    _resource(tenant_a.resale, cat.disk, is_main_resource=False, parent_resource_id=server.resource_id,
              product_spec_desc="云硬盘_SSD|40.0GB")
    alone = pricing.rate_renewal(tenant_a.resale, resource_ids=[server.resource_id], period_type=MONTH, period_num=2)
    both = pricing.rate_renewal(tenant_a.resale, resource_ids=[server.resource_id], period_type=MONTH, period_num=2,
                                include_relative=True)
    assert [(r.official, r.amount) for r in alone.results] == [(D("73.00"), D("65.70"))]
    # + 0.70 × 40 GB × 2 months (EVS: no discount set)
    assert [(r.official, r.amount) for r in both.results] == [(D("129.00"), D("121.70"))]


def test_renewal_failures_are_per_resource(cat, tenant_a, tenant_b):
    server = _resource(tenant_a.resale, cat.server)
    disk = _resource(tenant_a.resale, cat.disk, is_main_resource=False, parent_resource_id=server.resource_id)
    theirs = _resource(tenant_b.resale, cat.server)
    ids = [server.resource_id, disk.resource_id, theirs.resource_id, "nothing"]
    rating = pricing.rate_renewal(tenant_a.resale, resource_ids=ids, period_type=MONTH, period_num=1)
    assert [r.resource.resource_id for r in rating.results] == [server.resource_id]
    assert [(f.resource_id, f.code) for f in rating.failures] == [
        (disk.resource_id, "CBC.30050007"), (theirs.resource_id, "CBC.0156"), ("nothing", "CBC.0156")]
    for period_type, period_num in [(MONTH, 12), (YEAR, 4), (DAY, 1), (None, None)]:
        rating = pricing.rate_renewal(tenant_a.resale, resource_ids=[server.resource_id], period_type=period_type,
                                      period_num=period_num)
        assert [(f.resource_id, f.code) for f in rating.failures] == [(server.resource_id, "CBC.30050008")]
