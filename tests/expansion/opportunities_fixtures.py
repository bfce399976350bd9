"""Fixtures of the opportunities tests: an operator, HO shared at a chosen Shanghai time, POs."""

from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine

from expansion import opportunities
from expansion.models import Opportunity

from ..conftest import actor_of
from ..factories import UserFactory

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
