"""Orders written straight to the tables, for tests of the reads (lists, details, scoping, counts): the
rows an order placed and paid by trade.services would leave, every constraint of trade.models holding.
Tests of placing and paying orders go through trade.services instead."""

from datetime import timedelta
from decimal import Decimal
from itertools import count

from django.utils import timezone

from catalog.choices import ChargeMode, MeasureType, PeriodType
from catalog.models import MeasureUnit, Price, Product, Region, ResourceType, ServiceType
from trade.choices import DiscountType, OrderStatus, OrderType, Payer, SourceType
from trade.models import Order, OrderDiscount, OrderLine

__all__ = ["catalogue", "make_order", "EC2", "EVS"]

EC2, EVS = "hws.service.type.ec2", "hws.service.type.evs"
_serial = count(1)


def catalogue():
    """The few catalogue rows the orders refer to (get-or-create, so the demo catalogue may be there too)."""
    region, _ = Region.objects.get_or_create(code="cn-north-4", defaults={"name": "华北-北京四",
                                                                          "name_en": "CN North-Beijing4"})
    ec2, _ = ServiceType.objects.get_or_create(code=EC2, defaults={
        "name": "弹性云服务器", "name_en": "Elastic Cloud Server", "abbreviation": "ECS", "allow_discount": True,
        "max_partner_discount": Decimal("0.150")})
    evs, _ = ServiceType.objects.get_or_create(code=EVS, defaults={
        "name": "云硬盘", "name_en": "Elastic Volume Service", "abbreviation": "EVS", "allow_discount": True,
        "max_partner_discount": Decimal("0.100")})
    vm, _ = ResourceType.objects.get_or_create(code="hws.resource.type.vm", defaults={
        "name": "云主机", "name_en": "Cloud server", "service_type": ec2})
    volume, _ = ResourceType.objects.get_or_create(code="hws.resource.type.volume", defaults={
        "name": "云硬盘", "name_en": "Disk", "service_type": evs})
    gb, _ = MeasureUnit.objects.get_or_create(measure_id=17, defaults={
        "name": "GB", "name_en": "GB", "abbreviation": "GB", "measure_type": MeasureType.CAPACITY})
    server, created = Product.objects.get_or_create(
        resource_type=vm, resource_spec="s6.small.1.linux", region=region, charge_mode=ChargeMode.PERIOD,
        defaults={"service_type": ec2, "spec_name": "通用计算型 s6.small.1 1核1GB Linux",
                  "spec_name_en": "General computing s6.small.1 1 vCPU 1 GB Linux"})
    if created:
        Price.objects.create(product=server, period_type=PeriodType.MONTH, amount=Decimal("36.00"))
    disk, created = Product.objects.get_or_create(
        resource_type=volume, resource_spec="SSD", region=region, charge_mode=ChargeMode.PERIOD,
        defaults={"service_type": evs, "spec_name": "超高IO", "spec_name_en": "Ultra-high I/O", "is_linear": True,
                  "size_measure": gb, "min_size": 10, "max_size": 32768})
    if created:
        Price.objects.create(product=disk, period_type=PeriodType.MONTH, amount=Decimal("1.00"))
    return {"server": server, "disk": disk, "ec2": ec2, "evs": evs}


def make_order(customer, *, partner=None, status=OrderStatus.PENDING_PAYMENT, order_type=OrderType.NEW,
               source_type=SourceType.CUSTOMER, created=None, lines=(("server", "36.00", "0.00"),),
               discount_type=DiscountType.PARTNER, discount_id="", paid_by=None, coupon="0.00", flexi="0.00",
               base_order=None, order_id=None, user_name="customer.user"):
    """An order of `customer` (listed by `partner`) with `lines` — (product, official, discount) — and a
    discount row of `discount_type` per discounted line. A completed order is paid in full: `coupon` and
    `flexi` by coupons, the rest from the balance of `paid_by` (a Partner for 余额支付, else the customer)."""
    products = catalogue()
    created = created or timezone.now()
    rows = [(products[name], Decimal(official), Decimal(discount)) for name, official, discount in lines]
    official = sum((row[1] for row in rows), Decimal("0.00"))
    discount = sum((row[2] for row in rows), Decimal("0.00"))
    after = official - discount
    paid = status in (OrderStatus.COMPLETED, OrderStatus.PROCESSING)
    coupon, flexi = (Decimal(coupon), Decimal(flexi)) if paid else (Decimal("0.00"), Decimal("0.00"))
    n = next(_serial)
    order = Order.objects.create(
        **({"order_id": order_id} if order_id else {}),
        customer=customer, partner=partner, order_type=order_type, status=status, source_type=source_type,
        service_type=rows[0][0].service_type, official_amount=official, discount_amount=discount,
        amount_after_discount=after, create_time=created,
        pending_payment_end_time=created + timedelta(days=3) if status == OrderStatus.PENDING_PAYMENT else None,
        payer=(Payer.PARTNER if paid_by is not None else Payer.CUSTOMER) if paid else "",
        paying_partner=paid_by if paid else None, coupon_amount=coupon, flexipurchase_coupon_amount=flexi,
        cash_amount=after - coupon - flexi if paid else Decimal("0.00"),
        payment_time=created + timedelta(minutes=5) if paid else None,
        cancelled_at=created + timedelta(hours=1) if status == OrderStatus.CANCELLED else None,
        base_order=base_order, user_name=user_name,
    )
    main = None
    for k, (product, line_official, line_discount) in enumerate(rows):
        line = OrderLine.objects.create(
            order=order, line_id=f"{order.order_id}-{k + 1}-{n}", product=product, service_type=product.service_type,
            charge_mode=ChargeMode.PERIOD, period_type=PeriodType.MONTH, period_num=1, subscription_num=1,
            resource_size=40 if product.is_linear else None, size_measure=product.size_measure,
            parent_line=main, official_amount=line_official, discount_amount=line_discount,
            amount_after_discount=line_official - line_discount,
            effective_time=order.payment_time, expire_time=order.payment_time + timedelta(days=30) if paid else None)
        main = main or line
        if line_discount:
            OrderDiscount.objects.create(order=order, line=line, discount_type=discount_type,
                                         discount_id=discount_id, name=str(DiscountType(discount_type).label),
                                         amount=line_discount)
    return order
