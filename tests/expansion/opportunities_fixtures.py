"""Fixtures of the opportunities tests: an operator, HO shared at a chosen Shanghai time, POs, and a partner
whose customers are split between two account managers (`make_book`)."""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine

from expansion import opportunities
from expansion.models import Opportunity

from ..conftest import actor_of
from ..factories import AssociationFactory, MemberFactory, RoleFactory, UserFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")


def shanghai(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def make_operator():
    """A platform operator (staff, superuser). Test modules wrap it in their own `operator` fixture."""
    return UserFactory(username="opportunities.ops", is_staff=True, is_superuser=True)


def share(operator_user, partner, *, at=None, name="云迁移项目", customer_name="杭州某制造有限公司", **fields) -> Opportunity:
    """An HO shared by an operator with `partner` (at `at`, Shanghai time, when given)."""
    def call():
        return opportunities.share_opportunity(actor_of(operator_user), partner=partner, name=name,
                                               customer_name=customer_name, **fields)
    if at is None:
        return call()
    with time_machine.travel(at, tick=False):
        return call()


def register(member, *, name="数据中台", customer_name="南京某零售有限公司", **fields) -> Opportunity:
    return opportunities.register_opportunity(actor_of(member), name=name, customer_name=customer_name, **fields)


SALES = ["customers.view", "expansion.view", "opportunities.manage"]


@dataclass
class Book:
    """tenant_a's customers split between two account managers (no customers.view_all), and an HO naming each
    kind of customer: `mine` (am's), `theirs` (other_am's), `unassigned` (associated, nobody's), none."""

    tenant: object
    am: object
    other_am: object
    mine: object
    theirs: object
    unassigned: object
    ho_mine: Opportunity = None
    ho_theirs: Opportunity = None
    ho_unassigned: Opportunity = None
    ho_none: Opportunity = None


def make_book(tenant, operator_user) -> Book:
    """Two account managers of `tenant` with the sales rights, their customers, and four HO."""
    role = RoleFactory(partner=tenant.partner, name="销售", permissions=SALES)
    am = MemberFactory(partner=tenant.partner, user__username=f"{tenant.partner.account_name}.sales", roles=[role])
    other_am = MemberFactory(partner=tenant.partner, user__username=f"{tenant.partner.account_name}.sales2",
                             roles=[role])
    book = Book(tenant=tenant, am=am, other_am=other_am,
                mine=AssociationFactory(partner=tenant.partner, account_manager=am).customer,
                theirs=AssociationFactory(partner=tenant.partner, account_manager=other_am).customer,
                unassigned=tenant.resale)
    book.ho_mine = share(operator_user, tenant.partner, name="我的客户项目", customer=book.mine)
    book.ho_theirs = share(operator_user, tenant.partner, name="别人的客户项目", customer=book.theirs)
    book.ho_unassigned = share(operator_user, tenant.partner, name="未分配客户项目", customer=book.unassigned)
    book.ho_none = share(operator_user, tenant.partner, name="无账号项目")
    return book
