"""Rating (询价) through the official SDK against a live server: pay-per-use, yearly/monthly subscription and
renewal prices, as a customer's key (its partner discount applied) and as a partner's key (official prices,
or a named customer's); each documented error code, and nothing written by any call."""

from decimal import Decimal

import pytest
from django.test import Client
from huaweicloudsdkbss.v2 import (
    DemandProductInfo, ListOnDemandResourceRatingsRequest, ListRateOnPeriodDetailRequest, ListRenewRateOnPeriodReq,
    ListRenewRateOnPeriodRequest, PeriodProductInfo, RateOnDemandReq, RateOnPeriodReq,
)
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException

from partnercenter.models import OperationLog
from trade.models import Order, PartnerDiscount

from ..factories import CustomerUserFactory, ResourceFactory, make_access_key
from ..signed import bss_client, call
from .pricing_helpers import pricing_catalogue, set_discount_row

pytestmark = pytest.mark.django_db(transaction=True)

D = Decimal
ON_DEMAND = "/v2/bills/ratings/on-demand-resources"
SUBSCRIBE = "/v2/bills/ratings/period-resources/subscribe-rate"


@pytest.fixture
def cat(tenant_a):
    c = pricing_catalogue()
    set_discount_row(tenant_a.partner, tenant_a.resale, c.ec2, "0.90")
    return c


@pytest.fixture
def customer_key(tenant_a):
    return make_access_key(CustomerUserFactory(customer=tenant_a.resale).user)


@pytest.fixture
def customer_client(live_server, tenant_a, customer_key):
    key, secret = customer_key
    return bss_client(live_server.url, ak=key.ak, sk=secret, domain_id=tenant_a.resale.domain_id)


@pytest.fixture
def partner_client(live_server, tenant_a):
    return bss_client(live_server.url, ak=tenant_a.key.ak, sk=tenant_a.secret, domain_id=tenant_a.partner.domain_id)


def _snapshot():
    return (OperationLog.objects.count(), Order.objects.count(),
            sorted(PartnerDiscount.objects.values_list("pk", "rate", "updated_at")))


def _refused(call_):
    with pytest.raises(ClientRequestException) as refused:
        call_()
    return refused.value.status_code, refused.value.error_code


def demand(product, item_id="1", **fields):
    base = dict(id=item_id, cloud_service_type=product.service_type.code, resource_type=product.resource_type.code,
                resource_spec=product.resource_spec, region=product.region.code, subscription_num=1)
    return DemandProductInfo(**{**base, **fields})


def period(product, item_id="1", **fields):
    base = dict(id=item_id, cloud_service_type=product.service_type.code, resource_type=product.resource_type.code,
                resource_spec=product.resource_spec, region=product.region.code, subscription_num=1,
                period_type=2, period_num=1)
    return PeriodProductInfo(**{**base, **fields})


def rate_on_demand(client, *items, precision=None):
    return client.list_on_demand_resource_ratings(ListOnDemandResourceRatingsRequest(
        body=RateOnDemandReq(project_id="p1", inquiry_precision=precision, product_infos=list(items))))


def rate_period(client, *items):
    return client.list_rate_on_period_detail(ListRateOnPeriodDetailRequest(
        body=RateOnPeriodReq(project_id="p1", product_infos=list(items))))


def rate_renewal(client, ids, period_type=2, period_num=1, relative=None):
    return client.list_renew_rate_on_period(ListRenewRateOnPeriodRequest(body=ListRenewRateOnPeriodReq(
        resource_ids=ids, period_type=period_type, period_num=period_num, include_relative_resources=relative)))


# ---------------------------------------------------------------------------------------------
# Pay-per-use
# ---------------------------------------------------------------------------------------------

def test_on_demand_rating_with_the_customers_partner_discount(customer_client, cat):
    before = _snapshot()
    result = rate_on_demand(
        customer_client,
        demand(cat.server_hourly, "vm", usage_factor="Duration", usage_value=D("90"), usage_measure_id=5,
               subscription_num=2),
        demand(cat.disk_hourly, "disk", usage_factor="Duration", usage_value=D("1"), usage_measure_id=4,
               resource_size=100, size_measure_id=17))
    vm, disk = result.product_rating_results
    # VM: 0.0735 × 1.5 h × 2 = 0.2205, 10 % off: 0.02205; disk: 0.000097222 × 100 GB = 0.0097222 (EVS: none)
    assert (vm.id, vm.product_id) == ("vm", cat.server_hourly.product_id)
    assert (vm.official_website_amount, vm.discount_amount, vm.amount) == (D("0.2205"), D("0.02205"), D("0.19845"))
    assert [(r.discount_type, r.amount, r.measure_id) for r in vm.discount_rating_results] == [(607, D("0.02205"), 1)]
    assert (disk.official_website_amount, disk.discount_amount, disk.discount_rating_results) == (
        D("0.009722"), D("0.00"), [])
    assert (result.official_website_amount, result.discount_amount, result.amount) == (
        D("0.230222"), D("0.02205"), D("0.208172"))
    assert (result.currency, result.measure_id) == ("CNY", 1)
    assert _snapshot() == before


