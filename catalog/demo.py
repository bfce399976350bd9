"""Demo catalogue: a small, realistic slice of Huawei Cloud's price list in three regions — ECS servers,
EVS disks and VPC bandwidth priced by size, elastic IPs, OBS storage, traffic and resource packages (资源包),
RDS instances, a marketplace (云商店严选) product and a stored-value card (储值卡).

`seed_catalog()` is idempotent (a second run changes nothing); `manage.py seed_demo` calls it through
`seed(ctx)` before the customers' demo, whose resources refer to these products. The products and prices
go in through the price-list importer (catalog.importing), so the demo is also a price list that imports
cleanly; their product IDs are derived from their keys, the same in every installation.
"""

import hashlib
from decimal import Decimal

from .choices import ChargeMode, Measure, MeasureType, PackageReset, PeriodType
from .importing import COLUMNS, apply_import
from .models import Conversion, MeasureUnit, Product, Region, ResourceType, ServiceType, UsageType

__all__ = ["seed", "seed_catalog", "demo_product_id", "REGIONS"]

REGIONS = [
    ("cn-north-4", "华北-北京四", "CN North-Beijing4"),
    ("cn-east-3", "华东-上海一", "CN East-Shanghai1"),
    ("cn-south-1", "华南-广州", "CN South-Guangzhou"),
]
ALL_REGIONS = [code for code, _zh, _en in REGIONS]

EC2, EVS, VPC = "hws.service.type.ec2", "hws.service.type.evs", "hws.service.type.vpc"
OBS, RDS = "hws.service.type.obs", "hws.service.type.rds"
MARKETPLACE, STORED_CARD = "hws.service.type.marketplace", "hws.service.type.storedcard"

# code, Chinese, English, abbreviation, partners may discount, largest partner discount
SERVICE_TYPES = [
    (EC2, "弹性云服务器", "Elastic Cloud Server", "ECS", True, "0.150"),
    (EVS, "云硬盘", "Elastic Volume Service", "EVS", True, "0.100"),
    (VPC, "虚拟私有云", "Virtual Private Cloud", "VPC", False, "0"),
    (OBS, "对象存储服务", "Object Storage Service", "OBS", False, "0"),
    (RDS, "云数据库 RDS", "Relational Database Service", "RDS", True, "0.080"),
    (MARKETPLACE, "云商店严选", "KooGallery Selected", "KooGallery", False, "0"),
    (STORED_CARD, "储值卡", "Stored-value card", "SVC", False, "0"),
]

VM, VOLUME, BANDWIDTH = "hws.resource.type.vm", "hws.resource.type.volume", "hws.resource.type.bandwidth"
IP, OBJECTS, DB = "hws.resource.type.ip", "hws.resource.type.obs", "hws.resource.type.rds.vm"
SAAS, CARD = "hws.resource.type.marketplace.saas", "hws.resource.type.storedcard"

# code, service type, Chinese, English, description
RESOURCE_TYPES = [
    (VM, EC2, "云主机", "Cloud server", "弹性云服务器的虚拟机"),
    (VOLUME, EVS, "云硬盘", "Disk", "弹性云服务器挂载的块存储"),
    (BANDWIDTH, VPC, "带宽", "Bandwidth", "弹性公网IP的带宽"),
    (IP, VPC, "弹性公网IP", "Elastic IP", "可独立购买的公网IP地址"),
    (OBJECTS, OBS, "对象存储", "Object storage", "桶中对象的存储与访问"),
    (DB, RDS, "云数据库实例", "DB instance", "RDS for MySQL 实例"),
    (SAAS, MARKETPLACE, "云商店严选SaaS", "KooGallery SaaS", "云商店严选的软件订阅"),
    (CARD, STORED_CARD, "储值卡", "Stored-value card", "预付费的华为云储值卡"),
]

