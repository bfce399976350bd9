"""Demo data of the customers domain: customers of both association types under several partners, account
managers on the solution provider's customers, and a customer user with an access key. Idempotent."""

from datetime import timedelta

from django.utils import timezone

from catalog.choices import ChargeMode
from catalog.models import Product
from partnercenter.actors import actor_for_user
from partnercenter.demo import DEMO_PASSWORD, demo_access_key, demo_user

from . import services
from .choices import AssociationType, ChargingMode, CustomerType, EventInitiator, EventKind, EventStatus, VerifiedStatus
from .models import Association, AssociationEvent, Customer, CustomerUser, NewCustomerTag, Resource

__all__ = ["seed"]

CUSTOMER_NAMES = [
    "杭州西湖电子商务有限公司", "上海浦江物流股份有限公司", "深圳南山智能制造有限公司", "成都锦城餐饮管理有限公司",
    "武汉光谷生物科技有限公司", "南京紫金教育咨询有限公司", "西安古城文旅发展有限公司", "广州珠江传媒有限公司",
    "天津滨海港口服务有限公司", "重庆山城汽车配件有限公司", "青岛海风食品有限公司", "厦门鹭岛软件有限公司",
]



def _customer(partner, domain_name, real_name, association_type, manager, *, days_ago, label=""):
    customer, created = Customer.objects.get_or_create(
        domain_name=domain_name,
        defaults={
            "real_name": real_name, "verified_status": VerifiedStatus.VERIFIED, "customer_type": CustomerType.ENTERPRISE,
            "mobile_phone": "13900000000", "email": f"admin@{domain_name}.example.com", "customer_level": "V2",
        },
    )
    if created:
        association = Association.objects.create(partner=partner, customer=customer, association_type=association_type,
                                                 account_manager=manager, label=label,
                                                 associated_on=timezone.now() - timedelta(days=days_ago))
        AssociationEvent.objects.create(partner=partner, customer=customer, association=association,
                                        kind=EventKind.ASSOCIATE, initiator=EventInitiator.PARTNER,
                                        status=EventStatus.COMPLETED, to_type=association_type,
                                        created_at=association.associated_on, decided_at=association.associated_on)
    return customer


# Every demo resource is a product of the demo catalogue (catalog.demo): charging mode, service type,
# resource type, spec, region — so anything listed under 查看资源 can be priced and renewed.
# (charging mode, resource type, spec, region, spec description, status: period 2 in use; on-demand 1 normal, 2 grace)
RESOURCES = [
    (ChargingMode.PERIOD, "hws.resource.type.vm", "s6.large.2.linux", "cn-north-4",
     "通用计算型|s6.large.2|2vCPUs|4GiB|Linux", 2),
    (ChargingMode.ON_DEMAND, "hws.resource.type.vm", "s6.small.1.linux", "cn-north-4",
     "通用计算型|s6.small.1|1vCPUs|1GiB|Linux", 1),
    (ChargingMode.ON_DEMAND, "hws.resource.type.volume", "SAS", "cn-north-4", "高IO|100GB", 1),
    (ChargingMode.PERIOD, "hws.resource.type.bandwidth", "19_bgp", "cn-east-3", "全动态BGP|5Mbit/s", 2),
    (ChargingMode.ON_DEMAND, "hws.resource.type.obs", "obs.standard", "cn-east-3", "标准存储", 2),
    (ChargingMode.ON_DEMAND, "hws.resource.type.vm", "s6.medium.2.linux", "cn-east-3",
     "通用计算型|s6.medium.2|1vCPUs|2GiB|Linux", 1),
]
_CHARGE_MODES = {ChargingMode.PERIOD: ChargeMode.PERIOD, ChargingMode.ON_DEMAND: ChargeMode.ON_DEMAND}


def _resources(customer, index):
    """The customer's demo resources, each pointing at its catalogue product (re-running brings resources
    of an older demo in line)."""
    now = timezone.now()
    for n, (mode, resource_type, spec, region, desc, status) in enumerate(RESOURCES):
        product = Product.objects.select_related("service_type", "resource_type").get(
            resource_type__code=resource_type, resource_spec=spec, region__code=region,
            charge_mode=_CHARGE_MODES[mode])
        resource_id = f"{customer.domain_id[:8]}-{n:04d}-demo-{index:04d}"
        period = mode == ChargingMode.PERIOD
        values = {
            "customer": customer, "charging_mode": mode,
            "resource_name": f"{customer.domain_name}-{product.resource_type.name}-{n + 1}",
            "service_type_code": product.service_type.code, "service_type_name": product.service_type.name,
            "resource_type_code": product.resource_type.code, "resource_type_name": product.resource_type.name,
            "region_code": region, "availability_zone_code": f"{region}a", "resource_spec_code": spec,
            "product_spec_desc": desc, "product_id": product.product_id,
            "order_id": f"CS2611{index:04d}{n:02d}" if period else "",
            "status": status, "expire_policy": 3 if period else None,
            # pay-per-use ones have run for four months: bills.demo meters three closed months of their usage
            "effective_time": now - timedelta(days=(30 if period else 125) + n),
            "expire_time": now + timedelta(days=335) if period else None,
        }
        resource = Resource.objects.filter(customer=customer, resource_id=resource_id).first()
        if resource is None:
            Resource.objects.create(resource_id=resource_id, **values)
        elif resource.product_id != product.product_id or resource.charging_mode != mode:
            for name in ("charging_mode", "resource_name", "service_type_code", "service_type_name",
                         "resource_type_code", "resource_type_name", "region_code", "availability_zone_code",
                         "resource_spec_code", "product_spec_desc", "product_id", "order_id", "status",
                         "expire_policy", "expire_time"):
                setattr(resource, name, values[name])
            resource.save()


