"""Demo data of the core: partners, roles, the example organisation, an operator and partner access keys.

Called by `manage.py seed_demo` before the domain apps' own demo modules; idempotent.
"""

from datetime import timedelta

from django.utils import timezone

from . import secretbox, services
from .actors import actor_for_user
from .choices import PartnerType
from .models import AccessKey, Member, Partner, Role, User

__all__ = ["DEMO_PASSWORD", "seed", "demo_user", "demo_access_key"]

DEMO_PASSWORD = "Partner@2026"
OPERATOR_PASSWORD = "Operator@2026"

# (role name, description, permissions) — the example organisation's roles
ROLES = {
    "财务专员": ("负责充值、拨款与账单", ["billing.view", "funds.allocate", "funds.recharge", "vouchers.view", "incentives.view",
                              "orders.view", "orders.pay"]),
    "解决方案架构师": ("查看全部客户，支持拓新", ["customers.view", "customers.view_all", "expansion.view", "expansion.manage",
                                      "opportunities.manage", "benefits.view"]),
    "客户经理主管": ("管理所辖客户经理及其客户", ["customers.view", "customers.assign_manager", "expansion.view", "vouchers.view", "org.view_members",
                                     "orders.view", "orders.place", "discounts.manage"]),
    "客户经理": ("仅查看分配给自己的客户", ["customers.view", "expansion.view", "expansion.manage"]),
}

PARTNERS = [
    # key, account_name, name, type, distributor key, contracting entity
    ("bj", "bj-zhiyun", "北京智云解决方案有限公司", PartnerType.SOLUTION_PROVIDER, None, "华为云计算技术有限公司"),
    ("hd", "hd-yunlian", "华东云联科技有限公司", PartnerType.DISTRIBUTOR, None, "华为软件技术有限公司"),
    ("hz", "hz-yunfan", "杭州云帆信息技术有限公司", PartnerType.RESELLER, "hd", "华为软件技术有限公司"),
    ("sz", "sz-qihang", "苏州启航数据服务有限公司", PartnerType.RESELLER, "hd", "华为软件技术有限公司"),
]

# username suffix, display name, title, roles, supervisor suffix
BJ_PEOPLE = [
    ("ceo", "王总", "首席执行官", ["管理员"], None),
    ("finance", "李财务", "财务专员", ["财务专员"], "ceo"),
    ("sa", "赵架构", "SA", ["解决方案架构师"], "ceo"),
    ("lead1", "陈主管", "客户经理主管", ["客户经理主管", "客户经理"], "ceo"),
    ("lead2", "刘主管", "客户经理主管", ["客户经理主管", "客户经理"], "ceo"),
] + [(f"am{i}", f"客户经理{i}", "客户经理", ["客户经理"], "lead1" if i <= 4 else "lead2") for i in range(1, 9)]



def demo_user(username, password=DEMO_PASSWORD, email=""):
    user, created = User.objects.get_or_create(username=username, defaults={"email": email})
    if created:
        user.set_password(password)
        user.save(update_fields=["password"])
    return user


def demo_access_key(user):
    """The user's demo key (created once); returns (ak, sk)."""
    key = AccessKey.objects.filter(user=user, description="demo").first()
    if key is None:
        key, secret = services.create_access_key(actor_for_user(user), description="demo")
        return key.ak, secret
    return key.ak, secretbox.decrypt(key.sk_encrypted)


def _member(partner, username, display_name, title, role_names, supervisor):
    user = demo_user(username, email=f"{username}@{partner.account_name}.example.com")
    member, created = Member.objects.get_or_create(
        user=user, defaults={"partner": partner, "display_name": display_name, "title": title, "supervisor": supervisor}
    )
    if created:
        member.roles.set(Role.objects.filter(partner=partner, name__in=role_names))
    return member


def _login(kind, partner_name, username, password=DEMO_PASSWORD):
    return {"kind": kind, "partner": partner_name, "username": username, "password": password}


def seed(ctx: dict) -> None:
    partners, members = ctx["partners"], ctx["members"]
    for key, account_name, name, partner_type, distributor_key, entity in PARTNERS:
        partner, _created = Partner.objects.get_or_create(
            account_name=account_name,
            defaults={
                "name": name, "partner_type": partner_type, "contracting_entity": entity,
                "distributor": partners.get(distributor_key),
                "associated_on": timezone.now() - timedelta(days=200) if distributor_key else None,
                "email": f"contact@{account_name}.example.com", "mobile_phone": "13800000000",
            },
        )
        partners[key] = partner
        Role.objects.get_or_create(partner=partner, is_administrator=True,
                                   defaults={"name": "管理员", "description": "内置管理员，拥有全部权限"})

    bj = partners["bj"]
    for role_name, (description, permissions) in ROLES.items():
        Role.objects.get_or_create(partner=bj, name=role_name, defaults={"description": description, "permissions": permissions})

    for suffix, display_name, title, role_names, supervisor in BJ_PEOPLE:
        members[f"bj.{suffix}"] = _member(bj, f"bj.{suffix}", display_name, title, role_names,
                                          members.get(f"bj.{supervisor}"))
        ctx["logins"].append(_login("member", bj.name, f"bj.{suffix}"))
    for key in ("hd", "hz", "sz"):
        partner = partners[key]
        members[f"{key}.admin"] = _member(partner, f"{key}.admin", f"{partner.name[:2]}管理员", "管理员", ["管理员"], None)
        ctx["logins"].append(_login("member", partner.name, f"{key}.admin"))
    for key in ("hz", "sz"):
        reseller = partners[key]
        if reseller.reseller_account_manager_id is None:
            reseller.reseller_account_manager = members["hd.admin"]
            reseller.save(update_fields=["reseller_account_manager"])

    operator = demo_user("operator", OPERATOR_PASSWORD, email="operator@example.com")
    if not operator.is_superuser:
        operator.is_staff = operator.is_superuser = True
        operator.save(update_fields=["is_staff", "is_superuser"])
    ctx["logins"].append(_login("operator", "", "operator", OPERATOR_PASSWORD))

    for key, admin in (("bj", "bj.ceo"), ("hd", "hd.admin"), ("hz", "hz.admin"), ("sz", "sz.admin")):
        ak, sk = demo_access_key(members[admin].user)
        partner = partners[key]
        ctx["access_keys"].append({"kind": "partner", "partner_type": partner.partner_type, "name": partner.name,
                                   "ak": ak, "sk": sk, "domain_id": partner.domain_id})