# measure id, Chinese, English, abbreviation, measure type
MEASURES = [
    (Measure.YUAN, "元", "yuan", "Yuan", MeasureType.CURRENCY),
    (Measure.HOUR, "小时", "hour", "H", MeasureType.DURATION),
    (Measure.MINUTE, "分钟", "minute", "M", MeasureType.DURATION),
    (Measure.SECOND, "秒", "second", "S", MeasureType.DURATION),
    (Measure.GB, "GB", "GB", "G", MeasureType.TRAFFIC),
    (Measure.MB, "MB", "MB", "M", MeasureType.TRAFFIC),
    (Measure.COUNT, "个", "unit", "PCS", MeasureType.COUNT),
    (Measure.MBPS, "Mbps", "Mbps", "Mbps", MeasureType.BANDWIDTH),
    (Measure.GB_SIZE, "GB", "GB", "G", MeasureType.CAPACITY),
]

# measure, ref measure, ratio
CONVERSIONS = [
    (Measure.HOUR, Measure.MINUTE, 60),
    (Measure.HOUR, Measure.SECOND, 3600),
    (Measure.MINUTE, Measure.SECOND, 60),
    (Measure.GB, Measure.MB, 1024),
]

# resource type, usage type code, Chinese, English
USAGE_TYPES = [
    (VM, "Duration", "时长", "Duration"),
    (VOLUME, "Duration", "时长", "Duration"),
    (BANDWIDTH, "Duration", "时长", "Duration"),
    (BANDWIDTH, "upflow", "上行流量", "Outbound traffic"),
    (IP, "Duration", "时长", "Duration"),
    (OBJECTS, "Duration", "时长", "Duration"),
    (OBJECTS, "upflow", "公网流出流量", "Internet outbound traffic"),
    (DB, "Duration", "时长", "Duration"),
]

# ECS: spec, Chinese, English, per hour, per month, per year (a year costs ten months)
SERVERS = [
    ("s6.small.1.linux", "通用计算型|s6.small.1|1vCPUs|1GiB|Linux", "General computing|s6.small.1|1 vCPU|1 GiB|Linux",
     "0.22", "73.70", "737.00"),
    ("s6.medium.2.linux", "通用计算型|s6.medium.2|1vCPUs|2GiB|Linux", "General computing|s6.medium.2|1 vCPU|2 GiB|Linux",
     "0.37", "108.70", "1087.00"),
    ("s6.large.2.linux", "通用计算型|s6.large.2|2vCPUs|4GiB|Linux", "General computing|s6.large.2|2 vCPUs|4 GiB|Linux",
     "0.74", "217.40", "2174.00"),
    ("s6.xlarge.2.linux", "通用计算型|s6.xlarge.2|4vCPUs|8GiB|Linux",
     "General computing|s6.xlarge.2|4 vCPUs|8 GiB|Linux", "1.48", "434.80", "4348.00"),
    ("c7.large.2.linux", "通用计算增强型|c7.large.2|2vCPUs|4GiB|Linux",
     "General computing-plus|c7.large.2|2 vCPUs|4 GiB|Linux", "0.83", "244.00", "2440.00"),
    ("s6.large.2.win", "通用计算型|s6.large.2|2vCPUs|4GiB|Windows", "General computing|s6.large.2|2 vCPUs|4 GiB|Windows",
     "0.94", "277.40", "2774.00"),
]
# EVS, per GB: spec, Chinese, English, per GB-hour, per GB-month, per GB-year
DISKS = [
    ("SATA", "普通IO", "Common I/O", "0.00042", "0.30", "3.00"),
    ("SAS", "高IO", "High I/O", "0.00049", "0.35", "3.50"),
    ("SSD", "超高IO", "Ultra-high I/O", "0.0014", "1.00", "10.00"),
]
# RDS: spec, Chinese, English, per hour, per month, per year
DATABASES = [
    ("rds.mysql.n1.large.2", "MySQL|单机|2vCPUs|4GB", "MySQL|single|2 vCPUs|4 GB", "0.70", "236.00", "2360.00"),
    ("rds.mysql.n1.large.2.ha", "MySQL|主备|2vCPUs|4GB", "MySQL|primary/standby|2 vCPUs|4 GB", "1.40", "472.00",
     "4720.00"),
]


# What the resource packages (资源包) pay (bills/packages.py): the storage package the standard storage's usage
# (Duration of a linear product, counted in GB of capacity over the package's cycle: 40 GB stored all the time),
# the traffic package the Internet outbound traffic (upflow, in GB).
STORAGE_PACKAGE = {"usage_type_code": "Duration", "usage_measure_id": Measure.GB_SIZE}
UPFLOW_PACKAGE = {"usage_type_code": "upflow", "usage_measure_id": Measure.GB}


