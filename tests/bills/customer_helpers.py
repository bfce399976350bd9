"""What the customer-bill tests share: a resale customer of a partner with a signed-in user and an access key
(and a second, unrelated customer), the demo catalogue, and bill rows written directly — fee records, usage
records, resource packages and their uses, closed months' sums — each satisfying the database's constraints,
so these tests depend on no rating or closing code."""

from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import Count, Sum
from django.utils import timezone

from bills.choices import BillType, FeeStatus, PackageStatus, PeriodStatus
from bills.customer_selectors import SUM_KIND
from bills.models import (BillingPeriod, CustomerMonthlySum, FeeRecord, PackageUse, ResourcePackage, UsageRecord,
                          new_record_id)
from bills.periods import SHANGHAI, cycle_of
from catalog.choices import ChargeMode, Measure, PackageReset
from catalog.demo import seed_catalog
from catalog.models import Product, Region, ResourceType, ServiceType, UsageType
from customers.models import Association

from ..conftest import actor_of, build_tenant
from ..factories import CustomerUserFactory, UserFactory, make_access_key
from ..signed import bss_client

__all__ = ["D", "Shop", "shanghai", "fee", "usage_point", "package", "use", "close", "client_of", "partner_client",
           "platform_key",
           "EC2", "EVS", "OBS", "VM", "VOLUME", "OBJECTS", "AMOUNTS"]

D = Decimal
EC2, EVS, OBS = "hws.service.type.ec2", "hws.service.type.evs", "hws.service.type.obs"
VM, VOLUME, OBJECTS = "hws.resource.type.vm", "hws.resource.type.volume", "hws.resource.type.obs"
AMOUNTS = ("official_amount", "discount_amount", "erase_amount", "consume_amount", "coupon_amount",
           "flexipurchase_coupon_amount", "cash_amount", "debt_amount", "writeoff_amount")
REFUNDS = (BillType.REFUND, BillType.TO_ON_DEMAND_REFUND)


def shanghai(text) -> datetime:
    """'2030-03-15 12:00' in Asia/Shanghai, aware."""
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


class Shop:
    """A solution provider with a resale customer (a user, an access key) and the demo catalogue."""

    def __init__(self, tag="e"):
        seed_catalog()
        self.tenant = build_tenant(tag)
        self.partner = self.tenant.partner
        self.customer = self.tenant.resale
        self.association = Association.objects.get(customer=self.customer, partner=self.partner)
        self.user = CustomerUserFactory(customer=self.customer, user__username=f"{tag}.buyer").user
        self.actor = actor_of(self.user)
        self.key, self.secret = make_access_key(self.user)


def fee(customer, *, at, association=None, bill_type=BillType.USAGE, mode=ChargeMode.ON_DEMAND, service=EC2,
        resource_type=VM, region="cn-north-4", official="1.00", discount="0.00", erase="0.00", coupon="0.00",
        flexi="0.00", debt="0.00", writeoff="0.00", cycle=None, expire=None, resource_id="res-1", resource_name="",
        trade_id=None, usage=None, free_usage="0", usage_type="Duration", measure=Measure.HOUR, product=None,
        period_type=None, period_num=None, is_adjustment=False, trade_time=None) -> FeeRecord:
    """One fee record: consume = official − discount − erase; cash is what coupons, arrears and write-off leave
    of it (a refund: every part given negative). Pay-per-use covers the hour from `at`."""
    official, discount, erase = D(official), D(discount), D(erase)
    consume = official - discount - erase
    coupon, flexi, debt, writeoff = D(coupon), D(flexi), D(debt), D(writeoff)
    service_type = ServiceType.objects.get(code=service)
    kind = ResourceType.objects.get(code=resource_type) if resource_type else None
    on_demand = mode == ChargeMode.ON_DEMAND
    usage_kind = UsageType.objects.get(resource_type=kind, code=usage_type) if on_demand and kind else None
    return FeeRecord.objects.create(
        bill_cycle=cycle or cycle_of(at), is_adjustment=is_adjustment, customer=customer, association=association,
        partner=association.partner if association else None, bill_type=bill_type, charging_mode=mode,
        status=FeeStatus.UNSETTLED if debt > 0 else FeeStatus.PAID, trade_id=trade_id or new_record_id()[:20],
        trade_time=trade_time or (at + timedelta(hours=1) if on_demand else at), effective_time=at,
        expire_time=expire or (at + timedelta(hours=1) if on_demand else None), service_type=service_type,
        resource_type=kind, region=Region.objects.get(code=region) if region else None, product=product,
        resource_id=resource_id, resource_name=resource_name, usage_type=usage_kind,
        usage_amount=D(usage) if usage is not None else (D("1") if on_demand else None),
        usage_measure_id=measure if on_demand else None, free_resource_usage=D(free_usage),
        period_type=period_type, period_num=period_num, official_amount=official, discount_amount=discount,
        erase_amount=erase, consume_amount=consume, coupon_amount=coupon, flexipurchase_coupon_amount=flexi,
        cash_amount=consume - coupon - flexi - debt - writeoff, debt_amount=debt, writeoff_amount=writeoff)


