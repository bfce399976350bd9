"""Demo data of the customers domain: customers of both association types under several partners, account
managers on the solution provider's customers, and a customer user with an access key. Idempotent."""

from datetime import timedelta

from django.utils import timezone

from partnercenter.demo import DEMO_PASSWORD, demo_access_key, demo_user

from .choices import AssociationType, CustomerType, VerifiedStatus
from .models import Association, Customer, CustomerUser

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
        Association.objects.create(partner=partner, customer=customer, association_type=association_type,
                                   account_manager=manager, label=label,
                                   associated_on=timezone.now() - timedelta(days=days_ago))
    return customer


def seed(ctx: dict) -> None:
    partners, members = ctx["partners"], ctx["members"]
    bj = partners["bj"]
    customers = []
    # The solution provider's twelve, spread over its eight account managers (the last two unassigned).
    for index, real_name in enumerate(CUSTOMER_NAMES):
        association_type = AssociationType.RESALE if index % 3 else AssociationType.REFERRAL
        manager = members[f"bj.am{index % 8 + 1}"] if index < 10 else None
        customers.append(_customer(bj, f"bj-cust-{index + 1:02d}", real_name, association_type, manager,
                                   days_ago=10 + index * 9, label="重点客户" if index % 4 == 0 else ""))
    for key, count in (("hd", 4), ("hz", 3), ("sz", 3)):
        partner = partners[key]
        for index in range(count):
            association_type = AssociationType.RESALE if index % 2 == 0 else AssociationType.REFERRAL
            _customer(partner, f"{key}-cust-{index + 1:02d}", f"{partner.name[:4]}客户{index + 1}",
                      association_type, None, days_ago=5 + index * 20)

    # A customer user of a resale customer: signs in to the fee center and holds an access key.
    resale_customer = customers[1]
    user = demo_user("cust.pujiang", email="it@pujiang.example.com")
    CustomerUser.objects.get_or_create(user=user, defaults={"customer": resale_customer, "is_owner": True})
    ctx["logins"].append({"kind": "customer", "partner": bj.name, "username": "cust.pujiang", "password": DEMO_PASSWORD})
    ak, sk = demo_access_key(user)
    ctx["access_keys"].append({"kind": "customer", "name": resale_customer.real_name, "ak": ak, "sk": sk,
                               "domain_id": resale_customer.domain_id})
