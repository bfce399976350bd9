"""A small catalogue for the rating tests, written with the models (get-or-create, so another helper's or the
demo catalogue's rows may be there too), with prices chosen so that hand computation is easy and a rounding
or truncation mistake shows."""

from decimal import Decimal
from types import SimpleNamespace

from catalog.choices import ChargeMode, MeasureType, PeriodType
from catalog.models import Conversion, MeasureUnit, Price, Product, Region, ResourceType, ServiceType, UsageType
from trade.models import PartnerDiscount

__all__ = ["pricing_catalogue", "product", "set_discount_row", "wire_item"]

EC2, EVS, VPC = "hws.service.type.ec2", "hws.service.type.evs", "hws.service.type.vpc"


def _unit(measure_id, name, measure_type):
    unit, _ = MeasureUnit.objects.get_or_create(measure_id=measure_id, defaults={
        "name": name, "name_en": name, "abbreviation": name, "measure_type": measure_type})
    return unit


def _service_type(code, name, *, allow, ceiling):
    service_type, _ = ServiceType.objects.get_or_create(code=code, defaults={"name": name, "name_en": name})
    ServiceType.objects.filter(pk=service_type.pk).update(allow_discount=allow, max_partner_discount=Decimal(ceiling))
    service_type.refresh_from_db()
    return service_type


def product(*, service_type, resource_type, spec, region, mode, prices, linear=False, size_measure=None,
            min_size=None, max_size=None, usage_type=None, usage_measure=None, active=True):
    """A product with its prices: {period type or None: "amount"}."""
    item, created = Product.objects.get_or_create(
        resource_type=resource_type, resource_spec=spec, region=region, charge_mode=mode,
        defaults={"service_type": service_type, "spec_name": spec, "spec_name_en": spec, "is_linear": linear,
                  "size_measure": size_measure, "min_size": min_size, "max_size": max_size,
                  "usage_type": usage_type, "usage_measure": usage_measure, "is_active": active})
    for period_type, amount in prices.items():
        Price.objects.update_or_create(product=item, period_type=period_type, defaults={"amount": Decimal(amount)})
    return item


def pricing_catalogue():
    """ECS (discounts allowed, at most 15 % off), EVS (at most 10 % off), VPC bandwidth (no discounts), in
    cn-north-4, with the units and conversions of Huawei's ids (4 hour = 60 × 5 minute, 10 GB = 1024 × 11 MB)."""
    c = SimpleNamespace()
    c.region, _ = Region.objects.get_or_create(code="cn-north-4", defaults={"name": "华北-北京四"})
    c.yuan = _unit(1, "元", MeasureType.CURRENCY)
    c.hour = _unit(4, "小时", MeasureType.DURATION)
    c.minute = _unit(5, "分钟", MeasureType.DURATION)
    c.gb = _unit(10, "GB", MeasureType.TRAFFIC)
    c.mb = _unit(11, "MB", MeasureType.TRAFFIC)
    c.count = _unit(14, "个", MeasureType.COUNT)
    c.mbps = _unit(15, "Mbps", MeasureType.BANDWIDTH)
    c.gb_size = _unit(17, "GB", MeasureType.CAPACITY)
    Conversion.objects.get_or_create(measure=c.hour, ref_measure=c.minute,
                                     defaults={"ratio": 60, "measure_type": MeasureType.DURATION})
    Conversion.objects.get_or_create(measure=c.gb, ref_measure=c.mb,
                                     defaults={"ratio": 1024, "measure_type": MeasureType.TRAFFIC})
    c.ec2 = _service_type(EC2, "弹性云服务器", allow=True, ceiling="0.150")
    c.evs = _service_type(EVS, "云硬盘", allow=True, ceiling="0.100")
    c.vpc = _service_type(VPC, "虚拟私有云", allow=False, ceiling="0")
    c.vm, _ = ResourceType.objects.get_or_create(code="hws.resource.type.vm", defaults={
        "name": "云主机", "service_type": c.ec2})
    c.volume, _ = ResourceType.objects.get_or_create(code="hws.resource.type.volume", defaults={
        "name": "云硬盘", "service_type": c.evs})
    c.bandwidth, _ = ResourceType.objects.get_or_create(code="hws.resource.type.bandwidth", defaults={
        "name": "带宽", "service_type": c.vpc})
    c.duration, _ = UsageType.objects.get_or_create(code="Duration", resource_type=c.vm, defaults={"name": "时长"})
    c.disk_duration, _ = UsageType.objects.get_or_create(code="Duration", resource_type=c.volume,
                                                         defaults={"name": "时长"})
    # yearly/monthly
    c.server = product(service_type=c.ec2, resource_type=c.vm, spec="s6.small.1.linux", region=c.region,
                       mode=ChargeMode.PERIOD, prices={PeriodType.MONTH: "36.50", PeriodType.YEAR: "365.00"})
    c.disk = product(service_type=c.evs, resource_type=c.volume, spec="SSD", region=c.region, mode=ChargeMode.PERIOD,
                     prices={PeriodType.MONTH: "0.70", PeriodType.YEAR: "7.00"}, linear=True, size_measure=c.gb_size,
                     min_size=10, max_size=32768)
    c.bw = product(service_type=c.vpc, resource_type=c.bandwidth, spec="19_bgp", region=c.region,
                   mode=ChargeMode.PERIOD, prices={PeriodType.MONTH: "23.00"}, linear=True, size_measure=c.mbps,
                   min_size=1, max_size=2000)
    # pay-per-use (per hour)
    c.server_hourly = product(service_type=c.ec2, resource_type=c.vm, spec="s6.small.1.linux", region=c.region,
                              mode=ChargeMode.ON_DEMAND, prices={None: "0.0735"}, usage_type=c.duration,
                              usage_measure=c.hour)
    c.disk_hourly = product(service_type=c.evs, resource_type=c.volume, spec="SAS", region=c.region,
                            mode=ChargeMode.ON_DEMAND, prices={None: "0.000097222"}, linear=True,
                            size_measure=c.gb_size, min_size=10, max_size=32768, usage_type=c.disk_duration,
                            usage_measure=c.hour)
    return c


def set_discount_row(partner, customer, service_type, rate):
    """A partner discount as the service would leave it (tests of the arithmetic; the service is tested apart)."""
    row, _ = PartnerDiscount.objects.update_or_create(partner=partner, customer=customer, service_type=service_type,
                                                      defaults={"rate": Decimal(rate)})
    return row


def wire_item(product, item_id="1", **fields):
    """A product_infos entry for `product` (its codes), with `fields` added."""
    return {"id": item_id, "cloud_service_type": product.service_type.code, "resource_type": product.resource_type.code,
            "resource_spec": product.resource_spec, "region": product.region.code, "subscription_num": 1, **fields}
