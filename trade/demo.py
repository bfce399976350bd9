"""Demo orders, made through the services as production makes them (after the catalogue, customers, money
and vouchers demos; `manage.py seed_demo` runs the apps' demos in INSTALLED_APPS order). Idempotent: a
second run adds nothing.

北京智云 (bj) and its customers get:
- per-customer discounts (伙伴设置折扣, 607) for 上海浦江 (ECS 10% off) and another resale customer (EVS);
- 上海浦江 (bj-cust-02, the customer whose access key `seed_demo --json` prints): two pending new
  purchases and a pending renewal it can afford with its balance and its coupons (a new cash coupon for
  ECS, its flexi-purchase coupon), a paid order and pay-per-use ECS servers opened from an order;
- a renewal paid by the customer with a coupon (the balance pays what the coupon leaves); a cancelled order;
- 代客下单 for a customer that granted 代客运维: one the partner paid (余额支付), one waiting for payment;
- a referral (顾问销售) customer's order the partner paid on request (invoiceable), and another request
  still waiting for the partner; a declined request;
- a marketplace (云商店严选) order whose price the partner adjusted (交易调价, 609), waiting for payment.
"""

from decimal import Decimal

from catalog.choices import ChargeMode, PeriodType
from catalog.models import Product
from customers.models import Customer, CustomerUser, Resource
from partnercenter.actors import actor_for_user
from partnercenter.demo import demo_user
from partnercenter.models import Partner
from vouchers import services as vouchers
from vouchers.models import CouponQuota

from . import discounts, pricing, services
from .models import Order

__all__ = ["seed"]

EC2 = "hws.service.type.ec2"


def _product(resource_type, spec, *, mode=ChargeMode.PERIOD, region="cn-north-4") -> Product:
    return Product.objects.select_related("service_type", "resource_type", "region", "size_measure").get(
        resource_type__code=resource_type, resource_spec=spec, region__code=region, charge_mode=mode)


def _item(resource_type, spec, *, months=1, size=None, quantity=1, item_id="1", period_type=PeriodType.MONTH):
    product = _product(resource_type, spec)
    return pricing.Item(id=item_id, product=product, subscription_num=quantity, resource_size=size,
                        size_measure_id=product.size_measure_id if size else None, period_type=period_type,
                        period_num=months)


def _on_demand(resource_type, spec, *, quantity=1):
    product = _product(resource_type, spec, mode=ChargeMode.ON_DEMAND)
    return pricing.Item(id="1", product=product, subscription_num=quantity, usage_value=Decimal(1),
                        usage_measure_id=product.usage_measure_id)


def _user_of(customer):
    """A user of the customer: its demo login if it has one, else an owner user (as customers.demo makes)."""
    existing = CustomerUser.objects.filter(customer=customer).select_related("user").order_by("-is_owner", "pk").first()
    if existing is not None:
        return actor_for_user(existing.user)
    user = demo_user(f"owner.{customer.domain_name}", email=f"owner@{customer.domain_name}.example.com")
    CustomerUser.objects.get_or_create(user=user, defaults={"customer": customer, "is_owner": True})
    return actor_for_user(user)


SERVER = ("hws.resource.type.vm", "s6.small.1.linux")
MEDIUM = ("hws.resource.type.vm", "s6.medium.2.linux")
DISK = ("hws.resource.type.volume", "SAS")
ERP = ("hws.resource.type.marketplace.saas", "saas.erp.standard")