def test_inquiry_precision_truncates_at_six_or_ten_decimals(customer_client, cat):
    item = demand(cat.disk_hourly, usage_value=D("1"), usage_measure_id=5, resource_size=100, size_measure_id=17)
    six = rate_on_demand(customer_client, item).product_rating_results[0]
    ten = rate_on_demand(customer_client, item, precision=1).product_rating_results[0]
    # 0.0097222 / 60 = 0.000162036666…: cut, never rounded up
    assert (six.official_website_amount, ten.official_website_amount) == (D("0.000162"), D("0.0001620366"))


def test_a_partner_key_rates_at_the_official_price(partner_client, cat):
    result = rate_on_demand(partner_client, demand(cat.server_hourly, usage_value=D("2"), usage_measure_id=4))
    assert (result.official_website_amount, result.discount_amount, result.amount) == (
        D("0.147"), D("0.00"), D("0.147"))


@pytest.mark.parametrize("case,code", [
    ("linear without size", "CBC.0100"),
    ("unknown spec", "CBC.99006006"),
    ("usage in MB", "CBC.99006050"),
    ("precision 2", "CBC.0100"),
])
def test_on_demand_errors(customer_client, cat, case, code):
    items = {
        "linear without size": demand(cat.disk_hourly, usage_value=D("1"), usage_measure_id=4),
        "unknown spec": demand(cat.server_hourly, resource_spec="x9.huge", usage_value=D("1"), usage_measure_id=4),
        "usage in MB": demand(cat.server_hourly, usage_value=D("1"), usage_measure_id=11),
        "precision 2": demand(cat.server_hourly, usage_value=D("1"), usage_measure_id=4),
    }
    before = _snapshot()
    precision = 2 if case == "precision 2" else None
    assert _refused(lambda: rate_on_demand(customer_client, items[case], precision=precision)) == (400, code)
    assert _snapshot() == before


# ---------------------------------------------------------------------------------------------
# Yearly/monthly subscription
# ---------------------------------------------------------------------------------------------

def test_subscribe_rate_with_the_partner_discount_as_the_best_offer(customer_client, cat, tenant_a):
    result = rate_period(customer_client, period(cat.server, "vm", subscription_num=2, period_num=3),
                         period(cat.disk, "disk", resource_size=40, size_measure_id=17, period_type=3))
    official = result.official_website_rating_result
    # VM 36.50 × 3 months × 2 = 219.00; SSD 7.00 per GB a year × 40 GB = 280.00
    assert official.official_website_amount == D("499.00")
    assert [(p.id, p.official_website_amount) for p in official.product_rating_results] == [
        ("vm", D("219.00")), ("disk", D("280.00"))]
    [option] = result.optional_discount_rating_results
    assert (option.discount_type, option.discount_id, option.best_offer) == (607, f"607-{tenant_a.resale.domain_id}", 1)
    assert (option.official_website_amount, option.discount_amount, option.amount) == (
        D("499.00"), D("21.90"), D("477.10"))
    assert [(p.id, p.discount_amount, p.amount) for p in option.product_rating_results] == [
        ("vm", D("21.90"), D("197.10")), ("disk", D("0.00"), D("280.00"))]


def test_a_partner_key_gets_no_discount_unless_it_names_its_customer(partner_client, cat, tenant_a, tenant_b):
    result = rate_period(partner_client, period(cat.server))
    assert result.official_website_rating_result.official_website_amount == D("36.50")
    assert result.optional_discount_rating_results == []
    body = {"customer_id": tenant_a.resale.domain_id, "product_infos": [period(cat.server).to_dict()]}
    named = call(Client(), "POST", SUBSCRIBE, ak=tenant_a.key.ak, sk=tenant_a.secret, json=body)
    assert named.status_code == 200
    assert named.json()["optional_discount_rating_results"][0]["amount"] == 32.85
    # another partner's customer, or a made-up one: not found, the same answer
    for customer_id in (tenant_b.resale.domain_id, "0" * 32):
        other = call(Client(), "POST", SUBSCRIBE, ak=tenant_a.key.ak, sk=tenant_a.secret,
                     json={**body, "customer_id": customer_id})
        assert (other.status_code, other.json()["error_code"]) == (404, "CBC.0156")


def test_amounts_are_written_as_exact_decimals(tenant_a, cat):
    """18 significant digits: a float (what DRF writes a Decimal as) would end in …91197."""
    from catalog.models import Price

    Price.objects.filter(product=cat.server, period_type=2).update(amount=D("1234567.123457"))
    item = period(cat.server, subscription_num=9999, period_num=11).to_dict()
    response = call(Client(), "POST", SUBSCRIBE, ak=tenant_a.key.ak, sk=tenant_a.secret, json={"product_infos": [item]})
    assert b'"official_website_amount":135788803341.911973,' in response.content


