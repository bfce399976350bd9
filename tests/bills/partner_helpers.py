"""What the partner-side bill tests share (伙伴账单, 客户消费 and their CBC endpoints).

Rows are written directly, not through rating or the month close: `fee()` builds a fee record whose money
identities hold (bills/models.py constraints), `close()` stands in for the month close (CustomerMonthlySum
rows grouped here in Python from the month's fee records, the BillingPeriod CLOSED), `partner_bill()` writes a
PartnerBill with the given parts. `World` is two partners, a distributor with a cloud reseller, members with
different rights, and customers — one of which leaves partner A for partner B in the middle of a month.
"""

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

from django.utils import timezone

from bills import periods
from bills.choices import BillSumType, BillType, FeeStatus, PeriodStatus
from bills.models import BillingPeriod, CustomerMonthlySum, FeeRecord, PartnerBill
from catalog.choices import ChargeMode, MeasureType
from catalog.models import MeasureUnit, Product, Region, ResourceType, ServiceType, UsageType
from customers.models import Association

from ..factories import (AssociationFactory, CustomerFactory, CustomerUserFactory, MemberFactory, PartnerFactory,
                         RoleFactory, make_access_key)

__all__ = ["D", "EC2", "EVS", "OBS", "catalogue", "fee", "close", "partner_bill", "World", "mid", "day_of",
           "MONEY", "kind_of"]

D = Decimal
EC2, EVS, OBS = "hws.service.type.ec2", "hws.service.type.evs", "hws.service.type.obs"
_TYPES = {EC2: ("弹性云服务器", "Elastic Cloud Server", "hws.resource.type.vm", "云主机", "Cloud server"),
          EVS: ("云硬盘", "Elastic Volume Service", "hws.resource.type.volume", "云硬盘", "Disk"),
          OBS: ("对象存储服务", "Object Storage Service", "hws.resource.type.obs", "对象存储", "Bucket")}
MONEY = ("official_amount", "discount_amount", "erase_amount", "consume_amount", "coupon_amount",
         "flexipurchase_coupon_amount", "cash_amount", "debt_amount", "writeoff_amount")
_counter = iter(range(10**7))


def catalogue() -> SimpleNamespace:
    """Three service types with a resource type each, a region, the hour and GB units, one pay-per-use product."""
    c = SimpleNamespace(services={}, resources={})
    c.region, _ = Region.objects.get_or_create(code="cn-north-4", defaults={"name": "华北-北京四", "name_en": "CN North-Beijing4"})
    c.hour, _ = MeasureUnit.objects.get_or_create(measure_id=4, defaults={"name": "小时", "name_en": "Hour",
                                                                          "measure_type": MeasureType.DURATION})
    for code, (name, name_en, rt_code, rt_name, rt_name_en) in _TYPES.items():
        service, _ = ServiceType.objects.get_or_create(code=code, defaults={"name": name, "name_en": name_en})
        c.services[code] = service
        c.resources[code], _ = ResourceType.objects.get_or_create(
            code=rt_code, defaults={"name": rt_name, "name_en": rt_name_en, "service_type": service})
    c.duration, _ = UsageType.objects.get_or_create(code="Duration", resource_type=c.resources[EC2],
                                                    defaults={"name": "时长", "name_en": "Duration"})
    c.product, _ = Product.objects.get_or_create(
        resource_type=c.resources[EC2], resource_spec="s6.small.1.linux", region=c.region,
        charge_mode=ChargeMode.ON_DEMAND,
        defaults={"service_type": c.services[EC2], "spec_name": "通用计算型 s6.small.1", "spec_name_en": "s6.small.1",
                  "usage_type": c.duration, "usage_measure": c.hour})
    return c


def day_of(cycle: str, day: int, hour: int = 12):
    """A moment in `cycle` (Asia/Shanghai): its `day`th day at `hour`."""
    return periods.cycle_bounds(cycle)[0] + timedelta(days=day - 1, hours=hour)


def mid(cycle: str):
    return day_of(cycle, 15)