def seed(ctx: dict) -> None:
    bj = ctx["partners"]["bj"]
    if Order.objects.filter(partner=bj).exists():
        return
    # 北京智云 is in the marketplace customer-service programme (云商店交易调价 below)
    Partner.objects.filter(pk=bj.pk).update(marketplace_service_provider=True)
    ceo = actor_for_user(ctx["members"]["bj.ceo"].user)
    ceo.partner.refresh_from_db(fields=["marketplace_service_provider"])
    customers = {c.domain_name: c for c in Customer.objects.filter(domain_name__startswith="bj-cust-")}
    pujiang, nanshan, c05, c09 = (customers[name] for name in ("bj-cust-02", "bj-cust-03", "bj-cust-05", "bj-cust-09"))
    referral, referral2, referral3 = (customers[name] for name in ("bj-cust-01", "bj-cust-04", "bj-cust-07"))

    # 伙伴设置折扣 (607): the ECS orders of 上海浦江 show a partner discount row.
    discounts.set_discount(ceo, customer_id=pujiang.domain_id, service_type_code=EC2, rate="0.90")
    discounts.set_discount(ceo, customer_id=c05.domain_id, service_type_code="hws.service.type.evs", rate="0.95")

    # 上海浦江: the customer the demo access key belongs to.
    buyer = _user_of(pujiang)
    quota = CouponQuota.objects.filter(partner=bj, quota_type=0).order_by("pk").first()
    vouchers.issue_coupons(ceo, quota_id=quota.quota_id, customer_ids=[pujiang.domain_id], face_value="100.00",
                           cloud_service_types=[EC2], remark="云服务器专用")
    paid = services.place_order(buyer, customer_id=pujiang.domain_id, items=[_item(*SERVER)])
    services.pay_order(buyer, order_id=paid.order_id)
    services.place_order(buyer, customer_id=pujiang.domain_id, items=[_on_demand(*SERVER, quantity=2)])
    services.place_order(buyer, customer_id=pujiang.domain_id, items=[
        _item(*MEDIUM, item_id="vm"), _item(*DISK, size=100, item_id="disk")])
    services.place_order(buyer, customer_id=pujiang.domain_id, items=[_item(*SERVER, months=3)])
    main = Resource.objects.filter(customer=pujiang, charging_mode="period", is_main_resource=True,
                                   resource_id__contains="-demo-").order_by("pk").first()
    if main is not None:
        _renew(buyer, pujiang, main)
    cancelled = services.place_order(buyer, customer_id=pujiang.domain_id, items=[_item(*SERVER, months=6)])
    services.cancel_order(buyer, order_id=cancelled.order_id)

    # A renewal paid with a coupon (the balance pays what the coupon leaves).
    owner05 = _user_of(c05)
    main05 = Resource.objects.filter(customer=c05, charging_mode="period", is_main_resource=True,
                                     resource_id__contains="-demo-").order_by("pk").first()
    if main05 is not None:
        renewal = _renew(owner05, c05, main05)
        usable = services.usable_coupons(renewal)
        services.pay_order(owner05, order_id=renewal.order_id, coupon_ids=[c.coupon_id for c in usable[:1]])

    # 代客下单 for a customer that granted 代客运维: one paid by the partner (余额支付), one waiting.
    on_behalf = services.place_order(ceo, customer_id=c09.domain_id, items=[
        _item(*MEDIUM, item_id="vm"), _item(*DISK, size=200, item_id="disk")])
    services.pay_for_customer(ceo, order_id=on_behalf.order_id)
    services.place_order(ceo, customer_id=c09.domain_id, items=[_item(*SERVER, period_type=PeriodType.YEAR)])

    # Referral (顾问销售) customers ask the partner to pay: approved (invoiceable), waiting, declined.
    for customer, decision in ((referral, True), (referral2, None), (referral3, False)):
        user = _user_of(customer)
        order = services.place_order(user, customer_id=customer.domain_id, items=[_item(*SERVER, months=2)])
        request = services.request_partner_payment(user, order_id=order.order_id, message="请伙伴代为支付本订单")
        if decision is not None:
            services.decide_payment_request(ceo, request_id=request.pk, approve=decision,
                                            note="" if decision else "本月预算已用完，请自行支付")

    # 云商店严选: 南山智能 buys the ERP subscription with 北京智云 as its sales account; the price is adjusted.
    marketplace = services.place_order(_user_of(nanshan), customer_id=nanshan.domain_id, items=[_item(*ERP, period_type=PeriodType.YEAR)],
                                       sales_partner=bj)
    services.adjust_price(ceo, order_id=marketplace.order_id, amount="2690.00", reason="年度框架协议价")


def _renew(actor, customer, resource):
    """A pending renewal of one month for a main resource, priced by the renewal rating."""
    rating = pricing.rate_renewal(customer, resource_ids=[resource.resource_id], period_type=PeriodType.MONTH,
                                  period_num=1)
    [result] = rating.results
    items = [line.item for line in result.lines]
    return services.place_order(actor, customer_id=customer.domain_id, order_type=2, items=items,
                                resource_ids=[resource.resource_id])