def demo_product_id(resource_type: str, spec: str, region: str, charge_mode: int) -> str:
    """The demo product's ID: derived from its key, so it is the same in every installation."""
    digest = hashlib.sha1(f"{resource_type}|{spec}|{region}|{charge_mode}".encode()).hexdigest()
    return "OFFI" + digest[:20].upper()


def _row(service, resource, spec, name, name_en, region, mode, period_type, price, **extra):
    row = dict.fromkeys(COLUMNS, "")
    row.update(service_type_code=service, resource_type_code=resource, resource_spec=spec, spec_name=name,
               spec_name_en=name_en, region_code=region, charge_mode=str(int(mode)),
               period_type="" if period_type is None else str(int(period_type)), price=price,
               product_id=demo_product_id(resource, spec, region, int(mode)), is_active="1")
    row.update({key: str(int(value)) if isinstance(value, bool) else str(value) for key, value in extra.items()})
    return row


def _period_and_demand(service, resource, spec, name, name_en, regions, hourly, monthly, yearly, *, usage="Duration",
                       usage_measure=Measure.HOUR, **extra):
    rows = []
    for region in regions:
        rows.append(_row(service, resource, spec, name, name_en, region, ChargeMode.ON_DEMAND, None, hourly,
                         usage_type_code=usage, usage_measure_id=usage_measure, **extra))
        for period_type, price in ((PeriodType.MONTH, monthly), (PeriodType.YEAR, yearly)):
            rows.append(_row(service, resource, spec, name, name_en, region, ChargeMode.PERIOD, period_type, price,
                             **extra))
    return rows


def price_list() -> list[dict]:
    """The demo catalogue as price-list rows (catalog.importing's columns)."""
    rows = []
    for spec, name, name_en, hourly, monthly, yearly in SERVERS:
        rows += _period_and_demand(EC2, VM, spec, name, name_en, ALL_REGIONS, hourly, monthly, yearly)
    linear_disk = {"is_linear": True, "size_measure_id": Measure.GB_SIZE, "min_size": 10, "max_size": 32768}
    for spec, name, name_en, hourly, monthly, yearly in DISKS:
        rows += _period_and_demand(EVS, VOLUME, spec, name, name_en, ALL_REGIONS, hourly, monthly, yearly,
                                   **linear_disk)
    linear_bandwidth = {"is_linear": True, "size_measure_id": Measure.MBPS, "min_size": 1, "max_size": 2000}
    rows += _period_and_demand(VPC, BANDWIDTH, "19_bgp", "全动态BGP|按带宽计费", "Dynamic BGP|billed by bandwidth",
                               ALL_REGIONS, "0.063", "23.00", "230.00", **linear_bandwidth)
    for region in ALL_REGIONS:
        rows.append(_row(VPC, BANDWIDTH, "19_bgp_traffic", "全动态BGP|按流量计费", "Dynamic BGP|billed by traffic",
                         region, ChargeMode.ON_DEMAND, None, "0.80", usage_type_code="upflow",
                         usage_measure_id=Measure.GB))
        rows.append(_row(VPC, IP, "5_bgp", "全动态BGP弹性公网IP", "Dynamic BGP elastic IP", region, ChargeMode.ON_DEMAND,
                         None, "0.02", usage_type_code="Duration", usage_measure_id=Measure.HOUR))
    for spec, name, name_en, hourly, monthly, yearly in DATABASES:
        rows += _period_and_demand(RDS, DB, spec, name, name_en, ALL_REGIONS, hourly, monthly, yearly)
    for region in ("cn-north-4", "cn-east-3"):
        rows.append(_row(OBS, OBJECTS, "obs.standard", "标准存储|按需", "Standard storage|pay-per-use", region,
                         ChargeMode.ON_DEMAND, None, "0.000138", usage_type_code="Duration",
                         usage_measure_id=Measure.HOUR, is_linear=True, size_measure_id=Measure.GB_SIZE, min_size=1))
        rows.append(_row(OBS, OBJECTS, "obs.internet.upflow", "公网流出流量", "Internet outbound traffic", region,
                         ChargeMode.ON_DEMAND, None, "0.50", usage_type_code="upflow", usage_measure_id=Measure.GB))
        for period_type, price in ((PeriodType.MONTH, "9.00"), (PeriodType.YEAR, "90.00")):
            rows.append(_row(OBS, OBJECTS, "obs.standard.pkg.40gb", "标准存储包|40GB", "Standard storage package|40 GB",
                             region, ChargeMode.PERIOD, period_type, price, is_package=True, package_quota=40,
                             package_reset=PackageReset.NOT_RESETTABLE, **STORAGE_PACKAGE))
        for period_type, price in ((PeriodType.MONTH, "49.00"), (PeriodType.YEAR, "490.00")):
            rows.append(_row(OBS, OBJECTS, "obs.upflow.pkg.100gb", "公网流出流量包|100GB/月（每月重置）",
                             "Outbound traffic package|100 GB a month (reset monthly)", region, ChargeMode.PERIOD,
                             period_type, price, is_package=True, package_quota=100,
                             package_reset=PackageReset.RESETTABLE, **UPFLOW_PACKAGE))
    for period_type, price in ((PeriodType.MONTH, "299.00"), (PeriodType.YEAR, "2990.00")):
        rows.append(_row(MARKETPLACE, SAAS, "saas.erp.standard", "云商店严选|智慧ERP 标准版|10用户",
                         "KooGallery Selected|Smart ERP Standard|10 users", "cn-north-4", ChargeMode.PERIOD,
                         period_type, price, is_marketplace=True))
    rows.append(_row(STORED_CARD, CARD, "svc.1000", "华为云储值卡|面值1000元", "Huawei Cloud stored-value card|CNY 1,000",
                     "cn-north-4", ChargeMode.PERIOD, PeriodType.ONE_OFF, "1000.00", is_stored_card=True))
    return rows