def seed(ctx: dict) -> None:
    partners, members = ctx["partners"], ctx["members"]
    bj = partners["bj"]
    customers = []
    # The solution provider's twelve, spread over its eight account managers (the last two unassigned).
    for index, real_name in enumerate(CUSTOMER_NAMES):
        association_type = AssociationType.RESALE if index % 3 else AssociationType.REFERRAL
        manager = members[f"bj.am{index % 8 + 1}"] if index < 10 else None
        # the resale customers have been associated for four months and more (bills.demo's three closed
        # months of consumption belong to this partner); the referral ones joined over the last months
        days_ago = 10 + index * 9 + (125 if index % 3 else 0)
        customers.append(_customer(bj, f"bj-cust-{index + 1:02d}", real_name, association_type, manager,
                                   days_ago=days_ago, label="重点客户" if index % 4 == 0 else ""))
    for key, count in (("hd", 4), ("hz", 3), ("sz", 3)):
        partner = partners[key]
        for index in range(count):
            association_type = AssociationType.RESALE if index % 2 == 0 else AssociationType.REFERRAL
            _customer(partner, f"{key}-cust-{index + 1:02d}", f"{partner.name[:4]}客户{index + 1}",
                      association_type, None, days_ago=5 + index * 20)

    for index, customer in enumerate(customers):
        if index % 3:  # the resale ones
            _resources(customer, index)
        month = timezone.localdate().strftime("%Y-%m")
        NewCustomerTag.objects.get_or_create(customer=customer, tag_type="SMB", defaults={
            "tag": ("Y", "N", "UNDETERMINED")[index % 3], "effective_month": month, "expire_month": "2027-12"})
    # bj-cust-06 ends the demo in arrears (bills.demo: real consumption no balance covered), which shows the
    # eligibility checks (IS_DEBT) on a disassociation request

    # A customer user of a resale customer: signs in to the fee center and holds an access key.
    resale_customer = customers[1]
    user = demo_user("cust.pujiang", email="it@pujiang.example.com")
    CustomerUser.objects.get_or_create(user=user, defaults={"customer": resale_customer, "is_owner": True})
    ctx["logins"].append({"kind": "customer", "partner": bj.name, "username": "cust.pujiang", "password": DEMO_PASSWORD})
    ak, sk = demo_access_key(user)
    ctx["access_keys"].append({"kind": "customer", "name": resale_customer.real_name, "ak": ak, "sk": sk,
                               "domain_id": resale_customer.domain_id})
    leaver = demo_user("cust.nanshan", email="it@nanshan.example.com")
    CustomerUser.objects.get_or_create(user=leaver, defaults={"customer": customers[2], "is_owner": True})
    ctx["logins"].append({"kind": "customer", "partner": bj.name, "username": "cust.nanshan", "password": DEMO_PASSWORD})
    _events(ctx, customers, leaver)


def _events(ctx, customers, leaver):
    """Every state of the association workflow, once: waiting on each side, approved, rejected,
    withdrawn; delegated operations waiting and granted."""
    bj = ctx["partners"]["bj"]
    if AssociationEvent.objects.filter(partner=bj).exclude(kind=EventKind.ASSOCIATE).exists():
        return
    ceo = actor_for_user(ctx["members"]["bj.ceo"].user)
    pujiang = customers[1]
    # Waiting for the customer (the demo customer user sees it in the fee center).
    services.request_type_switch(ceo, customer_id=pujiang.domain_id, reason="客户业务调整，改为顾问销售模式")
    services.request_ops_authorization(ceo, customer_id=pujiang.domain_id, reason="协助客户完成云主机扩容")
    # Waiting for the partner: a customer asks to leave.
    services.customer_request_disassociation(actor_for_user(leaver), reason="公司将由集团统一采购云服务")
    # Decided: a rejected switch, a withdrawn request, an approved disassociation (history stays readable).
    rejected = services.request_type_switch(ceo, customer_id=customers[4].domain_id, reason="希望改为代售")
    services.decide_event(actor_for_user(_owner(customers[4]).user), event_id=rejected.pk, approve=False, note="暂不考虑")
    withdrawn = services.request_disassociation(ceo, customer_id=customers[7].domain_id, reason="误操作")
    services.cancel_event(ceo, event_id=withdrawn.pk)
    gone = services.request_disassociation(ceo, customer_id=customers[11].domain_id, reason="客户已停止合作")
    services.decide_event(actor_for_user(_owner(customers[11]).user), event_id=gone.pk, approve=True)
    # Granted delegated operations on another resale customer.
    granted = services.request_ops_authorization(ceo, customer_id=customers[8].domain_id, reason="月度巡检")
    services.decide_ops_authorization(actor_for_user(_owner(customers[8]).user), authorization_id=granted.pk, agree=True)


def _owner(customer):
    user = demo_user(f"owner.{customer.domain_name}", email=f"owner@{customer.domain_name}.example.com")
    return CustomerUser.objects.get_or_create(user=user, defaults={"customer": customer, "is_owner": True})[0]