@pytest.mark.parametrize("case,status,code", [
    ("linear without size", 400, "CBC.0100"),
    ("wrong size unit", 400, "CBC.0100"),
    ("unknown region", 400, "CBC.99006006"),
    ("13 months", 400, "CBC.30050008"),
    ("4 years", 400, "CBC.30050008"),
    ("hourly period", 400, "CBC.30050008"),
])
def test_subscribe_rate_errors(customer_client, cat, case, status, code):
    items = {
        "linear without size": period(cat.disk),
        "wrong size unit": period(cat.disk, resource_size=40, size_measure_id=15),
        "unknown region": period(cat.server, region="ap-southeast-9"),
        "13 months": period(cat.server, period_num=13),
        "4 years": period(cat.server, period_type=3, period_num=4),
        "hourly period": period(cat.server, period_type=4),
    }
    before = _snapshot()
    assert _refused(lambda: rate_period(customer_client, items[case])) == (status, code)
    assert _snapshot() == before


# ---------------------------------------------------------------------------------------------
# Renewals
# ---------------------------------------------------------------------------------------------

def _resource(customer, product, **fields):
    return ResourceFactory(customer=customer, charging_mode="period", status=2, product_id=product.product_id,
                           service_type_code=product.service_type.code, resource_type_code=product.resource_type.code,
                           resource_spec_code=product.resource_spec, region_code=product.region.code, **fields)


@pytest.fixture
def resources(cat, tenant_a, tenant_b):
    server = _resource(tenant_a.resale, cat.server)
    disk = _resource(tenant_a.resale, cat.disk, is_main_resource=False, parent_resource_id=server.resource_id,
                     product_spec_desc="云硬盘_SSD|40.0GB")
    return {"server": server, "disk": disk, "other": _resource(tenant_b.resale, cat.server)}


def test_renew_rate_of_a_main_resource_with_and_without_its_disk(customer_client, resources, tenant_a):
    server = resources["server"].resource_id
    alone = rate_renewal(customer_client, [server], period_num=2)
    both = rate_renewal(customer_client, [server], period_num=2, relative=True)
    yearly = rate_renewal(customer_client, [server], period_type=3, period_num=1)
    # 36.50 × 2 = 73.00 − 10 % = 65.70; with the disk: + 0.70 × 40 GB × 2 = 56.00 (EVS: no discount)
    assert [(r.resource_id, r.amount) for r in alone.renew_inquiry_results] == [(server, "65.70")]
    assert alone.official_website_rating_result.official_website_amount == "73.00"
    [option] = alone.optional_discount_rating_results
    assert (option.discount_type, option.discount_amount, option.amount, option.best_offer) == (607, "7.30", "65.70", 1)
    assert [(r.resource_id, r.amount) for r in both.renew_inquiry_results] == [(server, "121.70")]
    assert both.official_website_rating_result.official_website_amount == "129.00"
    assert [(r.resource_id, r.amount) for r in yearly.renew_inquiry_results] == [(server, "328.50")]
    assert alone.fail_resource_infos == [] and alone.currency == "CNY"


def test_renew_rate_reports_each_resource_it_cannot_rate(customer_client, resources):
    before = _snapshot()
    server, disk, other = (resources[name].resource_id for name in ("server", "disk", "other"))
    result = rate_renewal(customer_client, [server, disk, other])
    assert [r.resource_id for r in result.renew_inquiry_results] == [server]
    assert [(f.resource_id, f.error_code) for f in result.fail_resource_infos] == [
        (disk, "CBC.30050007"), (other, "CBC.0156")]
    for period_type, period_num in [(2, 12), (3, 4), (0, 1)]:
        refused = rate_renewal(customer_client, [server], period_type=period_type, period_num=period_num)
        assert refused.renew_inquiry_results == []
        assert [(f.resource_id, f.error_code) for f in refused.fail_resource_infos] == [(server, "CBC.30050008")]
    assert _snapshot() == before


def test_a_partner_key_rates_renewals_of_its_customers_only(partner_client, resources):
    server, other = resources["server"].resource_id, resources["other"].resource_id
    result = rate_renewal(partner_client, [server, other])
    assert [(r.resource_id, r.amount) for r in result.renew_inquiry_results] == [(server, "32.85")]
    assert [(f.resource_id, f.error_code) for f in result.fail_resource_infos] == [(other, "CBC.0156")]


def test_renew_rate_refuses_malformed_requests(customer_client, resources):
    too_many = [f"r{n}" for n in range(11)]
    assert _refused(lambda: rate_renewal(customer_client, too_many)) == (400, "CBC.0100")
    assert _refused(lambda: rate_renewal(customer_client, [])) == (400, "CBC.0100")


@pytest.mark.parametrize("precision", [{}, [0], "1", 2, True, 0.0])
def test_an_inquiry_precision_other_than_0_or_1_is_cbc_0100(tenant_a, cat, precision):
    response = call(Client(), "POST", ON_DEMAND, ak=tenant_a.key.ak, sk=tenant_a.secret,
                    json={"inquiry_precision": precision, "product_infos": []})
    assert (response.status_code, response.json()["error_code"]) == (400, "CBC.0100")