def fee(customer, association, *, cycle, amount="10.00", code=EC2, mode=ChargeMode.ON_DEMAND,
        bill_type=BillType.USAGE, discount="0.00", erase="0.00", coupon="0.00", flexi="0.00", debt="0.00",
        writeoff="0.00", when=None, resource_id=None, resource_name=None, region=True, usage=None,
        is_adjustment=False, trade_id=None) -> FeeRecord:
    """One fee record of `customer` under `association` (None: consumed while associated with nobody), paying
    `amount` (the amount due: refunds negative): official = amount + discount + erase, and the cash part is
    what coupons, arrears and write-off leave of the amount."""
    c = catalogue()
    amount, discount, erase = D(amount), D(discount), D(erase)
    coupon, flexi, debt, writeoff = D(coupon), D(flexi), D(debt), D(writeoff)
    moment = when or mid(cycle)
    n = next(_counter)
    on_demand = mode == ChargeMode.ON_DEMAND and code == EC2
    return FeeRecord.objects.create(
        bill_cycle=cycle, is_adjustment=is_adjustment, customer=customer, association=association,
        partner=association.partner if association is not None else None, bill_type=bill_type, charging_mode=mode,
        status=FeeStatus.UNSETTLED if debt > 0 else FeeStatus.PAID, trade_id=trade_id or f"TRADE{n:08d}",
        trade_time=moment, effective_time=moment, expire_time=moment + timedelta(hours=1),
        service_type=c.services[code], resource_type=c.resources[code], region=c.region if region else None,
        product=c.product if on_demand else None, resource_id=resource_id or f"res-{n:08d}",
        resource_name=resource_name or f"ecs-{n:04d}", product_spec_desc="s6.small.1 | 1vCPUs | 1GiB" if on_demand else "",
        usage_type=c.duration if on_demand else None, usage_amount=D(usage) if usage is not None else None,
        usage_measure=c.hour if usage is not None else None,
        official_amount=amount + discount + erase, discount_amount=discount, erase_amount=erase,
        consume_amount=amount, coupon_amount=coupon, flexipurchase_coupon_amount=flexi,
        cash_amount=amount - coupon - flexi - debt - writeoff, debt_amount=debt, writeoff_amount=writeoff)


def kind_of(record: FeeRecord) -> int:
    if record.is_adjustment or record.bill_type in (BillType.COMPENSATION, BillType.ADJUST_DEDUCT):
        return BillSumType.ADJUSTMENT
    if record.bill_type in (BillType.REFUND, BillType.TO_ON_DEMAND_REFUND):
        return BillSumType.REFUND
    return BillSumType.CONSUMPTION


def close(cycle: str) -> None:
    """The month close's result, written here: the month's fee records summed per customer, association,
    service type, resource type, charging mode and kind, and the month CLOSED."""
    groups = defaultdict(lambda: {"records": 0, **{name: D("0.00") for name in MONEY}})
    for record in FeeRecord.objects.filter(bill_cycle=cycle):
        key = (record.customer_id, record.association_id, record.partner_id, record.service_type_id,
               record.resource_type_id, record.charging_mode, kind_of(record))
        groups[key]["records"] += 1
        for name in MONEY:
            groups[key][name] += getattr(record, name)
    CustomerMonthlySum.objects.bulk_create([
        CustomerMonthlySum(bill_cycle=cycle, customer_id=customer, association_id=association, partner_id=partner,
                           service_type_id=service, resource_type_id=resource, charging_mode=mode, bill_type=kind,
                           **values)
        for (customer, association, partner, service, resource, mode, kind), values in groups.items()])
    BillingPeriod.objects.update_or_create(bill_cycle=cycle, defaults={"status": PeriodStatus.CLOSED,
                                                                       "closed_at": timezone.now()})


def partner_bill(partner, cycle: str, **parts) -> PartnerBill:
    return PartnerBill.objects.create(partner=partner, bill_cycle=cycle, **{
        name: D(value) if isinstance(value, str) else value for name, value in parts.items()})


