"""Fixtures of the sales-task and entrustment tests: a solution provider with an account manager, a
distributor with a cloud reseller (each with customers), and another distributor."""

from dataclasses import dataclass
from datetime import timedelta

import pytest

from expansion import tasks_sales
from expansion.selectors_tasks import today
from partnercenter.actors import actor_for_user

from ..conftest import build_tenant, login_client
from ..factories import AssociationFactory, CustomerFactory, MemberFactory, PartnerFactory, RoleFactory, UserFactory

SALES = ["customers.view", "expansion.view", "expansion.manage"]
READER = ["resellers.view", "customers.view", "expansion.view", "expansion.manage"]


@dataclass
class World:
    sp: object = None            # tenant: a solution provider
    am: object = None            # sp's account manager (no customers.view_all), with expansion rights
    mine: object = None          # sp's customer assigned to am
    theirs: object = None        # sp's customer assigned to nobody
    dist: object = None          # tenant: the distributor
    dist_am: object = None       # dist's account manager (no customers.view_all, no resellers.view)
    dist_reader: object = None   # dist's reseller manager: resellers.view + customers.view (the core lets it
                                 # read a reseller's book), with expansion rights
    dist_customer: object = None  # dist's own customer, assigned to nobody
    reseller: object = None      # dist's cloud reseller (a Partner)
    reseller_admin: object = None
    reseller_viewer: object = None  # expansion.view only
    reseller_sales: object = None   # the reseller's account manager: works sales tasks (expansion.manage) but
                                    # may not entrust (no expansion.entrust)
    r1: object = None            # the reseller's customers
    r2: object = None
    other: object = None         # tenant: another distributor
    operator: object = None


def operator_actor(user):
    return actor_for_user(user, ip="127.0.0.1")


def build_world() -> World:
    w = World()
    w.operator = UserFactory(username="ops", is_staff=True, is_superuser=True)
    w.sp = build_tenant("s")
    sales = RoleFactory(partner=w.sp.partner, name="销售", permissions=SALES)
    w.am = MemberFactory(partner=w.sp.partner, user__username="s.sales", roles=[sales])
    w.mine = AssociationFactory(partner=w.sp.partner, account_manager=w.am,
                                customer=CustomerFactory(domain_name="mine-corp", real_name="我的客户公司",
                                                         mobile_phone="13812345678")).customer
    w.theirs = AssociationFactory(partner=w.sp.partner, customer=CustomerFactory(
        domain_name="theirs-corp", real_name="别人的客户公司")).customer

    w.dist = build_tenant("d", partner_type="distributor")
    dist_sales = RoleFactory(partner=w.dist.partner, name="销售", permissions=SALES)
    w.dist_am = MemberFactory(partner=w.dist.partner, user__username="d.sales", roles=[dist_sales])
    readers = RoleFactory(partner=w.dist.partner, name="经销商经理", permissions=READER)
    w.dist_reader = MemberFactory(partner=w.dist.partner, user__username="d.reader", roles=[readers])
    w.dist_customer = AssociationFactory(partner=w.dist.partner).customer
    w.reseller = PartnerFactory(account_name="reseller-r", partner_type="reseller", distributor=w.dist.partner)
    admin_role = RoleFactory(partner=w.reseller, name="管理员", is_administrator=True)
    viewer_role = RoleFactory(partner=w.reseller, name="只读", permissions=["customers.view_all", "customers.view",
                                                                          "expansion.view"])
    w.reseller_admin = MemberFactory(partner=w.reseller, user__username="r.admin", roles=[admin_role])
    w.reseller_viewer = MemberFactory(partner=w.reseller, user__username="r.viewer", roles=[viewer_role])
    w.reseller_sales = MemberFactory(partner=w.reseller, user__username="r.sales",
                                     roles=[RoleFactory(partner=w.reseller, name="销售", permissions=SALES)])
    w.r1 = AssociationFactory(partner=w.reseller, customer=CustomerFactory(
        domain_name="r-shop-one", real_name="经销客户一", mobile_phone="13900001111",
        email="boss@shop-one.cn")).customer
    w.r2 = AssociationFactory(partner=w.reseller, customer=CustomerFactory(
        domain_name="r-shop-two", real_name="经销客户二", mobile_phone="13900002222")).customer

    w.other = build_tenant("o", partner_type="distributor")
    return w


@pytest.fixture
def world(db):
    return build_world()


def assign(w, partner, customer, *, kind="renewal", title="续费提醒", days=3, description=""):
    return tasks_sales.assign_task(operator_actor(w.operator), partner=partner, customer=customer, kind=kind,
                                   title=title, description=description, due_date=today() + timedelta(days=days))


def client_of(member):
    return login_client(member.user)


def actor(member):
    return actor_for_user(member.user, ip="127.0.0.1")