def usage_point(customer, *, resource_id, begin, amount, minutes=5, usage_type="95Peak",
                service="hws.service.type.cdn", resource_type="hws.resource.type.cdn") -> UsageRecord:
    """A 95-billed bandwidth sample (Mbps) of `minutes` from `begin`."""
    return UsageRecord.objects.create(
        record_id=new_record_id(), customer=customer, resource_id=resource_id, service_type_code=service,
        resource_type_code=resource_type, usage_type_code=usage_type, region_code="cn-north-4",
        usage_amount=D(amount), usage_measure_id=Measure.MBPS, begin_time=begin,
        end_time=begin + timedelta(minutes=minutes), source=3)


def package(customer, *, spec="obs.upflow.pkg.100gb", region="cn-north-4", original="100", remaining=None,
            reset=PackageReset.RESETTABLE, effective=None, expire=None, cycle_start=None, cycle_end=None,
            status=PackageStatus.EFFECTIVE, order_id="", usage_type="upflow") -> ResourcePackage:
    """A resource package of OBS traffic (GB) bought a month ago for a year, its cycle the current month."""
    product = Product.objects.get(resource_spec=spec, region__code=region, charge_mode=ChargeMode.PERIOD)
    effective = effective or timezone.now() - timedelta(days=10)
    return ResourcePackage.objects.create(
        customer=customer, product=product, order_id=order_id or new_record_id()[:20],
        usage_type=UsageType.objects.get(resource_type=product.resource_type, code=usage_type), region=product.region,
        measure_id=Measure.GB, original_amount=D(original), remaining=D(remaining if remaining is not None else original),
        reset=reset, cycle_start=cycle_start or effective, cycle_end=cycle_end or effective + timedelta(days=30),
        effective_time=effective, expire_time=expire or effective + timedelta(days=365), status=status)


def use(pack, record, used, *, before, at=None) -> PackageUse:
    used, before = D(used), D(before)
    return PackageUse.objects.create(package=pack, fee_record=record, resource_id=record.resource_id,
                                     available_before=before, used_amount=used, remaining_after=before - used,
                                     deduct_time=at or record.trade_time, effective_time=record.effective_time,
                                     expire_time=record.expire_time or record.effective_time + timedelta(hours=1))


def close(cycle):
    """Close `cycle` as the month close does: its fee records summed per customer, association, service type,
    resource type, charging mode and kind into monthly sums; the period CLOSED."""
    rows = (FeeRecord.objects.filter(bill_cycle=cycle).annotate(kind=SUM_KIND).order_by()
            .values("customer_id", "association_id", "partner_id", "service_type_id", "resource_type_id",
                    "charging_mode", "kind").annotate(records=Count("pk"), **{name: Sum(name) for name in AMOUNTS}))
    CustomerMonthlySum.objects.bulk_create([
        CustomerMonthlySum(bill_cycle=cycle, bill_type=row.pop("kind"), **row) for row in rows])
    BillingPeriod.objects.update_or_create(bill_cycle=cycle, defaults={"status": PeriodStatus.CLOSED,
                                                                       "closed_at": timezone.now()})


def client_of(live_server, shop):
    return bss_client(live_server.url, ak=shop.key.ak, sk=shop.secret, domain_id=shop.customer.domain_id)


def partner_client(live_server, shop):
    tenant = shop.tenant
    return bss_client(live_server.url, ak=tenant.key.ak, sk=tenant.secret, domain_id=shop.partner.domain_id)


def platform_key(username="e.metering"):
    """A platform key (the cloud's metering, an operator's), or None where the core has no such kind of key."""
    from partnercenter.models import AccessKey

    if not any(field.name == "is_platform" for field in AccessKey._meta.get_fields()):
        return None
    key, secret = make_access_key(UserFactory(username=username, is_staff=True))
    AccessKey.objects.filter(pk=key.pk).update(is_platform=True)
    return key, secret