def _reference_data():
    for code, name, name_en in REGIONS:
        Region.objects.update_or_create(code=code, defaults={"name": name, "name_en": name_en})
    service_types = {}
    for code, name, name_en, abbreviation, allow, ceiling in SERVICE_TYPES:
        service_types[code], _ = ServiceType.objects.get_or_create(code=code, defaults={
            "name": name, "name_en": name_en, "abbreviation": abbreviation, "allow_discount": allow,
            "max_partner_discount": Decimal(ceiling)})  # an operator's later change of the ceiling stays
    resource_types = {}
    for code, service, name, name_en, description in RESOURCE_TYPES:
        resource_types[code], _ = ResourceType.objects.update_or_create(code=code, defaults={
            "service_type": service_types[service], "name": name, "name_en": name_en, "description": description})
    for measure_id, name, name_en, abbreviation, measure_type in MEASURES:
        MeasureUnit.objects.update_or_create(measure_id=measure_id, defaults={
            "name": name, "name_en": name_en, "abbreviation": abbreviation, "measure_type": measure_type})
    for measure, ref_measure, ratio in CONVERSIONS:
        measure_type = MeasureUnit.objects.get(measure_id=measure).measure_type
        Conversion.objects.update_or_create(measure_id=measure, ref_measure_id=ref_measure, defaults={
            "ratio": ratio, "measure_type": measure_type})
    for resource, code, name, name_en in USAGE_TYPES:
        UsageType.objects.update_or_create(resource_type=resource_types[resource], code=code, defaults={
            "name": name, "name_en": name_en})


def seed_catalog() -> None:
    """Create (or complete) the demo catalogue; a second run changes nothing."""
    _reference_data()
    existing = set(Product.objects.values_list("resource_type__code", "resource_spec", "region__code", "charge_mode"))
    rows = price_list()
    for row in rows:  # a product already there keeps its own ID
        if (row["resource_type_code"], row["resource_spec"], row["region_code"], int(row["charge_mode"])) in existing:
            row["product_id"] = ""
    table = list(enumerate(rows, start=2))
    plan = apply_import(table)
    if not plan.ok:
        raise RuntimeError("the demo price list does not import: " + "; ".join(str(e) for e in plan.errors[:5]))


def seed(ctx: dict) -> None:
    seed_catalog()