class World:
    """Partner A (a solution provider) with an administrator, two account managers (each sees only its own
    customers), a finance member (billing.view alone) and their keys; its customers `mine` (resale, the first
    account manager's), `theirs` (referral, the second's) and `mover`, who leaves A for partner B on the 15th
    of `cycle`. Partner B with its administrator's key. Distributor D with a cloud reseller R and R's customer.
    A customer user of `mine` with a key."""

    def __init__(self, cycle: str):
        self.cycle = cycle
        self.c = catalogue()
        self.a = PartnerFactory(account_name="bills-a")
        self.b = PartnerFactory(account_name="bills-b")
        self.admin = self._member(self.a, "a.admin", admin=True)
        self.am = self._member(self.a, "a.am", ["customers.view", "billing.view"])
        self.am2 = self._member(self.a, "a.am2", ["customers.view", "billing.view"])
        self.finance = self._member(self.a, "a.finance", ["billing.view"])
        self.nobody = self._member(self.a, "a.nobody", ["customers.view"])
        self.b_admin = self._member(self.b, "b.admin", admin=True)
        self.mine_assoc = AssociationFactory(partner=self.a, association_type="2", account_manager=self.am,
                                             customer__domain_name="mine-customer", customer__real_name="我的客户公司")
        self.mine = self.mine_assoc.customer
        self.theirs_assoc = AssociationFactory(partner=self.a, association_type="1", account_manager=self.am2,
                                               customer__domain_name="theirs-customer")
        self.theirs = self.theirs_assoc.customer
        self.mover = CustomerFactory(domain_name="mover-customer")
        moved = day_of(cycle, 15, 0)
        self.mover_a = Association.objects.create(partner=self.a, customer=self.mover, association_type="2",
                                                  associated_on=moved - timedelta(days=60), ended_on=moved,
                                                  account_manager=self.am)
        self.mover_b = Association.objects.create(partner=self.b, customer=self.mover, association_type="2",
                                                  associated_on=moved)
        self.d = PartnerFactory(account_name="bills-d", partner_type="distributor")
        self.d_admin = self._member(self.d, "d.admin", admin=True)
        self.r = PartnerFactory(account_name="bills-r", partner_type="reseller", distributor=self.d,
                                associated_on=timezone.now())
        self.r_assoc = AssociationFactory(partner=self.r, association_type="2", customer__domain_name="r-customer")
        self.r_customer = self.r_assoc.customer
        self.keys = {name: make_access_key(member.user, partner=member.partner)
                     for name, member in (("admin", self.admin), ("am", self.am), ("finance", self.finance),
                                          ("nobody", self.nobody), ("b", self.b_admin), ("d", self.d_admin))}
        self.customer_user = CustomerUserFactory(customer=self.mine, user__username="mine.user")
        self.keys["customer"] = make_access_key(self.customer_user.user)

    @staticmethod
    def _member(partner, username, permissions=(), admin=False):
        role = RoleFactory(partner=partner, name=f"role-{username}", permissions=list(permissions),
                           is_administrator=admin)
        return MemberFactory(partner=partner, user__username=username, roles=[role])

    def domain_of(self, key_name):
        if key_name == "customer":
            return self.mine.domain_id
        return {"admin": self.a, "am": self.a, "finance": self.a, "nobody": self.a, "b": self.b,
                "d": self.d}[key_name].domain_id

    def month(self):
        """The month's consumption: A's three customers (the mover until the 15th), then the mover with B,
        R's customer, and a customer associated with nobody. Returns {name: [records]}."""
        cycle = self.cycle
        made = {
            "mine": [fee(self.mine, self.mine_assoc, cycle=cycle, amount="100.00", discount="10.00", coupon="20.00",
                         usage="24", when=day_of(cycle, 3)),
                     fee(self.mine, self.mine_assoc, cycle=cycle, amount="30.00", code=EVS, mode=ChargeMode.PERIOD,
                         bill_type=BillType.NEW, when=day_of(cycle, 20), trade_id="CS2026ORDER1"),
                     fee(self.mine, self.mine_assoc, cycle=cycle, amount="-5.00", code=EVS, mode=ChargeMode.PERIOD,
                         bill_type=BillType.REFUND, when=day_of(cycle, 25))],
            "theirs": [fee(self.theirs, self.theirs_assoc, cycle=cycle, amount="7.50", debt="2.50",
                           when=day_of(cycle, 5), region=False)],
            "mover_a": [fee(self.mover, self.mover_a, cycle=cycle, amount="11.00", when=day_of(cycle, 2)),
                        fee(self.mover, self.mover_a, cycle=cycle, amount="4.00", code=OBS, when=day_of(cycle, 14, 23))],
            "mover_b": [fee(self.mover, self.mover_b, cycle=cycle, amount="13.00", when=day_of(cycle, 15, 1)),
                        fee(self.mover, self.mover_b, cycle=cycle, amount="6.00", when=day_of(cycle, 28))],
            "reseller": [fee(self.r_customer, self.r_assoc, cycle=cycle, amount="8.00", when=day_of(cycle, 9))],
            "nobody": [fee(CustomerFactory(domain_name="lonely"), None, cycle=cycle, amount="3.00")],
        }
        return made
