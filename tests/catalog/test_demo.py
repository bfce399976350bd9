"""The demo catalogue: realistic prices, every kind of product the issue names, idempotent; and every demo
resource of the customers' demo is a product of it."""

from decimal import Decimal

import pytest

from catalog import importing
from catalog.choices import ChargeMode, PackageReset, PeriodType
from catalog.demo import seed_catalog
from catalog.models import Price, Product, ServiceType

from .test_importing import snapshot

pytestmark = pytest.mark.django_db


def prices_of(spec, region="cn-north-4"):
    return {(price.product.charge_mode, price.period_type): price.amount for price in Price.objects.filter(
        product__resource_spec=spec, product__region__code=region).select_related("product")}


def test_the_demo_catalogue_has_realistic_prices_of_every_kind(catalogue):
    assert prices_of("s6.small.1.linux") == {(ChargeMode.ON_DEMAND, None): Decimal("0.22"),
                                             (ChargeMode.PERIOD, PeriodType.MONTH): Decimal("73.70"),
                                             (ChargeMode.PERIOD, PeriodType.YEAR): Decimal("737.00")}
    disk = Product.objects.get(resource_spec="SSD", region__code="cn-east-3", charge_mode=ChargeMode.PERIOD)
    assert (disk.is_linear, disk.size_measure_id, disk.min_size) == (True, 17, 10)
    bandwidth = Product.objects.get(resource_spec="19_bgp", region__code="cn-south-1", charge_mode=ChargeMode.ON_DEMAND)
    assert (bandwidth.is_linear, bandwidth.size_measure_id, bandwidth.usage_measure_id) == (True, 15, 4)
    package = Product.objects.get(resource_spec="obs.upflow.pkg.100gb", region__code="cn-north-4")
    assert (package.is_package, package.package_reset, package.package_quota) == (
        True, PackageReset.RESETTABLE, Decimal("100"))
    assert Product.objects.filter(is_marketplace=True, service_type__code="hws.service.type.marketplace").exists()
    card = Product.objects.get(is_stored_card=True)
    assert card.prices.get().period_type == PeriodType.ONE_OFF
    assert set(ServiceType.objects.filter(allow_discount=True).values_list("code", "max_partner_discount")) >= {
        ("hws.service.type.ec2", Decimal("0.150")), ("hws.service.type.evs", Decimal("0.100"))}
    assert all(st.name and st.name_en for st in ServiceType.objects.all())
    assert not Product.objects.filter(prices__isnull=True).exists()


def test_seeding_twice_changes_nothing_and_the_demo_is_a_clean_price_list(catalogue):
    before = snapshot()
    seed_catalog()
    assert snapshot() == before
    plan = importing.plan_import(importing.read_table(importing.write_csv(importing.export_rows()), "demo.csv"))
    assert plan.ok and plan.changes == 0


def test_the_customers_demo_resources_are_catalogue_products():
    from catalog.demo import seed as seed_catalogue
    from customers.demo import seed as seed_customers
    from customers.models import Resource
    from partnercenter.demo import seed as seed_core

    ctx = {"partners": {}, "members": {}, "logins": [], "access_keys": []}
    seed_core(ctx)
    seed_catalogue(ctx)
    seed_customers(ctx)
    seed_customers({**ctx, "logins": [], "access_keys": []})  # idempotent

    resources = list(Resource.objects.all())
    products = {p.product_id: p for p in Product.objects.select_related("service_type", "resource_type", "region")}
    assert len(resources) == 8 * 6
    for resource in resources:
        product = products[resource.product_id]
        mode = ChargeMode.PERIOD if resource.charging_mode == "period" else ChargeMode.ON_DEMAND
        assert (resource.service_type_code, resource.resource_type_code, resource.resource_spec_code,
                resource.region_code, mode) == (product.service_type.code, product.resource_type.code,
                                                product.resource_spec, product.region.code, product.charge_mode)
    key_customer = next(a for a in ctx["access_keys"] if a["kind"] == "customer")["domain_id"]
    on_demand_servers = Resource.objects.filter(customer__domain_id=key_customer, charging_mode="on_demand",
                                                service_type_code="hws.service.type.ec2")
    assert on_demand_servers.count() == 2
