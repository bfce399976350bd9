"""What the rating, deduction, package, arrears and order-fee tests share: the demo catalogue and a funded
solution provider with a resale customer (tests/trade/payment_helpers.World), usage records written as the
ingestion stores them, the rating run, and the checks every money test ends with."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

import bills.receivers  # noqa: F401  (the arrears write-off receiver; bills/apps.py's ready() imports it too)
from billing.models import CustomerAccount, LedgerEntry
from bills import arrears, rating, running_sums
from bills.choices import PackageStatus, UsageSource
from bills.models import FeeRecord, ResourcePackage, UsageRecord, UsageWaiting, new_record_id
from catalog.choices import ChargeMode, Measure, PackageReset
from catalog.models import Product, UsageType
from customers.models import Association, Customer, Resource

from ..trade.payment_helpers import World as TradeWorld, verify_ledger

__all__ = ["World", "usage", "rate", "fee_of", "account", "ledger", "package", "on_demand_resource", "check_books",
           "ECS", "EVS", "OBS_UPFLOW", "OBS_STORAGE", "VPC_TRAFFIC", "D"]

# (service type, resource type, spec, usage type, unit) of the demo catalogue's pay-per-use products (cn-north-4)
ECS = ("hws.service.type.ec2", "hws.resource.type.vm", "s6.small.1.linux", "Duration", Measure.HOUR)  # 0.22/h
EVS = ("hws.service.type.evs", "hws.resource.type.volume", "SSD", "Duration", Measure.HOUR)  # 0.0014/GB·h, linear
OBS_UPFLOW = ("hws.service.type.obs", "hws.resource.type.obs", "obs.internet.upflow", "upflow", Measure.GB)  # 0.50/GB
OBS_STORAGE = ("hws.service.type.obs", "hws.resource.type.obs", "obs.standard", "Duration", Measure.HOUR)  # 0.000138
VPC_TRAFFIC = ("hws.service.type.vpc", "hws.resource.type.bandwidth", "19_bgp_traffic", "upflow", Measure.GB)  # 0.80


class World(TradeWorld):
    """tests/trade's world (the demo catalogue, a funded solution provider, its resale and referral customers
    with a user each), its associations begun 100 days ago so that recent usage is theirs."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        Association.objects.filter(partner=self.partner).update(associated_on=timezone.now() - timedelta(days=100))


def D(text) -> Decimal:
    return Decimal(text)


def usage(customer, kind=ECS, *, amount="1", measure=None, begin=None, hours=1, size=None, region="cn-north-4",
          resource_id="", spec=None) -> UsageRecord:
    """A waiting usage record of `customer` for `kind` (one of the tuples above), queued as bills.ingest queues
    it."""
    service, resource_type, default_spec, usage_type, unit = kind
    begin = begin or timezone.now() - timedelta(hours=2)
    record = UsageRecord.objects.create(
        record_id=new_record_id(), customer=customer, resource_id=resource_id or f"res-{new_record_id()[:12]}",
        service_type_code=service, resource_type_code=resource_type,
        resource_spec_code=default_spec if spec is None else spec, usage_type_code=usage_type, region_code=region,
        usage_amount=D(amount), usage_measure_id=measure or unit, resource_size=D(size) if size else None,
        begin_time=begin, end_time=begin + timedelta(hours=hours), source=UsageSource.GENERATOR)
    UsageWaiting.objects.create(usage_record=record, customer_id=record.customer_id, begin_time=record.begin_time)
    return record


def rate(**kwargs) -> rating.BatchResult:
    return rating.rate_pending(**kwargs)


def fee_of(record) -> FeeRecord:
    return FeeRecord.objects.get(usage_record=record)


def account(customer) -> CustomerAccount:
    return CustomerAccount.objects.get(customer=customer)


def ledger(customer) -> list[tuple]:
    """(balance type, trade type, amount, balance after) of the customer's entries, oldest first."""
    return [(e.balance_type, e.trade_type, e.amount, e.balance_after)
            for e in LedgerEntry.objects.filter(customer=customer).order_by("id")]


def package(customer, *, spec="obs.upflow.pkg.100gb", quota="1", reset=PackageReset.NOT_RESETTABLE, measure=None,
            usage_type=("hws.resource.type.obs", "upflow"), effective=None, expire=None, cycle=None,
            region="cn-north-4") -> ResourcePackage:
    """A resource package written as order_fees writes one (a paid package line)."""
    effective = effective or timezone.now() - timedelta(days=1)
    expire = expire or effective + timedelta(days=365)
    product = Product.objects.get(resource_spec=spec, region__code=region, charge_mode=ChargeMode.PERIOD)
    kind = UsageType.objects.get(resource_type__code=usage_type[0], code=usage_type[1])
    made = ResourcePackage(customer=customer, product=product, usage_type=kind, region=product.region,
                           measure_id=measure or Measure.GB, original_amount=D(quota), remaining=D(quota), reset=reset,
                           effective_time=effective, expire_time=expire, status=PackageStatus.EFFECTIVE)
    from bills.packages import cycle_at

    made.cycle_start, made.cycle_end = cycle or cycle_at(made, effective)
    made.save()
    return made


def on_demand_resource(customer, kind=ECS, *, resource_id=None) -> Resource:
    service, resource_type, spec, _usage_type, _unit = kind
    return Resource.objects.create(
        customer=customer, charging_mode="on_demand", resource_id=resource_id or new_record_id(),
        resource_name="demo-" + spec, service_type_code=service, resource_type_code=resource_type,
        region_code="cn-north-4", resource_spec_code=spec, product_spec_desc=spec, status=1,
        effective_time=timezone.now() - timedelta(days=30))


def check_books() -> None:
    """Every test ends here: the ledger sums (verify_ledger, arrears included) and each customer's arrears are
    the debt its fee records carry."""
    assert "Ledger verified" in verify_ledger()
    assert arrears.problems() == []
    assert not running_sums.kept() or running_sums.differences() == []  # kept on PostgreSQL only
    for customer in Customer.objects.filter(account__isnull=False).select_related("account"):
        assert customer.in_debt == (customer.account.arrears > 0), customer
