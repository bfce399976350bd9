"""What the month-close and low-balance tests share: fee records written directly (amounts given by hand, the
rest computed so the model's money identities hold), a clock that stands still, and a snapshot of everything a
close writes."""

from datetime import datetime
from decimal import Decimal

import time_machine

from bills import periods
from bills.choices import BillType, FeeStatus
from bills.models import BillingPeriod, CustomerMonthlySum, FeeRecord, PartnerBill
from catalog.choices import ChargeMode
from catalog.models import ResourceType, ServiceType
from events.models import Event
from partnercenter.models import OperationLog

__all__ = ["D", "at", "shanghai", "service", "fee", "snapshot", "EC2", "EVS"]

D = Decimal
EC2, EVS = "hws.service.type.ec2", "hws.service.type.evs"
_RESOURCE = {EC2: "hws.resource.type.vm", EVS: "hws.resource.type.volume"}
ZERO = D("0.00")


def shanghai(text) -> datetime:
    """'2026-03-15 12:00' in Asia/Shanghai, aware."""
    return datetime.fromisoformat(text).replace(tzinfo=periods.SHANGHAI)


def at(text):
    """Travel to that moment (Asia/Shanghai), the clock standing still."""
    return time_machine.travel(shanghai(text), tick=False)


def service(code=EC2):
    service_type, _ = ServiceType.objects.get_or_create(code=code, defaults={"name": code})
    resource_type, _ = ResourceType.objects.get_or_create(
        code=_RESOURCE[code], defaults={"name": _RESOURCE[code], "service_type": service_type})
    return service_type, resource_type


def fee(customer, *, cycle, association=None, bill_type=BillType.USAGE, mode=ChargeMode.ON_DEMAND, code=EC2,
        official="0.00", discount="0.00", erase="0.00", coupon="0.00", flexi="0.00", debt="0.00", writeoff="0.00",
        is_adjustment=False, when=None) -> FeeRecord:
    """One fee record of `customer` in `cycle`: consume = official − discount − erase, and the cash part is what
    the coupons, arrears and write-off leave of it (refunds: every part negative, given so)."""
    service_type, resource_type = service(code)
    official, discount, erase = D(official), D(discount), D(erase)
    consume = official - discount - erase
    coupon, flexi, debt, writeoff = D(coupon), D(flexi), D(debt), D(writeoff)
    moment = when or (periods.cycle_bounds(cycle)[0] + (periods.cycle_bounds(cycle)[1]
                                                         - periods.cycle_bounds(cycle)[0]) / 2)
    return FeeRecord.objects.create(
        bill_cycle=cycle, is_adjustment=is_adjustment, customer=customer, association=association,
        partner=association.partner if association is not None else None, bill_type=bill_type, charging_mode=mode,
        status=FeeStatus.UNSETTLED if debt > 0 else FeeStatus.PAID, trade_id=f"T-{cycle}", trade_time=moment,
        effective_time=moment, service_type=service_type, resource_type=resource_type, official_amount=official,
        discount_amount=discount, erase_amount=erase, consume_amount=consume, coupon_amount=coupon,
        flexipurchase_coupon_amount=flexi, cash_amount=consume - coupon - flexi - debt - writeoff,
        debt_amount=debt, writeoff_amount=writeoff)


def snapshot():
    """Everything a close writes, as comparable values."""
    money = ("official_amount", "discount_amount", "erase_amount", "consume_amount", "coupon_amount",
             "flexipurchase_coupon_amount", "cash_amount", "debt_amount", "writeoff_amount")
    return {
        "sums": sorted(CustomerMonthlySum.objects.values_list(
            "id", "bill_cycle", "customer_id", "association_id", "partner_id", "service_type_id", "resource_type_id",
            "charging_mode", "bill_type", "records", *money)),
        "bills": sorted(PartnerBill.objects.values_list(
            "id", "partner_id", "bill_cycle", "customers", "consumption_amount", "resale_cash_amount",
            "coupon_amount", "debt_amount", "partner_paid_amount", "refund_amount", "recharge_amount",
            "allocation_amount", "reclaim_amount", "credit_limit", "credit_used", "amount_due", "closed_at")),
        "periods": sorted(BillingPeriod.objects.values_list("bill_cycle", "status", "closed_at", "fee_records",
                                                            "customers")),
        "events": Event.objects.count(),
        "logs": OperationLog.objects.count(),
    }
